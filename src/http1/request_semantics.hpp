// src/http1/request_semantics.hpp: what a parsed request head means for the connection: body framing (RFC 9112
// §6), Host (§3.2), persistence (§9.3), Expect (RFC 9110 §10.1.1) and the h2c upgrade (RFC 7540 §3.2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "h2push/http1/types.hpp"
#include "h2push/result.hpp"
#include "http1/field_parser.hpp"

namespace h2push::http1::detail {

enum class BodyFraming : std::uint8_t { none, content_length, chunked };

struct RequestInfo {
  BodyFraming framing = BodyFraming::none;
  std::uint64_t content_length = 0;  // for BodyFraming::content_length (never 0: an empty body is `none`)
  bool keep_alive = false;
  bool expects_continue = false;
  bool h2c_upgrade = false;  // the HTTP2-Settings payload is in the `settings` argument of analyze_request()
};

// Applies RFC 9112/9110 to a valid request line and field list. Smuggling defences live here: Content-Length with
// Transfer-Encoding, duplicate Content-Length, a final coding other than chunked, Transfer-Encoding in HTTP/1.0.
// `settings` receives the decoded HTTP2-Settings of a valid h2c upgrade request (cleared first).
Result<RequestInfo, ParseError> analyze_request(const RequestLine& line, std::span<const Header> headers,
                                                std::uint64_t max_body_size, std::vector<std::byte>& settings);

// RFC 4648 §5 base64url without padding, as HTTP2-Settings uses (RFC 7540 §3.2.1). False for '=', other alphabets,
// an impossible length or non-zero trailing bits.
bool decode_base64url(std::string_view text, std::vector<std::byte>& out);

// RFC 9112 §3.2 / RFC 3986 §3.2.2: uri-host [ ":" port ]; an empty value is allowed.
bool valid_host(std::string_view host);

}  // namespace h2push::http1::detail
