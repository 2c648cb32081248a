// src/http2/frame.hpp: the HTTP/2 frame codec (RFC 9113 §4 and §6, RFC 9218 §7.1): one payload struct per frame
// type, a parse_<name>() that checks everything the frame alone can tell (length, flags, stream id, field values)
// and a write_<name>() that appends the frame to an Output. Stateless: whether a frame is allowed on a stream in
// its current state is the Connection's business.
//
// Zero copy on receipt: spans and string_views in parsed payloads (DATA, field block fragments, GOAWAY debug
// data, SETTINGS entries, PRIORITY_UPDATE field values) point into the `payload` argument and live as long as it.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <variant>

#include "h2push/http2/types.hpp"
#include "h2push/result.hpp"
#include "http2/output.hpp"

namespace h2push::http2 {

// The 9-octet frame header (§4.1). The reserved bit of the stream id is dropped on parsing (StreamId cannot hold
// it) and therefore never written.
struct FrameHeader {
  std::uint32_t length = 0;  // payload octets, 24 bits
  FrameType type = FrameType::data;
  std::uint8_t flags = 0;
  StreamId stream_id;

  constexpr bool has(std::uint8_t flag) const noexcept { return (flags & flag) != 0; }
  friend bool operator==(const FrameHeader&, const FrameHeader&) = default;
};

// What is wrong with a frame, judged from the frame alone.
enum class FrameErrorKind : std::uint8_t {
  frame_too_large,             // §4.2: length above our SETTINGS_MAX_FRAME_SIZE (frame reader)
  bad_length,                  // §4.2, §6: length differs from the type's fixed size (RST_STREAM, PRIORITY, PING,
                               // WINDOW_UPDATE) or is not a multiple of 6 (SETTINGS)
  too_short,                   // §4.2: payload cannot hold the fields its type and flags announce
  padding_exceeds_payload,     // §6.1, §6.2, §6.6: Pad Length larger than what is left
  stream_id_required,          // §6.1-6.4, §6.6, §6.10: a stream frame on stream 0
  stream_id_forbidden,         // §6.5, §6.7, §6.8, RFC 9218 §7.1: a connection frame on a stream
  settings_ack_with_payload,   // §6.5: SETTINGS with ACK and a non-empty payload
  invalid_setting_value,       // §6.5.2, RFC 9218 §2.1: value outside the setting's range (`setting` names it)
  zero_window_increment,       // §6.9: WINDOW_UPDATE increment of 0
  self_dependency,             // RFC 7540 §5.3.1: PRIORITY frame naming its own stream as parent
  invalid_promised_stream_id,  // §5.1.1, §6.6: promised stream id 0 or odd (never server-initiated)
  zero_prioritized_stream_id,  // RFC 9218 §7.1: PRIORITY_UPDATE about stream 0
  bad_preface,                 // §3.4: wrong client magic, or a first frame that is not SETTINGS (frame reader)
};

// A short, stable description, suitable as GOAWAY debug data.
std::string_view to_string(FrameErrorKind kind) noexcept;

// Whether the RFC makes the error fatal to the connection (GOAWAY) or only to the frame's stream (RST_STREAM).
enum class ErrorScope : std::uint8_t { connection, stream };

// The parser's verdict: what is wrong plus the code and scope the RFC prescribes for this frame type when the
// frame is judged alone. The Connection may escalate a stream error (§5.4) once it knows the stream's state.
struct FrameError {
  FrameErrorKind kind{};
  ErrorCode code = ErrorCode::protocol_error;
  ErrorScope scope = ErrorScope::connection;
  SettingId setting{};  // invalid_setting_value only: the offending id

  friend bool operator==(const FrameError&, const FrameError&) = default;
};

// The RFC 7540 priority fields of HEADERS (PRIORITY flag) and PRIORITY frames (§6.2, §6.3). Parsed for framing
// only (§5.3.2); RFC 9113 deprecates their meaning. A HEADERS whose dependency is its own stream is not rejected by
// parse_headers(): its field block must still be decoded (§4.3), so the Connection compares `dependency` with the
// stream id itself.
struct PriorityFields {
  StreamId dependency;
  bool exclusive = false;
  std::uint16_t weight = 16;  // 1..256: the wire octet plus one

