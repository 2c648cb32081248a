// tests/http1/body_decoder_test.cpp: Content-Length and chunked bodies (RFC 9112 §6.2, §7.1), whole and split.
#include "http1/body_decoder.hpp"

#include <gtest/gtest.h>

#include <string>

#include "http1/http1_test_util.hpp"

namespace h2push::http1::detail {
namespace {

using testing::bytes;
using testing::text;

struct Decoded {
  std::string body;
  bool end = false;
  std::optional<ParseError> error;
  std::size_t consumed = 0;
};

// Feeds `input` in pieces of `piece` octets until the end, an error or the input runs out.
Decoded decode(BodyDecoder& d, std::string_view input, std::size_t piece = SIZE_MAX) {
  Decoded out;
  std::size_t at = 0;
  while (at < input.size() && !out.end && !out.error) {
    const std::string part(input.substr(at, std::min(piece, input.size() - at)));
    std::size_t used = 0;
    while (used < part.size() && !out.end && !out.error) {
      const BodyStep step = d.feed(bytes(std::string_view(part).substr(used)));
      out.body += text(step.data);
      used += step.consumed;
      out.end = step.end;
      out.error = step.error;
      if (step.consumed == 0) break;
    }
    at += used;
    if (used < part.size()) break;
  }
  out.consumed = at;
  return out;
}

Decoded chunked(std::string_view input, std::size_t piece = SIZE_MAX, std::uint64_t max_body = 1 << 20,
                std::size_t max_extension = 64) {
  BodyDecoder d;
  d.start_chunked(max_body, max_extension);
  return decode(d, input, piece);
}

TEST(BodyDecoderTest, DecodesAContentLengthBodyAndStopsAtItsEnd) {
  BodyDecoder d;
  d.start_content_length(5);
  const Decoded out = decode(d, "helloGET /");
  EXPECT_EQ(out.body, "hello");
  EXPECT_TRUE(out.end);
  EXPECT_EQ(out.consumed, 5u);
  EXPECT_EQ(d.received(), 5u);
}

TEST(BodyDecoderTest, DecodesChunksAndStopsAfterTheLastChunkLine) {
  const Decoded out = chunked("5\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: x\r\n\r\n");
  EXPECT_EQ(out.body, "helloabcdefghijklmnopqrstuvwxyz");
  EXPECT_TRUE(out.end);
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.consumed, 45u);  // up to "0\r\n": the trailer section is the scanner's
}

TEST(BodyDecoderTest, GivesTheSameBodyForEverySplitPosition) {
  const std::string input = "3;name=value\r\nabc\r\n0010\r\n0123456789abcdef\r\n2 ; x\r\nXY\r\n000\r\n";
  for (std::size_t split = 1; split < input.size(); ++split) {
    BodyDecoder d;
    d.start_chunked(1 << 20, 64);
    Decoded out;
    for (std::string_view part : {std::string_view(input).substr(0, split), std::string_view(input).substr(split)}) {
      const std::string copy(part);
      const Decoded piece = decode(d, copy);
      out.body += piece.body;
      out.end = out.end || piece.end;
      if (piece.error) out.error = piece.error;
    }
    EXPECT_EQ(out.body, "abc0123456789abcdefXY") << split;
    EXPECT_TRUE(out.end) << split;
    EXPECT_FALSE(out.error) << split;
  }
  const Decoded bytewise = chunked(input, 1);
  EXPECT_EQ(bytewise.body, "abc0123456789abcdefXY");
  EXPECT_TRUE(bytewise.end);
}

TEST(BodyDecoderTest, RefusesMalformedChunkFraming) {
  EXPECT_EQ(chunked("\r\n").error, ParseError::invalid_chunk_size);
  EXPECT_EQ(chunked("x\r\n").error, ParseError::invalid_chunk_size);
  EXPECT_EQ(chunked("0x5\r\nhello\r\n").error, ParseError::invalid_chunk_size);
  EXPECT_EQ(chunked("-5\r\n").error, ParseError::invalid_chunk_size);
  EXPECT_EQ(chunked("5 \r\nhello\r\n").error, ParseError::invalid_chunk_extension);
  EXPECT_EQ(chunked("5\nhello\r\n").error, ParseError::bare_lf);
  EXPECT_EQ(chunked("5\rhello\r\n").error, ParseError::bare_cr);
  EXPECT_EQ(chunked("5;a\nb\r\nhello\r\n").error, ParseError::bare_lf);
  EXPECT_EQ(chunked("5;a\x01\r\nhello\r\n").error, ParseError::invalid_chunk_extension);
  EXPECT_EQ(chunked("5\r\nhelloX\r\n").error, ParseError::missing_chunk_crlf);
  EXPECT_EQ(chunked("5\r\nhello\rX").error, ParseError::missing_chunk_crlf);
  EXPECT_EQ(chunked("5\r\nhello\n0\r\n").error, ParseError::missing_chunk_crlf);
}

TEST(BodyDecoderTest, RefusesChunkSizesOverSixteenDigits) {
  EXPECT_EQ(chunked("fffffffffffffffff\r\n").error, ParseError::chunk_size_overflow);
  EXPECT_EQ(chunked("00000000000000001\r\n").error, ParseError::chunk_size_overflow);
  EXPECT_EQ(chunked("ffffffffffffffff\r\n", SIZE_MAX, UINT64_MAX).error, std::nullopt);
}

TEST(BodyDecoderTest, RefusesChunkExtensionsOverTheLimit) {
  EXPECT_FALSE(chunked("1;" + std::string(63, 'a') + "\r\nx\r\n0\r\n", SIZE_MAX, 1 << 20, 64).error);
  EXPECT_EQ(chunked("1;" + std::string(64, 'a') + "\r\nx\r\n", SIZE_MAX, 1 << 20, 64).error,
            ParseError::chunk_extension_too_long);
  EXPECT_EQ(chunked("1" + std::string(100, ' ') + ";a\r\nx\r\n", SIZE_MAX, 1 << 20, 64).error,
            ParseError::chunk_extension_too_long);
}

TEST(BodyDecoderTest, RefusesChunksPastTheBodyLimitBeforeTheirData) {
  EXPECT_FALSE(chunked("5\r\nhello\r\n5\r\nworld\r\n0\r\n", SIZE_MAX, 10).error);
  const Decoded out = chunked("5\r\nhello\r\n6\r\n", SIZE_MAX, 10);
  EXPECT_EQ(out.error, ParseError::body_too_large);
  EXPECT_EQ(out.body, "hello");
}

}  // namespace
}  // namespace h2push::http1::detail
