// tests/http2/frame_reader_test.cpp: src/http2/frame_reader.cpp, fed whole, split and byte by byte.
#include "http2/frame_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "frame_builder.hpp"

namespace h2push::http2 {
namespace {

using test::bytes_of;
using test::ByteVector;
using test::FrameBuilder;
using test::from_hex;
using Bytes = std::span<const std::byte>;

struct ReadFrame {
  FrameHeader header;
  ByteVector payload;
  friend bool operator==(const ReadFrame&, const ReadFrame&) = default;
};

// Feeds each chunk in turn, reading until the chunk is used up. Payload spans are copied only once the chunk is
// exhausted, which checks the reader's lifetime promise (frames from one input live until the next input).
struct Collected {
  std::vector<ReadFrame> frames;
  std::optional<FrameError> error;
};

Collected feed(FrameReader& reader, const std::vector<Bytes>& chunks) {
  Collected out;
  for (Bytes chunk : chunks) {
    std::vector<FrameView> views;
    while (true) {
      auto r = reader.read(chunk);
      if (!r) {
        out.error = r.error();
        return out;
      }
      if (!r.value()) break;
      views.push_back(*r.value());
    }
    EXPECT_TRUE(chunk.empty());
    for (const FrameView& v : views) out.frames.push_back({v.header, ByteVector(v.payload.begin(), v.payload.end())});
  }
  return out;
}

Collected feed_whole(Bytes bytes, const FrameReaderOptions& options = {}) {
  FrameReader reader(options);
  return feed(reader, {bytes});
}

// A stream with every shape that matters: empty payloads, padding, priority fields, an unknown type, the reserved
// bit set, and a payload larger than any small split.
const FrameBuilder& sample_stream() {
  static const FrameBuilder stream = [] {
    FrameBuilder b;
    b.settings({{0x3, 100}, {0x4, 1 << 20}})
        .settings_ack()
        .headers(1, from_hex("828684418aa0e41d139d09b8f01e07"), 0x5, std::uint8_t{3}, std::pair{0x80000000U, 15})
        .data(1, std::string(300, 'b'))
        .ping(0x0102030405060708)
        .frame(0x42, 0xff, 0x80000001, bytes_of("extension"))
        .window_update(0, 1000)
        .data(1, "", 0x1)
        .goaway(1, 0, "done");
    return b;
  }();
  return stream;
}

// ---- whole and split input -------------------------------------------------------------------------------------

TEST(FrameReaderTest, YieldsEveryFrameWhenInputIsWhole) {
  const Collected got = feed_whole(sample_stream().span());
  ASSERT_FALSE(got.error.has_value());
  ASSERT_EQ(got.frames.size(), 9U);
  EXPECT_EQ(got.frames[0].header.type, FrameType::settings);
  EXPECT_EQ(got.frames[1].header, (FrameHeader{0, FrameType::settings, kAck, StreamId(0)}));
  EXPECT_EQ(got.frames[2].header.flags, kEndStream | kEndHeaders | kPadded | kPriority);
  EXPECT_EQ(got.frames[3].payload.size(), 300U);
  EXPECT_EQ(got.frames[5].header, (FrameHeader{9, static_cast<FrameType>(0x42), 0xff, StreamId(1)}));
  EXPECT_EQ(got.frames[7].header.length, 0U);
  EXPECT_EQ(got.frames[8].header.type, FrameType::goaway);
}

TEST(FrameReaderTest, YieldsSameFramesWhenInputIsSplitAtEveryPosition) {
  const Bytes all = sample_stream().span();
  const Collected whole = feed_whole(all);
  for (std::size_t k = 0; k <= all.size(); ++k) {
    FrameReader reader;
    const Collected split = feed(reader, {all.first(k), all.subspan(k)});
    ASSERT_FALSE(split.error.has_value()) << k;
    EXPECT_EQ(split.frames, whole.frames) << "split at " << k;
    EXPECT_EQ(reader.pending_octets(), 0U);
  }
}

TEST(FrameReaderTest, YieldsSameFramesWhenInputIsSplitAtEveryPairOfPositions) {
  const Bytes all = sample_stream().span();
  const Collected whole = feed_whole(all);
  for (std::size_t i = 0; i <= all.size(); ++i) {
    for (std::size_t j = i; j <= all.size(); ++j) {
      FrameReader reader;
      const Collected split = feed(reader, {all.first(i), all.subspan(i, j - i), all.subspan(j)});
      ASSERT_EQ(split.frames, whole.frames) << "split at " << i << " and " << j;
    }
  }
}

TEST(FrameReaderTest, YieldsSameFramesWhenFedOneOctetAtATime) {
  const Bytes all = sample_stream().span();
  std::vector<Bytes> chunks;
  for (std::size_t i = 0; i < all.size(); ++i) chunks.push_back(all.subspan(i, 1));
  FrameReader reader;
  const Collected got = feed(reader, chunks);
  EXPECT_EQ(got.frames, feed_whole(all).frames);
}

TEST(FrameReaderTest, PointsIntoInputWhenFrameIsWhole) {
  const FrameBuilder wire = FrameBuilder().data(1, "zero copy").data(3, "again");
  FrameReader reader;
  Bytes input = wire.span();
  auto first = reader.read(input);
  ASSERT_TRUE(first.ok() && first.value().has_value());
  EXPECT_EQ(first.value()->payload.data(), wire.span().data() + kFrameHeaderSize);
  EXPECT_EQ(input.size(), wire.size() - kFrameHeaderSize - 9);  // read() stops after one frame
  auto second = reader.read(input);
  ASSERT_TRUE(second.ok() && second.value().has_value());
  EXPECT_EQ(second.value()->payload.data(), wire.span().data() + 2 * kFrameHeaderSize + 9);
  EXPECT_TRUE(input.empty());
}

TEST(FrameReaderTest, PointsIntoInputWhenOnlyHeaderWasSplit) {
  const FrameBuilder wire = FrameBuilder().data(1, "payload");
  FrameReader reader;
  Bytes head = wire.span().first(4);
  ASSERT_TRUE(reader.read(head).ok());
  EXPECT_EQ(reader.pending_octets(), 4U);
  Bytes rest = wire.span().subspan(4);
  auto r = reader.read(rest);
  ASSERT_TRUE(r.ok() && r.value().has_value());
  EXPECT_EQ(r.value()->payload.data(), wire.span().data() + kFrameHeaderSize);
}

TEST(FrameReaderTest, KeepsAssembledPayloadWhenNextSplitFrameIsBuffered) {
  // Input 1: A's header and half its payload. Input 2: the rest of A, B whole, half of C.
  const FrameBuilder wire = FrameBuilder().data(1, "AAAAAAAA").data(3, "BB").data(5, "CCCCCCCC");
  const Bytes all = wire.span();
  FrameReader reader;
  Bytes in1 = all.first(13);
  auto none = reader.read(in1);
  ASSERT_TRUE(none.ok() && !none.value().has_value());
  EXPECT_EQ(reader.pending_octets(), 13U);
  Bytes in2 = all.subspan(13, all.size() - 13 - 4);
  auto a = reader.read(in2);
  auto b = reader.read(in2);
  auto c = reader.read(in2);  // buffers C's first half
  ASSERT_TRUE(a.ok() && a.value().has_value() && b.ok() && b.value().has_value() && c.ok());
  EXPECT_FALSE(c.value().has_value());
  EXPECT_EQ(ByteVector(a.value()->payload.begin(), a.value()->payload.end()), bytes_of("AAAAAAAA"));
  Bytes in3 = all.subspan(all.size() - 4);
  auto last = reader.read(in3);
  ASSERT_TRUE(last.ok() && last.value().has_value());
  EXPECT_EQ(ByteVector(last.value()->payload.begin(), last.value()->payload.end()), bytes_of("CCCCCCCC"));
}

TEST(FrameReaderTest, ConsumesNothingWhenInputIsEmpty) {
  FrameReader reader;
  Bytes empty;
  auto r = reader.read(empty);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.value().has_value());
  EXPECT_EQ(reader.pending_octets(), 0U);
}

// H2-4.1-01 (RFC 9113 §4.1)
TEST(FrameReaderTest, PassesUnknownTypeWhenItIsWellFramed) {
  const FrameBuilder wire = FrameBuilder().frame(0xfa, 0x3, 7, bytes_of("??")).ping(9);
  const Collected got = feed_whole(wire.span());
  ASSERT_EQ(got.frames.size(), 2U);
  EXPECT_EQ(got.frames[0].header.type, static_cast<FrameType>(0xfa));
  EXPECT_EQ(got.frames[0].payload, bytes_of("??"));
  EXPECT_EQ(got.frames[1].header.type, FrameType::ping);
}

// ---- frame size ----------------------------------------------------------------------------------------------

// H2-4.2-01 (RFC 9113 §4.2)
TEST(FrameReaderTest, AcceptsFrameWhenLengthIsDefaultMaximum) {
  const FrameBuilder wire = FrameBuilder().data(1, std::string(kDefaultMaxFrameSize, 'x'));
  for (const std::size_t split : {std::size_t{0}, std::size_t{5}, std::size_t{9}, std::size_t{8000}}) {
    FrameReader reader;
    const Collected got = feed(reader, {wire.span().first(split), wire.span().subspan(split)});
    ASSERT_FALSE(got.error.has_value());
    ASSERT_EQ(got.frames.size(), 1U);
    EXPECT_EQ(got.frames[0].payload.size(), kDefaultMaxFrameSize);
  }
}

// H2-4.2-03 (RFC 9113 §4.2)
TEST(FrameReaderTest, FailsWithFrameSizeErrorWhenLengthExceedsMaximum) {
  for (const std::uint8_t type : {std::uint8_t{0x0}, std::uint8_t{0x1}, std::uint8_t{0x4}, std::uint8_t{0xbb}}) {
    FrameReader reader;
    const FrameBuilder wire = FrameBuilder().header(kDefaultMaxFrameSize + 1, type, 0, 1);
    Bytes input = wire.span();  // the header alone is enough to judge
    auto r = reader.read(input);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(),
              (FrameError{FrameErrorKind::frame_too_large, ErrorCode::frame_size_error, ErrorScope::connection, {}}));
    EXPECT_TRUE(reader.failed());
  }
}

