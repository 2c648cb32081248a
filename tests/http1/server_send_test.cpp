// tests/http1/server_send_test.cpp: ServerConnection's write side: framing, ordering, 1xx, 100-continue, HEAD,
// trailers, body sources and the output budget, the h2c upgrade, shutdown and API misuse.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "h2push/http1/server_connection.hpp"
#include "http1/http1_test_util.hpp"

namespace h2push::http1 {
namespace {

using testing::bytes;
using testing::drain;
using testing::feed;
using testing::Fields;
using testing::parse_responses;
using testing::Recorder;
using testing::respond;
using testing::StringSource;

using H = std::vector<Header>;

ServerConnection with_requests(std::string_view input, Recorder& rec, const Options& options = {}) {
  ServerConnection conn(options);
  feed(conn, input, rec);
  EXPECT_TRUE(rec.errors.empty());
  return conn;
}

constexpr std::string_view kGet = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

TEST(ServerConnectionTest, WritesAContentLengthResponse) {
  Recorder rec;
  ServerConnection conn = with_requests(kGet, rec);
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "hello", {{"content-type", "text/plain"}}));
  EXPECT_EQ(drain(conn), "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello");
  EXPECT_FALSE(conn.is_closed());
  EXPECT_EQ(conn.outstanding_requests(), 0u);
}

TEST(ServerConnectionTest, AddsAZeroContentLengthWhenTheResponseEndsAtOnce) {
  Recorder rec;
  ServerConnection conn = with_requests(kGet, rec);
  ASSERT_TRUE(conn.submit_response(RequestId{0}, H{{":status", "404"}}, true));
  EXPECT_EQ(drain(conn), "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
}

TEST(ServerConnectionTest, ChunksABodyOfUnknownLengthWithTrailers) {
  Recorder rec;
  ServerConnection conn = with_requests(kGet, rec);
  ASSERT_TRUE(conn.submit_response(RequestId{0}, H{{":status", "200"}}, false));
  ASSERT_TRUE(conn.send_data(RequestId{0}, bytes("hello "), false));
  ASSERT_TRUE(conn.send_data(RequestId{0}, bytes(""), false));  // no empty chunk: it would end the body
  ASSERT_TRUE(conn.send_data(RequestId{0}, bytes("chunked world"), false));
  ASSERT_TRUE(conn.submit_trailers(RequestId{0}, H{{"checksum", "abc"}}));
  EXPECT_EQ(drain(conn),
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
            "6\r\nhello \r\nd\r\nchunked world\r\n0\r\nchecksum: abc\r\n\r\n");
}

TEST(ServerConnectionTest, DropsTrailersOfAContentLengthResponse) {
  Recorder rec;
  ServerConnection conn = with_requests(kGet, rec);
  ASSERT_TRUE(conn.submit_response(RequestId{0}, H{{":status", "200"}, {"content-length", "2"}}, false));
  ASSERT_TRUE(conn.send_data(RequestId{0}, bytes("ok"), false));
  ASSERT_TRUE(conn.submit_trailers(RequestId{0}, H{{"checksum", "abc"}}));
  EXPECT_EQ(drain(conn), "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
}

TEST(ServerConnectionTest, DelimitsAnHttp10BodyOfUnknownLengthByClosing) {
  Recorder rec;
  ServerConnection conn = with_requests("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", rec);
  ASSERT_TRUE(conn.submit_response(RequestId{0}, H{{":status", "200"}}, false));
  ASSERT_TRUE(conn.send_data(RequestId{0}, bytes("raw body"), true));
  EXPECT_EQ(drain(conn), "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nraw body");
  EXPECT_TRUE(conn.is_closed());
}

TEST(ServerConnectionTest, KeepsAnHttp10ConnectionThatAskedForIt) {
  Recorder rec;
  ServerConnection conn = with_requests("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", rec);
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "x"));
  EXPECT_EQ(drain(conn), "HTTP/1.1 200 OK\r\ncontent-length: 1\r\nconnection: keep-alive\r\n\r\nx");
  EXPECT_FALSE(conn.is_closed());
  feed(conn, "GET / HTTP/1.0\r\n\r\n", rec);
  ASSERT_EQ(rec.requests.size(), 2u);
  ASSERT_TRUE(respond(conn, RequestId{1}, "200", "y"));
  EXPECT_EQ(parse_responses(drain(conn))[0].field("connection"), "close");
  EXPECT_TRUE(conn.is_closed());
}

