// src/client/shaping_units.cpp
#include "client/shaping_units.hpp"

#include <cctype>
#include <cstdio>

namespace h2push::client {
namespace {

struct Quantity {
  unsigned __int128 scaled = 0;  // the number times its unit, in the smallest unit (ns or bit/s)
  bool exact = true;             // false when the decimals go below the smallest unit
};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits "1.5mbit" into its number and its unit; returns false when the number is malformed.
bool split(std::string_view text, std::string_view& number, std::string_view& unit) {
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) != 0 || text[i] == '.')) ++i;
  number = text.substr(0, i);
  unit = text.substr(i);
  if (number.empty() || number.front() == '.' || number.back() == '.') return false;
  return number.find('.') == number.rfind('.');
}

// number × scale, exactly; nullopt-like `false` when the number has too many digits.
bool scale_number(std::string_view number, std::uint64_t scale, Quantity& out) {
  unsigned __int128 mantissa = 0;
  unsigned __int128 divisor = 1;
  bool fraction = false;
  std::size_t digits = 0;
  for (char c : number) {
    if (c == '.') {
      fraction = true;
      continue;
    }
    if (++digits > 18) return false;
    mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
    if (fraction) divisor *= 10;
  }
  const unsigned __int128 product = mantissa * scale;
  out.scaled = product / divisor;
  out.exact = product % divisor == 0;
  return true;
}

std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('\'');
  out.append(text);
  out.push_back('\'');
  return out;
}

}  // namespace

Result<std::chrono::nanoseconds, std::string> parse_duration(std::string_view text) {
  std::string_view number;
  std::string_view unit_text;
  if (text.empty()) return Unexpected{std::string("empty duration: write e.g. 100ms")};
  if (text.front() == '-') return Unexpected{"negative duration " + quoted(text)};
  if (!split(text, number, unit_text)) return Unexpected{"not a duration: " + quoted(text) + " (e.g. 100ms, 0.5s)"};
  const std::string unit = lower(unit_text);
  std::uint64_t scale = 0;
  if (unit == "ns") {
    scale = 1;
  } else if (unit == "us" || unit == "µs") {
    scale = 1'000;
  } else if (unit == "ms") {
    scale = 1'000'000;
  } else if (unit == "s") {
    scale = 1'000'000'000;
  } else if (unit.empty()) {
    if (number.find_first_not_of("0.") == std::string_view::npos) return std::chrono::nanoseconds{0};
    return Unexpected{"duration " + quoted(text) + " needs a unit: ms, s, us or ns (e.g. " + std::string(number) +
                      "ms)"};
  } else {
    return Unexpected{"unknown duration unit " + quoted(unit_text) + " in " + quoted(text) + ": use ms, s, us or ns"};
  }
  Quantity q;
  constexpr std::uint64_t kMaxNs = 3600ULL * 1'000'000'000ULL;
  if (!scale_number(number, scale, q) || q.scaled > kMaxNs) {
    return Unexpected{"duration " + quoted(text) + " is above one hour"};
  }
  if (!q.exact) return Unexpected{"duration " + quoted(text) + " is finer than 1 ns"};
  return std::chrono::nanoseconds{static_cast<std::int64_t>(q.scaled)};
}

Result<std::uint64_t, std::string> parse_bandwidth(std::string_view text) {
  std::string_view number;
  std::string_view unit_text;
  if (text.empty()) return Unexpected{std::string("empty bandwidth: write e.g. 10mbit")};
  if (lower(text) == "unlimited") return std::uint64_t{0};
  if (text.front() == '-') return Unexpected{"negative bandwidth " + quoted(text)};
  if (!split(text, number, unit_text)) {
    return Unexpected{"not a bandwidth: " + quoted(text) + " (e.g. 10mbit, 512kbit, unlimited)"};
  }
  const std::string unit = lower(unit_text);
  std::uint64_t scale = 0;
  if (unit == "bit") {
    scale = 1;
  } else if (unit == "kbit") {
    scale = 1'000;
  } else if (unit == "mbit") {
    scale = 1'000'000;
  } else if (unit == "gbit") {
    scale = 1'000'000'000;
  } else if (unit.empty()) {
    if (number.find_first_not_of("0.") == std::string_view::npos) return std::uint64_t{0};
    return Unexpected{"bandwidth " + quoted(text) + " needs a unit: bit, kbit, mbit or gbit (e.g. " +
                      std::string(number) + "mbit)"};
  } else if (unit == "bps" || unit == "kbps" || unit == "mbps" || unit == "gbps") {
    return Unexpected{"ambiguous bandwidth unit " + quoted(unit_text) +
                      " (tc reads it as bytes per second): write bit, kbit, mbit or gbit"};
  } else {
    return Unexpected{"unknown bandwidth unit " + quoted(unit_text) + " in " + quoted(text) +
                      ": use bit, kbit, mbit or gbit"};
  }
  Quantity q;
  constexpr std::uint64_t kMaxBits = 1'000ULL * 1'000'000'000ULL;
  if (!scale_number(number, scale, q) || q.scaled > kMaxBits) {
    return Unexpected{"bandwidth " + quoted(text) + " is above 1000gbit"};
  }
  if (!q.exact || q.scaled == 0) {
    return Unexpected{"bandwidth " + quoted(text) + " is not a whole number of bits per second (0 means unlimited)"};
  }
  return static_cast<std::uint64_t>(q.scaled);
}

Result<HostPort, std::string> parse_host_port(std::string_view text) {
  HostPort out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Unexpected{"expected [IPv6]:PORT, got " + quoted(text)};
    }
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Unexpected{"expected HOST:PORT, got " + quoted(text)};
    if (text.find(':') != colon) return Unexpected{"an IPv6 address needs brackets: [" + std::string(text) + "]"};
    out.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (out.host.empty()) return Unexpected{"missing host in " + quoted(text)};
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string_view::npos) {
    return Unexpected{"bad port in " + quoted(text)};
  }
  unsigned long port = 0;
  for (char c : port_text) port = port * 10 + static_cast<unsigned long>(c - '0');
  if (port > 65535) return Unexpected{"port above 65535 in " + quoted(text)};
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

std::string format_duration(std::chrono::nanoseconds value) {
  const auto ns = value.count();
  char buffer[48];
  if (ns == 0) return "0 ms";
  if (ns % 1'000'000 == 0) {
    std::snprintf(buffer, sizeof buffer, "%lld ms", static_cast<long long>(ns / 1'000'000));
  } else if (ns >= 1'000'000) {
    std::snprintf(buffer, sizeof buffer, "%.3f ms", static_cast<double>(ns) / 1e6);
  } else if (ns % 1'000 == 0) {
    std::snprintf(buffer, sizeof buffer, "%lld us", static_cast<long long>(ns / 1'000));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lld ns", static_cast<long long>(ns));
  }
  return buffer;
}

std::string format_bandwidth(std::uint64_t bits_per_second) {
  if (bits_per_second == 0) return "unlimited";
  char buffer[48];
  const char* units[] = {"bit/s", "kbit/s", "mbit/s", "gbit/s"};
  double value = static_cast<double>(bits_per_second);
  std::size_t unit = 0;
  while (value >= 1000.0 && unit < 3) {
    value /= 1000.0;
    ++unit;
  }
  std::snprintf(buffer, sizeof buffer, "%g %s", value, units[unit]);
  return buffer;
}

}  // namespace h2push::client
