// tests/http1/section_scanner_test.cpp: finding the end of heads and trailer sections, and their limits.
#include "http1/section_scanner.hpp"

#include <gtest/gtest.h>

#include <string>

#include "http1/http1_test_util.hpp"

namespace h2push::http1::detail {
namespace {

using testing::bytes;

struct Scan {
  ScanResult result;
  std::string text;
};

Scan scan_whole(std::string_view input, SectionLimits limits = {}) {
  SectionScanner scanner;
  scanner.start(limits);
  Scan s;
  s.result = scanner.feed(bytes(input), s.text);
  return s;
}

TEST(SectionScannerTest, StopsRightAfterTheEmptyLine) {
  const Scan s = scan_whole("GET / HTTP/1.1\r\nHost: a\r\n\r\nNEXT");
  EXPECT_TRUE(s.result.complete);
  EXPECT_FALSE(s.result.error);
  EXPECT_EQ(s.result.consumed, 27u);
  EXPECT_EQ(s.text, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
}

TEST(SectionScannerTest, GivesTheSameTextWhenFedByteByByte) {
  const std::string input = "GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n";
  SectionScanner scanner;
  scanner.start({});
  std::string text;
  for (std::size_t i = 0; i < input.size(); ++i) {
    const ScanResult r = scanner.feed(bytes(std::string_view(input).substr(i, 1)), text);
    EXPECT_EQ(r.consumed, 1u);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.complete, i + 1 == input.size());
  }
  EXPECT_EQ(text, input);
}

TEST(SectionScannerTest, SkipsEmptyLinesBeforeTheStartLine) {
  const Scan s = scan_whole("\r\n\r\nGET / HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(s.result.complete);
  EXPECT_EQ(s.text, "GET / HTTP/1.1\r\n\r\n");
}

TEST(SectionScannerTest, RefusesWhenTooManyEmptyLinesPrecedeTheStartLine) {
  std::string input;
  for (std::size_t i = 0; i <= SectionScanner::kMaxLeadingEmptyLines; ++i) input += "\r\n";
  EXPECT_EQ(scan_whole(input).result.error, ParseError::too_many_empty_lines);
}

TEST(SectionScannerTest, RefusesBareLfByDefault) {
  EXPECT_EQ(scan_whole("GET / HTTP/1.1\nHost: a\r\n\r\n").result.error, ParseError::bare_lf);
  EXPECT_EQ(scan_whole("GET / HTTP/1.1\r\nHost: a\n\r\n").result.error, ParseError::bare_lf);
}

TEST(SectionScannerTest, AcceptsBareLfWhenConfigured) {
  SectionLimits limits;
  limits.accept_bare_lf = true;
  const Scan s = scan_whole("GET / HTTP/1.1\nHost: a\n\n", limits);
  EXPECT_TRUE(s.result.complete);
  EXPECT_FALSE(s.result.error);
}

TEST(SectionScannerTest, RefusesBareCrAndNul) {
  EXPECT_EQ(scan_whole("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n").result.error, ParseError::bare_cr);
  EXPECT_EQ(scan_whole("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n").result.error, ParseError::bare_cr);
  EXPECT_EQ(scan_whole(std::string_view("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", 30)).result.error,
            ParseError::nul_byte);
}

TEST(SectionScannerTest, RefusesAStartLineOverTheLimitBeforeItEnds) {
  SectionLimits limits;
  limits.max_start_line = 16;
  EXPECT_EQ(scan_whole("GET /0123456789 HTTP/1.1\r\n\r\n", limits).result.error, ParseError::request_line_too_long);
  EXPECT_EQ(scan_whole("GET /0123456789abc", limits).result.error, ParseError::request_line_too_long);
  EXPECT_FALSE(scan_whole("GET /0123456789a\r\n", limits).result.error);  // exactly 16 octets
}

TEST(SectionScannerTest, RefusesAFieldLineOverTheLimit) {
  SectionLimits limits;
  limits.max_field_line = 8;
  EXPECT_FALSE(scan_whole("GET / HTTP/1.1\r\nAbc: 123\r\n\r\n", limits).result.error);
  EXPECT_EQ(scan_whole("GET / HTTP/1.1\r\nAbc: 1234\r\n\r\n", limits).result.error, ParseError::field_line_too_long);
  EXPECT_EQ(scan_whole("GET / HTTP/1.1\r\nAbc: 1234567", limits).result.error, ParseError::field_line_too_long);
}

TEST(SectionScannerTest, RefusesTooManyFieldsAndTooLargeASection) {
  SectionLimits limits;
  limits.max_fields = 2;
  EXPECT_FALSE(scan_whole("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", limits).result.error);
  EXPECT_EQ(scan_whole("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits).result.error,
            ParseError::too_many_fields);
  limits = {};
  limits.max_fields_size = 12;  // "A: 1\r\nB: 2\r\n" is 12
  EXPECT_FALSE(scan_whole("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", limits).result.error);
  EXPECT_EQ(scan_whole("GET / HTTP/1.1\r\nA: 1\r\nB: 22\r\n\r\n", limits).result.error,
            ParseError::field_section_too_large);
}

TEST(SectionScannerTest, EndsAnEmptyTrailerSectionAtOnce) {
  SectionLimits limits;
  limits.has_start_line = false;
  const Scan s = scan_whole("\r\nGET", limits);
  EXPECT_TRUE(s.result.complete);
  EXPECT_EQ(s.result.consumed, 2u);
  const Scan t = scan_whole("Checksum: 1\r\n\r\n", limits);
  EXPECT_TRUE(t.result.complete);
}

}  // namespace
}  // namespace h2push::http1::detail
