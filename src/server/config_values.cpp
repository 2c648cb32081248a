// src/server/config_values.cpp: the value syntax of the configuration (durations, sizes, addresses, enum names)
// and its formatting, shared by the TOML reader and the command line.
#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "server/config.hpp"
#include "server/config_schema.hpp"

namespace h2push::server {
namespace {

constexpr std::uint64_t kMaxMilliseconds = 1'000'000'000'000;  // about 31 years: far past any sane timeout

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Reads the decimal digits at the front of `text` into `value`; false on overflow. Advances `pos`.
bool read_number(std::string_view text, std::size_t& pos, std::uint64_t& value) {
  const std::size_t start = pos;
  while (pos < text.size() && is_digit(text[pos])) ++pos;
  const auto [end, ec] = std::from_chars(text.data() + start, text.data() + pos, value);
  (void)end;
  return ec == std::errc{};
}

bool valid_ipv4(const std::string& host) {
  in_addr address{};
  return inet_pton(AF_INET, host.c_str(), &address) == 1;
}

bool valid_ipv6(const std::string& host) {
  in6_addr address{};
  return inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 63 octets each, 253 in all.
bool valid_hostname(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i <= host.size(); ++i) {
    if (i == host.size() || host[i] == '.') {
      if (label == 0 || label > 63 || host[i - 1] == '-' || host[i - label] == '-') return false;
      label = 0;
    } else if (is_alpha(host[i]) || is_digit(host[i]) || host[i] == '-') {
      ++label;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<std::chrono::milliseconds, std::string> parse_duration(std::string_view text) {
  if (text.empty()) return Unexpected<std::string>{"empty duration"};
  std::uint64_t total = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (!is_digit(text[pos]))
      return Unexpected<std::string>{"expected a number at \"" + std::string(text.substr(pos)) + "\""};
    std::uint64_t number = 0;
    if (!read_number(text, pos, number)) return Unexpected<std::string>{"number too large"};
    const std::size_t unit_start = pos;
    while (pos < text.size() && !is_digit(text[pos])) ++pos;
    const std::string_view unit = text.substr(unit_start, pos - unit_start);
    std::uint64_t scale = 0;
    if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60'000;
    } else if (unit == "h") {
      scale = 3'600'000;
    } else if (unit.empty()) {
      return Unexpected<std::string>{"missing unit (ms, s, m or h)"};
    } else {
      return Unexpected<std::string>{"unknown unit \"" + std::string(unit) + "\" (use ms, s, m or h)"};
    }
    if (number > (kMaxMilliseconds - total) / scale) return Unexpected<std::string>{"duration too long"};
    total += number * scale;
  }
  return std::chrono::milliseconds{static_cast<std::int64_t>(total)};
}

Result<std::uint64_t, std::string> parse_size(std::string_view text) {
  if (text.empty()) return Unexpected<std::string>{"empty size"};
  std::size_t pos = 0;
  if (!is_digit(text[0])) return Unexpected<std::string>{"expected a number first"};
  std::uint64_t number = 0;
  if (!read_number(text, pos, number)) return Unexpected<std::string>{"number too large"};
  const std::string_view unit = text.substr(pos);
  struct Unit {
    std::string_view name;
    std::uint64_t scale;
  };
  static constexpr std::array<Unit, 10> kUnits = {{{"", 1},
                                                   {"B", 1},
                                                   {"KiB", kKiB},
                                                   {"MiB", kMiB},
                                                   {"GiB", kGiB},
                                                   {"TiB", 1024 * kGiB},
                                                   {"KB", 1000},
                                                   {"MB", 1000 * 1000},
                                                   {"GB", 1000 * 1000 * 1000},
                                                   {"TB", 1000ULL * 1000 * 1000 * 1000}}};
  for (const Unit& u : kUnits) {
    if (!equals_ignoring_case(unit, u.name)) continue;
    if (number > std::numeric_limits<std::uint64_t>::max() / u.scale) return Unexpected<std::string>{"size too large"};
    return number * u.scale;
  }
  return Unexpected<std::string>{"unknown unit \"" + std::string(unit) + "\" (use B, KiB, MiB, GiB, or KB, MB, GB)"};
}

Result<Address, std::string> parse_address(std::string_view text) {
  if (text.empty()) return Unexpected<std::string>{"empty address"};
  Address address;
  std::string_view port;
  if (text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return Unexpected<std::string>{"missing ']' after the IPv6 address"};
    address.host = std::string(text.substr(1, close - 1));
    if (!valid_ipv6(address.host)) return Unexpected<std::string>{"\"" + address.host + "\" is not an IPv6 address"};
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return Unexpected<std::string>{"missing \":PORT\" after \"]\""};
    }
    port = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Unexpected<std::string>{"missing \":PORT\" (e.g. \":8080\")"};
    address.host = std::string(text.substr(0, colon));
    if (address.host.find(':') != std::string::npos) {
      return Unexpected<std::string>{"an IPv6 address needs brackets, e.g. \"[::1]:443\""};
    }
    if (address.host == "*") address.host.clear();
    port = text.substr(colon + 1);
    const bool numeric = !address.host.empty() && address.host.find_first_not_of("0123456789.") == std::string::npos;
    if (numeric ? !valid_ipv4(address.host) : (!address.host.empty() && !valid_hostname(address.host))) {
      return Unexpected<std::string>{"\"" + address.host + "\" is not an IPv4 address or host name"};
    }
  }
  std::uint64_t number = 0;
  std::size_t pos = 0;
  if (port.empty() || port.size() > 5 || !read_number(port, pos, number) || pos != port.size()) {
    return Unexpected<std::string>{"port \"" + std::string(port) + "\" is not a number from 0 to 65535"};
  }
  if (number > 65535) return Unexpected<std::string>{"port " + std::to_string(number) + " is above 65535"};
  address.port = static_cast<std::uint16_t>(number);
  return address;
}

std::string format_duration(std::chrono::milliseconds value) {
  const auto ms = static_cast<std::uint64_t>(value.count() < 0 ? 0 : value.count());
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string format_size(std::uint64_t value) {
  if (value != 0 && value % kGiB == 0) return std::to_string(value / kGiB) + "GiB";
  if (value != 0 && value % kMiB == 0) return std::to_string(value / kMiB) + "MiB";
  if (value != 0 && value % kKiB == 0) return std::to_string(value / kKiB) + "KiB";
  return std::to_string(value);
}

std::string Address::to_string() const {
  const std::string port_text = std::to_string(port);
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port_text;
  return host + ":" + port_text;
}

std::string ConfigError::to_string() const {
  std::string out;
  if (!source.empty()) out += source;
  if (line != 0) out += (out.empty() ? "line " : ":") + std::to_string(line);
  if (!out.empty()) out += ": ";
  if (!key.empty()) out += "key '" + key + "': ";
  out += message;
  return out;
}

namespace detail {

template <>
std::span<const std::string_view> names<TlsVersion>() {
  static constexpr std::array<std::string_view, 2> kNames = {"1.2", "1.3"};
  return kNames;
}
template <>
std::span<const std::string_view> names<LogLevel>() {
  static constexpr std::array<std::string_view, 6> kNames = {"trace", "debug", "info", "warn", "error", "off"};
  return kNames;
}
template <>
std::span<const std::string_view> names<AccessLogFormat>() {
  static constexpr std::array<std::string_view, 2> kNames = {"combined", "json"};
  return kNames;
}
template <>
std::span<const std::string_view> names<PushMode>() {
  static constexpr std::array<std::string_view, 4> kNames = {"auto", "push", "hints", "off"};
  return kNames;
}

std::string list_choices(std::span<const std::string_view> choices) {
  std::string out;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i != 0) out += (i + 1 == choices.size()) ? " or " : ", ";
    out += quote(choices[i]);
  }
  return out;
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          static constexpr std::string_view kHex = "0123456789ABCDEF";
          out += "\\u00";
          out += kHex[byte >> 4];
          out += kHex[byte & 0xf];
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string key_segment(std::string_view text) {
  const bool bare = !text.empty() && text.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789_-") == std::string_view::npos;
  return bare ? std::string(text) : quote(text);
}

namespace {
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string_view last_segment(std::string_view key) {
  const std::size_t dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}
}  // namespace

std::string suggestion(std::string_view key, std::span<const std::string> candidates) {
  // A known name in another table ("max_frame_size" under [server]) is the likeliest mistake; then a typo.
  const std::string_view leaf = last_segment(key);
  for (const std::string& candidate : candidates) {
    if (last_segment(candidate) == leaf) return " (did you mean '" + candidate + "'?)";
  }
  std::size_t best = std::string::npos;
  const std::string* best_key = nullptr;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(key, candidate);
    if (distance < best) {
      best = distance;
      best_key = &candidate;
    }
  }
  if (best_key == nullptr || best > std::max<std::size_t>(2, leaf.size() / 3)) return {};
  return " (did you mean '" + *best_key + "'?)";
}

}  // namespace detail

std::string_view to_string(TlsVersion value) noexcept {
  return detail::names<TlsVersion>()[static_cast<std::size_t>(value)];
}
std::string_view to_string(LogLevel value) noexcept {
  return detail::names<LogLevel>()[static_cast<std::size_t>(value)];
}
std::string_view to_string(AccessLogFormat value) noexcept {
  return detail::names<AccessLogFormat>()[static_cast<std::size_t>(value)];
}
std::string_view to_string(PushMode value) noexcept {
  return detail::names<PushMode>()[static_cast<std::size_t>(value)];
}

std::string to_string(const LogSink& sink) {
  switch (sink.kind) {
    case LogSink::Kind::off:
      return "off";
    case LogSink::Kind::std_out:
      return "stdout";
    case LogSink::Kind::std_err:
      return "stderr";
    case LogSink::Kind::file:
      break;
  }
  const std::string path = sink.file.string();
  // A file literally named like a keyword must not read back as that keyword.
  if (path == "off" || path == "stdout" || path == "stderr") return "./" + path;
  return path;
}

}  // namespace h2push::server
