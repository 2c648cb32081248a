// include/h2push/http1/types.hpp: vocabulary of the HTTP/1.1 core (RFC 9112): versions, request ids, and what can
// be wrong with a peer's message.
#pragma once

#include <compare>
#include <cstdint>
#include <string_view>

#include "h2push/hpack/types.hpp"

namespace h2push::http1 {

// The same field type as HTTP/2 so the server treats both protocols alike. Received names are lowercased.
using Header = hpack::Header;

enum class Version : std::uint8_t { http_1_0, http_1_1 };

// Requests on one connection are numbered from 0 in arrival order; their responses leave in that order.
struct RequestId {
  std::uint64_t value = 0;
  friend auto operator<=>(const RequestId&, const RequestId&) = default;
};

// What is wrong with a message the peer sent. The parser says what; status_for() gives the response status the
// server core sends for it (every one of them also closes the connection).
enum class ParseError : std::uint8_t {
  // 400 Bad Request: syntax (RFC 9112 §2-§5)
  malformed_request_line,       // §3: not exactly `method SP target SP version`
  invalid_method,               // §3.1: the method is not a token
  invalid_target,               // §3.2: characters or form not allowed (e.g. `*` without OPTIONS)
  malformed_version,            // §2.3: not `HTTP/` DIGIT `.` DIGIT
  too_many_empty_lines,         // §2.2: more empty lines before the request line than we skip
  bare_cr,                      // §2.2: a CR not followed by LF
  bare_lf,                      // §2.2: LF without CR (refused unless Options::accept_bare_lf; never in chunk framing)
  nul_byte,                     // a NUL octet in the head
  whitespace_after_start_line,  // §2.2: the first field line starts with whitespace
  obs_fold,                     // §5.2: a field line continued on the next line
  missing_colon,                // §5: a field line without `:`
  whitespace_before_colon,      // §5.1: MUST be rejected (request smuggling)
  invalid_field_name,           // §5.1: empty or not a token
  invalid_field_value,          // RFC 9110 §5.5: a control character in a value
  // 400 Bad Request: semantics (RFC 9112 §3.2, §6)
  missing_host,                           // §3.2: HTTP/1.1 without Host
  duplicate_host,                         // §3.2: more than one Host line
  invalid_host,                           // §3.2: not uri-host [ ":" port ]
  invalid_content_length,                 // RFC 9110 §8.6: not 1*DIGIT, or too large a number
  duplicate_content_length,               // several Content-Length lines or list members, even equal ones
  content_length_with_transfer_encoding,  // §6.1: both present (smuggling)
  transfer_encoding_in_http10,            // §6.1: framing an HTTP/1.0 request cannot have
  invalid_transfer_encoding,              // an empty list, a bad token, parameters on chunked
  chunked_not_final,                      // §6.3: the final coding is not chunked
  chunked_twice,                          // §7: chunked applied more than once
  // 400 Bad Request: chunked framing (RFC 9112 §7.1)
  invalid_chunk_size,        // not 1*HEXDIG
  chunk_size_overflow,       // more than 16 hex digits
  invalid_chunk_extension,   // a control character in a chunk extension
  chunk_extension_too_long,  // over Options::max_chunk_extension
  missing_chunk_crlf,        // chunk data not followed by CRLF
  // 413 Content Too Large
  body_too_large,  // over Options::max_body_size (Content-Length or the chunks so far)
  // 414 URI Too Long
  request_line_too_long,  // over Options::max_request_line
  // 417 Expectation Failed
  unsupported_expectation,  // RFC 9110 §10.1.1: Expect other than 100-continue
  // 431 Request Header Fields Too Large
  field_line_too_long,        // over Options::max_field_line
  field_section_too_large,    // over Options::max_field_section
  too_many_fields,            // over Options::max_fields
  trailer_section_too_large,  // over Options::max_trailer_section
  // 501 Not Implemented
  unsupported_transfer_coding,  // RFC 9112 §6.1: a coding other than chunked (gzip, ...)
  // 505 HTTP Version Not Supported
  unsupported_version,  // a well-formed version other than HTTP/1.0 and HTTP/1.1
  // 408 Request Timeout (ServerConnection::read_timeout())
  timeout,
  // No response (status 0): the caller fed more input than Options::max_buffered_input while reading was paused
  input_overflow,
};

// A short, stable description for logs.
std::string_view to_string(ParseError error) noexcept;
// The response status for `error`: 400, 408, 413, 414, 417, 431, 501, 505, or 0 for input_overflow.
std::uint16_t status_for(ParseError error) noexcept;
// The reason phrase written after `status` in a status line ("" for codes we do not know).
std::string_view reason_phrase(std::uint16_t status) noexcept;

}  // namespace h2push::http1