// H2-4.2-03 (RFC 9113 §4.2)
TEST(FrameReaderTest, LatchesErrorWhenMoreInputFollows) {
  const FrameBuilder wire = FrameBuilder().header(kMaxAllowedFrameSize, 0x0, 0, 1).ping(1);
  FrameReader reader;
  Bytes head = wire.span().first(3);
  ASSERT_TRUE(reader.read(head).ok());
  Bytes rest = wire.span().subspan(3);
  ASSERT_FALSE(reader.read(rest).ok());
  const std::size_t left = rest.size();
  auto again = reader.read(rest);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, FrameErrorKind::frame_too_large);
  EXPECT_EQ(rest.size(), left);  // nothing more is consumed once failed
}

TEST(FrameReaderTest, AcceptsLargerFramesWhenMaxFrameSizeIsRaised) {
  FrameReader reader(FrameReaderOptions{1 << 20, PeerPreface::none});
  EXPECT_EQ(reader.max_frame_size(), 1U << 20);
  const FrameBuilder ok = FrameBuilder().data(1, std::string(1 << 20, 'y'));
  const Collected got = feed(reader, {ok.span().first(100), ok.span().subspan(100)});
  ASSERT_EQ(got.frames.size(), 1U);
  EXPECT_EQ(got.frames[0].payload.size(), 1U << 20);

  reader.set_max_frame_size(kDefaultMaxFrameSize);  // a lowered limit applies to the next header
  const FrameBuilder too_big = FrameBuilder().header(kDefaultMaxFrameSize + 1, 0x0, 0, 1);
  Bytes input = too_big.span();
  EXPECT_FALSE(reader.read(input).ok());
}

