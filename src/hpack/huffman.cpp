// src/hpack/huffman.cpp: the RFC 7541 Appendix B Huffman code with a table-driven decoder.
//
// Decoding reads the input through a 64-bit window and looks up its next kPrimaryBits bits in one table, which
// yields up to two whole symbols per lookup. The few codes longer than kPrimaryBits (rare octets) are decoded with
// the canonical-code property of the table: within one length, codes are consecutive and ordered by symbol.
#include "h2push/hpack/huffman.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace h2push::hpack {
namespace {

struct Code {
  std::uint32_t bits;  // right-aligned
  std::uint8_t length;
};

// RFC 7541 Appendix B: symbols 0..255, then EOS (256).
constexpr std::array<Code, 257> kCodes{{
    {0x00001ff8, 13}, {0x007fffd8, 23}, {0x0fffffe2, 28}, {0x0fffffe3, 28}, {0x0fffffe4, 28}, {0x0fffffe5, 28},
    {0x0fffffe6, 28}, {0x0fffffe7, 28}, {0x0fffffe8, 28}, {0x00ffffea, 24}, {0x3ffffffc, 30}, {0x0fffffe9, 28},
    {0x0fffffea, 28}, {0x3ffffffd, 30}, {0x0fffffeb, 28}, {0x0fffffec, 28}, {0x0fffffed, 28}, {0x0fffffee, 28},
    {0x0fffffef, 28}, {0x0ffffff0, 28}, {0x0ffffff1, 28}, {0x0ffffff2, 28}, {0x3ffffffe, 30}, {0x0ffffff3, 28},
    {0x0ffffff4, 28}, {0x0ffffff5, 28}, {0x0ffffff6, 28}, {0x0ffffff7, 28}, {0x0ffffff8, 28}, {0x0ffffff9, 28},
    {0x0ffffffa, 28}, {0x0ffffffb, 28}, {0x00000014, 6},  {0x000003f8, 10}, {0x000003f9, 10}, {0x00000ffa, 12},
    {0x00001ff9, 13}, {0x00000015, 6},  {0x000000f8, 8},  {0x000007fa, 11}, {0x000003fa, 10}, {0x000003fb, 10},
    {0x000000f9, 8},  {0x000007fb, 11}, {0x000000fa, 8},  {0x00000016, 6},  {0x00000017, 6},  {0x00000018, 6},
    {0x00000000, 5},  {0x00000001, 5},  {0x00000002, 5},  {0x00000019, 6},  {0x0000001a, 6},  {0x0000001b, 6},
    {0x0000001c, 6},  {0x0000001d, 6},  {0x0000001e, 6},  {0x0000001f, 6},  {0x0000005c, 7},  {0x000000fb, 8},
    {0x00007ffc, 15}, {0x00000020, 6},  {0x00000ffb, 12}, {0x000003fc, 10}, {0x00001ffa, 13}, {0x00000021, 6},
    {0x0000005d, 7},  {0x0000005e, 7},  {0x0000005f, 7},  {0x00000060, 7},  {0x00000061, 7},  {0x00000062, 7},
    {0x00000063, 7},  {0x00000064, 7},  {0x00000065, 7},  {0x00000066, 7},  {0x00000067, 7},  {0x00000068, 7},
    {0x00000069, 7},  {0x0000006a, 7},  {0x0000006b, 7},  {0x0000006c, 7},  {0x0000006d, 7},  {0x0000006e, 7},
    {0x0000006f, 7},  {0x00000070, 7},  {0x00000071, 7},  {0x00000072, 7},  {0x000000fc, 8},  {0x00000073, 7},
    {0x000000fd, 8},  {0x00001ffb, 13}, {0x0007fff0, 19}, {0x00001ffc, 13}, {0x00003ffc, 14}, {0x00000022, 6},
    {0x00007ffd, 15}, {0x00000003, 5},  {0x00000023, 6},  {0x00000004, 5},  {0x00000024, 6},  {0x00000005, 5},
    {0x00000025, 6},  {0x00000026, 6},  {0x00000027, 6},  {0x00000006, 5},  {0x00000074, 7},  {0x00000075, 7},
    {0x00000028, 6},  {0x00000029, 6},  {0x0000002a, 6},  {0x00000007, 5},  {0x0000002b, 6},  {0x00000076, 7},
    {0x0000002c, 6},  {0x00000008, 5},  {0x00000009, 5},  {0x0000002d, 6},  {0x00000077, 7},  {0x00000078, 7},
    {0x00000079, 7},  {0x0000007a, 7},  {0x0000007b, 7},  {0x00007ffe, 15}, {0x000007fc, 11}, {0x00003ffd, 14},
    {0x00001ffd, 13}, {0x0ffffffc, 28}, {0x000fffe6, 20}, {0x003fffd2, 22}, {0x000fffe7, 20}, {0x000fffe8, 20},
    {0x003fffd3, 22}, {0x003fffd4, 22}, {0x003fffd5, 22}, {0x007fffd9, 23}, {0x003fffd6, 22}, {0x007fffda, 23},
    {0x007fffdb, 23}, {0x007fffdc, 23}, {0x007fffdd, 23}, {0x007fffde, 23}, {0x00ffffeb, 24}, {0x007fffdf, 23},
    {0x00ffffec, 24}, {0x00ffffed, 24}, {0x003fffd7, 22}, {0x007fffe0, 23}, {0x00ffffee, 24}, {0x007fffe1, 23},
    {0x007fffe2, 23}, {0x007fffe3, 23}, {0x007fffe4, 23}, {0x001fffdc, 21}, {0x003fffd8, 22}, {0x007fffe5, 23},
    {0x003fffd9, 22}, {0x007fffe6, 23}, {0x007fffe7, 23}, {0x00ffffef, 24}, {0x003fffda, 22}, {0x001fffdd, 21},
    {0x000fffe9, 20}, {0x003fffdb, 22}, {0x003fffdc, 22}, {0x007fffe8, 23}, {0x007fffe9, 23}, {0x001fffde, 21},
    {0x007fffea, 23}, {0x003fffdd, 22}, {0x003fffde, 22}, {0x00fffff0, 24}, {0x001fffdf, 21}, {0x003fffdf, 22},
    {0x007fffeb, 23}, {0x007fffec, 23}, {0x001fffe0, 21}, {0x001fffe1, 21}, {0x003fffe0, 22}, {0x001fffe2, 21},
    {0x007fffed, 23}, {0x003fffe1, 22}, {0x007fffee, 23}, {0x007fffef, 23}, {0x000fffea, 20}, {0x003fffe2, 22},
    {0x003fffe3, 22}, {0x003fffe4, 22}, {0x007ffff0, 23}, {0x003fffe5, 22}, {0x003fffe6, 22}, {0x007ffff1, 23},
    {0x03ffffe0, 26}, {0x03ffffe1, 26}, {0x000fffeb, 20}, {0x0007fff1, 19}, {0x003fffe7, 22}, {0x007ffff2, 23},
    {0x003fffe8, 22}, {0x01ffffec, 25}, {0x03ffffe2, 26}, {0x03ffffe3, 26}, {0x03ffffe4, 26}, {0x07ffffde, 27},
    {0x07ffffdf, 27}, {0x03ffffe5, 26}, {0x00fffff1, 24}, {0x01ffffed, 25}, {0x0007fff2, 19}, {0x001fffe3, 21},
    {0x03ffffe6, 26}, {0x07ffffe0, 27}, {0x07ffffe1, 27}, {0x03ffffe7, 26}, {0x07ffffe2, 27}, {0x00fffff2, 24},
    {0x001fffe4, 21}, {0x001fffe5, 21}, {0x03ffffe8, 26}, {0x03ffffe9, 26}, {0x0ffffffd, 28}, {0x07ffffe3, 27},
    {0x07ffffe4, 27}, {0x07ffffe5, 27}, {0x000fffec, 20}, {0x00fffff3, 24}, {0x000fffed, 20}, {0x001fffe6, 21},
    {0x003fffe9, 22}, {0x001fffe7, 21}, {0x001fffe8, 21}, {0x007ffff3, 23}, {0x003fffea, 22}, {0x003fffeb, 22},
    {0x01ffffee, 25}, {0x01ffffef, 25}, {0x00fffff4, 24}, {0x00fffff5, 24}, {0x03ffffea, 26}, {0x007ffff4, 23},
    {0x03ffffeb, 26}, {0x07ffffe6, 27}, {0x03ffffec, 26}, {0x03ffffed, 26}, {0x07ffffe7, 27}, {0x07ffffe8, 27},
    {0x07ffffe9, 27}, {0x07ffffea, 27}, {0x07ffffeb, 27}, {0x0ffffffe, 28}, {0x07ffffec, 27}, {0x07ffffed, 27},
    {0x07ffffee, 27}, {0x07ffffef, 27}, {0x07fffff0, 27}, {0x03ffffee, 26}, {0x3fffffff, 30},
}};

constexpr std::uint16_t kEos = 256;
constexpr int kPrimaryBits = 12;
constexpr int kMaxCodeLength = 30;

// One entry per value of the next kPrimaryBits input bits: the one or two whole symbols they begin with.
struct PrimaryEntry {
  std::uint8_t first;
  std::uint8_t second;  // meaningful when count == 2
  std::uint8_t count;   // 0: the first code is longer than kPrimaryBits
  std::uint8_t length;  // bits taken by the `count` symbols
};

constexpr std::array<PrimaryEntry, 1u << kPrimaryBits> make_primary_table() {
  std::array<PrimaryEntry, 1u << kPrimaryBits> single{};
  for (std::uint16_t symbol = 0; symbol < kEos; ++symbol) {
    const Code code = kCodes[symbol];
    if (code.length > kPrimaryBits) continue;
    const int spare = kPrimaryBits - code.length;
    const std::uint32_t first = code.bits << spare;
    for (std::uint32_t i = 0; i < (1u << spare); ++i) {
      single[first + i] = {static_cast<std::uint8_t>(symbol), 0, 1, code.length};
    }
  }
  // Pair a second symbol with the first wherever both codes fit in the window.
  std::array<PrimaryEntry, 1u << kPrimaryBits> paired = single;
  for (std::uint32_t index = 0; index < single.size(); ++index) {
    const PrimaryEntry entry = single[index];
    if (entry.count == 0) continue;
    const std::uint32_t rest = (index << entry.length) & ((1u << kPrimaryBits) - 1);
    const PrimaryEntry next = single[rest];
    if (next.count != 0 && entry.length + next.length <= kPrimaryBits) {
      paired[index] = {entry.first, next.first, 2, static_cast<std::uint8_t>(entry.length + next.length)};
    }
  }
  return paired;
}

constexpr auto kPrimary = make_primary_table();

// Canonical decoding for codes longer than kPrimaryBits: the codes of one length are [first_code, first_code+count)
// and map to kSortedSymbols[offset + code - first_code].
struct CanonicalTables {
  std::array<std::uint32_t, kMaxCodeLength + 1> first_code{};
  std::array<std::uint16_t, kMaxCodeLength + 1> count{};
  std::array<std::uint16_t, kMaxCodeLength + 1> offset{};
  std::array<std::uint16_t, 257> sorted_symbols{};
  bool canonical = true;
};

constexpr CanonicalTables make_canonical_tables() {
  CanonicalTables t{};
  std::uint16_t n = 0;
  std::uint32_t next_code = 0;
  for (std::size_t length = 1; length <= kMaxCodeLength; ++length) {
    t.first_code[length] = next_code;
    t.offset[length] = n;
    for (std::uint16_t symbol = 0; symbol <= kEos; ++symbol) {
      if (kCodes[symbol].length != length) continue;
      if (kCodes[symbol].bits != next_code) t.canonical = false;
      t.sorted_symbols[n++] = symbol;
      ++next_code;
      ++t.count[length];
    }
    next_code <<= 1;
  }
  return t;
}

constexpr CanonicalTables kCanonical = make_canonical_tables();
static_assert(kCanonical.canonical, "RFC 7541 Appendix B is a canonical Huffman code");

}  // namespace

