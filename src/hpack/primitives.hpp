// src/hpack/primitives.hpp: RFC 7541 §5 integer and string primitives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "h2push/hpack/types.hpp"
#include "h2push/result.hpp"

namespace h2push::hpack::detail {

// We cap decoded integers at 2^32-1 (HP-5.1-01); nothing in HPACK needs more.
inline constexpr std::uint64_t kMaxInteger = 0xffffffffu;

// Writes `value` as an integer with a `prefix_bits`-bit prefix (1..8) at `out` (room for 6 octets) and returns the
// end. `pattern` holds the representation's bits above the prefix (e.g. 0x80 for an indexed field) and must have the
// prefix bits clear.
inline std::byte* put_integer(std::byte* out, std::uint32_t value, int prefix_bits, std::uint8_t pattern) noexcept {
  const std::uint32_t max_prefix = (1u << prefix_bits) - 1;
  if (value < max_prefix) {
    *out++ = static_cast<std::byte>(pattern | value);
    return out;
  }
  *out++ = static_cast<std::byte>(pattern | max_prefix);
  value -= max_prefix;
  while (value >= 128) {
    *out++ = static_cast<std::byte>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  *out++ = static_cast<std::byte>(value);
  return out;
}

inline constexpr std::size_t kMaxIntegerOctets = 6;

// Appends `value` as an integer with a `prefix_bits`-bit prefix; see put_integer.
inline void encode_integer(std::uint32_t value, int prefix_bits, std::uint8_t pattern, std::vector<std::byte>& out) {
  std::byte buffer[kMaxIntegerOctets];
  const std::byte* end = put_integer(buffer, value, prefix_bits, pattern);
  out.insert(out.end(), static_cast<const std::byte*>(buffer), end);
}

// Reads an integer with a `prefix_bits`-bit prefix starting at `pos` (which must be < end), advancing `pos` past it.
// Fails with truncated_integer when the block ends inside it and integer_overflow above kMaxInteger.
[[nodiscard]] inline Result<std::uint32_t, DecodeError> decode_integer(const std::uint8_t*& pos,
                                                                       const std::uint8_t* end,
                                                                       int prefix_bits) noexcept {
  const std::uint32_t max_prefix = (1u << prefix_bits) - 1;
  std::uint32_t value = *pos++ & max_prefix;
  if (value < max_prefix) return value;
  std::uint64_t total = value;
  // Five continuation octets carry 35 bits: enough for any value up to 2^32-1 plus the prefix. Zero-padded
  // encodings longer than that are refused as overflow, as libnghttp2 does.
  for (int shift = 0; shift <= 28; shift += 7) {
    if (pos == end) return Unexpected{DecodeError::truncated_integer};
    const std::uint8_t b = *pos++;
    total += static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (total > kMaxInteger) return Unexpected{DecodeError::integer_overflow};
    if ((b & 0x80) == 0) return static_cast<std::uint32_t>(total);
  }
  return Unexpected{DecodeError::integer_overflow};
}

}  // namespace h2push::hpack::detail
