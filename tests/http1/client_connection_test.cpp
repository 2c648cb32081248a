// tests/http1/client_connection_test.cpp: the sans-IO HTTP/1.1 client core: request writing, response framing
// (RFC 9112 §6.3), 1xx, upgrade, keep-alive and malformed responses.
#include "h2push/http1/client_connection.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace h2push::http1 {
namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }
std::string text(std::span<const std::byte> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

using Fields = std::vector<std::pair<std::string, std::string>>;
Fields copy(std::span<const Header> headers) {
  Fields out;
  for (const Header& h : headers) out.emplace_back(std::string(h.name), std::string(h.value));
  return out;
}

// Copies what the events point at.
struct Recorder {
  struct Response {
    std::uint16_t status = 0;
    Fields headers;
    std::optional<std::uint64_t> content_length;
    bool keep_alive = false;
    std::string body;
    bool ended = false;
    Fields trailers;
  };
  std::map<std::uint64_t, Response> responses;
  std::vector<std::pair<std::uint64_t, std::uint16_t>> informational;
  std::vector<ResponseFailed> failures;

  void record(std::span<const ClientEvent> events) {
    for (const ClientEvent& e : events) {
      if (auto* i = std::get_if<InformationalReceived>(&e)) informational.emplace_back(i->request.value, i->status);
      if (auto* r = std::get_if<ResponseReceived>(&e)) {
        Response& out = responses[r->request.value];
        out.status = r->status;
        out.headers = copy(r->headers);
        out.content_length = r->content_length;
        out.keep_alive = r->keep_alive;
        out.ended = r->end_stream;
      }
      if (auto* d = std::get_if<DataReceived>(&e)) {
        responses[d->request.value].body += text(d->data);
        responses[d->request.value].ended = responses[d->request.value].ended || d->end_stream;
      }
      if (auto* t = std::get_if<TrailersReceived>(&e)) {
        responses[t->request.value].trailers = copy(t->headers);
        responses[t->request.value].ended = true;
      }
      if (auto* f = std::get_if<ResponseFailed>(&e)) failures.push_back(*f);
    }
  }
};

class ClientConnectionTest : public ::testing::Test {
 protected:
  RequestId get(std::string_view target = "/", std::string_view method = "GET", bool upgrade = false) {
    const Header fields[] = {{"host", "example.com"}};
    auto id = conn.submit_request({method, target, fields, upgrade}, {});
    EXPECT_TRUE(id.ok());
    return *id;
  }
  void feed(std::string_view input) { rec.record(conn.receive(bytes(input))); }
  void feed_bytewise(std::string_view input) {
    for (char c : input) rec.record(conn.receive(bytes(std::string_view(&c, 1))));
  }
  std::string output() {
    std::string out = text(conn.pending_output());
    conn.consume_output(out.size());
    return out;
  }

  ClientConnection conn;
  Recorder rec;
};

TEST_F(ClientConnectionTest, WritesRequestHeadInOrder) {
  const Header fields[] = {{"host", "example.com"}, {"accept", "*/*"}};
  ASSERT_TRUE(conn.submit_request({"GET", "/a?b=1", fields}, {}).ok());
  EXPECT_EQ(output(), "GET /a?b=1 HTTP/1.1\r\nhost: example.com\r\naccept: */*\r\n\r\n");
}

TEST_F(ClientConnectionTest, WritesContentLengthForBodyAndEmptyPost) {
  const Header fields[] = {{"host", "h"}};
  ASSERT_TRUE(conn.submit_request({"POST", "/p", fields}, bytes("abc")).ok());
  ASSERT_TRUE(conn.submit_request({"POST", "/q", fields}, {}).ok());
  EXPECT_EQ(output(),
            "POST /p HTTP/1.1\r\nhost: h\r\ncontent-length: 3\r\n\r\nabc"
            "POST /q HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n");
}

TEST_F(ClientConnectionTest, RefusesInvalidRequests) {
  const Header crlf[] = {{"host", "h"}, {"x", "a\r\nb"}};
  EXPECT_EQ(conn.submit_request({"GET", "/", crlf}, {}).error(), ClientErrc::invalid_request);
  const Header owned[] = {{"host", "h"}, {"Content-Length", "3"}};
  EXPECT_EQ(conn.submit_request({"GET", "/", owned}, {}).error(), ClientErrc::invalid_request);
  const Header bad_name[] = {{"a b", "x"}};
  EXPECT_EQ(conn.submit_request({"GET", "/", bad_name}, {}).error(), ClientErrc::invalid_request);
  EXPECT_EQ(conn.submit_request({"G T", "/", {}}, {}).error(), ClientErrc::invalid_request);
  EXPECT_EQ(conn.submit_request({"GET", "/a b", {}}, {}).error(), ClientErrc::invalid_request);
  EXPECT_TRUE(conn.pending_output().empty());
}

TEST_F(ClientConnectionTest, ParsesContentLengthResponseAndKeepsAlive) {
  const RequestId id = get();
  feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b \r\n\r\nhello");
  ASSERT_EQ(rec.responses.count(id.value), 1U);
  const auto& r = rec.responses[id.value];
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  EXPECT_TRUE(r.ended);
  EXPECT_TRUE(r.keep_alive);
  EXPECT_EQ(r.content_length, 5U);
  EXPECT_EQ(r.headers, (Fields{{"content-length", "5"}, {"x-a", "b"}}));
  EXPECT_EQ(conn.outstanding(), 0U);
  EXPECT_FALSE(conn.is_closed());
}

TEST_F(ClientConnectionTest, MatchesPipelinedResponsesInOrderEvenByteByByte) {
  const RequestId a = get("/a");
  const RequestId b = get("/b", "HEAD");
  const RequestId c = get("/c");
  feed_bytewise(
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA"
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
      "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\n\r\n");
  EXPECT_TRUE(rec.failures.empty());
  EXPECT_EQ(rec.responses[a.value].body, "A");
  EXPECT_EQ(rec.responses[b.value].body, "");  // HEAD: no body despite Content-Length
  EXPECT_TRUE(rec.responses[b.value].ended);
  EXPECT_EQ(rec.responses[c.value].status, 404);
  EXPECT_EQ(rec.responses[c.value].body, "abc");
  EXPECT_TRUE(rec.responses[c.value].ended);
  EXPECT_EQ(conn.outstanding(), 0U);
}

TEST_F(ClientConnectionTest, ReportsChunkedTrailers) {
  const RequestId id = get();
  feed("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nChecksum: 42\r\n\r\n");
  EXPECT_EQ(rec.responses[id.value].body, "hello");
  EXPECT_EQ(rec.responses[id.value].trailers, (Fields{{"checksum", "42"}}));
  EXPECT_TRUE(rec.responses[id.value].ended);
}

TEST_F(ClientConnectionTest, ReadsCloseDelimitedBodyUntilEof) {
  const RequestId id = get();
  feed("HTTP/1.1 200 OK\r\n\r\nsome");
  feed(" more");
  EXPECT_FALSE(rec.responses[id.value].ended);
  EXPECT_FALSE(rec.responses[id.value].keep_alive);
  rec.record(conn.receive_eof());
  EXPECT_EQ(rec.responses[id.value].body, "some more");
  EXPECT_TRUE(rec.responses[id.value].ended);
  EXPECT_TRUE(conn.is_closed());
  EXPECT_TRUE(rec.failures.empty());
}

TEST_F(ClientConnectionTest, GivesNoBodyTo204And304) {
  const RequestId a = get("/a");
  const RequestId b = get("/b");
  feed("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n");
  EXPECT_TRUE(rec.responses[a.value].ended);
  EXPECT_TRUE(rec.responses[b.value].ended);
  EXPECT_EQ(rec.responses[b.value].body, "");
  EXPECT_EQ(conn.outstanding(), 0U);
}

TEST_F(ClientConnectionTest, ReportsEarlyHintsBeforeTheFinalResponse) {
  const RequestId id = get();
  feed(
      "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload; as=style\r\n\r\n"
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_EQ(rec.informational.size(), 2U);
  EXPECT_EQ(rec.informational[0], std::make_pair(id.value, std::uint16_t{103}));
  EXPECT_EQ(rec.informational[1].second, 100);
  EXPECT_EQ(rec.responses[id.value].body, "ok");
}

TEST_F(ClientConnectionTest, SwitchesProtocolsOn101AndKeepsWhatFollows) {
  const RequestId id = get("/", "GET", /*upgrade=*/true);
  EXPECT_EQ(conn.submit_request({"GET", "/", {}}, {}).error(), ClientErrc::upgrade_pending);
  feed("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nPRI-ish");
  EXPECT_TRUE(conn.upgraded());
  EXPECT_EQ(rec.responses[id.value].status, 101);
  feed("more");
  const std::vector<std::byte> rest = conn.take_upgrade_input();
  EXPECT_EQ(text(rest), "PRI-ishmore");
  EXPECT_TRUE(conn.is_closed());
}

TEST_F(ClientConnectionTest, TreatsAnOrdinaryAnswerToAnUpgradeAsAResponse) {
  const RequestId id = get("/", "GET", /*upgrade=*/true);
  feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_FALSE(conn.upgraded());
  EXPECT_EQ(rec.responses[id.value].body, "hi");
  EXPECT_FALSE(conn.is_closed());
}

TEST_F(ClientConnectionTest, ClosesAfterConnectionClose) {
  get();
  feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\nignored");
  EXPECT_TRUE(conn.is_closed());
  EXPECT_TRUE(rec.failures.empty());
  EXPECT_EQ(conn.submit_request({"GET", "/", {}}, {}).error(), ClientErrc::connection_closed);
}

TEST_F(ClientConnectionTest, Http10ResponseWithoutKeepAliveCloses) {
  get();
  feed("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx");
  EXPECT_TRUE(conn.is_closed());
}

TEST_F(ClientConnectionTest, AcceptsRepeatedEqualContentLengths) {
  const RequestId id = get();
  feed("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok");
  EXPECT_EQ(rec.responses[id.value].body, "ok");
}

struct Malformed {
  const char* name;
  std::string_view input;
  ResponseError error;
};

class ClientMalformedTest : public ::testing::TestWithParam<Malformed> {};

TEST_P(ClientMalformedTest, FailsTheResponseWholeAndByteByByte) {
  for (bool bytewise : {false, true}) {
    ClientConnection conn;
    const Header fields[] = {{"host", "h"}};
    ASSERT_TRUE(conn.submit_request({"GET", "/", fields}, {}).ok());
    Recorder rec;
    if (bytewise) {
      for (char c : GetParam().input) rec.record(conn.receive(bytes(std::string_view(&c, 1))));
    } else {
      rec.record(conn.receive(bytes(GetParam().input)));
    }
    if (rec.failures.empty()) rec.record(conn.receive_eof());
    ASSERT_EQ(rec.failures.size(), 1U) << GetParam().name;
    EXPECT_EQ(rec.failures[0].error, GetParam().error) << GetParam().name << " " << to_string(rec.failures[0].error);
    EXPECT_TRUE(conn.is_closed());
  }
}

const Malformed kMalformed[] = {
    {"NoVersion", "200 OK\r\n\r\n", ResponseError::malformed_status_line},
    {"LowerCaseVersion", "http/1.1 200 OK\r\n\r\n", ResponseError::malformed_status_line},
    {"TwoDigitStatus", "HTTP/1.1 20 OK\r\n\r\n", ResponseError::malformed_status_line},
    {"LetterInStatus", "HTTP/1.1 2x0 OK\r\n\r\n", ResponseError::malformed_status_line},
    {"NoSpaceBeforeReason", "HTTP/1.1 200OK\r\n\r\n", ResponseError::malformed_status_line},
    {"Http2Version", "HTTP/2.0 200 OK\r\n\r\n", ResponseError::unsupported_version},
    {"BareLf", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", ResponseError::malformed_head},
    {"ObsFold", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", ResponseError::malformed_head},
    {"SpaceBeforeColon", "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", ResponseError::malformed_head},
    {"NulInValue", std::string_view("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", 28), ResponseError::malformed_head},
    {"BadContentLength", "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", ResponseError::invalid_content_length},
    {"DifferingContentLengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
     ResponseError::invalid_content_length},
    {"NegativeContentLength", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", ResponseError::invalid_content_length},
    {"ContentLengthAndChunked", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
     ResponseError::content_length_with_chunked},
    {"ChunkedTwice", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
     ResponseError::invalid_transfer_encoding},
    {"ChunkedNotFinal", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
     ResponseError::invalid_transfer_encoding},
    {"BadChunkSize", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ResponseError::bad_chunk},
    {"ChunkWithoutCrlf", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX", ResponseError::bad_chunk},
    {"TruncatedHead", "HTTP/1.1 200 OK\r\nContent-Le", ResponseError::truncated},
    {"TruncatedBody", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", ResponseError::truncated},
    {"TruncatedChunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", ResponseError::truncated},
    {"NoResponseAtAll", "", ResponseError::truncated},
    {"UnrequestedSwitch", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", ResponseError::unexpected_switch},
    {"ExtraResponse", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
     ResponseError::unsolicited},
};

INSTANTIATE_TEST_SUITE_P(Responses, ClientMalformedTest, ::testing::ValuesIn(kMalformed),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(ClientLimitsTest, FailsAHeadOverTheFieldLineLimit) {
  ClientOptions options;
  options.max_field_line = 64;
  ClientConnection conn(options);
  ASSERT_TRUE(conn.submit_request({"GET", "/", {}}, {}).ok());
  Recorder rec;
  rec.record(conn.receive(bytes("HTTP/1.1 200 OK\r\nX: " + std::string(100, 'a') + "\r\n\r\n")));
  ASSERT_EQ(rec.failures.size(), 1U);
  EXPECT_EQ(rec.failures[0].error, ResponseError::head_too_large);
  EXPECT_EQ(rec.failures[0].detail, ParseError::field_line_too_long);
}

TEST(ClientLimitsTest, FailsEndlessInformationalResponses) {
  ClientOptions options;
  options.max_informational = 3;
  ClientConnection conn(options);
  ASSERT_TRUE(conn.submit_request({"GET", "/", {}}, {}).ok());
  Recorder rec;
  std::string input;
  for (int i = 0; i < 5; ++i) input += "HTTP/1.1 103 Early Hints\r\n\r\n";
  rec.record(conn.receive(bytes(input)));
  EXPECT_EQ(rec.informational.size(), 3U);
  ASSERT_EQ(rec.failures.size(), 1U);
  EXPECT_EQ(rec.failures[0].error, ResponseError::too_many_informational);
}

}  // namespace
}  // namespace h2push::http1
