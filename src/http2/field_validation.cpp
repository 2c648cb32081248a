// src/http2/field_validation.cpp
#include "http2/field_validation.hpp"

#include <charconv>

namespace h2push::http2::detail {
namespace {

// §8.2.1: lowercase tokens; a leading colon only for pseudo-header fields (checked by the caller).
bool valid_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || (u >= 'A' && u <= 'Z') || u == ':') return false;
  }
  return true;
}

// §8.2.1: no NUL, CR or LF; no leading or trailing whitespace.
bool valid_value(std::string_view value) noexcept {
  for (const char c : value) {
    if (c == '\0' || c == '\r' || c == '\n') return false;
  }
  if (!value.empty()) {
    const char first = value.front();
    const char last = value.back();
    if (first == ' ' || first == '\t' || last == ' ' || last == '\t') return false;
  }
  return true;
}

// §8.2.2: fields with connection-specific semantics never appear in HTTP/2.
bool connection_specific(std::string_view name) noexcept {
  return name == "connection" || name == "proxy-connection" || name == "keep-alive" || name == "transfer-encoding" ||
         name == "upgrade";
}

std::optional<std::uint64_t> parse_decimal(std::string_view s) noexcept {
  std::uint64_t v = 0;
  if (s.empty() || s.size() > 19) return std::nullopt;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

SectionInfo check_section(std::span<const Header> fields, SectionKind kind) noexcept {
  SectionInfo info;
  const bool request = kind == SectionKind::request || kind == SectionKind::push_request;
  bool regular_seen = false;
  bool has_method = false, has_scheme = false, has_path = false, has_authority = false, has_status = false;
  bool has_host = false;
  std::string_view path, authority, host;
  auto fail = [&info](std::string_view why) {
    info.error = why;
    return info;
  };
  for (const Header& f : fields) {
    if (!valid_value(f.value)) return fail("invalid field value");
    if (!f.name.empty() && f.name.front() == ':') {
      // §8.3: pseudo-header fields come first, once each, and only those defined for the message's side.
      if (regular_seen) return fail("pseudo-header field after a regular field");
      if (kind == SectionKind::trailers) return fail("pseudo-header field in trailers");
      const std::string_view n = f.name;
      bool* seen = nullptr;
      if (request && n == ":method") {
        seen = &has_method;
        info.method = f.value;
      } else if (request && n == ":scheme") {
        seen = &has_scheme;
      } else if (request && n == ":path") {
        seen = &has_path;
        path = f.value;
      } else if (request && n == ":authority") {
        seen = &has_authority;
        authority = f.value;
      } else if (!request && n == ":status") {
        seen = &has_status;
        const auto code = parse_decimal(f.value);
        if (f.value.size() != 3 || !code || *code < 100 || *code > 599) return fail("invalid :status");
        info.status = static_cast<int>(*code);
      } else {
        return fail("unknown or misplaced pseudo-header field");
      }
      if (*seen) return fail("repeated pseudo-header field");
      *seen = true;
      continue;
    }
    regular_seen = true;
    if (!valid_name(f.name)) return fail("invalid field name");
    if (connection_specific(f.name)) return fail("connection-specific field");
    if (f.name == "te") {
      if (!request || f.value != "trailers") return fail("te other than trailers");  // §8.2.2
    } else if (f.name == "content-length") {
      const auto length = parse_decimal(f.value);
      if (!length) return fail("invalid content-length");
      if (info.content_length && *info.content_length != *length) return fail("conflicting content-length");
      info.content_length = length;
    } else if (f.name == "host") {
      host = f.value;
      has_host = true;
    } else if (f.name == "priority" && request) {
      info.priority = parse_priority(f.value, info.priority.value_or(Priority{}));
    }
  }
  if (kind == SectionKind::trailers) return info;
  if (!request) {
    if (!has_status) return fail("missing :status");                      // §8.3.2
    if (info.status == 101) return fail("101 does not exist in HTTP/2");  // §8.6
    return info;
  }
  if (!has_method) return fail("missing :method");
  if (info.method == "CONNECT") {
    // §8.5: :method and :authority only.
    if (has_scheme || has_path || !has_authority) return fail("malformed CONNECT request");
  } else {
    // §8.3.1
    if (!has_scheme || !has_path) return fail("missing :scheme or :path");
    if (path.empty()) return fail("empty :path");
  }
  if (has_authority && authority.find('@') != std::string_view::npos) return fail(":authority with userinfo");
  // An empty Host differs from a non-empty :authority too (found by fuzz/h2_client_fuzz.cpp).
  if (has_authority && has_host && host != authority) return fail("host differs from :authority");
  if (kind == SectionKind::push_request) {
    // §8.4: a promised request is safe, cacheable and has no content.
    if (info.method != "GET" && info.method != "HEAD") return fail("promised request is not GET or HEAD");
    if (!has_authority) return fail("promised request without :authority");
    if (info.content_length && *info.content_length != 0) return fail("promised request with content");
  }
  return info;
}

Priority parse_priority(std::string_view value, Priority base) noexcept {
  Priority p = base;
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string_view member = trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    const std::size_t semicolon = member.find(';');  // parameters are ignored
    member = trim(member.substr(0, semicolon));
    const std::size_t eq = member.find('=');
    const std::string_view key = trim(member.substr(0, eq));
    const std::string_view v = eq == std::string_view::npos ? std::string_view{} : trim(member.substr(eq + 1));
    if (key == "u") {
      if (v.size() == 1 && v[0] >= '0' && v[0] <= '7') p.urgency = static_cast<std::uint8_t>(v[0] - '0');
    } else if (key == "i") {
      if (eq == std::string_view::npos || v == "?1") {
        p.incremental = true;
      } else if (v == "?0") {
        p.incremental = false;
      }
    }
  }
  return p;
}

}  // namespace h2push::http2::detail