TEST(ServerConnectionTest, WritesNoBodyForHeadButKeepsTheLength) {  // HS-9.3.2-01, EH-H1-03
  Recorder rec;
  ServerConnection conn = with_requests("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: a\r\n\r\n", rec);
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "the body of GET"));
  ASSERT_TRUE(conn.submit_response(RequestId{1}, H{{":status", "200"}}, false));
  ASSERT_TRUE(conn.send_body(RequestId{1}, std::make_unique<StringSource>("never read")));
  EXPECT_EQ(drain(conn), "HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\nHTTP/1.1 200 OK\r\n\r\n");
  EXPECT_FALSE(conn.is_closed());
}

TEST(ServerConnectionTest, WritesNoBodyFor204And304) {
  Recorder rec;
  ServerConnection conn = with_requests(std::string(kGet) + std::string(kGet), rec);
  ASSERT_TRUE(conn.submit_response(RequestId{0}, H{{":status", "204"}}, false));
  ASSERT_TRUE(conn.send_data(RequestId{0}, bytes("dropped"), true));
  ASSERT_TRUE(conn.submit_response(RequestId{1}, H{{":status", "304"}, {"content-length", "99"}}, true));
  EXPECT_EQ(drain(conn), "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\ncontent-length: 99\r\n\r\n");
}

TEST(ServerConnectionTest, AnswersPipelinedRequestsInOrderWhenSubmittedOutOfOrder) {
  Recorder rec;
  ServerConnection conn = with_requests(
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n", rec);
  ASSERT_TRUE(respond(conn, RequestId{2}, "200", "third"));
  ASSERT_TRUE(conn.submit_response(RequestId{1}, H{{":status", "200"}}, false));
  ASSERT_TRUE(conn.send_data(RequestId{1}, bytes("sec"), false));
  EXPECT_TRUE(drain(conn).empty());  // the first is not answered yet
  ASSERT_TRUE(conn.submit_informational(RequestId{0}, H{{":status", "103"}, {"link", "</s.css>; rel=preload"}}));
  EXPECT_EQ(drain(conn), "HTTP/1.1 103 Early Hints\r\nlink: </s.css>; rel=preload\r\n\r\n");
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "first"));
  ASSERT_TRUE(conn.send_data(RequestId{1}, bytes("ond"), true));
  const auto responses = parse_responses(drain(conn));
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].body, "first");
  EXPECT_EQ(responses[1].body, "second");
  EXPECT_TRUE(responses[1].chunked);
  EXPECT_EQ(responses[2].body, "third");
  EXPECT_EQ(conn.outstanding_requests(), 0u);
}

TEST(ServerConnectionTest, SendsEarlyHintsBeforeTheFinalResponse) {  // EH-2-01 (RFC 8297 §2)
  Recorder rec;
  ServerConnection conn = with_requests(kGet, rec);
  ASSERT_TRUE(conn.submit_informational(RequestId{0}, H{{":status", "103"}, {"link", "</a.css>; rel=preload"}}));
  ASSERT_TRUE(conn.submit_informational(RequestId{0}, H{{":status", "103"}, {"link", "</b.js>; rel=preload"}}));
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "page"));
  EXPECT_EQ(conn.submit_informational(RequestId{0}, H{{":status", "103"}}).error(), Errc::invalid_state);
  const auto responses = parse_responses(drain(conn));
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].status, 103);
  EXPECT_EQ(responses[0].field("link"), "</a.css>; rel=preload");
  EXPECT_EQ(responses[1].status, 103);
  EXPECT_EQ(responses[2].status, 200);
  EXPECT_EQ(responses[2].body, "page");
}

TEST(ServerConnectionTest, RefusesInformationalAfterTheFinalResponse) {
  Recorder rec;
  ServerConnection conn = with_requests(kGet, rec);
  ASSERT_TRUE(conn.submit_response(RequestId{0}, H{{":status", "200"}}, false));
  EXPECT_EQ(conn.submit_informational(RequestId{0}, H{{":status", "103"}}).error(), Errc::invalid_state);
  EXPECT_EQ(conn.submit_informational(RequestId{0}, H{{":status", "101"}}).error(), Errc::invalid_state);
}

