// include/h2push/http1/events.hpp: what a ServerConnection reports after receive(): small records in a variant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>

#include "h2push/http1/types.hpp"

namespace h2push::http1 {

// Spans in events stay valid until the next receive() or read_timeout(). Body data points into the input given to
// receive() (keep it until its events are handled) or into input the connection held back.

// A request head, validated (RFC 9112 §3-§6). Answer it with submit_response(); responses leave in request order.
struct RequestReceived {
  RequestId request;
  Version version = Version::http_1_1;
  std::string_view method;          // case-sensitive token, e.g. "GET"
  std::string_view target;          // as sent: origin-form "/a?b", absolute-form, authority-form (CONNECT) or "*"
  std::span<const Header> headers;  // in order, names lowercased, values without surrounding whitespace
  bool end_stream = false;          // no body follows (no DataReceived for this request)
  std::optional<std::uint64_t> content_length;  // the body is Content-Length framed (chunked: nullopt)
  bool keep_alive = false;                      // the client lets the connection persist after this exchange
  // HTTP/1.1 `Expect: 100-continue` with a body: the client may wait for 100 Continue before sending it. Call
  // accept_body() to read it, or answer with a final response right away (the connection then closes after it).
  bool expects_continue = false;
  // A valid h2c upgrade request (RFC 7540 §3.2, CONFORMANCE UP-3.2-01/02): HTTP/1.1, no body, `Upgrade` lists h2c,
  // `Connection` lists Upgrade and HTTP2-Settings, exactly one HTTP2-Settings that decodes as base64url (no `=`)
  // to a whole number of SETTINGS entries. Reading stops until the application calls accept_h2c_upgrade() or
  // answers over HTTP/1.1 with submit_response().
  bool h2c_upgrade = false;
  std::span<const std::byte> http2_settings;  // the decoded SETTINGS payload when h2c_upgrade
};

// Body octets of `request`. The body ends with end_stream (data may then be empty) or with TrailersReceived.
struct DataReceived {
  RequestId request;
  std::span<const std::byte> data;
  bool end_stream = false;
};

// The trailer section of a chunked body; it ends the body.
struct TrailersReceived {
  RequestId request;
  std::span<const Header> headers;
};

// The peer broke the protocol (or read_timeout() fired). Unless `status` is 0 the core answers `request` with
// `status` and `connection: close`, in order after the responses before it; reading stops and the connection
// closes once that is written.
// body_aborted: the error hit the body of `request`, which was reported by RequestReceived. If the application
// had already submitted its response, that response is written instead of the error and the connection closes
// after it; otherwise further submits for `request` fail with Errc::invalid_state.
// !body_aborted: `request` is a new id for a request that was never reported.
struct ProtocolError {
  RequestId request;
  std::uint16_t status = 400;
  ParseError error = ParseError::malformed_request_line;
  bool body_aborted = false;
};

using Event = std::variant<RequestReceived, DataReceived, TrailersReceived, ProtocolError>;

}  // namespace h2push::http1
