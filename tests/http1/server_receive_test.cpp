// tests/http1/server_receive_test.cpp: ServerConnection's read side: requests, bodies, pipelining, persistence,
// read states and timeouts, held input and the h2c pause.
#include <gtest/gtest.h>

#include <string>

#include "h2push/http1/server_connection.hpp"
#include "http1/http1_test_util.hpp"

namespace h2push::http1 {
namespace {

using testing::bytes;
using testing::drain;
using testing::feed;
using testing::feed_split;
using testing::Fields;
using testing::parse_responses;
using testing::Recorder;
using testing::respond;

TEST(ServerConnectionTest, ReportsAGetRequest) {
  ServerConnection conn;
  Recorder rec;
  feed(conn, "GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Mixed-Case: V\r\n\r\n", rec);
  ASSERT_EQ(rec.requests.size(), 1u);
  const auto& r = rec.requests[0];
  EXPECT_EQ(r.id, RequestId{0});
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/index.html?x=1");
  EXPECT_EQ(r.version, Version::http_1_1);
  EXPECT_EQ(r.headers, (Fields{{"host", "example.com"}, {"accept", "*/*"}, {"x-mixed-case", "V"}}));
  EXPECT_TRUE(r.end_stream);
  EXPECT_TRUE(r.keep_alive);
  EXPECT_FALSE(r.content_length);
  EXPECT_FALSE(r.expects_continue);
  EXPECT_FALSE(r.h2c_upgrade);
  EXPECT_TRUE(rec.errors.empty());
  EXPECT_EQ(conn.outstanding_requests(), 1u);
  EXPECT_TRUE(drain(conn).empty());  // nothing is written before the application answers
}

TEST(ServerConnectionTest, PointsBodyDataIntoTheInput) {
  ServerConnection conn;
  const std::string input = "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
  const auto events = conn.receive(bytes(input));
  ASSERT_EQ(events.size(), 2u);
  const auto& req = std::get<RequestReceived>(events[0]);
  EXPECT_EQ(req.content_length, 5u);
  EXPECT_FALSE(req.end_stream);
  const auto& data = std::get<DataReceived>(events[1]);
  EXPECT_EQ(reinterpret_cast<const char*>(data.data.data()), input.data() + input.size() - 5);
  EXPECT_EQ(data.data.size(), 5u);
  EXPECT_TRUE(data.end_stream);
}

TEST(ServerConnectionTest, DeliversAChunkedBodyAndItsTrailers) {
  ServerConnection conn;
  Recorder rec;
  feed(conn,
       "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
       "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nChecksum: ABC\r\nX-Other: 1\r\n\r\n",
       rec);
  ASSERT_EQ(rec.requests.size(), 1u);
  EXPECT_FALSE(rec.requests[0].content_length);
  EXPECT_FALSE(rec.requests[0].end_stream);
  EXPECT_EQ(rec.bodies[0], "hello world");
  EXPECT_EQ(rec.trailers[0], (Fields{{"checksum", "ABC"}, {"x-other", "1"}}));
  EXPECT_TRUE(rec.ended[0]);
}

TEST(ServerConnectionTest, EndsAChunkedBodyWithoutTrailersWithAnEmptyData) {
  ServerConnection conn;
  const std::string input = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  const auto events = conn.receive(bytes(input));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_FALSE(std::get<DataReceived>(events[1]).end_stream);
  EXPECT_TRUE(std::get<DataReceived>(events[2]).end_stream);
  EXPECT_TRUE(std::get<DataReceived>(events[2]).data.empty());
}

// A pipelined stream of a chunked POST with trailers, a Content-Length POST and a GET.
constexpr std::string_view kPipelined =
    "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    "4\r\nWiki\r\n5;x=\"y\"\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nT: 1\r\n\r\n"
    "POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world"
    "GET /c HTTP/1.1\r\nHost: a\r\n\r\n";

void expect_pipelined(const Recorder& rec, const std::string& where) {
  ASSERT_EQ(rec.requests.size(), 3u) << where;
  EXPECT_EQ(rec.requests[0].target, "/a") << where;
  EXPECT_EQ(rec.requests[1].target, "/b") << where;
  EXPECT_EQ(rec.requests[2].target, "/c") << where;
  EXPECT_EQ(rec.requests[2].headers, (Fields{{"host", "a"}})) << where;
  EXPECT_EQ(rec.bodies.at(0), "Wikipedia in\r\n\r\nchunks.") << where;
  EXPECT_EQ(rec.trailers.at(0), (Fields{{"t", "1"}})) << where;
  EXPECT_EQ(rec.bodies.at(1), "hello world") << where;
  EXPECT_TRUE(rec.ended.at(0) && rec.ended.at(1) && rec.ended.at(2)) << where;
  EXPECT_TRUE(rec.errors.empty()) << where;
}

TEST(ServerConnectionTest, GivesTheSameEventsForEverySplitOfTheInput) {
  {
    ServerConnection conn;
    Recorder rec;
    feed(conn, kPipelined, rec);
    expect_pipelined(rec, "whole");
  }
  for (std::size_t split = 1; split < kPipelined.size(); ++split) {
    ServerConnection conn;
    Recorder rec;
    for (std::string_view part : {kPipelined.substr(0, split), kPipelined.substr(split)}) {
      const std::string copy(part);
      rec.add(conn.receive(bytes(copy)));
    }
    expect_pipelined(rec, "split at " + std::to_string(split));
  }
  ServerConnection conn;
  Recorder rec;
  feed_split(conn, kPipelined, 1, rec);
  expect_pipelined(rec, "byte by byte");
}

TEST(ServerConnectionTest, ReportsThreePipelinedRequestsFromOneBuffer) {
  ServerConnection conn;
  Recorder rec;
  feed(conn, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n",
       rec);
  ASSERT_EQ(rec.requests.size(), 3u);
  for (std::uint64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(rec.requests[i].id, RequestId{i});
    EXPECT_EQ(rec.requests[i].target, std::string(1, '/').append(std::to_string(i + 1)));
  }
  EXPECT_EQ(conn.outstanding_requests(), 3u);
}

TEST(ServerConnectionTest, SkipsEmptyLinesBetweenRequests) {
  ServerConnection conn;
  Recorder rec;
  feed(conn, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", rec);
  EXPECT_EQ(rec.requests.size(), 2u);
  EXPECT_TRUE(rec.errors.empty());
}

TEST(ServerConnectionTest, ReadsNoRequestAfterConnectionClose) {  // RFC 9112 §9.6
  ServerConnection conn;
  Recorder rec;
  feed(conn, "GET /1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n", rec);
  ASSERT_EQ(rec.requests.size(), 1u);
  EXPECT_FALSE(rec.requests[0].keep_alive);
  EXPECT_EQ(conn.read_state(), ReadState::closed);
  EXPECT_FALSE(conn.is_closed());  // the response is still owed
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "ok"));
  const auto responses = parse_responses(drain(conn));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].field("connection"), "close");
  EXPECT_TRUE(conn.is_closed());
}

