// tests/hpack/huffman_test.cpp: the Huffman code of RFC 7541 Appendix B (src/hpack/huffman.cpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "h2push/hpack/huffman.hpp"
#include "hpack_test_util.hpp"

namespace h2push::hpack {
namespace {

using test::hex;
using test::hex_of;

struct Code {
  std::uint32_t bits;  // right-aligned
  int length;
};

// RFC 7541 Appendix B: the code of each symbol 0..255, then EOS (256).
constexpr std::array<Code, 257> kCodes = {
    {{0x1ff8, 13},    {0x7fffd8, 23},   {0xfffffe2, 28}, {0xfffffe3, 28}, {0xfffffe4, 28},  {0xfffffe5, 28},
     {0xfffffe6, 28}, {0xfffffe7, 28},  {0xfffffe8, 28}, {0xffffea, 24},  {0x3ffffffc, 30}, {0xfffffe9, 28},
     {0xfffffea, 28}, {0x3ffffffd, 30}, {0xfffffeb, 28}, {0xfffffec, 28}, {0xfffffed, 28},  {0xfffffee, 28},
     {0xfffffef, 28}, {0xffffff0, 28},  {0xffffff1, 28}, {0xffffff2, 28}, {0x3ffffffe, 30}, {0xffffff3, 28},
     {0xffffff4, 28}, {0xffffff5, 28},  {0xffffff6, 28}, {0xffffff7, 28}, {0xffffff8, 28},  {0xffffff9, 28},
     {0xffffffa, 28}, {0xffffffb, 28},  {0x14, 6},       {0x3f8, 10},     {0x3f9, 10},      {0xffa, 12},
     {0x1ff9, 13},    {0x15, 6},        {0xf8, 8},       {0x7fa, 11},     {0x3fa, 10},      {0x3fb, 10},
     {0xf9, 8},       {0x7fb, 11},      {0xfa, 8},       {0x16, 6},       {0x17, 6},        {0x18, 6},
     {0x0, 5},        {0x1, 5},         {0x2, 5},        {0x19, 6},       {0x1a, 6},        {0x1b, 6},
     {0x1c, 6},       {0x1d, 6},        {0x1e, 6},       {0x1f, 6},       {0x5c, 7},        {0xfb, 8},
     {0x7ffc, 15},    {0x20, 6},        {0xffb, 12},     {0x3fc, 10},     {0x1ffa, 13},     {0x21, 6},
     {0x5d, 7},       {0x5e, 7},        {0x5f, 7},       {0x60, 7},       {0x61, 7},        {0x62, 7},
     {0x63, 7},       {0x64, 7},        {0x65, 7},       {0x66, 7},       {0x67, 7},        {0x68, 7},
     {0x69, 7},       {0x6a, 7},        {0x6b, 7},       {0x6c, 7},       {0x6d, 7},        {0x6e, 7},
     {0x6f, 7},       {0x70, 7},        {0x71, 7},       {0x72, 7},       {0xfc, 8},        {0x73, 7},
     {0xfd, 8},       {0x1ffb, 13},     {0x7fff0, 19},   {0x1ffc, 13},    {0x3ffc, 14},     {0x22, 6},
     {0x7ffd, 15},    {0x3, 5},         {0x23, 6},       {0x4, 5},        {0x24, 6},        {0x5, 5},
     {0x25, 6},       {0x26, 6},        {0x27, 6},       {0x6, 5},        {0x74, 7},        {0x75, 7},
     {0x28, 6},       {0x29, 6},        {0x2a, 6},       {0x7, 5},        {0x2b, 6},        {0x76, 7},
     {0x2c, 6},       {0x8, 5},         {0x9, 5},        {0x2d, 6},       {0x77, 7},        {0x78, 7},
     {0x79, 7},       {0x7a, 7},        {0x7b, 7},       {0x7ffe, 15},    {0x7fc, 11},      {0x3ffd, 14},
     {0x1ffd, 13},    {0xffffffc, 28},  {0xfffe6, 20},   {0x3fffd2, 22},  {0xfffe7, 20},    {0xfffe8, 20},
     {0x3fffd3, 22},  {0x3fffd4, 22},   {0x3fffd5, 22},  {0x7fffd9, 23},  {0x3fffd6, 22},   {0x7fffda, 23},
     {0x7fffdb, 23},  {0x7fffdc, 23},   {0x7fffdd, 23},  {0x7fffde, 23},  {0xffffeb, 24},   {0x7fffdf, 23},
     {0xffffec, 24},  {0xffffed, 24},   {0x3fffd7, 22},  {0x7fffe0, 23},  {0xffffee, 24},   {0x7fffe1, 23},
     {0x7fffe2, 23},  {0x7fffe3, 23},   {0x7fffe4, 23},  {0x1fffdc, 21},  {0x3fffd8, 22},   {0x7fffe5, 23},
     {0x3fffd9, 22},  {0x7fffe6, 23},   {0x7fffe7, 23},  {0xffffef, 24},  {0x3fffda, 22},   {0x1fffdd, 21},
     {0xfffe9, 20},   {0x3fffdb, 22},   {0x3fffdc, 22},  {0x7fffe8, 23},  {0x7fffe9, 23},   {0x1fffde, 21},
     {0x7fffea, 23},  {0x3fffdd, 22},   {0x3fffde, 22},  {0xfffff0, 24},  {0x1fffdf, 21},   {0x3fffdf, 22},
     {0x7fffeb, 23},  {0x7fffec, 23},   {0x1fffe0, 21},  {0x1fffe1, 21},  {0x3fffe0, 22},   {0x1fffe2, 21},
     {0x7fffed, 23},  {0x3fffe1, 22},   {0x7fffee, 23},  {0x7fffef, 23},  {0xfffea, 20},    {0x3fffe2, 22},
     {0x3fffe3, 22},  {0x3fffe4, 22},   {0x7ffff0, 23},  {0x3fffe5, 22},  {0x3fffe6, 22},   {0x7ffff1, 23},
     {0x3ffffe0, 26}, {0x3ffffe1, 26},  {0xfffeb, 20},   {0x7fff1, 19},   {0x3fffe7, 22},   {0x7ffff2, 23},
     {0x3fffe8, 22},  {0x1ffffec, 25},  {0x3ffffe2, 26}, {0x3ffffe3, 26}, {0x3ffffe4, 26},  {0x7ffffde, 27},
     {0x7ffffdf, 27}, {0x3ffffe5, 26},  {0xfffff1, 24},  {0x1ffffed, 25}, {0x7fff2, 19},    {0x1fffe3, 21},
     {0x3ffffe6, 26}, {0x7ffffe0, 27},  {0x7ffffe1, 27}, {0x3ffffe7, 26}, {0x7ffffe2, 27},  {0xfffff2, 24},
     {0x1fffe4, 21},  {0x1fffe5, 21},   {0x3ffffe8, 26}, {0x3ffffe9, 26}, {0xffffffd, 28},  {0x7ffffe3, 27},
     {0x7ffffe4, 27}, {0x7ffffe5, 27},  {0xfffec, 20},   {0xfffff3, 24},  {0xfffed, 20},    {0x1fffe6, 21},
     {0x3fffe9, 22},  {0x1fffe7, 21},   {0x1fffe8, 21},  {0x7ffff3, 23},  {0x3fffea, 22},   {0x3fffeb, 22},
     {0x1ffffee, 25}, {0x1ffffef, 25},  {0xfffff4, 24},  {0xfffff5, 24},  {0x3ffffea, 26},  {0x7ffff4, 23},
     {0x3ffffeb, 26}, {0x7ffffe6, 27},  {0x3ffffec, 26}, {0x3ffffed, 26}, {0x7ffffe7, 27},  {0x7ffffe8, 27},
     {0x7ffffe9, 27}, {0x7ffffea, 27},  {0x7ffffeb, 27}, {0xffffffe, 28}, {0x7ffffec, 27},  {0x7ffffed, 27},
     {0x7ffffee, 27}, {0x7ffffef, 27},  {0x7fffff0, 27}, {0x3ffffee, 26}, {0x3fffffff, 30}}};
constexpr std::size_t kEos = 256;

// Packs bits most significant first; finish() pads the last octet with ones (the high bits of EOS).
class BitWriter {
 public:
  void append(std::uint32_t bits, int length) {
    for (int i = length - 1; i >= 0; --i) push(((bits >> i) & 1u) != 0);
  }
  void append(std::string_view ones_and_zeros) {
    for (char c : ones_and_zeros) push(c == '1');
  }
  void append_symbol(std::size_t symbol) { append(kCodes[symbol].bits, kCodes[symbol].length); }
  std::vector<std::byte> finish() {
    while (used_ != 0) push(true);
    return bytes_;
  }
  int pending_bits() const { return used_; }

