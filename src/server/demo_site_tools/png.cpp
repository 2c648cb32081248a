// src/server/demo_site_tools/png.cpp: PNG (ISO/IEC 15948) and ICO writers, zlib for deflate and CRC-32.
#include "demo_site_tools/png.hpp"

#include <zlib.h>

#include <array>
#include <cstdlib>
#include <string_view>

namespace h2push::demo_tools {
namespace {

void append_chunk(Bytes& out, std::string_view type, const Bytes& data) {
  put_u32be(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t type_at = out.size();
  out.insert(out.end(), type.begin(), type.end());
  out.insert(out.end(), data.begin(), data.end());
  // The CRC covers the chunk type and data, not the length (PNG §5.3).
  const uLong crc = crc32(0L, out.data() + type_at, static_cast<uInt>(out.size() - type_at));
  put_u32be(out, static_cast<std::uint32_t>(crc));
}

std::uint8_t paeth(int a, int b, int c) noexcept {
  const int p = a + b - c;
  const int pa = std::abs(p - a);
  const int pb = std::abs(p - b);
  const int pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return static_cast<std::uint8_t>(a);
  if (pb <= pc) return static_cast<std::uint8_t>(b);
  return static_cast<std::uint8_t>(c);
}

// Filters one row with filter type `type` (0 none, 1 sub, 2 up, 3 average, 4 Paeth; PNG §9.2).
void filter_row(int type, const std::uint8_t* row, const std::uint8_t* prior, std::size_t length, std::size_t bpp,
                std::uint8_t* out) {
  for (std::size_t i = 0; i < length; ++i) {
    const int x = row[i];
    const int a = i >= bpp ? row[i - bpp] : 0;
    const int b = prior != nullptr ? prior[i] : 0;
    const int c = (prior != nullptr && i >= bpp) ? prior[i - bpp] : 0;
    int predicted = 0;
    switch (type) {
      case 1:
        predicted = a;
        break;
      case 2:
        predicted = b;
        break;
      case 3:
        predicted = (a + b) / 2;
        break;
      case 4:
        predicted = paeth(a, b, c);
        break;
      default:
        break;
    }
    out[i] = static_cast<std::uint8_t>((x - predicted) & 0xff);
  }
}

std::uint64_t filter_cost(const std::uint8_t* filtered, std::size_t length) noexcept {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < length; ++i) {
    const int v = filtered[i];
    sum += static_cast<std::uint64_t>(v < 128 ? v : 256 - v);
  }
  return sum;
}

}  // namespace

Image::Image(int w, int h, int c)
    : width(w),
      height(h),
      channels(c),
      pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * static_cast<std::size_t>(c)) {}

std::uint8_t* Image::at(int x, int y) noexcept {
  return pixels.data() + (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)) *
                             static_cast<std::size_t>(channels);
}

void put_u16be(Bytes& out, std::uint32_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}
void put_u32be(Bytes& out, std::uint32_t value) {
  put_u16be(out, value >> 16);
  put_u16be(out, value & 0xffff);
}
void put_u16le(Bytes& out, std::uint32_t value) {
  out.push_back(static_cast<std::uint8_t>(value));
  out.push_back(static_cast<std::uint8_t>(value >> 8));
}
void put_u32le(Bytes& out, std::uint32_t value) {
  put_u16le(out, value & 0xffff);
  put_u16le(out, value >> 16);
}

Bytes encode_png(const Image& image) {
  const auto bpp = static_cast<std::size_t>(image.channels);
  const std::size_t stride = static_cast<std::size_t>(image.width) * bpp;
  Bytes raw;
  raw.reserve((stride + 1) * static_cast<std::size_t>(image.height));
  std::vector<std::uint8_t> candidate(stride);
  std::vector<std::uint8_t> best(stride);
  for (int y = 0; y < image.height; ++y) {
    const std::uint8_t* row = image.pixels.data() + static_cast<std::size_t>(y) * stride;
    const std::uint8_t* prior = y > 0 ? row - stride : nullptr;
    std::uint64_t best_cost = UINT64_MAX;
    int best_type = 0;
    for (int type = 0; type <= 4; ++type) {
      filter_row(type, row, prior, stride, bpp, candidate.data());
      const std::uint64_t cost = filter_cost(candidate.data(), stride);
      if (cost < best_cost) {
        best_cost = cost;
        best_type = type;
        best.swap(candidate);
      }
    }
    raw.push_back(static_cast<std::uint8_t>(best_type));
    raw.insert(raw.end(), best.begin(), best.end());
  }

  uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
  Bytes compressed(compressed_size);
  if (compress2(compressed.data(), &compressed_size, raw.data(), static_cast<uLong>(raw.size()), 9) != Z_OK) {
    std::abort();  // only on allocation failure: the tool has no way to recover
  }
  compressed.resize(compressed_size);

  Bytes header;
  put_u32be(header, static_cast<std::uint32_t>(image.width));
  put_u32be(header, static_cast<std::uint32_t>(image.height));
  header.push_back(8);                            // bit depth
  header.push_back(image.channels == 4 ? 6 : 2);  // colour type: RGBA or RGB
  header.insert(header.end(), {0, 0, 0});         // deflate, adaptive filtering, no interlace

  Bytes out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  append_chunk(out, "IHDR", header);
  append_chunk(out, "IDAT", compressed);
  append_chunk(out, "IEND", {});
  return out;
}

Bytes encode_ico(std::span<const IconEntry> entries) {
  Bytes out;
  put_u16le(out, 0);  // reserved
  put_u16le(out, 1);  // type: icon
  put_u16le(out, static_cast<std::uint32_t>(entries.size()));
  std::size_t offset = 6 + 16 * entries.size();
  for (const IconEntry& entry : entries) {
    out.push_back(static_cast<std::uint8_t>(entry.size >= 256 ? 0 : entry.size));  // 0 means 256
    out.push_back(static_cast<std::uint8_t>(entry.size >= 256 ? 0 : entry.size));
    out.push_back(0);    // no palette
    out.push_back(0);    // reserved
    put_u16le(out, 1);   // colour planes
    put_u16le(out, 32);  // bits per pixel
    put_u32le(out, static_cast<std::uint32_t>(entry.png.size()));
    put_u32le(out, static_cast<std::uint32_t>(offset));
    offset += entry.png.size();
  }
  for (const IconEntry& entry : entries) out.insert(out.end(), entry.png.begin(), entry.png.end());
  return out;
}

}  // namespace h2push::demo_tools
