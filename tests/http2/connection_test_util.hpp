// tests/http2/connection_test_util.hpp: a harness for Connection tests. The test plays the peer: it writes raw
// frames with FrameBuilder (HPACK blocks from its own hpack::Encoder), feeds them to one Connection, and reads the
// Connection's output back with a small frame parser of its own plus an hpack::Decoder, so that every frame and
// every event can be compared as a short text ("GOAWAY 1 PROTOCOL_ERROR", "StreamReset 3 STREAM_CLOSED local").
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "frame_builder.hpp"
#include "h2push/hpack/decoder.hpp"
#include "h2push/hpack/encoder.hpp"
#include "h2push/hpack/header_list.hpp"
#include "h2push/http2/connection.hpp"

namespace h2push::http2::test {

using Texts = std::vector<std::string>;
using Fields = std::vector<std::pair<std::string, std::string>>;
using SettingsEntries = std::initializer_list<std::pair<std::uint16_t, std::uint32_t>>;

// Setting ids and error codes as raw numbers, for FrameBuilder.
inline constexpr std::uint16_t kHeaderTableSize = 0x1, kEnablePush = 0x2, kMaxConcurrentStreams = 0x3,
                               kInitialWindowSize = 0x4, kMaxFrameSize = 0x5, kMaxHeaderListSize = 0x6;
inline constexpr std::uint32_t kNoError = 0x0, kProtocolError = 0x1, kCancel = 0x8;
inline constexpr std::uint64_t kProbe = 0x1122334455667788;  // the PING that proves a frame was ignored

inline std::string code_text(ErrorCode code) {
  if (is_known(code)) return std::string(to_string(code));
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", static_cast<unsigned>(code));
  return buf;
}

inline std::string status_of(std::span<const Header> fields) {
  for (const Header& f : fields) {
    if (f.name == ":status") return std::string(f.value);
  }
  return "?";
}

inline Fields copy_fields(std::span<const Header> fields) {
  Fields out;
  for (const Header& f : fields) out.emplace_back(std::string(f.name), std::string(f.value));
  return out;
}

// One line per event; see the formats below.
inline std::string describe(const Event& event) {
  struct Describe {
    std::string operator()(const RequestReceived& e) const {
      return "RequestReceived " + std::to_string(e.stream.value()) + (e.end_stream ? " END_STREAM" : "");
    }
    std::string operator()(const InformationalReceived& e) const {
      return "InformationalReceived " + std::to_string(e.stream.value()) + " status=" + status_of(e.headers);
    }
    std::string operator()(const ResponseReceived& e) const {
      return "ResponseReceived " + std::to_string(e.stream.value()) + " status=" + status_of(e.headers) +
             (e.end_stream ? " END_STREAM" : "");
    }
    std::string operator()(const TrailersReceived& e) const {
      return "TrailersReceived " + std::to_string(e.stream.value());
    }
    std::string operator()(const DataReceived& e) const {
      return "DataReceived " + std::to_string(e.stream.value()) + " n=" + std::to_string(e.data.size()) +
             " fc=" + std::to_string(e.flow_controlled_length) + (e.end_stream ? " END_STREAM" : "");
    }
    std::string operator()(const StreamReset& e) const {
      return "StreamReset " + std::to_string(e.stream.value()) + " " + code_text(e.code) +
             (e.by_peer ? " by_peer" : " local");
    }
    std::string operator()(const PushPromised& e) const {
      return "PushPromised " + std::to_string(e.parent.value()) + " promised=" + std::to_string(e.promised.value());
    }
    std::string operator()(const SettingsReceived&) const { return "SettingsReceived"; }
    std::string operator()(const SettingsAcknowledged&) const { return "SettingsAcknowledged"; }
    std::string operator()(const PingAcknowledged& e) const {
      std::uint64_t v = 0;
      for (const std::byte b : e.opaque_data) v = (v << 8) | std::to_integer<std::uint64_t>(b);
      return "PingAcknowledged " + std::to_string(v);
    }
    std::string operator()(const GoawayReceived& e) const {
      return "GoawayReceived " + std::to_string(e.last_stream.value()) + " " + code_text(e.code);
    }
    std::string operator()(const PriorityUpdated& e) const {
      return "PriorityUpdated " + std::to_string(e.stream.value()) + " u=" + std::to_string(e.priority.urgency) +
             (e.priority.incremental ? " i" : "");
    }
    std::string operator()(const ConnectionFailed& e) const {
      return "ConnectionFailed " + code_text(e.code) + (e.by_peer ? " by_peer" : "");
    }
  };
  return std::visit(Describe{}, event);
}

// An event kept beyond the Connection's next call.
struct EventRecord {
  std::string text;
  Fields headers;    // requests, responses, trailers, promises
  std::string data;  // DataReceived
};

// A frame the Connection wrote.
struct OutFrame {
  std::uint32_t length = 0;
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::uint32_t stream_word = 0;  // raw, reserved bit included
  ByteVector payload;
  Fields fields;  // HEADERS / PUSH_PROMISE: the decoded field block (CONTINUATIONs included)
  std::string text;

