#include "support/hpack_corpus.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace h2push::testing {
namespace fs = std::filesystem;

fs::path corpus_root() {
  if (const char* env = std::getenv("H2PUSH_HPACK_CORPUS"); env != nullptr && *env != '\0') return env;
  return H2PUSH_HPACK_CORPUS_DIR;
}

std::vector<std::string> implementation_folders() {
  std::vector<std::string> folders;
  for (const auto& entry : fs::directory_iterator(corpus_root())) {
    if (entry.is_directory() && entry.path().filename() != "raw-data") folders.push_back(entry.path().filename());
  }
  std::sort(folders.begin(), folders.end());
  return folders;
}

static Story load_story(const fs::path& path, const std::string& name) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  const nlohmann::json json = nlohmann::json::parse(in);
  Story story{name, {}};
  for (const auto& c : json.at("cases")) {
    StoryCase sc;
    if (c.contains("header_table_size")) sc.header_table_size = c.at("header_table_size").get<std::uint32_t>();
    if (c.contains("wire")) sc.wire = from_hex(c.at("wire").get<std::string>());
    for (const auto& field : c.at("headers")) {
      for (const auto& [key, value] : field.items()) sc.headers.emplace_back(key, value.get<std::string>());
    }
    story.cases.push_back(std::move(sc));
  }
  return story;
}

std::vector<Story> load_folder(const std::string& folder) {
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(corpus_root() / folder)) {
    if (entry.path().extension() == ".json") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<Story> stories;
  for (const auto& path : paths) stories.push_back(load_story(path, folder + "/" + path.filename().string()));
  return stories;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  throw std::invalid_argument("bad hex digit");
}

std::vector<std::byte> from_hex(std::string_view hex) {
  std::string digits;
  for (char c : hex) {
    if (c != ' ' && c != '\n') digits.push_back(c);
  }
  if (digits.size() % 2 != 0) throw std::invalid_argument("odd number of hex digits");
  std::vector<std::byte> out;
  out.reserve(digits.size() / 2);
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    out.push_back(static_cast<std::byte>(hex_digit(digits[i]) * 16 + hex_digit(digits[i + 1])));
  }
  return out;
}

std::string to_hex(const std::byte* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    const auto b = std::to_integer<unsigned>(data[i]);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

}  // namespace h2push::testing
