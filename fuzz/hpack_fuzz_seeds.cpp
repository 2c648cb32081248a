// fuzz/hpack_fuzz_seeds.cpp: writes the seed corpora of the HPACK fuzz targets from the hpack-test-case stories.
//
// Usage: hpack_fuzz_seeds OUT_DIR [MAX_BYTES]
// Writes OUT_DIR/hpack_decode/seed_<folder>_<story>.bin (the encoded wires of every implementation folder) and
// OUT_DIR/hpack_roundtrip/seed_<story>[_b].bin (the raw-data header lists), in the formats of fuzz_input.hpp. Each
// seed is a story's prefix of at most MAX_BYTES (default 4096, the -max_len the fuzzers run with), so later blocks
// still find the dynamic table entries they refer to. Existing seeds are overwritten; other files are left alone,
// so the corpus libFuzzer grows in the same folders survives.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "support/hpack_corpus.hpp"

namespace {

namespace fs = std::filesystem;
using h2push::testing::Story;

std::string seed_name(const Story& story) {
  std::string name = story.name;  // "folder/story_00.json"
  std::replace(name.begin(), name.end(), '/', '_');
  if (const auto dot = name.rfind(".json"); dot != std::string::npos) name.erase(dot);
  return name;
}

void write_file(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::uint16_t clamp_u16(std::uint32_t value) {
  return static_cast<std::uint16_t>(std::min<std::uint32_t>(value, 0xFFFF));
}

// One seed per story: size changes and blocks, as long as they fit.
std::size_t write_decode_seeds(const fs::path& dir, std::size_t max_bytes) {
  std::size_t written = 0;
  for (const auto& folder : h2push::testing::implementation_folders()) {
    for (const auto& story : h2push::testing::load_folder(folder)) {
      std::vector<std::uint8_t> seed;
      std::vector<std::uint8_t> record;
      for (const auto& c : story.cases) {
        record.clear();
        if (c.header_table_size) h2push::fuzz::put_settings(record, clamp_u16(*c.header_table_size));
        if (c.wire.size() > h2push::fuzz::kMaxBlockLength) break;
        h2push::fuzz::put_length(record, c.wire.size());
        for (const std::byte b : c.wire) record.push_back(std::to_integer<std::uint8_t>(b));
        if (seed.size() + record.size() > max_bytes) break;
        seed.insert(seed.end(), record.begin(), record.end());
      }
      if (seed.empty()) continue;
      write_file(dir / ("seed_" + seed_name(story) + ".bin"), seed);
      ++written;
    }
  }
  return written;
}

struct RoundtripConfig {
  bool huffman;
  int passes;  // 1..8
  std::uint16_t encoder_cap;
  std::size_t settings_after_block;  // a peer table size change after this many blocks (0: none)
  std::uint16_t settings_size;
};

std::vector<std::uint8_t> roundtrip_seed(const Story& story, const RoundtripConfig& config, std::size_t max_bytes) {
  std::vector<std::uint8_t> seed;
  seed.push_back(static_cast<std::uint8_t>((config.huffman ? h2push::fuzz::kConfigHuffman : 0) |
                                           ((config.passes - 1) << h2push::fuzz::kConfigPassesShift)));
  seed.push_back(static_cast<std::uint8_t>(config.encoder_cap >> 8));
  seed.push_back(static_cast<std::uint8_t>(config.encoder_cap & 0xFF));
  std::vector<std::uint8_t> record;
  std::size_t blocks = 0;
  for (const auto& c : story.cases) {
    record.clear();
    if (config.settings_after_block != 0 && blocks == config.settings_after_block) {
      h2push::fuzz::put_settings(record, config.settings_size);
    }
    const std::size_t count = std::min<std::size_t>(c.headers.size(), h2push::fuzz::kSettingsRecord - 1);
    record.push_back(static_cast<std::uint8_t>(count));
    for (std::size_t i = 0; i < count; ++i) {
      const auto& [name, value] = c.headers[i];
      if (name.size() > h2push::fuzz::kMaxLength || value.size() > h2push::fuzz::kMaxLength) return seed;
      if (const auto index = h2push::fuzz::known_name_index(name)) {
        record.push_back(h2push::fuzz::kFieldKnownName);
        record.push_back(*index);
      } else {
        record.push_back(0);
        h2push::fuzz::put_string(record, name);
      }
      h2push::fuzz::put_string(record, value);
    }
    if (seed.size() + record.size() > max_bytes) break;
    seed.insert(seed.end(), record.begin(), record.end());
    ++blocks;
  }
  return seed;
}

std::size_t write_roundtrip_seeds(const fs::path& dir, std::size_t max_bytes) {
  std::size_t written = 0;
  const auto stories = h2push::testing::load_folder("raw-data");
  for (std::size_t i = 0; i < stories.size(); ++i) {
    const auto name = seed_name(stories[i]);
    write_file(dir / ("seed_" + name + ".bin"),
               roundtrip_seed(stories[i], {.huffman = true, .passes = 1, .encoder_cap = 4096}, max_bytes));
    ++written;
    if (i % 2 == 0) {
      // Raw literals, a small table, a shrinking peer limit mid-story and replays exercise eviction, compaction
      // and size updates.
      write_file(dir / ("seed_" + name + "_b.bin"),
                 roundtrip_seed(stories[i],
                                {.huffman = false,
                                 .passes = 4,
                                 .encoder_cap = static_cast<std::uint16_t>(256 << (i % 4)),
                                 .settings_after_block = 2,
                                 .settings_size = static_cast<std::uint16_t>(64 * (i + 1))},
                                max_bytes));
      ++written;
    }
  }
  return written;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR [MAX_BYTES]\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  const std::size_t max_bytes = argc == 3 ? std::strtoul(argv[2], nullptr, 10) : 4096;
  try {
    fs::create_directories(out / "hpack_decode");
    fs::create_directories(out / "hpack_roundtrip");
    const auto decode_seeds = write_decode_seeds(out / "hpack_decode", max_bytes);
    const auto roundtrip_seeds = write_roundtrip_seeds(out / "hpack_roundtrip", max_bytes);
    std::printf("hpack_fuzz_seeds: %zu hpack_decode seeds, %zu hpack_roundtrip seeds in %s\n", decode_seeds,
                roundtrip_seeds, out.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hpack_fuzz_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
