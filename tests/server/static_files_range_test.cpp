// tests/server/static_files_range_test.cpp: byte ranges (RFC 9110 §14) and If-Range (§13.1.5): the parser on its
// own (src/server/static_files_http.cpp) and 206/416 responses from StaticFiles.
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server/static_files.hpp"
#include "server/static_files_http.hpp"
#include "static_files_test_util.hpp"

namespace h2push::server {
namespace {

using testing::get;
using testing::header_or_none;
using testing::read_body;
using testing::TempDir;

struct RangeCase {
  std::string header = {};
  std::uint64_t size = 0;
  RangeOutcome outcome = RangeOutcome::full;
  std::uint64_t first = 0;
  std::uint64_t length = 0;
};

TEST(RangeParserTest, EvaluatesRangeTable) {
  // HS-14.1.2-01 (RFC 9110 §14.1.2), HS-14.2-01 / HS-14.2-02 (RFC 9110 §14.2)
  using enum RangeOutcome;
  const std::vector<RangeCase> cases = {
      {"bytes=0-0", 100, partial, 0, 1},
      {"bytes=0-99", 100, partial, 0, 100},
      {"bytes=10-19", 100, partial, 10, 10},
      {"bytes=90-", 100, partial, 90, 10},
      {"bytes=-10", 100, partial, 90, 10},
      {"bytes=-1000", 100, partial, 0, 100},    // suffix longer than the file: all of it
      {"bytes=50-1000", 100, partial, 50, 50},  // last-pos clamped
      {"bytes=0-18446744073709551615", 100, partial, 0, 100},
      {"bytes=0-99999999999999999999999", 100, partial, 0, 100},  // saturates, then clamps
      {"BYTES=1-2", 100, partial, 1, 2},
      {"bytes = 1-2", 100, full},
      {"bytes=1-2 ,", 100, partial, 1, 2},
      {"bytes=100-", 100, unsatisfiable},
      {"bytes=100-200", 100, unsatisfiable},
      {"bytes=18446744073709551616-", 100, unsatisfiable},
      {"bytes=-0", 100, unsatisfiable},
      {"bytes=0-", 0, unsatisfiable},
      {"bytes=-5", 0, unsatisfiable},
      {"bytes=200-300,400-500", 100, unsatisfiable},
      {"bytes=5-1", 100, full},     // last < first: the set is invalid
      {"bytes=0-0,-1", 100, full},  // several ranges: the whole file (no multipart/byteranges)
      {"bytes=0-10,200-300", 100, full},
      {"items=0-1", 100, full},
      {"bytes=", 100, full},
      {"bytes=-", 100, full},
      {"bytes=a-b", 100, full},
      {"bytes=1-2x", 100, full},
      {"bytes=--1", 100, full},
      {"bytes 0-1", 100, full},
      {"", 100, full},
  };
  for (const auto& c : cases) {
    const RangeDecision d = evaluate_range(c.header, c.size);
    EXPECT_EQ(d.outcome, c.outcome) << c.header;
    if (c.outcome == partial) {
      EXPECT_EQ(d.range.first, c.first) << c.header;
      EXPECT_EQ(d.range.length, c.length) << c.header;
    }
  }
}

TEST(RangeParserTest, IgnoresRangeWhenTooManyMembers) {
  // SECURITY.md §13: bytes=0-,0-,... x1000 gives 200, 17 ranges against a cap of 16 too.
  std::string many = "bytes=";
  for (int i = 0; i < 1000; ++i) many += (i ? ",0-" : "0-");
  EXPECT_EQ(evaluate_range(many, 1 << 20).outcome, RangeOutcome::full);
  std::string seventeen = "bytes=";
  for (int i = 0; i < 17; ++i) seventeen += (i ? ",-1" : "-1");
  EXPECT_EQ(evaluate_range(seventeen, 100, 16).outcome, RangeOutcome::full);
  // Not even a cheap 416 once over the cap.
  std::string unsat = "bytes=";
  for (int i = 0; i < 17; ++i) unsat += (i ? ",500-" : "500-");
  EXPECT_EQ(evaluate_range(unsat, 100, 16).outcome, RangeOutcome::full);
}

class StaticFilesRangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 1000; ++i) content_.push_back(static_cast<char>('a' + i % 26));
    dir_.write("data.bin", content_);
    dir_.set_mtime("data.bin", 1'700'000'000);
    etag_ = std::string(*files_.serve(get("/data.bin")).header("etag"));
  }
  FileResponse ranged(std::string_view range, std::string_view if_range = {}) {
    FileRequest request = get("/data.bin");
    request.range = range;
    request.if_range = if_range;
    return files_.serve(request);
  }

  TempDir dir_;
  std::string content_;
  StaticFiles files_{StaticOptions{.root = dir_.str()}};
  std::string etag_;
};

