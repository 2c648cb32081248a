// src/http2/frame.cpp: frame codec; every error decision cites the RFC sentence it follows.
#include "http2/frame.hpp"

#include <cstring>

namespace h2push::http2 {
namespace {

using Bytes = std::span<const std::byte>;

constexpr std::uint8_t u8(std::byte b) noexcept { return std::to_integer<std::uint8_t>(b); }
constexpr std::uint16_t read_u16(Bytes b) noexcept { return static_cast<std::uint16_t>((u8(b[0]) << 8) | u8(b[1])); }
constexpr std::uint32_t read_u32(Bytes b) noexcept {
  return (std::uint32_t{u8(b[0])} << 24) | (std::uint32_t{u8(b[1])} << 16) | (std::uint32_t{u8(b[2])} << 8) |
         std::uint32_t{u8(b[3])};
}

constexpr FrameError connection_error(FrameErrorKind kind, ErrorCode code) noexcept {
  return FrameError{kind, code, ErrorScope::connection, {}};
}
constexpr FrameError stream_error(FrameErrorKind kind, ErrorCode code) noexcept {
  return FrameError{kind, code, ErrorScope::stream, {}};
}

// §6.1, §6.2, §6.3, §6.4, §6.6, §6.10: "If a <TYPE> frame is received whose Stream Identifier field is 0x0, the
// recipient MUST respond with a connection error of type PROTOCOL_ERROR."
constexpr Unexpected<FrameError> needs_stream() noexcept {
  return Unexpected{connection_error(FrameErrorKind::stream_id_required, ErrorCode::protocol_error)};
}
// §6.5, §6.7, §6.8, RFC 9218 §7.1: a connection frame on a stream is a connection error of type PROTOCOL_ERROR.
constexpr Unexpected<FrameError> forbids_stream() noexcept {
  return Unexpected{connection_error(FrameErrorKind::stream_id_forbidden, ErrorCode::protocol_error)};
}

// The part of a PADDED-capable payload that remains once Pad Length and padding are stripped; `fields` is the
// size of the mandatory fields after Pad Length (HEADERS priority: 5, PUSH_PROMISE promised id: 4), which stay in
// `body`.
struct Unpadded {
  Bytes body;
  std::optional<std::uint8_t> pad_length;
};

Result<Unpadded, FrameError> strip_padding(const FrameHeader& header, Bytes payload, std::size_t fields) {
  if (!header.has(kPadded)) {
    // §4.2: "too small to contain mandatory frame data" is a FRAME_SIZE_ERROR. Only HEADERS and PUSH_PROMISE have
    // mandatory fields here and both carry a field block, so the error is connection-wide.
    if (payload.size() < fields) {
      return Unexpected{connection_error(FrameErrorKind::too_short, ErrorCode::frame_size_error)};
    }
    return Unpadded{payload, std::nullopt};
  }
  // No room for Pad Length (and the fields): FRAME_SIZE_ERROR per §4.2. Connection-wide for HEADERS and
  // PUSH_PROMISE (field blocks, §4.2); for DATA §4.2 would allow a stream error, but this is the same defect as a
  // padding overrun, which §6.1 makes a connection error, so we keep one scope for both.
  if (payload.size() < 1 + fields) {
    return Unexpected{connection_error(FrameErrorKind::too_short, ErrorCode::frame_size_error)};
  }
  const std::uint8_t pad = u8(payload[0]);
  // §6.1: "If the length of the padding is the length of the frame payload or greater, the recipient MUST treat
  // this as a connection error of type PROTOCOL_ERROR"; §6.2 and §6.6 say the same of padding that exceeds the
  // room left for the field block fragment.
  if (pad > payload.size() - 1 - fields) {
    return Unexpected{connection_error(FrameErrorKind::padding_exceeds_payload, ErrorCode::protocol_error)};
  }
  return Unpadded{payload.subspan(1, payload.size() - 1 - pad), pad};
}

PriorityFields read_priority_fields(Bytes b) noexcept {
  const std::uint32_t word = read_u32(b);
  return PriorityFields{StreamId(word), (word & 0x80000000U) != 0, static_cast<std::uint16_t>(u8(b[4]) + 1)};
}

// The 9 octets of a frame header at `at`, in one go (it is written for every frame we send).
void encode_frame_header(const FrameHeader& header, std::byte* at) noexcept {
  assert(header.length <= 0xffffff);
  const std::uint32_t id = header.stream_id.value();  // 31 bits: the reserved bit goes out as 0 (§4.1)
  at[0] = std::byte((header.length >> 16) & 0xff);
  at[1] = std::byte((header.length >> 8) & 0xff);
  at[2] = std::byte(header.length & 0xff);
  at[3] = std::byte(static_cast<std::uint8_t>(header.type));
  at[4] = std::byte(header.flags);
  at[5] = std::byte(id >> 24);
  at[6] = std::byte((id >> 16) & 0xff);
  at[7] = std::byte((id >> 8) & 0xff);
  at[8] = std::byte(id & 0xff);
}

void write_priority_fields(const PriorityFields& p, Output& out) {
  assert(p.weight >= 1 && p.weight <= 256);
  out.put_u32(p.dependency.value() | (p.exclusive ? 0x80000000U : 0U));
  out.put_u8(static_cast<std::uint8_t>(p.weight - 1));
}

// Frame header plus Pad Length for the PADDED types; `inner` is everything between Pad Length and the padding.
void write_padded_header(FrameType type, std::uint8_t flags, StreamId stream, std::size_t inner,
                         std::optional<std::uint8_t> pad_length, Output& out) {
  const std::size_t length = inner + (pad_length ? 1U + *pad_length : 0U);
  assert(length <= kMaxAllowedFrameSize);
  if (pad_length) flags |= kPadded;
  write_frame_header(FrameHeader{static_cast<std::uint32_t>(length), type, flags, stream}, out);
  if (pad_length) out.put_u8(*pad_length);
}

void write_padding(std::optional<std::uint8_t> pad_length, Output& out) {
  if (pad_length) out.put_zeros(*pad_length);  // §6.1: padding octets MUST be zero when sent
}

}  // namespace

std::string_view to_string(FrameErrorKind kind) noexcept {
  switch (kind) {
    case FrameErrorKind::frame_too_large:
      return "frame larger than SETTINGS_MAX_FRAME_SIZE";
    case FrameErrorKind::bad_length:
      return "frame length invalid for its type";
    case FrameErrorKind::too_short:
      return "frame too short for its mandatory fields";
    case FrameErrorKind::padding_exceeds_payload:
      return "padding exceeds frame payload";
    case FrameErrorKind::stream_id_required:
      return "frame type requires a stream id";
    case FrameErrorKind::stream_id_forbidden:
      return "frame type must be sent on stream 0";
    case FrameErrorKind::settings_ack_with_payload:
      return "SETTINGS ACK with a payload";
    case FrameErrorKind::invalid_setting_value:
      return "invalid SETTINGS value";
    case FrameErrorKind::zero_window_increment:
      return "WINDOW_UPDATE increment of 0";
    case FrameErrorKind::self_dependency:
      return "stream depends on itself";
    case FrameErrorKind::invalid_promised_stream_id:
      return "invalid promised stream id";
    case FrameErrorKind::zero_prioritized_stream_id:
      return "PRIORITY_UPDATE for stream 0";
    case FrameErrorKind::bad_preface:
      return "invalid connection preface";
  }
  return "unknown frame error";
}

Setting SettingsList::Iterator::operator*() const noexcept {
  const Bytes entry(at_, kEntrySize);
  return Setting{static_cast<SettingId>(read_u16(entry)), read_u32(entry.subspan(2))};
}

FrameHeader parse_frame_header(std::span<const std::byte, kFrameHeaderSize> bytes) noexcept {
  FrameHeader h;
  h.length = (std::uint32_t{u8(bytes[0])} << 16) | (std::uint32_t{u8(bytes[1])} << 8) | u8(bytes[2]);
  h.type = static_cast<FrameType>(u8(bytes[3]));
  h.flags = u8(bytes[4]);
  h.stream_id = StreamId(read_u32(Bytes(bytes).subspan(5)));  // §4.1: the reserved bit is ignored
  return h;
}

void write_frame_header(const FrameHeader& header, Output& out) {
  encode_frame_header(header, out.extend(kFrameHeaderSize).data());
}

// ---- parsers ------------------------------------------------------------------------------------------------

Result<DataFrame, FrameError> parse_data(const FrameHeader& header, Bytes payload) {
  assert(header.type == FrameType::data && payload.size() == header.length);
  if (header.stream_id.is_connection()) return needs_stream();  // §6.1
  auto unpadded = strip_padding(header, payload, 0);
  if (!unpadded) return Unexpected{unpadded.error()};
  return DataFrame{unpadded->body, header.has(kEndStream), unpadded->pad_length};
}

Result<HeadersFrame, FrameError> parse_headers(const FrameHeader& header, Bytes payload) {
  assert(header.type == FrameType::headers && payload.size() == header.length);
  if (header.stream_id.is_connection()) return needs_stream();  // §6.2
  const bool has_priority = header.has(kPriority);
  auto unpadded = strip_padding(header, payload, has_priority ? 5 : 0);
  if (!unpadded) return Unexpected{unpadded.error()};
  HeadersFrame frame;
  frame.end_stream = header.has(kEndStream);
  frame.end_headers = header.has(kEndHeaders);
  frame.pad_length = unpadded->pad_length;
  Bytes body = unpadded->body;
  if (has_priority) {
    frame.priority = read_priority_fields(body);
    body = body.subspan(5);
  }
  frame.fragment = body;
  return frame;
}

Result<PriorityFrame, FrameError> parse_priority(const FrameHeader& header, Bytes payload) {
  assert(header.type == FrameType::priority && payload.size() == header.length);
  if (header.stream_id.is_connection()) return needs_stream();  // §6.3
  // §6.3: "A PRIORITY frame with a length other than 5 octets MUST be treated as a stream error of type
  // FRAME_SIZE_ERROR."
  if (payload.size() != 5) return Unexpected{stream_error(FrameErrorKind::bad_length, ErrorCode::frame_size_error)};
  PriorityFrame frame{read_priority_fields(payload)};
  // RFC 7540 §5.3.1: "A stream cannot depend on itself. An endpoint MUST treat this as a stream error of type
  // PROTOCOL_ERROR." Dropped by RFC 9113 but kept (H2-5.3-02); a PRIORITY frame carries no field block, so
  // rejecting it here desynchronises nothing.
  if (frame.priority.dependency == header.stream_id) {
    return Unexpected{stream_error(FrameErrorKind::self_dependency, ErrorCode::protocol_error)};
  }
  return frame;
}

Result<RstStreamFrame, FrameError> parse_rst_stream(const FrameHeader& header, Bytes payload) {
  assert(header.type == FrameType::rst_stream && payload.size() == header.length);
  if (header.stream_id.is_connection()) return needs_stream();  // §6.4
  // §6.4: "A RST_STREAM frame with a length other than 4 octets MUST be treated as a connection error of type
  // FRAME_SIZE_ERROR."
  if (payload.size() != 4) {
    return Unexpected{connection_error(FrameErrorKind::bad_length, ErrorCode::frame_size_error)};
  }
  return RstStreamFrame{static_cast<ErrorCode>(read_u32(payload))};  // §7: unknown codes are kept
}

Status<FrameError> validate_setting(Setting setting) noexcept {
  FrameError error = connection_error(FrameErrorKind::invalid_setting_value, ErrorCode::protocol_error);
  error.setting = setting.id;
  switch (setting.id) {
    case SettingId::enable_push:
      // §6.5.2: "Any value other than 0 or 1 MUST be treated as a connection error of type PROTOCOL_ERROR."
      if (setting.value > 1) return Unexpected{error};
      break;
    case SettingId::initial_window_size:
      // §6.5.2: "Values above the maximum flow-control window size of 2^31-1 MUST be treated as a connection
      // error of type FLOW_CONTROL_ERROR."
      if (setting.value > kMaxWindowSize) {
        error.code = ErrorCode::flow_control_error;
        return Unexpected{error};
      }
      break;
    case SettingId::max_frame_size:
      // §6.5.2: "Values outside this range [2^14, 2^24-1] MUST be treated as a connection error of type
      // PROTOCOL_ERROR."
      if (setting.value < kDefaultMaxFrameSize || setting.value > kMaxAllowedFrameSize) return Unexpected{error};
      break;
    case SettingId::no_rfc7540_priorities:
      // RFC 9218 §2.1: "A value other than 0 or 1 MUST be treated as a connection error of type PROTOCOL_ERROR."
      if (setting.value > 1) return Unexpected{error};
      break;
    default:
      // HEADER_TABLE_SIZE, MAX_CONCURRENT_STREAMS and MAX_HEADER_LIST_SIZE take any 32-bit value; unknown ids,
      // ENABLE_CONNECT_PROTOCOL included while we do not implement RFC 8441, MUST be ignored (§6.5.2).
      break;
  }
  return {};
}

Result<SettingsFrame, FrameError> parse_settings(const FrameHeader& header, Bytes payload) {
  assert(header.type == FrameType::settings && payload.size() == header.length);
  // §6.5: "If an endpoint receives a SETTINGS frame whose Stream Identifier field is anything other than 0x0, the
  // endpoint MUST respond with a connection error of type PROTOCOL_ERROR."
  if (!header.stream_id.is_connection()) return forbids_stream();
  if (header.has(kAck)) {
    // §6.5: "Receipt of a SETTINGS frame with the ACK flag set and a length field value other than 0 MUST be
    // treated as a connection error of type FRAME_SIZE_ERROR."
    if (!payload.empty()) {
      return Unexpected{connection_error(FrameErrorKind::settings_ack_with_payload, ErrorCode::frame_size_error)};
    }
    return SettingsFrame{true, {}};
  }
  // §6.5: "A SETTINGS frame with a length other than a multiple of 6 octets MUST be treated as a connection error
  // of type FRAME_SIZE_ERROR."
  if (payload.size() % SettingsList::kEntrySize != 0) {
    return Unexpected{connection_error(FrameErrorKind::bad_length, ErrorCode::frame_size_error)};
  }
  const SettingsList list(payload);
  for (const Setting setting : list) {
    if (auto valid = validate_setting(setting); !valid) return Unexpected{valid.error()};
  }
  return SettingsFrame{false, list};
}

Result<PushPromiseFrame, FrameError> parse_push_promise(const FrameHeader& header, Bytes payload) {
  assert(header.type == FrameType::push_promise && payload.size() == header.length);
  if (header.stream_id.is_connection()) return needs_stream();  // §6.6
  auto unpadded = strip_padding(header, payload, 4);
  if (!unpadded) return Unexpected{unpadded.error()};
  PushPromiseFrame frame;
  frame.promised_stream_id = StreamId(read_u32(unpadded->body));  // reserved bit ignored
  frame.fragment = unpadded->body.subspan(4);
  frame.end_headers = header.has(kEndHeaders);
  frame.pad_length = unpadded->pad_length;
  // §5.1.1: pushed streams are server-initiated, so even and non-zero; any other promised id can never name an
  // idle stream and §6.6 makes that a connection error of type PROTOCOL_ERROR. Which even ids are still idle is
  // the Connection's check.
  if (!frame.promised_stream_id.is_server_initiated()) {
    return Unexpected{connection_error(FrameErrorKind::invalid_promised_stream_id, ErrorCode::protocol_error)};
  }
  return frame;
}

Result<PingFrame, FrameError> parse_ping(const FrameHeader& header, Bytes payload) {
  assert(header.type == FrameType::ping && payload.size() == header.length);
  // §6.7: "If a PING frame is received with a Stream Identifier field value other than 0x0, the recipient MUST
  // respond with a connection error of type PROTOCOL_ERROR."
  if (!header.stream_id.is_connection()) return forbids_stream();
  // §6.7: "Receipt of a PING frame with a length field value other than 8 MUST be treated as a connection error
  // of type FRAME_SIZE_ERROR."
  if (payload.size() != 8) {
    return Unexpected{connection_error(FrameErrorKind::bad_length, ErrorCode::frame_size_error)};
  }
  PingFrame frame;
  std::memcpy(frame.opaque_data.data(), payload.data(), 8);
  frame.ack = header.has(kAck);
  return frame;
}

Result<GoawayFrame, FrameError> parse_goaway(const FrameHeader& header, Bytes payload) {
  assert(header.type == FrameType::goaway && payload.size() == header.length);
  // §6.8: "An endpoint MUST treat a GOAWAY frame with a stream identifier other than 0x0 as a connection error of
  // type PROTOCOL_ERROR."
  if (!header.stream_id.is_connection()) return forbids_stream();
  // §4.2: too small for Last-Stream-ID and Error Code; on stream 0, so connection-wide.
  if (payload.size() < 8) {
    return Unexpected{connection_error(FrameErrorKind::too_short, ErrorCode::frame_size_error)};
  }
  return GoawayFrame{StreamId(read_u32(payload)), static_cast<ErrorCode>(read_u32(payload.subspan(4))),
                     payload.subspan(8)};
}

Result<WindowUpdateFrame, FrameError> parse_window_update(const FrameHeader& header, Bytes payload) {
  assert(header.type == FrameType::window_update && payload.size() == header.length);
  // §6.9: "A WINDOW_UPDATE frame with a length other than 4 octets MUST be treated as a connection error of type
  // FRAME_SIZE_ERROR."
  if (payload.size() != 4) {
    return Unexpected{connection_error(FrameErrorKind::bad_length, ErrorCode::frame_size_error)};
  }
  const std::uint32_t increment = read_u32(payload) & kMaxWindowIncrement;  // reserved bit ignored
  // §6.9: "A receiver MUST treat the receipt of a WINDOW_UPDATE frame with a flow-control window increment of 0
  // as a stream error of type PROTOCOL_ERROR; errors on the connection flow-control window MUST be treated as a
  // connection error."
  if (increment == 0) {
    return Unexpected{header.stream_id.is_connection()
                          ? connection_error(FrameErrorKind::zero_window_increment, ErrorCode::protocol_error)
                          : stream_error(FrameErrorKind::zero_window_increment, ErrorCode::protocol_error)};
  }
  return WindowUpdateFrame{increment};
}

Result<ContinuationFrame, FrameError> parse_continuation(const FrameHeader& header, Bytes payload) {
  assert(header.type == FrameType::continuation && payload.size() == header.length);
  if (header.stream_id.is_connection()) return needs_stream();  // §6.10
  return ContinuationFrame{payload, header.has(kEndHeaders)};
}

Result<PriorityUpdateFrame, FrameError> parse_priority_update(const FrameHeader& header, Bytes payload) {
  assert(header.type == FrameType::priority_update && payload.size() == header.length);
  // RFC 9218 §7.1: "PRIORITY_UPDATE frames MUST be sent on stream 0 ... If a PRIORITY_UPDATE frame is received
  // with a Stream Identifier field value other than 0x0, the recipient MUST respond with a connection error of
  // type PROTOCOL_ERROR."
  if (!header.stream_id.is_connection()) return forbids_stream();
  // RFC 9113 §4.2: no room for the Prioritized Stream ID (PR-7.1-05); stream 0, so connection-wide.
  if (payload.size() < 4) {
    return Unexpected{connection_error(FrameErrorKind::too_short, ErrorCode::frame_size_error)};
  }
  PriorityUpdateFrame frame;
  frame.prioritized_stream_id = StreamId(read_u32(payload));
  const Bytes value = payload.subspan(4);
  frame.field_value = std::string_view(reinterpret_cast<const char*>(value.data()), value.size());
  // RFC 9218 §7.1: "If a PRIORITY_UPDATE frame is received with a Prioritized Stream ID of 0x0, the recipient MUST
  // respond with a connection error of type PROTOCOL_ERROR."
  if (frame.prioritized_stream_id.is_connection()) {
    return Unexpected{connection_error(FrameErrorKind::zero_prioritized_stream_id, ErrorCode::protocol_error)};
  }
  return frame;
}

UnknownFrame parse_unknown(const FrameHeader& header, Bytes payload) noexcept {
  return UnknownFrame{header.type, header.flags, payload};
}

namespace {
template <class T>
Result<Frame, FrameError> widen(Result<T, FrameError> r) {
  if (!r) return Unexpected{r.error()};
  return Frame{std::move(r).value()};
}
}  // namespace

Result<Frame, FrameError> parse_frame(const FrameHeader& header, Bytes payload) {
  switch (header.type) {
    case FrameType::data:
      return widen(parse_data(header, payload));
    case FrameType::headers:
      return widen(parse_headers(header, payload));
    case FrameType::priority:
      return widen(parse_priority(header, payload));
    case FrameType::rst_stream:
      return widen(parse_rst_stream(header, payload));
    case FrameType::settings:
      return widen(parse_settings(header, payload));
    case FrameType::push_promise:
      return widen(parse_push_promise(header, payload));
    case FrameType::ping:
      return widen(parse_ping(header, payload));
    case FrameType::goaway:
      return widen(parse_goaway(header, payload));
    case FrameType::window_update:
      return widen(parse_window_update(header, payload));
    case FrameType::continuation:
      return widen(parse_continuation(header, payload));
    case FrameType::priority_update:
      return widen(parse_priority_update(header, payload));
  }
  return Frame{parse_unknown(header, payload)};  // §5.5: unknown types are ignored by the caller
}

// ---- writers ------------------------------------------------------------------------------------------------

void write_data(StreamId stream, const DataFrame& frame, Output& out) {
  assert(!stream.is_connection());
  write_padded_header(FrameType::data, frame.end_stream ? kEndStream : std::uint8_t{0}, stream, frame.data.size(),
                      frame.pad_length, out);
  out.put(frame.data);
  write_padding(frame.pad_length, out);
}

DataInPlace begin_data(std::size_t max_payload, Output& out) {
  assert(max_payload <= kMaxAllowedFrameSize);
  const std::size_t start = out.size();
  return {start, out.extend(kFrameHeaderSize + max_payload).subspan(kFrameHeaderSize)};
}

void end_data(StreamId stream, const DataInPlace& frame, std::size_t length, bool end_stream, Output& out) {
  assert(!stream.is_connection() && length <= frame.payload.size());
  assert(out.size() == frame.start + kFrameHeaderSize + frame.payload.size());
  out.truncate(frame.start + kFrameHeaderSize + length);
  const FrameHeader header{static_cast<std::uint32_t>(length), FrameType::data,
                           end_stream ? kEndStream : std::uint8_t{0}, stream};
  encode_frame_header(header, out.at(frame.start, kFrameHeaderSize).data());
}

void cancel_data(const DataInPlace& frame, Output& out) noexcept {
  assert(out.size() == frame.start + kFrameHeaderSize + frame.payload.size());
  out.truncate(frame.start);
}

void write_headers(StreamId stream, const HeadersFrame& frame, Output& out) {
  assert(!stream.is_connection());
  std::uint8_t flags = 0;
  if (frame.end_stream) flags |= kEndStream;
  if (frame.end_headers) flags |= kEndHeaders;
  if (frame.priority) flags |= kPriority;
  const std::size_t inner = (frame.priority ? 5U : 0U) + frame.fragment.size();
  write_padded_header(FrameType::headers, flags, stream, inner, frame.pad_length, out);
  if (frame.priority) write_priority_fields(*frame.priority, out);
  out.put(frame.fragment);
  write_padding(frame.pad_length, out);
}

void write_priority(StreamId stream, const PriorityFrame& frame, Output& out) {
  assert(!stream.is_connection());
  write_frame_header(FrameHeader{5, FrameType::priority, 0, stream}, out);
  write_priority_fields(frame.priority, out);
}

void write_rst_stream(StreamId stream, ErrorCode code, Output& out) {
  assert(!stream.is_connection());
  write_frame_header(FrameHeader{4, FrameType::rst_stream, 0, stream}, out);
  out.put_u32(static_cast<std::uint32_t>(code));
}

void write_settings(std::span<const Setting> settings, Output& out) {
  const std::size_t length = settings.size() * SettingsList::kEntrySize;
  assert(length <= kMaxAllowedFrameSize);
  write_frame_header(FrameHeader{static_cast<std::uint32_t>(length), FrameType::settings, 0, StreamId()}, out);
  for (const Setting& s : settings) {
    out.put_u16(static_cast<std::uint16_t>(s.id));
    out.put_u32(s.value);
  }
}

void write_settings_ack(Output& out) { write_frame_header(FrameHeader{0, FrameType::settings, kAck, StreamId()}, out); }

void write_push_promise(StreamId stream, const PushPromiseFrame& frame, Output& out) {
  assert(!stream.is_connection() && frame.promised_stream_id.is_server_initiated());
  write_padded_header(FrameType::push_promise, frame.end_headers ? kEndHeaders : std::uint8_t{0}, stream,
                      4 + frame.fragment.size(), frame.pad_length, out);
  out.put_u32(frame.promised_stream_id.value());
  out.put(frame.fragment);
  write_padding(frame.pad_length, out);
}

void write_ping(const PingFrame& frame, Output& out) {
  write_frame_header(FrameHeader{8, FrameType::ping, frame.ack ? kAck : std::uint8_t{0}, StreamId()}, out);
  out.put(frame.opaque_data);
}

void write_goaway(const GoawayFrame& frame, Output& out) {
  const std::size_t length = 8 + frame.debug_data.size();
  assert(length <= kMaxAllowedFrameSize);
  write_frame_header(FrameHeader{static_cast<std::uint32_t>(length), FrameType::goaway, 0, StreamId()}, out);
  out.put_u32(frame.last_stream_id.value());
  out.put_u32(static_cast<std::uint32_t>(frame.error_code));
  out.put(frame.debug_data);
}

void write_window_update(StreamId stream, std::uint32_t increment, Output& out) {
  assert(increment >= 1 && increment <= kMaxWindowIncrement);
  write_frame_header(FrameHeader{4, FrameType::window_update, 0, stream}, out);
  out.put_u32(increment);
}

void write_continuation(StreamId stream, const ContinuationFrame& frame, Output& out) {
  assert(!stream.is_connection() && frame.fragment.size() <= kMaxAllowedFrameSize);
  write_frame_header(FrameHeader{static_cast<std::uint32_t>(frame.fragment.size()), FrameType::continuation,
                                 frame.end_headers ? kEndHeaders : std::uint8_t{0}, stream},
                     out);
  out.put(frame.fragment);
}

void write_priority_update(const PriorityUpdateFrame& frame, Output& out) {
  assert(!frame.prioritized_stream_id.is_connection());
  const std::size_t length = 4 + frame.field_value.size();
  assert(length <= kMaxAllowedFrameSize);
  write_frame_header(FrameHeader{static_cast<std::uint32_t>(length), FrameType::priority_update, 0, StreamId()}, out);
  out.put_u32(frame.prioritized_stream_id.value());
  out.put(std::as_bytes(std::span(frame.field_value)));
}

}  // namespace h2push::http2