TEST(ServerConnectionTest, NeverSendsInformationalToHttp10) {  // EH-H1-01 (RFC 9110 §15.2)
  Recorder rec;
  ServerConnection conn = with_requests("GET / HTTP/1.0\r\n\r\n", rec);
  EXPECT_EQ(conn.submit_informational(RequestId{0}, H{{":status", "103"}, {"link", "</a>"}}).error(),
            Errc::http10_client);
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "x"));
  const auto responses = parse_responses(drain(conn));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 200);
}

TEST(ServerConnectionTest, SendsContinueWhenTheApplicationReadsTheBody) {
  Recorder rec;
  ServerConnection conn =
      with_requests("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", rec);
  ASSERT_TRUE(rec.requests[0].expects_continue);
  EXPECT_TRUE(drain(conn).empty());
  ASSERT_TRUE(conn.accept_body(RequestId{0}));
  ASSERT_TRUE(conn.accept_body(RequestId{0}));  // once only
  EXPECT_EQ(drain(conn), "HTTP/1.1 100 Continue\r\n\r\n");
  feed(conn, "hello", rec);
  EXPECT_EQ(rec.bodies[0], "hello");
  ASSERT_TRUE(respond(conn, RequestId{0}, "201", ""));
  EXPECT_EQ(drain(conn), "HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n");
  EXPECT_FALSE(conn.is_closed());
}

TEST(ServerConnectionTest, ClosesAfterAFinalResponseThatPreemptsAnExpectedBody) {
  Recorder rec;
  ServerConnection conn =
      with_requests("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", rec);
  ASSERT_TRUE(conn.submit_response(RequestId{0}, H{{":status", "405"}, {"allow", "GET, HEAD"}}, true));
  ASSERT_TRUE(conn.accept_body(RequestId{0}));  // too late: no 100 after the final response
  EXPECT_EQ(drain(conn),
            "HTTP/1.1 405 Method Not Allowed\r\nallow: GET, HEAD\r\ncontent-length: 0\r\n"
            "connection: close\r\n\r\n");
  EXPECT_TRUE(conn.is_closed());
}

TEST(ServerConnectionTest, SkipsContinueWhenTheBodyAlreadyArrived) {
  Recorder rec;
  ServerConnection conn =
      with_requests("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi", rec);
  ASSERT_TRUE(conn.accept_body(RequestId{0}));
  EXPECT_TRUE(drain(conn).empty());
  ASSERT_TRUE(conn.submit_response(RequestId{0}, H{{":status", "204"}}, true));
  EXPECT_EQ(drain(conn), "HTTP/1.1 204 No Content\r\n\r\n");  // and no connection: close
  EXPECT_FALSE(conn.is_closed());
}

TEST(ServerConnectionTest, PullsABodySourceOnlyWithinTheOutputBudget) {
  Options options;
  options.output_budget = 1000;
  Recorder rec;
  ServerConnection conn = with_requests(kGet, rec, options);
  std::size_t reads = 0;
  const std::string body(10000, 'x');
  ASSERT_TRUE(conn.submit_response(RequestId{0}, H{{":status", "200"}, {"content-length", "10000"}}, false));
  ASSERT_TRUE(conn.send_body(RequestId{0}, std::make_unique<StringSource>(body, SIZE_MAX, &reads)));
  const auto first = conn.pending_output();
  EXPECT_LE(first.size(), 1000u + 64u);                   // the head plus at most a budget of body
  EXPECT_EQ(conn.pending_output().size(), first.size());  // no growth while nothing is consumed
  const std::size_t reads_before = reads;
  std::string all = testing::text(first);
  conn.consume_output(first.size());
  all += drain(conn, 300);
  EXPECT_GT(reads, reads_before);
  EXPECT_EQ(parse_responses(all)[0].body, body);
}

