// tests/http2/connection_server_test.cpp: our server role fed raw client bytes: the rows of CONFORMANCE.md that
// concern a server (stream ids, concurrency, reserved (local) streams, push sending, the GOAWAY of a server).
// and the request side of HTTP semantics (§8.1-§8.7). Rows for both roles are in connection_streams_test.cpp and
// connection_frames_test.cpp.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

#include "connection_test_util.hpp"

namespace h2push::http2::test {
namespace {

using B = FrameBuilder;

Harness started_server(SettingsEntries settings = {}, Options o = server_options()) {
  Harness h(o);
  h.start(settings);
  return h;
}

// Promises `path` on `parent` and drains the PUSH_PROMISE; returns the promised id.
std::uint32_t promise(Harness& h, std::uint32_t parent, const std::string& path) {
  const auto req = as_headers(get_request(path));
  auto promised = h.conn.submit_push_promise(StreamId(parent), req);
  EXPECT_TRUE(promised.ok());
  if (!promised.ok()) return 0;
  EXPECT_EQ(h.output(),
            (Texts{"PUSH_PROMISE " + std::to_string(parent) + " promised=" + std::to_string(promised->value())}));
  return promised->value();
}

// ---- §3.4 preface -------------------------------------------------------------------------------------------------

TEST(ConnectionServerTest, FailsWhenClientMagicIsWrong) {
  // H2-3.4-03 (RFC 9113 §3.4)
  for (const char* magic :
       {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\r", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "PRI * HTTP/1.1"}) {
    Harness h(server_options());
    h.output();
    expect_goaway(h, B().raw(std::string_view(magic)).settings({}), 0, ErrorCode::protocol_error);
  }
  // The magic may arrive in pieces.
  Harness h(server_options());
  h.output();
  const B wire = B().client_magic().settings({});
  for (std::size_t i = 0; i < wire.size(); ++i) {
    const Texts events = h.feed(wire.span().subspan(i, 1));
    EXPECT_EQ(events, i + 1 == wire.size() ? Texts{"SettingsReceived"} : Texts{}) << i;
  }
  EXPECT_EQ(h.output(), (Texts{"SETTINGS ACK"}));
}

// ---- §5.1 stream states and identifiers ---------------------------------------------------------------------------

TEST(ConnectionServerTest, FailsWhenClientOpensEvenStream) {
  // H2-5.1-02 (RFC 9113 §5.1)
  // H2-5.1.1-01 (RFC 9113 §5.1.1)
  Harness h = started_server();
  h.open_request(1, true);
  expect_goaway(h, B().headers(2, h.block(get_request()), B::kEndHeaders | B::kEndStream), 1,
                ErrorCode::protocol_error);
}

TEST(ConnectionServerTest, AcceptsOnlyResetPriorityAndWindowUpdateOnReservedLocalStream) {
  // H2-5.1-03 (RFC 9113 §5.1)
  {
    Harness h = started_server();
    h.open_request(1, true);
    const std::uint32_t pushed = promise(h, 1, "/app.js");
    expect_ignored(h, B().priority(pushed, 0, 10).window_update(pushed, 100));
    EXPECT_EQ(h.feed(B().rst_stream(pushed, kCancel)), (Texts{"StreamReset 2 CANCEL by_peer"}));
  }
  {
    Harness h = started_server();
    h.open_request(1, true);
    promise(h, 1, "/app.js");
    expect_goaway(h, B().data(2, "x"), 1, ErrorCode::protocol_error);
  }
  {
    Harness h = started_server();
    h.open_request(1, true);
    promise(h, 1, "/app.js");
    expect_goaway(h, B().headers(2, h.block(get_request()), B::kEndHeaders), 1, ErrorCode::protocol_error);
  }
}

TEST(ConnectionServerTest, FailsWhenClientStreamIdDoesNotIncrease) {
  // H2-5.1.1-02 (RFC 9113 §5.1.1)
  Harness h = started_server();
  h.open_request(5, true);
  expect_goaway(h, B().headers(3, h.block(get_request()), B::kEndHeaders | B::kEndStream), 5,
                ErrorCode::protocol_error);
}

TEST(ConnectionServerTest, ClosesSkippedIdsButNotIdsOnlyNamedByPriority) {
  // H2-5.1.1-03 (RFC 9113 §5.1.1)
  Harness h = started_server();
  expect_ignored(h, B().priority(7, 0, 16));
  h.open_request(5, true);  // PRIORITY on 7 did not open 7, so 5 is still new
  h.open_request(7, true);
  // Opening 7 closed 1 and 3: they can never be opened now.
  expect_goaway(h, B().headers(3, h.block(get_request()), B::kEndHeaders | B::kEndStream), 7,
                ErrorCode::protocol_error);
}

TEST(ConnectionServerTest, ServesHighestStreamIdAndRejectsReuse) {
  // H2-5.1.1-04 (RFC 9113 §5.1.1)
  Harness h = started_server();
  h.open_request(0x7fffffff, true);
  h.submit_response(0x7fffffff, true);
  // Nothing above 2^31-1 exists; a lower or the same id is never new again.
  expect_goaway(h, B().headers(0x7fffffff, h.block(get_request()), B::kEndHeaders | B::kEndStream), 0x7fffffff,
                ErrorCode::stream_closed);
  Harness lower = started_server();
  lower.open_request(0x7fffffff, false);
  expect_goaway(lower, B().headers(9, lower.block(get_request()), B::kEndHeaders), 0x7fffffff,
                ErrorCode::protocol_error);
}

// ---- §5.1.2 concurrency -------------------------------------------------------------------------------------------

TEST(ConnectionServerTest, StartsNoMorePushedResponsesThanClientAllows) {
  // H2-5.1.2-01 (RFC 9113 §5.1.2)
  // H2-8.4-07 (RFC 9113 §8.4.2)
  Harness h = started_server({{kMaxConcurrentStreams, 1}});
  h.open_request(1, true);
  const std::uint32_t a = promise(h, 1, "/a.js");
  const std::uint32_t b = promise(h, 1, "/b.js");
  const auto resp = as_headers(response());
  // Stream 1 is ours to answer but was opened by the client: it does not count against the client's limit.
  ASSERT_TRUE(h.conn.submit_response(StreamId(a), resp, false).ok());
  ASSERT_TRUE(h.conn.submit_response(StreamId(b), resp, true).ok());
  EXPECT_EQ(h.output(), (Texts{"HEADERS 2 status=200"}));  // 4 waits in reserved (local)
  ASSERT_TRUE(h.conn.send_data(StreamId(a), bytes_of("js"), true).ok());
  EXPECT_EQ(h.output(), (Texts{"DATA 2 n=2 END_STREAM", "HEADERS 4 status=200 END_STREAM"}));
  EXPECT_FALSE(h.conn.wants_write());
}

TEST(ConnectionServerTest, StartsWaitingPushWhenClientResetsActiveOne) {
  // H2-5.1.2-01 (RFC 9113 §5.1.2)
  // H2-8.4-07 (RFC 9113 §8.4.2)
  Harness h = started_server({{kMaxConcurrentStreams, 1}, {kInitialWindowSize, 0}});
  h.open_request(1, true);
  const std::uint32_t a = promise(h, 1, "/a.js");
  const std::uint32_t b = promise(h, 1, "/b.js");
  const auto resp = as_headers(response());
  ASSERT_TRUE(h.conn.submit_response(StreamId(a), resp, false).ok());
  ASSERT_TRUE(h.conn.submit_response(StreamId(b), resp, true).ok());
  EXPECT_EQ(h.output(), (Texts{"HEADERS 2 status=200"}));
  EXPECT_EQ(h.feed(B().rst_stream(a, kCancel)), (Texts{"StreamReset 2 CANCEL by_peer"}));
  EXPECT_TRUE(h.conn.wants_write());
  EXPECT_EQ(h.output(), (Texts{"HEADERS 4 status=200 END_STREAM"}));
  // The client may also raise its limit.
  Harness g = started_server({{kMaxConcurrentStreams, 1}, {kInitialWindowSize, 0}});
  g.open_request(1, true);
  const std::uint32_t c = promise(g, 1, "/c.js");
  const std::uint32_t d = promise(g, 1, "/d.js");
  ASSERT_TRUE(g.conn.submit_response(StreamId(c), resp, false).ok());
  ASSERT_TRUE(g.conn.submit_response(StreamId(d), resp, true).ok());
  EXPECT_EQ(g.output(), (Texts{"HEADERS 2 status=200"}));
  EXPECT_EQ(g.feed(B().settings({{kMaxConcurrentStreams, 2}})), (Texts{"SettingsReceived"}));
  EXPECT_TRUE(g.conn.wants_write());
  EXPECT_EQ(g.output(), (Texts{"SETTINGS ACK", "HEADERS 4 status=200 END_STREAM"}));
}

TEST(ConnectionServerTest, RefusesStreamBeyondOurLimitAndStillDecodesIt) {
  // H2-5.1.2-02 (RFC 9113 §5.1.2)
  // H2-8.7-01 (RFC 9113 §8.7)
  Options o = server_options();
  o.max_concurrent_streams = 2;
  Harness h = started_server({}, o);
  h.open_request(1, false);
  h.open_request(3, true);  // half-closed (remote) still counts
  // Stream 5 is refused (never handed to the application); its block indexes "x-tag: v1" all the same.
  const ByteVector block = hex("82 87 84 01 0b 6578616d706c652e636f6d 40 05 782d746167 02 7631");
  EXPECT_EQ(h.feed(B().headers(5, block, B::kEndHeaders | B::kEndStream)),
            (Texts{"StreamReset 5 REFUSED_STREAM local"}));
  EXPECT_EQ(h.output(), (Texts{"RST_STREAM 5 REFUSED_STREAM"}));
  // Late DATA on the refused stream is ignored; once a slot frees, a new stream is served.
  expect_ignored(h, B().data(5, "late"));
  h.submit_response(3, true);
  EXPECT_EQ(h.feed(B().headers(7, hex("82 87 84 01 0b 6578616d706c652e636f6d be"), B::kEndHeaders | B::kEndStream)),
            (Texts{"RequestReceived 7 END_STREAM"}));
  EXPECT_EQ(field_value(h.records.at(0).headers, "x-tag"), "v1");
}

// ---- §6.5.2 / §6.6 push from the server ---------------------------------------------------------------------------

TEST(ConnectionServerTest, NeverAdvertisesEnablePush) {
  // H2-6.5.2-02 (RFC 9113 §6.5.2)
  Options o = server_options();
  o.enable_push = true;
  Harness h(o);
  const Texts preface = h.output();
  ASSERT_FALSE(preface.empty());
  EXPECT_EQ(preface[0].find(" 2="), std::string::npos) << preface[0];
}

TEST(ConnectionServerTest, PromisesOnlyOnOpenClientStreamWithNextEvenId) {
  // H2-6.6-01 (RFC 9113 §6.6, §8.4.1)
  Harness h = started_server();
  h.open_request(1, false);  // open
  h.open_request(3, true);   // half-closed (remote)
  EXPECT_EQ(promise(h, 1, "/a.css"), 2U);
  EXPECT_EQ(promise(h, 3, "/b.css"), 4U);
  EXPECT_EQ(promise(h, 1, "/c.css"), 6U);
  const auto req = as_headers(get_request("/d.css"));
  EXPECT_EQ(h.conn.submit_push_promise(StreamId(2), req).error(), Errc::invalid_state);  // a pushed stream
  EXPECT_EQ(h.conn.submit_push_promise(StreamId(9), req).error(), Errc::invalid_state);  // idle
  h.submit_response(3, true);
  EXPECT_EQ(h.conn.submit_push_promise(StreamId(3), req).error(), Errc::invalid_state);  // closed
  h.submit_response(1, true);
  EXPECT_EQ(h.conn.submit_push_promise(StreamId(1), req).error(), Errc::invalid_state);  // half-closed (local)
  EXPECT_EQ(h.output(), Texts{});
  // The promised request is decodable and carries what was asked.
  EXPECT_TRUE(h.conn.peer_accepts_push());
}

TEST(ConnectionServerTest, StopsPushingOnceClientDisablesPush) {
  // H2-6.6-06 (RFC 9113 §6.5.2, §6.6)
  Harness h = started_server();
  h.open_request(1, true);
  EXPECT_TRUE(h.conn.peer_accepts_push());
  EXPECT_EQ(h.feed(B().settings({{kEnablePush, 0}})), (Texts{"SettingsReceived"}));
  EXPECT_FALSE(h.conn.peer_accepts_push());
  const auto req = as_headers(get_request("/a.css"));
  EXPECT_EQ(h.conn.submit_push_promise(StreamId(1), req).error(), Errc::push_disabled);
  EXPECT_EQ(h.output(), (Texts{"SETTINGS ACK"}));
}

// ---- §6.5.2 MAX_HEADER_LIST_SIZE ----------------------------------------------------------------------------------

TEST(ConnectionServerTest, Answers431AndCutsBodyOfOversizedRequest) {
  // H2-6.5.2-06 (RFC 9113 §6.5.2, §10.5.1)
  Options o = server_options();
  o.max_header_list_size = 400;
  Harness h = started_server({}, o);
  Fields f = get_request();
  f.emplace_back("x-big", std::string(600, 'b'));
  EXPECT_EQ(h.feed(B().headers(1, h.block(f), B::kEndHeaders)), Texts{});
  EXPECT_EQ(h.output(), (Texts{"HEADERS 1 status=431 END_STREAM", "RST_STREAM 1 NO_ERROR"}));
  expect_ignored(h, B().data(1, "body").data(1, "", B::kEndStream));
}

// ---- §6.8 GOAWAY from the server ----------------------------------------------------------------------------------

TEST(ConnectionServerTest, DecodesBlocksAndChargesDataAboveOurGoaway) {
  // H2-6.8-05 (RFC 9113 §6.8)
  Options o = server_options();
  o.connection_window_size = 65535;
  Harness h = started_server({}, o);
  h.open_request(1, false);
  h.conn.shutdown();
  EXPECT_EQ(h.output(), (Texts{"GOAWAY 1 NO_ERROR"}));
  // Stream 3 was in flight: its block inserts "x-tag: v1", its DATA is charged and given back, its other frames
  // are dropped.
  const std::string chunk(16384, 'x');
  EXPECT_EQ(h.feed(B().headers(3, hex("82 87 84 01 0b 6578616d706c652e636f6d 40 05 782d746167 02 7631"), 4)
                       .data(3, chunk)
                       .data(3, chunk)
                       .window_update(3, 100)
                       .rst_stream(3, kCancel)
                       .headers(3, hex("be"), B::kEndHeaders | B::kEndStream)),
            Texts{});
  EXPECT_EQ(h.output(), (Texts{"WINDOW_UPDATE 0 +32768"}));
  EXPECT_FALSE(h.conn.failed());
  // Stream 1's trailers use the entry stream 3's block made.
  EXPECT_EQ(h.feed(B().headers(1, hex("be"), B::kEndHeaders | B::kEndStream)), (Texts{"TrailersReceived 1"}));
  EXPECT_EQ(field_value(h.records.at(0).headers, "x-tag"), "v1");
  h.submit_response(1, true);
  EXPECT_TRUE(h.conn.is_closed());
}

// The PING of a graceful shutdown's first step, from its text ("PING 123"); 0 when `text` is no PING.
std::uint64_t ping_value(const std::string& text) {
  if (text.rfind("PING ", 0) != 0 || text.rfind("PING ACK", 0) == 0) return 0;
  return std::stoull(text.substr(5));
}

TEST(ConnectionServerTest, ShutsDownInTwoStepsAndProcessesStreamsOpenedBetween) {
  // H2-6.8-04 (RFC 9113 §6.8): GOAWAY(2^31-1) and a PING, streams in flight are still processed, the final GOAWAY
  // follows the PING's ACK with the real last stream.
  Harness h = started_server();
  h.open_request(1, true);
  h.conn.shutdown_gracefully();
  const Texts first = h.output();
  ASSERT_EQ(first.size(), 2U);
  EXPECT_EQ(first[0], "GOAWAY 2147483647 NO_ERROR");
  const std::uint64_t ping = ping_value(first[1]);
  ASSERT_NE(ping, 0U) << first[1];
  EXPECT_FALSE(h.conn.is_closed());
  h.conn.shutdown_gracefully();  // once is enough
  EXPECT_EQ(h.output(), Texts{});

  h.open_request(3, true);                           // sent before the client saw the GOAWAY: processed
  EXPECT_EQ(h.feed(B().ping(ping, true)), Texts{});  // our PING's ACK is not the application's
  EXPECT_EQ(h.output(), (Texts{"GOAWAY 3 NO_ERROR"}));
  // Above the final GOAWAY: decoded, not processed.
  EXPECT_EQ(h.feed(B().headers(5, h.block(get_request()), B::kEndHeaders | B::kEndStream)), Texts{});
  EXPECT_FALSE(h.conn.is_closed());
  h.submit_response(3, true);
  EXPECT_FALSE(h.conn.is_closed());
  h.submit_response(1, true);
  EXPECT_TRUE(h.conn.is_closed());
  EXPECT_FALSE(h.conn.failed());
}

TEST(ConnectionServerTest, SendsFinalGoawayAfterNoticeTimeoutWhenPingIsNotAnswered) {
  // H2-6.8-04 (RFC 9113 §6.8): the wait for the ACK is bounded by Options::shutdown_notice_timeout_ns.
  Options o = server_options();
  o.shutdown_notice_timeout_ns = 1'000'000'000;
  Harness h = started_server({}, o);
  EXPECT_EQ(h.advance(5'000'000'000), Texts{});
  h.open_request(1, true);
  h.conn.shutdown_gracefully();
  const Texts first = h.output();
  ASSERT_EQ(first.size(), 2U);
  EXPECT_EQ(first[0], "GOAWAY 2147483647 NO_ERROR");
  ASSERT_TRUE(h.conn.next_deadline().has_value());
  EXPECT_EQ(h.conn.next_deadline()->nanoseconds, 6'000'000'000);
  EXPECT_EQ(h.advance(5'900'000'000), Texts{});
  EXPECT_EQ(h.output(), Texts{});
  h.open_request(3, true);
  EXPECT_EQ(h.advance(6'000'000'000), Texts{});
  EXPECT_EQ(h.output(), (Texts{"GOAWAY 3 NO_ERROR"}));
  EXPECT_FALSE(h.conn.next_deadline().has_value());
  // A late ACK changes nothing and is not reported.
  EXPECT_EQ(h.feed(B().ping(ping_value(first[1]), true)), Texts{});
  EXPECT_EQ(h.output(), Texts{});
  h.submit_response(1, true);
  h.submit_response(3, true);
  EXPECT_TRUE(h.conn.is_closed());
}

TEST(ConnectionServerTest, SendsFinalGoawayAtOnceWhenShutdownFollowsGracefulNotice) {
  // H2-6.8-04 (RFC 9113 §6.8): shutdown() ends the wait; after a final GOAWAY there is no first step.
  Harness h = started_server();
  h.open_request(1, true);
  h.conn.shutdown_gracefully();
  EXPECT_EQ(h.output().size(), 2U);
  h.conn.shutdown();
  EXPECT_EQ(h.output(), (Texts{"GOAWAY 1 NO_ERROR"}));
  h.conn.shutdown_gracefully();
  EXPECT_EQ(h.output(), Texts{});
  // The application's own PINGs are still reported.
  const std::array<std::byte, 8> mine{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4},
                                      std::byte{5}, std::byte{6}, std::byte{7}, std::byte{8}};
  h.conn.ping(mine);
  EXPECT_EQ(h.output(), (Texts{"PING 72623859790382856"}));
  EXPECT_EQ(h.feed(B().ping(72623859790382856ULL, true)), (Texts{"PingAcknowledged 72623859790382856"}));

  Harness quiet = started_server();
  quiet.conn.shutdown();
  EXPECT_EQ(quiet.output(), (Texts{"GOAWAY 0 NO_ERROR"}));
  quiet.conn.shutdown_gracefully();
  EXPECT_EQ(quiet.output(), Texts{});
  EXPECT_TRUE(quiet.conn.is_closed());
}

// ---- §8.1-§8.7 requests ------------------------------------------------------------------------------------------

Fields with(Fields base, const Fields& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

// A request whose header section is `fields` is malformed: RST_STREAM(PROTOCOL_ERROR), never handed to the
// application, and the connection (and its HPACK context) lives on.
void expect_malformed_request(const Fields& fields) {
  SCOPED_TRACE(::testing::PrintToString(fields));
  Harness h = started_server();
  const Texts events =
      expect_reset(h, B().headers(1, h.block(fields), B::kEndHeaders | B::kEndStream), 1, ErrorCode::protocol_error);
  EXPECT_EQ(count_prefix(events, "RequestReceived"), 0U);
  h.open_request(3, true, {{"x-after", "1"}});
}

TEST(ConnectionServerTest, ReceivesRequestBodyAndTrailersAndSendsInterimResponses) {
  // H2-8.1-01 (RFC 9113 §8.1)
  Harness h = started_server();
  h.open_request(1, false, {{"content-length", "5"}});
  EXPECT_EQ(h.records.at(0).headers, with(get_request(), {{"content-length", "5"}}));
  EXPECT_EQ(h.feed(B().data(1, "he").data(1, "llo")), (Texts{"DataReceived 1 n=2 fc=2", "DataReceived 1 n=3 fc=3"}));
  EXPECT_EQ(h.feed(B().headers(1, h.block({{"x-checksum", "c"}}), B::kEndHeaders | B::kEndStream)),
            (Texts{"TrailersReceived 1"}));
  const auto hints = as_headers({{":status", "103"}, {"link", "</s.css>; rel=preload"}});
  ASSERT_TRUE(h.conn.submit_informational(StreamId(1), hints).ok());
  ASSERT_TRUE(h.conn.submit_informational(StreamId(1), hints).ok());
  h.submit_response(1, false);
  ASSERT_TRUE(h.conn.send_data(StreamId(1), bytes_of("body"), false).ok());
  const auto trailers = as_headers({{"x-done", "1"}});
  ASSERT_TRUE(h.conn.submit_trailers(StreamId(1), trailers).ok());
  EXPECT_EQ(h.output(), (Texts{"DATA 1 n=4", "HEADERS 1 END_STREAM"}));
  EXPECT_EQ(h.conn.active_streams(), 0U);
}

TEST(ConnectionServerTest, SendsInterimResponsesBeforeFinalOneWithoutEndStream) {
  // H2-8.1-01 (RFC 9113 §8.1)
  // H2-8.1-02 (RFC 9113 §8.1)
  Harness h = started_server();
  h.open_request(1, true);
  const auto hints = as_headers({{":status", "103"}, {"link", "</s.css>; rel=preload"}});
  ASSERT_TRUE(h.conn.submit_informational(StreamId(1), hints).ok());
  EXPECT_EQ(h.output(), (Texts{"HEADERS 1 status=103"}));  // never END_STREAM on an interim response
  const auto final_as_interim = as_headers(response("200"));
  EXPECT_EQ(h.conn.submit_informational(StreamId(1), final_as_interim).error(), Errc::invalid_headers);
  const auto interim_as_final = as_headers(response("103"));
  EXPECT_EQ(h.conn.submit_response(StreamId(1), interim_as_final, true).error(), Errc::invalid_headers);
  h.submit_response(1, true);
  EXPECT_EQ(h.conn.submit_informational(StreamId(1), hints).error(), Errc::unknown_stream);
}

TEST(ConnectionServerTest, TrustedResponseChecksOnlyItsLeadingFinalStatus) {
  // FieldCheck::trusted: the caller vouches for RFC 9113 §8.2-8.3; the core still wants a final :status first.
  Harness h = started_server();
  h.open_request(1, true);
  h.open_request(3, true);
  for (const Fields& bad : {Fields{}, Fields{{"server", "x"}, {":status", "200"}}, Fields{{":status", "20"}},
                            Fields{{":status", "2x0"}}, Fields{{":status", "103"}}}) {
    EXPECT_EQ(h.conn.submit_response(StreamId(1), as_headers(bad), true, FieldCheck::trusted).error(),
              Errc::invalid_headers);
  }
  // A field the full check refuses (an uppercase name) is refused when validated and sent as given when trusted.
  const auto upper = as_headers({{":status", "204"}, {"X-Upper", "1"}});
  EXPECT_EQ(h.conn.submit_response(StreamId(1), upper, true).error(), Errc::invalid_headers);
  ASSERT_TRUE(h.conn.submit_response(StreamId(3), upper, true, FieldCheck::trusted).ok());
  const auto fine = as_headers({{":status", "200"}, {"server", "h2push"}, {"content-length", "0"}});
  ASSERT_TRUE(h.conn.submit_response(StreamId(1), fine, true, FieldCheck::trusted).ok());
  EXPECT_EQ(h.output(), (Texts{"HEADERS 3 status=204 END_STREAM", "HEADERS 1 status=200 END_STREAM"}));
  EXPECT_EQ(h.frames[0].fields, (Fields{{":status", "204"}, {"X-Upper", "1"}}));
  EXPECT_EQ(h.frames[1].fields, (Fields{{":status", "200"}, {"server", "h2push"}, {"content-length", "0"}}));
}

TEST(ConnectionServerTest, ResetsSecondHeaderSectionWithoutEndStream) {
  // H2-8.1-03 (RFC 9113 §8.1)
  Harness h = started_server();
  h.open_request(1, false);
  const Texts events =
      expect_reset(h, B().headers(1, h.block({{"x-more", "1"}}), B::kEndHeaders), 1, ErrorCode::protocol_error);
  EXPECT_EQ(count_prefix(events, "TrailersReceived"), 0U);
}

TEST(ConnectionServerTest, ResetsTrailersCarryingPseudoHeader) {
  // H2-8.1-04 (RFC 9113 §8.1, §8.3)
  Harness h = started_server();
  h.open_request(1, false);
  expect_reset(h, B().headers(1, h.block({{":path", "/"}}), B::kEndHeaders | B::kEndStream), 1,
               ErrorCode::protocol_error);
}

TEST(ConnectionServerTest, MayResetWithNoErrorAfterCompleteResponse) {
  // H2-8.1-05 (RFC 9113 §8.1)
  Harness h = started_server();
  h.open_request(1, false);
  EXPECT_EQ(h.feed(B().data(1, "part")), (Texts{"DataReceived 1 n=4 fc=4"}));
  h.submit_response(1, true);
  ASSERT_TRUE(h.conn.reset_stream(StreamId(1), ErrorCode::no_error).ok());
  EXPECT_EQ(h.output(), (Texts{"RST_STREAM 1 NO_ERROR"}));
  expect_ignored(h, B().data(1, "rest", B::kEndStream));
}

TEST(ConnectionServerTest, ResetsRequestWhoseContentLengthDisagreesWithData) {
  // H2-8.1.1-01 (RFC 9113 §8.1.1)
  {
    Harness h = started_server();
    h.open_request(1, false, {{"content-length", "10"}});
    const Texts events = h.feed(B().data(1, "short", B::kEndStream));
    EXPECT_EQ(events, (Texts{"DataReceived 1 n=5 fc=5 END_STREAM", "StreamReset 1 PROTOCOL_ERROR local"}));
    EXPECT_EQ(h.output(), (Texts{"RST_STREAM 1 PROTOCOL_ERROR"}));
  }
  {
    Harness h = started_server();
    h.open_request(1, false, {{"content-length", "3"}});
    expect_reset(h, B().data(1, "four"), 1, ErrorCode::protocol_error);
  }
  {
    Harness h = started_server();
    const Texts events = expect_reset(
        h, B().headers(1, h.block(with(get_request(), {{"content-length", "7"}})), B::kEndHeaders | B::kEndStream), 1,
        ErrorCode::protocol_error);
    EXPECT_EQ(count_prefix(events, "RequestReceived"), 1U);  // reported, then reset: its body is missing
  }
  expect_malformed_request(with(get_request(), {{"content-length", "1x"}}));
  expect_malformed_request(with(get_request(), {{"content-length", "5"}, {"content-length", "6"}}));
}

TEST(ConnectionServerTest, ResetsMalformedRequestsWithoutHandingThemOver) {
  // H2-8.1.1-02 (RFC 9113 §8.1.1)
  expect_malformed_request({{":method", "GET"}, {":path", "/"}});
  // H2-8.2-01 (RFC 9113 §8.2)
  for (const char* name : {"Accept", "x y", "x\x01", "x\x7f", "caf\xc3\xa9", "a:b", ""}) {
    expect_malformed_request(with(get_request(), {{name, "v"}}));
  }
  // H2-8.2.1-01 (RFC 9113 §8.2.1)
  for (const char* value : {" a", "a ", "\ta", "a\t", "a\rb", "a\nb"}) {
    expect_malformed_request(with(get_request(), {{"x-v", value}}));
  }
  expect_malformed_request(with(get_request(), {{"x-v", std::string("a\0b", 3)}}));
  // H2-8.2.2-01 (RFC 9113 §8.2.2)
  for (const char* name : {"connection", "proxy-connection", "keep-alive", "transfer-encoding", "upgrade"}) {
    expect_malformed_request(with(get_request(), {{name, "x"}}));
  }
  // H2-8.3-01 (RFC 9113 §8.3)
  expect_malformed_request(with(get_request(), {{":status", "200"}}));
  expect_malformed_request(with(get_request(), {{":protocol", "websocket"}}));
  expect_malformed_request(with(get_request(), {{":foo", "bar"}}));
  // H2-8.3-02 (RFC 9113 §8.3)
  expect_malformed_request({{":method", "GET"}, {":scheme", "https"}, {"accept", "*/*"}, {":path", "/"}});
  expect_malformed_request(with(get_request(), {{":path", "/again"}}));
  expect_malformed_request(with(get_request(), {{":method", "GET"}}));
  // H2-8.3.1-01 (RFC 9113 §8.3.1)
  expect_malformed_request({{":scheme", "https"}, {":authority", "example.com"}, {":path", "/"}});
  expect_malformed_request({{":method", "GET"}, {":authority", "example.com"}, {":path", "/"}});
  expect_malformed_request({{":method", "GET"}, {":scheme", "https"}, {":authority", "example.com"}});
  expect_malformed_request({{":method", "GET"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", ""}});
  expect_malformed_request(
      {{":method", "GET"}, {":scheme", "https"}, {":authority", "u:p@example.com"}, {":path", "/"}});
  expect_malformed_request(with(get_request(), {{":scheme", "http"}}));
  // H2-8.3.1-02 (RFC 9113 §8.3.1)
  expect_malformed_request(with(get_request(), {{"host", "evil.example"}}));
  // H2-8.5-01 (RFC 9113 §8.5)
  expect_malformed_request({{":method", "CONNECT"}, {":authority", "example.com:443"}, {":scheme", "https"}});
  expect_malformed_request({{":method", "CONNECT"}, {":authority", "example.com:443"}, {":path", "/"}});
  expect_malformed_request({{":method", "CONNECT"}});
}

TEST(ConnectionServerTest, AcceptsTeTrailersOnlyInRequests) {
  // H2-8.2.2-02 (RFC 9113 §8.2.2)
  expect_malformed_request(with(get_request(), {{"te", "gzip"}}));
  expect_malformed_request(with(get_request(), {{"te", "trailers, gzip"}}));
  Harness h = started_server();
  h.open_request(1, true, {{"te", "trailers"}});
}

TEST(ConnectionServerTest, AcceptsWellFormedRequestVariants) {
  // H2-8.3.1-01 (RFC 9113 §8.3.1)
  // H2-8.3.1-02 (RFC 9113 §8.3.1)
  // H2-8.5-01 (RFC 9113 §8.5)
  Harness h = started_server();
  const Fields ok[] = {
      {{":method", "OPTIONS"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", "*"}},
      with(get_request(), {{"host", "example.com"}}),
      {{":method", "GET"}, {":scheme", "https"}, {":path", "/"}, {"host", "example.com"}},
      {{":method", "CONNECT"}, {":authority", "example.com:443"}},
  };
  std::uint32_t id = 1;
  for (const Fields& f : ok) {
    EXPECT_EQ(h.feed(B().headers(id, h.block(f), B::kEndHeaders | B::kEndStream)),
              (Texts{"RequestReceived " + std::to_string(id) + " END_STREAM"}))
        << ::testing::PrintToString(f);
    EXPECT_EQ(h.records.at(0).headers, f);
    id += 2;
  }
}

TEST(ConnectionServerTest, NeverSendsSwitchingProtocols) {
  // H2-8.6-01 (RFC 9113 §8.6)
  Harness h = started_server();
  h.open_request(1, true);
  const auto switching = as_headers(response("101"));
  EXPECT_EQ(h.conn.submit_informational(StreamId(1), switching).error(), Errc::invalid_headers);
  EXPECT_EQ(h.conn.submit_response(StreamId(1), switching, true).error(), Errc::invalid_headers);
  EXPECT_EQ(h.output(), Texts{});
}

TEST(ConnectionServerTest, HandsNoRequestAboveOurGoawayToApplication) {
  // H2-8.7-01 (RFC 9113 §8.7)
  Harness h = started_server();
  h.open_request(1, true);
  h.conn.shutdown();
  EXPECT_EQ(h.output(), (Texts{"GOAWAY 1 NO_ERROR"}));
  EXPECT_EQ(h.feed(B().headers(3, h.block(get_request()), B::kEndHeaders | B::kEndStream)), Texts{});
  EXPECT_EQ(h.output(), Texts{});
  h.submit_response(1, true);
  EXPECT_TRUE(h.conn.is_closed());
}

// ---- §8.4 server push ---------------------------------------------------------------------------------------------

TEST(ConnectionServerTest, PromisesOnlySafeCompleteRequests) {
  // H2-8.4-01 (RFC 9113 §8.4, §8.4.1)
  Harness h = started_server();
  h.open_request(1, true);
  const Fields bad[] = {
      {{":method", "POST"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", "/"}},
      {{":method", "GET"}, {":scheme", "https"}, {":path", "/"}},
      {{":method", "GET"}, {":scheme", "https"}, {":authority", "example.com"}},
      {{":method", "GET"},
       {":scheme", "https"},
       {":authority", "example.com"},
       {":path", "/"},
       {"content-length", "5"}},
      {{":method", "GET"}, {":authority", "example.com"}, {":path", "/"}},
  };
  for (const Fields& f : bad) {
    const auto req = as_headers(f);
    EXPECT_EQ(h.conn.submit_push_promise(StreamId(1), req).error(), Errc::invalid_headers);
  }
  EXPECT_EQ(h.output(), Texts{});
  const auto head =
      as_headers({{":method", "HEAD"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", "/x"}});
  EXPECT_TRUE(h.conn.submit_push_promise(StreamId(1), head).ok());
  h.output();
  ASSERT_EQ(h.frames.size(), 1U);
  EXPECT_EQ(field_value(h.frames[0].fields, ":method"), "HEAD");
  EXPECT_EQ(field_value(h.frames[0].fields, ":authority"), "example.com");
}

TEST(ConnectionServerTest, FailsWhenClientSendsPushPromise) {
  // H2-8.4-04 (RFC 9113 §8.4)
  Harness h = started_server();
  h.open_request(1, false);
  expect_goaway(h, B().push_promise(1, 2, h.block(get_request("/x"))), 1, ErrorCode::protocol_error);
}

TEST(ConnectionServerTest, SendsPromiseBeforeFramesThatReferenceIt) {
  // H2-8.4-05 (RFC 9113 §8.4.1)
  Harness h = started_server();
  h.open_request(1, true);
  const auto resp = as_headers(response());
  ASSERT_TRUE(h.conn.submit_response(StreamId(1), resp, false).ok());
  ASSERT_TRUE(h.conn.send_data(StreamId(1), bytes_of("<script src=/app.js>"), true).ok());
  const auto req = as_headers(get_request("/app.js"));
  ASSERT_TRUE(h.conn.submit_push_promise(StreamId(1), req).ok());
  // The DATA naming /app.js was queued first but goes out after the promise.
  EXPECT_EQ(h.output(), (Texts{"HEADERS 1 status=200", "PUSH_PROMISE 1 promised=2", "DATA 1 n=20 END_STREAM"}));
}

TEST(ConnectionServerTest, SendsNothingMoreOnPushTheClientRefused) {
  // H2-8.4-06 (RFC 9113 §8.4.2, §6.4)
  Harness h = started_server({{kInitialWindowSize, 0}});
  h.open_request(1, true);
  const std::uint32_t a = promise(h, 1, "/a.js");
  const std::uint32_t b = promise(h, 1, "/b.js");
  const auto resp = as_headers(response());
  ASSERT_TRUE(h.conn.submit_response(StreamId(b), resp, false).ok());
  ASSERT_TRUE(h.conn.send_data(StreamId(b), bytes_of(std::string(100000, 'b')), true).ok());
  EXPECT_EQ(h.output(), (Texts{"HEADERS 4 status=200"}));
  EXPECT_EQ(h.feed(B().rst_stream(a, kCancel).rst_stream(b, 0x7)),
            (Texts{"StreamReset 2 CANCEL by_peer", "StreamReset 4 REFUSED_STREAM by_peer"}));
  EXPECT_EQ(h.output(), Texts{});
  EXPECT_EQ(h.conn.submit_response(StreamId(a), resp, true).error(), Errc::unknown_stream);
  EXPECT_FALSE(h.conn.wants_write());
}

TEST(ConnectionServerTest, SendsPushedResponseOnPromisedStream) {
  // H2-8.4-08 (RFC 9113 §8.4.2)
  Harness h = started_server();
  h.open_request(1, true);
  const std::uint32_t pushed = promise(h, 1, "/a.js");
  const auto resp = as_headers(response());
  ASSERT_TRUE(h.conn.submit_response(StreamId(pushed), resp, false).ok());
  EXPECT_EQ(h.output(), (Texts{"HEADERS 2 status=200"}));
  // Half-closed (remote) for us: the client sends nothing but WINDOW_UPDATE, PRIORITY, RST_STREAM there.
  expect_ignored(h, B().window_update(pushed, 10).priority(pushed, 0, 3));
  ASSERT_TRUE(h.conn.send_data(StreamId(pushed), bytes_of("js"), true).ok());
  EXPECT_EQ(h.output(), (Texts{"DATA 2 n=2 END_STREAM"}));
  EXPECT_EQ(h.conn.active_streams(), 1U);  // stream 1 is still ours to answer
}

TEST(ConnectionServerTest, ResetsClientDataOnPushedStream) {
  // H2-8.4-08 (RFC 9113 §8.4.2)
  Harness h = started_server();
  h.open_request(1, true);
  const std::uint32_t pushed = promise(h, 1, "/a.js");
  const auto resp = as_headers(response());
  ASSERT_TRUE(h.conn.submit_response(StreamId(pushed), resp, false).ok());
  h.output();
  expect_reset(h, B().data(pushed, "x", B::kEndStream), pushed, ErrorCode::stream_closed);
}

}  // namespace
}  // namespace h2push::http2::test
