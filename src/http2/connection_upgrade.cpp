// src/http2/connection_upgrade.cpp: the client side of the h2c upgrade (RFC 7540 §3.2); the server side is
// Connection::accept_h2c_upgrade() in connection.cpp.
#include "h2push/http2/connection.hpp"
#include "http2/connection_state.hpp"

namespace h2push::http2 {

std::vector<std::byte> Connection::h2c_settings_payload() const {
  const detail::ConnectionState& c = *state_;
  // The preface queued at construction: the client magic, then our SETTINGS frame (connection.cpp,
  // queue_preface()). Its payload is what HTTP2-Settings carries (RFC 7540 §3.2.1).
  const std::span<const std::byte> out = c.out.bytes();
  const std::size_t at = kClientPreface.size();
  if (c.role != Role::client || c.out_sent != 0 || out.size() < at + kFrameHeaderSize) return {};
  const FrameHeader header = parse_frame_header(out.subspan(at).first<kFrameHeaderSize>());
  if (header.type != FrameType::settings || out.size() < at + kFrameHeaderSize + header.length) return {};
  const auto payload = out.subspan(at + kFrameHeaderSize, header.length);
  return {payload.begin(), payload.end()};
}

Result<StreamId, Errc> Connection::start_h2c_upgrade(bool head_request) {
  detail::ConnectionState& c = *state_;
  if (c.role != Role::client) return Unexpected{Errc::wrong_role};
  if (c.received_any || c.last_local_stream != 0 || c.failed) return Unexpected{Errc::invalid_state};
  // RFC 7540 §3.2: the request sent before the upgrade is stream 1, half-closed (local) for the client; the
  // server's response to it arrives on stream 1 after its preface.
  const StreamId id(1);
  detail::Stream& s = c.create_stream(id);
  s.state = detail::StreamState::half_closed_local;
  s.sent_request_head = head_request;
  s.final_headers_sent = true;
  s.end_submitted = true;
  s.end_sent = true;
  c.set_active(s, true);
  c.last_local_stream = 1;
  return id;
}

}  // namespace h2push::http2
