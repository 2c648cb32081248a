// tests/server/static_files_cache_test.cpp: the small-file cache (src/server/file_cache.cpp) on its own, and its
// invalidation through StaticFiles when a file changes on disk.
#include "server/file_cache.hpp"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "server/static_files.hpp"
#include "static_files_test_util.hpp"

namespace h2push::server {
namespace {

using testing::get;
using testing::read_body;
using testing::TempDir;

std::shared_ptr<const std::string> bytes(std::size_t n, char c = 'x') {
  return std::make_shared<const std::string>(n, c);
}

FileIdentity id(std::uint64_t inode, std::uint64_t size = 1, std::int64_t mtime = 1) {
  return {.device = 1, .inode = inode, .size = size, .mtime_ns = mtime, .ctime_ns = mtime};
}

TEST(FileCacheTest, ReturnsEntryOnlyForSameIdentity) {
  FileCache cache(1000, 100);
  ASSERT_TRUE(cache.insert("a", id(1), bytes(10)));
  EXPECT_NE(cache.find("a", id(1)), nullptr);
  EXPECT_EQ(cache.find("b", id(1)), nullptr);
  EXPECT_EQ(cache.find("a", id(1, 2)), nullptr);  // size changed: dropped
  EXPECT_EQ(cache.find("a", id(1)), nullptr);     // ... for good
  const auto s = cache.stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 3u);
  EXPECT_EQ(s.invalidations, 1u);
  EXPECT_EQ(s.entries, 0u);
  EXPECT_EQ(s.bytes, 0u);
  for (const FileIdentity& other : {id(2), id(1, 1, 2), FileIdentity{.device = 2, .inode = 1, .size = 1}}) {
    ASSERT_TRUE(cache.insert("a", id(1), bytes(10)));
    EXPECT_EQ(cache.find("a", other), nullptr);
  }
}

TEST(FileCacheTest, EvictsLeastRecentlyUsedToStayUnderBound) {
  FileCache cache(300, 200);  // charge = data + key (1 octet here)
  ASSERT_TRUE(cache.insert("a", id(1), bytes(99)));
  ASSERT_TRUE(cache.insert("b", id(2), bytes(99)));
  ASSERT_TRUE(cache.insert("c", id(3), bytes(99)));
  EXPECT_EQ(cache.stats().bytes, 300u);
  EXPECT_NE(cache.find("a", id(1)), nullptr);  // a is now the most recent
  ASSERT_TRUE(cache.insert("d", id(4), bytes(99)));
  EXPECT_EQ(cache.find("b", id(2)), nullptr);  // b was the least recent
  EXPECT_NE(cache.find("a", id(1)), nullptr);
  EXPECT_NE(cache.find("c", id(3)), nullptr);
  EXPECT_NE(cache.find("d", id(4)), nullptr);
  EXPECT_EQ(cache.stats().evictions, 1u);
  ASSERT_TRUE(cache.insert("e", id(5), bytes(199)));  // needs two victims
  EXPECT_LE(cache.stats().bytes, 300u);
  EXPECT_EQ(cache.stats().evictions, 3u);
}

TEST(FileCacheTest, RefusesEntriesAboveLimits) {
  FileCache cache(1000, 100);
  EXPECT_FALSE(cache.insert("big", id(1), bytes(101)));
  EXPECT_TRUE(cache.accepts(100));
  EXPECT_FALSE(cache.accepts(101));
  EXPECT_FALSE(cache.insert("null", id(1), nullptr));
  FileCache disabled(0, 100);
  EXPECT_FALSE(disabled.accepts(1));
  EXPECT_FALSE(disabled.insert("a", id(1), bytes(1)));
  FileCache no_entries(1000, 0);
  EXPECT_FALSE(no_entries.insert("a", id(1), bytes(1)));
}

TEST(FileCacheTest, ReplacesEntryUnderSameKey) {
  FileCache cache(1000, 100);
  ASSERT_TRUE(cache.insert("a", id(1), bytes(50, 'x')));
  ASSERT_TRUE(cache.insert("a", id(2), bytes(20, 'y')));
  EXPECT_EQ(cache.stats().entries, 1u);
  EXPECT_EQ(cache.stats().bytes, 21u);
  EXPECT_EQ(*cache.find("a", id(2)), std::string(20, 'y'));
}

class StaticFilesCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("a.txt", "version one");
    dir_.set_mtime("a.txt", 1'700'000'000);
  }
  TempDir dir_;
  StaticFiles files_{StaticOptions{.root = dir_.str()}};
};

TEST_F(StaticFilesCacheTest, ServesSmallFileFromMemory) {
  const FileResponse first = files_.serve(get("/a.txt"));
  ASSERT_TRUE(std::holds_alternative<MemorySlice>(first.body));
  EXPECT_EQ(read_body(first), "version one");
  const FileResponse second = files_.serve(get("/a.txt"));
  EXPECT_EQ(std::get<MemorySlice>(second.body).data, std::get<MemorySlice>(first.body).data);  // same buffer
  EXPECT_EQ(files_.cache_stats().hits, 1u);
}

