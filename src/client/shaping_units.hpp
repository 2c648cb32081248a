// src/client/shaping_units.hpp: the values the shaping relay's users type: `100ms`, `10mbit`, `127.0.0.1:8443`.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "h2push/result.hpp"

namespace h2push::client {

// A duration with its unit: `100ms`, `0.5s`, `250us`, `20ns`; `0` alone is allowed. Decimals are exact (`1.5ms`);
// a value finer than 1 ns, above one hour, negative or without unit is an error whose text says what is wrong.
[[nodiscard]] Result<std::chrono::nanoseconds, std::string> parse_duration(std::string_view text);

// A bandwidth in bits per second with its unit, decimal as in tc(8): `bit`, `kbit` (1000), `mbit`, `gbit`, e.g.
// `10mbit`, `1.5mbit`. `0` and `unlimited` give 0, meaning no limit. Byte units such as `kbps` are refused (tc
// reads them as bytes, most people as bits), as are a missing unit and values above 1000 gbit.
[[nodiscard]] Result<std::uint64_t, std::string> parse_bandwidth(std::string_view text);

struct HostPort {
  std::string host;  // a name or an address, without brackets
  std::uint16_t port = 0;
};

// `HOST:PORT`, `[IPv6]:PORT`; the port is required (0 allowed: pick one when listening).
[[nodiscard]] Result<HostPort, std::string> parse_host_port(std::string_view text);

std::string format_duration(std::chrono::nanoseconds value);  // "100 ms", "1.5 ms", "250 us"
std::string format_bandwidth(std::uint64_t bits_per_second);  // "10 mbit/s", "unlimited"

}  // namespace h2push::client
