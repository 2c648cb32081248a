// tests/http1/field_parser_test.cpp: request lines (RFC 9112 §3) and field lines (§5).
#include "http1/field_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace h2push::http1::detail {
namespace {

std::optional<ParseError> request_line_error(std::string_view line) {
  auto r = parse_request_line(line);
  if (r) return std::nullopt;
  return r.error();
}

TEST(FieldParserTest, ParsesARequestLine) {
  auto r = parse_request_line("GET /a?b=c HTTP/1.1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->target, "/a?b=c");
  EXPECT_EQ(r->version, Version::http_1_1);
  auto old = parse_request_line("HEAD / HTTP/1.0");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->version, Version::http_1_0);
}

TEST(FieldParserTest, AcceptsEveryTargetForm) {
  EXPECT_FALSE(request_line_error("GET http://example.com/x HTTP/1.1"));  // absolute-form
  EXPECT_FALSE(request_line_error("CONNECT example.com:443 HTTP/1.1"));   // authority-form
  EXPECT_FALSE(request_line_error("OPTIONS * HTTP/1.1"));                 // asterisk-form
}

TEST(FieldParserTest, RefusesMalformedRequestLines) {
  EXPECT_EQ(request_line_error("GET  / HTTP/1.1"), ParseError::malformed_request_line);
  EXPECT_EQ(request_line_error("GET / HTTP/1.1 "), ParseError::malformed_request_line);
  EXPECT_EQ(request_line_error("GET /"), ParseError::malformed_request_line);  // HTTP/0.9
  EXPECT_EQ(request_line_error("GET\t/ HTTP/1.1"), ParseError::malformed_request_line);
  EXPECT_EQ(request_line_error("GET / a HTTP/1.1"), ParseError::malformed_request_line);
  EXPECT_EQ(request_line_error("G(T / HTTP/1.1"), ParseError::invalid_method);
  EXPECT_EQ(request_line_error(" GET / HTTP/1.1"), ParseError::malformed_request_line);
}

TEST(FieldParserTest, RefusesBadTargets) {
  EXPECT_EQ(request_line_error("GET * HTTP/1.1"), ParseError::invalid_target);
  EXPECT_EQ(request_line_error("GET a/b HTTP/1.1"), ParseError::invalid_target);
  EXPECT_EQ(request_line_error("GET /a#frag HTTP/1.1"), ParseError::invalid_target);
  EXPECT_EQ(request_line_error("GET /\x7f HTTP/1.1"), ParseError::invalid_target);
  EXPECT_EQ(request_line_error("GET /\xc3\xa9 HTTP/1.1"), ParseError::invalid_target);
  EXPECT_EQ(request_line_error("CONNECT /x HTTP/1.1"), ParseError::invalid_target);
  EXPECT_EQ(request_line_error("CONNECT example.com HTTP/1.1"), ParseError::invalid_target);
  EXPECT_EQ(request_line_error("GET example.com:80 HTTP/1.1"), ParseError::invalid_target);
}

TEST(FieldParserTest, AnswersUnsupportedVersionsWith505AndGarbageWith400) {
  EXPECT_EQ(request_line_error("GET / HTTP/2.0"), ParseError::unsupported_version);
  EXPECT_EQ(request_line_error("GET / HTTP/3.0"), ParseError::unsupported_version);
  EXPECT_EQ(request_line_error("GET / HTTP/0.9"), ParseError::unsupported_version);
  EXPECT_EQ(request_line_error("PRI * HTTP/2.0"), ParseError::unsupported_version);
  EXPECT_EQ(request_line_error("GET / http/1.1"), ParseError::malformed_version);
  EXPECT_EQ(request_line_error("GET / HTTP/1.10"), ParseError::malformed_version);
  EXPECT_EQ(request_line_error("GET / HTTP/1"), ParseError::malformed_version);
  EXPECT_EQ(request_line_error("GET / HTTP/11.1"), ParseError::malformed_version);
}

TEST(FieldParserTest, ReadsHigherMinorVersionsAsHttp11) {
  // RFC 9112 §2.3, RFC 9110 §2.5: a higher minor version of HTTP/1 is processed as 1.1.
  for (std::string_view version : {"HTTP/1.2", "HTTP/1.9"}) {
    const auto line = parse_request_line("GET / " + std::string(version));
    ASSERT_TRUE(line) << version;
    EXPECT_EQ(line->version, Version::http_1_1) << version;
  }
  const auto old = parse_request_line("GET / HTTP/1.0");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->version, Version::http_1_0);
}

struct Section {
  std::optional<ParseError> error;
  std::string start;
  std::vector<Header> fields;
  std::string text;
};

Section parse(std::string input, bool has_start_line = true) {
  Section s;
  s.text = std::move(input);
  auto r = parse_section(s.text, has_start_line, s.fields);
  if (r) {
    s.start = std::string(*r);
  } else {
    s.error = r.error();
  }
  return s;
}

TEST(FieldParserTest, LowercasesNamesAndTrimsValues) {
  const Section s = parse("GET / HTTP/1.1\r\nHost: a.example\r\nX-Thing:\t two  words \t\r\nEmpty:\r\n\r\n");
  ASSERT_FALSE(s.error);
  EXPECT_EQ(s.start, "GET / HTTP/1.1");
  ASSERT_EQ(s.fields.size(), 3u);
  EXPECT_EQ(s.fields[0], (Header{"host", "a.example"}));
  EXPECT_EQ(s.fields[1], (Header{"x-thing", "two  words"}));
  EXPECT_EQ(s.fields[2], (Header{"empty", ""}));
}

TEST(FieldParserTest, KeepsObsTextInValues) {
  const Section s = parse("GET / HTTP/1.1\r\nX: caf\xc3\xa9\r\n\r\n");
  ASSERT_FALSE(s.error);
  EXPECT_EQ(s.fields[0].value, "caf\xc3\xa9");
}

TEST(FieldParserTest, RefusesMalformedFieldLines) {
  EXPECT_EQ(parse("GET / HTTP/1.1\r\n Host: a\r\n\r\n").error, ParseError::whitespace_after_start_line);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n").error, ParseError::obs_fold);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\n\tfolded\r\n\r\n").error, ParseError::obs_fold);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost a\r\n\r\n").error, ParseError::missing_colon);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost : a\r\n\r\n").error, ParseError::whitespace_before_colon);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n").error, ParseError::whitespace_before_colon);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\n: a\r\n\r\n").error, ParseError::invalid_field_name);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHo(st: a\r\n\r\n").error, ParseError::invalid_field_name);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nX: a\x01z\r\n\r\n").error, ParseError::invalid_field_value);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nX: a\x7fz\r\n\r\n").error, ParseError::invalid_field_value);
}

TEST(FieldParserTest, ParsesTrailerSectionsWithoutStartLine) {
  const Section s = parse("Checksum: abc\r\n\r\n", false);
  ASSERT_FALSE(s.error);
  EXPECT_EQ(s.start, "");
  ASSERT_EQ(s.fields.size(), 1u);
  EXPECT_EQ(s.fields[0], (Header{"checksum", "abc"}));
  EXPECT_EQ(parse(" X: 1\r\n\r\n", false).error, ParseError::obs_fold);
}

}  // namespace
}  // namespace h2push::http1::detail
