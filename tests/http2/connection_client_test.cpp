// tests/http2/connection_client_test.cpp: our client role fed raw server bytes: the client's preface and stream
// ids, pushes received (§6.6, §8.4) and the response side of HTTP semantics (§8.1-§8.6). Rows for both roles are in
// connection_streams_test.cpp and connection_frames_test.cpp.
#include <gtest/gtest.h>

#include <string>

#include "connection_test_util.hpp"

namespace h2push::http2::test {
namespace {

using B = FrameBuilder;

Options push_client() {
  Options o = client_options();
  o.enable_push = true;
  return o;
}

Harness started_client(Options o = client_options(), SettingsEntries settings = {}) {
  Harness h(o);
  h.start(settings);
  return h;
}

// The server promises `path` on `parent` as `promised`.
void server_promises(Harness& h, std::uint32_t parent, std::uint32_t promised, const std::string& path) {
  EXPECT_EQ(h.feed(B().push_promise(parent, promised, h.block(get_request(path)))),
            (Texts{"PushPromised " + std::to_string(parent) + " promised=" + std::to_string(promised)}));
}

// A response whose header section is `fields` on a fresh stream is malformed: the stream is reset with
// PROTOCOL_ERROR, the response is not reported, and the connection (and its HPACK context) lives on.
void expect_malformed_response(const Fields& fields, bool end_stream = true) {
  SCOPED_TRACE(::testing::PrintToString(fields));
  Harness h = started_client();
  const std::uint32_t id = h.submit_get(true);
  const std::uint8_t flags = B::kEndHeaders | (end_stream ? B::kEndStream : 0);
  const Texts events = expect_reset(h, B().headers(id, h.block(fields), flags), id, ErrorCode::protocol_error);
  EXPECT_EQ(count_prefix(events, "ResponseReceived"), 0U);
  EXPECT_EQ(count_prefix(events, "InformationalReceived"), 0U);
  const std::uint32_t next = h.submit_get(true);
  EXPECT_EQ(h.respond(next, true, "200", {{"x-after", "1"}}),
            (Texts{"ResponseReceived " + std::to_string(next) + " status=200 END_STREAM"}));
}

Fields with(Fields base, const Fields& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

// ---- §3.4 preface -------------------------------------------------------------------------------------------------

TEST(ConnectionClientTest, SendsMagicThenSettingsAndMayRequestAtOnce) {
  // H2-3.4-01 (RFC 9113 §3.4)
  Harness h(client_options());
  const std::span<const std::byte> out = h.conn.pending_output();
  ASSERT_GE(out.size(), 24U + 9U);
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(out.data()), 24),
            std::string_view("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24));
  EXPECT_EQ(std::to_integer<int>(out[24 + 3]), B::kSettings);
  // A request before the server's SETTINGS arrive follows our preface.
  const auto req = as_headers(get_request());
  ASSERT_TRUE(h.conn.submit_request(req, true).ok());
  const Texts frames = h.output();
  ASSERT_EQ(frames.size(), 3U);
  EXPECT_EQ(frames[0].rfind("SETTINGS ", 0), 0U);
  EXPECT_EQ(frames[1].rfind("WINDOW_UPDATE 0 ", 0), 0U);
  EXPECT_EQ(frames[2], "HEADERS 1 GET / END_STREAM");
  EXPECT_EQ(h.feed(B().settings({}).headers(1, h.block(response()), B::kEndHeaders | B::kEndStream)),
            (Texts{"SettingsReceived", "ResponseReceived 1 status=200 END_STREAM"}));
}

TEST(ConnectionClientTest, IgnoresReservedBitInPromisedAndLastStreamIds) {
  // H2-4.1-02 (RFC 9113 §4.1)
  Harness h = started_client(push_client());
  h.submit_get(false);
  h.submit_get(false);
  EXPECT_EQ(h.feed(B().push_promise(0x80000001U, 0x80000002U, h.block(get_request("/a.js")))),
            (Texts{"PushPromised 1 promised=2"}));
  EXPECT_EQ(h.feed(B().goaway(0x80000001U, kNoError)),
            (Texts{"GoawayReceived 1 NO_ERROR", "StreamReset 3 REFUSED_STREAM by_peer"}));
  EXPECT_FALSE(h.conn.failed());
}

// ---- §5.1 stream states and identifiers ---------------------------------------------------------------------------

TEST(ConnectionClientTest, FailsWhenServerSendsHeadersOnStreamNeverPromised) {
  // H2-5.1-02 (RFC 9113 §5.1)
  Harness h = started_client(push_client());
  h.submit_get(true);
  expect_goaway(h, B().headers(2, h.block(response()), B::kEndHeaders), 0, ErrorCode::protocol_error);
}

TEST(ConnectionClientTest, AcceptsOnlyHeadersResetAndPriorityOnReservedRemoteStream) {
  // H2-5.1-04 (RFC 9113 §5.1)
  {
    Harness h = started_client(push_client());
    h.submit_get(false);
    server_promises(h, 1, 2, "/a.js");
    expect_goaway(h, B().data(2, "js"), 2, ErrorCode::protocol_error);
  }
  {
    Harness h = started_client(push_client());
    h.submit_get(false);
    server_promises(h, 1, 2, "/a.js");
    expect_goaway(h, B().window_update(2, 100), 2, ErrorCode::protocol_error);
  }
  {
    Harness h = started_client(push_client());
    h.submit_get(false);
    server_promises(h, 1, 2, "/a.js");
    server_promises(h, 1, 4, "/b.js");
    expect_ignored(h, B().priority(2, 0, 10));
    EXPECT_EQ(h.feed(B().rst_stream(2, kCancel)), (Texts{"StreamReset 2 CANCEL by_peer"}));
    EXPECT_EQ(h.feed(B().headers(4, h.block(response()), B::kEndHeaders)), (Texts{"ResponseReceived 4 status=200"}));
    EXPECT_EQ(h.output(), Texts{});
  }
}

TEST(ConnectionClientTest, FailsWhenPromisedIdDoesNotIncrease) {
  // H2-5.1.1-02 (RFC 9113 §5.1.1)
  // H2-6.6-04 (RFC 9113 §6.6)
  const std::uint32_t bad[] = {4, 6, 3};  // lower than 6, reused, odd
  for (const std::uint32_t promised : bad) {
    Harness h = started_client(push_client());
    h.submit_get(false);
    server_promises(h, 1, 6, "/a.js");
    expect_goaway(h, B().push_promise(1, promised, h.block(get_request("/b.js"))), 6, ErrorCode::protocol_error);
  }
}

TEST(ConnectionClientTest, ClosesSkippedPromisedIdsButNotIdsOnlyNamedByPriority) {
  // H2-5.1.1-03 (RFC 9113 §5.1.1)
  Harness h = started_client(push_client());
  h.submit_get(false);
  expect_ignored(h, B().priority(4, 0, 16));
  server_promises(h, 1, 2, "/a.js");  // PRIORITY on 4 did not open 4
  server_promises(h, 1, 6, "/b.js");  // 4 is skipped: closed
  expect_goaway(h, B().push_promise(1, 4, h.block(get_request("/c.js"))), 6, ErrorCode::protocol_error);
}

TEST(ConnectionClientTest, NeverReusesStreamIds) {
  // H2-5.1.1-04 (RFC 9113 §5.1.1)
  Harness h = started_client();
  std::uint32_t previous = 0;
  for (int i = 0; i < 5; ++i) {
    const std::uint32_t id = h.submit_get(true);
    EXPECT_EQ(id, previous + (previous == 0 ? 1 : 2));
    EXPECT_EQ(h.respond(id, true), (Texts{"ResponseReceived " + std::to_string(id) + " status=200 END_STREAM"}));
    previous = id;
  }
}

// ---- §5.1.2 concurrency -------------------------------------------------------------------------------------------

TEST(ConnectionClientTest, OpensNoMoreStreamsThanServerAllows) {
  // H2-5.1.2-01 (RFC 9113 §5.1.2)
  Harness h = started_client(push_client(), {{kMaxConcurrentStreams, 2}});
  const std::uint32_t a = h.submit_get(true);
  h.submit_get(true);
  const auto req = as_headers(get_request());
  EXPECT_EQ(h.conn.submit_request(req, true).error(), Errc::stream_limit);
  // Reserved (remote) streams do not count against the server's limit.
  server_promises(h, a, 2, "/x.js");
  EXPECT_EQ(h.respond(a, true), (Texts{"ResponseReceived 1 status=200 END_STREAM"}));
  EXPECT_TRUE(h.conn.submit_request(req, true).ok());
}

TEST(ConnectionClientTest, RefusesPushedResponseBeyondOurLimit) {
  // H2-5.1.2-02 (RFC 9113 §5.1.2)
  // H2-8.4-07 (RFC 9113 §8.4.2)
  Options o = push_client();
  o.max_concurrent_streams = 1;
  Harness h = started_client(o);
  h.submit_get(false);  // our own stream does not count against our limit
  server_promises(h, 1, 2, "/a.js");
  server_promises(h, 1, 4, "/b.js");
  EXPECT_EQ(h.feed(B().headers(2, h.block(response()), B::kEndHeaders)), (Texts{"ResponseReceived 2 status=200"}));
  expect_reset(h, B().headers(4, h.block(response()), B::kEndHeaders), 4, ErrorCode::refused_stream);
}

// ---- §6.5.2 / §6.6 push to the client -----------------------------------------------------------------------------

TEST(ConnectionClientTest, FailsWhenServerSendsEnablePushOne) {
  // H2-6.5.2-02 (RFC 9113 §6.5.2)
  Harness h = started_client(push_client());
  expect_goaway(h, B().settings({{kEnablePush, 1}}), 0, ErrorCode::protocol_error);
  Harness first(client_options());
  first.output();
  expect_goaway(first, B().settings({{kEnablePush, 1}}), 0, ErrorCode::protocol_error);
}

TEST(ConnectionClientTest, FailsWhenPushPromiseIsOnStreamZero) {
  // H2-6.6-02 (RFC 9113 §6.6)
  Harness h = started_client(push_client());
  h.submit_get(false);
  expect_goaway(h, B().push_promise(0, 2, h.block(get_request("/a.js"))), 0, ErrorCode::protocol_error);
}

TEST(ConnectionClientTest, FailsWhenPushPromiseIsOnStreamNotOpen) {
  // H2-6.6-03 (RFC 9113 §6.6)
  {
    Harness h = started_client(push_client());
    h.submit_get(false);
    expect_goaway(h, B().push_promise(3, 2, h.block(get_request("/a.js"))), 0, ErrorCode::protocol_error);  // idle
  }
  {
    Harness h = started_client(push_client());
    const std::uint32_t id = h.closed_stream();
    expect_goaway(h, B().push_promise(id, 2, h.block(get_request("/a.js"))), 0, ErrorCode::protocol_error);
  }
  {
    Harness h = started_client(push_client());
    const std::uint32_t id = h.half_closed_remote_stream();
    expect_goaway(h, B().push_promise(id, 2, h.block(get_request("/a.js"))), 0, ErrorCode::protocol_error);
  }
}

TEST(ConnectionClientTest, ReservesAndRefusesPromiseOnStreamWeReset) {
  // H2-6.6-03 (RFC 9113 §6.6)
  // H2-5.1-08 (RFC 9113 §5.1)
  Harness h = started_client(push_client());
  const std::uint32_t id = h.submit_get(true);
  ASSERT_TRUE(h.conn.reset_stream(StreamId(id), ErrorCode::cancel).ok());
  EXPECT_EQ(h.output(), (Texts{"RST_STREAM 1 CANCEL"}));
  // The promise is decoded (it indexes "x-tag: v1") and its stream reserved, then refused at once.
  EXPECT_EQ(h.feed(B().push_promise(1, 2, hex("82 87 84 41 0b 6578616d706c652e636f6d 40 05 782d746167 02 7631"))),
            Texts{});
  EXPECT_EQ(h.output(), (Texts{"RST_STREAM 2 CANCEL"}));
  // 2 is no longer idle, and the HPACK context saw the promise's block.
  const std::uint32_t next = h.submit_get(true);
  EXPECT_EQ(h.feed(B().headers(next, hex("88 be"), B::kEndHeaders | B::kEndStream)),
            (Texts{"ResponseReceived 3 status=200 END_STREAM"}));
  EXPECT_EQ(field_value(h.records.at(0).headers, "x-tag"), "v1");
  expect_ignored(h, B().headers(2, hex("88"), B::kEndHeaders).data(2, "late", B::kEndStream));
}

TEST(ConnectionClientTest, RefusesPushOnceEnablePushZeroIsAcknowledged) {
  // H2-6.6-05 (RFC 9113 §6.6)
  {
    // Before the server acknowledged our ENABLE_PUSH=0: refuse the promise with RST_STREAM.
    Harness h(client_options());
    h.start({}, false);
    h.submit_get(false);
    EXPECT_EQ(h.feed(B().push_promise(1, 2, h.block(get_request("/a.js")))), Texts{});
    EXPECT_EQ(h.output(), (Texts{"RST_STREAM 2 REFUSED_STREAM"}));
    EXPECT_FALSE(h.conn.failed());
  }
  {
    Harness h = started_client();
    h.submit_get(false);
    expect_goaway(h, B().push_promise(1, 2, h.block(get_request("/a.js"))), 0, ErrorCode::protocol_error);
  }
}

TEST(ConnectionClientTest, FailsWhenPushPromisePaddingFillsPayload) {
  // H2-6.6-07 (RFC 9113 §6.6)
  Harness h = started_client(push_client());
  h.submit_get(false);
  // Pad Length 2, promised id, then one octet: 2 > 6 - 1 - 4.
  expect_goaway(h, B().frame(B::kPushPromise, B::kEndHeaders | B::kPadded, 1, hex("02 00000002 88")), 0,
                ErrorCode::protocol_error);
}

// ---- §6.8 GOAWAY from the client ----------------------------------------------------------------------------------

TEST(ConnectionClientTest, CountsAcceptedPushesInOurGoaway) {
  // H2-6.8-03 (RFC 9113 §6.8)
  Harness h = started_client(push_client());
  h.submit_get(false);
  server_promises(h, 1, 2, "/a.js");
  server_promises(h, 1, 4, "/b.js");
  h.conn.shutdown();
  EXPECT_EQ(h.output(), (Texts{"GOAWAY 4 NO_ERROR"}));
}

TEST(ConnectionClientTest, DecodesPromisesThatArriveAfterOurGoaway) {
  // H2-6.8-05 (RFC 9113 §6.8)
  Harness h = started_client(push_client());
  h.submit_get(false);
  h.conn.shutdown();
  EXPECT_EQ(h.output(), (Texts{"GOAWAY 0 NO_ERROR"}));
  // A promise in flight still goes through HPACK ("x-tag: v1" is indexed), but is refused: it is above our
  // Last-Stream-ID. Its late frames are dropped.
  EXPECT_EQ(h.feed(B().push_promise(1, 2, hex("82 87 84 01 0b 6578616d706c652e636f6d 40 05 782d746167 02 7631"))),
            Texts{});
  EXPECT_EQ(h.output(), (Texts{"RST_STREAM 2 REFUSED_STREAM"}));
  expect_ignored(h, B().headers(2, hex("88"), B::kEndHeaders).data(2, "js", B::kEndStream));
  EXPECT_EQ(h.feed(B().headers(1, hex("88 be"), B::kEndHeaders | B::kEndStream)),
            (Texts{"ResponseReceived 1 status=200 END_STREAM"}));
  EXPECT_EQ(field_value(h.records.at(0).headers, "x-tag"), "v1");
  EXPECT_FALSE(h.conn.failed());
  // H2-6.8-03 (RFC 9113 §6.8): a later GOAWAY does not raise Last-Stream-ID.
  h.conn.shutdown(ErrorCode::internal_error);
  EXPECT_EQ(h.output(), (Texts{"GOAWAY 0 INTERNAL_ERROR"}));
}

// ---- §8.1-§8.6 responses ------------------------------------------------------------------------------------------

TEST(ConnectionClientTest, ReceivesInterimResponsesBodyAndTrailers) {
  // H2-8.1-01 (RFC 9113 §8.1)
  Harness h = started_client();
  const std::uint32_t id = h.submit_get(true);
  EXPECT_EQ(h.respond(id, false, "103", {{"link", "</s.css>; rel=preload"}}),
            (Texts{"InformationalReceived 1 status=103"}));
  EXPECT_EQ(h.respond(id, false, "100"), (Texts{"InformationalReceived 1 status=100"}));
  EXPECT_EQ(h.respond(id, false, "200", {{"content-length", "5"}}), (Texts{"ResponseReceived 1 status=200"}));
  EXPECT_EQ(h.feed(B().data(id, "hel").data(id, "lo")), (Texts{"DataReceived 1 n=3 fc=3", "DataReceived 1 n=2 fc=2"}));
  EXPECT_EQ(h.feed(B().headers(id, h.block({{"x-checksum", "abc"}}), B::kEndHeaders | B::kEndStream)),
            (Texts{"TrailersReceived 1"}));
  EXPECT_EQ(field_value(h.records.at(0).headers, "x-checksum"), "abc");
  EXPECT_EQ(h.conn.active_streams(), 0U);
}

TEST(ConnectionClientTest, ResetsInterimResponseThatEndsStream) {
  // H2-8.1-02 (RFC 9113 §8.1)
  expect_malformed_response(response("103"), true);
  expect_malformed_response(response("100"), true);
}

TEST(ConnectionClientTest, ResetsHeadersAfterFinalResponseWithoutEndStreamAndDataBeforeIt) {
  // H2-8.1-03 (RFC 9113 §8.1)
  {
    Harness h = started_client();
    const std::uint32_t id = h.submit_get(true);
    EXPECT_EQ(h.respond(id, false), (Texts{"ResponseReceived 1 status=200"}));
    expect_reset(h, B().headers(id, h.block({{"x-more", "1"}}), B::kEndHeaders), id, ErrorCode::protocol_error);
  }
  {
    Harness h = started_client();
    const std::uint32_t id = h.submit_get(true);
    EXPECT_EQ(h.respond(id, false, "103"), (Texts{"InformationalReceived 1 status=103"}));
    expect_reset(h, B().data(id, "too early"), id, ErrorCode::protocol_error);
  }
}

TEST(ConnectionClientTest, ResetsTrailersCarryingPseudoHeader) {
  // H2-8.1-04 (RFC 9113 §8.1, §8.3)
  Harness h = started_client();
  const std::uint32_t id = h.submit_get(true);
  EXPECT_EQ(h.respond(id, false), (Texts{"ResponseReceived 1 status=200"}));
  expect_reset(h, B().headers(id, h.block({{":status", "200"}}), B::kEndHeaders | B::kEndStream), id,
               ErrorCode::protocol_error);
}

TEST(ConnectionClientTest, KeepsResponseWhenServerResetsWithNoErrorAfterIt) {
  // H2-8.1-05 (RFC 9113 §8.1)
  Harness h = started_client();
  const std::uint32_t id = h.submit_get(false);
  ASSERT_TRUE(h.conn.send_data(StreamId(id), bytes_of("part"), false).ok());
  h.output();
  EXPECT_EQ(
      h.feed(
          B().headers(id, h.block(response()), B::kEndHeaders).data(id, "ok", B::kEndStream).rst_stream(id, kNoError)),
      (Texts{"ResponseReceived 1 status=200", "DataReceived 1 n=2 fc=2 END_STREAM", "StreamReset 1 NO_ERROR by_peer"}));
  EXPECT_EQ(h.records.at(1).data, "ok");
  EXPECT_EQ(h.output(), Texts{});
  EXPECT_EQ(h.conn.send_data(StreamId(id), bytes_of("rest"), true).error(), Errc::unknown_stream);
}

TEST(ConnectionClientTest, ResetsResponseWhoseContentLengthDisagreesWithData) {
  // H2-8.1.1-01 (RFC 9113 §8.1.1)
  {
    Harness h = started_client();
    const std::uint32_t id = h.submit_get(true);
    EXPECT_EQ(h.respond(id, false, "200", {{"content-length", "10"}}), (Texts{"ResponseReceived 1 status=200"}));
    const Texts events = h.feed(B().data(id, "short", B::kEndStream));
    EXPECT_EQ(events, (Texts{"DataReceived 1 n=5 fc=5 END_STREAM", "StreamReset 1 PROTOCOL_ERROR local"}));
    EXPECT_EQ(h.output(), (Texts{"RST_STREAM 1 PROTOCOL_ERROR"}));
  }
  {
    Harness h = started_client();
    const std::uint32_t id = h.submit_get(true);
    EXPECT_EQ(h.respond(id, false, "200", {{"content-length", "3"}}), (Texts{"ResponseReceived 1 status=200"}));
    expect_reset(h, B().data(id, "four"), id, ErrorCode::protocol_error);
  }
  {
    // HEAD, 204 and 304 may carry a content-length with no DATA.
    Harness h = started_client();
    const auto head =
        as_headers({{":method", "HEAD"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", "/"}});
    ASSERT_TRUE(h.conn.submit_request(head, true).ok());
    h.output();
    EXPECT_EQ(h.respond(1, true, "200", {{"content-length", "1000"}}),
              (Texts{"ResponseReceived 1 status=200 END_STREAM"}));
    const std::uint32_t b = h.submit_get(true);
    EXPECT_EQ(h.respond(b, true, "304", {{"content-length", "1000"}}),
              (Texts{"ResponseReceived 3 status=304 END_STREAM"}));
    const std::uint32_t c = h.submit_get(true);
    EXPECT_EQ(h.respond(c, true, "204", {{"content-length", "0"}}),
              (Texts{"ResponseReceived 5 status=204 END_STREAM"}));
    EXPECT_EQ(h.output(), Texts{});
  }
}

TEST(ConnectionClientTest, ResetsMalformedResponses) {
  // H2-8.1.1-02 (RFC 9113 §8.1.1)
  expect_malformed_response({{":status", "200"}, {"Content-Type", "text/html"}});
  // H2-8.2-01 (RFC 9113 §8.2)
  for (const char* name : {"X-Upper", "sp ace", "tab\t", "del\x7f", "\xc3\xa9t\xc3\xa9", "co:lon", ""}) {
    expect_malformed_response({{":status", "200"}, {name, "v"}});
  }
  // H2-8.2.1-01 (RFC 9113 §8.2.1)
  for (const char* value : {" lead", "trail ", "\tlead", "trail\t", "cr\rx", "lf\nx"}) {
    expect_malformed_response({{":status", "200"}, {"x-v", value}});
  }
  expect_malformed_response({{":status", "200"}, {"x-v", std::string("nul\0x", 5)}});
  // H2-8.2.2-01 (RFC 9113 §8.2.2)
  for (const char* name : {"connection", "proxy-connection", "keep-alive", "transfer-encoding", "upgrade"}) {
    expect_malformed_response({{":status", "200"}, {name, "x"}});
  }
  expect_malformed_response({{":status", "200"}, {"te", "trailers"}});
  // H2-8.3-01 (RFC 9113 §8.3)
  expect_malformed_response({{":status", "200"}, {":method", "GET"}});
  expect_malformed_response({{":status", "200"}, {":path", "/"}});
  expect_malformed_response({{":status", "200"}, {":protocol", "websocket"}});
  expect_malformed_response({{":status", "200"}, {":unknown", "x"}});
  // H2-8.3-02 (RFC 9113 §8.3)
  expect_malformed_response({{"server", "x"}, {":status", "200"}});
  expect_malformed_response({{":status", "200"}, {":status", "200"}});
  // H2-8.3.2-01 (RFC 9113 §8.3.2)
  expect_malformed_response({{"server", "x"}});
  expect_malformed_response({{"link", "</a>"}}, false);
  expect_malformed_response({{":status", "20"}});
  expect_malformed_response({{":status", "2000"}});
  expect_malformed_response({{":status", "abc"}});
  // H2-8.6-01 (RFC 9113 §8.6)
  expect_malformed_response(response("101"), false);
}

TEST(ConnectionClientTest, SendsOnlyWellFormedRequests) {
  // H2-8.3.1-02 (RFC 9113 §8.3.1)
  Harness h = started_client();
  const Fields bad[] = {
      with(get_request(), {{"host", "other.example"}}),
      {{":method", "GET"}, {":scheme", "https"}, {":authority", "example.com"}},
      with(get_request(), {{"Upper", "x"}}),
      with(get_request(), {{"connection", "close"}}),
      {{":method", "GET"}, {":scheme", "https"}, {":authority", "user@example.com"}, {":path", "/"}},
  };
  for (const Fields& f : bad) {
    const auto req = as_headers(f);
    EXPECT_EQ(h.conn.submit_request(req, true).error(), Errc::invalid_headers) << ::testing::PrintToString(f);
  }
  EXPECT_EQ(h.output(), Texts{});
  const auto same_host = as_headers(with(get_request(), {{"host", "example.com"}}));
  EXPECT_TRUE(h.conn.submit_request(same_host, true).ok());
  h.output();
  ASSERT_EQ(h.frames.size(), 1U);
  EXPECT_EQ(field_value(h.frames[0].fields, ":authority"), "example.com");
}

// ---- §8.4 push ----------------------------------------------------------------------------------------------------

TEST(ConnectionClientTest, ResetsPromiseOfUnsafeOrIncompleteRequest) {
  // H2-8.4-02 (RFC 9113 §8.4, §8.4.1)
  const Fields bad[] = {
      {{":method", "POST"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", "/"}},
      {{":method", "GET"}, {":scheme", "https"}, {":path", "/"}},
      {{":method", "GET"}, {":scheme", "https"}, {":authority", "example.com"}},
      with(get_request(), {{"content-length", "10"}}),
      with(get_request(), {{"Bad", "x"}}),
  };
  for (const Fields& f : bad) {
    SCOPED_TRACE(::testing::PrintToString(f));
    Harness h = started_client(push_client());
    h.submit_get(false);
    expect_reset(h, B().push_promise(1, 2, h.block(f)), 2, ErrorCode::protocol_error);
    // The parent stream is untouched.
    EXPECT_EQ(h.respond(1, true), (Texts{"ResponseReceived 1 status=200 END_STREAM"}));
  }
}

TEST(ConnectionClientTest, CancelsPushAndIgnoresItsLateFrames) {
  // H2-8.4-06 (RFC 9113 §8.4.2)
  Harness h = started_client(push_client());
  h.submit_get(false);
  server_promises(h, 1, 2, "/a.js");
  ASSERT_TRUE(h.conn.reset_stream(StreamId(2), ErrorCode::cancel).ok());
  EXPECT_EQ(h.output(), (Texts{"RST_STREAM 2 CANCEL"}));
  expect_ignored(h, B().headers(2, h.block(response()), B::kEndHeaders).data(2, "js", B::kEndStream));
  EXPECT_EQ(h.conn.active_streams(), 1U);
}

TEST(ConnectionClientTest, ReceivesPushedResponseAndNeverSendsOnPushedStream) {
  // H2-8.4-08 (RFC 9113 §8.4.2)
  Harness h = started_client(push_client());
  h.submit_get(false);
  server_promises(h, 1, 2, "/a.js");
  EXPECT_EQ(h.records.at(0).headers, get_request("/a.js"));
  EXPECT_EQ(h.feed(B().headers(2, h.block(response()), B::kEndHeaders)), (Texts{"ResponseReceived 2 status=200"}));
  EXPECT_EQ(h.feed(B().data(2, std::string(16000, 'j')).data(2, std::string(16000, 'j'), B::kEndStream)),
            (Texts{"DataReceived 2 n=16000 fc=16000", "DataReceived 2 n=16000 fc=16000 END_STREAM"}));
  h.output();
  for (const OutFrame& f : h.frames) {
    if (f.stream() == 2) {
      EXPECT_EQ(f.type, B::kWindowUpdate) << f.text;
    }
  }
  EXPECT_EQ(h.conn.send_data(StreamId(2), bytes_of("x"), true).error(), Errc::unknown_stream);
  EXPECT_EQ(h.conn.active_streams(), 1U);
}

TEST(ConnectionClientTest, BoundsReservedStreams) {
  // H2-8.4-10 (RFC 9113 §10.5)
  Options o = push_client();
  o.max_reserved_streams = 2;
  Harness h = started_client(o);
  h.submit_get(false);
  server_promises(h, 1, 2, "/a.js");
  server_promises(h, 1, 4, "/b.js");
  EXPECT_EQ(h.feed(B().push_promise(1, 6, h.block(get_request("/c.js")))), Texts{});
  EXPECT_EQ(h.output(), (Texts{"RST_STREAM 6 REFUSED_STREAM"}));
  // Once a promise is answered, another fits.
  EXPECT_EQ(h.feed(B().headers(2, h.block(response()), B::kEndHeaders | B::kEndStream)),
            (Texts{"ResponseReceived 2 status=200 END_STREAM"}));
  server_promises(h, 1, 8, "/d.js");
}

}  // namespace
}  // namespace h2push::http2::test