TEST(FrameReaderTest, BoundsBufferedOctetsWhenFrameArrivesPiecewise) {
  const FrameBuilder wire = FrameBuilder().data(1, std::string(1000, 'p'));
  FrameReader reader;
  std::size_t peak = 0;
  Bytes input = wire.span();
  while (!input.empty()) {
    Bytes chunk = input.first(std::min<std::size_t>(7, input.size()));
    input = input.subspan(chunk.size());
    auto r = reader.read(chunk);
    ASSERT_TRUE(r.ok());
    peak = std::max(peak, reader.pending_octets());
  }
  EXPECT_LE(peak, kFrameHeaderSize + 1000);
  EXPECT_EQ(reader.pending_octets(), 0U);
}

// ---- connection preface ----------------------------------------------------------------------------------------

// H2-3.4-01 (RFC 9113 §3.4)
TEST(ClientPrefaceTest, MatchesWhenBytesAreThePrefaceOrItsPrefix) {
  const ByteVector magic = bytes_of(kClientPreface);
  EXPECT_EQ(match_client_preface(magic), PrefaceMatch::complete);
  EXPECT_EQ(match_client_preface(FrameBuilder().client_magic().settings({}).span()), PrefaceMatch::complete);
  EXPECT_EQ(match_client_preface({}), PrefaceMatch::partial);
  EXPECT_EQ(match_client_preface(Bytes(magic).first(23)), PrefaceMatch::partial);
  EXPECT_EQ(match_client_preface(bytes_of("PRI * HTTP/2.0\r\n")), PrefaceMatch::partial);
  EXPECT_EQ(match_client_preface(bytes_of("GET / HTTP/1.1\r\n")), PrefaceMatch::mismatch);
  EXPECT_EQ(match_client_preface(bytes_of("PRI * HTTP/1.1\r\n\r\nSM\r\n\r\n")), PrefaceMatch::mismatch);
}

