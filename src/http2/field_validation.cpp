// src/http2/field_validation.cpp
#include "http2/field_validation.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace h2push::http2::detail {
namespace {

// Names and values are checked eight octets at a time (SWAR): each test below maps a 64-bit word to one whose
// octets have their high bit set where the word has an octet of the class looked for, and 0 elsewhere. The tests
// are exact per octet (no carry or borrow crosses octets) unless said otherwise, and octets seen twice, as when
// words overlap, do no harm.
constexpr std::uint64_t kOnes = 0x0101010101010101;
constexpr std::uint64_t kHighBits = kOnes * 0x80;
constexpr std::uint64_t kLowBits = kOnes * 0x7f;

// Octets equal to 0x00.
constexpr std::uint64_t zero_octets(std::uint64_t w) noexcept { return ~(((w & kLowBits) + kLowBits) | w) & kHighBits; }

// §8.2.1: a name is lowercase and has no octet in 0x00-0x20, 0x41-0x5a ('A'-'Z'), 0x7f-0xff; a colon only starts
// a pseudo-header field's name (checked by the caller).
constexpr std::uint64_t invalid_name_octets(std::uint64_t w) noexcept {
  const std::uint64_t y = w & kLowBits;                                  // the low seven bits of each octet
  const std::uint64_t controls = ~(y + kOnes * 0x5f);                    // y < 0x21: 0x7f + 0x21 - 0x80 would carry
  const std::uint64_t del = y + kOnes;                                   // y == 0x7f
  const std::uint64_t upper = (y + kOnes * 0x3f) & ~(y + kOnes * 0x25);  // 0x41 <= y <= 0x5a
  return (w | controls | del | upper | zero_octets(w ^ (kOnes * ':'))) & kHighBits;
}

// Octets below 0x0e: a superset of NUL, CR and LF that takes three operations. The borrow of a flagged octet may
// flag the octets above it too, so this one is exact only as "some octet is below 0x0e" (which is all it is used
// for: values with such octets, a tab in the middle say, are rare and take the exact path).
constexpr std::uint64_t low_octets(std::uint64_t w) noexcept { return (w - kOnes * 0x0e) & ~w & kHighBits; }

// §8.2.1: a value has no NUL, CR or LF.
constexpr std::uint64_t invalid_value_octets(std::uint64_t w) noexcept {
  return zero_octets(w) | zero_octets(w ^ (kOnes * '\r')) | zero_octets(w ^ (kOnes * '\n'));
}

std::uint64_t load64(const char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// ORs `test` over words covering the `n` > 0 octets at `p`, reading none past them: full words, then a last word
// that may overlap the one before; fewer than 8 octets are gathered into one word, some of them repeated.
template <std::uint64_t (*test)(std::uint64_t)>
std::uint64_t any_octet(const char* p, std::size_t n) noexcept {
  if (n >= 8) {
    std::uint64_t found = 0;
    for (std::size_t i = 0; i + 8 < n; i += 8) found |= test(load64(p + i));
    return found | test(load64(p + n - 8));
  }
  std::uint64_t w;
  if (n >= 4) {
    std::uint32_t first, last;
    std::memcpy(&first, p, 4);
    std::memcpy(&last, p + n - 4, 4);
    w = first | (std::uint64_t{last} << 32);
  } else {
    const auto octet = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
    const std::uint64_t four = octet(0) | (octet(n / 2) << 8) | (octet(n - 1) << 16) | (octet(0) << 24);
    w = four | (four << 32);
  }
  return test(w);
}

bool valid_name(std::string_view name) noexcept {
  return !name.empty() && any_octet<invalid_name_octets>(name.data(), name.size()) == 0;
}

// §8.2.1: no NUL, CR or LF; no leading or trailing whitespace.
bool valid_value(std::string_view value) noexcept {
  const std::size_t n = value.size();
  if (n == 0) return true;
  if (any_octet<low_octets>(value.data(), n) != 0 && any_octet<invalid_value_octets>(value.data(), n) != 0) {
    return false;
  }
  const char first = value[0];
  const char last = value[n - 1];
  return first != ' ' && first != '\t' && last != ' ' && last != '\t';
}

// The regular field names the checks single out, found by length first (one comparison at most, usually none).
enum class Name : std::uint8_t { other, connection_specific, te, content_length, host, priority };

Name classify(std::string_view name) noexcept {
  switch (name.size()) {
    case 2:
      return name == "te" ? Name::te : Name::other;
    case 4:
      return name == "host" ? Name::host : Name::other;
    case 7:  // §8.2.2: the fields with connection-specific semantics never appear in HTTP/2
      return name == "upgrade" ? Name::connection_specific : Name::other;
    case 8:
      return name == "priority" ? Name::priority : Name::other;
    case 10:
      return name == "connection" || name == "keep-alive" ? Name::connection_specific : Name::other;
    case 14:
      return name == "content-length" ? Name::content_length : Name::other;
    case 16:
      return name == "proxy-connection" ? Name::connection_specific : Name::other;
    case 17:
      return name == "transfer-encoding" ? Name::connection_specific : Name::other;
    default:
      return Name::other;
  }
}

enum class Pseudo : std::uint8_t { unknown, method, scheme, path, authority, status };

Pseudo classify_pseudo(std::string_view name) noexcept {
  switch (name.size()) {
    case 5:
      return name == ":path" ? Pseudo::path : Pseudo::unknown;
    case 7:
      if (name == ":method") return Pseudo::method;
      if (name == ":scheme") return Pseudo::scheme;
      return name == ":status" ? Pseudo::status : Pseudo::unknown;
    case 10:
      return name == ":authority" ? Pseudo::authority : Pseudo::unknown;
    default:
      return Pseudo::unknown;
  }
}

// 1 to 19 decimal digits (so it fits in 64 bits), leading zeros allowed, nothing else.
std::optional<std::uint64_t> parse_decimal(std::string_view s) noexcept {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : s) {
    const auto digit = static_cast<unsigned>(static_cast<unsigned char>(c) - '0');
    if (digit > 9) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// What the pseudo-header fields of a section held.
struct Pseudos {
  bool method = false, scheme = false, path = false, authority = false, status = false;
  std::string_view path_value, authority_value;
};

// §8.3: one pseudo-header field, defined for the message's side and not repeated. Empty when valid.
std::string_view check_pseudo(const Header& f, bool request, Pseudos& seen, SectionInfo& info) noexcept {
  const Pseudo which = classify_pseudo(f.name);
  bool* flag = nullptr;
  if (request && which == Pseudo::method) {
    flag = &seen.method;
    info.method = f.value;
  } else if (request && which == Pseudo::scheme) {
    flag = &seen.scheme;
  } else if (request && which == Pseudo::path) {
    flag = &seen.path;
    seen.path_value = f.value;
  } else if (request && which == Pseudo::authority) {
    flag = &seen.authority;
    seen.authority_value = f.value;
  } else if (!request && which == Pseudo::status) {
    flag = &seen.status;
    const auto code = parse_decimal(f.value);
    if (f.value.size() != 3 || !code || *code < 100 || *code > 599) return "invalid :status";
    info.status = static_cast<int>(*code);
  } else {
    return "unknown or misplaced pseudo-header field";
  }
  if (*flag) return "repeated pseudo-header field";
  *flag = true;
  return {};
}

// §8.3.1, §8.4, §8.5: what a request section needs once all its fields are seen. Empty when valid.
std::string_view check_request_end(const Pseudos& seen, bool has_host, std::string_view host, SectionKind kind,
                                   const SectionInfo& info) noexcept {
  if (!seen.method) return "missing :method";
  if (info.method == "CONNECT") {
    // §8.5: :method and :authority only.
    if (seen.scheme || seen.path || !seen.authority) return "malformed CONNECT request";
  } else {
    // §8.3.1
    if (!seen.scheme || !seen.path) return "missing :scheme or :path";
    if (seen.path_value.empty()) return "empty :path";
  }
  if (seen.authority && seen.authority_value.find('@') != std::string_view::npos) return ":authority with userinfo";
  // An empty Host differs from a non-empty :authority too (found by fuzz/h2_client_fuzz.cpp).
  if (seen.authority && has_host && host != seen.authority_value) return "host differs from :authority";
  if (kind == SectionKind::push_request) {
    // §8.4: a promised request is safe, cacheable and has no content.
    if (info.method != "GET" && info.method != "HEAD") return "promised request is not GET or HEAD";
    if (!seen.authority) return "promised request without :authority";
    if (info.content_length && *info.content_length != 0) return "promised request with content";
  }
  return {};
}

}  // namespace

SectionInfo check_section(std::span<const Header> fields, SectionKind kind) noexcept {
  SectionInfo info;
  const bool request = kind == SectionKind::request || kind == SectionKind::push_request;
  bool regular_seen = false;
  bool has_host = false;
  Pseudos seen;
  std::string_view host;
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
      if (const std::string_view why = check_pseudo(f, request, seen, info); !why.empty()) return fail(why);
      continue;
    }
    regular_seen = true;
    if (!valid_name(f.name)) return fail("invalid field name");
    switch (classify(f.name)) {
      case Name::other:
        break;
      case Name::connection_specific:
        return fail("connection-specific field");
      case Name::te:
        if (!request || f.value != "trailers") return fail("te other than trailers");  // §8.2.2
        break;
      case Name::content_length: {
        const auto length = parse_decimal(f.value);
        if (!length) return fail("invalid content-length");
        if (info.content_length && *info.content_length != *length) return fail("conflicting content-length");
        info.content_length = length;
        break;
      }
      case Name::host:
        host = f.value;
        has_host = true;
        break;
      case Name::priority:
        if (request) info.priority = parse_priority(f.value, info.priority.value_or(Priority{}));
        break;
    }
  }
  if (kind == SectionKind::trailers) return info;
  if (!request) {
    if (!seen.status) return fail("missing :status");                     // §8.3.2
    if (info.status == 101) return fail("101 does not exist in HTTP/2");  // §8.6
    return info;
  }
  if (const std::string_view why = check_request_end(seen, has_host, host, kind, info); !why.empty()) return fail(why);
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