  std::uint32_t stream() const { return stream_word & 0x7fffffffU; }
  std::uint32_t u32(std::size_t at) const {
    std::uint32_t v = 0;
    for (std::size_t i = at; i < at + 4; ++i) v = (v << 8) | std::to_integer<std::uint32_t>(payload[i]);
    return v;
  }
};

inline std::string field_value(const Fields& fields, std::string_view name) {
  for (const auto& [n, v] : fields) {
    if (n == name) return v;
  }
  return {};
}

inline bool contains(const Texts& texts, std::string_view text) {
  for (const std::string& t : texts) {
    if (t == text) return true;
  }
  return false;
}

inline std::size_t count_prefix(const Texts& texts, std::string_view prefix) {
  std::size_t n = 0;
  for (const std::string& t : texts) {
    if (t.rfind(prefix, 0) == 0) ++n;
  }
  return n;
}

// The fields of a plain GET request, and of a response.
inline Fields get_request(std::string path = "/") {
  return {{":method", "GET"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", std::move(path)}};
}
inline Fields response(std::string status = "200") { return {{":status", std::move(status)}}; }

// Header views together with the strings they view, so a temporary Fields cannot leave them dangling.
class OwnedHeaders {
 public:
  explicit OwnedHeaders(Fields fields) : fields_(std::move(fields)) {
    for (const auto& [n, v] : fields_) views_.push_back({n, v});
  }
  OwnedHeaders(const OwnedHeaders&) = delete;
  OwnedHeaders& operator=(const OwnedHeaders&) = delete;
  operator std::span<const Header>() const { return views_; }  // NOLINT: implicit by design

 private:
  Fields fields_;
  std::vector<Header> views_;
};

inline OwnedHeaders as_headers(Fields fields) { return OwnedHeaders(std::move(fields)); }

inline Options server_options() {
  Options o;
  o.role = Role::server;
  return o;
}
inline Options client_options() {
  Options o;
  o.role = Role::client;
  return o;
}

class Harness {
 public:
  explicit Harness(const Options& options = server_options())
      : conn(options),
        peer_encoder({.max_table_size = 4096, .huffman = false}),
        role_(options.role),
        decoder_({.max_table_size = 4096, .max_header_list_size = 1 << 24}) {}

  // The preface exchange: the peer's preface (client magic when we are the server) with a SETTINGS frame holding
  // `settings`, and, when `ack`, the peer's ACK of our SETTINGS. Our preface, WINDOW_UPDATE and ACK are drained.
  void start(SettingsEntries settings = {}, bool ack = true) {
    FrameBuilder b;
    if (role_ == Role::server) b.client_magic();
    b.settings(settings);
    if (ack) b.settings_ack();
    const Texts events = feed(b);
    EXPECT_FALSE(events.empty());
    EXPECT_EQ(events.front(), "SettingsReceived");
    output();
  }

  // Feeds bytes and returns the events, also kept (with headers and data) in `records`.
  Texts feed(std::span<const std::byte> bytes) {
    records.clear();
    Texts texts;
    for (const Event& e : conn.receive(bytes)) {
      EventRecord r{describe(e), {}, {}};
      if (const auto* q = std::get_if<RequestReceived>(&e)) r.headers = copy_fields(q->headers);
      if (const auto* q = std::get_if<ResponseReceived>(&e)) r.headers = copy_fields(q->headers);
      if (const auto* q = std::get_if<InformationalReceived>(&e)) r.headers = copy_fields(q->headers);
      if (const auto* q = std::get_if<TrailersReceived>(&e)) r.headers = copy_fields(q->headers);
      if (const auto* q = std::get_if<PushPromised>(&e)) r.headers = copy_fields(q->request);
      if (const auto* q = std::get_if<DataReceived>(&e)) {
        r.data.assign(reinterpret_cast<const char*>(q->data.data()), q->data.size());
      }
      texts.push_back(r.text);
      records.push_back(std::move(r));
    }
    return texts;
  }
  Texts feed(const FrameBuilder& b) { return feed(b.span()); }

  // Advances the Connection's clock and returns the events that came of it.
  Texts advance(std::int64_t nanoseconds) {
    Texts texts;
    for (const Event& e : conn.advance(Instant{nanoseconds})) texts.push_back(describe(e));
    return texts;
  }

  // Drains the Connection's output and returns one text per frame; the frames are kept in `frames`.
  Texts output() {
    const std::span<const std::byte> out = conn.pending_output();
    wire_.insert(wire_.end(), out.begin(), out.end());
    conn.consume_output(out.size());
    return parse_wire();
  }

  // A header block from the peer's encoder (the Connection's decoder must see every block, in order).
  ByteVector block(const Fields& fields) {
    ByteVector out;
    const auto h = as_headers(fields);
    peer_encoder.encode(h, out);
    return out;
  }

  // Server: the peer opens `stream` with a GET (plus `extra` fields).
  void open_request(std::uint32_t stream, bool end_stream, const Fields& extra = {}) {
    Fields f = get_request();
    f.insert(f.end(), extra.begin(), extra.end());
    const std::uint8_t flags = FrameBuilder::kEndHeaders | (end_stream ? FrameBuilder::kEndStream : 0);
    if (stream > last_opened_) last_opened_ = stream;
    if (stream + 2 > next_client_stream_) next_client_stream_ = stream + 2;
    const Texts ev = feed(FrameBuilder().headers(stream, block(f), flags));
    ASSERT_EQ(ev, (Texts{"RequestReceived " + std::to_string(stream) + (end_stream ? " END_STREAM" : "")}));
  }

  // Client: submits a GET and drains its HEADERS; returns the stream id.
  std::uint32_t submit_get(bool end_stream = true, const Fields& extra = {}) {
    Fields f = get_request();
    f.insert(f.end(), extra.begin(), extra.end());
    const auto h = as_headers(f);
    auto id = conn.submit_request(h, end_stream);
    EXPECT_TRUE(id.ok());
    output();
    return id.ok() ? id->value() : 0;
  }

  // Client: the peer answers `stream` with `status`.
  Texts respond(std::uint32_t stream, bool end_stream, std::string status = "200", const Fields& extra = {}) {
    Fields f = response(std::move(status));
    f.insert(f.end(), extra.begin(), extra.end());
    const std::uint8_t flags = FrameBuilder::kEndHeaders | (end_stream ? FrameBuilder::kEndStream : 0);
    return feed(FrameBuilder().headers(stream, block(f), flags));
  }

  // Server: answers `stream` and drains the output.
  void submit_response(std::uint32_t stream, bool end_stream, std::string status = "200") {
    const Fields f = response(std::move(status));
    const auto h = as_headers(f);
    ASSERT_TRUE(conn.submit_response(StreamId(stream), h, end_stream).ok());
    output();
  }

  // A stream the peer may send DATA on, whatever our role: the server got a request without END_STREAM, the
  // client a response without END_STREAM to a request it has finished.
  std::uint32_t open_peer_stream() {
    if (role_ == Role::server) {
      const std::uint32_t id = next_client_stream_;
      next_client_stream_ += 2;
      open_request(id, false);
      return id;
    }
    const std::uint32_t id = submit_get(true);
    EXPECT_EQ(respond(id, false), (Texts{"ResponseReceived " + std::to_string(id) + " status=200"}));
    return id;
  }

  // A stream half-closed (remote) for us: the peer has sent END_STREAM, we have not.
  std::uint32_t half_closed_remote_stream() {
    if (role_ == Role::server) {
      const std::uint32_t id = next_client_stream_;
      next_client_stream_ += 2;
      open_request(id, true);
      return id;
    }
    const std::uint32_t id = submit_get(false);
    EXPECT_EQ(respond(id, true), (Texts{"ResponseReceived " + std::to_string(id) + " status=200 END_STREAM"}));
    return id;
  }

  // A stream closed by END_STREAM both ways.
  std::uint32_t closed_stream() {
    if (role_ == Role::server) {
      const std::uint32_t id = half_closed_remote_stream();
      submit_response(id, true);
      return id;
    }
    const std::uint32_t id = submit_get(true);
    EXPECT_EQ(respond(id, true), (Texts{"ResponseReceived " + std::to_string(id) + " status=200 END_STREAM"}));
    return id;
  }

  // The highest peer stream id we processed, as our GOAWAY should report it.
  std::uint32_t last_peer_stream() const { return role_ == Role::server ? last_opened_ : 0; }

  Role role() const { return role_; }

  Connection conn;
  std::vector<EventRecord> records;
  std::vector<OutFrame> frames;  // of the last output()
  hpack::Encoder peer_encoder;

 private:
  Texts parse_wire() {
    frames.clear();
    Texts texts;
    std::size_t at = 0;
    if (role_ == Role::client && !magic_seen_) {
      if (wire_.size() < 24) return texts;
      const std::string_view magic(reinterpret_cast<const char*>(wire_.data()), 24);
      EXPECT_EQ(magic, kClientPreface);
      magic_seen_ = true;
      at = 24;
    }
    while (wire_.size() - at >= 9) {
      OutFrame f;
      auto u8 = [&](std::size_t i) { return std::to_integer<std::uint32_t>(wire_[at + i]); };
      f.length = (u8(0) << 16) | (u8(1) << 8) | u8(2);
      if (wire_.size() - at < 9 + f.length) break;
      f.type = static_cast<std::uint8_t>(u8(3));
      f.flags = static_cast<std::uint8_t>(u8(4));
      f.stream_word = (u8(5) << 24) | (u8(6) << 16) | (u8(7) << 8) | u8(8);
      f.payload.assign(wire_.begin() + static_cast<std::ptrdiff_t>(at + 9),
                       wire_.begin() + static_cast<std::ptrdiff_t>(at + 9 + f.length));
      at += 9 + f.length;
      frames.push_back(std::move(f));
      OutFrame& fr = frames.back();
      collect_block(fr);
      fr.text = describe_frame(fr);
      texts.push_back(fr.text);
    }
    wire_.erase(wire_.begin(), wire_.begin() + static_cast<std::ptrdiff_t>(at));
    return texts;
  }

  // Reassembles and decodes our field blocks so the test decoder stays in sync with our encoder.
  void collect_block(OutFrame& f) {
    using B = FrameBuilder;
    std::span<const std::byte> fragment;
    if (f.type == B::kHeaders || f.type == B::kPushPromise) {
      std::size_t begin = 0, end = f.payload.size();
      if ((f.flags & B::kPadded) != 0) {
        begin = 1;
        end -= std::to_integer<std::size_t>(f.payload[0]);
      }
      if (f.type == B::kPushPromise) begin += 4;
      if (f.type == B::kHeaders && (f.flags & B::kPriorityFlag) != 0) begin += 5;
      fragment = std::span<const std::byte>(f.payload).subspan(begin, end - begin);
      block_.assign(fragment.begin(), fragment.end());
      block_owner_ = frames.size() - 1;
    } else if (f.type == B::kContinuation) {
      block_.insert(block_.end(), f.payload.begin(), f.payload.end());
    } else {
      return;
    }
    if ((f.flags & B::kEndHeaders) == 0) return;
    hpack::HeaderList list;
    const auto st = decoder_.decode(block_, list);
    EXPECT_TRUE(st.ok()) << "our output holds an undecodable field block";
    if (block_owner_ < frames.size()) {
      frames[block_owner_].fields = copy_fields(list.fields());
      frames[block_owner_].text = describe_frame(frames[block_owner_]);
    }
  }

  static std::string describe_frame(const OutFrame& f) {
    using B = FrameBuilder;
    const std::string sid = std::to_string(f.stream());
    switch (f.type) {
      case B::kData:
        return "DATA " + sid + " n=" + std::to_string(f.length) + ((f.flags & B::kEndStream) ? " END_STREAM" : "");
      case B::kHeaders: {
        std::string t = "HEADERS " + sid;
        const std::string status = field_value(f.fields, ":status");
        if (!status.empty()) t += " status=" + status;
        const std::string method = field_value(f.fields, ":method");
        if (!method.empty()) t += " " + method + " " + field_value(f.fields, ":path");
        if ((f.flags & B::kEndStream) != 0) t += " END_STREAM";
        return t;
      }
      case B::kPriority:
        return "PRIORITY " + sid;
      case B::kRstStream:
        return "RST_STREAM " + sid + " " + code_text(static_cast<ErrorCode>(f.u32(0)));
      case B::kSettings: {
        if ((f.flags & B::kAck) != 0) return "SETTINGS ACK";
        std::string t = "SETTINGS";
        for (std::size_t i = 0; i + 6 <= f.payload.size(); i += 6) {
          const auto id = (std::to_integer<unsigned>(f.payload[i]) << 8) | std::to_integer<unsigned>(f.payload[i + 1]);
          t += " " + std::to_string(id) + "=" + std::to_string(f.u32(i + 2));
        }
        return t;
      }
      case B::kPushPromise:
        return "PUSH_PROMISE " + sid + " promised=" + std::to_string(f.u32(0) & 0x7fffffffU);
      case B::kPing: {
        const std::uint64_t v = (std::uint64_t{f.u32(0)} << 32) | f.u32(4);
        return std::string("PING") + ((f.flags & B::kAck) != 0 ? " ACK " : " ") + std::to_string(v);
      }
      case B::kGoaway:
        return "GOAWAY " + std::to_string(f.u32(0) & 0x7fffffffU) + " " + code_text(static_cast<ErrorCode>(f.u32(4)));
      case B::kWindowUpdate:
        return "WINDOW_UPDATE " + sid + " +" + std::to_string(f.u32(0) & 0x7fffffffU);
      case B::kContinuation:
        return "CONTINUATION " + sid + ((f.flags & B::kEndHeaders) != 0 ? " END_HEADERS" : "");
      default:
        return "UNKNOWN " + std::to_string(f.type);
    }
  }

  Role role_;
  hpack::Decoder decoder_;
  ByteVector wire_;
  ByteVector block_;
  std::size_t block_owner_ = 0;
  bool magic_seen_ = false;
  std::uint32_t next_client_stream_ = 1;
  std::uint32_t last_opened_ = 0;
};

// Default options for `role`.
inline Options options_for(Role role) { return role == Role::server ? server_options() : client_options(); }

// The frame was dropped: a PING sent right after it is answered, and nothing else happens (no GOAWAY, no
// RST_STREAM, no reset or failure event). Returns the events of the offending frame.
inline Texts expect_ignored(Harness& h, const FrameBuilder& offending) {
  FrameBuilder b;
  b.raw(offending.span()).ping(kProbe);
  const Texts events = h.feed(b);
  const Texts out = h.output();
  EXPECT_FALSE(out.empty());
  if (!out.empty()) {
    EXPECT_EQ(out.back(), "PING ACK " + std::to_string(kProbe));
  }
  EXPECT_EQ(count_prefix(out, "GOAWAY"), 0U) << ::testing::PrintToString(out);
  EXPECT_EQ(count_prefix(out, "RST_STREAM"), 0U) << ::testing::PrintToString(out);
  EXPECT_EQ(count_prefix(events, "StreamReset"), 0U) << ::testing::PrintToString(events);
  EXPECT_EQ(count_prefix(events, "ConnectionFailed"), 0U) << ::testing::PrintToString(events);
  EXPECT_FALSE(h.conn.failed());
  return events;
}

// A connection error: the last event is ConnectionFailed(code), the output ends with the one GOAWAY(last, code),
// and input after it is ignored.
inline void expect_goaway(Harness& h, const FrameBuilder& offending, std::uint32_t last, ErrorCode code) {
  const Texts events = h.feed(offending);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "ConnectionFailed " + code_text(code));
  const Texts out = h.output();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), "GOAWAY " + std::to_string(last) + " " + code_text(code));
  EXPECT_EQ(count_prefix(out, "GOAWAY"), 1U) << ::testing::PrintToString(out);
  EXPECT_TRUE(h.conn.failed());
  EXPECT_TRUE(h.conn.is_closed());
  // §5.4.1: after a connection error nothing more is processed or sent.
  EXPECT_EQ(h.feed(FrameBuilder().ping(kProbe)), Texts{});
  EXPECT_EQ(h.output(), Texts{});
}

