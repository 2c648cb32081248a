// include/h2push/http2/types.hpp: HTTP/2 vocabulary shared by the frame layer, the Connection and its users:
// error codes, frame types, flags, stream ids, setting ids and protocol constants (RFC 9113, RFC 9218).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace h2push::http2 {

// RFC 9113 §7. An open enum: any 32-bit value received in RST_STREAM or GOAWAY is kept as is (§7: unknown codes
// trigger nothing special), so `static_cast<ErrorCode>(x)` is valid for every x and round-trips.
enum class ErrorCode : std::uint32_t {
  no_error = 0x0,
  protocol_error = 0x1,
  internal_error = 0x2,
  flow_control_error = 0x3,
  settings_timeout = 0x4,
  stream_closed = 0x5,
  frame_size_error = 0x6,
  refused_stream = 0x7,
  cancel = 0x8,
  compression_error = 0x9,
  connect_error = 0xa,
  enhance_your_calm = 0xb,
  inadequate_security = 0xc,
  http_1_1_required = 0xd,
};

// The RFC name ("PROTOCOL_ERROR"), or "UNKNOWN_ERROR_CODE" for a value RFC 9113 does not define.
std::string_view to_string(ErrorCode code) noexcept;
// True for the fourteen codes RFC 9113 §7 defines.
constexpr bool is_known(ErrorCode code) noexcept { return static_cast<std::uint32_t>(code) <= 0xd; }

// RFC 9113 §6 and RFC 9218 §7.1. Open like ErrorCode: a frame header keeps an unknown type so that the frame can
// be ignored (§5.5) or traced.
enum class FrameType : std::uint8_t {
  data = 0x0,
  headers = 0x1,
  priority = 0x2,
  rst_stream = 0x3,
  settings = 0x4,
  push_promise = 0x5,
  ping = 0x6,
  goaway = 0x7,
  window_update = 0x8,
  continuation = 0x9,
  priority_update = 0x10,  // RFC 9218 §7.1
};

// The RFC name ("WINDOW_UPDATE"), or "UNKNOWN" for a type we do not implement.
std::string_view to_string(FrameType type) noexcept;
// True for the types above; every other type is ignored on receipt (RFC 9113 §5.5).
constexpr bool is_known(FrameType type) noexcept {
  return static_cast<std::uint8_t>(type) <= 0x9 || type == FrameType::priority_update;
}

// Frame flags (RFC 9113 §6). Which ones a type defines is listed with its payload in src/http2/frame.hpp; the
// others are sent as zero and ignored on receipt (§4.1).
inline constexpr std::uint8_t kEndStream = 0x01;   // DATA, HEADERS
inline constexpr std::uint8_t kAck = 0x01;         // SETTINGS, PING
inline constexpr std::uint8_t kEndHeaders = 0x04;  // HEADERS, PUSH_PROMISE, CONTINUATION
inline constexpr std::uint8_t kPadded = 0x08;      // DATA, HEADERS, PUSH_PROMISE
inline constexpr std::uint8_t kPriority = 0x20;    // HEADERS

// A 31-bit stream identifier (RFC 9113 §5.1.1). The reserved high bit can never be held: the constructor drops
// it, which is exactly what §4.1 asks of a receiver ("MUST be ignored") and guarantees it is never sent.
class StreamId {
 public:
  static constexpr std::uint32_t kMaxValue = 0x7fffffff;

  constexpr StreamId() noexcept = default;
  constexpr explicit StreamId(std::uint32_t value) noexcept : value_(value & kMaxValue) {}

  // Stream 0 stands for the connection as a whole.
  static constexpr StreamId connection() noexcept { return StreamId(); }

  constexpr std::uint32_t value() const noexcept { return value_; }
  constexpr bool is_connection() const noexcept { return value_ == 0; }
  // §5.1.1: clients open odd-numbered streams, servers (pushes) even-numbered ones; 0 is neither.
  constexpr bool is_client_initiated() const noexcept { return (value_ & 1U) == 1U; }
  constexpr bool is_server_initiated() const noexcept { return value_ != 0 && (value_ & 1U) == 0U; }

  friend constexpr auto operator<=>(StreamId, StreamId) noexcept = default;
  friend constexpr bool operator==(StreamId, StreamId) noexcept = default;

 private:
  std::uint32_t value_ = 0;
};

// RFC 9113 §6.5.2, RFC 8441 §3, RFC 9218 §2.1. Open: a SETTINGS frame may carry any 16-bit id, and unknown ones
// are ignored (§6.5.2).
enum class SettingId : std::uint16_t {
  header_table_size = 0x1,
  enable_push = 0x2,
  max_concurrent_streams = 0x3,
  initial_window_size = 0x4,
  max_frame_size = 0x5,
  max_header_list_size = 0x6,
  enable_connect_protocol = 0x8,  // RFC 8441; not acted on yet, so accepted with any value like an unknown id
  no_rfc7540_priorities = 0x9,    // RFC 9218 §2.1
};

// The RFC name ("SETTINGS_MAX_FRAME_SIZE"), or "UNKNOWN_SETTING".
std::string_view to_string(SettingId id) noexcept;

// One SETTINGS entry (RFC 9113 §6.5.1).
struct Setting {
  SettingId id{};
  std::uint32_t value = 0;

  friend bool operator==(const Setting&, const Setting&) = default;
};

inline constexpr std::size_t kFrameHeaderSize = 9;                    // §4.1
inline constexpr std::uint32_t kDefaultMaxFrameSize = 16384;          // §6.5.2, 2^14
inline constexpr std::uint32_t kMaxAllowedFrameSize = 16777215;       // §6.5.2, 2^24-1
inline constexpr std::uint32_t kDefaultInitialWindowSize = 65535;     // §6.5.2, 2^16-1
inline constexpr std::uint32_t kMaxWindowSize = 2147483647;           // §6.9.1, 2^31-1
inline constexpr std::uint32_t kDefaultHeaderTableSize = 4096;        // §6.5.2
inline constexpr std::uint32_t kMaxWindowIncrement = kMaxWindowSize;  // §6.9: 31 bits

// §3.4: the 24 octets a client sends first, ahead of its SETTINGS frame.
inline constexpr std::string_view kClientPreface{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24};

}  // namespace h2push::http2

template <>
struct std::hash<h2push::http2::StreamId> {
  std::size_t operator()(h2push::http2::StreamId id) const noexcept { return std::hash<std::uint32_t>{}(id.value()); }
};
