// tests/http2/connection_frames_test.cpp: RFC 9113 §6 (frame definitions) against both roles: each test sends the
// offending frame as raw bytes and checks the exact frame and error code that comes back.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "connection_test_util.hpp"

namespace h2push::http2::test {
namespace {

using B = FrameBuilder;

std::string role_name(const ::testing::TestParamInfo<Role>& info) {
  return info.param == Role::server ? "Server" : "Client";
}

class ConnectionFramesTest : public ::testing::TestWithParam<Role> {
 protected:
  Options options() const { return options_for(GetParam()); }
  bool server() const { return GetParam() == Role::server; }
  // A started harness with one stream the peer may send on.
  std::uint32_t start_with_stream(Harness& h, SettingsEntries settings = {}) {
    h.start(settings);
    return h.open_peer_stream();
  }
};

INSTANTIATE_TEST_SUITE_P(Roles, ConnectionFramesTest, ::testing::Values(Role::server, Role::client), role_name);

std::uint32_t our_sending_stream(Harness& h) {
  if (h.role() == Role::server) {
    const std::uint32_t id = h.half_closed_remote_stream();
    h.submit_response(id, false);
    return id;
  }
  return h.submit_get(false);
}

ByteVector octets(std::size_t n, char c = 'x') { return bytes_of(std::string(n, c)); }

// ---- §6.1 DATA ----------------------------------------------------------------------------------------------------

TEST_P(ConnectionFramesTest, FailsWhenDataIsOnStreamZero) {
  // H2-6.1-01 (RFC 9113 §6.1)
  Harness h(options());
  start_with_stream(h);
  expect_goaway(h, B().data(0, "x", B::kEndStream), h.last_peer_stream(), ErrorCode::protocol_error);
}

TEST_P(ConnectionFramesTest, ResetsWhenDataIsOnStreamNotOpen) {
  // H2-6.1-02 (RFC 9113 §6.1)
  Harness h(options());
  h.start();
  const std::uint32_t half = h.half_closed_remote_stream();
  expect_reset(h, B().data(half, "x"), half, ErrorCode::stream_closed);
  const std::uint32_t reset = h.open_peer_stream();
  EXPECT_EQ(h.feed(B().rst_stream(reset, kCancel)).size(), 1U);
  expect_reset(h, B().data(reset, "x", B::kEndStream), reset, ErrorCode::stream_closed);
}

TEST_P(ConnectionFramesTest, FailsWhenDataPaddingFillsPayload) {
  // H2-6.1-03 (RFC 9113 §6.1)
  {
    Harness h(options());
    const std::uint32_t id = start_with_stream(h);
    // Pad Length 2 in a 3-octet payload leaves 0 data octets: legal.
    EXPECT_EQ(h.feed(B().frame(B::kData, B::kPadded, id, hex("02 0000"))),
              (Texts{"DataReceived " + std::to_string(id) + " n=0 fc=3"}));
    // Pad Length 3 in a 3-octet payload: the padding would eat the Pad Length octet.
    expect_goaway(h, B().frame(B::kData, B::kPadded, id, hex("03 0000")), h.last_peer_stream(),
                  ErrorCode::protocol_error);
  }
  {
    Harness h(options());
    const std::uint32_t id = start_with_stream(h);
    expect_goaway(h, B().frame(B::kData, B::kPadded, id, hex("ff 61 62")), h.last_peer_stream(),
                  ErrorCode::protocol_error);
  }
}

TEST_P(ConnectionFramesTest, AcceptsNonZeroPaddingAndSendsDataOnlyWhileAllowed) {
  // H2-6.1-04 (RFC 9113 §6.1)
  Harness h(options());
  const std::uint32_t id = start_with_stream(h);
  const Texts events = expect_ignored(h, B().data(id, "abc", 0, std::uint8_t{4}, std::byte{0xff}));
  EXPECT_EQ(events, (Texts{"DataReceived " + std::to_string(id) + " n=3 fc=8"}));
  // We send DATA without padding, and never once our side of the stream is done.
  const std::uint32_t ours = our_sending_stream(h);
  ASSERT_TRUE(h.conn.send_data(StreamId(ours), octets(3), true).ok());
  h.output();
  ASSERT_EQ(h.frames.size(), 1U);
  EXPECT_EQ(h.frames[0].flags, B::kEndStream);
  EXPECT_FALSE(h.conn.send_data(StreamId(ours), octets(1), false).ok());
  EXPECT_EQ(h.output(), Texts{});
}

// ---- §6.2 HEADERS -------------------------------------------------------------------------------------------------

TEST_P(ConnectionFramesTest, FailsWhenHeadersIsOnStreamZero) {
  // H2-6.2-01 (RFC 9113 §6.2)
  Harness h(options());
  start_with_stream(h);
  expect_goaway(h, B().headers(0, h.block(response()), B::kEndHeaders | B::kEndStream), h.last_peer_stream(),
                ErrorCode::protocol_error);
}

TEST_P(ConnectionFramesTest, FailsWhenHeadersPaddingOrPriorityFieldsDoNotFit) {
  // H2-6.2-02 (RFC 9113 §6.2)
  struct Case {
    std::uint8_t flags;
    const char* payload;
    ErrorCode code;
  };
  const Case cases[] = {
      {B::kEndHeaders | B::kPadded, "05 88 0000", ErrorCode::protocol_error},       // padding > what is left
      {B::kEndHeaders | B::kPadded, "05 0000 0000", ErrorCode::protocol_error},     // padding = payload length
      {B::kEndHeaders | B::kPadded, "", ErrorCode::frame_size_error},               // no room for Pad Length
      {B::kEndHeaders | B::kPriorityFlag, "00 0000", ErrorCode::frame_size_error},  // 3 of 5 priority octets
      {B::kEndHeaders | B::kPadded | B::kPriorityFlag, "00 00000000", ErrorCode::frame_size_error},
      {B::kEndHeaders | B::kPadded | B::kPriorityFlag, "01 00000000 00", ErrorCode::protocol_error},
  };
  for (const Case& c : cases) {
    Harness h(options());
    h.start();
    if (!server()) h.submit_get(true);
    expect_goaway(h, B().frame(B::kHeaders, c.flags, 1, hex(c.payload)), 0, c.code);
  }
}

TEST_P(ConnectionFramesTest, FailsWhenHeadersWithoutEndHeadersIsNotFollowedByContinuation) {
  // H2-6.2-03 (RFC 9113 §6.2)
  for (const B& next : {B().data(1, "x"), B().headers(1, hex("88"), B::kEndHeaders), B().settings({})}) {
    Harness h(options());
    h.start();
    if (!server()) h.submit_get(true);
    const ByteVector block = h.block(server() ? get_request() : response());
    B wire;
    wire.headers(1, block, 0).raw(next.span());
    expect_goaway(h, wire, 0, ErrorCode::protocol_error);
  }
}

TEST_P(ConnectionFramesTest, AppliesEndStreamOfHeadersWhenBlockCompletes) {
  // H2-6.2-04 (RFC 9113 §6.2)
  Harness h(options());
  h.start();
  if (!server()) h.submit_get(false);
  const ByteVector block = h.block(server() ? get_request() : response());
  const auto half = static_cast<std::ptrdiff_t>(block.size() / 2);
  const ByteVector first(block.begin(), block.begin() + half), second(block.begin() + half, block.end());
  EXPECT_EQ(h.feed(B().headers(1, first, B::kEndStream)), Texts{});
  EXPECT_EQ(h.feed(B().continuation(1, {}, 0).continuation(1, second)),
            (Texts{server() ? "RequestReceived 1 END_STREAM" : "ResponseReceived 1 status=200 END_STREAM"}));
  // The stream went idle -> open -> half-closed (remote) with that one HEADERS.
  expect_reset(h, B().data(1, "x"), 1, ErrorCode::stream_closed);
  // We send HEADERS only where the state allows it.
  const Fields f = server() ? response() : Fields{{"x-trailer", "1"}};
  const auto fields = as_headers(f);
  if (server()) {
    EXPECT_EQ(h.conn.submit_response(StreamId(1), fields, true).error(), Errc::unknown_stream);
  } else {
    EXPECT_EQ(h.conn.submit_trailers(StreamId(1), fields).error(), Errc::unknown_stream);
  }
  EXPECT_EQ(h.output(), Texts{});
}

// ---- §6.3 PRIORITY ------------------------------------------------------------------------------------------------

TEST_P(ConnectionFramesTest, FailsWhenPriorityIsOnStreamZero) {
  // H2-6.3-01 (RFC 9113 §6.3)
  Harness h(options());
  start_with_stream(h);
  expect_goaway(h, B().priority(0, 1, 16), h.last_peer_stream(), ErrorCode::protocol_error);
}

TEST_P(ConnectionFramesTest, ResetsStreamWhenPriorityLengthIsNotFive) {
  // H2-6.3-02 (RFC 9113 §6.3)
  for (const char* payload : {"00000000", "00000000 0000"}) {
    Harness h(options());
    const std::uint32_t id = start_with_stream(h);
    expect_reset(h, B().frame(B::kPriority, 0, id, hex(payload)), id, ErrorCode::frame_size_error);
  }
}

TEST_P(ConnectionFramesTest, AcceptsPriorityOnIdleAndClosedStreams) {
  // H2-6.3-03 (RFC 9113 §6.3)
  Harness h(options());
  h.start();
  expect_ignored(h, B().priority(7, 0, 16).priority(8, 0x80000003U, 255));
  const std::uint32_t closed = h.closed_stream();
  expect_ignored(h, B().priority(closed, 0, 16));
  EXPECT_EQ(h.conn.active_streams(), 0U);
  // We never send PRIORITY.
  const std::uint32_t ours = our_sending_stream(h);
  ASSERT_TRUE(h.conn.send_data(StreamId(ours), octets(10), true).ok());
  h.output();
  for (const OutFrame& f : h.frames) EXPECT_NE(f.type, B::kPriority);
}

// ---- §6.4 RST_STREAM ----------------------------------------------------------------------------------------------

TEST_P(ConnectionFramesTest, FailsWhenResetIsOnStreamZeroOrIdleOrWrongLength) {
  // H2-6.4-01 (RFC 9113 §6.4)
  {
    Harness h(options());
    start_with_stream(h);
    expect_goaway(h, B().rst_stream(0, kCancel), h.last_peer_stream(), ErrorCode::protocol_error);
  }
  {
    Harness h(options());
    start_with_stream(h);
    expect_goaway(h, B().rst_stream(21, kCancel), h.last_peer_stream(), ErrorCode::protocol_error);
  }
  for (const char* payload : {"000008", "00000008 00"}) {
    Harness h(options());
    const std::uint32_t id = start_with_stream(h);
    expect_goaway(h, B().frame(B::kRstStream, 0, id, hex(payload)), h.last_peer_stream(), ErrorCode::frame_size_error);
  }
}

TEST_P(ConnectionFramesTest, SendsNothingOnStreamAfterPeerResetIt) {
  // H2-6.4-02 (RFC 9113 §6.4)
  Harness h(options());
  h.start({{kInitialWindowSize, 0}});
  const std::uint32_t id = our_sending_stream(h);
  ASSERT_TRUE(h.conn.send_data(StreamId(id), octets(100), false).ok());
  EXPECT_EQ(h.output(), Texts{});
  EXPECT_EQ(h.feed(B().rst_stream(id, kCancel).window_update(id, 1000)),
            (Texts{"StreamReset " + std::to_string(id) + " CANCEL by_peer"}));
  EXPECT_EQ(h.output(), Texts{});
  EXPECT_EQ(h.conn.send_data(StreamId(id), octets(1), true).error(), Errc::unknown_stream);
  EXPECT_EQ(h.conn.reset_stream(StreamId(id), ErrorCode::cancel).error(), Errc::unknown_stream);
  EXPECT_EQ(h.output(), Texts{});
  EXPECT_FALSE(h.conn.wants_write());
}

// ---- §6.5 SETTINGS ------------------------------------------------------------------------------------------------

TEST_P(ConnectionFramesTest, FailsOnMalformedSettings) {
  // H2-6.5-01 (RFC 9113 §6.5)
  struct Case {
    B frame;
    ErrorCode code;
  };
  const Case cases[] = {
      {B().settings({{kMaxConcurrentStreams, 10}}, 1), ErrorCode::protocol_error},
      {B().frame(B::kSettings, B::kAck, 1, {}), ErrorCode::protocol_error},
      {B().frame(B::kSettings, B::kAck, 0, hex("000300000001")), ErrorCode::frame_size_error},
      {B().frame(B::kSettings, 0, 0, hex("0003000000")), ErrorCode::frame_size_error},
      {B().frame(B::kSettings, 0, 0, hex("000300000001 00")), ErrorCode::frame_size_error},
  };
  for (const Case& c : cases) {
    Harness h(options());
    start_with_stream(h);
    expect_goaway(h, c.frame, h.last_peer_stream(), c.code);
  }
}

TEST_P(ConnectionFramesTest, AcceptsAllSixSettingsAtStartAndLater) {
  // H2-6.5-02 (RFC 9113 §6.5, §6.5.2)
  Harness h(options());
  h.start({{kHeaderTableSize, 4096},
           {kEnablePush, 0},
           {kMaxConcurrentStreams, 10},
           {kInitialWindowSize, 1000},
           {kMaxFrameSize, 16384},
           {kMaxHeaderListSize, 8192}});
  const std::uint32_t id = our_sending_stream(h);
  EXPECT_EQ(h.conn.stream_send_window(StreamId(id)), 1000);
  // Sent again later, they are applied and acknowledged again.
  EXPECT_EQ(h.feed(B().settings({{kInitialWindowSize, 2000}, {kMaxFrameSize, 20000}, {kHeaderTableSize, 0}})),
            (Texts{"SettingsReceived"}));
  EXPECT_EQ(h.output(), (Texts{"SETTINGS ACK"}));
  EXPECT_EQ(h.conn.stream_send_window(StreamId(id)), 2000);
  // Our own preface advertises MAX_CONCURRENT_STREAMS and MAX_HEADER_LIST_SIZE; HEADER_TABLE_SIZE only when it
  // differs from the 4096 default.
  Harness fresh(options());
  const Texts preface = fresh.output();
  ASSERT_FALSE(preface.empty());
  EXPECT_NE(preface[0].find(" 3=100"), std::string::npos);
  EXPECT_NE(preface[0].find(" 6=65536"), std::string::npos);
  EXPECT_EQ(preface[0].find(" 1="), std::string::npos);
}

TEST_P(ConnectionFramesTest, FailsWhenEnablePushIsNeitherZeroNorOne) {
  // H2-6.5.2-01 (RFC 9113 §6.5.2)
  Harness h(options());
  start_with_stream(h);
  expect_goaway(h, B().settings({{kEnablePush, 2}}), h.last_peer_stream(), ErrorCode::protocol_error);
}

TEST_P(ConnectionFramesTest, TreatsMaxConcurrentStreamsZeroAsALimit) {
  // H2-6.5.2-03 (RFC 9113 §6.5.2)
  Harness h(options());
  h.start({{kMaxConcurrentStreams, 0}});
  if (server()) {
    // No pushed response could ever start, so we make no promise at all (§8.4.2 allows either).
    h.open_request(1, true);
    EXPECT_FALSE(h.conn.peer_accepts_push());
    const auto req = as_headers(get_request("/app.js"));
    EXPECT_EQ(h.conn.submit_push_promise(StreamId(1), req).error(), Errc::push_disabled);
    EXPECT_EQ(h.output(), Texts{});
  } else {
    const auto req = as_headers(get_request());
    EXPECT_EQ(h.conn.submit_request(req, true).error(), Errc::stream_limit);
    EXPECT_EQ(h.output(), Texts{});
  }
}

TEST_P(ConnectionFramesTest, FailsWhenInitialWindowSizeExceedsMaximum) {
  // H2-6.5.2-04 (RFC 9113 §6.5.2)
  Harness h(options());
  start_with_stream(h);
  expect_goaway(h, B().settings({{kInitialWindowSize, 0x80000000U}}), h.last_peer_stream(),
                ErrorCode::flow_control_error);
}

TEST_P(ConnectionFramesTest, FailsWhenMaxFrameSizeIsOutOfRange) {
  // H2-6.5.2-05 (RFC 9113 §6.5.2)
  for (const std::uint32_t value : {0U, 16383U, 16777216U, 0xffffffffU}) {
    Harness h(options());
    start_with_stream(h);
    expect_goaway(h, B().settings({{kMaxFrameSize, value}}), h.last_peer_stream(), ErrorCode::protocol_error);
  }
  Harness h(options());
  start_with_stream(h);
  EXPECT_EQ(h.feed(B().settings({{kMaxFrameSize, 16384}, {kMaxFrameSize, 16777215}})), (Texts{"SettingsReceived"}));
}

TEST_P(ConnectionFramesTest, DecodesBlockAboveMaxHeaderListSize) {
  // H2-6.5.2-06 (RFC 9113 §6.5.2, §10.5.1)
  Options o = options();
  o.max_header_list_size = 400;
  Harness h(o);
  h.start();
  const Fields big = {{"x-big", std::string(600, 'b')}, {"x-tag", "v1"}};
  std::uint32_t id = 1;
  Fields f = server() ? get_request() : response();
  f.insert(f.end(), big.begin(), big.end());
  if (!server()) id = h.submit_get(true);
  const Texts events = h.feed(B().headers(id, h.block(f), B::kEndHeaders | B::kEndStream));
  if (server()) {
    EXPECT_EQ(events, Texts{});  // never handed to the application
    EXPECT_EQ(h.output(), (Texts{"HEADERS 1 status=431 END_STREAM"}));
    // The block was decoded: the peer's next block may use what it indexed.
    h.open_request(3, true, {{"x-tag", "v1"}});
  } else {
    EXPECT_EQ(events, (Texts{"StreamReset 1 ENHANCE_YOUR_CALM local"}));
    EXPECT_EQ(h.output(), (Texts{"RST_STREAM 1 ENHANCE_YOUR_CALM"}));
    const std::uint32_t next = h.submit_get(true);
    EXPECT_EQ(h.respond(next, true, "200", {{"x-tag", "v1"}}), (Texts{"ResponseReceived 3 status=200 END_STREAM"}));
  }
  EXPECT_FALSE(h.conn.failed());
}

TEST_P(ConnectionFramesTest, IgnoresUnknownSettingId) {
  // H2-6.5.2-07 (RFC 9113 §6.5.2)
  Harness h(options());
  start_with_stream(h);
  EXPECT_EQ(h.feed(B().settings({{0x8, 1}, {0xa, 5}, {0xffff, 0}})), (Texts{"SettingsReceived"}));
  EXPECT_EQ(h.output(), (Texts{"SETTINGS ACK"}));
}

TEST_P(ConnectionFramesTest, AppliesSettingsInOrderAndOursOnlyOnAck) {
  // H2-6.5.3-01 (RFC 9113 §6.5.3)
  {
    Harness h(options());
    h.start({{kInitialWindowSize, 100}, {kInitialWindowSize, 10}});
    const std::uint32_t id = our_sending_stream(h);
    EXPECT_EQ(h.conn.stream_send_window(StreamId(id)), 10);
    ASSERT_TRUE(h.conn.send_data(StreamId(id), octets(50), true).ok());
    EXPECT_EQ(h.output(), (Texts{"DATA " + std::to_string(id) + " n=10"}));
    // Two SETTINGS frames: two ACKs, in order.
    EXPECT_EQ(h.feed(B().settings({}).settings({})), (Texts{"SettingsReceived", "SettingsReceived"}));
    EXPECT_EQ(h.output(), (Texts{"SETTINGS ACK", "SETTINGS ACK"}));
  }
  {
    // Our MAX_FRAME_SIZE of 32768 binds the peer only once acknowledged.
    Options o = options();
    o.max_frame_size = 32768;
    o.initial_window_size = 1 << 20;
    o.connection_window_size = 1 << 20;
    Harness h(o);
    h.start({}, false);
    const std::uint32_t id = h.open_peer_stream();
    expect_goaway(h, B().data(id, std::string(20000, 'x')), h.last_peer_stream(), ErrorCode::frame_size_error);
  }
  {
    Options o = options();
    o.max_frame_size = 32768;
    o.initial_window_size = 1 << 20;
    o.connection_window_size = 1 << 20;
    Harness h(o);
    h.start();
    const std::uint32_t id = h.open_peer_stream();
    EXPECT_EQ(h.feed(B().data(id, std::string(20000, 'x'))),
              (Texts{"DataReceived " + std::to_string(id) + " n=20000 fc=20000"}));
  }
}

TEST_P(ConnectionFramesTest, FailsWithSettingsTimeoutWhenSettingsAreNotAcknowledged) {
  // H2-6.5.3-02 (RFC 9113 §6.5.3)
  Harness h(options());
  EXPECT_EQ(h.advance(0), Texts{});
  h.start({}, false);
  ASSERT_TRUE(h.conn.next_deadline().has_value());
  EXPECT_EQ(h.conn.next_deadline()->nanoseconds, 10'000'000'000);
  EXPECT_EQ(h.advance(9'000'000'000), Texts{});
  EXPECT_FALSE(h.conn.failed());
  EXPECT_EQ(h.advance(10'000'000'001), (Texts{"ConnectionFailed SETTINGS_TIMEOUT"}));
  EXPECT_TRUE(h.conn.failed());
  EXPECT_EQ(h.output(), (Texts{"GOAWAY 0 SETTINGS_TIMEOUT"}));
  EXPECT_EQ(h.advance(20'000'000'000), Texts{});
  // An ACK in time cancels the deadline.
  Harness ok(options());
  EXPECT_EQ(ok.advance(0), Texts{});
  ok.start();
  EXPECT_FALSE(ok.conn.next_deadline().has_value());
  EXPECT_EQ(ok.advance(60'000'000'000), Texts{});
  EXPECT_FALSE(ok.conn.failed());
}

// ---- §6.7 PING ----------------------------------------------------------------------------------------------------

TEST_P(ConnectionFramesTest, AnswersPingWithSameOctetsAndNeverAnswersAck) {
  // H2-6.7-01 (RFC 9113 §6.7)
  Harness h(options());
  h.start({{kInitialWindowSize, 0}});
  const std::uint32_t id = our_sending_stream(h);
  ASSERT_TRUE(h.conn.send_data(StreamId(id), octets(10), true).ok());
  EXPECT_EQ(h.feed(B().ping(0x0102030405060708)), Texts{});
  EXPECT_EQ(h.output(), (Texts{"PING ACK 72623859790382856"}));
  EXPECT_EQ(h.feed(B().ping(77, true)), (Texts{"PingAcknowledged 77"}));
  EXPECT_EQ(h.output(), Texts{});
  // Our own PING, answered.
  std::array<std::byte, 8> opaque{};
  opaque[7] = std::byte{3};
  h.conn.ping(opaque);
  EXPECT_EQ(h.output(), (Texts{"PING 3"}));
  EXPECT_EQ(h.feed(B().ping(3, true)), (Texts{"PingAcknowledged 3"}));
}

TEST_P(ConnectionFramesTest, FailsWhenPingIsOnStreamOrHasWrongLength) {
  // H2-6.7-02 (RFC 9113 §6.7)
  {
    Harness h(options());
    const std::uint32_t id = start_with_stream(h);
    expect_goaway(h, B().ping(1, false, id), h.last_peer_stream(), ErrorCode::protocol_error);
  }
  for (const char* payload : {"", "00000000000000", "000000000000000000"}) {
    Harness h(options());
    start_with_stream(h);
    expect_goaway(h, B().frame(B::kPing, 0, 0, hex(payload)), h.last_peer_stream(), ErrorCode::frame_size_error);
  }
}

// ---- §6.8 GOAWAY --------------------------------------------------------------------------------------------------

TEST_P(ConnectionFramesTest, FailsWhenGoawayIsOnStreamOrTooShort) {
  // H2-6.8-01 (RFC 9113 §6.8)
  {
    Harness h(options());
    const std::uint32_t id = start_with_stream(h);
    expect_goaway(h, B().goaway(0, kNoError, "", id), h.last_peer_stream(), ErrorCode::protocol_error);
  }
  {
    Harness h(options());
    start_with_stream(h);
    expect_goaway(h, B().frame(B::kGoaway, 0, 0, hex("00000000 000000")), h.last_peer_stream(),
                  ErrorCode::frame_size_error);
  }
}

TEST_P(ConnectionFramesTest, OpensNoStreamAfterPeerGoaway) {
  // H2-6.8-02 (RFC 9113 §6.8)
  Harness h(options());
  h.start();
  if (server()) {
    h.open_request(1, true);
    EXPECT_EQ(h.feed(B().goaway(0, kNoError)), (Texts{"GoawayReceived 0 NO_ERROR"}));
    EXPECT_FALSE(h.conn.peer_accepts_push());
    const auto req = as_headers(get_request("/a.css"));
    EXPECT_EQ(h.conn.submit_push_promise(StreamId(1), req).error(), Errc::going_away);
    h.submit_response(1, true);  // streams already open may finish
    EXPECT_TRUE(h.conn.is_closed());
  } else {
    const std::uint32_t a = h.submit_get(false), b = h.submit_get(false), c = h.submit_get(false);
    ASSERT_EQ(c, 5U);
    // Streams above Last-Stream-ID were not processed: they come back as refused, safe to retry.
    EXPECT_EQ(h.feed(B().goaway(a, kNoError, "bye")),
              (Texts{"GoawayReceived 1 NO_ERROR", "StreamReset " + std::to_string(b) + " REFUSED_STREAM by_peer",
                     "StreamReset 5 REFUSED_STREAM by_peer"}));
    const auto req = as_headers(get_request());
    EXPECT_EQ(h.conn.submit_request(req, true).error(), Errc::going_away);
    EXPECT_EQ(h.conn.active_streams(), 1U);
    EXPECT_EQ(h.respond(a, true), (Texts{"ResponseReceived 1 status=200 END_STREAM"}));
  }
  EXPECT_FALSE(h.conn.failed());
}

TEST_P(ConnectionFramesTest, ReportsLastProcessedPeerStreamAndNeverRaisesIt) {
  // H2-6.8-03 (RFC 9113 §6.8)
  {
    Harness h(options());
    h.start();
    h.conn.shutdown();
    EXPECT_EQ(h.output(), (Texts{"GOAWAY 0 NO_ERROR"}));
  }
  Harness h(options());
  h.start();
  h.open_peer_stream();
  h.open_peer_stream();
  const std::uint32_t last = h.last_peer_stream();
  h.conn.shutdown();
  EXPECT_EQ(h.output(), (Texts{"GOAWAY " + std::to_string(last) + " NO_ERROR"}));
  if (server()) {
    // A stream opened after our GOAWAY is not processed and does not raise Last-Stream-ID.
    EXPECT_EQ(h.feed(B().headers(7, h.block(get_request()), B::kEndHeaders | B::kEndStream)), Texts{});
  }
  h.conn.shutdown(ErrorCode::internal_error);
  EXPECT_EQ(h.output(), (Texts{"GOAWAY " + std::to_string(last) + " INTERNAL_ERROR"}));
}

TEST_P(ConnectionFramesTest, SendsGoawayBeforeClosingAndLetsOpenStreamsFinish) {
  // H2-6.8-04 (RFC 9113 §6.8, §9.1)
  Harness h(options());
  h.start();
  const std::uint32_t id = h.open_peer_stream();
  h.conn.shutdown();
  EXPECT_EQ(h.output(), (Texts{"GOAWAY " + std::to_string(h.last_peer_stream()) + " NO_ERROR"}));
  EXPECT_FALSE(h.conn.is_closed());
  EXPECT_EQ(h.feed(B().data(id, "end", B::kEndStream)),
            (Texts{"DataReceived " + std::to_string(id) + " n=3 fc=3 END_STREAM"}));
  if (server()) h.submit_response(id, true);
  EXPECT_TRUE(h.conn.is_closed());
}

// H2-6.8-05 concerns the streams a server leaves above its GOAWAY: see connection_server_test.cpp.

// ---- §6.9 WINDOW_UPDATE -------------------------------------------------------------------------------------------

TEST_P(ConnectionFramesTest, RejectsWindowUpdateOfWrongLengthOrZeroIncrement) {
  // H2-6.9-01 (RFC 9113 §6.9)
  for (const char* payload : {"000001", "00000001 00"}) {
    Harness h(options());
    const std::uint32_t id = start_with_stream(h);
    expect_goaway(h, B().frame(B::kWindowUpdate, 0, id, hex(payload)), h.last_peer_stream(),
                  ErrorCode::frame_size_error);
  }
  {
    Harness h(options());
    const std::uint32_t id = start_with_stream(h);
    expect_reset(h, B().window_update(id, 0), id, ErrorCode::protocol_error);
    expect_reset(h, B().window_update(h.open_peer_stream(), 0x80000000U), id + 2, ErrorCode::protocol_error);
  }
  {
    Harness h(options());
    start_with_stream(h);
    expect_goaway(h, B().window_update(0, 0), h.last_peer_stream(), ErrorCode::protocol_error);
  }
}

TEST_P(ConnectionFramesTest, IgnoresWindowUpdateOnHalfClosedRemoteOrClosedStream) {
  // H2-6.9-02 (RFC 9113 §6.9)
  Harness h(options());
  h.start();
  const std::uint32_t half = h.half_closed_remote_stream();
  expect_ignored(h, B().window_update(half, 1));
  const std::uint32_t closed = h.closed_stream();
  expect_ignored(h, B().window_update(closed, 0x7fffffff));
}

TEST_P(ConnectionFramesTest, FailsFlowControlWhenWindowUpdateOverflowsWindow) {
  // H2-6.9.1-01 (RFC 9113 §6.9.1)
  {
    Harness h(options());
    h.start();
    const std::uint32_t id = our_sending_stream(h);
    EXPECT_EQ(h.feed(B().window_update(id, 0x7fffffffU - 65535)), Texts{});
    EXPECT_EQ(h.conn.stream_send_window(StreamId(id)), 0x7fffffff);
    expect_reset(h, B().window_update(id, 1), id, ErrorCode::flow_control_error);
  }
  {
    Harness h(options());
    const std::uint32_t id = start_with_stream(h);
    EXPECT_EQ(h.feed(B().window_update(0, 0x7fffffffU - 65535)), Texts{});
    EXPECT_EQ(h.conn.connection_send_window(), 0x7fffffff);
    expect_goaway(h, B().window_update(0, 1), h.last_peer_stream(), ErrorCode::flow_control_error);
    (void)id;
  }
}

TEST_P(ConnectionFramesTest, ShiftsStreamWindowsWhenInitialWindowSizeChanges) {
  // H2-6.9.2-01 (RFC 9113 §6.9.2)
  Harness h(options());
  h.start({{kInitialWindowSize, 1}});
  const std::uint32_t id = our_sending_stream(h);
  const std::string sid = std::to_string(id);
  ASSERT_TRUE(h.conn.send_data(StreamId(id), octets(20), true).ok());
  EXPECT_EQ(h.output(), (Texts{"DATA " + sid + " n=1"}));
  EXPECT_EQ(h.output(), Texts{});  // then wait
  // 1 -> 5: the window moves by +4 (it was 0).
  EXPECT_EQ(h.feed(B().settings({{kInitialWindowSize, 5}})), (Texts{"SettingsReceived"}));
  EXPECT_EQ(h.output(), (Texts{"SETTINGS ACK", "DATA " + sid + " n=4"}));
  // 5 -> 0: the window goes negative (-5); nothing is sent until it is positive again.
  EXPECT_EQ(h.feed(B().settings({{kInitialWindowSize, 0}})), (Texts{"SettingsReceived"}));
  EXPECT_EQ(h.conn.stream_send_window(StreamId(id)), -5);
  EXPECT_EQ(h.feed(B().window_update(id, 5)), Texts{});
  EXPECT_EQ(h.output(), (Texts{"SETTINGS ACK"}));
  EXPECT_EQ(h.feed(B().window_update(id, 3)), Texts{});
  EXPECT_EQ(h.output(), (Texts{"DATA " + sid + " n=3"}));
  EXPECT_EQ(h.conn.connection_send_window(), 65535 - 8);
}

TEST_P(ConnectionFramesTest, FailsWhenInitialWindowSizeLiftsStreamWindowAboveMaximum) {
  // H2-6.9.2-02 (RFC 9113 §6.9.2)
  Harness h(options());
  h.start();
  const std::uint32_t id = our_sending_stream(h);
  EXPECT_EQ(h.feed(B().window_update(id, 0x7fffffffU - 65535)), Texts{});
  expect_goaway(h, B().settings({{kInitialWindowSize, 65536}}), h.last_peer_stream(), ErrorCode::flow_control_error);
}

TEST_P(ConnectionFramesTest, ToleratesDataAboveLoweredWindowUntilAcknowledged) {
  // H2-6.9.3-01 (RFC 9113 §6.9.3)
  Options o = options();
  o.initial_window_size = 100;
  o.auto_window_update = false;
  Harness h(o);
  h.start({}, false);
  const std::uint32_t id = h.open_peer_stream();
  EXPECT_EQ(h.feed(B().data(id, std::string(1000, 'x'))),
            (Texts{"DataReceived " + std::to_string(id) + " n=1000 fc=1000"}));
  EXPECT_FALSE(h.conn.failed());
  // Once acknowledged, a new stream gets 100 octets.
  EXPECT_EQ(h.feed(B().settings_ack()), (Texts{"SettingsAcknowledged"}));
  h.output();
  const std::uint32_t next = h.open_peer_stream();
  EXPECT_EQ(h.feed(B().data(next, std::string(100, 'x'))).size(), 1U);
  expect_reset(h, B().data(next, "x"), next, ErrorCode::flow_control_error);
}

// ---- §6.10 CONTINUATION -------------------------------------------------------------------------------------------

TEST_P(ConnectionFramesTest, FailsWhenContinuationDoesNotContinueFieldBlock) {
  // H2-6.10-01 (RFC 9113 §6.10)
  const auto block_on_1 = [](Harness& h, std::uint8_t flags) {
    return B().headers(1, h.block(h.role() == Role::server ? get_request() : response()), flags);
  };
  struct Case {
    const char* what;
    std::function<B(Harness&)> wire;
  };
  const Case cases[] = {
      {"on stream 0", [&](Harness& h) { return block_on_1(h, 0).continuation(0, {}); }},
      {"on another stream", [&](Harness& h) { return block_on_1(h, 0).continuation(3, {}); }},
      {"after END_HEADERS", [&](Harness& h) { return block_on_1(h, B::kEndHeaders).continuation(1, {}); }},
      {"after DATA", [&](Harness& h) { return block_on_1(h, B::kEndHeaders).data(1, "x").continuation(1, {}); }},
      {"alone", [](Harness&) { return B().continuation(1, hex("88")); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Harness h(options());
    h.start();
    if (!server()) h.submit_get(false);
    const B wire = c.wire(h);
    const Texts events = h.feed(wire);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back(), "ConnectionFailed PROTOCOL_ERROR");
    const Texts out = h.output();
    ASSERT_FALSE(out.empty());
    const bool processed = count_prefix(events, "RequestReceived") + count_prefix(events, "ResponseReceived") > 0;
    EXPECT_EQ(out.back(), std::string("GOAWAY ") + (processed && server() ? "1" : "0") + " PROTOCOL_ERROR");
  }
}

TEST_P(ConnectionFramesTest, CapsContinuationFramesPerBlock) {
  // H2-6.10-02 (RFC 9113 §6.10, §10.5)
  Options o = options();
  o.max_continuation_frames = 3;
  {
    // A block in 1 + 3 frames is fine.
    Harness h(o);
    h.start();
    if (!server()) h.submit_get(true);
    const ByteVector block = h.block(server() ? get_request() : Fields{{":status", "200"}, {"server", "test"}});
    const auto n = static_cast<std::ptrdiff_t>(block.size());
    ASSERT_GE(n, 4);
    auto part = [&](std::ptrdiff_t i) {
      return ByteVector(block.begin() + n * i / 4, block.begin() + n * (i + 1) / 4);
    };
    const Texts events = h.feed(B().headers(1, part(0), B::kEndStream)
                                    .continuation(1, part(1), 0)
                                    .continuation(1, part(2), 0)
                                    .continuation(1, part(3)));
    EXPECT_EQ(events.size(), 1U);
    EXPECT_FALSE(h.conn.failed());
  }
  {
    Harness h(o);
    h.start();
    if (!server()) h.submit_get(true);
    B wire;
    wire.headers(1, hex("82"), 0);
    for (int i = 0; i < 4; ++i) wire.continuation(1, hex("00"), 0);
    expect_goaway(h, wire, 0, ErrorCode::enhance_your_calm);
  }
}

}  // namespace
}  // namespace h2push::http2::test