// A stream error: exactly one RST_STREAM(stream, code) goes out with a StreamReset{by_peer = false} event, and the
// connection lives on (a PING is answered). Returns the events of the offending bytes.
inline Texts expect_reset(Harness& h, const FrameBuilder& offending, std::uint32_t stream, ErrorCode code) {
  const Texts events = h.feed(offending);
  const std::string reset = "StreamReset " + std::to_string(stream) + " " + code_text(code) + " local";
  EXPECT_TRUE(contains(events, reset)) << ::testing::PrintToString(events);
  EXPECT_EQ(count_prefix(events, "StreamReset"), 1U) << ::testing::PrintToString(events);
  EXPECT_EQ(count_prefix(events, "ConnectionFailed"), 0U) << ::testing::PrintToString(events);
  const Texts out = h.output();
  EXPECT_EQ(count_prefix(out, "RST_STREAM"), 1U) << ::testing::PrintToString(out);
  EXPECT_TRUE(contains(out, "RST_STREAM " + std::to_string(stream) + " " + code_text(code)))
      << ::testing::PrintToString(out);
  EXPECT_EQ(count_prefix(out, "GOAWAY"), 0U) << ::testing::PrintToString(out);
  EXPECT_FALSE(h.conn.failed());
  EXPECT_EQ(h.feed(FrameBuilder().ping(kProbe)), Texts{});
  EXPECT_EQ(h.output(), (Texts{"PING ACK " + std::to_string(kProbe)}));
  return events;
}

// Raw octets for hand-made HPACK blocks and payloads: "82 87" or "8287" (spaces ignored). Kept apart from
// from_hex(), whose std::optional trips GCC 12's -Wmaybe-uninitialized when inlined at -O3.
inline ByteVector hex(std::string_view text) {
  auto nibble = [](char c) -> unsigned {
    if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
    return static_cast<unsigned>(c - 'A' + 10);
  };
  ByteVector out;
  unsigned high = 0;
  bool have_high = false;
  for (const char c : text) {
    if (c == ' ') continue;
    if (have_high) {
      out.push_back(static_cast<std::byte>((high << 4) | nibble(c)));
    } else {
      high = nibble(c);
    }
    have_high = !have_high;
  }
  return out;
}

}  // namespace h2push::http2::test
