// src/hpack/static_table.hpp: the 61-entry static table of RFC 7541 Appendix A with fast lookups for the encoder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace h2push::hpack::detail {

inline constexpr std::uint32_t kStaticTableSize = 61;

struct StaticEntry {
  std::string_view name;
  std::string_view value;
};

// Entry `index` (1..61).
const StaticEntry& static_entry(std::uint32_t index) noexcept;

struct StaticMatch {
  std::uint32_t index = 0;  // 0: the name is not in the static table
  bool value_matches = false;
};

// Finds `name` (and, if present there, `name`+`value`) in the static table. For a name-only match `index` is the
// name's first entry.
StaticMatch find_static(std::string_view name, std::string_view value) noexcept;

}  // namespace h2push::hpack::detail
