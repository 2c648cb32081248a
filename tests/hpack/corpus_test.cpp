// tests/hpack/corpus_test.cpp: our decoder on every story of every implementation folder of hpack-test-case.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "h2push/hpack.h"
#include "hpack_test_util.hpp"
#include "support/hpack_corpus.hpp"

namespace h2push::hpack {
namespace {

namespace fs = std::filesystem;

struct StoryRef {
  std::string folder;  // e.g. "go-hpack"
  std::string file;    // e.g. "story_00.json"
};

void PrintTo(const StoryRef& story, std::ostream* os) { *os << story.folder << '/' << story.file; }

// Listed from the file system (not parsed) so that test registration stays cheap and cannot throw on bad JSON.
// A missing corpus yields no stories, which CorpusStoriesTest reports as a failure.
std::vector<StoryRef> list_stories() {
  std::vector<StoryRef> stories;
  std::vector<std::string> folders;
  try {
    folders = h2push::testing::implementation_folders();
  } catch (const std::exception& e) {
    std::cerr << "cannot list the HPACK corpus: " << e.what() << "\n";
    return stories;
  }
  for (const std::string& folder : folders) {
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(h2push::testing::corpus_root() / folder)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path().filename().string());
    }
    std::sort(files.begin(), files.end());
    for (std::string& file : files) stories.push_back({folder, std::move(file)});
  }
  return stories;
}

const std::vector<h2push::testing::Story>& folder_stories(const std::string& folder) {
  static std::map<std::string, std::vector<h2push::testing::Story>> cache;
  auto it = cache.find(folder);
  if (it == cache.end()) it = cache.emplace(folder, h2push::testing::load_folder(folder)).first;
  return it->second;
}

// "nghttp2-16384-4096" + "story_07.json" -> "Nghttp2163844096Story07"
std::string test_name(const StoryRef& story) {
  std::string name;
  bool upper = true;
  for (char c : story.folder + "_" + story.file.substr(0, story.file.rfind('.'))) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) {
      upper = true;
      continue;
    }
    name.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  return name;
}

class CorpusTest : public ::testing::TestWithParam<StoryRef> {};

// HP-7.3-01 (RFC 7541 §7.3 / §7.4): every case of the story, in order, through one decoder
TEST_P(CorpusTest, DecodesEveryCaseWhenStoryIsReplayedInOrder) {
  const StoryRef& ref = GetParam();
  const std::string name = ref.folder + "/" + ref.file;
  const h2push::testing::Story* story = nullptr;
  for (const auto& candidate : folder_stories(ref.folder)) {
    if (candidate.name == name) story = &candidate;
  }
  ASSERT_NE(story, nullptr) << name << " was not loaded";
  ASSERT_FALSE(story->cases.empty()) << name;

  Decoder decoder;
  HeaderList list;
  for (std::size_t i = 0; i < story->cases.size(); ++i) {
    const auto& story_case = story->cases[i];
    SCOPED_TRACE(::testing::Message() << name << " case " << i << " wire " << test::hex_of(story_case.wire));
    // The corpus' header_table_size is the SETTINGS_HEADER_TABLE_SIZE acknowledged just before this case.
    if (story_case.header_table_size) decoder.set_max_table_size(*story_case.header_table_size);
    ASSERT_EQ(test::decode_bytes(decoder, story_case.wire, list), std::nullopt);
    ASSERT_EQ(test::pairs_of(list), story_case.headers);
    ASSERT_LE(decoder.table_size(), decoder.table_capacity());
    ASSERT_LE(decoder.table_capacity(), decoder.max_table_size());
  }
}

INSTANTIATE_TEST_SUITE_P(HpackTestCase, CorpusTest, ::testing::ValuesIn(list_stories()),
                         [](const ::testing::TestParamInfo<StoryRef>& param_info) {
                           return test_name(param_info.param);
                         });

// HP-7.3-01: the parameterized test above must not pass by finding nothing
TEST(CorpusStoriesTest, FindsStoriesInEveryFolderWhenCorpusIsPresent) {
  const std::vector<std::string> folders = h2push::testing::implementation_folders();
  ASSERT_FALSE(folders.empty()) << "no implementation folders under " << h2push::testing::corpus_root();
  std::size_t json_files = 0;
  std::size_t cases = 0;
  for (const std::string& folder : folders) {
    const auto& stories = folder_stories(folder);
    EXPECT_FALSE(stories.empty()) << folder;
    json_files += stories.size();
    for (const auto& story : stories) cases += story.cases.size();
  }
  EXPECT_GT(json_files, 0u);
  EXPECT_EQ(json_files, list_stories().size());
  RecordProperty("stories", static_cast<int>(json_files));
  RecordProperty("cases", static_cast<int>(cases));
  std::cout << "hpack-test-case: " << folders.size() << " folders, " << json_files << " stories, " << cases
            << " cases\n";
}

}  // namespace
}  // namespace h2push::hpack
