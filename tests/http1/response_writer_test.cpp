// tests/http1/response_writer_test.cpp: checking submitted fields and serialising heads and chunk framing.
#include "http1/response_writer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http1/http1_test_util.hpp"

namespace h2push::http1::detail {
namespace {

using testing::text;

std::optional<Errc> error_of(std::vector<Header> fields, FieldsKind kind = FieldsKind::final) {
  auto r = check_fields(fields, kind);
  if (r) return std::nullopt;
  return r.error();
}

TEST(ResponseWriterTest, ReadsStatusLengthAndClose) {
  const std::vector<Header> fields{{":status", "200"}, {"Content-Length", "12"}, {"connection", "close"}};
  auto r = check_fields(fields, FieldsKind::final);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_length, 12u);
  EXPECT_TRUE(r->close);
}

TEST(ResponseWriterTest, RefusesBadStatusFields) {
  EXPECT_EQ(error_of({}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{"content-type", "a"}, {":status", "200"}}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "20"}}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "2x0"}}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "103"}}), Errc::invalid_headers);  // 1xx goes through submit_informational
  EXPECT_EQ(error_of({{":status", "600"}}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "200"}}, FieldsKind::informational), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "101"}}, FieldsKind::informational), Errc::invalid_headers);
  EXPECT_FALSE(error_of({{":status", "103"}, {"link", "</a.css>; rel=preload"}}, FieldsKind::informational));
}

TEST(ResponseWriterTest, RefusesFieldsThatCouldSplitTheResponse) {
  EXPECT_EQ(error_of({{":status", "200"}, {"x", "a\r\nInjected: 1"}}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "200"}, {"x", "a\nb"}}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "200"}, {"x", std::string_view("a\0b", 3)}}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "200"}, {"bad name", "v"}}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "200"}, {":path", "/"}}), Errc::invalid_headers);
}

TEST(ResponseWriterTest, RefusesFieldsTheCoreOwns) {
  EXPECT_EQ(error_of({{":status", "200"}, {"transfer-encoding", "chunked"}}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "200"}, {"Upgrade", "h2c"}}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "200"}, {"keep-alive", "timeout=5"}}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "200"}, {"connection", "keep-alive"}}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "103"}, {"connection", "close"}}, FieldsKind::informational), Errc::invalid_headers);
}

TEST(ResponseWriterTest, RefusesContentLengthWhereNoneMayBe) {  // HS-8.6-01 (RFC 9110 §8.6)
  EXPECT_EQ(error_of({{":status", "204"}, {"content-length", "0"}}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "103"}, {"content-length", "0"}}, FieldsKind::informational), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "200"}, {"content-length", "1"}, {"content-length", "1"}}), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "200"}, {"content-length", "-1"}}), Errc::invalid_headers);
  EXPECT_FALSE(error_of({{":status", "304"}, {"content-length", "10"}}));
}

TEST(ResponseWriterTest, RefusesFramingFieldsInTrailers) {
  EXPECT_FALSE(error_of({{"checksum", "abc"}}, FieldsKind::trailers));
  EXPECT_EQ(error_of({{"content-length", "1"}}, FieldsKind::trailers), Errc::invalid_headers);
  EXPECT_EQ(error_of({{"Transfer-Encoding", "chunked"}}, FieldsKind::trailers), Errc::invalid_headers);
  EXPECT_EQ(error_of({{":status", "200"}}, FieldsKind::trailers), Errc::invalid_headers);
}

TEST(ResponseWriterTest, WritesStatusLinesWithReasonPhrases) {
  Bytes out;
  write_status_line(out, 200);
  write_status_line(out, 103);
  write_status_line(out, 599);
  EXPECT_EQ(text(out), "HTTP/1.1 200 OK\r\nHTTP/1.1 103 Early Hints\r\nHTTP/1.1 599 \r\n");
}

TEST(ResponseWriterTest, WritesFieldsButStatusAndConnection) {
  Bytes out;
  const std::vector<Header> fields{{":status", "200"}, {"Content-Type", "text/html"}, {"connection", "close"}};
  write_fields(out, fields);
  EXPECT_EQ(text(out), "Content-Type: text/html\r\n");
}

TEST(ResponseWriterTest, WritesChunkHeadersInHex) {
  Bytes out;
  EXPECT_EQ(write_chunk_header(out, 0), 3u);
  EXPECT_EQ(write_chunk_header(out, 255), 4u);
  EXPECT_EQ(write_chunk_header(out, 16384), 6u);
  EXPECT_EQ(text(out), "0\r\nff\r\n4000\r\n");
  EXPECT_EQ(chunk_header_size(0), 3u);
  EXPECT_EQ(chunk_header_size(15), 3u);
  EXPECT_EQ(chunk_header_size(16), 4u);
  EXPECT_EQ(chunk_header_size(16384), 6u);
}

}  // namespace
}  // namespace h2push::http1::detail