TEST(ClientPrefaceTest, ReadsFramesWhenPrefaceIsSplitAtEveryPosition) {
  const FrameBuilder wire = FrameBuilder().client_magic().settings({{0x2, 0}}).headers(1, from_hex("82"));
  const Bytes all = wire.span();
  for (std::size_t k = 0; k <= all.size(); ++k) {
    FrameReader reader(FrameReaderOptions{kDefaultMaxFrameSize, PeerPreface::magic_then_settings});
    const Collected got = feed(reader, {all.first(k), all.subspan(k)});
    ASSERT_FALSE(got.error.has_value()) << k;
    ASSERT_EQ(got.frames.size(), 2U) << k;
    EXPECT_EQ(got.frames[0].header.type, FrameType::settings);
    EXPECT_EQ(got.frames[1].header.type, FrameType::headers);
  }
}

// H2-3.4-03 (RFC 9113 §3.4)
TEST(ClientPrefaceTest, FailsWithProtocolErrorWhenMagicIsWrong) {
  const ByteVector good = FrameBuilder().client_magic().settings({}).bytes();
  for (std::size_t i = 0; i < kClientPreface.size(); ++i) {
    ByteVector bad = good;
    bad[i] ^= std::byte{0x20};
    for (const std::size_t split : {i, i + 1, bad.size()}) {
      FrameReader reader(FrameReaderOptions{kDefaultMaxFrameSize, PeerPreface::magic_then_settings});
      const Collected got = feed(reader, {Bytes(bad).first(split), Bytes(bad).subspan(split)});
      ASSERT_TRUE(got.error.has_value()) << i;
      EXPECT_EQ(*got.error,
                (FrameError{FrameErrorKind::bad_preface, ErrorCode::protocol_error, ErrorScope::connection, {}}));
      EXPECT_TRUE(got.frames.empty());
    }
  }
  const FrameBuilder http1 = FrameBuilder().raw("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_TRUE(
      feed_whole(http1.span(), FrameReaderOptions{kDefaultMaxFrameSize, PeerPreface::magic_then_settings}).error);
}

