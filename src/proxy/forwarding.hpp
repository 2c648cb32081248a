// src/proxy/forwarding.hpp: what a reverse proxy changes in the messages it forwards: hop-by-hop fields removed
// (RFC 9110 §7.6.1), `Via` (§7.6.3), `X-Forwarded-For/-Proto/-Host` and `Forwarded` (RFC 7239) added, and upstream
// failures mapped to the status the client gets. Pure functions over lowercase-named fields.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "h2push/hpack/types.hpp"

namespace h2push::proxy {

using Fields = std::vector<std::pair<std::string, std::string>>;

// The value of the first field named `name` (lowercase), empty when there is none.
std::string_view field_value(std::span<const hpack::Header> fields, std::string_view name) noexcept;
// Every field line named `name` joined with ", " (RFC 9110 §5.3), e.g. all of a response's Cache-Control.
std::string joined_values(std::span<const hpack::Header> fields, std::string_view name);
// The Content-Length of a message, 0 when absent or not a number.
std::uint64_t content_length_value(std::span<const hpack::Header> fields) noexcept;

// True for a field that belongs to one connection, not to the message: Connection and every field it names,
// Keep-Alive, Transfer-Encoding, Upgrade, HTTP2-Settings, Proxy-* (Proxy-Connection, Proxy-Authorization, ...), and
// TE unless its value is exactly "trailers". `connection_values`: the values of the message's Connection fields.
bool is_hop_by_hop(std::string_view name, std::string_view value,
                   std::span<const std::string_view> connection_values) noexcept;

// The fields of a message without its hop-by-hop ones; names lowercase as given. Host is dropped too when
// `drop_host` (the proxy writes the upstream request's Host itself).
Fields end_to_end_fields(std::span<const hpack::Header> fields, bool drop_host = false);

// The fields of a trailer section that may be forwarded (either direction): pseudo-header fields, hop-by-hop ones
// and those RFC 9110 §6.5.1 says cannot be trailers are dropped: framing (Content-Length, Transfer-Encoding,
// Trailer), routing (Host, Max-Forwards), request modifiers (TE, Expect, Range, If-*, Cache-Control),
// authentication (Authorization, WWW-/Proxy-Authenticate, Cookie, Set-Cookie), response control (Age, Date,
// Expires, Location, Retry-After, Vary), Content-Encoding, Content-Type and Content-Range. Names lowercase.
Fields forwardable_trailers(std::span<const hpack::Header> fields);

// What the proxy knows about the client side of a request.
struct ClientSide {
  std::string_view address;   // the peer's IP address ("192.0.2.1", "2001:db8::1")
  std::string_view scheme;    // "http" or "https"
  std::string_view host;      // the request's :authority or Host
  std::string_view protocol;  // "HTTP/1.1", "HTTP/2.0" (as Protocol's to_string() writes it)
};

// `Via` value for one hop: "1.1 h2push", "2 h2push" (RFC 9110 §7.6.3: the protocol version received).
std::string via_value(std::string_view protocol);

// One RFC 7239 forwarded-element: for=192.0.2.1;host=example.com;proto=https, quoting values that are not tokens
// (IPv6 addresses become "[2001:db8::1]" in quotes, §6).
std::string forwarded_element(const ClientSide& client);

// The upstream request's fields from the client's: end-to-end fields (Host dropped), then Via, X-Forwarded-For
// (appended to the client's), X-Forwarded-Proto, X-Forwarded-Host (replacing the client's) and Forwarded
// (appended to the client's).
Fields upstream_request_fields(std::span<const hpack::Header> client_fields, const ClientSide& client);

// The response fields for the client from the upstream's: end-to-end fields, then Via appended.
Fields client_response_fields(std::span<const hpack::Header> upstream_fields, std::string_view upstream_protocol);

// How an upstream exchange can fail.
enum class UpstreamError : std::uint8_t {
  connect_refused,   // connection refused, unreachable, name not resolved
  connect_timeout,   // no connection within the route's connect timeout
  response_timeout,  // no response head within the route's response timeout
  reset,             // the connection closed or was reset before the response was complete
  malformed,         // garbage: a bad status line, bad framing, an invalid field
  too_large,         // the response head is over the limit
  tls_failed,        // https:// upstream: the TLS handshake failed (certificate refused, not TLS, closed)
};
std::string_view to_string(UpstreamError error) noexcept;

// The status the client gets when no response head was forwarded yet: 504 for timeouts, 502 for everything else.
// Once the head is out, a failure can only cut the body (HTTP/2 RST_STREAM, HTTP/1.1 close).
int status_for(UpstreamError error) noexcept;

}  // namespace h2push::proxy
