// tests/server/static_files_open_cache_test.cpp: the open-file cache (src/server/file_cache.cpp) on its own, and
// through StaticFiles: reuse within the validity, changes seen after it, the entry bound, the switch-off, and the
// path and symlink rules that must hold for cached entries as for fresh ones (SECURITY.md §12). Time is a fake
// monotonic clock moved by the tests, so nothing here waits.
#include <cstdio>
#include <memory>
#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "server/file_cache.hpp"
#include "server/static_files.hpp"
#include "static_files_test_util.hpp"

namespace h2push::server {
namespace {

using testing::get;
using testing::header_or_none;
using testing::read_body;
using testing::TempDir;

constexpr std::int64_t kMs = 1'000'000;  // nanoseconds

std::int64_t g_now_ns = 0;  // the fake clock; each test sets it
std::int64_t fake_clock() noexcept { return g_now_ns; }

std::shared_ptr<const RoutedFile> routed(std::string relative) {
  auto file = std::make_shared<RoutedFile>();
  file->relative = std::move(relative);
  return file;
}

TEST(OpenFileCacheTest, TrustsEntryForValidityOnly) {
  OpenFileCache cache(10, 1000 * kMs);
  ASSERT_TRUE(cache.enabled());
  const auto a = routed("a");
  cache.insert("a", a, 5000 * kMs);
  EXPECT_EQ(cache.find("a", 5000 * kMs), a);
  EXPECT_EQ(cache.find("a", 5999 * kMs), a);
  EXPECT_EQ(cache.find("b", 5000 * kMs), nullptr);
  EXPECT_EQ(cache.find("a", 6000 * kMs), nullptr);  // expired: dropped
  EXPECT_EQ(cache.find("a", 5500 * kMs), nullptr);  // ... for good, even if time ran backwards
  const auto s = cache.stats();
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.misses, 3u);
  EXPECT_EQ(s.expirations, 1u);
  EXPECT_EQ(s.entries, 0u);
}

TEST(OpenFileCacheTest, EvictsLeastRecentlyUsedAtEntryBound) {
  OpenFileCache cache(2, 1000 * kMs);
  cache.insert("a", routed("a"), 0);
  cache.insert("b", routed("b"), 0);
  EXPECT_NE(cache.find("a", 1), nullptr);  // a is now the most recent
  cache.insert("c", routed("c"), 0);
  EXPECT_EQ(cache.find("b", 1), nullptr);  // b was the least recent
  EXPECT_NE(cache.find("a", 1), nullptr);
  EXPECT_NE(cache.find("c", 1), nullptr);
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_EQ(cache.stats().evictions, 1u);
  cache.insert("a", routed("a2"), 0);  // replaces, evicts nothing
  EXPECT_EQ(cache.find("a", 1)->relative, "a2");
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_EQ(cache.stats().evictions, 1u);
}

TEST(OpenFileCacheTest, ZeroValidityOrZeroEntriesDisables) {
  for (OpenFileCache* cache : {new OpenFileCache(0, 1000 * kMs), new OpenFileCache(10, 0)}) {
    const std::unique_ptr<OpenFileCache> owned(cache);
    EXPECT_FALSE(cache->enabled());
    cache->insert("a", routed("a"), 0);
    EXPECT_EQ(cache->find("a", 0), nullptr);
    EXPECT_EQ(cache->stats().entries, 0u);
  }
}

StaticOptions cached_options(const std::string& root, std::int64_t validity_ms = 1000, std::size_t entries = 100) {
  StaticOptions o;
  o.root = root;
  o.open_file_cache_validity = std::chrono::milliseconds(validity_ms);
  o.open_file_cache_entries = entries;
  o.clock_ns = fake_clock;
  return o;
}

class StaticFilesOpenCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_now_ns = 1'000'000 * kMs;
    dir_.write("root/a.txt", "version one");
    dir_.set_mtime("root/a.txt", 1'700'000'000);
    dir_.write("root/dir/index.html", "<p>index</p>");
    dir_.write("secret.txt", "outside the root");
  }
  std::string root() const { return (dir_.path() / "root").string(); }
  std::filesystem::path path(const std::string& relative) const { return dir_.path() / "root" / relative; }