TEST(ServerConnectionTest, ChunksASourceCorrectlyWhateverTheWriteSizes) {
  std::string body;
  for (int i = 0; i < 5000; ++i) body += static_cast<char>('a' + i % 26);
  for (std::size_t step : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, SIZE_MAX}) {
    Options options;
    options.output_budget = 512;
    Recorder rec;
    ServerConnection conn = with_requests(kGet, rec, options);
    ASSERT_TRUE(conn.submit_response(RequestId{0}, H{{":status", "200"}}, false));
    ASSERT_TRUE(conn.send_body(RequestId{0}, std::make_unique<StringSource>(body, 300)));
    ASSERT_TRUE(conn.submit_trailers(RequestId{0}, H{{"x-done", "1"}}));
    const std::string wire = drain(conn, step);
    const auto responses = parse_responses(wire);
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0].body, body);
    EXPECT_EQ(responses[0].trailers, (Fields{{"x-done", "1"}}));
    // Pulls wait for half the budget to drain, so a byte-by-byte writer does not get 1-octet chunks.
    EXPECT_LT(wire.size(), body.size() + 300) << step;
  }
}

TEST(ServerConnectionTest, WaitsForResumeWhenASourceHasNothingYet) {
  Recorder rec;
  ServerConnection conn = with_requests(kGet, rec);
  ASSERT_TRUE(conn.submit_response(RequestId{0}, H{{":status", "200"}}, false));
  auto source = std::make_unique<StringSource>("later");
  source->pause_once().separate_end();
  ASSERT_TRUE(conn.send_body(RequestId{0}, std::move(source)));
  EXPECT_EQ(drain(conn), "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
  EXPECT_FALSE(conn.wants_write());
  conn.resume_body(RequestId{0});
  EXPECT_TRUE(conn.wants_write());
  EXPECT_EQ(drain(conn), "5\r\nlater\r\n0\r\n\r\n");
}

TEST(ServerConnectionTest, ClosesWhenASourceFailsOrEndsShort) {
  for (bool fail : {true, false}) {
    Recorder rec;
    ServerConnection conn = with_requests(std::string(kGet) + std::string(kGet), rec);
    ASSERT_TRUE(conn.submit_response(RequestId{0}, H{{":status", "200"}, {"content-length", "10"}}, false));
    auto source = std::make_unique<StringSource>("short", 2);
    if (fail) source->fail_at(4);
    ASSERT_TRUE(conn.send_body(RequestId{0}, std::move(source)));
    ASSERT_TRUE(respond(conn, RequestId{1}, "200", "never"));
    const std::string wire = drain(conn);
    EXPECT_EQ(wire.find("never"), std::string::npos);
    EXPECT_TRUE(conn.is_closed()) << fail;
    EXPECT_EQ(conn.read_state(), ReadState::closed);
  }
}

TEST(ServerConnectionTest, EnforcesTheContentLengthOfResponses) {
  Recorder rec;
  ServerConnection conn = with_requests(kGet, rec);
  EXPECT_EQ(conn.submit_response(RequestId{0}, H{{":status", "200"}, {"content-length", "3"}}, true).error(),
            Errc::content_length_mismatch);
  ASSERT_TRUE(conn.submit_response(RequestId{0}, H{{":status", "200"}, {"content-length", "3"}}, false));
  EXPECT_EQ(conn.send_data(RequestId{0}, bytes("abcd"), false).error(), Errc::content_length_mismatch);
  EXPECT_EQ(conn.send_data(RequestId{0}, bytes("ab"), true).error(), Errc::content_length_mismatch);
  EXPECT_EQ(conn.submit_trailers(RequestId{0}, H{{"x", "1"}}).error(), Errc::content_length_mismatch);
  ASSERT_TRUE(conn.send_data(RequestId{0}, bytes("abc"), true));
}

TEST(ServerConnectionTest, RefusesMisuse) {
  Recorder rec;
  ServerConnection conn = with_requests(kGet, rec);
  EXPECT_EQ(conn.submit_response(RequestId{5}, H{{":status", "200"}}, true).error(), Errc::unknown_request);
  EXPECT_EQ(conn.send_data(RequestId{0}, bytes("x"), true).error(), Errc::invalid_state);
  EXPECT_EQ(conn.submit_trailers(RequestId{0}, H{}).error(), Errc::invalid_state);
  EXPECT_EQ(conn.submit_response(RequestId{0}, H{{":status", "200"}, {"transfer-encoding", "chunked"}}, false).error(),
            Errc::invalid_headers);
  EXPECT_EQ(conn.submit_response(RequestId{0}, H{{":status", "200"}, {"x", "a\r\nb: c"}}, false).error(),
            Errc::invalid_headers);
  EXPECT_EQ(conn.accept_h2c_upgrade(RequestId{0}).error(), Errc::not_upgradable);
  ASSERT_TRUE(conn.submit_response(RequestId{0}, H{{":status", "200"}}, false));
  EXPECT_EQ(conn.submit_response(RequestId{0}, H{{":status", "200"}}, false).error(), Errc::invalid_state);
  ASSERT_TRUE(conn.send_body(RequestId{0}, std::make_unique<StringSource>("x")));
  EXPECT_EQ(conn.send_data(RequestId{0}, bytes("x"), true).error(), Errc::invalid_state);
  EXPECT_EQ(conn.send_body(RequestId{0}, std::make_unique<StringSource>("x")).error(), Errc::invalid_state);
}

TEST(ServerConnectionTest, AcceptsAnH2cUpgradeAndHandsBackTheHttp2Bytes) {  // UP-3.2-03 (RFC 7540 §3.2)
  Recorder rec;
  ServerConnection conn = with_requests(
      "GET /x HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: \r\n\r\n"
      "PRI * HTTP/2.0\r\n\r\nSM",
      rec);
  ASSERT_EQ(rec.requests.size(), 2u);
  ASSERT_TRUE(rec.requests[1].h2c_upgrade);
  auto rest = conn.accept_h2c_upgrade(RequestId{1});
  ASSERT_TRUE(rest);
  EXPECT_EQ(testing::text(*rest), "PRI * HTTP/2.0\r\n\r\nSM");
  EXPECT_TRUE(conn.upgraded());
  EXPECT_EQ(conn.read_state(), ReadState::closed);
  EXPECT_TRUE(conn.receive(bytes("\r\n\r\n")).empty());  // HTTP/2's now
  EXPECT_TRUE(drain(conn).empty());                      // the 101 waits for the first response
  EXPECT_FALSE(conn.is_closed());
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "first"));
  EXPECT_EQ(drain(conn),
            "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfirst"
            "HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: h2c\r\n\r\n");
  EXPECT_TRUE(conn.is_closed());
  EXPECT_EQ(conn.submit_response(RequestId{1}, H{{":status", "200"}}, true).error(), Errc::connection_closed);
}