  friend bool operator==(const PriorityFields&, const PriorityFields&) = default;
};

// DATA (§6.1). Flags END_STREAM, PADDED. `pad_length` is set when PADDED was (pad length 0 is legal).
struct DataFrame {
  std::span<const std::byte> data;
  bool end_stream = false;
  std::optional<std::uint8_t> pad_length;
};
// §6.9: what a DATA frame costs in flow control: its whole payload, Pad Length octet and padding included.
constexpr std::uint32_t flow_controlled_length(const DataFrame& frame) noexcept {
  return static_cast<std::uint32_t>(frame.data.size()) + (frame.pad_length ? 1U + *frame.pad_length : 0U);
}

// HEADERS (§6.2). Flags END_STREAM, END_HEADERS, PADDED, PRIORITY.
struct HeadersFrame {
  std::span<const std::byte> fragment;  // field block fragment (HPACK)
  bool end_stream = false;
  bool end_headers = false;
  std::optional<std::uint8_t> pad_length;
  std::optional<PriorityFields> priority;  // set when the PRIORITY flag was
};

// PRIORITY (§6.3). No flags.
struct PriorityFrame {
  PriorityFields priority;
};

// RST_STREAM (§6.4). No flags.
struct RstStreamFrame {
  ErrorCode error_code = ErrorCode::no_error;  // any value, unknown ones included
};

// The entries of a received SETTINGS frame, in wire order, without copying. Every entry has passed the value
// checks of §6.5.2; unknown ids are kept (the Connection ignores them, §6.5.2) and duplicates too (the last one
// wins, §6.5.3).
class SettingsList {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Setting;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Setting;

    Iterator() = default;
    explicit Iterator(const std::byte* at) : at_(at) {}
    Setting operator*() const noexcept;
    Iterator& operator++() noexcept {
      at_ += kEntrySize;
      return *this;
    }
    Iterator operator++(int) noexcept {
      Iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const Iterator&, const Iterator&) = default;

   private:
    const std::byte* at_ = nullptr;
  };

  static constexpr std::size_t kEntrySize = 6;  // §6.5.1: 16-bit id, 32-bit value

  SettingsList() = default;
  // `entries` holds whole entries (size a multiple of 6).
  explicit SettingsList(std::span<const std::byte> entries) : entries_(entries) {
    assert(entries.size() % kEntrySize == 0);
  }

  std::size_t size() const noexcept { return entries_.size() / kEntrySize; }
  bool empty() const noexcept { return entries_.empty(); }
  Setting operator[](std::size_t i) const noexcept { return *Iterator(entries_.data() + i * kEntrySize); }
  Iterator begin() const noexcept { return Iterator(entries_.data()); }
  Iterator end() const noexcept { return Iterator(entries_.data() + entries_.size()); }

 private:
  std::span<const std::byte> entries_;
};

// SETTINGS (§6.5). Flag ACK; an ACK carries no entries.
struct SettingsFrame {
  bool ack = false;
  SettingsList settings;
};

// PUSH_PROMISE (§6.6). Flags END_HEADERS, PADDED.
struct PushPromiseFrame {
  StreamId promised_stream_id;
  std::span<const std::byte> fragment;
  bool end_headers = false;
  std::optional<std::uint8_t> pad_length;
};

// PING (§6.7). Flag ACK.
struct PingFrame {
  std::array<std::byte, 8> opaque_data{};
  bool ack = false;
};

// GOAWAY (§6.8). No flags.
struct GoawayFrame {
  StreamId last_stream_id;
  ErrorCode error_code = ErrorCode::no_error;
  std::span<const std::byte> debug_data;
};

// WINDOW_UPDATE (§6.9). No flags. On stream 0 it credits the connection window.
struct WindowUpdateFrame {
  std::uint32_t window_size_increment = 0;  // 1..2^31-1
};

// CONTINUATION (§6.10). Flag END_HEADERS.
struct ContinuationFrame {
  std::span<const std::byte> fragment;
  bool end_headers = false;
};

// PRIORITY_UPDATE (RFC 9218 §7.1), for request streams. No flags; always on stream 0.
struct PriorityUpdateFrame {
  StreamId prioritized_stream_id;
  std::string_view field_value;  // the Priority field value (Structured Fields dictionary), unparsed
};

// Any type this layer does not implement; ignored on receipt (§5.5) unless it interrupts a field block (§4.3).
struct UnknownFrame {
  FrameType type{};
  std::uint8_t flags = 0;
  std::span<const std::byte> payload;
};

using Frame =
    std::variant<DataFrame, HeadersFrame, PriorityFrame, RstStreamFrame, SettingsFrame, PushPromiseFrame, PingFrame,
                 GoawayFrame, WindowUpdateFrame, ContinuationFrame, PriorityUpdateFrame, UnknownFrame>;

// Decodes a frame header; it cannot fail (any type, flags and length are representable).
FrameHeader parse_frame_header(std::span<const std::byte, kFrameHeaderSize> bytes) noexcept;
// Appends the header. Precondition: length <= kMaxAllowedFrameSize.
void write_frame_header(const FrameHeader& header, Output& out);