TEST_F(StaticFilesRangeTest, AnswersPartialContentForSingleRange) {
  // HS-15.3.7-01 (RFC 9110 §15.3.7, §14.4)
  const FileResponse r = ranged("bytes=10-19");
  ASSERT_EQ(r.status, 206);
  EXPECT_EQ(header_or_none(r, "content-range"), "bytes 10-19/1000");
  EXPECT_EQ(header_or_none(r, "content-length"), "10");
  EXPECT_EQ(header_or_none(r, "content-type"), "application/octet-stream");
  EXPECT_EQ(header_or_none(r, "etag"), etag_);
  EXPECT_EQ(header_or_none(r, "cache-control"), "no-cache");
  EXPECT_EQ(header_or_none(r, "accept-ranges"), "bytes");
  EXPECT_EQ(read_body(r), content_.substr(10, 10));

  const FileResponse suffix = ranged("bytes=-5");
  EXPECT_EQ(header_or_none(suffix, "content-range"), "bytes 995-999/1000");
  EXPECT_EQ(read_body(suffix), content_.substr(995));
  const FileResponse open = ranged("bytes=990-");
  EXPECT_EQ(header_or_none(open, "content-range"), "bytes 990-999/1000");
  EXPECT_EQ(read_body(open), content_.substr(990));
  const FileResponse clamped = ranged("bytes=998-5000");
  EXPECT_EQ(header_or_none(clamped, "content-range"), "bytes 998-999/1000");
}

TEST_F(StaticFilesRangeTest, StreamsRangeOfLargeFileFromDisk) {
  std::string big(2 * 1024 * 1024, 'z');
  big[1'500'000] = 'A';
  dir_.write("big.bin", big);
  FileRequest request = get("/big.bin");
  request.range = "bytes=1500000-1500009";
  const FileResponse r = files_.serve(request);
  ASSERT_EQ(r.status, 206);
  ASSERT_TRUE(std::holds_alternative<FileSlice>(r.body));
  EXPECT_EQ(std::get<FileSlice>(r.body).offset, 1'500'000u);
  EXPECT_EQ(read_body(r), "Azzzzzzzzz");
}

TEST_F(StaticFilesRangeTest, AnswersRangeNotSatisfiableWithContentRange) {
  // HS-14.2-02 (RFC 9110 §14.2, §15.5.17)
  for (const std::string_view range : {"bytes=1000-", "bytes=-0", "bytes=5000-6000", "bytes=2000-,3000-"}) {
    const FileResponse r = ranged(range);
    EXPECT_EQ(r.status, 416) << range;
    EXPECT_EQ(header_or_none(r, "content-range"), "bytes */1000") << range;
    EXPECT_EQ(header_or_none(r, "content-type"), "text/html; charset=utf-8");
  }
}

TEST_F(StaticFilesRangeTest, ServesWholeFileWhenRangeIsInvalidOrMultiple) {
  // HS-14.2-01 (RFC 9110 §14.2): an invalid set or an unknown unit is ignored.
  for (const std::string_view range : {"bytes=5-1", "bytes=0-0,-1", "bytes=1-2,5-6", "lines=1-2", "bytes=x"}) {
    const FileResponse r = ranged(range);
    EXPECT_EQ(r.status, 200) << range;
    EXPECT_FALSE(r.header("content-range"));
    EXPECT_EQ(read_body(r), content_) << range;
  }
}

TEST_F(StaticFilesRangeTest, IgnoresRangeWhenHead) {
  // HS-14.2-01: Range only on GET.
  FileRequest request{.method = "HEAD", .target = "/data.bin", .range = "bytes=0-1"};
  const FileResponse r = files_.serve(request);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(header_or_none(r, "content-length"), "1000");
  EXPECT_FALSE(r.header("content-range"));
}

TEST_F(StaticFilesRangeTest, HonoursRangeOnlyWhenIfRangeMatches) {
  // HS-13.1.5-01 (RFC 9110 §13.1.5)
  EXPECT_EQ(ranged("bytes=0-1", etag_).status, 206);
  EXPECT_EQ(ranged("bytes=0-1", "Tue, 14 Nov 2023 22:13:20 GMT").status, 206);
  EXPECT_EQ(ranged("bytes=0-1", "\"stale\"").status, 200);
  EXPECT_EQ(ranged("bytes=0-1", "W/" + etag_).status, 200);                     // weak tags never match If-Range
  EXPECT_EQ(ranged("bytes=0-1", "Wed, 15 Nov 2023 00:00:00 GMT").status, 200);  // dates must be exact
  EXPECT_EQ(ranged("bytes=0-1", "garbage").status, 200);
  EXPECT_EQ(ranged("bytes=5000-", "\"stale\"").status, 200);  // no 416 either: the Range is gone
  // If-Range without Range is ignored.
  FileRequest request = get("/data.bin");
  request.if_range = "\"stale\"";
  EXPECT_EQ(files_.serve(request).status, 200);
}

TEST_F(StaticFilesRangeTest, IgnoresRangeWhenRangesDisabled) {
  StaticFiles files({.root = dir_.str(), .ranges = false});
  FileRequest request = get("/data.bin");
  request.range = "bytes=0-1";
  const FileResponse r = files.serve(request);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.header("accept-ranges"));
}

TEST_F(StaticFilesRangeTest, EvaluatesPreconditionsBeforeRange) {
  FileRequest request = get("/data.bin");
  request.range = "bytes=0-1";
  request.if_none_match = etag_;
  EXPECT_EQ(files_.serve(request).status, 304);
}

}  // namespace
}  // namespace h2push::server
