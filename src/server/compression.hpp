// src/server/compression.hpp: content codings of static responses (RFC 9110 §8.4, §12.5.3): choosing one from
// Accept-Encoding, and one-shot gzip (zlib) and brotli compression of in-memory bodies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace h2push::server {

enum class ContentCoding : std::uint8_t { identity, gzip, br };

// "identity", "gzip", "br": the Content-Encoding token.
std::string_view coding_name(ContentCoding coding) noexcept;

// The codings a client accepts, best first, among gzip and br; identity is always acceptable to us as the last
// resort (a client excluding it with "identity;q=0" still gets it: 406 helps nobody).
struct CodingPreference {
  std::array<ContentCoding, 2> order{};
  std::size_t count = 0;
};

// Parses an Accept-Encoding value: codings case-insensitive, "x-gzip" as gzip, "*" for any unlisted coding,
// q-values 0..1 with up to three decimals (a malformed q counts as 0). An empty value (or no header) accepts only
// identity. Codings with q > 0 come out by falling q, br before gzip on ties. Never fails.
CodingPreference parse_accept_encoding(std::string_view value) noexcept;

// gzip (RFC 1952) of `data` at zlib `level` (0..9, clamped), with a zero mtime so equal input gives equal output.
// Returns nullopt only if zlib fails (out of memory).
std::optional<std::string> gzip_compress(std::string_view data, int level);

// brotli (RFC 7932) of `data` at `quality` (0..11) with window 2^`window_bits` (10..24), both clamped. Returns
// nullopt if the encoder fails.
std::optional<std::string> brotli_compress(std::string_view data, int quality, int window_bits);

}  // namespace h2push::server
