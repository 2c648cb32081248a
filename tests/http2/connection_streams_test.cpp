// tests/http2/connection_streams_test.cpp: RFC 9113 §3.4, §4 and §5 (preface, framing, field blocks, stream
// states, flow control, error handling, extensions), run against both roles: the test plays the peer with raw bytes.
#include <gtest/gtest.h>

#include <string>

#include "connection_test_util.hpp"

namespace h2push::http2::test {
namespace {

using B = FrameBuilder;

std::string role_name(const ::testing::TestParamInfo<Role>& info) {
  return info.param == Role::server ? "Server" : "Client";
}

class ConnectionStreamsTest : public ::testing::TestWithParam<Role> {
 protected:
  Options options() const { return options_for(GetParam()); }
  bool server() const { return GetParam() == Role::server; }
};

INSTANTIATE_TEST_SUITE_P(Roles, ConnectionStreamsTest, ::testing::Values(Role::server, Role::client), role_name);

// A stream we may still send on: the server answered a finished request without END_STREAM, the client sent a
// request without END_STREAM.
std::uint32_t our_sending_stream(Harness& h) {
  if (h.role() == Role::server) {
    const std::uint32_t id = h.half_closed_remote_stream();
    h.submit_response(id, false);
    return id;
  }
  return h.submit_get(false);
}

ByteVector octets(std::size_t n, char c = 'x') { return bytes_of(std::string(n, c)); }

// A raw request or response block that leaves the peer's dynamic table alone (literals without indexing).
ByteVector plain_block(Role our_role) {
  // Server: GET https://example.com/ ; client: :status 200.
  return our_role == Role::server ? hex("82 87 84 01 0b 6578616d706c652e636f6d") : hex("88");
}

// ---- §3.4 connection preface ------------------------------------------------------------------------------------

TEST_P(ConnectionStreamsTest, SendsSettingsFirstAndAcksPeerSettingsAfterIt) {
  // H2-3.4-02 (RFC 9113 §3.4)
  Harness h(options());
  const Texts preface = h.output();  // the client magic is checked and stripped by the harness
  ASSERT_FALSE(preface.empty());
  EXPECT_EQ(preface.front().rfind("SETTINGS ", 0), 0U) << preface.front();
  EXPECT_NE(preface.front().find(" 3=100"), std::string::npos) << preface.front();
  EXPECT_EQ(h.frames.front().stream_word, 0U);
  EXPECT_EQ(h.feed(server() ? B().client_magic().settings({}) : B().settings({})), (Texts{"SettingsReceived"}));
  EXPECT_EQ(h.output(), (Texts{"SETTINGS ACK"}));
  EXPECT_EQ(h.feed(B().settings_ack()), (Texts{"SettingsAcknowledged"}));
  EXPECT_FALSE(h.conn.settings_ack_pending());
}

TEST_P(ConnectionStreamsTest, FailsWhenFirstPeerFrameIsNotSettings) {
  // H2-3.4-03 (RFC 9113 §3.4)
  for (const auto& first : {B().ping(1), B().settings_ack(), B().window_update(0, 100)}) {
    Harness h(options());
    h.output();
    B wire;
    if (server()) wire.client_magic();
    wire.raw(first.span());
    expect_goaway(h, wire, 0, ErrorCode::protocol_error);
  }
}

// ---- §4.1 frame format ------------------------------------------------------------------------------------------

TEST_P(ConnectionStreamsTest, IgnoresFrameOfUnknownType) {
  // H2-4.1-01 (RFC 9113 §4.1)
  Harness h(options());
  h.start();
  const std::uint32_t id = h.open_peer_stream();
  expect_ignored(h, B().frame(0x42, 0xff, 0, bytes_of("extension")));
  expect_ignored(h, B().frame(0xfe, 0x00, id, bytes_of("on a stream")));
  expect_ignored(h, B().frame(0x21, 0x00, 1001, {}));  // an idle stream: unknown types cause no state error
}

TEST_P(ConnectionStreamsTest, IgnoresUndefinedFlagsAndReservedBits) {
  // H2-4.1-02 (RFC 9113 §4.1)
  Harness h(options());
  h.start();
  // PING with every undefined flag set (ACK clear) is still answered.
  EXPECT_EQ(h.feed(B().frame(B::kPing, 0xfe, 0, hex("0000000000000007"))), Texts{});
  EXPECT_EQ(h.output(), (Texts{"PING ACK 7"}));
  const std::uint32_t id = h.open_peer_stream();
  // The reserved bit in the stream id and in the window increment is ignored.
  const Texts events = h.feed(B().frame(B::kData, 0xf6, 0x80000000U | id, bytes_of("abc")));
  EXPECT_EQ(events, (Texts{"DataReceived " + std::to_string(id) + " n=3 fc=3"}));
  expect_ignored(h, B().window_update(0x80000000U | id, 0x80000010U));
  EXPECT_EQ(h.conn.stream_send_window(StreamId(id)), 65535 + 16);
  // What we send has no reserved bit and no undefined flag.
  const std::uint32_t ours = our_sending_stream(h);
  ASSERT_TRUE(h.conn.send_data(StreamId(ours), octets(5), true).ok());
  h.conn.ping(std::array<std::byte, 8>{});
  const Texts out = h.output();
  ASSERT_FALSE(out.empty());
  for (const OutFrame& f : h.frames) {
    EXPECT_EQ(f.stream_word & 0x80000000U, 0U) << f.text;
    if (f.type == B::kData) {
      EXPECT_EQ(f.flags & ~B::kEndStream, 0) << f.text;
    }
    if (f.type == B::kPing) {
      EXPECT_EQ(f.flags, 0) << f.text;
    }
  }
}

// ---- §4.2 frame size --------------------------------------------------------------------------------------------

TEST_P(ConnectionStreamsTest, AcceptsPayloadOfMaxFrameSize) {
  // H2-4.2-01 (RFC 9113 §4.2)
  Harness h(options());
  h.start();
  const std::uint32_t id = h.open_peer_stream();
  EXPECT_EQ(h.feed(B().data(id, std::string(16384, 'd'))),
            (Texts{"DataReceived " + std::to_string(id) + " n=16384 fc=16384"}));
  EXPECT_FALSE(h.conn.failed());
}

TEST_P(ConnectionStreamsTest, NeverSendsFrameAbovePeerMaxFrameSize) {
  // H2-4.2-02 (RFC 9113 §4.2)
  Harness h(options());
  h.start({{kInitialWindowSize, 1 << 20}});
  EXPECT_EQ(h.feed(B().window_update(0, 1 << 20)), Texts{});
  const std::uint32_t id = our_sending_stream(h);
  ASSERT_TRUE(h.conn.send_data(StreamId(id), octets(40000), true).ok());
  EXPECT_EQ(h.output(), (Texts{"DATA " + std::to_string(id) + " n=16384", "DATA " + std::to_string(id) + " n=16384",
                               "DATA " + std::to_string(id) + " n=7232 END_STREAM"}));

  // A larger peer limit is used, never exceeded.
  Harness big(options());
  big.start({{kInitialWindowSize, 1 << 20}, {kMaxFrameSize, 20000}});
  EXPECT_EQ(big.feed(B().window_update(0, 1 << 20)), Texts{});
  const std::uint32_t id2 = our_sending_stream(big);
  ASSERT_TRUE(big.conn.send_data(StreamId(id2), octets(45000), true).ok());
  EXPECT_EQ(big.output(), (Texts{"DATA " + std::to_string(id2) + " n=20000", "DATA " + std::to_string(id2) + " n=20000",
                                 "DATA " + std::to_string(id2) + " n=5000 END_STREAM"}));

  // A header section larger than a frame goes out as HEADERS plus CONTINUATIONs, each within the limit.
  Harness hdr(options());
  hdr.start();
  const std::string huge(40000, 'v');
  const Fields f = {{":status", "200"}, {"x-large", huge}};
  const auto fields = as_headers(f);
  std::uint32_t sid = 0;
  if (server()) {
    sid = hdr.half_closed_remote_stream();
    ASSERT_TRUE(hdr.conn.submit_response(StreamId(sid), fields, true).ok());
  } else {
    Fields req = get_request();
    req.emplace_back("x-large", huge);
    const auto rf = as_headers(req);
    auto r = hdr.conn.submit_request(rf, true);
    ASSERT_TRUE(r.ok());
    sid = r->value();
  }
  hdr.output();
  ASSERT_GE(hdr.frames.size(), 3U);
  EXPECT_EQ(hdr.frames[0].type, B::kHeaders);
  for (const OutFrame& fr : hdr.frames) EXPECT_LE(fr.length, 16384U) << fr.text;
  EXPECT_EQ(hdr.frames.back().text, "CONTINUATION " + std::to_string(sid) + " END_HEADERS");
  EXPECT_EQ(field_value(hdr.frames[0].fields, "x-large"), huge);
}

TEST_P(ConnectionStreamsTest, FailsWithFrameSizeErrorWhenFrameIsTooLarge) {
  // H2-4.2-03 (RFC 9113 §4.2)
  for (const std::uint8_t type : {B::kData, B::kHeaders, B::kPing, B::kSettings, std::uint8_t{0x42}}) {
    Harness h(options());
    h.start();
    const std::uint32_t id = h.open_peer_stream();
    const std::uint32_t stream = type == B::kPing || type == B::kSettings ? 0 : id;
    expect_goaway(h, B().frame(type, 0, stream, octets(16385)), h.last_peer_stream(), ErrorCode::frame_size_error);
  }
}

TEST_P(ConnectionStreamsTest, FailsWithFrameSizeErrorWhenPayloadTooShortForItsFields) {
  // H2-4.2-03 (RFC 9113 §4.2)
  {
    Harness h(options());
    h.start();
    const std::uint32_t id = h.open_peer_stream();
    // HEADERS with the PRIORITY flag but 4 octets: a field-block frame, so connection-wide.
    expect_goaway(h, B().frame(B::kHeaders, B::kEndHeaders | B::kPriorityFlag, id, hex("00000000")),
                  h.last_peer_stream(), ErrorCode::frame_size_error);
  }
  {
    Harness h(options());
    h.start();
    expect_goaway(h, B().frame(B::kWindowUpdate, 0, 0, hex("000001")), 0, ErrorCode::frame_size_error);
  }
}

// ---- §4.3 field blocks --------------------------------------------------------------------------------------------

TEST_P(ConnectionStreamsTest, FailsWhenAnotherFrameInterruptsFieldBlock) {
  // H2-4.3-01 (RFC 9113 §4.3)
  const std::vector<B> interruptions = {B().priority(1, 0, 15),
                                        B().ping(1),
                                        B().frame(0x42, 0, 1, bytes_of("x")),
                                        B().data(3, "x"),
                                        B().headers(3, hex("88")),
                                        B().continuation(3, {}),
                                        B().window_update(0, 10),
                                        B().rst_stream(1, kCancel)};
  for (const B& interruption : interruptions) {
    Harness h(options());
    h.start();
    if (!server()) h.submit_get(true);
    const ByteVector first = plain_block(GetParam());
    B wire;
    wire.headers(1, first, 0).raw(interruption.span());
    // The block never completed, so its stream was not processed.
    expect_goaway(h, wire, 0, ErrorCode::protocol_error);
  }
}

TEST_P(ConnectionStreamsTest, DecodesFieldBlockOfStreamWeReset) {
  // H2-4.3-02 (RFC 9113 §4.3)
  Harness h(options());
  h.start();
  std::uint32_t id = 1;
  if (server()) {
    EXPECT_EQ(h.feed(B().headers(1, plain_block(Role::server), B::kEndHeaders)), (Texts{"RequestReceived 1"}));
  } else {
    id = h.submit_get(true);
  }
  ASSERT_TRUE(h.conn.reset_stream(StreamId(id), ErrorCode::cancel).ok());
  EXPECT_EQ(h.output(), (Texts{"RST_STREAM 1 CANCEL"}));
  // A block on the reset stream inserts "x-tag: v1" into the dynamic table (literal with incremental indexing) ...
  const ByteVector late = server() ? hex("40 05 782d746167 02 7631") : hex("88 40 05 782d746167 02 7631");
  expect_ignored(h, B().headers(1, late, B::kEndHeaders | B::kEndStream));
  // ... which the next block references as index 62: it decodes only if the late block was decoded.
  Texts events;
  if (server()) {
    events = h.feed(B().headers(3, hex("82 87 84 01 0b 6578616d706c652e636f6d be"), B::kEndHeaders | B::kEndStream));
    EXPECT_EQ(events, (Texts{"RequestReceived 3 END_STREAM"}));
  } else {
    const std::uint32_t next = h.submit_get(true);
    ASSERT_EQ(next, 3U);
    events = h.feed(B().headers(3, hex("88 be"), B::kEndHeaders | B::kEndStream));
    EXPECT_EQ(events, (Texts{"ResponseReceived 3 status=200 END_STREAM"}));
  }
  ASSERT_EQ(h.records.size(), 1U);
  EXPECT_EQ(field_value(h.records[0].headers, "x-tag"), "v1");
}

TEST_P(ConnectionStreamsTest, FailsWithCompressionErrorOnHpackError) {
  // H2-4.3-03 (RFC 9113 §4.3)
  for (const char* bad : {"80", "ff 80 80 80 80 80 80", "82 bf", "82 41 0a 6162", "82 20"}) {
    Harness h(options());
    h.start();
    if (!server()) h.submit_get(true);
    expect_goaway(h, B().headers(1, hex(bad), B::kEndHeaders | B::kEndStream), 0, ErrorCode::compression_error);
  }
}

TEST_P(ConnectionStreamsTest, RequiresTableSizeUpdateAfterLoweringHeaderTableSize) {
  // H2-4.3-04 (RFC 9113 §4.3.1)
  Options o = options();
  o.header_table_size = 256;
  const ByteVector body = plain_block(GetParam());
  {
    // Before our SETTINGS is acknowledged the 4096 default still binds the peer: no update needed.
    Harness h(o);
    h.start({}, false);
    if (!server()) h.submit_get(true);
    B wire;
    wire.headers(1, body, B::kEndHeaders | B::kEndStream);
    EXPECT_EQ(h.feed(wire).size(), 1U);
    EXPECT_FALSE(h.conn.failed());
  }
  {
    Harness h(o);
    h.start();
    if (!server()) h.submit_get(true);
    expect_goaway(h, B().headers(1, body, B::kEndHeaders | B::kEndStream), 0, ErrorCode::compression_error);
  }
  {
    Harness h(o);
    h.start();
    if (!server()) h.submit_get(true);
    ByteVector with_update = hex("3f e1 01");  // size update to 256
    with_update.insert(with_update.end(), body.begin(), body.end());
    const Texts events = h.feed(B().headers(1, with_update, B::kEndHeaders | B::kEndStream));
    EXPECT_EQ(events.size(), 1U);
    EXPECT_EQ(count_prefix(events, "ConnectionFailed"), 0U);
  }
  {
    Harness h(o);
    h.start();
    if (!server()) h.submit_get(true);
    ByteVector too_big = hex("3f e2 01");  // size update to 257: above what we allow
    too_big.insert(too_big.end(), body.begin(), body.end());
    expect_goaway(h, B().headers(1, too_big, B::kEndHeaders | B::kEndStream), 0, ErrorCode::compression_error);
  }
  {
    // Ours: once the peer cuts its table to 0, our next block opens with a size update to 0.
    Harness h(options());
    h.start({{kHeaderTableSize, 0}});
    const std::uint32_t id = our_sending_stream(h);
    ASSERT_FALSE(h.frames.empty());
    const OutFrame& headers = h.frames.front();
    ASSERT_EQ(headers.type, B::kHeaders) << headers.text;
    EXPECT_EQ(headers.stream(), id);
    EXPECT_EQ(std::to_integer<int>(headers.payload[0]), 0x20);
  }
}

// ---- §5.1 stream states -------------------------------------------------------------------------------------------

TEST_P(ConnectionStreamsTest, FailsWhenFrameOtherThanHeadersOrPriorityArrivesOnIdleStream) {
  // H2-5.1-01 (RFC 9113 §5.1)
  for (const B& frame : {B().data(1, "x"), B().rst_stream(1, kCancel), B().window_update(1, 100),
                         B().window_update(1, 0), B().continuation(1, hex("88"))}) {
    Harness h(options());
    h.start();
    expect_goaway(h, frame, 0, ErrorCode::protocol_error);
  }
}

TEST_P(ConnectionStreamsTest, AcceptsEveryFrameInHalfClosedLocal) {
  // H2-5.1-05 (RFC 9113 §5.1)
  Harness h(options());
  h.start();
  std::uint32_t id = 0;
  if (server()) {
    id = 1;
    h.open_request(1, false);
    h.submit_response(1, true);  // our END_STREAM: half-closed (local)
  } else {
    id = h.submit_get(true);
    EXPECT_EQ(h.respond(id, false), (Texts{"ResponseReceived 1 status=200"}));
  }
  const std::string sid = std::to_string(id);
  EXPECT_EQ(h.feed(B().data(id, "body").priority(id, 0, 1).window_update(id, 10)),
            (Texts{"DataReceived " + sid + " n=4 fc=4"}));
  EXPECT_EQ(h.feed(B().headers(id, h.block({{"x-trailer", "t"}}), B::kEndHeaders | B::kEndStream)),
            (Texts{"TrailersReceived " + sid}));
  EXPECT_EQ(h.output(), Texts{});
  // We sent END_STREAM: no more DATA or HEADERS from us.
  EXPECT_FALSE(h.conn.send_data(StreamId(id), octets(1), false).ok());
  EXPECT_EQ(h.conn.active_streams(), 0U);
}

TEST_P(ConnectionStreamsTest, ResetsWithStreamClosedWhenFrameArrivesInHalfClosedRemote) {
  // H2-5.1-06 (RFC 9113 §5.1)
  {
    Harness h(options());
    h.start();
    const std::uint32_t id = h.half_closed_remote_stream();
    // WINDOW_UPDATE, PRIORITY (and RST_STREAM) remain allowed.
    expect_ignored(h, B().window_update(id, 100).priority(id, 0, 7));
    expect_reset(h, B().data(id, "late"), id, ErrorCode::stream_closed);
  }
  {
    Harness h(options());
    h.start();
    const std::uint32_t id = h.half_closed_remote_stream();
    expect_reset(h, B().headers(id, h.block({{"x-late", "1"}}), B::kEndHeaders | B::kEndStream), id,
                 ErrorCode::stream_closed);
  }
  {
    Harness h(options());
    h.start();
    const std::uint32_t id = h.half_closed_remote_stream();
    const ByteVector trailers = h.block({{"x-late", "1"}});
    expect_reset(h, B().headers(id, {}, B::kEndStream).continuation(id, trailers), id, ErrorCode::stream_closed);
  }
}

TEST_P(ConnectionStreamsTest, IgnoresWindowUpdateAndResetOnClosedStream) {
  // H2-5.1-07 (RFC 9113 §5.1)
  Harness h(options());
  h.start();
  const std::uint32_t closed = h.closed_stream();
  expect_ignored(h, B().window_update(closed, 1000).rst_stream(closed, kCancel).priority(closed, 0, 3));
  const std::uint32_t reset = h.open_peer_stream();
  ASSERT_TRUE(h.conn.reset_stream(StreamId(reset), ErrorCode::cancel).ok());
  EXPECT_EQ(h.output(), (Texts{"RST_STREAM " + std::to_string(reset) + " CANCEL"}));
  expect_ignored(h, B().window_update(reset, 1000).rst_stream(reset, kCancel));
}

TEST_P(ConnectionStreamsTest, SendsNothingOnClosedStreamForLateMalformedFrames) {
  // H2-5.1-07 (RFC 9113 §5.1)
  // H2-5.4-02 (RFC 9113 §5.4.2)
  Harness h(options());
  h.start();
  const std::uint32_t reset = h.open_peer_stream();
  ASSERT_TRUE(h.conn.reset_stream(StreamId(reset), ErrorCode::cancel).ok());
  EXPECT_EQ(h.output(), (Texts{"RST_STREAM " + std::to_string(reset) + " CANCEL"}));
  // Frames that would be stream errors on an open stream: after our RST_STREAM they are ignored (§5.1), and no
  // second RST_STREAM goes out.
  expect_ignored(h, B().window_update(reset, 0).frame(B::kPriority, 0, reset, hex("00000000")));
  const std::uint32_t closed = h.closed_stream();
  expect_ignored(h, B().window_update(closed, 0).priority(closed, closed, 0));
}

TEST_P(ConnectionStreamsTest, ProcessesLateFramesMinimallyAfterWeResetStream) {
  // H2-5.1-08 (RFC 9113 §5.1)
  Options o = options();
  o.connection_window_size = 65535;
  Harness h(o);
  h.start();
  const std::uint32_t id = h.open_peer_stream();
  ASSERT_TRUE(h.conn.reset_stream(StreamId(id), ErrorCode::cancel).ok());
  h.output();
  // DATA in flight still counts against the connection window, which we give back: 2 x 16384 >= 65535 / 2.
  const std::string chunk(16384, 'x');
  const Texts events = h.feed(B().data(id, chunk).data(id, chunk).headers(id, h.block({{"x-t", "1"}}), 5));
  EXPECT_EQ(events, Texts{});
  EXPECT_EQ(h.output(), (Texts{"WINDOW_UPDATE 0 +32768"}));
  EXPECT_FALSE(h.conn.failed());
}

TEST_P(ConnectionStreamsTest, ResetsStreamPeerResetButFailsStreamClosedNormally) {
  // H2-5.1-09 (RFC 9113 §5.1)
  {
    Harness h(options());
    h.start();
    const std::uint32_t id = h.open_peer_stream();
    EXPECT_EQ(h.feed(B().rst_stream(id, kCancel)), (Texts{"StreamReset " + std::to_string(id) + " CANCEL by_peer"}));
    EXPECT_EQ(h.output(), Texts{});
    expect_reset(h, B().data(id, "x"), id, ErrorCode::stream_closed);
  }
  {
    Harness h(options());
    h.start();
    const std::uint32_t id = h.open_peer_stream();
    EXPECT_EQ(h.feed(B().rst_stream(id, kCancel)).size(), 1U);
    expect_reset(h, B().headers(id, h.block({{"x-t", "1"}}), 5), id, ErrorCode::stream_closed);
  }
  {
    Harness h(options());
    h.start();
    const std::uint32_t id = h.closed_stream();
    expect_goaway(h, B().data(id, "x"), h.last_peer_stream(), ErrorCode::stream_closed);
  }
  {
    Harness h(options());
    h.start();
    const std::uint32_t id = h.closed_stream();
    expect_goaway(h, B().headers(id, h.block({{"x-t", "1"}}), 5), h.last_peer_stream(), ErrorCode::stream_closed);
  }
}

TEST_P(ConnectionStreamsTest, AcceptsPriorityAndUnknownFramesInEveryState) {
  // H2-5.1-10 (RFC 9113 §5.1)
  Harness h(options());
  h.start();
  expect_ignored(h, B().priority(9, 0, 10).frame(0x30, 0, 9, {}));    // idle (odd)
  expect_ignored(h, B().priority(10, 0, 10).frame(0x30, 0, 10, {}));  // idle (even)
  const std::uint32_t open = h.open_peer_stream();
  expect_ignored(h, B().priority(open, 0, 10).frame(0x30, 0, open, {}));
  const std::uint32_t half = h.half_closed_remote_stream();
  expect_ignored(h, B().priority(half, 0, 10).frame(0x30, 0, half, {}));
  const std::uint32_t closed = h.closed_stream();
  expect_ignored(h, B().priority(closed, 0, 10).frame(0x30, 0, closed, {}));
  // PRIORITY did not open stream 9: it is still idle, so DATA on it is a connection error.
  expect_goaway(h, B().data(9, "x"), h.last_peer_stream(), ErrorCode::protocol_error);
}

// ---- §5.2 flow control --------------------------------------------------------------------------------------------

TEST_P(ConnectionStreamsTest, CountsPaddingAndNeverHoldsBackControlFrames) {
  // H2-5.2-01 (RFC 9113 §5.2.1)
  Options o = options();
  o.initial_window_size = 100;
  o.auto_window_update = false;
  {
    Harness h(o);
    h.start();
    const std::uint32_t id = h.open_peer_stream();
    // 1 + 49 + 50 = 100 octets: exactly the window.
    EXPECT_EQ(h.feed(B().data(id, std::string(49, 'a'), 0, std::uint8_t{50})),
              (Texts{"DataReceived " + std::to_string(id) + " n=49 fc=100"}));
    // The padding is ours to give back at once (51 octets).
    EXPECT_EQ(h.output(), (Texts{"WINDOW_UPDATE " + std::to_string(id) + " +51"}));
  }
  {
    Harness h(o);
    h.start();
    const std::uint32_t id = h.open_peer_stream();
    // 1 + 50 + 50 = 101 octets: one more than the window, though the data alone would fit.
    expect_reset(h, B().data(id, std::string(50, 'a'), 0, std::uint8_t{50}), id, ErrorCode::flow_control_error);
  }
  {
    // Our send window is 0: HEADERS, PING ACK and SETTINGS ACK still go out, DATA waits.
    Harness h(options());
    h.start({{kInitialWindowSize, 0}});
    const std::uint32_t id = our_sending_stream(h);
    EXPECT_EQ(h.frames.size(), 1U);
    EXPECT_EQ(h.frames.at(0).type, B::kHeaders);
    ASSERT_TRUE(h.conn.send_data(StreamId(id), octets(10), true).ok());
    EXPECT_EQ(h.feed(B().ping(5).settings({})), (Texts{"SettingsReceived"}));
    EXPECT_EQ(h.output(), (Texts{"PING ACK 5", "SETTINGS ACK"}));
  }
}

TEST_P(ConnectionStreamsTest, StartsWindowsAt65535AndMovesConnectionWindowOnlyByWindowUpdate) {
  // H2-5.2-02 (RFC 9113 §5.2.1)
  Harness h(options());
  h.start();
  const std::uint32_t id = our_sending_stream(h);
  EXPECT_EQ(h.conn.connection_send_window(), 65535);
  EXPECT_EQ(h.conn.stream_send_window(StreamId(id)), 65535);
  EXPECT_EQ(h.feed(B().settings({{kInitialWindowSize, 100000}})), (Texts{"SettingsReceived"}));
  EXPECT_EQ(h.conn.connection_send_window(), 65535);
  EXPECT_EQ(h.conn.stream_send_window(StreamId(id)), 100000);
  EXPECT_EQ(h.feed(B().window_update(0, 1000)), Texts{});
  EXPECT_EQ(h.conn.connection_send_window(), 66535);
  EXPECT_EQ(h.conn.stream_send_window(StreamId(id)), 100000);
}

TEST_P(ConnectionStreamsTest, SendsWithinBothWindowsAndEndsEmptyStreamAtWindowZero) {
  // H2-5.2-03 (RFC 9113 §6.9.1)
  {
    Harness h(options());
    h.start({{kInitialWindowSize, 10}});
    const std::uint32_t id = our_sending_stream(h);
    ASSERT_TRUE(h.conn.send_data(StreamId(id), octets(100), true).ok());
    EXPECT_EQ(h.output(), (Texts{"DATA " + std::to_string(id) + " n=10"}));
    EXPECT_EQ(h.conn.stream_send_window(StreamId(id)), 0);
    EXPECT_EQ(h.output(), Texts{});
  }
  {
    // Stream windows of 1 MiB, connection window 65535: the connection window bounds the total.
    Harness h(options());
    h.start({{kInitialWindowSize, 1 << 20}});
    const std::uint32_t id = our_sending_stream(h);
    ASSERT_TRUE(h.conn.send_data(StreamId(id), octets(100000), true).ok());
    h.output();
    std::uint32_t sent = 0;
    for (const OutFrame& f : h.frames) sent += f.type == B::kData ? f.length : 0;
    EXPECT_EQ(sent, 65535U);
    EXPECT_EQ(h.conn.connection_send_window(), 0);
  }
  {
    Harness h(options());
    h.start({{kInitialWindowSize, 0}});
    const std::uint32_t id = our_sending_stream(h);
    ASSERT_TRUE(h.conn.send_data(StreamId(id), {}, true).ok());
    EXPECT_EQ(h.output(), (Texts{"DATA " + std::to_string(id) + " n=0 END_STREAM"}));
  }
}

TEST_P(ConnectionStreamsTest, KeepsReadingWhileSendWindowIsExhausted) {
  // H2-5.2-04 (RFC 9113 §5.2.2)
  Harness h(options());
  h.start({{kInitialWindowSize, 0}});
  const std::uint32_t id = our_sending_stream(h);
  ASSERT_TRUE(h.conn.send_data(StreamId(id), octets(30), true).ok());
  EXPECT_EQ(h.output(), Texts{});
  EXPECT_EQ(h.feed(B().ping(9)), Texts{});
  EXPECT_EQ(h.output(), (Texts{"PING ACK 9"}));
  EXPECT_EQ(h.feed(B().window_update(id, 20)), Texts{});
  EXPECT_EQ(h.output(), (Texts{"DATA " + std::to_string(id) + " n=20"}));
  EXPECT_EQ(h.feed(B().window_update(id, 20)), Texts{});
  EXPECT_EQ(h.output(), (Texts{"DATA " + std::to_string(id) + " n=10 END_STREAM"}));
}

TEST_P(ConnectionStreamsTest, ChargesConnectionWindowForDataInError) {
  // H2-5.2-05 (RFC 9113 §6.9)
  Options o = options();
  o.connection_window_size = 65535;
  Harness h(o);
  h.start();
  const std::uint32_t id = h.half_closed_remote_stream();
  const std::string chunk(16384, 'x');
  // The first DATA is a stream error, the second hits a stream we reset: both are charged to (and given back to)
  // the connection window.
  const Texts events = h.feed(B().data(id, chunk).data(id, chunk));
  EXPECT_EQ(events, (Texts{"StreamReset " + std::to_string(id) + " STREAM_CLOSED local"}));
  EXPECT_EQ(h.output(), (Texts{"RST_STREAM " + std::to_string(id) + " STREAM_CLOSED", "WINDOW_UPDATE 0 +32768"}));
}

TEST_P(ConnectionStreamsTest, FailsWithFlowControlErrorWhenPeerOverrunsWindow) {
  // H2-5.2-06 (RFC 9113 §6.9)
  {
    Options o = options();
    o.initial_window_size = 100;
    Harness h(o);
    h.start();
    const std::uint32_t id = h.open_peer_stream();
    expect_reset(h, B().data(id, std::string(101, 'x')), id, ErrorCode::flow_control_error);
  }
  {
    Options o = options();
    o.connection_window_size = 65535;
    o.initial_window_size = 1 << 20;
    o.auto_window_update = false;
    Harness h(o);
    h.start();
    const std::uint32_t id = h.open_peer_stream();
    const std::string chunk(16384, 'x');
    B wire;
    wire.data(id, chunk).data(id, chunk).data(id, chunk).data(id, std::string(16383, 'x'));
    EXPECT_EQ(h.feed(wire).size(), 4U);  // exactly 65535 octets
    expect_goaway(h, B().data(id, "x"), h.last_peer_stream(), ErrorCode::flow_control_error);
  }
}

// ---- §5.3 RFC 7540 priorities -------------------------------------------------------------------------------------

TEST_P(ConnectionStreamsTest, ParsesAndIgnoresPriorityFields) {
  // H2-5.3-01 (RFC 9113 §5.3.2)
  Harness h(options());
  h.start();
  if (!server()) h.submit_get(true);
  const Texts events = h.feed(B().headers(1, plain_block(GetParam()), B::kEndHeaders, std::uint8_t{2},
                                          std::pair{0x80000000U | 7U, std::uint8_t{200}}));
  EXPECT_EQ(events, (Texts{server() ? "RequestReceived 1" : "ResponseReceived 1 status=200"}));
  expect_ignored(h, B().priority(1, 0x80000003U, 255).priority(3, 1, 0));
  EXPECT_EQ(h.conn.active_streams(), 1U);
}

TEST_P(ConnectionStreamsTest, ResetsStreamThatDependsOnItself) {
  // H2-5.3-02 (RFC 7540 §5.3.1)
  {
    Harness h(options());
    h.start();
    if (!server()) h.submit_get(true);
    expect_reset(h,
                 B().headers(1, plain_block(GetParam()), B::kEndHeaders, std::nullopt, std::pair{1U, std::uint8_t{0}}),
                 1, ErrorCode::protocol_error);
    EXPECT_EQ(h.conn.active_streams(), 0U);
  }
  {
    Harness h(options());
    h.start();
    const std::uint32_t id = h.open_peer_stream();
    expect_reset(h, B().priority(id, id, 0), id, ErrorCode::protocol_error);
  }
}

TEST_P(ConnectionStreamsTest, NeverResetsIdleStreamForBadPriority) {
  // H2-5.3-02 (RFC 7540 §5.3.1)
  // H2-6.3-02 (RFC 9113 §6.3)
  // §6.4 forbids RST_STREAM on an idle stream: the stream error becomes a connection error.
  {
    Harness h(options());
    h.start();
    expect_goaway(h, B().priority(9, 9, 0), 0, ErrorCode::protocol_error);
  }
  {
    Harness h(options());
    h.start();
    expect_goaway(h, B().frame(B::kPriority, 0, 9, hex("00000000")), 0, ErrorCode::frame_size_error);
  }
}

// ---- §5.4 error handling ------------------------------------------------------------------------------------------

TEST_P(ConnectionStreamsTest, SendsGoawayWithLastProcessedStreamAndStopsOnConnectionError) {
  // H2-5.4-01 (RFC 9113 §5.4.1)
  Harness h(options());
  h.start();
  h.open_peer_stream();
  h.open_peer_stream();
  expect_goaway(h, B().data(0, "x"), h.last_peer_stream(), ErrorCode::protocol_error);
  EXPECT_TRUE(h.conn.is_closed());
  EXPECT_FALSE(h.conn.wants_write());
}

TEST_P(ConnectionStreamsTest, NeverAnswersResetWithReset) {
  // H2-5.4-02 (RFC 9113 §5.4.2)
  Harness h(options());
  h.start();
  const std::uint32_t id = h.open_peer_stream();
  EXPECT_EQ(h.feed(B().rst_stream(id, kProtocolError)),
            (Texts{"StreamReset " + std::to_string(id) + " PROTOCOL_ERROR by_peer"}));
  EXPECT_EQ(h.output(), Texts{});
  expect_ignored(h, B().rst_stream(id, kCancel));  // a second one on the now closed stream
  // A stream we reset gets at most one RST_STREAM from us, whatever follows.
  const std::uint32_t other = h.half_closed_remote_stream();
  expect_reset(h, B().data(other, "x"), other, ErrorCode::stream_closed);
  expect_ignored(h, B().data(other, "y").rst_stream(other, kCancel));
}

TEST_P(ConnectionStreamsTest, ReportsOneErrorPerStreamAndOneConnectionError) {
  // H2-5.4-03 (RFC 9113 §5.4)
  Harness h(options());
  h.start();
  const std::uint32_t id = h.half_closed_remote_stream();
  const Texts events = h.feed(B().data(id, "a").data(id, "b").headers(id, h.block({{"x", "1"}}), 5));
  EXPECT_EQ(events, (Texts{"StreamReset " + std::to_string(id) + " STREAM_CLOSED local"}));
  EXPECT_EQ(h.output(), (Texts{"RST_STREAM " + std::to_string(id) + " STREAM_CLOSED"}));
  // Two connection errors in one input: one GOAWAY, one event.
  const Texts failed = h.feed(B().data(0, "x").ping(1, false, 1).frame(B::kPing, 0, 0, hex("00")));
  EXPECT_EQ(failed, (Texts{"ConnectionFailed PROTOCOL_ERROR"}));
  EXPECT_EQ(h.output(), (Texts{"GOAWAY " + std::to_string(h.last_peer_stream()) + " PROTOCOL_ERROR"}));
  h.conn.shutdown(ErrorCode::internal_error);
  EXPECT_EQ(h.output(), Texts{});
}

TEST_P(ConnectionStreamsTest, TreatsUnknownErrorCodesLikeAnyOther) {
  // H2-5.4-04 (RFC 9113 §7)
  Harness h(options());
  h.start();
  const std::uint32_t id = h.open_peer_stream();
  EXPECT_EQ(h.feed(B().rst_stream(id, 0xdeadbeef)),
            (Texts{"StreamReset " + std::to_string(id) + " 0xdeadbeef by_peer"}));
  EXPECT_EQ(h.output(), Texts{});
  EXPECT_EQ(h.feed(B().goaway(0, 0x1234)), (Texts{"GoawayReceived 0 0x1234", "ConnectionFailed 0x1234 by_peer"}));
  EXPECT_EQ(h.output(), Texts{});  // no GOAWAY of ours answers the peer's
}

// ---- §5.5 extensions ----------------------------------------------------------------------------------------------

TEST_P(ConnectionStreamsTest, IgnoresUnknownSettingsAndTypesButNotInsideFieldBlock) {
  // H2-5.5-01 (RFC 9113 §5.5)
  Harness h(options());
  h.start();
  EXPECT_EQ(h.feed(B().settings({{0xff, 7}, {0x8, 1}, {0x4242, 0xffffffff}})), (Texts{"SettingsReceived"}));
  EXPECT_EQ(h.output(), (Texts{"SETTINGS ACK"}));
  expect_ignored(h, B().frame(0xbb, 0x5, 0, bytes_of("any")));
  if (!server()) h.submit_get(true);
  expect_goaway(h, B().headers(1, plain_block(GetParam()), 0).frame(0xbb, 0, 1, {}).continuation(1, {}), 0,
                ErrorCode::protocol_error);
}

}  // namespace
}  // namespace h2push::http2::test
