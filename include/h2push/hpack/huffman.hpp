// include/h2push/hpack/huffman.hpp: the Huffman code of RFC 7541 Appendix B.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "h2push/hpack/types.hpp"
#include "h2push/result.hpp"

namespace h2push::hpack {

// Octets `text` takes once Huffman-coded (padding included).
std::size_t huffman_encoded_size(std::string_view text) noexcept;

// Writes the code of `text` to `out`, which must hold huffman_encoded_size(text) octets; returns octets written.
std::size_t huffman_encode(std::string_view text, std::byte* out) noexcept;

// Writes the code of `text` to `out` only if it is strictly shorter than `text`, in one pass; returns the octets
// written, or 0 when the code would not be shorter (`out` then holds garbage). `out` needs text.size() + 4 octets.
std::size_t huffman_encode_if_shorter(std::string_view text, std::byte* out) noexcept;

// An upper bound on the decoded length of `encoded_size` Huffman octets (the shortest code has 5 bits).
constexpr std::size_t huffman_decoded_size_bound(std::size_t encoded_size) noexcept { return encoded_size * 8 / 5 + 1; }

// Decodes `in` into `out`, which must hold huffman_decoded_size_bound(in.size()) octets; returns octets written.
// Fails with huffman_eos, huffman_padding_too_long or huffman_padding_not_ones (§5.2).
[[nodiscard]] Result<std::size_t, DecodeError> huffman_decode(std::span<const std::byte> in, char* out) noexcept;

}  // namespace h2push::hpack