TEST_F(StaticFilesCacheTest, RereadsFileWhenSizeChanges) {
  EXPECT_EQ(read_body(files_.serve(get("/a.txt"))), "version one");
  dir_.write("a.txt", "version two, longer");
  dir_.set_mtime("a.txt", 1'700'000'000);  // same mtime: the size alone must tell
  EXPECT_EQ(read_body(files_.serve(get("/a.txt"))), "version two, longer");
}

TEST_F(StaticFilesCacheTest, RereadsFileWhenMtimeChanges) {
  EXPECT_EQ(read_body(files_.serve(get("/a.txt"))), "version one");
  dir_.write("a.txt", "VERSION ONE");  // same size
  dir_.set_mtime("a.txt", 1'700'000'001);
  EXPECT_EQ(read_body(files_.serve(get("/a.txt"))), "VERSION ONE");
}

TEST_F(StaticFilesCacheTest, RereadsFileWhenEditedInPlaceWithMtimeRestored) {
  EXPECT_EQ(read_body(files_.serve(get("/a.txt"))), "version one");
  dir_.write("a.txt", "VERSION one");  // same size, mtime put back: only ctime moved
  dir_.set_mtime("a.txt", 1'700'000'000);
  EXPECT_EQ(read_body(files_.serve(get("/a.txt"))), "VERSION one");
}

TEST_F(StaticFilesCacheTest, RereadsFileWhenReplacedByRename) {
  EXPECT_EQ(read_body(files_.serve(get("/a.txt"))), "version one");
  dir_.write("new.txt", "version TWO");
  dir_.set_mtime("new.txt", 1'700'000'000);
  ASSERT_EQ(std::rename((dir_.path() / "new.txt").c_str(), (dir_.path() / "a.txt").c_str()), 0);
  EXPECT_EQ(read_body(files_.serve(get("/a.txt"))), "version TWO");
}

// Octets a connection was lent (HTTP/2 with Options::reference_bodies) stay valid and unchanged after the file
// changed on disk and the cache replaced its entry, or evicted it, and after the response and its source are gone:
// the loan's owner holds the old buffer, and lets go of it alone.
TEST_F(StaticFilesCacheTest, LentOctetsOutliveRewriteAndEviction) {
  for (const bool evict : {false, true}) {
    StaticFiles files({.root = dir_.str(), .cache_max_entry = 100, .cache_max_total = 100});
    dir_.write("a.txt", "version one");
    dir_.set_mtime("a.txt", 1'700'000'000);
    std::optional<FileResponse> response = files.serve(get("/a.txt"));
    ASSERT_TRUE(std::holds_alternative<MemorySlice>(response->body));
    const std::weak_ptr<const std::string> watch = std::get<MemorySlice>(response->body).data;
    auto source = std::make_unique<MemoryBodySource>(std::get<MemorySlice>(response->body));
    BodySource::Loan loan;
    ASSERT_TRUE(source->borrow(7, loan));
    source.reset();
    response.reset();
    if (evict) {
      dir_.write("b.txt", std::string(80, 'b'));  // the cache holds 100 octets: a.txt has to go
      EXPECT_EQ(read_body(files.serve(get("/b.txt"))), std::string(80, 'b'));
      EXPECT_GE(files.cache_stats().evictions, 1u);
    } else {
      dir_.write("a.txt", "VERSION TWO");
      dir_.set_mtime("a.txt", 1'700'000'001);
      EXPECT_EQ(read_body(files.serve(get("/a.txt"))), "VERSION TWO");  // the cache's entry is the new one
    }
    EXPECT_FALSE(watch.expired()) << evict;  // the loan alone keeps the old buffer
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(loan.bytes.data()), loan.bytes.size()), "version") << evict;
    loan = {};
    EXPECT_TRUE(watch.expired()) << evict;
  }
}

TEST_F(StaticFilesCacheTest, StreamsFromDiskWhenCacheDisabled) {
  StaticFiles files({.root = dir_.str(), .cache_max_entry = 0});
  const FileResponse r = files.serve(get("/a.txt"));
  EXPECT_TRUE(std::holds_alternative<FileSlice>(r.body));
  EXPECT_EQ(read_body(r), "version one");
  EXPECT_EQ(files.cache_stats().entries, 0u);
}

TEST_F(StaticFilesCacheTest, StaysUnderTotalBound) {
  StaticFiles files({.root = dir_.str(), .cache_max_entry = 1000, .cache_max_total = 2500});
  for (int i = 0; i < 10; ++i) {
    const std::string name = std::string("f").append(std::to_string(i)).append(".bin");  // GCC 12 -Wrestrict
    dir_.write(name, std::string(900, static_cast<char>('a' + i)));
    EXPECT_EQ(read_body(files.serve(get("/" + name))), std::string(900, static_cast<char>('a' + i)));
    EXPECT_LE(files.cache_stats().bytes, 2500u);
  }
  EXPECT_EQ(files.cache_stats().entries, 2u);
}

}  // namespace
}  // namespace h2push::server