 private:
  void push(bool bit) {
    if (used_ == 0) bytes_.push_back(std::byte{0});
    if (bit) bytes_.back() |= static_cast<std::byte>(0x80u >> used_);
    used_ = (used_ + 1) % 8;
  }
  std::vector<std::byte> bytes_;
  int used_ = 0;
};

std::vector<std::byte> reference_encode(std::string_view text) {
  BitWriter writer;
  for (char c : text) writer.append_symbol(static_cast<unsigned char>(c));
  return writer.finish();
}

std::vector<std::byte> encode(std::string_view text) {
  std::vector<std::byte> out(huffman_encoded_size(text));
  const std::size_t written = huffman_encode(text, out.data());
  EXPECT_EQ(written, out.size()) << "huffman_encode and huffman_encoded_size disagree";
  out.resize(std::min(written, out.size()));
  return out;
}

Result<std::string, DecodeError> decode(std::span<const std::byte> in) {
  std::string out(huffman_decoded_size_bound(in.size()), '\0');
  auto result = huffman_decode(in, out.data());
  if (!result.ok()) return Unexpected{result.error()};
  EXPECT_LE(*result, out.size());
  out.resize(*result);
  return out;
}

std::string random_string(std::mt19937& rng, std::size_t length, bool ascii_only) {
  std::string text(length, '\0');
  for (char& c : text) {
    c = static_cast<char>(ascii_only ? 0x20 + rng() % 0x5f : rng() % 256);
  }
  return text;
}

// RFC 7541 Appendix C.4 and C.6.
const std::vector<std::pair<std::string, std::string>> kRfcVectors = {
    {"www.example.com", "f1e3c2e5f23a6ba0ab90f4ff"},
    {"no-cache", "a8eb10649cbf"},
    {"custom-key", "25a849e95ba97d7f"},
    {"custom-value", "25a849e95bb8e8b4bf"},
    {"302", "6402"},
    {"307", "640eff"},
    {"private", "aec3771a4b"},
    {"Mon, 21 Oct 2013 20:13:21 GMT", "d07abe941054d444a8200595040b8166e082a62d1bff"},
    {"Mon, 21 Oct 2013 20:13:22 GMT", "d07abe941054d444a8200595040b8166e084a62d1bff"},
    {"https://www.example.com", "9d29ad171863c78f0b97c8e9ae82ae43d3"},
    {"gzip", "9bd9ab"},
    {"foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
     "94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007"},
};

// HP-5.2-02 (RFC 7541 §5.2 / App. B), vectors of Appendix C.4 and C.6
TEST(HuffmanTest, EncodesRfcVectorsWhenStringsAreFromAppendixC) {
  for (const auto& [text, expected] : kRfcVectors) {
    SCOPED_TRACE(text);
    EXPECT_EQ(hex_of(encode(text)), expected);
    EXPECT_EQ(huffman_encoded_size(text), expected.size() / 2);
  }
}

// HP-5.2-02 (RFC 7541 §5.2 / App. B), vectors of Appendix C.4 and C.6
TEST(HuffmanTest, DecodesRfcVectorsWhenStringsAreFromAppendixC) {
  for (const auto& [text, encoded] : kRfcVectors) {
    SCOPED_TRACE(text);
    auto decoded = decode(hex(encoded));
    ASSERT_TRUE(decoded.ok()) << to_string(decoded.error());
    EXPECT_EQ(*decoded, text);
  }
}

// HP-5.2-02 (RFC 7541 App. B): every symbol's code, padded with ones
TEST(HuffmanTest, EncodesAppendixBCodeWhenStringIsOneOctet) {
  for (int c = 0; c < 256; ++c) {
    const std::string text(1, static_cast<char>(c));
    SCOPED_TRACE(::testing::Message() << "octet " << c);
    EXPECT_EQ(hex_of(encode(text)), hex_of(reference_encode(text)));
    // Eight copies of a symbol take exactly its code length in octets.
    EXPECT_EQ(huffman_encoded_size(std::string(8, static_cast<char>(c))),
              static_cast<std::size_t>(kCodes[static_cast<std::size_t>(c)].length));
  }
}

// HP-5.2-02 (RFC 7541 App. B)
TEST(HuffmanTest, RoundTripsEveryOctetWhenStringIsOneOctet) {
  for (int c = 0; c < 256; ++c) {
    const std::string text(1, static_cast<char>(c));
    SCOPED_TRACE(::testing::Message() << "octet " << c);
    auto decoded = decode(encode(text));
    ASSERT_TRUE(decoded.ok()) << to_string(decoded.error());
    EXPECT_EQ(*decoded, text);
  }
}

// HP-5.2-02 (RFC 7541 App. B)
TEST(HuffmanTest, RoundTripsWhenStringHoldsAllOctetsInOrder) {
  std::string text;
  for (int c = 0; c < 256; ++c) text.push_back(static_cast<char>(c));
  for (int c = 255; c >= 0; --c) text.push_back(static_cast<char>(c));
  EXPECT_EQ(hex_of(encode(text)), hex_of(reference_encode(text)));
  auto decoded = decode(encode(text));
  ASSERT_TRUE(decoded.ok()) << to_string(decoded.error());
  EXPECT_EQ(*decoded, text);
}

// HP-5.2-02 (RFC 7541 App. B)
TEST(HuffmanTest, RoundTripsWhenStringsAreRandom) {
  std::mt19937 rng(20160501);
  for (int i = 0; i < 3000; ++i) {
    const bool ascii_only = i % 2 == 0;
    const std::string text = random_string(rng, rng() % 300, ascii_only);
    const std::vector<std::byte> encoded = encode(text);
    ASSERT_EQ(hex_of(encoded), hex_of(reference_encode(text))) << "string #" << i;
    ASSERT_EQ(encoded.size(), huffman_encoded_size(text));
    auto decoded = decode(encoded);
    ASSERT_TRUE(decoded.ok()) << "string #" << i << ": " << to_string(decoded.error());
    ASSERT_EQ(*decoded, text) << "string #" << i;
  }
}

// HP-5.2-02 (RFC 7541 §5.2)
TEST(HuffmanTest, MatchesEncodedLengthWhenSizeIsComputed) {
  EXPECT_EQ(huffman_encoded_size(""), 0u);
  EXPECT_EQ(huffman_encoded_size("a"), 1u);                                      // 5 bits
  EXPECT_EQ(huffman_encoded_size("aaaaaaaa"), 5u);                               // 40 bits
  EXPECT_EQ(huffman_encoded_size(std::string(1, '\0')), 2u);                     // 13 bits
  EXPECT_EQ(huffman_encoded_size(std::string(1, static_cast<char>(0xff))), 4u);  // 26 bits
  EXPECT_EQ(huffman_encoded_size("&*,;XZ"), 6u);                                 // six 8-bit codes
  std::mt19937 rng(42);
  for (int i = 0; i < 500; ++i) {
    const std::string text = random_string(rng, rng() % 100, false);
    std::vector<std::byte> out(huffman_encoded_size(text) + 8, std::byte{0xab});
    const std::size_t written = huffman_encode(text, out.data());
    ASSERT_EQ(written, huffman_encoded_size(text)) << "string #" << i;
    ASSERT_EQ(written, reference_encode(text).size()) << "string #" << i;
    // Nothing is written past the announced size.
    for (std::size_t j = written; j < out.size(); ++j) ASSERT_EQ(out[j], std::byte{0xab}) << "string #" << i;
  }
}

// HP-5.2-02 (RFC 7541 §5.2)
TEST(HuffmanTest, DecodesEmptyStringWhenInputIsEmpty) {
  auto decoded = decode({});
  ASSERT_TRUE(decoded.ok()) << to_string(decoded.error());
  EXPECT_EQ(*decoded, "");
  EXPECT_EQ(encode("").size(), 0u);
}

// HP-5.2-02 (RFC 7541 §5.2): "A Huffman-encoded string literal containing the EOS symbol MUST be treated as a
// decoding error."
TEST(HuffmanTest, FailsWithEosWhenEosSymbolIsInsideString) {
  BitWriter middle;  // 'a' EOS 'a': 5 + 30 + 5 = 40 bits, no padding
  middle.append_symbol('a');
  middle.append_symbol(kEos);
  middle.append_symbol('a');
  ASSERT_EQ(middle.pending_bits(), 0);
  const auto middle_bytes = middle.finish();
  auto decoded = decode(middle_bytes);
  ASSERT_FALSE(decoded.ok()) << "decoded " << *decoded << " from " << hex_of(middle_bytes);
  EXPECT_EQ(decoded.error(), DecodeError::huffman_eos) << hex_of(middle_bytes);

  BitWriter first;  // EOS 'a' 'a' = 40 bits
  first.append_symbol(kEos);
  first.append_symbol('a');
  first.append_symbol('a');
  const auto first_bytes = first.finish();
  decoded = decode(first_bytes);
  ASSERT_FALSE(decoded.ok()) << hex_of(first_bytes);
  EXPECT_EQ(decoded.error(), DecodeError::huffman_eos) << hex_of(first_bytes);

  BitWriter last;  // 'a' 'a' 'a' EOS '0' + 6 bits of padding
  last.append_symbol('a');
  last.append_symbol('a');
  last.append_symbol('a');
  last.append_symbol(kEos);
  last.append_symbol('0');
  const auto last_bytes = last.finish();
  decoded = decode(last_bytes);
  ASSERT_FALSE(decoded.ok()) << hex_of(last_bytes);
  EXPECT_EQ(decoded.error(), DecodeError::huffman_eos) << hex_of(last_bytes);
}

// HP-5.2-02 (RFC 7541 §5.2): "A padding strictly longer than 7 bits MUST be treated as a decoding error."
TEST(HuffmanTest, FailsWithPaddingTooLongWhenWholeOctetOfOnesFollows) {
  // 'a' (00011) + 3 bits of padding, then a whole octet of ones: 11 bits of padding.
  auto decoded = decode(hex("1fff"));
  ASSERT_FALSE(decoded.ok()) << "decoded " << *decoded;
  EXPECT_EQ(decoded.error(), DecodeError::huffman_padding_too_long);

  // "www.example.com" (89 bits of code, 7 of padding) with an extra octet of ones: 15 bits.
  decoded = decode(hex("f1e3c2e5f23a6ba0ab90f4ffff"));
  ASSERT_FALSE(decoded.ok()) << "decoded " << *decoded;
  EXPECT_EQ(decoded.error(), DecodeError::huffman_padding_too_long);

  // Nothing but padding.
  decoded = decode(hex("ff"));
  ASSERT_FALSE(decoded.ok()) << "decoded " << *decoded;
  EXPECT_EQ(decoded.error(), DecodeError::huffman_padding_too_long);

  // 'a' + 3 bits of padding + two octets of ones: 19 bits.
  decoded = decode(hex("1fffff"));
  ASSERT_FALSE(decoded.ok()) << "decoded " << *decoded;
  EXPECT_EQ(decoded.error(), DecodeError::huffman_padding_too_long);
}

// HP-5.2-02 (RFC 7541 §5.2): "A padding not corresponding to the most significant bits of the code for the EOS
// symbol MUST be treated as a decoding error."
TEST(HuffmanTest, FailsWithPaddingNotOnesWhenPaddingHasZeroBits) {
  for (const char* bad : {"18", "1e", "1d", "1c"}) {  // 'a' followed by 000, 110, 101, 100
    SCOPED_TRACE(bad);
    auto decoded = decode(hex(bad));
    ASSERT_FALSE(decoded.ok()) << "decoded " << *decoded;
    EXPECT_EQ(decoded.error(), DecodeError::huffman_padding_not_ones);
  }
  // "www.example.com" ends in 7 bits of padding; clearing the last one makes the padding 1111110.
  auto decoded = decode(hex("f1e3c2e5f23a6ba0ab90f4fe"));
  ASSERT_FALSE(decoded.ok()) << "decoded " << *decoded;
  EXPECT_EQ(decoded.error(), DecodeError::huffman_padding_not_ones);
}

// HP-5.2-02 (RFC 7541 §5.2)
TEST(HuffmanTest, AcceptsPaddingWhenItIsUpToSevenOnes) {
  // n times 'a' (5 bits each) leaves 3, 6, 1, 4, 7, 2, 5, 0 bits of padding for n = 1..8.
  for (int symbols = 1; symbols <= 8; ++symbols) {
    const std::string text(static_cast<std::size_t>(symbols), 'a');
    BitWriter writer;
    for (char c : text) writer.append_symbol(static_cast<unsigned char>(c));
    const auto bytes = writer.finish();
    auto decoded = decode(bytes);
    ASSERT_TRUE(decoded.ok()) << hex_of(bytes) << ": " << to_string(decoded.error());
    EXPECT_EQ(*decoded, text);
  }
}

}  // namespace
}  // namespace h2push::hpack
