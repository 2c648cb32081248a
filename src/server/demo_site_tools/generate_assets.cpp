// src/server/demo_site_tools/generate_assets.cpp: h2push_demo_assets OUT_DIR, writes the demo site's binary files
// (pictures, icon, font) into OUT_DIR. Deterministic: the same build of zlib gives the same bytes on every run.
// The list of files here and GENERATED in src/server/demo_site.cmake must match; demo_site_test checks both.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "demo_site_tools/font.hpp"
#include "demo_site_tools/png.hpp"
#include "demo_site_tools/scenes.hpp"

namespace {

using h2push::demo_tools::Bytes;
namespace fs = std::filesystem;

bool write_file(const fs::path& path, const Bytes& bytes) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    std::fprintf(stderr, "h2push_demo_assets: cannot create %s: %s\n", path.parent_path().c_str(),
                 ec.message().c_str());
    return false;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "h2push_demo_assets: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace h2push::demo_tools;
  if (argc != 2) {
    std::fprintf(stderr, "usage: h2push_demo_assets OUT_DIR\n");
    return 2;
  }
  const fs::path root = argv[1];

  struct Output {
    std::string path;
    Bytes bytes;
  };
  std::vector<Output> outputs;
  // The hero picture in three widths for <img srcset>: 1600w ~270 KiB, 1200w ~180 KiB, 600w ~60 KiB.
  outputs.push_back({"img/hero-1600.png", encode_png(paint_harbour(1600, 640, Mood::dusk, 7))});
  outputs.push_back({"img/hero-1200.png", encode_png(paint_harbour(1200, 480, Mood::dusk, 7))});
  outputs.push_back({"img/hero-600.png", encode_png(paint_harbour(600, 240, Mood::dusk, 7))});
  // Gallery tiles; day and night form the <picture> pair chosen by prefers-color-scheme.
  outputs.push_back({"img/harbour-day.png", encode_png(paint_harbour(480, 320, Mood::day, 21))});
  outputs.push_back({"img/harbour-night.png", encode_png(paint_harbour(480, 320, Mood::night, 21))});
  outputs.push_back({"img/harbour-fog.png", encode_png(paint_harbour(480, 320, Mood::fog, 33))});
  outputs.push_back({"img/harbour-dawn.png", encode_png(paint_harbour(480, 320, Mood::dawn, 45))});
  outputs.push_back({"img/paper.png", encode_png(paint_paper_texture(128, 5))});

  std::vector<IconEntry> icons;
  for (int size : {16, 32, 48}) icons.push_back({size, encode_png(paint_icon(size))});
  outputs.push_back({"favicon.ico", encode_ico(icons)});

  outputs.push_back({"fonts/dots.woff", wrap_woff(build_dot_font_ttf())});

  for (const Output& output : outputs) {
    if (!write_file(root / output.path, output.bytes)) return 1;
  }
  return 0;
}
