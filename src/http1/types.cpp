// src/http1/types.cpp: names, statuses and reason phrases of the HTTP/1.1 core, and the HTTP/2 preface sniffer.
#include "h2push/http1/types.hpp"

#include <algorithm>
#include <cstring>

#include "h2push/http1/server_connection.hpp"

namespace h2push::http1 {

std::string_view to_string(ParseError error) noexcept {
  switch (error) {
    case ParseError::malformed_request_line:
      return "malformed request line";
    case ParseError::invalid_method:
      return "method is not a token";
    case ParseError::invalid_target:
      return "invalid request target";
    case ParseError::malformed_version:
      return "malformed HTTP version";
    case ParseError::too_many_empty_lines:
      return "too many empty lines before the request line";
    case ParseError::bare_cr:
      return "bare CR";
    case ParseError::bare_lf:
      return "bare LF line ending";
    case ParseError::nul_byte:
      return "NUL octet";
    case ParseError::whitespace_after_start_line:
      return "whitespace before the first field line";
    case ParseError::obs_fold:
      return "obsolete line folding";
    case ParseError::missing_colon:
      return "field line without colon";
    case ParseError::whitespace_before_colon:
      return "whitespace between field name and colon";
    case ParseError::invalid_field_name:
      return "invalid field name";
    case ParseError::invalid_field_value:
      return "invalid character in field value";
    case ParseError::missing_host:
      return "HTTP/1.1 request without Host";
    case ParseError::duplicate_host:
      return "several Host fields";
    case ParseError::invalid_host:
      return "invalid Host";
    case ParseError::invalid_content_length:
      return "invalid Content-Length";
    case ParseError::duplicate_content_length:
      return "several Content-Length values";
    case ParseError::content_length_with_transfer_encoding:
      return "Content-Length with Transfer-Encoding";
    case ParseError::transfer_encoding_in_http10:
      return "Transfer-Encoding in an HTTP/1.0 request";
    case ParseError::invalid_transfer_encoding:
      return "invalid Transfer-Encoding";
    case ParseError::chunked_not_final:
      return "final transfer coding is not chunked";
    case ParseError::chunked_twice:
      return "chunked applied more than once";
    case ParseError::invalid_chunk_size:
      return "invalid chunk size";
    case ParseError::chunk_size_overflow:
      return "chunk size too large";
    case ParseError::invalid_chunk_extension:
      return "invalid chunk extension";
    case ParseError::chunk_extension_too_long:
      return "chunk extension too long";
    case ParseError::missing_chunk_crlf:
      return "chunk data not followed by CRLF";
    case ParseError::body_too_large:
      return "body too large";
    case ParseError::request_line_too_long:
      return "request line too long";
    case ParseError::unsupported_expectation:
      return "unsupported expectation";
    case ParseError::field_line_too_long:
      return "field line too long";
    case ParseError::field_section_too_large:
      return "field section too large";
    case ParseError::too_many_fields:
      return "too many fields";
    case ParseError::trailer_section_too_large:
      return "trailer section too large";
    case ParseError::unsupported_transfer_coding:
      return "unsupported transfer coding";
    case ParseError::unsupported_version:
      return "unsupported HTTP version";
    case ParseError::timeout:
      return "request timeout";
    case ParseError::input_overflow:
      return "input held past the limit while parsing was paused";
  }
  return "unknown parse error";
}

std::uint16_t status_for(ParseError error) noexcept {
  switch (error) {
    case ParseError::body_too_large:
      return 413;
    case ParseError::request_line_too_long:
      return 414;
    case ParseError::unsupported_expectation:
      return 417;
    case ParseError::field_line_too_long:
    case ParseError::field_section_too_large:
    case ParseError::too_many_fields:
    case ParseError::trailer_section_too_large:
      return 431;
    case ParseError::unsupported_transfer_coding:
      return 501;
    case ParseError::unsupported_version:
      return 505;
    case ParseError::timeout:
      return 408;
    case ParseError::input_overflow:
      return 0;
    default:
      return 400;
  }
}

std::string_view reason_phrase(std::uint16_t status) noexcept {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 103:
      return "Early Hints";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 203:
      return "Non-Authoritative Information";
    case 204:
      return "No Content";
    case 205:
      return "Reset Content";
    case 206:
      return "Partial Content";
    case 300:
      return "Multiple Choices";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 421:
      return "Misdirected Request";
    case 422:
      return "Unprocessable Content";
    case 426:
      return "Upgrade Required";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "";
  }
}

std::string_view to_string(Errc errc) noexcept {
  switch (errc) {
    case Errc::unknown_request:
      return "unknown request";
    case Errc::invalid_state:
      return "invalid state";
    case Errc::invalid_headers:
      return "invalid headers";
    case Errc::content_length_mismatch:
      return "body does not match content-length";
    case Errc::http10_client:
      return "1xx response to an HTTP/1.0 client";
    case Errc::not_upgradable:
      return "not a valid h2c upgrade request";
    case Errc::connection_closed:
      return "connection closed";
  }
  return "unknown error";
}

PrefaceMatch match_http2_preface(std::span<const std::byte> first_bytes) noexcept {
  // RFC 9113 §3.4: the client connection preface starts with these 24 octets.
  constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  const std::size_t n = std::min(first_bytes.size(), kPreface.size());
  if (n > 0 && std::memcmp(first_bytes.data(), kPreface.data(), n) != 0) return PrefaceMatch::mismatch;
  return n == kPreface.size() ? PrefaceMatch::complete : PrefaceMatch::partial;
}

}  // namespace h2push::http1