TEST(ServerConnectionTest, ClosesAfterTheLastResponseOnShutdown) {
  Recorder rec;
  ServerConnection conn = with_requests(std::string(kGet) + std::string(kGet), rec);
  conn.shutdown();
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "a"));
  ASSERT_TRUE(respond(conn, RequestId{1}, "200", "b"));
  const auto responses = parse_responses(drain(conn));
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].field("connection"), "");
  EXPECT_EQ(responses[1].field("connection"), "close");
  EXPECT_TRUE(conn.is_closed());
  ServerConnection idle;
  idle.shutdown();
  EXPECT_TRUE(idle.is_closed());
}

TEST(ServerConnectionTest, HonoursConnectionCloseFromTheApplication) {
  Recorder rec;
  ServerConnection conn = with_requests(std::string(kGet) + std::string(kGet), rec);
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "a", {{"Connection", "close"}}));
  EXPECT_EQ(respond(conn, RequestId{1}, "200", "b").error(), Errc::connection_closed);
  const auto responses = parse_responses(drain(conn));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].field("connection"), "close");
  EXPECT_TRUE(conn.is_closed());
}

TEST(ServerConnectionTest, DropsEverythingOnAbort) {
  Recorder rec;
  ServerConnection conn = with_requests(kGet, rec);
  ASSERT_TRUE(respond(conn, RequestId{0}, "200", "a"));
  conn.abort();
  EXPECT_TRUE(conn.pending_output().empty());
  EXPECT_TRUE(conn.is_closed());
  EXPECT_EQ(respond(conn, RequestId{0}, "200", "a").error(), Errc::connection_closed);
}

}  // namespace
}  // namespace h2push::http1