std::size_t huffman_encoded_size(std::string_view text) noexcept {
  std::size_t bits = 0;
  for (const char c : text) bits += kCodes[static_cast<std::uint8_t>(c)].length;
  return (bits + 7) / 8;
}

namespace {

// Codes go into a 64-bit accumulator and leave it four octets at a time. With `limit`, encoding stops as soon as
// the output reaches `limit` octets, and 0 is returned.
std::size_t encode_codes(std::string_view text, std::byte* out, std::size_t limit) noexcept {
  std::byte* const start = out;
  std::uint64_t pending = 0;  // right-aligned; bits above pending_bits were already written
  int pending_bits = 0;
  for (const char c : text) {
    const Code code = kCodes[static_cast<std::uint8_t>(c)];
    pending = (pending << code.length) | code.bits;
    pending_bits += code.length;
    if (pending_bits >= 32) {
      pending_bits -= 32;
      const auto word = static_cast<std::uint32_t>(pending >> pending_bits);
      out[0] = static_cast<std::byte>(word >> 24);
      out[1] = static_cast<std::byte>(word >> 16);
      out[2] = static_cast<std::byte>(word >> 8);
      out[3] = static_cast<std::byte>(word);
      out += 4;
      if (static_cast<std::size_t>(out - start) >= limit) return 0;
    }
  }
  while (pending_bits >= 8) {
    pending_bits -= 8;
    *out++ = static_cast<std::byte>(pending >> pending_bits);
  }
  if (pending_bits > 0) {
    // §5.2: pad with the most significant bits of EOS (all ones).
    const int pad = 8 - pending_bits;
    *out++ = static_cast<std::byte>((pending << pad) | ((1u << pad) - 1));
  }
  const auto written = static_cast<std::size_t>(out - start);
  return written >= limit ? 0 : written;
}

}  // namespace

