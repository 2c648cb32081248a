// tests/support/hpack_corpus.hpp: loads the hpack-test-case stories (shared/hpack-test-case) for tests and benchmarks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace h2push::testing {

using HeaderPairs = std::vector<std::pair<std::string, std::string>>;

struct StoryCase {
  std::optional<std::uint32_t> header_table_size;  // SETTINGS_HEADER_TABLE_SIZE acknowledged before this case
  std::vector<std::byte> wire;                     // empty for raw-data stories
  HeaderPairs headers;
};

struct Story {
  std::string name;  // e.g. "nghttp2/story_00.json"
  std::vector<StoryCase> cases;
};

// The corpus root: the H2PUSH_HPACK_CORPUS environment variable, else the path compiled in by CMake.
std::filesystem::path corpus_root();

// Implementation folders that hold encoded stories (every folder except raw-data), sorted.
std::vector<std::string> implementation_folders();

// Every story_*.json of `folder` (relative to corpus_root()), sorted by name. Throws on unreadable JSON.
std::vector<Story> load_folder(const std::string& folder);

std::vector<std::byte> from_hex(std::string_view hex);
std::string to_hex(const std::byte* data, std::size_t size);
inline std::string to_hex(const std::vector<std::byte>& bytes) { return to_hex(bytes.data(), bytes.size()); }

}  // namespace h2push::testing
