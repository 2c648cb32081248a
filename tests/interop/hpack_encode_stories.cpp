// tests/interop/hpack_encode_stories.cpp: encodes every raw-data story of hpack-test-case with our Encoder and writes
// the results in the corpus' own JSON shape (with "wire"), for decoding by other implementations.
//
// Usage: hpack_encode_stories OUTPUT_DIR
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "h2push/hpack.h"
#include "support/hpack_corpus.hpp"

namespace {

namespace fs = std::filesystem;
using h2push::hpack::Encoder;
using h2push::hpack::Header;

nlohmann::json encode_story(const h2push::testing::Story& story) {
  Encoder encoder;
  nlohmann::json cases = nlohmann::json::array();
  for (std::size_t i = 0; i < story.cases.size(); ++i) {
    const auto& story_case = story.cases[i];
    std::vector<Header> fields;
    nlohmann::json headers = nlohmann::json::array();
    for (const auto& [name, value] : story_case.headers) {
      fields.push_back(Header{name, value, false});
      headers.push_back(nlohmann::json::object({{name, value}}));
    }
    std::vector<std::byte> wire;
    encoder.encode(fields, wire);
    nlohmann::json json_case = {{"seqno", i}, {"wire", h2push::testing::to_hex(wire)}, {"headers", headers}};
    if (i == 0) json_case["header_table_size"] = h2push::hpack::kDefaultTableSize;
    cases.push_back(std::move(json_case));
  }
  return {{"description", "Encoded by h2push's HPACK encoder with default options from " + story.name},
          {"cases", cases}};
}

int run(const fs::path& output_dir) {
  fs::create_directories(output_dir);
  for (const auto& entry : fs::directory_iterator(output_dir)) {
    if (entry.path().extension() == ".json") fs::remove(entry.path());
  }
  const std::vector<h2push::testing::Story> stories = h2push::testing::load_folder("raw-data");
  std::size_t cases = 0;
  for (const auto& story : stories) {
    const fs::path path = output_dir / fs::path(story.name).filename();
    std::ofstream out(path);
    out << encode_story(story).dump(2) << '\n';
    if (!out) {
      std::cerr << "hpack_encode_stories: cannot write " << path << '\n';
      return 1;
    }
    cases += story.cases.size();
  }
  std::cout << "hpack_encode_stories: wrote " << stories.size() << " stories (" << cases << " header blocks) to "
            << output_dir << '\n';
  if (stories.empty()) {
    std::cerr << "hpack_encode_stories: no raw-data stories under " << h2push::testing::corpus_root() << '\n';
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: hpack_encode_stories OUTPUT_DIR\n";
    return 2;
  }
  try {
    return run(argv[1]);
  } catch (const std::exception& e) {
    std::cerr << "hpack_encode_stories: " << e.what() << '\n';
    return 1;
  }
}
