// tests/hpack/hpack_test_util.hpp: small helpers shared by the HPACK tests (printing, hex, header conversions).
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "h2push/hpack.h"
#include "support/hpack_corpus.hpp"

namespace h2push::hpack {

// Lets GoogleTest print a DecodeError by name instead of as raw bytes.
inline void PrintTo(DecodeError error, std::ostream* os) { *os << to_string(error); }

}  // namespace h2push::hpack

namespace h2push::hpack::test {

using Pairs = h2push::testing::HeaderPairs;

inline std::vector<std::byte> hex(std::string_view text) { return h2push::testing::from_hex(text); }

inline std::string hex_of(const std::vector<std::byte>& bytes) { return h2push::testing::to_hex(bytes); }

// Copies the name/value pairs of a decoded list (the list's views die at its next decode).
inline Pairs pairs_of(const HeaderList& list) {
  Pairs pairs;
  for (const Header& field : list) pairs.emplace_back(std::string(field.name), std::string(field.value));
  return pairs;
}

// Header views into `pairs`, which must outlive the result.
inline std::vector<Header> headers_of(const Pairs& pairs) {
  std::vector<Header> headers;
  headers.reserve(pairs.size());
  for (const auto& [name, value] : pairs) headers.push_back(Header{name, value, false});
  return headers;
}

inline std::optional<DecodeError> error_of(const Status<DecodeError>& status) {
  if (status.ok()) return std::nullopt;
  return status.error();
}

// Decodes `block` and returns its error, if any; `out` receives the fields.
inline std::optional<DecodeError> decode_bytes(Decoder& decoder, const std::vector<std::byte>& block, HeaderList& out) {
  return error_of(decoder.decode(block, out));
}

inline std::optional<DecodeError> decode_hex(Decoder& decoder, std::string_view block_hex, HeaderList& out) {
  return decode_bytes(decoder, hex(block_hex), out);
}

}  // namespace h2push::hpack::test
