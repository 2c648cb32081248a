// include/h2push/http2/events.hpp: what a Connection reports after receive(): small records in a std::variant.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

#include "h2push/hpack/types.hpp"
#include "h2push/http2/types.hpp"

namespace h2push::http2 {

using Header = hpack::Header;

// RFC 9218 §4: urgency 0 (highest) .. 7, default 3; incremental responses share bandwidth.
struct Priority {
  std::uint8_t urgency = 3;
  bool incremental = false;
  friend bool operator==(const Priority&, const Priority&) = default;
};

// Spans in events (headers, data, debug text) stay valid until the next receive() or advance() (see Connection).

// Server: a request's header section (END_STREAM set when it has no body).
struct RequestReceived {
  StreamId stream;
  std::span<const Header> headers;
  bool end_stream = false;
};
// Client: a 1xx response (e.g. 103 Early Hints); several may precede the final response (RFC 9113 §8.1).
struct InformationalReceived {
  StreamId stream;
  std::span<const Header> headers;
};
// Client: the final response's header section, on a request stream or a pushed stream.
struct ResponseReceived {
  StreamId stream;
  std::span<const Header> headers;
  bool end_stream = false;
};
// Either role: a trailer section (always ends the stream).
struct TrailersReceived {
  StreamId stream;
  std::span<const Header> headers;
};
// Either role: body octets. `flow_controlled_length` counts padding too (RFC 9113 §6.9); the core gives the padding
// back itself, the data part is given back by consume() (or at once with Options::auto_window_update).
struct DataReceived {
  StreamId stream;
  std::span<const std::byte> data;
  std::uint32_t flow_controlled_length = 0;
  bool end_stream = false;
};
// Either role: the stream was reset. by_peer: the peer sent RST_STREAM (or refused it through GOAWAY); otherwise
// the core reset it for a stream error of the peer's (and queued the RST_STREAM).
struct StreamReset {
  StreamId stream;
  ErrorCode code = ErrorCode::no_error;
  bool by_peer = false;
};
// Client: the server promised a push on `promised`, answering the request in `request`, related to `parent`.
// Refuse it with reset_stream(promised, ErrorCode::cancel).
struct PushPromised {
  StreamId parent;
  StreamId promised;
  std::span<const Header> request;
};
// Either role: the peer's SETTINGS were applied (and acknowledged).
struct SettingsReceived {};
// Either role: the peer acknowledged our SETTINGS, which now bind us.
struct SettingsAcknowledged {};
// Either role: the answer to our ping.
struct PingAcknowledged {
  std::array<std::byte, 8> opaque_data{};
};
// Either role: the peer is going away. Streams we opened above `last_stream` were not processed: they are reported
// as StreamReset{REFUSED_STREAM, by_peer} and may be retried on another connection (RFC 9113 §6.8).
struct GoawayReceived {
  StreamId last_stream;
  ErrorCode code = ErrorCode::no_error;
  std::string_view debug_data;
};
// Server: the client changed a stream's priority with PRIORITY_UPDATE (RFC 9218 §7.1).
struct PriorityUpdated {
  StreamId stream;
  Priority priority;
};
// Either role: a connection error. GOAWAY(code, detail) is queued; drain the output, then close the transport.
// by_peer: the peer's GOAWAY carried an error code (no GOAWAY of ours is queued then).
struct ConnectionFailed {
  ErrorCode code = ErrorCode::no_error;
  std::string_view detail;
  bool by_peer = false;
};

using Event = std::variant<RequestReceived, InformationalReceived, ResponseReceived, TrailersReceived, DataReceived,
                           StreamReset, PushPromised, SettingsReceived, SettingsAcknowledged, PingAcknowledged,
                           GoawayReceived, PriorityUpdated, ConnectionFailed>;

}  // namespace h2push::http2