TEST(ServerConnectionTest, PersistsHttp10OnlyWithKeepAlive) {
  ServerConnection conn;
  Recorder rec;
  feed(conn, "GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\nGET /3 HTTP/1.0\r\n\r\n", rec);
  ASSERT_EQ(rec.requests.size(), 2u);
  EXPECT_EQ(rec.requests[0].version, Version::http_1_0);
  EXPECT_TRUE(rec.requests[0].keep_alive);
  EXPECT_FALSE(rec.requests[1].keep_alive);
  EXPECT_EQ(conn.read_state(), ReadState::closed);
}

TEST(ServerConnectionTest, ReportsTheReadStateForTheTimers) {
  ServerConnection conn;
  Recorder rec;
  EXPECT_EQ(conn.read_state(), ReadState::idle);
  feed(conn, "POST / HTTP/1.1\r\nHo", rec);
  EXPECT_EQ(conn.read_state(), ReadState::head);
  feed(conn, "st: a\r\nContent-Length: 4\r\n\r\nab", rec);
  EXPECT_EQ(conn.read_state(), ReadState::body);
  feed(conn, "cd", rec);
  EXPECT_EQ(conn.read_state(), ReadState::idle);
  EXPECT_TRUE(conn.wants_read());
  feed(conn, "\r\n", rec);  // an empty line between requests is no head yet
  EXPECT_EQ(conn.read_state(), ReadState::idle);
  conn.shutdown();
  EXPECT_EQ(conn.read_state(), ReadState::closed);
  EXPECT_FALSE(conn.wants_read());
}

TEST(ServerConnectionTest, AnswersATimeoutInTheHeadWith408) {
  ServerConnection conn;
  conn.set_date("Sun, 06 Nov 1994 08:49:37 GMT");
  Recorder rec;
  feed(conn, "GET / HTTP/1.1\r\nHost: a\r\n", rec);
  rec.add(conn.read_timeout());
  ASSERT_EQ(rec.errors.size(), 1u);
  EXPECT_EQ(rec.errors[0].status, 408);
  EXPECT_EQ(rec.errors[0].error, ParseError::timeout);
  EXPECT_FALSE(rec.errors[0].body_aborted);
  EXPECT_EQ(drain(conn),
            "HTTP/1.1 408 Request Timeout\r\ndate: Sun, 06 Nov 1994 08:49:37 GMT\r\ncontent-length: 0\r\n"
            "connection: close\r\n\r\n");
  EXPECT_TRUE(conn.is_closed());
}

TEST(ServerConnectionTest, AnswersATimeoutInAnUnansweredBodyWith408) {
  ServerConnection conn;
  Recorder rec;
  feed(conn, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc", rec);
  rec.add(conn.read_timeout());
  ASSERT_EQ(rec.errors.size(), 1u);
  EXPECT_EQ(rec.errors[0].request, RequestId{0});
  EXPECT_TRUE(rec.errors[0].body_aborted);
  EXPECT_EQ(conn.submit_response(RequestId{0}, std::vector<Header>{{":status", "200"}}, true).error(),
            Errc::invalid_state);
  const auto responses = parse_responses(drain(conn));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 408);
  EXPECT_TRUE(conn.is_closed());
}