// Parsers. Preconditions: `header.type` is the parser's type and `payload.size() == header.length`; the frame
// reader has already rejected lengths above our MAX_FRAME_SIZE. Each returns the payload or the FrameError its
// section prescribes (see docs/http2-frames.md for the table); flags a type does not define are ignored.
[[nodiscard]] Result<DataFrame, FrameError> parse_data(const FrameHeader& header, std::span<const std::byte> payload);
[[nodiscard]] Result<HeadersFrame, FrameError> parse_headers(const FrameHeader& header,
                                                             std::span<const std::byte> payload);
[[nodiscard]] Result<PriorityFrame, FrameError> parse_priority(const FrameHeader& header,
                                                               std::span<const std::byte> payload);
[[nodiscard]] Result<RstStreamFrame, FrameError> parse_rst_stream(const FrameHeader& header,
                                                                  std::span<const std::byte> payload);
[[nodiscard]] Result<SettingsFrame, FrameError> parse_settings(const FrameHeader& header,
                                                               std::span<const std::byte> payload);
[[nodiscard]] Result<PushPromiseFrame, FrameError> parse_push_promise(const FrameHeader& header,
                                                                      std::span<const std::byte> payload);
[[nodiscard]] Result<PingFrame, FrameError> parse_ping(const FrameHeader& header, std::span<const std::byte> payload);
[[nodiscard]] Result<GoawayFrame, FrameError> parse_goaway(const FrameHeader& header,
                                                           std::span<const std::byte> payload);
[[nodiscard]] Result<WindowUpdateFrame, FrameError> parse_window_update(const FrameHeader& header,
                                                                        std::span<const std::byte> payload);
[[nodiscard]] Result<ContinuationFrame, FrameError> parse_continuation(const FrameHeader& header,
                                                                       std::span<const std::byte> payload);
[[nodiscard]] Result<PriorityUpdateFrame, FrameError> parse_priority_update(const FrameHeader& header,
                                                                            std::span<const std::byte> payload);
// Never fails: any type other than those above becomes an UnknownFrame.
[[nodiscard]] UnknownFrame parse_unknown(const FrameHeader& header, std::span<const std::byte> payload) noexcept;
// Dispatches on header.type to the parsers above.
[[nodiscard]] Result<Frame, FrameError> parse_frame(const FrameHeader& header, std::span<const std::byte> payload);

// Checks one SETTINGS value against §6.5.2 and RFC 9218 §2.1; unknown ids always pass. Used by parse_settings()
// and by the h2c upgrade, whose HTTP2-Settings header carries a SETTINGS payload (RFC 7540 §3.2.1).
[[nodiscard]] Status<FrameError> validate_setting(Setting setting) noexcept;

// Writers. They append one whole frame and never fail; the caller keeps within the peer's MAX_FRAME_SIZE
// (§4.2) and its windows. Preconditions (asserted): stream frames get a non-zero stream id, the payload fits in
// 2^24-1 octets, weights are 1..256, increments 1..2^31-1, padding only with the PADDED types. Padding octets are
// zero (§6.1). Undefined flags are never set.
void write_data(StreamId stream, const DataFrame& frame, Output& out);
// A DATA frame whose payload is written in place (§6.1, never padded), so that body octets are copied once, from
// their source straight into the output: begin_data() appends room for the frame header and up to `max_payload`
// octets and returns the payload room; end_data() shrinks the frame to the `length` octets actually written and
// fills in its header; cancel_data() removes the frame again. Nothing else may be appended in between.
struct DataInPlace {
  std::size_t start = 0;         // where the frame header goes in the Output
  std::span<std::byte> payload;  // the room, valid until end_data() / cancel_data()
};
[[nodiscard]] DataInPlace begin_data(std::size_t max_payload, Output& out);
void end_data(StreamId stream, const DataInPlace& frame, std::size_t length, bool end_stream, Output& out);
void cancel_data(const DataInPlace& frame, Output& out) noexcept;
void write_headers(StreamId stream, const HeadersFrame& frame, Output& out);
void write_priority(StreamId stream, const PriorityFrame& frame, Output& out);
void write_rst_stream(StreamId stream, ErrorCode code, Output& out);
void write_settings(std::span<const Setting> settings, Output& out);
void write_settings_ack(Output& out);
void write_push_promise(StreamId stream, const PushPromiseFrame& frame, Output& out);
void write_ping(const PingFrame& frame, Output& out);
void write_goaway(const GoawayFrame& frame, Output& out);
void write_window_update(StreamId stream, std::uint32_t increment, Output& out);  // stream 0: connection window
void write_continuation(StreamId stream, const ContinuationFrame& frame, Output& out);
void write_priority_update(const PriorityUpdateFrame& frame, Output& out);

}  // namespace h2push::http2
