// tests/server/static_files_body_test.cpp: response bodies (src/server/file_body.cpp): a 5 MiB file streamed through
// open_body() in chunks with bounded memory, memory slices, truncation mid-stream, concurrent serve() calls.
#include "server/file_body.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "server/static_files.hpp"
#include "static_files_test_util.hpp"

// Allocation accounting for this test binary: while `g_tracking` is set, every operator new is counted.
namespace {
std::atomic<bool> g_tracking{false};
std::atomic<std::size_t> g_allocated{0};
std::atomic<std::size_t> g_largest{0};

void* counted_alloc(std::size_t n) {
  if (g_tracking.load(std::memory_order_relaxed)) {
    g_allocated.fetch_add(n, std::memory_order_relaxed);
    std::size_t largest = g_largest.load(std::memory_order_relaxed);
    while (n > largest && !g_largest.compare_exchange_weak(largest, n, std::memory_order_relaxed)) {
    }
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}

void start_tracking() {
  g_allocated = 0;
  g_largest = 0;
  g_tracking = true;
}
void stop_tracking() { g_tracking = false; }
}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace h2push::server {
namespace {

using testing::get;
using testing::read_body;
using testing::TempDir;

constexpr std::size_t kFiveMiB = 5 * 1024 * 1024;
constexpr std::size_t kChunk = 16 * 1024;

char pattern_at(std::size_t i) { return static_cast<char>((i * 7 + i / 4096) & 0xff); }

class LargeFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Generated in 64 KiB pieces: the test never holds the whole file either.
    const std::string path = (dir_.path() / "big.bin").string();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    std::string piece(64 * 1024, '\0');
    for (std::size_t offset = 0; offset < kFiveMiB; offset += piece.size()) {
      for (std::size_t i = 0; i < piece.size(); ++i) piece[i] = pattern_at(offset + i);
      ASSERT_EQ(::write(fd, piece.data(), piece.size()), static_cast<ssize_t>(piece.size()));
    }
    ::close(fd);
  }
  TempDir dir_;
  StaticFiles files_{StaticOptions{.root = dir_.str()}};
};

TEST_F(LargeFileTest, StreamsFileInChunksWithBoundedMemory) {
  start_tracking();
  const FileResponse r = files_.serve(get("/big.bin"));
  stop_tracking();
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(*r.header("content-length"), std::to_string(kFiveMiB));
  ASSERT_TRUE(std::holds_alternative<FileSlice>(r.body));  // too big for the cache: streamed, not loaded
  EXPECT_LT(g_largest.load(), 64u * 1024) << "serve() must not buffer the file";

  auto source = open_body(r);
  ASSERT_NE(source, nullptr);
  std::vector<std::byte> buffer(kChunk);
  std::size_t total = 0;
  std::size_t reads = 0;
  std::size_t oversized_reads = 0;
  std::size_t mismatches = 0;
  bool ended = false;
  bool failed = false;
  start_tracking();
  while (!ended && !failed && reads < 10 * kFiveMiB / kChunk) {
    const BodySource::Read read = source->read(buffer);
    ++reads;
    if (read.length > kChunk) ++oversized_reads;
    for (std::size_t i = 0; i < read.length; ++i) {
      if (static_cast<char>(buffer[i]) != pattern_at(total + i)) ++mismatches;
    }
    total += read.length;
    ended = read.end;
    failed = read.failed;
  }
  stop_tracking();
  EXPECT_TRUE(ended);
  EXPECT_FALSE(failed);
  EXPECT_EQ(total, kFiveMiB);
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(oversized_reads, 0u);
  EXPECT_EQ(reads, kFiveMiB / kChunk);  // one pread per pull, never one read of everything
  EXPECT_EQ(g_allocated.load(), 0u) << "streaming must not allocate";
}

TEST_F(LargeFileTest, StreamsSparseFile) {
  const std::string path = (dir_.path() / "sparse.bin").string();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(kFiveMiB)), 0);
  ASSERT_EQ(::pwrite(fd, "MID", 3, 2 * 1024 * 1024), 3);
  ASSERT_EQ(::pwrite(fd, "END", 3, static_cast<off_t>(kFiveMiB - 3)), 3);
  ::close(fd);
  FileRequest request = get("/sparse.bin");
  request.range = "bytes=2097150-2097154";
  EXPECT_EQ(read_body(files_.serve(request)), std::string("\0\0MID", 5));
  const std::string all = read_body(files_.serve(get("/sparse.bin")), 256 * 1024);
  ASSERT_EQ(all.size(), kFiveMiB);
  EXPECT_EQ(all.substr(kFiveMiB - 3), "END");
}