  TempDir dir_;
};

TEST_F(StaticFilesOpenCacheTest, ReusesOpenFileAndHeadersWithinValidity) {
  StaticFiles files(cached_options(root()));
  const FileResponse first = files.serve(get("/a.txt"));
  const FileResponse second = files.serve(get("/a%2etxt"));  // the same checked path: the same entry
  EXPECT_EQ(read_body(second), "version one");
  EXPECT_EQ(header_or_none(second, "etag"), header_or_none(first, "etag"));
  EXPECT_EQ(header_or_none(second, "last-modified"), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(header_or_none(second, "content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(files.open_file_cache_stats().hits, 1u);
  EXPECT_EQ(files.open_file_cache_stats().entries, 1u);

  // Conditionals are judged on the cached validators.
  FileRequest conditional = get("/a.txt");
  const std::string etag = header_or_none(first, "etag");
  conditional.if_none_match = etag;
  EXPECT_EQ(files.serve(conditional).status, 304);
}

// A worker's own cache (make_open_file_cache(), passed to serve()) is the only one a request through it touches;
// two such caches, and the instance's own, each route and keep the file for themselves.
TEST_F(StaticFilesOpenCacheTest, WorkerCachesAreSeparate) {
  StaticFiles files(cached_options(root()));
  const std::unique_ptr<OpenFileCache> first = files.make_open_file_cache();
  const std::unique_ptr<OpenFileCache> second = files.make_open_file_cache();
  ASSERT_TRUE(first->enabled());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(read_body(files.serve(get("/a.txt"), *first)), "version one");
  EXPECT_EQ(read_body(files.serve(get("/a.txt"), *second)), "version one");
  EXPECT_EQ(first->stats().misses, 1u);
  EXPECT_EQ(first->stats().hits, 2u);
  EXPECT_EQ(second->stats().misses, 1u);
  EXPECT_EQ(second->stats().hits, 0u);
  EXPECT_EQ(files.open_file_cache_stats().hits + files.open_file_cache_stats().misses, 0u);

  // The body of a small cached file is owned through its entry: it outlives the entry's eviction and expiry.
  const FileResponse held = files.serve(get("/a.txt"), *first);
  ASSERT_TRUE(std::holds_alternative<MemorySlice>(held.body));
  g_now_ns += 5000 * kMs;
  dir_.write("root/a.txt", "version two!");
  EXPECT_EQ(read_body(files.serve(get("/a.txt"), *first)), "version two!");  // the old entry is gone
  EXPECT_EQ(first->stats().expirations, 1u);
  EXPECT_EQ(read_body(held), "version one");
}

TEST_F(StaticFilesOpenCacheTest, SeesChangedFileOnlyAfterValidity) {
  StaticFiles files(cached_options(root()));
  EXPECT_EQ(read_body(files.serve(get("/a.txt"))), "version one");
  dir_.write("root/new.txt", "version TWO, longer");
  ASSERT_EQ(std::rename(path("new.txt").c_str(), path("a.txt").c_str()), 0);

  g_now_ns += 999 * kMs;
  const FileResponse within = files.serve(get("/a.txt"));
  EXPECT_EQ(read_body(within), "version one");  // the file opened before, whole and consistent
  EXPECT_EQ(header_or_none(within, "content-length"), "11");

  g_now_ns += 1 * kMs;  // the validity has passed
  const FileResponse after = files.serve(get("/a.txt"));
  EXPECT_EQ(read_body(after), "version TWO, longer");
  EXPECT_EQ(header_or_none(after, "content-length"), "19");
  EXPECT_EQ(files.open_file_cache_stats().expirations, 1u);
}

// A response's ETag, Last-Modified, type and length are views of its routed file's entry (no copy per response):
// the response holds the entry, so they stay those of the version it was made from after the entry expires and
// the file is replaced, while a new response carries the new version's values.
TEST_F(StaticFilesOpenCacheTest, ResponseKeepsItsVersionsValuesAfterTheEntryIsReplaced) {
  StaticFiles files(cached_options(root()));
  const FileResponse old_response = files.serve(get("/a.txt"));
  const std::string old_etag = header_or_none(old_response, "etag");
  const std::string old_modified = header_or_none(old_response, "last-modified");
  ASSERT_EQ(header_or_none(old_response, "content-length"), "11");
  ASSERT_NE(old_response.file, nullptr);

  dir_.write("root/new.txt", "version TWO, longer");
  dir_.set_mtime("root/new.txt", 1'700'000'100);
  ASSERT_EQ(std::rename(path("new.txt").c_str(), path("a.txt").c_str()), 0);
  g_now_ns += 1000 * kMs;  // the entry expires: the cache lets go of it
  const FileResponse fresh = files.serve(get("/a.txt"));
  EXPECT_EQ(files.open_file_cache_stats().expirations, 1u);
  EXPECT_EQ(read_body(fresh), "version TWO, longer");
  EXPECT_EQ(header_or_none(fresh, "content-length"), "19");
  EXPECT_NE(header_or_none(fresh, "etag"), old_etag);
  EXPECT_EQ(header_or_none(fresh, "last-modified"), "Tue, 14 Nov 2023 22:15:00 GMT");
  EXPECT_NE(fresh.file, old_response.file);

  EXPECT_EQ(header_or_none(old_response, "etag"), old_etag);
  EXPECT_EQ(header_or_none(old_response, "last-modified"), old_modified);
  EXPECT_EQ(header_or_none(old_response, "content-length"), "11");
  EXPECT_EQ(read_body(old_response), "version one");
}

// A small file's entry holds its bytes (RoutedFile::bytes): requests within the validity use them without asking
// the small-file cache again; once the entry expires and the file changed, the new entry holds the new bytes.
TEST_F(StaticFilesOpenCacheTest, SmallFileEntryHoldsItsBytes) {
  StaticFiles files(cached_options(root()));
  EXPECT_EQ(read_body(files.serve(get("/a.txt"))), "version one");
  const auto after_first = files.cache_stats();
  EXPECT_EQ(after_first.entries, 1u);  // read once, kept in the small-file cache too
  for (int i = 0; i < 3; ++i) EXPECT_EQ(read_body(files.serve(get("/a.txt"))), "version one");
  EXPECT_EQ(files.cache_stats().hits, after_first.hits);  // no lookup: the entry's own bytes
  EXPECT_EQ(files.cache_stats().misses, after_first.misses);

  dir_.write("root/new.txt", "version TWO, longer");
  ASSERT_EQ(std::rename(path("new.txt").c_str(), path("a.txt").c_str()), 0);
  g_now_ns += 1000 * kMs;
  const FileResponse fresh = files.serve(get("/a.txt"));
  EXPECT_EQ(read_body(fresh), "version TWO, longer");
  EXPECT_EQ(header_or_none(fresh, "content-length"), "19");
  ASSERT_NE(fresh.file, nullptr);
  ASSERT_NE(fresh.file->bytes, nullptr);
  EXPECT_EQ(*fresh.file->bytes, "version TWO, longer");
}

TEST_F(StaticFilesOpenCacheTest, DeletedFileIsNotFoundAfterValidity) {
  StaticFiles files(cached_options(root()));
  EXPECT_EQ(files.serve(get("/a.txt")).status, 200);
  ASSERT_EQ(std::remove(path("a.txt").c_str()), 0);
  g_now_ns += 500 * kMs;
  EXPECT_EQ(files.serve(get("/a.txt")).status, 200);  // still open: served as it was
  g_now_ns += 500 * kMs;
  EXPECT_EQ(files.serve(get("/a.txt")).status, 404);
  EXPECT_EQ(files.serve(get("/a.txt")).status, 404);  // errors are not cached: still absent
  EXPECT_EQ(files.open_file_cache_stats().entries, 0u);
}

TEST_F(StaticFilesOpenCacheTest, KeepsAtMostEntriesOpenFiles) {
  StaticFiles files(cached_options(root(), 1000, 2));
  for (int i = 0; i < 5; ++i) {
    const std::string name = std::string("f").append(std::to_string(i)).append(".txt");  // GCC 12 -Wrestrict
    dir_.write("root/" + name, name);
    EXPECT_EQ(read_body(files.serve(get("/" + name))), name);
    EXPECT_LE(files.open_file_cache_stats().entries, 2u);
  }
  EXPECT_EQ(files.open_file_cache_stats().evictions, 3u);
  EXPECT_EQ(files.serve(get("/f4.txt")).status, 200);  // the most recent ones stay
  EXPECT_EQ(files.serve(get("/f3.txt")).status, 200);
  EXPECT_EQ(files.open_file_cache_stats().hits, 2u);
}

TEST_F(StaticFilesOpenCacheTest, ValidityZeroTurnsCacheOff) {
  StaticFiles files(cached_options(root(), 0));
  EXPECT_EQ(read_body(files.serve(get("/a.txt"))), "version one");
  dir_.write("root/a.txt", "version two");
  dir_.set_mtime("root/a.txt", 1'700'000'001);
  EXPECT_EQ(read_body(files.serve(get("/a.txt"))), "version two");  // no time passed: seen at once
  EXPECT_EQ(files.open_file_cache_stats().hits, 0u);
  EXPECT_EQ(files.open_file_cache_stats().entries, 0u);
}

TEST_F(StaticFilesOpenCacheTest, PathRulesHoldForCachedEntries) {
  StaticFiles files(cached_options(root()));
  EXPECT_EQ(files.serve(get("/a.txt")).status, 200);
  EXPECT_EQ(files.serve(get("/a.txt/")).status, 404);  // the file's entry does not answer the directory form
  EXPECT_EQ(files.serve(get("/./a.txt")).status, 400);
  EXPECT_EQ(files.serve(get("/dir/../a.txt")).status, 400);
  EXPECT_EQ(files.serve(get("/dir/")).status, 200);  // the index document, cached under "dir/"
  EXPECT_EQ(files.serve(get("/dir")).status, 301);   // ... not under "dir"
  EXPECT_EQ(files.serve(get("/dir")).status, 301);   // redirects are never cached
  EXPECT_EQ(read_body(files.serve(get("/dir/"))), "<p>index</p>");
  dir_.write("root/.hidden", "dot");
  EXPECT_EQ(files.serve(get("/.hidden")).status, 404);
  dir_.symlink("../secret.txt", "root/out.txt");
  EXPECT_EQ(files.serve(get("/out.txt")).status, 403);
  EXPECT_EQ(files.serve(get("/out.txt")).status, 403);  // refusals are checked again every time
  EXPECT_EQ(files.open_file_cache_stats().entries, 2u);
}

TEST_F(StaticFilesOpenCacheTest, RetargetedSymlinkIsJudgedAgainAfterValidity) {
  dir_.symlink("a.txt", "root/link.txt");
  StaticFiles files(cached_options(root()));
  EXPECT_EQ(read_body(files.serve(get("/link.txt"))), "version one");

  // The link now leads out of the root. Within the validity the entry is the file opened safely before (never the
  // new target); afterwards the link is resolved again and refused.
  ASSERT_EQ(std::remove(path("link.txt").c_str()), 0);
  dir_.symlink("../secret.txt", "root/link.txt");
  g_now_ns += 10 * kMs;
  EXPECT_EQ(read_body(files.serve(get("/link.txt"))), "version one");
  g_now_ns += 1000 * kMs;
  const FileResponse after = files.serve(get("/link.txt"));
  EXPECT_EQ(after.status, 403);
  EXPECT_EQ(read_body(after).find("outside the root"), std::string::npos);
}

TEST_F(StaticFilesOpenCacheTest, RefusePolicyAppliesToCachedPaths) {
  dir_.symlink("a.txt", "root/link.txt");
  StaticOptions o = cached_options(root());
  o.symlinks = SymlinkPolicy::refuse;
  StaticFiles files(o);
  EXPECT_EQ(files.serve(get("/a.txt")).status, 200);
  EXPECT_EQ(files.serve(get("/link.txt")).status, 403);  // the target is cached, the link still refused
  EXPECT_EQ(files.serve(get("/link.txt")).status, 403);
}

}  // namespace
}  // namespace h2push::server
