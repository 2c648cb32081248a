// src/http1/request_semantics.cpp
#include "http1/request_semantics.hpp"

#include "http1/chars.hpp"

namespace h2push::http1::detail {
namespace {

bool is_unreserved_or_sub_delim(char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  constexpr std::string_view kOthers = "-._~!$&'()*+,;=";  // unreserved, then sub-delims (RFC 3986 §2)
  return kOthers.find(c) != std::string_view::npos;
}

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// Transfer-Encoding over every line, in order (RFC 9112 §6.1, §7): `chunked` exactly once, last, without
// parameters. Codings before it are well-formed but unsupported (501).
Result<BodyFraming, ParseError> analyze_transfer_encoding(std::span<const Header> headers) {
  std::size_t members = 0;
  std::size_t chunked = 0;
  bool chunked_last = false;
  bool other_coding = false;
  bool malformed = false;
  for (const Header& h : headers) {
    if (h.name != "transfer-encoding") continue;
    for_each_list_member(h.value, [&](std::string_view member) {
      ++members;
      const std::size_t semi = member.find(';');
      const std::string_view coding = trim_ows(member.substr(0, semi));
      if (!is_token(coding)) malformed = true;
      chunked_last = iequals(coding, "chunked");
      if (chunked_last) {
        ++chunked;
        if (semi != std::string_view::npos) malformed = true;
      } else {
        other_coding = true;
      }
    });
  }
  if (malformed || members == 0) return Unexpected{ParseError::invalid_transfer_encoding};
  if (chunked > 1) return Unexpected{ParseError::chunked_twice};
  if (!chunked_last) return Unexpected{ParseError::chunked_not_final};
  if (other_coding) return Unexpected{ParseError::unsupported_transfer_coding};
  return BodyFraming::chunked;
}

struct ConnectionOptions {
  bool close = false;
  bool keep_alive = false;
  bool upgrade = false;
  bool http2_settings = false;
};

ConnectionOptions connection_options(std::span<const Header> headers) {
  ConnectionOptions o;
  for (const Header& h : headers) {
    if (h.name != "connection") continue;
    for_each_list_member(h.value, [&](std::string_view token) {
      if (iequals(token, "close")) o.close = true;
      if (iequals(token, "keep-alive")) o.keep_alive = true;
      if (iequals(token, "upgrade")) o.upgrade = true;
      if (iequals(token, "http2-settings")) o.http2_settings = true;
    });
  }
  return o;
}

// RFC 7540 §3.2 (CONFORMANCE UP-3.2-01/02): Upgrade lists h2c (an "h2" token means TLS and is ignored), Connection
// lists Upgrade and HTTP2-Settings, exactly one HTTP2-Settings decoding to whole SETTINGS entries.
bool is_h2c_upgrade(std::span<const Header> headers, const ConnectionOptions& conn, std::vector<std::byte>& settings) {
  if (!conn.upgrade || !conn.http2_settings) return false;
  bool h2c = false;
  const Header* settings_field = nullptr;
  for (const Header& h : headers) {
    if (h.name == "upgrade") {
      for_each_list_member(h.value, [&](std::string_view protocol) { h2c = h2c || iequals(protocol, "h2c"); });
    } else if (h.name == "http2-settings") {
      if (settings_field != nullptr) return false;
      settings_field = &h;
    }
  }
  if (!h2c || settings_field == nullptr) return false;
  constexpr std::size_t kSettingSize = 6;  // RFC 9113 §6.5.1: identifier (16 bits) + value (32 bits)
  if (!decode_base64url(settings_field->value, settings) || settings.size() % kSettingSize != 0) {
    settings.clear();
    return false;
  }
  return true;
}

}  // namespace

bool valid_host(std::string_view host) {
  if (host.empty()) return true;  // RFC 9112 §3.2: empty when the target has no authority
  std::string_view port;
  if (host.front() == '[') {  // IP-literal
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : host.substr(1, close - 1)) {
      if (hex_value(c) < 0 && c != ':' && c != '.' && !is_unreserved_or_sub_delim(c) && c != '%') return false;
    }
    const std::string_view rest = host.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    return all_digits(rest.substr(1));
  }
  const std::size_t colon = host.find(':');
  if (colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
    if (!all_digits(port)) return false;  // also refuses a second ':'
  }
  for (std::size_t i = 0; i < host.size(); ++i) {
    const char c = host[i];
    if (c == '%') {  // pct-encoded
      if (i + 2 >= host.size() || hex_value(host[i + 1]) < 0 || hex_value(host[i + 2]) < 0) return false;
      i += 2;
    } else if (!is_unreserved_or_sub_delim(c)) {
      return false;
    }
  }
  return true;
}

