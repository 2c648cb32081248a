// src/http1/field_parser.cpp
#include "http1/field_parser.hpp"

#include <cstddef>

#include "http1/chars.hpp"

namespace h2push::http1::detail {
namespace {

// RFC 9112 §3.2: origin-form, absolute-form, authority-form (CONNECT only) or asterisk-form (OPTIONS only). Octets
// are VCHAR without '#' (a fragment is never sent); finer URI checks belong to whoever resolves the target.
bool valid_target(std::string_view method, std::string_view target) {
  if (target.empty()) return false;
  for (char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '#') return false;
  }
  if (method == "CONNECT") {  // authority-form: host ":" port
    const std::size_t colon = target.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == target.size()) return false;
    if (target.find('/') != std::string_view::npos) return false;
    for (char c : target.substr(colon + 1)) {
      if (!is_digit(c)) return false;
    }
    return true;
  }
  if (target.front() == '/') return true;
  if (target == "*") return method == "OPTIONS";
  // absolute-form: scheme "://" authority path-abempty [ "?" query ], scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" /
  // "." ) (RFC 3986 §3.1). HTTP URIs always have an authority (RFC 9110 §4.2), so "//" is required.
  if (!is_alpha(target.front())) return false;
  for (std::size_t i = 1; i < target.size(); ++i) {
    const char c = target[i];
    if (c == ':') return target.substr(i + 1, 2) == "//" && i + 3 < target.size();
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return false;
}

Result<Version, ParseError> parse_version(std::string_view v) {
  // RFC 9112 §2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive.
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !is_digit(v[5]) || v[6] != '.' || !is_digit(v[7])) {
    return Unexpected{ParseError::malformed_version};
  }
  // RFC 9110 §2.5 / RFC 9112 §2.3: a higher minor version of a major version we implement (HTTP/1.2, 1.9) is
  // processed as the highest minor version we conform to, 1.1. Another major version (0.9, 2.0 such as the HTTP/2
  // preface, 3.x) is refused with 505 (RFC 9110 §15.6.6).
  if (v[5] == '1') return v[7] == '0' ? Version::http_1_0 : Version::http_1_1;
  return Unexpected{ParseError::unsupported_version};
}

}  // namespace

Result<RequestLine, ParseError> parse_request_line(std::string_view line) {
  // RFC 9112 §3: exactly one SP between the parts; we do not fall back to splitting on other whitespace.
  const std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return Unexpected{ParseError::malformed_request_line};
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Unexpected{ParseError::malformed_request_line};
  }
  RequestLine rl;
  rl.method = line.substr(0, sp1);
  rl.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (rl.target.empty() || version.empty()) return Unexpected{ParseError::malformed_request_line};
  if (!is_token(rl.method)) return Unexpected{ParseError::invalid_method};
  auto v = parse_version(version);
  if (!v) return Unexpected{v.error()};
  rl.version = *v;
  if (!valid_target(rl.method, rl.target)) return Unexpected{ParseError::invalid_target};
  return rl;
}

Result<std::string_view, ParseError> parse_section(std::string& text, bool has_start_line, std::vector<Header>& out) {
  std::string_view start_line;
  bool first_field = true;
  std::size_t pos = 0;
  bool expect_start = has_start_line;
  while (pos < text.size()) {
    std::size_t newline = text.find('\n', pos);
    if (newline == std::string::npos) newline = text.size();  // cannot happen for scanner output
    std::size_t end = newline;
    if (end > pos && text[end - 1] == '\r') --end;
    char* line = text.data() + pos;
    const std::size_t length = end - pos;
    pos = newline + 1;
    if (expect_start) {
      start_line = std::string_view(line, length);
      expect_start = false;
      continue;
    }
    if (length == 0) break;  // the empty line ending the section
    if (is_ows(line[0])) {
      // RFC 9112 §2.2 (whitespace before the first field) and §5.2 (obs-fold): reject, never unfold.
      return Unexpected{first_field && has_start_line ? ParseError::whitespace_after_start_line : ParseError::obs_fold};
    }
    first_field = false;
    const std::string_view view(line, length);
    const std::size_t colon = view.find(':');
    if (colon == std::string_view::npos) return Unexpected{ParseError::missing_colon};
    if (colon == 0) return Unexpected{ParseError::invalid_field_name};
    // RFC 9112 §5.1: no whitespace is allowed between the field name and colon; a server MUST reject it.
    if (is_ows(view[colon - 1])) return Unexpected{ParseError::whitespace_before_colon};
    for (std::size_t i = 0; i < colon; ++i) {
      if (!is_tchar(line[i])) return Unexpected{ParseError::invalid_field_name};
      line[i] = to_lower(line[i]);
    }
    const std::string_view value = trim_ows(view.substr(colon + 1));
    for (char c : value) {
      if (!is_field_value_char(c)) return Unexpected{ParseError::invalid_field_value};
    }
    out.push_back(Header{view.substr(0, colon), value, false});
  }
  return start_line;
}

}  // namespace h2push::http1::detail
