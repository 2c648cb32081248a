// src/server/demo_site_tools/png.hpp: PNG and ICO encoders for the demo site's generated images.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace h2push::demo_tools {

using Bytes = std::vector<std::uint8_t>;

// 8-bit RGB (channels = 3) or RGBA (channels = 4) pixels, row by row, top row first.
struct Image {
  int width = 0;
  int height = 0;
  int channels = 3;
  std::vector<std::uint8_t> pixels;

  Image(int w, int h, int c);
  std::uint8_t* at(int x, int y) noexcept;
};

// A complete PNG file (IHDR, one IDAT compressed with zlib level 9, IEND); each row gets the filter that gives the
// smallest sum of absolute differences, as libpng's heuristic does.
Bytes encode_png(const Image& image);

// A Windows icon file holding each PNG as one entry (PNG-in-ICO, understood by every current browser).
struct IconEntry {
  int size = 0;  // width and height in pixels, at most 256
  Bytes png;
};
Bytes encode_ico(std::span<const IconEntry> entries);

// Big-endian and little-endian appenders shared with the font writer.
void put_u16be(Bytes& out, std::uint32_t value);
void put_u32be(Bytes& out, std::uint32_t value);
void put_u16le(Bytes& out, std::uint32_t value);
void put_u32le(Bytes& out, std::uint32_t value);

}  // namespace h2push::demo_tools
