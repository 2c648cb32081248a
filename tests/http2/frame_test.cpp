// tests/http2/frame_test.cpp: the frame codec of src/http2/frame.cpp and the vocabulary of types.hpp.
#include "http2/frame.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "frame_builder.hpp"

namespace h2push::http2 {
namespace {

using test::bytes_of;
using test::ByteVector;
using test::FrameBuilder;
using test::from_hex;

std::string text(std::span<const std::byte> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}
ByteVector copy(std::span<const std::byte> b) { return ByteVector(b.begin(), b.end()); }

struct Parsed {
  FrameHeader header;
  Result<Frame, FrameError> frame;
};

// Splits one whole frame into header and payload and parses it.
Parsed parse_one(std::span<const std::byte> wire) {
  EXPECT_GE(wire.size(), kFrameHeaderSize);
  const FrameHeader header = parse_frame_header(wire.first<kFrameHeaderSize>());
  const auto payload = wire.subspan(kFrameHeaderSize);
  EXPECT_EQ(payload.size(), header.length);
  return Parsed{header, parse_frame(header, payload)};
}

// Parses `wire`, which must hold one valid frame of type T.
template <class T>
T parse_ok(std::span<const std::byte> wire) {
  const Parsed parsed = parse_one(wire);
  if (!parsed.frame.ok()) {
    ADD_FAILURE() << "unexpected FrameError: " << to_string(parsed.frame.error().kind);
    return T{};
  }
  const T* frame = std::get_if<T>(&parsed.frame.value());
  if (frame == nullptr) {
    ADD_FAILURE() << "parsed as another frame type";
    return T{};
  }
  return *frame;
}

// ---- types.hpp ---------------------------------------------------------------------------------------------

TEST(TypesTest, NamesErrorCodesWhenKnownOrUnknown) {
  EXPECT_EQ(to_string(ErrorCode::no_error), "NO_ERROR");
  EXPECT_EQ(to_string(ErrorCode::enhance_your_calm), "ENHANCE_YOUR_CALM");
  EXPECT_EQ(to_string(ErrorCode::http_1_1_required), "HTTP_1_1_REQUIRED");
  EXPECT_EQ(static_cast<std::uint32_t>(ErrorCode::http_1_1_required), 0xdU);
  EXPECT_TRUE(is_known(ErrorCode::http_1_1_required));
  EXPECT_FALSE(is_known(static_cast<ErrorCode>(0xe)));
  EXPECT_EQ(to_string(static_cast<ErrorCode>(0xdeadbeef)), "UNKNOWN_ERROR_CODE");
}

TEST(TypesTest, NamesFrameTypesAndSettingsWhenKnownOrUnknown) {
  EXPECT_EQ(to_string(FrameType::window_update), "WINDOW_UPDATE");
  EXPECT_EQ(to_string(FrameType::priority_update), "PRIORITY_UPDATE");
  EXPECT_EQ(static_cast<std::uint8_t>(FrameType::priority_update), 0x10);
  EXPECT_EQ(to_string(static_cast<FrameType>(0x0a)), "UNKNOWN");
  EXPECT_TRUE(is_known(FrameType::continuation));
  EXPECT_FALSE(is_known(static_cast<FrameType>(0x0a)));
  EXPECT_EQ(to_string(SettingId::max_frame_size), "SETTINGS_MAX_FRAME_SIZE");
  EXPECT_EQ(to_string(SettingId::no_rfc7540_priorities), "SETTINGS_NO_RFC7540_PRIORITIES");
  EXPECT_EQ(to_string(static_cast<SettingId>(0x7)), "UNKNOWN_SETTING");
}

TEST(TypesTest, ClassifiesStreamIdsWhenOddEvenOrZero) {
  EXPECT_TRUE(StreamId::connection().is_connection());
  EXPECT_FALSE(StreamId(0).is_client_initiated());
  EXPECT_FALSE(StreamId(0).is_server_initiated());
  EXPECT_TRUE(StreamId(1).is_client_initiated());
  EXPECT_TRUE(StreamId(2).is_server_initiated());
  EXPECT_LT(StreamId(3), StreamId(5));
  EXPECT_EQ(StreamId(7), StreamId(7));
  EXPECT_EQ(std::hash<StreamId>{}(StreamId(9)), std::hash<std::uint32_t>{}(9));
}

// H2-4.1-02 (RFC 9113 §4.1)
TEST(TypesTest, DropsReservedBitWhenStreamIdIsBuilt) {
  EXPECT_EQ(StreamId(0x80000001).value(), 1U);
  EXPECT_EQ(StreamId(0xffffffff).value(), StreamId::kMaxValue);
  EXPECT_TRUE(StreamId(0x80000000).is_connection());
}

// H2-3.4-01 (RFC 9113 §3.4)
TEST(TypesTest, SpellsClientPrefaceWhenComparedWithRfcHex) {
  EXPECT_EQ(bytes_of(kClientPreface), from_hex("505249202a20485454502f322e300d0a0d0a534d0d0a0d0a"));
  EXPECT_EQ(kClientPreface.size(), 24U);
  EXPECT_EQ(kFrameHeaderSize, 9U);
  EXPECT_EQ(kDefaultMaxFrameSize, 1U << 14);
  EXPECT_EQ(kMaxAllowedFrameSize, (1U << 24) - 1);
  EXPECT_EQ(kDefaultInitialWindowSize, (1U << 16) - 1);
  EXPECT_EQ(kMaxWindowSize, (1U << 31) - 1);
}

// ---- frame header --------------------------------------------------------------------------------------------

TEST(FrameHeaderTest, RoundTripsWhenFieldsAreAtTheirLimits) {
  const FrameHeader header{kMaxAllowedFrameSize, static_cast<FrameType>(0xff), 0xff, StreamId(StreamId::kMaxValue)};
  Output out;
  write_frame_header(header, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("ffffff ff ff 7fffffff"));
  EXPECT_EQ(parse_frame_header(out.bytes().first<kFrameHeaderSize>()), header);
}

// H2-4.1-02 (RFC 9113 §4.1)
TEST(FrameHeaderTest, IgnoresReservedBitWhenParsing) {
  const ByteVector wire = from_hex("000004 08 00 80000003");
  const FrameHeader header = parse_frame_header(std::span<const std::byte>(wire).first<kFrameHeaderSize>());
  EXPECT_EQ(header.length, 4U);
  EXPECT_EQ(header.type, FrameType::window_update);
  EXPECT_EQ(header.stream_id, StreamId(3));
  Output out;
  write_frame_header(header, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("000004 08 00 00000003"));  // never sent
}

// ---- writers against hand-laid RFC layouts, then parsed back -------------------------------------------------

TEST(FrameWriterTest, WritesDataInPlaceLikeWriteDataWhenPayloadIsShorterThanRoom) {
  Output out;
  write_settings_ack(out);                           // something before: the frame starts mid-buffer
  const DataInPlace frame = begin_data(16384, out);  // room larger than the buffer so far: it grows
  ASSERT_EQ(frame.payload.size(), 16384U);
  const ByteVector hello = bytes_of("hello");
  std::copy(hello.begin(), hello.end(), frame.payload.begin());
  end_data(StreamId(3), frame, hello.size(), true, out);
  Output expected;
  write_settings_ack(expected);
  write_data(StreamId(3), DataFrame{hello, true, std::nullopt}, expected);
  EXPECT_EQ(copy(out.bytes()), copy(expected.bytes()));
  EXPECT_EQ(copy(out.bytes()), from_hex("000000 04 01 00000000  000005 00 01 00000003 68656c6c6f"));
}

TEST(FrameWriterTest, WritesEmptyDataInPlaceWhenOnlyTheEndIsLeft) {
  Output out;
  const DataInPlace frame = begin_data(10, out);
  end_data(StreamId(1), frame, 0, true, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("000000 00 01 00000001"));
}

TEST(FrameWriterTest, LeavesEarlierOutputWhenDataInPlaceIsCancelled) {
  Output out;
  write_window_update(StreamId(), 100, out);
  const ByteVector before = copy(out.bytes());
  const DataInPlace frame = begin_data(1000, out);
  cancel_data(frame, out);
  EXPECT_EQ(copy(out.bytes()), before);
  write_ping(PingFrame{}, out);  // appending goes on where the cancelled frame began
  EXPECT_EQ(out.size(), before.size() + kFrameHeaderSize + 8);
}

TEST(OutputTest, KeepsOctetsWhenGrowingAndCopying) {
  Output out;
  for (int i = 0; i < 1000; ++i) out.put_u32(static_cast<std::uint32_t>(i));
  out.put_zeros(3);
  out.put_u24(0x0a0b0c);
  ASSERT_EQ(out.size(), 4006U);
  EXPECT_EQ(copy(out.bytes().subspan(4 * 999, 4)), from_hex("000003e7"));
  EXPECT_EQ(copy(out.bytes().last(6)), from_hex("000000 0a0b0c"));
  const Output copied = out;
  EXPECT_EQ(copy(copied.bytes()), copy(out.bytes()));
  Output moved = std::move(out);
  EXPECT_EQ(copy(moved.bytes()), copy(copied.bytes()));
  moved.clear();
  EXPECT_TRUE(moved.empty());
  moved.put_u8(7);
  EXPECT_EQ(copy(moved.bytes()), from_hex("07"));
}

TEST(FrameWriterTest, WritesDataLayoutWhenEndStreamIsSet) {
  Output out;
  write_data(StreamId(1), DataFrame{bytes_of("hello"), true, std::nullopt}, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("000005 00 01 00000001 68656c6c6f"));
  const auto frame = parse_ok<DataFrame>(out.bytes());
  EXPECT_EQ(text(frame.data), "hello");
  EXPECT_TRUE(frame.end_stream);
  EXPECT_FALSE(frame.pad_length.has_value());
}

// H2-6.1-04 (RFC 9113 §6.1)
TEST(FrameWriterTest, WritesZeroPaddingWhenDataIsPadded) {
  Output out;
  const ByteVector body = bytes_of("hi");
  write_data(StreamId(3), DataFrame{body, false, std::uint8_t{2}}, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("000005 00 08 00000003 02 6869 0000"));
  const auto frame = parse_ok<DataFrame>(out.bytes());
  EXPECT_EQ(text(frame.data), "hi");
  EXPECT_EQ(frame.pad_length, std::uint8_t{2});
  EXPECT_EQ(flow_controlled_length(frame), 5U);
}

// H2-5.3-01 (RFC 9113 §5.3.2)
TEST(FrameWriterTest, WritesHeadersLayoutWhenAllFlagsAreSet) {
  Output out;
  const ByteVector block = from_hex("82");
  HeadersFrame headers{block, true, true, std::uint8_t{1}, PriorityFields{StreamId(3), true, 256}};
  write_headers(StreamId(5), headers, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("000008 01 2d 00000005 01 80000003 ff 82 00"));
  const auto frame = parse_ok<HeadersFrame>(out.bytes());
  EXPECT_EQ(copy(frame.fragment), block);
  EXPECT_TRUE(frame.end_stream);
  EXPECT_TRUE(frame.end_headers);
  EXPECT_EQ(frame.pad_length, std::uint8_t{1});
  EXPECT_EQ(frame.priority, (PriorityFields{StreamId(3), true, 256}));
}

TEST(FrameWriterTest, WritesPriorityLayoutWhenWeightIsDefault) {
  Output out;
  write_priority(StreamId(7), PriorityFrame{PriorityFields{StreamId(0), false, 16}}, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("000005 02 00 00000007 00000000 0f"));
  EXPECT_EQ(parse_ok<PriorityFrame>(out.bytes()).priority, (PriorityFields{StreamId(0), false, 16}));
}

TEST(FrameWriterTest, WritesRstStreamLayoutWhenCodeIsCancel) {
  Output out;
  write_rst_stream(StreamId(1), ErrorCode::cancel, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("000004 03 00 00000001 00000008"));
  EXPECT_EQ(parse_ok<RstStreamFrame>(out.bytes()).error_code, ErrorCode::cancel);
}

TEST(FrameWriterTest, WritesSettingsLayoutWhenEntriesAreGiven) {
  Output out;
  const std::vector<Setting> settings{{SettingId::max_concurrent_streams, 100},
                                      {SettingId::initial_window_size, 65535}};
  write_settings(settings, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("00000c 04 00 00000000 0003 00000064 0004 0000ffff"));
  const auto frame = parse_ok<SettingsFrame>(out.bytes());
  EXPECT_FALSE(frame.ack);
  EXPECT_EQ(std::vector<Setting>(frame.settings.begin(), frame.settings.end()), settings);
}

TEST(FrameWriterTest, WritesEmptySettingsWhenAcknowledging) {
  Output out;
  write_settings_ack(out);
  EXPECT_EQ(copy(out.bytes()), from_hex("000000 04 01 00000000"));
  const auto frame = parse_ok<SettingsFrame>(out.bytes());
  EXPECT_TRUE(frame.ack);
  EXPECT_TRUE(frame.settings.empty());
}

TEST(FrameWriterTest, WritesPushPromiseLayoutWhenEndHeadersIsSet) {
  Output out;
  const ByteVector block = from_hex("8287");
  write_push_promise(StreamId(1), PushPromiseFrame{StreamId(2), block, true, std::nullopt}, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("000006 05 04 00000001 00000002 8287"));
  const auto frame = parse_ok<PushPromiseFrame>(out.bytes());
  EXPECT_EQ(frame.promised_stream_id, StreamId(2));
  EXPECT_EQ(copy(frame.fragment), block);
  EXPECT_TRUE(frame.end_headers);
}

TEST(FrameWriterTest, WritesPingLayoutWhenAcknowledging) {
  Output out;
  PingFrame ping;
  for (std::size_t i = 0; i < 8; ++i) ping.opaque_data[i] = static_cast<std::byte>(i + 1);
  ping.ack = true;
  write_ping(ping, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("000008 06 01 00000000 0102030405060708"));
  const auto frame = parse_ok<PingFrame>(out.bytes());
  EXPECT_TRUE(frame.ack);
  EXPECT_EQ(frame.opaque_data, ping.opaque_data);
}

TEST(FrameWriterTest, WritesGoawayLayoutWhenDebugDataIsGiven) {
  Output out;
  const ByteVector debug = bytes_of("bye");
  write_goaway(GoawayFrame{StreamId(5), ErrorCode::protocol_error, debug}, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("00000b 07 00 00000000 00000005 00000001 627965"));
  const auto frame = parse_ok<GoawayFrame>(out.bytes());
  EXPECT_EQ(frame.last_stream_id, StreamId(5));
  EXPECT_EQ(frame.error_code, ErrorCode::protocol_error);
  EXPECT_EQ(text(frame.debug_data), "bye");
}

TEST(FrameWriterTest, WritesWindowUpdateLayoutWhenIncrementIsMaximal) {
  Output out;
  write_window_update(StreamId(0), kMaxWindowSize, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("000004 08 00 00000000 7fffffff"));
  EXPECT_EQ(parse_ok<WindowUpdateFrame>(out.bytes()).window_size_increment, kMaxWindowSize);
}

TEST(FrameWriterTest, WritesContinuationLayoutWhenEndHeadersIsSet) {
  Output out;
  const ByteVector block = from_hex("84");
  write_continuation(StreamId(1), ContinuationFrame{block, true}, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("000001 09 04 00000001 84"));
  const auto frame = parse_ok<ContinuationFrame>(out.bytes());
  EXPECT_EQ(copy(frame.fragment), block);
  EXPECT_TRUE(frame.end_headers);
}

TEST(FrameWriterTest, WritesPriorityUpdateLayoutWhenFieldValueIsGiven) {
  Output out;
  write_priority_update(PriorityUpdateFrame{StreamId(1), "u=1"}, out);
  EXPECT_EQ(copy(out.bytes()), from_hex("000007 10 00 00000000 00000001 753d31"));
  const auto frame = parse_ok<PriorityUpdateFrame>(out.bytes());
  EXPECT_EQ(frame.prioritized_stream_id, StreamId(1));
  EXPECT_EQ(frame.field_value, "u=1");
}

TEST(FrameWriterTest, AppendsFramesWhenOutputIsShared) {
  Output out;
  write_settings_ack(out);
  write_window_update(StreamId(1), 1, out);
  EXPECT_EQ(out.size(), 2 * kFrameHeaderSize + 4);
  out.clear();
  EXPECT_TRUE(out.empty());
}

// ---- round trips over flag and padding combinations --------------------------------------------------------

const std::vector<std::optional<std::uint8_t>> kPads{std::nullopt, 0, 1, 255};

// H2-5.2-01 (RFC 9113 §5.2.1): the flow-controlled length counts Pad Length and padding.
TEST(FrameRoundTripTest, KeepsDataWhenFlagsAndPaddingVary) {
  const ByteVector big(1000, std::byte{0x5a});
  for (const ByteVector& body : {ByteVector{}, bytes_of("x"), big}) {
    for (const bool end_stream : {false, true}) {
      for (const auto& pad : kPads) {
        Output out;
        write_data(StreamId(11), DataFrame{body, end_stream, pad}, out);
        const Parsed parsed = parse_one(out.bytes());
        const auto frame = parse_ok<DataFrame>(out.bytes());
        EXPECT_EQ(parsed.header.stream_id, StreamId(11));
        EXPECT_EQ(copy(frame.data), body);
        EXPECT_EQ(frame.end_stream, end_stream);
        EXPECT_EQ(frame.pad_length, pad);
        EXPECT_EQ(flow_controlled_length(frame), parsed.header.length);
      }
    }
  }
}

TEST(FrameRoundTripTest, KeepsHeadersWhenFlagsPaddingAndPriorityVary) {
  const ByteVector block = from_hex("828684418aa0e41d139d09b8f01e07");
  const std::vector<std::optional<PriorityFields>> priorities{std::nullopt, PriorityFields{StreamId(0), false, 1},
                                                              PriorityFields{StreamId(StreamId::kMaxValue), true, 256}};
  for (const bool end_stream : {false, true}) {
    for (const bool end_headers : {false, true}) {
      for (const auto& pad : kPads) {
        for (const auto& priority : priorities) {
          Output out;
          write_headers(StreamId(1), HeadersFrame{block, end_stream, end_headers, pad, priority}, out);
          const auto frame = parse_ok<HeadersFrame>(out.bytes());
          EXPECT_EQ(copy(frame.fragment), block);
          EXPECT_EQ(frame.end_stream, end_stream);
          EXPECT_EQ(frame.end_headers, end_headers);
          EXPECT_EQ(frame.pad_length, pad);
          EXPECT_EQ(frame.priority, priority);
        }
      }
    }
  }
}

TEST(FrameRoundTripTest, KeepsPushPromiseWhenFlagsAndPaddingVary) {
  const ByteVector block = from_hex("8287");
  for (const StreamId promised : {StreamId(2), StreamId(StreamId::kMaxValue - 1)}) {
    for (const bool end_headers : {false, true}) {
      for (const auto& pad : kPads) {
        Output out;
        write_push_promise(StreamId(3), PushPromiseFrame{promised, block, end_headers, pad}, out);
        const auto frame = parse_ok<PushPromiseFrame>(out.bytes());
        EXPECT_EQ(frame.promised_stream_id, promised);
        EXPECT_EQ(copy(frame.fragment), block);
        EXPECT_EQ(frame.end_headers, end_headers);
        EXPECT_EQ(frame.pad_length, pad);
      }
    }
  }
}

// H2-5.4-04 (RFC 9113 §7)
TEST(FrameRoundTripTest, KeepsErrorCodeWhenUnknownToRfc) {
  for (const std::uint32_t raw : {0x0U, 0xdU, 0xeU, 0xdeadbeefU, 0xffffffffU}) {
    const auto code = static_cast<ErrorCode>(raw);
    Output rst;
    write_rst_stream(StreamId(1), code, rst);
    EXPECT_EQ(parse_ok<RstStreamFrame>(rst.bytes()).error_code, code);
    Output goaway;
    write_goaway(GoawayFrame{StreamId(0), code, {}}, goaway);
    EXPECT_EQ(static_cast<std::uint32_t>(parse_ok<GoawayFrame>(goaway.bytes()).error_code), raw);
  }
}

TEST(FrameRoundTripTest, KeepsControlFramesWhenValuesAreAtTheirLimits) {
  for (const bool ack : {false, true}) {
    Output out;
    write_ping(PingFrame{{}, ack}, out);
    EXPECT_EQ(parse_ok<PingFrame>(out.bytes()).ack, ack);
  }
  for (const std::uint32_t increment : {1U, kMaxWindowIncrement}) {
    for (const StreamId stream : {StreamId(0), StreamId(1), StreamId(StreamId::kMaxValue)}) {
      Output out;
      write_window_update(stream, increment, out);
      EXPECT_EQ(parse_one(out.bytes()).header.stream_id, stream);
      EXPECT_EQ(parse_ok<WindowUpdateFrame>(out.bytes()).window_size_increment, increment);
    }
  }
  const std::string debug(2000, 'd');
  Output goaway;
  write_goaway(GoawayFrame{StreamId(StreamId::kMaxValue), ErrorCode::no_error, bytes_of(debug)}, goaway);
  EXPECT_EQ(parse_ok<GoawayFrame>(goaway.bytes()).last_stream_id, StreamId(StreamId::kMaxValue));
  EXPECT_EQ(text(parse_ok<GoawayFrame>(goaway.bytes()).debug_data), debug);
  for (const bool end_headers : {false, true}) {
    Output out;
    write_continuation(StreamId(9), ContinuationFrame{{}, end_headers}, out);
    EXPECT_EQ(parse_ok<ContinuationFrame>(out.bytes()).end_headers, end_headers);
    EXPECT_TRUE(parse_ok<ContinuationFrame>(out.bytes()).fragment.empty());
  }
  Output update;
  write_priority_update(PriorityUpdateFrame{StreamId(StreamId::kMaxValue), ""}, update);
  EXPECT_EQ(parse_ok<PriorityUpdateFrame>(update.bytes()).prioritized_stream_id, StreamId(StreamId::kMaxValue));
  EXPECT_EQ(parse_ok<PriorityUpdateFrame>(update.bytes()).field_value, "");
}

TEST(FrameRoundTripTest, KeepsEverySettingWhenValuesAreAtRangeLimits) {
  const std::vector<Setting> settings{
      {SettingId::header_table_size, 0},
      {SettingId::header_table_size, 0xffffffff},
      {SettingId::enable_push, 0},
      {SettingId::enable_push, 1},
      {SettingId::max_concurrent_streams, 0},
      {SettingId::initial_window_size, 0},
      {SettingId::initial_window_size, kMaxWindowSize},
      {SettingId::max_frame_size, kDefaultMaxFrameSize},
      {SettingId::max_frame_size, kMaxAllowedFrameSize},
      {SettingId::max_header_list_size, 0xffffffff},
      {SettingId::no_rfc7540_priorities, 1},
  };
  Output out;
  write_settings(settings, out);
  const auto frame = parse_ok<SettingsFrame>(out.bytes());
  ASSERT_EQ(frame.settings.size(), settings.size());
  for (std::size_t i = 0; i < settings.size(); ++i) EXPECT_EQ(frame.settings[i], settings[i]);
}

// ---- acceptance rules --------------------------------------------------------------------------------------

// H2-4.1-02 (RFC 9113 §4.1)
TEST(FrameParserTest, IgnoresUndefinedFlagsWhenParsing) {
  // DATA with every flag but PADDED: only END_STREAM means something.
  EXPECT_TRUE(parse_ok<DataFrame>(FrameBuilder().data(1, "x", 0xf7).span()).end_stream);
  EXPECT_FALSE(parse_ok<DataFrame>(FrameBuilder().data(1, "x", 0xf6).span()).end_stream);
  EXPECT_FALSE(parse_ok<PingFrame>(FrameBuilder().frame(0x6, 0xfe, 0, ByteVector(8)).span()).ack);
  EXPECT_FALSE(parse_ok<SettingsFrame>(FrameBuilder().frame(0x4, 0xfe, 0, {}).span()).ack);
  EXPECT_TRUE(parse_ok<ContinuationFrame>(FrameBuilder().continuation(1, {}, 0xff).span()).end_headers);
  EXPECT_TRUE(parse_ok<PushPromiseFrame>(FrameBuilder().frame(0x5, 0xf7, 1, from_hex("00000002")).span()).end_headers);
  // HEADERS: 0xd7 has END_STREAM and END_HEADERS but neither PADDED nor PRIORITY.
  const FrameBuilder wire = FrameBuilder().frame(0x1, 0xd7, 1, from_hex("82"));
  const auto headers = parse_ok<HeadersFrame>(wire.span());
  EXPECT_TRUE(headers.end_stream && headers.end_headers);
  EXPECT_FALSE(headers.priority.has_value());
  EXPECT_EQ(copy(headers.fragment), from_hex("82"));
  parse_ok<RstStreamFrame>(FrameBuilder().frame(0x3, 0xff, 1, ByteVector(4)).span());
  parse_ok<GoawayFrame>(FrameBuilder().frame(0x7, 0xff, 0, ByteVector(8)).span());
  parse_ok<WindowUpdateFrame>(FrameBuilder().frame(0x8, 0xff, 0, from_hex("00000001")).span());
  parse_ok<PriorityUpdateFrame>(FrameBuilder().frame(0x10, 0xff, 0, from_hex("00000001")).span());
}

// H2-4.1-02 (RFC 9113 §4.1)
TEST(FrameParserTest, MasksReservedBitsWhenPayloadCarriesStreamIds) {
  EXPECT_EQ(parse_ok<WindowUpdateFrame>(FrameBuilder().window_update(1, 0x80000005).span()).window_size_increment, 5U);
  EXPECT_EQ(parse_ok<GoawayFrame>(FrameBuilder().goaway(0x80000007, 0).span()).last_stream_id, StreamId(7));
  EXPECT_EQ(parse_ok<PushPromiseFrame>(FrameBuilder().push_promise(1, 0x80000004, {}).span()).promised_stream_id,
            StreamId(4));
  EXPECT_EQ(
      parse_ok<PriorityUpdateFrame>(FrameBuilder().priority_update(0x80000003, "u=0").span()).prioritized_stream_id,
      StreamId(3));
  const auto rst = parse_one(FrameBuilder().rst_stream(0x80000001, 0).span());
  EXPECT_EQ(rst.header.stream_id, StreamId(1));
}

// H2-6.1-04 (RFC 9113 §6.1)
TEST(FrameParserTest, AcceptsPaddingWhenItIsNotZero) {
  const FrameBuilder wire = FrameBuilder().data(1, "abc", 0, std::uint8_t{3}, std::byte{0xee});
  const auto frame = parse_ok<DataFrame>(wire.span());
  EXPECT_EQ(text(frame.data), "abc");
  EXPECT_EQ(flow_controlled_length(frame), 7U);
}

// H2-6.1-03 (RFC 9113 §6.1)
TEST(FrameParserTest, AcceptsPaddingWhenItLeavesNoData) {
  // Pad Length 4 in a 5-octet payload: legal, the data is empty.
  const FrameBuilder data = FrameBuilder().data(1, "", 1, std::uint8_t{4});
  const auto frame = parse_ok<DataFrame>(data.span());
  EXPECT_TRUE(frame.data.empty());
  EXPECT_TRUE(frame.end_stream);
  EXPECT_EQ(flow_controlled_length(frame), 5U);
  const FrameBuilder wire = FrameBuilder().headers(1, {}, 0x4, std::uint8_t{0});
  const auto headers = parse_ok<HeadersFrame>(wire.span());
  EXPECT_TRUE(headers.fragment.empty());
  // Padding that fills exactly what the priority fields and promised id leave.
  const FrameBuilder prioritized = FrameBuilder().frame(0x1, 0x2c, 1, from_hex("02 00000000 0f 82 00"));
  EXPECT_TRUE(parse_ok<HeadersFrame>(prioritized.span()).fragment.empty());
  const FrameBuilder promise = FrameBuilder().frame(0x5, 0xc, 1, from_hex("02 00000002 82 00"));
  EXPECT_TRUE(parse_ok<PushPromiseFrame>(promise.span()).fragment.empty());
}

// H2-4.1-01 (RFC 9113 §4.1), H2-5.5-01 (RFC 9113 §5.5)
TEST(FrameParserTest, KeepsUnknownFrameWhenTypeIsNotDefined) {
  for (unsigned type = 0x0a; type <= 0xff; ++type) {
    if (type == 0x10) continue;
    const FrameBuilder wire =
        FrameBuilder().frame(static_cast<std::uint8_t>(type), 0xff, 0x80000000, bytes_of("opaque"));
    const auto frame = parse_ok<UnknownFrame>(wire.span());
    EXPECT_EQ(static_cast<unsigned>(frame.type), type);
    EXPECT_EQ(frame.flags, 0xff);
    EXPECT_EQ(text(frame.payload), "opaque");
  }
}

// H2-6.5.2-07 (RFC 9113 §6.5.2)
TEST(FrameParserTest, KeepsUnknownSettingWhenIdIsNotDefined) {
  const FrameBuilder wire = FrameBuilder().settings({{0x0, 7}, {0x7, 0xffffffff}, {0x8, 42}, {0xffff, 1}});
  const auto frame = parse_ok<SettingsFrame>(wire.span());
  ASSERT_EQ(frame.settings.size(), 4U);
  EXPECT_EQ(frame.settings[0], (Setting{static_cast<SettingId>(0), 7}));
  EXPECT_EQ(frame.settings[2], (Setting{SettingId::enable_connect_protocol, 42}));
  EXPECT_EQ(frame.settings[3], (Setting{static_cast<SettingId>(0xffff), 1}));
  EXPECT_TRUE(validate_setting(Setting{static_cast<SettingId>(0x1234), 0xffffffff}).ok());
}

TEST(FrameParserTest, KeepsDuplicateSettingsWhenInWireOrder) {
  const FrameBuilder wire = FrameBuilder().settings({{0x4, 1}, {0x4, 2}, {0x4, 3}});
  const auto frame = parse_ok<SettingsFrame>(wire.span());
  std::vector<std::uint32_t> values;
  for (const Setting s : frame.settings) values.push_back(s.value);
  EXPECT_EQ(values, (std::vector<std::uint32_t>{1, 2, 3}));
}

TEST(FrameParserTest, PointsIntoInputWhenPayloadHasBodies) {
  const FrameBuilder wire = FrameBuilder().data(1, "body", 0, std::uint8_t{2});
  const auto frame = parse_ok<DataFrame>(wire.span());
  EXPECT_EQ(frame.data.data(), wire.span().data() + kFrameHeaderSize + 1);
}

TEST(FrameParserTest, ReportsSettingWhenValueIsInvalid) {
  const auto parsed = parse_one(FrameBuilder().settings({{0x3, 100}, {0x5, 16383}}).span());
  ASSERT_FALSE(parsed.frame.ok());
  EXPECT_EQ(parsed.frame.error().setting, SettingId::max_frame_size);
  EXPECT_EQ(to_string(parsed.frame.error().kind), "invalid SETTINGS value");
}

// ---- malformed frames ------------------------------------------------------------------------------------------

struct MalformedCase {
  const char* name;  // test name suffix
  ByteVector wire;
  FrameErrorKind kind;
  ErrorCode code;
  ErrorScope scope;
};

constexpr auto CE = ErrorScope::connection;
constexpr auto SE = ErrorScope::stream;
constexpr auto kProtocol = ErrorCode::protocol_error;
constexpr auto kFrameSize = ErrorCode::frame_size_error;
using K = FrameErrorKind;
using FB = FrameBuilder;

const ByteVector kBlock = from_hex("82");

const MalformedCase kMalformed[] = {
    // H2-6.1-01 (RFC 9113 §6.1)
    {"DataOnStreamZero", FB().data(0, "x").bytes(), K::stream_id_required, kProtocol, CE},
    // H2-6.1-03 (RFC 9113 §6.1)
    {"DataPaddingEqualsPayload", FB().frame(0x0, 0x8, 1, from_hex("05 00000000")).bytes(), K::padding_exceeds_payload,
     kProtocol, CE},
    {"DataPaddingExceedsPayload", FB().frame(0x0, 0x8, 1, from_hex("ff 61")).bytes(), K::padding_exceeds_payload,
     kProtocol, CE},
    // H2-4.2-03 (RFC 9113 §4.2)
    {"DataPaddedWithoutPadLength", FB().frame(0x0, 0x8, 1, {}).bytes(), K::too_short, kFrameSize, CE},
    // H2-6.2-01 (RFC 9113 §6.2)
    {"HeadersOnStreamZero", FB().headers(0, kBlock).bytes(), K::stream_id_required, kProtocol, CE},
    // H2-6.2-02 (RFC 9113 §6.2)
    {"HeadersPaddingExceedsPayload", FB().frame(0x1, 0xc, 1, from_hex("03 82 00")).bytes(), K::padding_exceeds_payload,
     kProtocol, CE},
    {"HeadersPaddingExceedsRoomAfterPriority", FB().frame(0x1, 0x2c, 1, from_hex("03 00000000 0f 82 00")).bytes(),
     K::padding_exceeds_payload, kProtocol, CE},
    {"HeadersPaddedWithoutPadLength", FB().frame(0x1, 0xc, 1, {}).bytes(), K::too_short, kFrameSize, CE},
    {"HeadersTooShortForPriority", FB().frame(0x1, 0x24, 1, from_hex("00000000")).bytes(), K::too_short, kFrameSize,
     CE},
    {"HeadersPaddedTooShortForPriority", FB().frame(0x1, 0x2c, 1, from_hex("00 00000000")).bytes(), K::too_short,
     kFrameSize, CE},
    // H2-6.3-01 (RFC 9113 §6.3)
    {"PriorityOnStreamZero", FB().priority(0, 1, 15).bytes(), K::stream_id_required, kProtocol, CE},
    {"PriorityOnStreamZeroWithBadLength", FB().frame(0x2, 0, 0, ByteVector(4)).bytes(), K::stream_id_required,
     kProtocol, CE},
    // H2-6.3-02 (RFC 9113 §6.3)
    {"PriorityTooShort", FB().frame(0x2, 0, 1, ByteVector(4)).bytes(), K::bad_length, kFrameSize, SE},
    {"PriorityTooLong", FB().frame(0x2, 0, 1, ByteVector(6)).bytes(), K::bad_length, kFrameSize, SE},
    // H2-5.3-02 (RFC 7540 §5.3.1)
    {"PriorityOnItself", FB().priority(3, 3, 15).bytes(), K::self_dependency, kProtocol, SE},
    {"PriorityOnItselfExclusive", FB().priority(3, 0x80000003, 15).bytes(), K::self_dependency, kProtocol, SE},
    // H2-6.4-01 (RFC 9113 §6.4)
    {"RstStreamOnStreamZero", FB().rst_stream(0, 0).bytes(), K::stream_id_required, kProtocol, CE},
    {"RstStreamTooShort", FB().frame(0x3, 0, 1, ByteVector(3)).bytes(), K::bad_length, kFrameSize, CE},
    {"RstStreamTooLong", FB().frame(0x3, 0, 1, ByteVector(5)).bytes(), K::bad_length, kFrameSize, CE},
    // H2-6.5-01 (RFC 9113 §6.5)
    {"SettingsOnStream", FB().settings({}, 1).bytes(), K::stream_id_forbidden, kProtocol, CE},
    {"SettingsAckOnStream", FB().frame(0x4, 0x1, 1, {}).bytes(), K::stream_id_forbidden, kProtocol, CE},
    {"SettingsAckWithPayload", FB().frame(0x4, 0x1, 0, ByteVector(6)).bytes(), K::settings_ack_with_payload, kFrameSize,
     CE},
    {"SettingsLengthNotMultipleOfSix", FB().frame(0x4, 0, 0, ByteVector(7)).bytes(), K::bad_length, kFrameSize, CE},
    {"SettingsLengthFive", FB().frame(0x4, 0, 0, ByteVector(5)).bytes(), K::bad_length, kFrameSize, CE},
    // H2-6.5.2-01 (RFC 9113 §6.5.2)
    {"SettingsEnablePushTwo", FB().settings({{0x2, 2}}).bytes(), K::invalid_setting_value, kProtocol, CE},
    // H2-6.5.2-04 (RFC 9113 §6.5.2)
    {"SettingsInitialWindowAboveMax", FB().settings({{0x4, 0x80000000}}).bytes(), K::invalid_setting_value,
     ErrorCode::flow_control_error, CE},
    // H2-6.5.2-05 (RFC 9113 §6.5.2)
    {"SettingsMaxFrameSizeTooSmall", FB().settings({{0x5, 16383}}).bytes(), K::invalid_setting_value, kProtocol, CE},
    {"SettingsMaxFrameSizeTooLarge", FB().settings({{0x5, 1U << 24}}).bytes(), K::invalid_setting_value, kProtocol, CE},
    {"SettingsInvalidAfterValidEntries", FB().settings({{0x1, 0}, {0x3, 100}, {0x5, 0}}).bytes(),
     K::invalid_setting_value, kProtocol, CE},
    // PR-2.1-01 (RFC 9218 §2.1)
    {"SettingsNoRfc7540PrioritiesTwo", FB().settings({{0x9, 2}}).bytes(), K::invalid_setting_value, kProtocol, CE},
    // H2-6.6-02 (RFC 9113 §6.6)
    {"PushPromiseOnStreamZero", FB().push_promise(0, 2, kBlock).bytes(), K::stream_id_required, kProtocol, CE},
    // H2-6.6-07 (RFC 9113 §6.6)
    {"PushPromisePaddingExceedsPayload", FB().frame(0x5, 0xc, 1, from_hex("03 00000002 82 00")).bytes(),
     K::padding_exceeds_payload, kProtocol, CE},
    // H2-4.2-03 (RFC 9113 §4.2)
    {"PushPromiseTooShort", FB().frame(0x5, 0x4, 1, from_hex("000002")).bytes(), K::too_short, kFrameSize, CE},
    {"PushPromisePaddedTooShort", FB().frame(0x5, 0xc, 1, from_hex("00 000002")).bytes(), K::too_short, kFrameSize, CE},
    // H2-6.6-04 (RFC 9113 §6.6)
    {"PushPromiseOfStreamZero", FB().push_promise(1, 0, kBlock).bytes(), K::invalid_promised_stream_id, kProtocol, CE},
    {"PushPromiseOfOddStream", FB().push_promise(1, 3, kBlock).bytes(), K::invalid_promised_stream_id, kProtocol, CE},
    // H2-6.7-02 (RFC 9113 §6.7)
    {"PingOnStream", FB().ping(1, false, 1).bytes(), K::stream_id_forbidden, kProtocol, CE},
    {"PingTooShort", FB().frame(0x6, 0, 0, ByteVector(7)).bytes(), K::bad_length, kFrameSize, CE},
    {"PingTooLong", FB().frame(0x6, 0x1, 0, ByteVector(9)).bytes(), K::bad_length, kFrameSize, CE},
    // H2-6.8-01 (RFC 9113 §6.8)
    {"GoawayOnStream", FB().goaway(0, 0, "", 3).bytes(), K::stream_id_forbidden, kProtocol, CE},
    {"GoawayTooShort", FB().frame(0x7, 0, 0, ByteVector(7)).bytes(), K::too_short, kFrameSize, CE},
    // H2-6.9-01 (RFC 9113 §6.9)
    {"WindowUpdateTooShortOnStream", FB().frame(0x8, 0, 1, ByteVector(3)).bytes(), K::bad_length, kFrameSize, CE},
    {"WindowUpdateTooLongOnConnection", FB().frame(0x8, 0, 0, from_hex("0000000100")).bytes(), K::bad_length,
     kFrameSize, CE},
    {"WindowUpdateZeroOnStream", FB().window_update(1, 0).bytes(), K::zero_window_increment, kProtocol, SE},
    {"WindowUpdateZeroWithReservedBitOnStream", FB().window_update(1, 0x80000000).bytes(), K::zero_window_increment,
     kProtocol, SE},
    {"WindowUpdateZeroOnConnection", FB().window_update(0, 0).bytes(), K::zero_window_increment, kProtocol, CE},
    // H2-6.10-01 (RFC 9113 §6.10)
    {"ContinuationOnStreamZero", FB().continuation(0, kBlock).bytes(), K::stream_id_required, kProtocol, CE},
    // PR-7.1-01 (RFC 9218 §7.1)
    {"PriorityUpdateOnStream", FB().priority_update(1, "u=1", 1).bytes(), K::stream_id_forbidden, kProtocol, CE},
    // PR-7.1-02 (RFC 9218 §7.1)
    {"PriorityUpdateOfStreamZero", FB().priority_update(0, "u=1").bytes(), K::zero_prioritized_stream_id, kProtocol,
     CE},
    {"PriorityUpdateOfStreamZeroWithReservedBit", FB().priority_update(0x80000000, "").bytes(),
     K::zero_prioritized_stream_id, kProtocol, CE},
    // PR-7.1-05 (RFC 9113 §4.2)
    {"PriorityUpdateTooShort", FB().frame(0x10, 0, 0, from_hex("000001")).bytes(), K::too_short, kFrameSize, CE},
};

void PrintTo(const MalformedCase& c, std::ostream* os) { *os << c.name; }

class MalformedFrameTest : public ::testing::TestWithParam<MalformedCase> {};

// H2-4.2-03, H2-6.1-01, H2-6.1-03, H2-6.2-01, H2-6.2-02, H2-6.3-01, H2-6.3-02, H2-5.3-02, H2-6.4-01, H2-6.5-01,
// H2-6.5.2-01, H2-6.5.2-04, H2-6.5.2-05, PR-2.1-01, H2-6.6-02, H2-6.6-04, H2-6.6-07, H2-6.7-02, H2-6.8-01,
// H2-6.9-01, H2-6.10-01, PR-7.1-01, PR-7.1-02, PR-7.1-05: one row per case in kMalformed, id above each row.
TEST_P(MalformedFrameTest, ReportsKindCodeAndScopeWhenFrameIsMalformed) {
  const MalformedCase& c = GetParam();
  const Parsed parsed = parse_one(c.wire);
  ASSERT_FALSE(parsed.frame.ok());
  const FrameError& error = parsed.frame.error();
  EXPECT_EQ(error.kind, c.kind) << to_string(error.kind);
  EXPECT_EQ(error.code, c.code) << to_string(error.code);
  EXPECT_EQ(error.scope, c.scope);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, MalformedFrameTest, ::testing::ValuesIn(kMalformed),
                         [](const ::testing::TestParamInfo<MalformedCase>& param_info) {
                           return param_info.param.name;
                         });

}  // namespace
}  // namespace h2push::http2