TEST_F(LargeFileTest, SendsNoBodyWhenHead) {
  const FileResponse r = files_.serve({.method = "HEAD", .target = "/big.bin"});
  EXPECT_EQ(*r.header("content-length"), std::to_string(kFiveMiB));
  EXPECT_EQ(open_body(r), nullptr);
}

TEST_F(LargeFileTest, ReadsIndependentlyFromTwoSourcesOfOneResponse) {
  // pread() never moves the shared fd's offset, so interleaved readers do not disturb each other.
  const FileResponse r = files_.serve(get("/big.bin"));
  auto a = open_body(r);
  auto b = open_body(r);
  std::vector<std::byte> buffer(1000);
  ASSERT_EQ(a->read(buffer).length, 1000u);
  const auto rb = b->read(std::span<std::byte>(buffer).first(10));
  ASSERT_EQ(rb.length, 10u);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(static_cast<char>(buffer[i]), pattern_at(i));
  ASSERT_EQ(a->read(buffer).length, 1000u);
  for (std::size_t i = 0; i < 1000; ++i) EXPECT_EQ(static_cast<char>(buffer[i]), pattern_at(1000 + i));
}

TEST_F(LargeFileTest, FailsWhenFileShrinksWhileStreaming) {
  const FileResponse r = files_.serve(get("/big.bin"));
  ASSERT_EQ(::truncate((dir_.path() / "big.bin").c_str(), 1024 * 1024), 0);
  auto source = open_body(r);
  std::vector<std::byte> buffer(kChunk);
  std::size_t total = 0;
  BodySource::Read read;
  do {
    read = source->read(buffer);
    total += read.length;
  } while (!read.end && !read.failed);
  EXPECT_TRUE(read.failed);  // Content-Length can no longer be met: the glue aborts the message
  EXPECT_EQ(total, 1024u * 1024);
}

TEST(MemoryBodySourceTest, ServesSliceInPieces) {
  auto data = std::make_shared<const std::string>("0123456789");
  MemoryBodySource source(MemorySlice{data, 2, 7});
  std::vector<std::byte> buffer(3);
  std::string out;
  EXPECT_EQ(source.read(std::span<std::byte>()).length, 0u);  // no room: nothing, not the end
  for (int i = 0; i < 5; ++i) {
    const auto read = source.read(buffer);
    out.append(reinterpret_cast<const char*>(buffer.data()), read.length);
    if (read.end) break;
  }
  EXPECT_EQ(out, "2345678");
  MemoryBodySource empty(MemorySlice{data, 0, 0});
  EXPECT_TRUE(empty.read(buffer).end);
  MemoryBodySource broken(MemorySlice{data, 8, 5});  // beyond the buffer: refused, not read
  EXPECT_TRUE(broken.read(buffer).failed);
}

// borrow(): the same octets as read(), lent in pieces of at most `max`, each owner keeping the buffer alive on its
// own (the source may go first); a slice beyond its buffer fails.
TEST(MemoryBodySourceTest, LendsSliceInPieces) {
  auto data = std::make_shared<const std::string>("0123456789");
  const std::weak_ptr<const std::string> watch = data;
  auto source = std::make_unique<MemoryBodySource>(MemorySlice{data, 2, 7});
  data.reset();
  std::vector<BodySource::Loan> loans;
  for (int i = 0; i < 5; ++i) {
    BodySource::Loan loan;
    ASSERT_TRUE(source->borrow(3, loan));
    EXPECT_LE(loan.bytes.size(), 3u);
    EXPECT_FALSE(loan.failed);
    loans.push_back(std::move(loan));
    if (loans.back().end) break;
  }
  ASSERT_EQ(loans.size(), 3u);
  source.reset();
  EXPECT_FALSE(watch.expired());
  std::string out;
  for (const BodySource::Loan& loan : loans) {
    EXPECT_NE(loan.owner, nullptr);
    out.append(reinterpret_cast<const char*>(loan.bytes.data()), loan.bytes.size());
  }
  EXPECT_EQ(out, "2345678");
  EXPECT_EQ(loans[1].bytes.data(), loans[0].bytes.data() + 3);  // the buffer itself, not a copy
  loans.clear();
  EXPECT_TRUE(watch.expired());

  auto buffer = std::make_shared<const std::string>("abc");
  MemoryBodySource empty(MemorySlice{buffer, 1, 0});
  BodySource::Loan none;
  ASSERT_TRUE(empty.borrow(100, none));
  EXPECT_TRUE(none.end);
  EXPECT_TRUE(none.bytes.empty());
  MemoryBodySource broken(MemorySlice{buffer, 2, 5});
  BodySource::Loan bad;
  ASSERT_TRUE(broken.borrow(100, bad));
  EXPECT_TRUE(bad.failed);
  // Lent and read in turns: one body, in order.
  MemoryBodySource mixed(MemorySlice{buffer, 0, 3});
  BodySource::Loan first;
  ASSERT_TRUE(mixed.borrow(1, first));
  std::vector<std::byte> room(8);
  const auto rest = mixed.read(room);
  EXPECT_TRUE(rest.end);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(first.bytes.data()), 1) +
                std::string(reinterpret_cast<const char*>(room.data()), rest.length),
            "abc");
}

