// tests/http1/client_streaming_test.cpp: request bodies streamed through ClientConnection::submit_request_head()
// and send_body(): Content-Length and chunked framing, misuse, and a response arriving before the body ends.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <variant>

#include "h2push/http1/client_connection.hpp"

namespace h2push::http1 {
namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

std::string drain(ClientConnection& conn) {
  const auto out = conn.pending_output();
  std::string text(reinterpret_cast<const char*>(out.data()), out.size());
  conn.consume_output(out.size());
  return text;
}

const Header kHost[] = {{"host", "app"}};

TEST(ClientStreaming, ContentLengthBodyInPieces) {
  ClientConnection conn;
  ASSERT_TRUE(conn.submit_request_head({"POST", "/up", kHost}, 10).ok());
  EXPECT_TRUE(conn.sending_body());
  EXPECT_EQ(drain(conn), "POST /up HTTP/1.1\r\nhost: app\r\ncontent-length: 10\r\n\r\n");
  ASSERT_TRUE(conn.send_body(bytes("hello"), false));
  ASSERT_TRUE(conn.send_body(bytes(""), false));
  ASSERT_TRUE(conn.send_body(bytes("world"), true));
  EXPECT_FALSE(conn.sending_body());
  EXPECT_EQ(drain(conn), "helloworld");
  EXPECT_EQ(conn.outstanding(), 1u);
}

TEST(ClientStreaming, ChunkedWhenTheLengthIsUnknown) {
  ClientConnection conn;
  ASSERT_TRUE(conn.submit_request_head({"PUT", "/x", kHost}, std::nullopt).ok());
  ASSERT_TRUE(conn.send_body(bytes("abc"), false));
  ASSERT_TRUE(conn.send_body(bytes(std::string(26, 'z')), false));
  ASSERT_TRUE(conn.send_body({}, true));
  EXPECT_EQ(drain(conn), "PUT /x HTTP/1.1\r\nhost: app\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n1a\r\n" +
                             std::string(26, 'z') + "\r\n0\r\n\r\n");
}

TEST(ClientStreaming, ChunkedEndWithData) {
  ClientConnection conn;
  ASSERT_TRUE(conn.submit_request_head({"POST", "/", kHost}, std::nullopt).ok());
  drain(conn);
  ASSERT_TRUE(conn.send_body(bytes("last"), true));
  EXPECT_EQ(drain(conn), "4\r\nlast\r\n0\r\n\r\n");
}

TEST(ClientStreaming, TrailersEndAChunkedBody) {
  ClientConnection conn;
  ASSERT_TRUE(conn.submit_request_head({"POST", "/", kHost}, std::nullopt).ok());
  drain(conn);
  ASSERT_TRUE(conn.send_body(bytes("ab"), false));
  const Header bad[] = {{"x-bad", "a\r\nb"}};
  EXPECT_EQ(conn.send_trailers(bad).error(), ClientErrc::invalid_request);
  const Header trailers[] = {{"x-checksum", "42"}, {"grpc-timeout", "1S"}};
  ASSERT_TRUE(conn.send_trailers(trailers));
  EXPECT_FALSE(conn.sending_body());
  EXPECT_EQ(drain(conn), "2\r\nab\r\n0\r\nx-checksum: 42\r\ngrpc-timeout: 1S\r\n\r\n");
  EXPECT_EQ(conn.send_trailers(trailers).error(), ClientErrc::no_body_expected);
}

TEST(ClientStreaming, TrailersAreDroppedOnAContentLengthBody) {
  ClientConnection conn;
  ASSERT_TRUE(conn.submit_request_head({"POST", "/", kHost}, 2).ok());
  drain(conn);
  const Header trailers[] = {{"x-checksum", "42"}};
  ASSERT_TRUE(conn.send_body(bytes("a"), false));
  EXPECT_EQ(conn.send_trailers(trailers).error(), ClientErrc::body_length_mismatch);  // one octet short
  ASSERT_TRUE(conn.send_body(bytes("b"), false));
  ASSERT_TRUE(conn.send_trailers(trailers));
  EXPECT_FALSE(conn.sending_body());
  EXPECT_EQ(drain(conn), "ab");
}

TEST(ClientStreaming, LengthMismatchIsRefused) {
  ClientConnection conn;
  ASSERT_TRUE(conn.submit_request_head({"POST", "/", kHost}, 4).ok());
  drain(conn);
  EXPECT_EQ(conn.send_body(bytes("12345"), false).error(), ClientErrc::body_length_mismatch);
  EXPECT_EQ(conn.send_body(bytes("12"), true).error(), ClientErrc::body_length_mismatch);
  EXPECT_EQ(drain(conn), "");  // nothing queued by a refused call
  ASSERT_TRUE(conn.send_body(bytes("12"), false));
  ASSERT_TRUE(conn.send_body(bytes("34"), true));
  EXPECT_EQ(drain(conn), "1234");
}

TEST(ClientStreaming, NothingElseUntilTheBodyEnds) {
  ClientConnection conn;
  EXPECT_EQ(conn.send_body(bytes("x"), true).error(), ClientErrc::no_body_expected);
  ASSERT_TRUE(conn.submit_request_head({"POST", "/", kHost}, 1).ok());
  EXPECT_EQ(conn.submit_request({"GET", "/", kHost}, {}).error(), ClientErrc::body_in_progress);
  EXPECT_EQ(conn.submit_request_head({"POST", "/", kHost}, 1).error(), ClientErrc::body_in_progress);
  ASSERT_TRUE(conn.send_body(bytes("x"), true));
  EXPECT_EQ(conn.send_body(bytes("y"), true).error(), ClientErrc::no_body_expected);
  EXPECT_TRUE(conn.submit_request({"GET", "/", kHost}, {}).ok());
  EXPECT_EQ(conn.outstanding(), 2u);
}

TEST(ClientStreaming, InvalidHeadIsRefusedBeforeAnyBody) {
  ClientConnection conn;
  const Header owned[] = {{"transfer-encoding", "chunked"}};
  EXPECT_EQ(conn.submit_request_head({"POST", "/", owned}, std::nullopt).error(), ClientErrc::invalid_request);
  EXPECT_FALSE(conn.sending_body());
  EXPECT_TRUE(conn.pending_output().empty());
}

// An upstream may answer (413, 401...) before the upload is over: the response is parsed all the same.
TEST(ClientStreaming, ResponseBeforeTheBodyEnds) {
  ClientConnection conn;
  ASSERT_TRUE(conn.submit_request_head({"POST", "/", kHost}, 100).ok());
  ASSERT_TRUE(conn.send_body(bytes("part"), false));
  bool head = false, ended = false;
  for (const ClientEvent& e :
       conn.receive(bytes("HTTP/1.1 413 Content Too Large\r\ncontent-length: 2\r\nconnection: close\r\n\r\nno"))) {
    if (const auto* r = std::get_if<ResponseReceived>(&e)) head = r->status == 413;
    if (const auto* d = std::get_if<DataReceived>(&e)) ended = d->end_stream;
  }
  EXPECT_TRUE(head);
  EXPECT_TRUE(ended);
  EXPECT_TRUE(conn.is_closed());
}

}  // namespace
}  // namespace h2push::http1
