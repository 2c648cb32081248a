// tests/http1/server_limits_test.cpp: each limit gives its exact status (SECURITY.md §18), and the legitimate form
// of each pattern passes.
#include <gtest/gtest.h>

#include <string>

#include "h2push/http1/server_connection.hpp"
#include "http1/http1_test_util.hpp"

namespace h2push::http1 {
namespace {

using testing::drain;
using testing::feed;
using testing::parse_responses;
using testing::Recorder;
using testing::respond;

struct Outcome {
  Recorder rec;
  int status = 0;  // of the response written, 0 if none
  bool closed = false;
};

Outcome run(std::string_view input, const Options& options = {}) {
  Outcome o;
  ServerConnection conn(options);
  feed(conn, input, o.rec);
  const auto responses = parse_responses(drain(conn));
  if (!responses.empty()) o.status = responses[0].status;
  o.closed = conn.is_closed();
  return o;
}

std::string get_with(std::string_view fields) { return "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(fields) + "\r\n"; }

TEST(ServerConnectionTest, ShipsTheDocumentedDefaults) {  // SECURITY.md §18
  const Options o;
  EXPECT_EQ(o.max_request_line, 8u * 1024);
  EXPECT_EQ(o.max_field_line, 8u * 1024);
  EXPECT_EQ(o.max_field_section, 64u * 1024);
  EXPECT_EQ(o.max_fields, 100u);
  EXPECT_EQ(o.max_body_size, 1024u * 1024);
  EXPECT_EQ(o.max_chunk_extension, 1024u);
  EXPECT_FALSE(o.accept_bare_lf);
  EXPECT_EQ(o.output_budget, 64u * 1024);
}

TEST(ServerConnectionTest, AnswersALongRequestLineWith414) {
  Options options;
  options.max_request_line = 64;
  const std::string target = "/" + std::string(64, 'a');
  const Outcome o = run("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n", options);
  EXPECT_EQ(o.status, 414);
  EXPECT_EQ(o.rec.errors.at(0).error, ParseError::request_line_too_long);
  EXPECT_TRUE(o.closed);
  // A line that never ends is refused as soon as it passes the limit.
  const Outcome endless = run("GET /" + std::string(100, 'a'), options);
  EXPECT_EQ(endless.status, 414);
  // At the limit it passes: "GET /" + 50 octets + " HTTP/1.1" is 64 octets.
  EXPECT_EQ(run("GET /" + std::string(50, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", options).rec.requests.size(), 1u);
}

TEST(ServerConnectionTest, AnswersALongFieldLineWith431) {
  Options options;
  options.max_field_line = 100;
  EXPECT_EQ(run(get_with("X: " + std::string(97, 'v') + "\r\n"), options).rec.requests.size(), 1u);  // 100
  const Outcome o = run(get_with("X: " + std::string(98, 'v') + "\r\n"), options);
  EXPECT_EQ(o.status, 431);
  EXPECT_EQ(o.rec.errors.at(0).error, ParseError::field_line_too_long);
  EXPECT_TRUE(o.closed);
}

TEST(ServerConnectionTest, AnswersALargeFieldSectionWith431) {
  Options options;
  options.max_field_section = 1000;
  std::string fields;
  for (int i = 0; i < 20; ++i) fields += "X-" + std::to_string(i) + ": " + std::string(50, 'v') + "\r\n";
  const Outcome o = run(get_with(fields), options);
  EXPECT_EQ(o.status, 431);
  EXPECT_EQ(o.rec.errors.at(0).error, ParseError::field_section_too_large);
}

TEST(ServerConnectionTest, AnswersTooManyFieldsWith431) {
  Options options;
  options.max_fields = 10;
  std::string nine;
  for (int i = 0; i < 9; ++i) nine += "X: " + std::to_string(i) + "\r\n";
  EXPECT_EQ(run(get_with(nine), options).rec.requests.size(), 1u);  // 9 + Host = 10
  const Outcome o = run(get_with(nine + "Y: 1\r\n"), options);
  EXPECT_EQ(o.status, 431);
  EXPECT_EQ(o.rec.errors.at(0).error, ParseError::too_many_fields);
}

TEST(ServerConnectionTest, AcceptsASevenKibCookieWithTheDefaults) {  // SECURITY.md §0: no false positive
  const Outcome o = run(get_with("Cookie: " + std::string(7 * 1024, 'c') + "\r\n"));
  EXPECT_EQ(o.rec.requests.size(), 1u);
  EXPECT_TRUE(o.rec.errors.empty());
}

TEST(ServerConnectionTest, AnswersATooLargeContentLengthWith413BeforeTheBody) {
  Options options;
  options.max_body_size = 10;
  const Outcome o = run("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n", options);
  EXPECT_EQ(o.status, 413);
  EXPECT_TRUE(o.rec.requests.empty());
  EXPECT_EQ(o.rec.errors.at(0).error, ParseError::body_too_large);
  EXPECT_TRUE(o.closed);
  EXPECT_EQ(run("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789", options).rec.bodies[0],
            "0123456789");
}

TEST(ServerConnectionTest, AnswersATooLargeChunkedBodyWith413) {
  Options options;
  options.max_body_size = 10;
  const Outcome o = run(
      "PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n01234\r\n0\r\n\r\n", options);
  EXPECT_EQ(o.status, 413);
  EXPECT_EQ(o.rec.requests.size(), 1u);
  EXPECT_EQ(o.rec.bodies.at(0), "012345");  // the chunk past the limit is refused before its data
  EXPECT_TRUE(o.rec.errors.at(0).body_aborted);
  EXPECT_TRUE(o.closed);
}

TEST(ServerConnectionTest, AnswersALargeTrailerSectionWith431) {
  Options options;
  options.max_trailer_section = 50;
  const std::string head = "PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
  EXPECT_TRUE(run(head + "T: " + std::string(40, 't') + "\r\n\r\n", options).rec.errors.empty());
  const Outcome o = run(head + "T: " + std::string(60, 't') + "\r\n\r\n", options);
  EXPECT_EQ(o.status, 431);
  EXPECT_EQ(o.rec.errors.at(0).error, ParseError::trailer_section_too_large);
  EXPECT_TRUE(o.rec.errors.at(0).body_aborted);
}

TEST(ServerConnectionTest, AnswersOtherVersionsWith505) {
  for (std::string_view version : {"HTTP/2.0", "HTTP/3.0", "HTTP/3.1", "HTTP/0.9"}) {
    const Outcome o = run("GET / " + std::string(version) + "\r\nHost: a\r\n\r\n");
    EXPECT_EQ(o.status, 505) << version;
    EXPECT_TRUE(o.closed);
  }
  EXPECT_EQ(run("GET / HTTP/1.x\r\nHost: a\r\n\r\n").status, 400);
}

TEST(ServerConnectionTest, AnswersHigherMinorVersionsAsHttp11) {
  // RFC 9112 §2.3: HTTP/1.2 is processed as HTTP/1.1 (keep-alive by default) and answered in HTTP/1.1.
  ServerConnection conn;
  Recorder rec;
  feed(conn, "GET / HTTP/1.2\r\nHost: a\r\n\r\n", rec);
  EXPECT_TRUE(rec.errors.empty());
  ASSERT_EQ(rec.requests.size(), 1u);
  EXPECT_EQ(rec.requests[0].version, Version::http_1_1);
  EXPECT_TRUE(rec.requests[0].keep_alive);
  ASSERT_TRUE(respond(conn, rec.requests[0].id, "200", "ok"));
  const std::string out = drain(conn);
  EXPECT_EQ(out.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_FALSE(conn.is_closed());
}

TEST(ServerConnectionTest, AnswersUnknownExpectationsWith417) {
  const Outcome o = run(get_with("Expect: 200-ok\r\n"));
  EXPECT_EQ(o.status, 417);
  EXPECT_EQ(o.rec.errors.at(0).error, ParseError::unsupported_expectation);
}

TEST(ServerConnectionTest, StopsReadingWhenInputIsFedPastTheHoldLimit) {
  Options options;
  options.max_pipelined_requests = 1;
  options.max_buffered_input = 100;
  ServerConnection conn(options);
  Recorder rec;
  feed(conn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n" + std::string(50, 'x'), rec);
  EXPECT_TRUE(rec.errors.empty());
  EXPECT_FALSE(conn.wants_read());
  feed(conn, std::string(60, 'x'), rec);  // ignoring wants_read()
  ASSERT_EQ(rec.errors.size(), 1u);
  EXPECT_EQ(rec.errors[0].status, 0);
  EXPECT_EQ(rec.errors[0].error, ParseError::input_overflow);
  EXPECT_EQ(conn.read_state(), ReadState::closed);
  ASSERT_TRUE(testing::respond(conn, RequestId{0}, "200", "x"));
  const auto responses = parse_responses(drain(conn));
  ASSERT_EQ(responses.size(), 1u);  // no error response: the peer did nothing wrong
  EXPECT_EQ(responses[0].field("connection"), "close");
  EXPECT_TRUE(conn.is_closed());
}

}  // namespace
}  // namespace h2push::http1