// MemoryBodySource is Recycled (src/server/recycled.hpp): a freed source's block is the next one made on this
// thread, and a source made in a reused block serves its own slice (and keeps its own buffer alive), not the last
// one's. (Under AddressSanitizer blocks are not kept, and only the contents are checked.)
TEST(MemoryBodySourceTest, ReusesFreedBlockWithFreshContents) {
  auto first_data = std::make_shared<const std::string>("first body");
  auto second_data = std::make_shared<const std::string>("second");
  std::unique_ptr<BodySource> first = std::make_unique<MemoryBodySource>(MemorySlice{first_data, 0, 10});
  const void* const block = first.get();
  first.reset();
  std::unique_ptr<BodySource> second = std::make_unique<MemoryBodySource>(MemorySlice{second_data, 0, 6});
  if (Recycled<MemoryBodySource>::kRecycles) {
    EXPECT_EQ(static_cast<const void*>(second.get()), block);
  }
  const std::weak_ptr<const std::string> watch = second_data;
  second_data.reset();
  EXPECT_FALSE(watch.expired());  // held by the source
  std::vector<std::byte> buffer(16);
  const auto read = second->read(buffer);
  EXPECT_TRUE(read.end);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buffer.data()), read.length), "second");
  second.reset();
  EXPECT_TRUE(watch.expired());  // released when the source goes, though its block is kept for reuse
  // Many at once: distinct blocks, each with its own slice.
  std::vector<std::unique_ptr<BodySource>> many;
  for (int i = 0; i < 300; ++i) {
    many.push_back(std::make_unique<MemoryBodySource>(MemorySlice{first_data, static_cast<std::size_t>(i % 10), 1}));
  }
  for (int i = 0; i < 300; ++i) {
    const auto r = many[static_cast<std::size_t>(i)]->read(buffer);
    ASSERT_EQ(r.length, 1u);
    EXPECT_EQ(static_cast<char>(buffer[0]), (*first_data)[static_cast<std::size_t>(i % 10)]);
  }
}

TEST(FileBodySourceTest, EndsAtOnceWhenSliceIsEmpty) {
  FileBodySource source(FileSlice{nullptr, 0, 0});
  std::vector<std::byte> buffer(4);
  EXPECT_TRUE(source.read(buffer).end);
  FileBodySource missing(FileSlice{nullptr, 0, 10});
  EXPECT_TRUE(missing.read(buffer).failed);
}

TEST(StaticFilesThreadTest, ServesConcurrently) {
  TempDir dir;
  std::vector<std::string> contents;
  for (int i = 0; i < 8; ++i) {
    std::string text;
    while (text.size() < 3000u + static_cast<std::size_t>(i) * 500) text += "file " + std::to_string(i) + " text ";
    contents.push_back(text);
    dir.write(std::string("f").append(std::to_string(i)).append(".html"), text);  // GCC 12 -Wrestrict: no "f" + str
  }
  StaticFiles files({.root = dir.str(), .cache_max_total = 20000});  // small: forces evictions too
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 200; ++n) {
        const int i = (t + n) % 8;
        const std::string target = "/f" + std::to_string(i) + ".html";
        FileRequest request = get(target);
        request.accept_encoding = n % 3 == 0 ? "gzip" : "";
        const FileResponse r = files.serve(request);
        if (r.status != 200) ++wrong;
        if (request.accept_encoding.empty() && read_body(r) != contents[static_cast<std::size_t>(i)]) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(files.cache_stats().bytes, 20000u);
}

}  // namespace
}  // namespace h2push::server
