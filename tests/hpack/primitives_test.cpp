// tests/hpack/primitives_test.cpp: RFC 7541 §5.1 prefix integers (src/hpack/primitives.hpp).
#include "hpack/primitives.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "hpack_test_util.hpp"

namespace h2push::hpack::detail {
namespace {

using Octets = std::vector<std::uint8_t>;

constexpr std::uint64_t kTwoTo32 = std::uint64_t{1} << 32;

std::uint32_t prefix_max(int prefix_bits) { return (1u << prefix_bits) - 1; }

// Our own reading of RFC 7541 §5.1, written independently of the code under test and able to encode values above
// 2^32-1 so that the decoder's overflow check can be fed.
Octets reference_encode(std::uint64_t value, int prefix_bits, std::uint8_t pattern = 0) {
  const std::uint64_t max_prefix = prefix_max(prefix_bits);
  Octets out;
  if (value < max_prefix) {
    out.push_back(static_cast<std::uint8_t>(pattern | value));
    return out;
  }
  out.push_back(static_cast<std::uint8_t>(pattern | max_prefix));
  value -= max_prefix;
  while (value >= 128) {
    out.push_back(static_cast<std::uint8_t>(0x80 | (value % 128)));
    value /= 128;
  }
  out.push_back(static_cast<std::uint8_t>(value));
  return out;
}

Octets encode(std::uint32_t value, int prefix_bits, std::uint8_t pattern = 0) {
  std::vector<std::byte> bytes;
  encode_integer(value, prefix_bits, pattern, bytes);
  Octets out;
  for (std::byte b : bytes) out.push_back(std::to_integer<std::uint8_t>(b));
  return out;
}

struct Decoded {
  std::optional<std::uint32_t> value;
  std::optional<DecodeError> error;
  std::size_t consumed = 0;
};

// Decodes from the first `length` octets of `octets` (all of them by default).
Decoded decode(const Octets& octets, int prefix_bits, std::optional<std::size_t> length = std::nullopt) {
  const std::uint8_t* begin = octets.data();
  const std::uint8_t* pos = begin;
  const std::uint8_t* end = begin + length.value_or(octets.size());
  auto result = decode_integer(pos, end, prefix_bits);
  Decoded decoded;
  if (result.ok()) {
    decoded.value = *result;
  } else {
    decoded.error = result.error();
  }
  decoded.consumed = static_cast<std::size_t>(pos - begin);
  return decoded;
}

// Interesting values around each prefix's boundaries, plus the largest 32-bit values.
std::vector<std::uint32_t> edge_values(int prefix_bits) {
  const std::uint32_t max = prefix_max(prefix_bits);
  std::vector<std::uint32_t> values = {0,         1,          max - 1,     max,         max + 1,  max + 126,
                                       max + 127, max + 128,  max + 16383, max + 16384, 1u << 21, (1u << 28) - 1,
                                       1u << 28,  0x7fffffff, 0xfffffffe,  0xffffffff};
  return values;
}

// HP-5.1-01 (RFC 7541 §5.1), example C.1.1
TEST(PrimitivesTest, EncodesTenInOneOctetWhenPrefixIsFiveBits) {
  EXPECT_EQ(encode(10, 5), (Octets{0x0a}));
  EXPECT_EQ(encode(10, 5, 0xe0), (Octets{0xea}));
}

// HP-5.1-01 (RFC 7541 §5.1), example C.1.2
TEST(PrimitivesTest, EncodesContinuationOctetsWhenValueExceedsFiveBitPrefix) {
  EXPECT_EQ(encode(1337, 5), (Octets{0x1f, 0x9a, 0x0a}));
}

// HP-5.1-01 (RFC 7541 §5.1), example C.1.3
TEST(PrimitivesTest, EncodesFortyTwoInOneOctetWhenPrefixIsEightBits) { EXPECT_EQ(encode(42, 8), (Octets{0x2a})); }

// HP-5.1-01 (RFC 7541 §5.1), examples C.1.1-C.1.3
TEST(PrimitivesTest, DecodesRfcExamplesWhenPatternBitsAreSet) {
  Decoded ten = decode(Octets{0xea}, 5);
  EXPECT_EQ(ten.value, 10u);
  EXPECT_EQ(ten.consumed, 1u);

  Decoded leet = decode(Octets{0xff, 0x9a, 0x0a}, 5);
  EXPECT_EQ(leet.value, 1337u);
  EXPECT_EQ(leet.consumed, 3u);

  Decoded answer = decode(Octets{0x2a}, 8);
  EXPECT_EQ(answer.value, 42u);
  EXPECT_EQ(answer.consumed, 1u);
}

// HP-5.1-01 (RFC 7541 §5.1)
TEST(PrimitivesTest, MatchesReferenceEncodingWhenPrefixIsOneToEight) {
  for (int prefix = 1; prefix <= 8; ++prefix) {
    const auto pattern = static_cast<std::uint8_t>((0xffu << prefix) & 0xffu);
    for (std::uint32_t value : edge_values(prefix)) {
      SCOPED_TRACE(::testing::Message() << "prefix " << prefix << " value " << value);
      EXPECT_EQ(encode(value, prefix), reference_encode(value, prefix));
      EXPECT_EQ(encode(value, prefix, pattern), reference_encode(value, prefix, pattern));
    }
  }
}

// HP-5.1-01 (RFC 7541 §5.1)
TEST(PrimitivesTest, EncodesInPrefixWhenValueIsBelowPrefixMaximum) {
  for (int prefix = 1; prefix <= 8; ++prefix) {
    const std::uint32_t max = prefix_max(prefix);
    SCOPED_TRACE(::testing::Message() << "prefix " << prefix);
    EXPECT_EQ(encode(max - 1, prefix).size(), 1u);
    EXPECT_EQ(encode(max, prefix), (Octets{static_cast<std::uint8_t>(max), 0x00}));
    EXPECT_EQ(encode(max + 127, prefix), (Octets{static_cast<std::uint8_t>(max), 0x7f}));
    EXPECT_EQ(encode(max + 128, prefix), (Octets{static_cast<std::uint8_t>(max), 0x80, 0x01}));
  }
}

// HP-5.1-01 (RFC 7541 §5.1)
TEST(PrimitivesTest, RoundTripsEdgeValuesWhenPrefixIsOneToEight) {
  for (int prefix = 1; prefix <= 8; ++prefix) {
    const auto pattern = static_cast<std::uint8_t>((0xffu << prefix) & 0xffu);
    for (std::uint32_t value : edge_values(prefix)) {
      SCOPED_TRACE(::testing::Message() << "prefix " << prefix << " value " << value);
      Octets octets = encode(value, prefix, pattern);
      const std::size_t length = octets.size();
      octets.push_back(0xff);  // a following representation must not be read
      Decoded decoded = decode(octets, prefix);
      EXPECT_EQ(decoded.value, value);
      EXPECT_EQ(decoded.error, std::nullopt);
      EXPECT_EQ(decoded.consumed, length);
    }
  }
}

// HP-5.1-01 (RFC 7541 §5.1)
TEST(PrimitivesTest, RoundTripsRandomValuesWhenPrefixIsOneToEight) {
  std::mt19937 rng(7541);
  for (int i = 0; i < 20000; ++i) {
    const int prefix = 1 + static_cast<int>(rng() % 8);
    // Spread over all magnitudes rather than mostly huge numbers.
    const std::uint32_t bits = 1 + rng() % 32;
    const std::uint32_t value =
        bits == 32 ? static_cast<std::uint32_t>(rng()) : static_cast<std::uint32_t>(rng()) % (1u << bits);
    const Octets octets = encode(value, prefix);
    ASSERT_EQ(octets, reference_encode(value, prefix)) << "prefix " << prefix << " value " << value;
    const Decoded decoded = decode(octets, prefix);
    ASSERT_EQ(decoded.value, value) << "prefix " << prefix;
    ASSERT_EQ(decoded.consumed, octets.size());
  }
}

// HP-5.1-01 (RFC 7541 §5.1): we cap integers at 2^32-1
TEST(PrimitivesTest, DecodesMaximumWhenValueIsTwoToThe32MinusOne) {
  for (int prefix = 1; prefix <= 8; ++prefix) {
    SCOPED_TRACE(::testing::Message() << "prefix " << prefix);
    const Octets octets = reference_encode(kMaxInteger, prefix);
    const Decoded decoded = decode(octets, prefix);
    EXPECT_EQ(decoded.value, 0xffffffffu);
    EXPECT_EQ(decoded.consumed, octets.size());
  }
}

// HP-5.1-01 (RFC 7541 §5.1): we cap integers at 2^32-1
TEST(PrimitivesTest, FailsWithOverflowWhenValueExceeds32Bits) {
  for (int prefix = 1; prefix <= 8; ++prefix) {
    for (std::uint64_t value : {kTwoTo32, kTwoTo32 + 1, kTwoTo32 * 2, (std::uint64_t{1} << 34) + 12345}) {
      SCOPED_TRACE(::testing::Message() << "prefix " << prefix << " value " << value);
      const Decoded decoded = decode(reference_encode(value, prefix), prefix);
      EXPECT_EQ(decoded.value, std::nullopt);
      EXPECT_EQ(decoded.error, DecodeError::integer_overflow);
    }
  }
}

// HP-5.1-01 (RFC 7541 §5.1): an octet count beyond our limit, even when the value itself is small
TEST(PrimitivesTest, FailsWithOverflowWhenContinuationOctetsAreTooMany) {
  // 31 followed by six continuation octets (zero padding): longer than any 32-bit value needs.
  const Decoded five_bit = decode(Octets{0x1f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 5);
  EXPECT_EQ(five_bit.error, DecodeError::integer_overflow);
  const Decoded eight_bit = decode(Octets{0xff, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 8);
  EXPECT_EQ(eight_bit.error, DecodeError::integer_overflow);
  // A long run of continuation octets without an end is refused, not read to the block's end.
  Octets endless = {0x7f};
  endless.insert(endless.end(), 64, 0x80);
  endless.push_back(0x00);
  EXPECT_EQ(decode(endless, 7).error, DecodeError::integer_overflow);
}

// HP-5.1-01 (RFC 7541 §5.1): primitives.hpp documents that five continuation octets (35 bits) are accepted
TEST(PrimitivesTest, AcceptsZeroPaddingWhenWithinFiveContinuationOctets) {
  const Decoded decoded = decode(Octets{0x1f, 0x80, 0x80, 0x80, 0x80, 0x00}, 5);
  EXPECT_EQ(decoded.value, 31u);
  EXPECT_EQ(decoded.consumed, 6u);
}

// HP-5.1-01 (RFC 7541 §5.1)
TEST(PrimitivesTest, FailsWithTruncatedIntegerWhenBlockEndsInsideIt) {
  for (int prefix = 1; prefix <= 8; ++prefix) {
    for (std::uint32_t value : edge_values(prefix)) {
      const Octets octets = encode(value, prefix);
      for (std::size_t length = 1; length < octets.size(); ++length) {
        SCOPED_TRACE(::testing::Message() << "prefix " << prefix << " value " << value << " cut at " << length);
        const Decoded decoded = decode(octets, prefix, length);
        EXPECT_EQ(decoded.value, std::nullopt);
        EXPECT_EQ(decoded.error, DecodeError::truncated_integer);
      }
    }
  }
}

}  // namespace
}  // namespace h2push::hpack::detail