std::size_t huffman_encode(std::string_view text, std::byte* out) noexcept {
  return encode_codes(text, out, static_cast<std::size_t>(-1));
}

std::size_t huffman_encode_if_shorter(std::string_view text, std::byte* out) noexcept {
  return encode_codes(text, out, text.size());
}

Result<std::size_t, DecodeError> huffman_decode(std::span<const std::byte> in, char* out) noexcept {
  const auto* p = reinterpret_cast<const std::uint8_t*>(in.data());
  const auto* const end = p + in.size();
  char* const start = out;
  std::uint64_t window = 0;  // left-aligned: the next input bit is bit 63; bits past `bits` are zero or future input
  int bits = 0;
  for (;;) {
    if (bits <= 56) {
      if (end - p >= 8) {  // whole octets from one big-endian load
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        window |= __builtin_bswap64(word) >> bits;
        const int octets = (64 - bits) >> 3;
        p += octets;
        bits += octets * 8;
      } else {
        while (bits <= 56 && p != end) {
          window |= static_cast<std::uint64_t>(*p++) << (56 - bits);
          bits += 8;
        }
      }
    }
    // One or two symbols per lookup. A single symbol also stores a (meaningless) second octet: the output bound
    // leaves room for it.
    while (bits >= kPrimaryBits) {
      const PrimaryEntry e = kPrimary[window >> (64 - kPrimaryBits)];
      if (e.count == 0) break;
      out[0] = static_cast<char>(e.first);
      out[1] = static_cast<char>(e.second);
      out += e.count;
      window <<= e.length;
      bits -= e.length;
    }
    if (bits < kPrimaryBits) {
      if (p != end) continue;
      break;  // the tail, below
    }
    // A code longer than kPrimaryBits: up to kMaxCodeLength bits.
    if (bits < kMaxCodeLength && p != end) continue;
    std::size_t length = kPrimaryBits + 1;
    std::uint32_t code = 0;
    for (; length <= kMaxCodeLength; ++length) {
      code = static_cast<std::uint32_t>(window >> (64 - length));
      if (code - kCanonical.first_code[length] < kCanonical.count[length]) break;
    }
    if (length > static_cast<std::size_t>(bits)) break;  // incomplete code at the end: padding, checked below
    const std::uint16_t symbol =
        kCanonical.sorted_symbols[kCanonical.offset[length] + code - kCanonical.first_code[length]];
    if (symbol == kEos) return Unexpected{DecodeError::huffman_eos};
    *out++ = static_cast<char>(symbol);
    window <<= length;
    bits -= static_cast<int>(length);
  }
  // Fewer than kPrimaryBits bits and no more input: whole short codes, then padding.
  while (bits > 0) {
    const PrimaryEntry e = kPrimary[window >> (64 - kPrimaryBits)];  // zeros stand in for the missing bits
    if (e.count == 0) break;
    const int first_length = kCodes[e.first].length;
    if (first_length > bits) break;
    *out++ = static_cast<char>(e.first);
    window <<= first_length;
    bits -= first_length;
  }
  // §5.2: padding of at most 7 bits, all ones (the most significant bits of EOS).
  if (bits > 7) return Unexpected{DecodeError::huffman_padding_too_long};
  if (bits > 0 && (window >> (64 - bits)) != (1u << bits) - 1) {
    return Unexpected{DecodeError::huffman_padding_not_ones};
  }
  return static_cast<std::size_t>(out - start);
}

}  // namespace h2push::hpack