bool decode_base64url(std::string_view text, std::vector<std::byte>& out) {
  out.clear();
  if (text.size() % 4 == 1) return false;  // 6 bits cannot end a byte
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '-') v = 62;
    if (c == '_') v = 63;
    if (v < 0) return false;  // '=', '+', '/', whitespace
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::byte>((acc >> bits) & 0xffu));
    }
  }
  // RFC 4648 §3.5: the leftover pad bits must be zero in canonical encoding.
  return (acc & ((1u << bits) - 1u)) == 0;
}

Result<RequestInfo, ParseError> analyze_request(const RequestLine& line, std::span<const Header> headers,
                                                std::uint64_t max_body_size, std::vector<std::byte>& settings) {
  settings.clear();
  RequestInfo info;
  const bool http11 = line.version == Version::http_1_1;

  std::size_t hosts = 0;
  std::size_t lengths = 0;
  bool has_te = false;
  const Header* host = nullptr;
  const Header* length = nullptr;
  for (const Header& h : headers) {
    if (h.name == "host") {
      ++hosts;
      host = &h;
    } else if (h.name == "content-length") {
      ++lengths;
      length = &h;
    } else if (h.name == "transfer-encoding") {
      has_te = true;
    }
  }

  // Framing first: these are the smuggling vectors (RFC 9112 §6.1, §6.3; SECURITY.md §11).
  if (has_te) {
    if (lengths > 0) return Unexpected{ParseError::content_length_with_transfer_encoding};
    if (!http11) return Unexpected{ParseError::transfer_encoding_in_http10};
    auto framing = analyze_transfer_encoding(headers);
    if (!framing) return Unexpected{framing.error()};
    info.framing = *framing;
  } else if (lengths > 0) {
    // RFC 9110 §8.6 lets a recipient fold identical duplicates ("5, 5"); we refuse any duplicate.
    if (lengths > 1 || length->value.find(',') != std::string_view::npos) {
      return Unexpected{ParseError::duplicate_content_length};
    }
    std::uint64_t n = 0;
    if (!parse_decimal(length->value, n)) return Unexpected{ParseError::invalid_content_length};
    if (n > max_body_size) return Unexpected{ParseError::body_too_large};
    if (n > 0) {
      info.framing = BodyFraming::content_length;
      info.content_length = n;
    }
  }

  // RFC 9112 §3.2 (CONFORMANCE H1-3.2-01): HTTP/1.1 needs exactly one valid Host; HTTP/1.0 at most one.
  if (hosts > 1) return Unexpected{ParseError::duplicate_host};
  if (hosts == 0 && http11) return Unexpected{ParseError::missing_host};
  if (host != nullptr && !valid_host(host->value)) return Unexpected{ParseError::invalid_host};

  // RFC 9110 §10.1.1: 100-continue is the only expectation; an HTTP/1.0 request's Expect MUST be ignored.
  bool expect_continue = false;
  bool expect_other = false;
  if (http11) {
    for (const Header& h : headers) {
      if (h.name != "expect") continue;
      for_each_list_member(h.value, [&](std::string_view e) {
        if (iequals(e, "100-continue")) {
          expect_continue = true;
        } else {
          expect_other = true;
        }
      });
    }
  }
  if (expect_other) return Unexpected{ParseError::unsupported_expectation};
  info.expects_continue = expect_continue && info.framing != BodyFraming::none;

  // RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive".
  const ConnectionOptions conn = connection_options(headers);
  info.keep_alive = !conn.close && (http11 || conn.keep_alive);

  // SECURITY.md §11: an h2c upgrade only for a request without a body.
  if (http11 && info.framing == BodyFraming::none) info.h2c_upgrade = is_h2c_upgrade(headers, conn, settings);
  return info;
}

}  // namespace h2push::http1::detail