// H2-3.4-03 (RFC 9113 §3.4)
TEST(ClientPrefaceTest, FailsWithProtocolErrorWhenFirstFrameIsNotSettings) {
  const FrameReaderOptions server{kDefaultMaxFrameSize, PeerPreface::magic_then_settings};
  const FrameReaderOptions client{kDefaultMaxFrameSize, PeerPreface::settings};
  const FrameBuilder ping_first = FrameBuilder().client_magic().ping(1).settings({});
  const FrameBuilder ack_first = FrameBuilder().client_magic().settings_ack().settings({});
  const FrameBuilder headers_first = FrameBuilder().headers(1, from_hex("82")).settings({});
  const FrameBuilder unknown_first = FrameBuilder().frame(0x42, 0, 0, {}).settings({});
  for (const auto& [wire, options] : {std::pair{&ping_first, server}, std::pair{&ack_first, server},
                                      std::pair{&headers_first, client}, std::pair{&unknown_first, client}}) {
    const Collected got = feed_whole(wire->span(), options);
    ASSERT_TRUE(got.error.has_value());
    EXPECT_EQ(got.error->kind, FrameErrorKind::bad_preface);
    EXPECT_EQ(got.error->code, ErrorCode::protocol_error);
    EXPECT_TRUE(got.frames.empty());
  }
}

// H2-3.4-02 (RFC 9113 §3.4)
TEST(ClientPrefaceTest, AcceptsServerPrefaceWhenItIsAnEmptySettings) {
  const FrameBuilder wire = FrameBuilder().settings({}).settings_ack().ping(1);
  const Collected got = feed_whole(wire.span(), FrameReaderOptions{kDefaultMaxFrameSize, PeerPreface::settings});
  ASSERT_FALSE(got.error.has_value());
  EXPECT_EQ(got.frames.size(), 3U);
}

// ---- reader and codec together ----------------------------------------------------------------------------------

TEST(FrameReaderTest, ParsesOwnOutputWhenWritersAndReaderAreChained) {
  Output out;
  const ByteVector block = from_hex("828684");
  const ByteVector body = bytes_of("hello world");
  const std::vector<Setting> settings{{SettingId::enable_push, 0}, {SettingId::max_frame_size, 1 << 14}};
  write_settings(settings, out);
  write_headers(StreamId(1), HeadersFrame{block, false, false, std::uint8_t{4}, std::nullopt}, out);
  write_continuation(StreamId(1), ContinuationFrame{block, true}, out);
  write_data(StreamId(1), DataFrame{body, true, std::uint8_t{10}}, out);
  write_push_promise(StreamId(1), PushPromiseFrame{StreamId(2), block, true, std::nullopt}, out);
  write_priority_update(PriorityUpdateFrame{StreamId(1), "u=2, i"}, out);
  write_rst_stream(StreamId(2), ErrorCode::cancel, out);
  write_goaway(GoawayFrame{StreamId(2), ErrorCode::no_error, {}}, out);

  const Collected got = feed_whole(out.bytes());
  ASSERT_EQ(got.frames.size(), 8U);
  std::vector<FrameType> types;
  for (const ReadFrame& f : got.frames) {
    types.push_back(f.header.type);
    EXPECT_TRUE(parse_frame(f.header, f.payload).ok()) << to_string(f.header.type);
  }
  EXPECT_EQ(types, (std::vector<FrameType>{FrameType::settings, FrameType::headers, FrameType::continuation,
                                           FrameType::data, FrameType::push_promise, FrameType::priority_update,
                                           FrameType::rst_stream, FrameType::goaway}));
  const auto data = parse_data(got.frames[3].header, got.frames[3].payload);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(ByteVector(data->data.begin(), data->data.end()), body);
  EXPECT_EQ(flow_controlled_length(*data), got.frames[3].header.length);
}

}  // namespace
}  // namespace h2push::http2
