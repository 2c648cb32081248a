// src/proxy/ascii.hpp: ASCII case folding for header names and hosts, shared by the proxy's routing and forwarding.
#pragma once

#include <cstddef>
#include <string_view>

namespace h2push::proxy::ascii {

constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr bool equal_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace h2push::proxy::ascii