TEST(ServerConnectionTest, KeepsTheAnswerAlreadySubmittedWhenTheBodyFails) {
  ServerConnection conn;
  Recorder rec;
  feed(conn, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", rec);
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "done"));
  feed(conn, "zz\r\n", rec);  // not a chunk size
  ASSERT_EQ(rec.errors.size(), 1u);
  EXPECT_EQ(rec.errors[0].error, ParseError::invalid_chunk_size);
  EXPECT_TRUE(rec.errors[0].body_aborted);
  const auto responses = parse_responses(drain(conn));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].body, "done");
  EXPECT_TRUE(conn.is_closed());
}

TEST(ServerConnectionTest, ClosesQuietlyOnAnIdleTimeout) {
  ServerConnection conn;
  Recorder rec;
  feed(conn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", rec);
  rec.add(conn.read_timeout());  // idle between requests, one response owed
  EXPECT_TRUE(rec.errors.empty());
  EXPECT_FALSE(conn.is_closed());
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "x"));
  const auto responses = parse_responses(drain(conn));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].field("connection"), "close");
  EXPECT_TRUE(conn.is_closed());
}

TEST(ServerConnectionTest, HoldsInputWhileThePipelineIsFull) {
  Options options;
  options.max_pipelined_requests = 2;
  ServerConnection conn(options);
  Recorder rec;
  feed(conn, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n",
       rec);
  EXPECT_EQ(rec.requests.size(), 2u);
  EXPECT_EQ(conn.read_state(), ReadState::paused);
  EXPECT_FALSE(conn.wants_read());
  EXPECT_TRUE(conn.has_held_input());
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "one"));
  drain(conn);
  EXPECT_TRUE(conn.wants_read());
  feed(conn, "", rec);
  ASSERT_EQ(rec.requests.size(), 3u);
  EXPECT_EQ(rec.requests[2].target, "/3");
  EXPECT_FALSE(conn.has_held_input());
}

TEST(ServerConnectionTest, ParsesNothingAfterAnError) {
  ServerConnection conn;
  Recorder rec;
  feed(conn, "GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", rec);
  feed(conn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", rec);
  EXPECT_TRUE(rec.requests.empty());
  ASSERT_EQ(rec.errors.size(), 1u);
  EXPECT_EQ(conn.read_state(), ReadState::closed);
}

TEST(ServerConnectionTest, AcceptsBareLfLineEndingsOnlyWhenConfigured) {
  const std::string_view input = "GET / HTTP/1.1\nHost: a\n\n";
  {
    ServerConnection conn;
    Recorder rec;
    feed(conn, input, rec);
    ASSERT_EQ(rec.errors.size(), 1u);
    EXPECT_EQ(rec.errors[0].error, ParseError::bare_lf);
  }
  Options options;
  options.accept_bare_lf = true;
  ServerConnection conn(options);
  Recorder rec;
  feed(conn, input, rec);
  ASSERT_EQ(rec.requests.size(), 1u);
  EXPECT_EQ(rec.requests[0].headers, (Fields{{"host", "a"}}));
}

TEST(ServerConnectionTest, PausesAfterAnH2cUpgradeRequestUntilTheApplicationDecides) {  // UP-3.2-02
  ServerConnection conn;
  Recorder rec;
  feed(conn,
       "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
       "HTTP2-Settings: AAMAAABk\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n",
       rec);
  ASSERT_EQ(rec.requests.size(), 1u);
  EXPECT_TRUE(rec.requests[0].h2c_upgrade);
  EXPECT_EQ(rec.requests[0].http2_settings, std::string("\0\3\0\0\0\x64", 6));
  EXPECT_EQ(conn.read_state(), ReadState::paused);
  // Declined: answered over HTTP/1.1, and the next request is read.
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "h1"));
  EXPECT_TRUE(conn.wants_read());
  feed(conn, "", rec);
  ASSERT_EQ(rec.requests.size(), 2u);
  EXPECT_EQ(rec.requests[1].target, "/next");
}

TEST(ServerConnectionTest, SniffsTheHttp2Preface) {
  const std::string_view preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  EXPECT_EQ(match_http2_preface(bytes(preface)), PrefaceMatch::complete);
  EXPECT_EQ(match_http2_preface(bytes(std::string(preface) + "\0\0\0\4")), PrefaceMatch::complete);
  EXPECT_EQ(match_http2_preface(bytes("PRI * HT")), PrefaceMatch::partial);
  EXPECT_EQ(match_http2_preface({}), PrefaceMatch::partial);
  EXPECT_EQ(match_http2_preface(bytes("GET / HTTP/1.1\r\n")), PrefaceMatch::mismatch);
  EXPECT_EQ(match_http2_preface(bytes("PRI * HTTP/1.1")), PrefaceMatch::mismatch);
  // Fed to the HTTP/1.1 core anyway, the preface is a request for version 2.0.
  ServerConnection conn;
  Recorder rec;
  feed(conn, preface, rec);
  ASSERT_EQ(rec.errors.size(), 1u);
  EXPECT_EQ(rec.errors[0].status, 505);
}

}  // namespace
}  // namespace h2push::http1
