// tests/http1/server_smuggling_test.cpp: request smuggling attempts (SECURITY.md §11, RFC 9112 §2.2, §5, §6, §7).
// Each payload is followed by a request an attacker would want smuggled; it must never be reported, the payload
// must be answered with 400 and the connection closed, whole or byte by byte.
#include <gtest/gtest.h>

#include <string>

#include "h2push/http1/server_connection.hpp"
#include "http1/http1_test_util.hpp"

namespace h2push::http1 {
namespace {

using testing::drain;
using testing::feed;
using testing::feed_split;
using testing::Recorder;

constexpr std::string_view kSmuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
constexpr std::string_view k400 = "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

struct Attempt {
  std::string_view name;
  std::string payload;
  ParseError error;
  bool in_body = false;  // the head is valid (and reported); the chunked framing is not
};

std::string post(std::string_view fields, std::string_view body = "") {
  return "POST / HTTP/1.1\r\nHost: a\r\n" + std::string(fields) + "\r\n" + std::string(body);
}
std::string chunked(std::string_view body) { return post("Transfer-Encoding: chunked\r\n", body); }

std::vector<Attempt> attempts() {
  using E = ParseError;
  return {
      // Framing conflicts (RFC 9112 §6.1, §6.3; CONFORMANCE H1-6.3-01).
      {"CL.TE", post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
       E::content_length_with_transfer_encoding},
      {"TE.CL", post("Transfer-Encoding: chunked\r\nContent-Length: 6\r\n", "0\r\n\r\n"),
       E::content_length_with_transfer_encoding},
      {"CL.CL differing", post("Content-Length: 6\r\nContent-Length: 5\r\n", "hello!"), E::duplicate_content_length},
      {"CL.CL equal", post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello"), E::duplicate_content_length},
      {"CL list", post("Content-Length: 5, 5\r\n", "hello"), E::duplicate_content_length},
      {"CL plus sign", post("Content-Length: +5\r\n", "hello"), E::invalid_content_length},
      {"CL hex", post("Content-Length: 0x5\r\n", "hello"), E::invalid_content_length},
      {"CL negative", post("Content-Length: -1\r\n"), E::invalid_content_length},
      {"CL inner space", post("Content-Length: 5 5\r\n", "hello"), E::invalid_content_length},
      {"CL empty", post("Content-Length:\r\n"), E::invalid_content_length},
      {"CL overflow", post("Content-Length: 18446744073709551621\r\n"), E::invalid_content_length},
      {"TE chunked not final", post("Transfer-Encoding: chunked, identity\r\n"), E::chunked_not_final},
      {"TE identity", post("Transfer-Encoding: identity\r\n", "hello"), E::chunked_not_final},
      {"TE xchunked", post("Transfer-Encoding: xchunked\r\n"), E::chunked_not_final},
      {"TE over two lines, last not chunked", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n"),
       E::chunked_not_final},
      {"TE chunked twice", post("Transfer-Encoding: chunked, chunked\r\n"), E::chunked_twice},
      {"TE chunked on two lines", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
       E::chunked_twice},
      {"TE parameter", post("Transfer-Encoding: chunked;x=1\r\n"), E::invalid_transfer_encoding},
      {"TE quoted", post("Transfer-Encoding: \"chunked\"\r\n"), E::invalid_transfer_encoding},
      {"TE empty list", post("Transfer-Encoding: ,\r\n"), E::invalid_transfer_encoding},
      {"TE vertical tab",
       post("Transfer-Encoding: \x0b"
            "chunked\r\n"),
       E::invalid_field_value},
      {"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       E::transfer_encoding_in_http10},
      // Field syntax (RFC 9112 §2.2, §5.1, §5.2).
      {"space before colon", post("Transfer-Encoding : chunked\r\n"), E::whitespace_before_colon},
      {"tab before colon", post("Content-Length\t: 5\r\n", "hello"), E::whitespace_before_colon},
      {"obs-fold of TE", post("Transfer-Encoding:\r\n chunked\r\n"), E::obs_fold},
      {"obs-fold with tab", post("X: a\r\n\tTransfer-Encoding: chunked\r\n"), E::obs_fold},
      {"whitespace before first field", "POST / HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: a\r\n\r\n",
       E::whitespace_after_start_line},
      {"bare CR in value", post("X: a\rTransfer-Encoding: chunked\r\n"), E::bare_cr},
      {"bare CR line ending", "POST / HTTP/1.1\r\nHost: a\rTransfer-Encoding: chunked\r\n\r\n", E::bare_cr},
      {"bare LF line ending", "POST / HTTP/1.1\r\nHost: a\nTransfer-Encoding: chunked\r\n\r\n", E::bare_lf},
      {"bare LF after request line", "POST / HTTP/1.1\nHost: a\r\n\r\n", E::bare_lf},
      {"NUL in value", post(std::string("X: a\0b\r\n", 8)), E::nul_byte},
      {"NUL in name", post(std::string("X\0: b\r\n", 7)), E::nul_byte},
      {"NUL in target", std::string("GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", 30), E::nul_byte},
      {"control in name", post("X\x01Y: z\r\n"), E::invalid_field_name},
      {"field without colon", post("Transfer-Encoding chunked\r\n"), E::missing_colon},
      // Host (RFC 9112 §3.2; CONFORMANCE H1-3.2-01).
      {"no Host", "GET / HTTP/1.1\r\n\r\n", E::missing_host},
      {"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", E::duplicate_host},
      {"Host with path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", E::invalid_host},
      // Request line (RFC 9112 §3).
      {"tab in request line", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", E::malformed_request_line},
      {"two spaces in request line", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", E::malformed_request_line},
      {"lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", E::malformed_version},
      {"HTTP/0.9 request", "GET /\r\n\r\n", E::malformed_request_line},
      // Chunked framing (RFC 9112 §7.1).
      {"chunk size overflow", chunked("fffffffffffffffff1\r\n"), E::chunk_size_overflow, true},
      {"chunk size 0x", chunked("0x5\r\nhello\r\n0\r\n\r\n"), E::invalid_chunk_size, true},
      {"chunk size negative", chunked("-5\r\nhello\r\n0\r\n\r\n"), E::invalid_chunk_size, true},
      {"chunk size empty", chunked("\r\nhello\r\n0\r\n\r\n"), E::invalid_chunk_size, true},
      {"chunk size trailing space", chunked("5 \r\nhello\r\n0\r\n\r\n"), E::invalid_chunk_extension, true},
      {"chunk line LF only", chunked("5\nhello\r\n0\r\n\r\n"), E::bare_lf, true},
      {"chunk line bare CR", chunked("5\rhello\r\n0\r\n\r\n"), E::bare_cr, true},
      {"chunk data longer than size", chunked("3\r\nhello\r\n0\r\n\r\n"), E::missing_chunk_crlf, true},
      {"chunk data without CRLF", chunked("5\r\nhello0\r\n\r\n"), E::missing_chunk_crlf, true},
      {"chunk data LF only", chunked("5\r\nhello\n0\r\n\r\n"), E::missing_chunk_crlf, true},
      {"chunk extension bare LF", chunked("5;a\nb\r\nhello\r\n0\r\n\r\n"), E::bare_lf, true},
      {"chunk extension control", chunked("5;a\x01\r\nhello\r\n0\r\n\r\n"), E::invalid_chunk_extension, true},
      {"chunk extension too long", chunked("5;" + std::string(2000, 'a') + "\r\nhello\r\n0\r\n\r\n"),
       E::chunk_extension_too_long, true},
      {"trailer obs-fold", chunked("0\r\nT: a\r\n b\r\n\r\n"), E::obs_fold, true},
      {"trailer bare LF", chunked("0\r\nT: a\n\r\n"), E::bare_lf, true},
      {"trailer space before colon", chunked("0\r\nT : a\r\n\r\n"), E::whitespace_before_colon, true},
  };
}

void expect_refused(const Attempt& a, const Recorder& rec, const std::string& output, bool closed,
                    const std::string& how) {
  SCOPED_TRACE(std::string(a.name) + " (" + how + ")");
  ASSERT_EQ(rec.errors.size(), 1u);
  EXPECT_EQ(rec.errors[0].status, 400);
  EXPECT_EQ(rec.errors[0].error, a.error) << to_string(rec.errors[0].error);
  EXPECT_EQ(rec.errors[0].body_aborted, a.in_body);
  EXPECT_EQ(rec.requests.size(), a.in_body ? 1u : 0u);  // the smuggled request never shows
  EXPECT_EQ(output, k400);
  EXPECT_TRUE(closed);
}

TEST(ServerConnectionTest, RefusesEverySmugglingAttemptWith400AndClose) {
  for (const Attempt& a : attempts()) {
    const std::string input = a.payload + std::string(kSmuggled);
    {
      ServerConnection conn;
      Recorder rec;
      feed(conn, input, rec);
      const std::string output = drain(conn);
      expect_refused(a, rec, output, conn.is_closed(), "whole");
    }
    {
      ServerConnection conn;
      Recorder rec;
      feed_split(conn, input, 1, rec);
      const std::string output = drain(conn);
      expect_refused(a, rec, output, conn.is_closed(), "byte by byte");
    }
  }
}

TEST(ServerConnectionTest, RefusesWhenContentLengthAndTransferEncoding) {  // H1-6.3-01 (RFC 9112 §6.3)
  ServerConnection conn;
  Recorder rec;
  feed(conn, post("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n") + std::string(kSmuggled), rec);
  ASSERT_EQ(rec.errors.size(), 1u);
  EXPECT_EQ(rec.errors[0].error, ParseError::content_length_with_transfer_encoding);
  EXPECT_TRUE(rec.requests.empty());
  EXPECT_EQ(drain(conn), k400);
  EXPECT_TRUE(conn.is_closed());
}

TEST(ServerConnectionTest, AnswersUnknownTransferCodingsWith501) {  // SECURITY.md §11: unknown coding, 501
  for (std::string_view te :
       {"Transfer-Encoding: gzip, chunked\r\n", "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"}) {
    ServerConnection conn;
    Recorder rec;
    feed(conn, post(te, "0\r\n\r\n"), rec);
    ASSERT_EQ(rec.errors.size(), 1u) << te;
    EXPECT_EQ(rec.errors[0].status, 501);
    EXPECT_EQ(rec.errors[0].error, ParseError::unsupported_transfer_coding);
    EXPECT_EQ(drain(conn), "HTTP/1.1 501 Not Implemented\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    EXPECT_TRUE(conn.is_closed());
  }
}

TEST(ServerConnectionTest, AnswersEarlierRequestsBeforeTheErrorResponse) {
  ServerConnection conn;
  Recorder rec;
  feed(conn, "GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /bad HTTP/1.1\r\nHost: a\r\nBad : x\r\n\r\n", rec);
  ASSERT_EQ(rec.requests.size(), 1u);
  ASSERT_EQ(rec.errors.size(), 1u);
  EXPECT_EQ(rec.errors[0].request, RequestId{1});
  EXPECT_TRUE(drain(conn).empty());  // the error response waits for the first answer
  EXPECT_FALSE(conn.is_closed());
  ASSERT_TRUE(testing::respond(conn, RequestId{0}, "200", "ok"));
  EXPECT_EQ(drain(conn), "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok" + std::string(k400));
  EXPECT_TRUE(conn.is_closed());
}

TEST(ServerConnectionTest, DoesNotMergePipelinedRequestsAcrossABodyBoundary) {
  // The body is exactly Content-Length octets: what follows is a request of its own, never body.
  ServerConnection conn;
  Recorder rec;
  feed(conn, post("Content-Length: 3\r\n", "abc") + "GET /two HTTP/1.1\r\nHost: a\r\n\r\n", rec);
  ASSERT_EQ(rec.requests.size(), 2u);
  EXPECT_EQ(rec.bodies[0], "abc");
  EXPECT_EQ(rec.requests[1].target, "/two");
}

}  // namespace
}  // namespace h2push::http1
