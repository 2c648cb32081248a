// tests/hpack/encoder_test.cpp: the HPACK encoder (src/hpack/encoder.cpp), checked by our decoder and by libnghttp2.
#include "h2push/hpack/encoder.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include "h2push/hpack.h"
#include "hpack_test_util.hpp"
#include "support/hpack_corpus.hpp"

namespace h2push::hpack {
namespace {

using test::hex_of;
using test::Pairs;
using test::pairs_of;

struct Field {
  std::string name;
  std::string value;
  bool never_index = false;
  friend bool operator==(const Field&, const Field&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Field& f) {
    return os << f.name << ": " << f.value << (f.never_index ? " (never indexed)" : "");
  }
};

std::vector<Field> fields_of(const HeaderList& list) {
  std::vector<Field> fields;
  for (const Header& h : list) fields.push_back({std::string(h.name), std::string(h.value), h.never_index});
  return fields;
}

const std::uint8_t* octets(const std::vector<std::byte>& bytes) {
  return reinterpret_cast<const std::uint8_t*>(bytes.data());
}

std::uint8_t octet(const std::vector<std::byte>& bytes, std::size_t i) {
  return std::to_integer<std::uint8_t>(bytes[i]);
}

// libnghttp2's decoder, one per story (it keeps the dynamic table between blocks).
class Nghttp2Inflater {
 public:
  // `max_table_size`: the SETTINGS_HEADER_TABLE_SIZE this decoder allows (libnghttp2's default is 4096).
  explicit Nghttp2Inflater(std::uint32_t max_table_size = 4096) {
    if (nghttp2_hd_inflate_new(&inflater_) != 0) {
      inflater_ = nullptr;
      return;
    }
    if (nghttp2_hd_inflate_change_table_size(inflater_, max_table_size) != 0) {
      nghttp2_hd_inflate_del(inflater_);
      inflater_ = nullptr;
    }
  }
  ~Nghttp2Inflater() {
    if (inflater_ != nullptr) nghttp2_hd_inflate_del(inflater_);
  }
  Nghttp2Inflater(const Nghttp2Inflater&) = delete;
  Nghttp2Inflater& operator=(const Nghttp2Inflater&) = delete;

  // The fields of `block`, or nullopt when libnghttp2 rejects it.
  std::optional<std::vector<Field>> inflate(const std::vector<std::byte>& block) {
    if (inflater_ == nullptr) return std::nullopt;
    std::vector<Field> fields;
    const std::uint8_t* in = octets(block);
    std::size_t left = block.size();
    for (;;) {
      nghttp2_nv nv;
      int flags = 0;
      const ssize_t used = nghttp2_hd_inflate_hd2(inflater_, &nv, &flags, in, left, 1);
      if (used < 0) return std::nullopt;
      in += used;
      left -= static_cast<std::size_t>(used);
      if ((flags & NGHTTP2_HD_INFLATE_EMIT) != 0) {
        fields.push_back({std::string(reinterpret_cast<const char*>(nv.name), nv.namelen),
                          std::string(reinterpret_cast<const char*>(nv.value), nv.valuelen),
                          (nv.flags & NGHTTP2_NV_FLAG_NO_INDEX) != 0});
      }
      if ((flags & NGHTTP2_HD_INFLATE_FINAL) != 0) {
        nghttp2_hd_inflate_end_headers(inflater_);
        return fields;
      }
      if ((flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && used == 0) return std::nullopt;  // no progress
    }
  }

 private:
  nghttp2_hd_inflater* inflater_ = nullptr;
};

// libnghttp2's encoder with a 4096-octet table, to compare compression.
class Nghttp2Deflater {
 public:
  Nghttp2Deflater() {
    if (nghttp2_hd_deflate_new(&deflater_, 4096) != 0) deflater_ = nullptr;
  }
  ~Nghttp2Deflater() {
    if (deflater_ != nullptr) nghttp2_hd_deflate_del(deflater_);
  }
  Nghttp2Deflater(const Nghttp2Deflater&) = delete;
  Nghttp2Deflater& operator=(const Nghttp2Deflater&) = delete;

  // Octets of the block, or nullopt on failure.
  std::optional<std::size_t> deflate(const Pairs& pairs) {
    if (deflater_ == nullptr) return std::nullopt;
    std::vector<nghttp2_nv> nva;
    for (const auto& [name, value] : pairs) {
      // libnghttp2 does not write through these pointers.
      nva.push_back({const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(name.data())),
                     const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(value.data())), name.size(),
                     value.size(), NGHTTP2_NV_FLAG_NONE});
    }
    std::vector<std::uint8_t> buffer(nghttp2_hd_deflate_bound(deflater_, nva.data(), nva.size()));
    const ssize_t written = nghttp2_hd_deflate_hd(deflater_, buffer.data(), buffer.size(), nva.data(), nva.size());
    if (written < 0) return std::nullopt;
    return static_cast<std::size_t>(written);
  }

 private:
  nghttp2_hd_deflater* deflater_ = nullptr;
};

const std::vector<h2push::testing::Story>& raw_stories() {
  static const std::vector<h2push::testing::Story> stories = h2push::testing::load_folder("raw-data");
  return stories;
}

std::vector<std::byte> encode(Encoder& encoder, const std::vector<Header>& fields) {
  std::vector<std::byte> out;
  encoder.encode(fields, out);
  return out;
}

// A minimal reader for the representations these tests inspect (RFC 7541 §5.1, §5.2, §6.2).
class Reader {
 public:
  explicit Reader(const std::vector<std::byte>& bytes) : bytes_(bytes) {}
  bool done() const { return pos_ == bytes_.size(); }
  std::optional<std::uint8_t> peek() const {
    if (done()) return std::nullopt;
    return octet(bytes_, pos_);
  }
  std::optional<std::uint64_t> integer(int prefix_bits) {
    if (done()) return std::nullopt;
    const std::uint64_t max = (1u << prefix_bits) - 1;
    std::uint64_t value = octet(bytes_, pos_++) & max;
    if (value < max) return value;
    for (int shift = 0; shift < 63; shift += 7) {
      if (done()) return std::nullopt;
      const std::uint8_t b = octet(bytes_, pos_++);
      value += static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return value;
    }
    return std::nullopt;
  }
  struct String {
    bool huffman;
    std::size_t length;
  };
  std::optional<String> string() {
    const auto first = peek();
    if (!first) return std::nullopt;
    const auto length = integer(7);
    if (!length || *length > bytes_.size() - pos_) return std::nullopt;
    pos_ += static_cast<std::size_t>(*length);
    return String{(*first & 0x80) != 0, static_cast<std::size_t>(*length)};
  }

 private:
  const std::vector<std::byte>& bytes_;
  std::size_t pos_ = 0;
};

// The strings of a block holding one literal field representation with a new name.
struct LiteralStrings {
  Reader::String name;
  Reader::String value;
};
std::optional<LiteralStrings> parse_new_name_literal(const std::vector<std::byte>& block) {
  Reader reader(block);
  const auto first = reader.peek();
  if (!first) return std::nullopt;
  int prefix = 0;
  if ((*first & 0xc0) == 0x40) {
    prefix = 6;  // incremental indexing
  } else if ((*first & 0xe0) == 0x00) {
    prefix = 4;  // without indexing or never indexed
  } else {
    return std::nullopt;
  }
  if (reader.integer(prefix) != 0u) return std::nullopt;
  const auto name = reader.string();
  const auto value = reader.string();
  if (!name || !value || !reader.done()) return std::nullopt;
  return LiteralStrings{*name, *value};
}

// Table size updates (001xxxxx) at the start of `block`, in order.
std::vector<std::uint64_t> leading_size_updates(const std::vector<std::byte>& block) {
  std::vector<std::uint64_t> updates;
  Reader reader(block);
  while (auto first = reader.peek()) {
    if ((*first & 0xe0) != 0x20) break;
    const auto value = reader.integer(5);
    if (!value) break;
    updates.push_back(*value);
  }
  return updates;
}

struct Variant {
  const char* label;
  EncoderOptions options;
  std::optional<std::uint32_t> peer_table_size;  // set_peer_max_table_size before the first block
};

const Variant kVariants[] = {
    {"defaults", {}, std::nullopt},
    {"huffman off", {.huffman = false}, std::nullopt},
    {"own table 256", {.max_table_size = 256}, std::nullopt},
    {"own table 0", {.max_table_size = 0}, std::nullopt},
    {"peer table 256", {}, 256},
    {"peer table 0", {}, 0},
    {"peer table 16384", {.max_table_size = 16384}, 16384},
};

// HP-7.3-01 / HP-2.1-01 (RFC 7541 §7.3, §2.1): every raw-data story, encoded by us, decoded by us and by libnghttp2
TEST(EncoderTest, RoundTripsRawDataStoriesWhenDecodedByOurDecoderAndNghttp2) {
  ASSERT_FALSE(raw_stories().empty());
  for (const Variant& variant : kVariants) {
    SCOPED_TRACE(variant.label);
    std::size_t blocks = 0;
    for (const auto& story : raw_stories()) {
      SCOPED_TRACE(story.name);
      Encoder encoder(variant.options);
      // The decoders advertise what the encoder was told the peer allows.
      const std::uint32_t peer_limit = variant.peer_table_size.value_or(kDefaultTableSize);
      Decoder decoder(DecoderOptions{.max_table_size = peer_limit});
      Nghttp2Inflater inflater(peer_limit);
      if (variant.peer_table_size) encoder.set_peer_max_table_size(*variant.peer_table_size);
      HeaderList list;
      for (std::size_t i = 0; i < story.cases.size(); ++i) {
        const Pairs& expected = story.cases[i].headers;
        const std::vector<std::byte> block = encode(encoder, test::headers_of(expected));
        SCOPED_TRACE(::testing::Message() << "case " << i << " wire " << hex_of(block));

        ASSERT_EQ(test::decode_bytes(decoder, block, list), std::nullopt);
        ASSERT_EQ(pairs_of(list), expected);
        ASSERT_LE(encoder.table_size(), encoder.table_capacity());
        ASSERT_LE(encoder.table_capacity(), std::min(variant.options.max_table_size, peer_limit));
        // When both ends agree on the maximum they hold the same table after every block.
        if (decoder.table_capacity() == encoder.table_capacity()) {
          ASSERT_EQ(decoder.table_size(), encoder.table_size());
          ASSERT_EQ(decoder.table_entries(), encoder.table_entries());
        }

        const auto theirs = inflater.inflate(block);
        ASSERT_TRUE(theirs.has_value()) << "libnghttp2 rejected the block";
        ASSERT_EQ(*theirs, fields_of(list));
        ++blocks;
      }
    }
    EXPECT_GT(blocks, 0u);
  }
}

// HP-7.3-01: compression compared with libnghttp2 (reported, not asserted)
TEST(EncoderTest, ReportsCompressedSizeWhenComparedWithNghttp2) {
  ASSERT_FALSE(raw_stories().empty());
  std::size_t plain = 0;
  std::size_t ours = 0;
  std::size_t theirs = 0;
  for (const auto& story : raw_stories()) {
    Encoder encoder;
    Nghttp2Deflater deflater;
    for (const auto& story_case : story.cases) {
      for (const auto& [name, value] : story_case.headers) plain += name.size() + value.size();
      ours += encode(encoder, test::headers_of(story_case.headers)).size();
      const auto size = deflater.deflate(story_case.headers);
      ASSERT_TRUE(size.has_value()) << story.name;
      theirs += *size;
    }
  }
  RecordProperty("plain_octets", std::to_string(plain));
  RecordProperty("h2push_octets", std::to_string(ours));
  RecordProperty("nghttp2_octets", std::to_string(theirs));
  std::cout << "raw-data: " << plain << " octets of names and values; h2push " << ours << " octets, libnghttp2 "
            << theirs << " octets (h2push/libnghttp2 = " << static_cast<double>(ours) / static_cast<double>(theirs)
            << ")\n";
  EXPECT_GT(ours, 0u);
}

// HP-7.1-01 / HP-6.2-01 (RFC 7541 §6.2.3 / §7.1.3)
TEST(EncoderTest, SendsNeverIndexedLiteralWhenFieldIsSensitive) {
  const std::vector<Header> sensitive = {
      {"authorization", "Basic Zm9vOmJhcg==", false},  // 18 octets
      {"set-cookie", "id=1; Path=/", false},
      {"cookie", "a=b", false},
      {"cookie", "session=0123456789", false},  // 18 octets
      {"x-secret", "abc", true},
      {":path", "/secret", true},
  };
  for (const Header& field : sensitive) {
    SCOPED_TRACE(::testing::Message() << field.name << ": " << field.value);
    Encoder encoder;
    Decoder decoder;
    Nghttp2Inflater inflater;
    for (int round = 0; round < 2; ++round) {  // the second time too: it never entered the table
      const std::vector<std::byte> block = encode(encoder, {field});
      SCOPED_TRACE(::testing::Message() << "round " << round << " wire " << hex_of(block));
      ASSERT_FALSE(block.empty());
      EXPECT_EQ(octet(block, 0) & 0xf0, 0x10) << "expected a never-indexed literal (0001xxxx)";
      HeaderList list;
      ASSERT_EQ(test::decode_bytes(decoder, block, list), std::nullopt);
      ASSERT_EQ(list.size(), 1u);
      EXPECT_EQ(list[0].name, field.name);
      EXPECT_EQ(list[0].value, field.value);
      EXPECT_TRUE(list[0].never_index);
      EXPECT_EQ(encoder.table_entries(), 0u);
      const auto theirs = inflater.inflate(block);
      ASSERT_TRUE(theirs.has_value());
      ASSERT_EQ(theirs->size(), 1u);
      EXPECT_TRUE((*theirs)[0].never_index);
    }
  }
}

// HP-5.2-01 (RFC 7541 §5.2): our policy is Huffman only when it is strictly shorter
TEST(EncoderTest, UsesHuffmanWhenItIsStrictlyShorter) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"x-h", "aaaa"},                                // name 3 = 3 octets coded; value 3 < 4
      {"custom-key", "&*,;XZ"},                       // name 8 < 10; value 6 = 6 (six 8-bit codes)
      {"x-bin", std::string("\xff\xfe\x01\x02", 4)},  // value 13 octets coded > 4
      {"x-site", "www.example.com"},                  // 12 < 15
      {"x-empty", ""},
  };
  for (const auto& [name, value] : cases) {
    SCOPED_TRACE(::testing::Message() << name << ": " << value);
    Encoder encoder;
    const std::vector<std::byte> block = encode(encoder, {Header{name, value, false}});
    SCOPED_TRACE(hex_of(block));
    const auto literal = parse_new_name_literal(block);
    ASSERT_TRUE(literal.has_value()) << "expected one literal field with a new name";
    EXPECT_EQ(literal->name.huffman, huffman_encoded_size(name) < name.size());
    EXPECT_EQ(literal->name.length, std::min(huffman_encoded_size(name), name.size()));
    EXPECT_EQ(literal->value.huffman, huffman_encoded_size(value) < value.size());
    EXPECT_EQ(literal->value.length, std::min(huffman_encoded_size(value), value.size()));
    Decoder decoder;
    HeaderList list;
    ASSERT_EQ(test::decode_bytes(decoder, block, list), std::nullopt);
    EXPECT_EQ(pairs_of(list), (Pairs{{name, value}}));
  }
}

// HP-5.2-01 (RFC 7541 §5.2)
TEST(EncoderTest, SendsRawOctetsWhenHuffmanIsOff) {
  Encoder encoder(EncoderOptions{.huffman = false});
  const std::vector<std::byte> block = encode(encoder, {Header{"custom-key", "www.example.com", false}});
  const auto literal = parse_new_name_literal(block);
  ASSERT_TRUE(literal.has_value()) << hex_of(block);
  EXPECT_FALSE(literal->name.huffman);
  EXPECT_FALSE(literal->value.huffman);
  EXPECT_EQ(literal->name.length, 10u);
  EXPECT_EQ(literal->value.length, 15u);
}

// HP-4.2-02 (RFC 7541 §4.2 / §6.3)
TEST(EncoderTest, EmitsSizeUpdateZeroWhenPeerTableSizeBecomesZero) {
  Encoder encoder;
  Decoder decoder;
  HeaderList list;
  const Pairs request = {{":method", "GET"}, {":authority", "www.example.com"}, {"user-agent", "h2push-test/1.0"}};
  ASSERT_EQ(test::decode_bytes(decoder, encode(encoder, test::headers_of(request)), list), std::nullopt);
  ASSERT_GT(encoder.table_entries(), 0u);

  encoder.set_peer_max_table_size(0);
  EXPECT_EQ(encoder.table_capacity(), 0u);
  const std::vector<std::byte> block = encode(encoder, test::headers_of(request));
  ASSERT_FALSE(block.empty());
  EXPECT_EQ(octet(block, 0), 0x20) << hex_of(block);
  EXPECT_EQ(leading_size_updates(block), (std::vector<std::uint64_t>{0})) << hex_of(block);
  EXPECT_EQ(encoder.table_entries(), 0u);
  ASSERT_EQ(test::decode_bytes(decoder, block, list), std::nullopt);
  EXPECT_EQ(pairs_of(list), request);
  EXPECT_EQ(decoder.table_capacity(), 0u);
  EXPECT_EQ(decoder.table_entries(), 0u);
  // The update is sent once.
  const std::vector<std::byte> next = encode(encoder, test::headers_of(request));
  EXPECT_TRUE(leading_size_updates(next).empty()) << hex_of(next);
}

// HP-4.2-02 (RFC 7541 §4.2): "the smallest maximum table size that occurs in that interval MUST be signaled in an
// encoding context update", then the final size
TEST(EncoderTest, EmitsSmallestThenFinalSizeUpdateWhenLoweredThenRaised) {
  Encoder encoder;
  Decoder decoder;
  HeaderList list;
  const Pairs request = {{":method", "GET"}, {":authority", "www.example.com"}, {"user-agent", "h2push-test/1.0"}};
  ASSERT_EQ(test::decode_bytes(decoder, encode(encoder, test::headers_of(request)), list), std::nullopt);

  encoder.set_peer_max_table_size(100);
  encoder.set_peer_max_table_size(4096);
  EXPECT_EQ(encoder.table_capacity(), 4096u);
  std::vector<std::byte> block = encode(encoder, test::headers_of(request));
  EXPECT_EQ(hex_of(block).substr(0, 10), "3f453fe11f") << hex_of(block);  // 100, then 4096
  EXPECT_EQ(leading_size_updates(block), (std::vector<std::uint64_t>{100, 4096})) << hex_of(block);
  ASSERT_EQ(test::decode_bytes(decoder, block, list), std::nullopt);
  EXPECT_EQ(pairs_of(list), request);
  EXPECT_EQ(decoder.table_capacity(), 4096u);
  EXPECT_EQ(decoder.table_size(), encoder.table_size());

  // Several changes: the smallest (100) and the final (2000), nothing else.
  encoder.set_peer_max_table_size(1000);
  encoder.set_peer_max_table_size(100);
  encoder.set_peer_max_table_size(3000);
  encoder.set_peer_max_table_size(2000);
  block = encode(encoder, test::headers_of(request));
  EXPECT_EQ(leading_size_updates(block), (std::vector<std::uint64_t>{100, 2000})) << hex_of(block);
  EXPECT_EQ(hex_of(block).substr(0, 10), "3f453fb10f") << hex_of(block);
  ASSERT_EQ(test::decode_bytes(decoder, block, list), std::nullopt);
  EXPECT_EQ(decoder.table_capacity(), 2000u);
  EXPECT_EQ(encoder.table_capacity(), 2000u);
  EXPECT_EQ(decoder.table_size(), encoder.table_size());
}

// HP-4.2-02 (RFC 7541 §4.2)
TEST(EncoderTest, EmitsOneSizeUpdateWhenLoweredOnce) {
  Encoder encoder;
  encoder.set_peer_max_table_size(1024);
  const std::vector<std::byte> block = encode(encoder, {Header{":method", "GET", false}});
  EXPECT_EQ(leading_size_updates(block), (std::vector<std::uint64_t>{1024})) << hex_of(block);
  EXPECT_EQ(hex_of(block), "3fe10782");
  EXPECT_EQ(encoder.table_capacity(), 1024u);
}

// HP-4.4-01 (RFC 7541 §4.3): our own cap wins over a larger peer setting
TEST(EncoderTest, CapsTableAtOwnMaximumWhenPeerAllowsMore) {
  Encoder encoder(EncoderOptions{.max_table_size = 1024});
  encoder.set_peer_max_table_size(65536);
  EXPECT_EQ(encoder.table_capacity(), 1024u);
  Decoder decoder(DecoderOptions{.max_table_size = 65536});
  decoder.set_max_table_size(65536);
  HeaderList list;
  for (int i = 0; i < 200; ++i) {
    const Pairs fields = {{"x-counter", std::to_string(i * 7919)}, {"x-static", "same"}};
    const std::vector<std::byte> block = encode(encoder, test::headers_of(fields));
    ASSERT_EQ(test::decode_bytes(decoder, block, list), std::nullopt) << hex_of(block);
    ASSERT_EQ(pairs_of(list), fields);
    ASSERT_LE(encoder.table_size(), 1024u);
  }
}

// HP-2.3-01 (RFC 7541 §2.3, §6.1): a repeated block refers to the table only
TEST(EncoderTest, EncodesOnlyIndexedFieldsWhenBlockRepeats) {
  const Pairs request = {{":method", "GET"},
                         {":scheme", "https"},
                         {":authority", "www.example.com"},
                         {":path", "/"},
                         {"user-agent", "h2push-test/1.0"},
                         {"accept", "text/html"},
                         {"accept-language", "en-US"},
                         {"accept-encoding", "gzip, deflate"}};
  Encoder encoder;
  Decoder decoder;
  HeaderList list;
  const std::vector<std::byte> first = encode(encoder, test::headers_of(request));
  ASSERT_EQ(test::decode_bytes(decoder, first, list), std::nullopt);
  for (int round = 0; round < 2; ++round) {
    const std::vector<std::byte> again = encode(encoder, test::headers_of(request));
    SCOPED_TRACE(hex_of(again));
    ASSERT_EQ(again.size(), request.size());
    for (std::size_t i = 0; i < again.size(); ++i) EXPECT_GE(octet(again, i), 0x80) << "field " << i;
    ASSERT_EQ(test::decode_bytes(decoder, again, list), std::nullopt);
    EXPECT_EQ(pairs_of(list), request);
  }
}

// The block is appended, not written over what the caller has in `out`.
TEST(EncoderTest, AppendsBlockWhenOutputAlreadyHoldsBytes) {
  Encoder encoder;
  std::vector<std::byte> out = {std::byte{0xde}, std::byte{0xad}};
  encoder.encode(std::vector<Header>{{":method", "GET", false}}, out);
  ASSERT_GE(out.size(), 3u);
  EXPECT_EQ(out[0], std::byte{0xde});
  EXPECT_EQ(out[1], std::byte{0xad});
  EXPECT_EQ(hex_of(out), "dead82");
}

// HP-2.1-01 (RFC 7541 §2.1): an empty field list encodes to a block that decodes to nothing
TEST(EncoderTest, DecodesToNothingWhenFieldListIsEmpty) {
  Encoder encoder;
  Decoder decoder;
  HeaderList list;
  const std::vector<std::byte> block = encode(encoder, {});
  ASSERT_EQ(test::decode_bytes(decoder, block, list), std::nullopt) << hex_of(block);
  EXPECT_TRUE(list.empty());
}

// The block memo (encoder.hpp): a repeated block that changed nothing is copied, and the copy must never outlive
// the table state it was made for. A response block repeats; another block then inserts entries (shifting every
// dynamic index), resizes the table or differs in one value; each later block must still decode to its own
// fields, by our decoder and by libnghttp2, which followed every block.
TEST(EncoderTest, ReusesRepeatedBlockOnlyWhileTheTableIsUnchanged) {
  const Pairs response = {{":status", "200"},         {"server", "h2push"},    {"content-type", "text/css"},
                          {"content-length", "1000"}, {"etag", "\"3e8-1-2\""}, {"cache-control", "no-cache"}};
  Pairs other_length = response;
  other_length[3].second = "2000";
  const Pairs inserting = {{"x-new-a", "one"}, {"x-new-b", "two"}, {"server", "other"}};
  Encoder encoder;
  Decoder decoder;
  Nghttp2Inflater nghttp2;
  HeaderList list;
  const auto check = [&](const Pairs& fields) {
    const std::vector<std::byte> block = encode(encoder, test::headers_of(fields));
    SCOPED_TRACE(hex_of(block));
    ASSERT_EQ(test::decode_bytes(decoder, block, list), std::nullopt);
    EXPECT_EQ(pairs_of(list), fields);
    const auto theirs = nghttp2.inflate(block);
    ASSERT_TRUE(theirs.has_value());
    Pairs their_pairs;
    for (const Field& f : *theirs) their_pairs.emplace_back(f.name, f.value);
    EXPECT_EQ(their_pairs, fields);
  };
  check(response);  // inserts: no memo
  check(response);  // etag seen once more: inserted now
  check(response);  // changes nothing: memorised
  const std::uint64_t before = encoder.memo_hits();
  check(response);
  EXPECT_EQ(encoder.memo_hits(), before + 1);
  check(inserting);  // new entries: every index of the memorised block is off by three now
  check(response);
  check(other_length);  // one value differs: encoded anew
  check(response);
  encoder.set_peer_max_table_size(128);  // evicts nearly everything
  check(response);
  check(response);
  encoder.set_peer_max_table_size(4096);
  check(response);
  check(response);
  check(response);
  EXPECT_GT(encoder.memo_hits(), before + 1);
}

// A memorised block is compared field by field, name, value and never_index: a field moved between name and
// value, or asked to be never indexed, is not the same block.
TEST(EncoderTest, MemoMissesWhenOnlyTheSplitOrNeverIndexDiffers) {
  Encoder encoder;
  Decoder decoder;
  HeaderList list;
  const std::vector<Header> block = {{"x-ab", "c", false}, {":status", "200", false}};
  const std::vector<Header> split = {{"x-a", "bc", false}, {":status", "200", false}};
  const std::vector<Header> never = {{"x-ab", "c", true}, {":status", "200", false}};
  for (int i = 0; i < 3; ++i) ASSERT_EQ(test::decode_bytes(decoder, encode(encoder, block), list), std::nullopt);
  for (const auto* fields : {&split, &never, &block}) {
    const std::vector<std::byte> out = encode(encoder, *fields);
    ASSERT_EQ(test::decode_bytes(decoder, out, list), std::nullopt);
    ASSERT_EQ(list.size(), fields->size());
    EXPECT_EQ(list[0].name, (*fields)[0].name);
    EXPECT_EQ(list[0].value, (*fields)[0].value);
    EXPECT_EQ(list[0].never_index, (*fields)[0].never_index);
  }
}

// The memo compares names and values word by word: for every length up to 20 (short, word-sized and overlapping
// tails) and every position, a value or name that differs in one octet only is not the memorised block.
TEST(EncoderTest, MemoMissesOnAnyChangedOctetOfAnEqualLength) {
  Encoder encoder;
  Decoder decoder;
  HeaderList list;
  for (std::size_t length = 1; length <= 20; ++length) {
    const std::string base(length, 'a');
    for (std::size_t at = 0; at < length; ++at) {
      std::string changed = base;
      changed[at] = 'b';
      const std::string name = "x-" + base;
      std::string changed_name = "x-" + changed;
      for (const auto& [n, v] : {std::pair{name, changed}, std::pair{changed_name, base}}) {
        const std::vector<Header> memorised = {{":status", "200", false}, {name, base, false}};
        const std::vector<Header> other = {{":status", "200", false}, {n, v, false}};
        for (const auto* fields : {&memorised, &memorised, &other}) {
          ASSERT_EQ(test::decode_bytes(decoder, encode(encoder, *fields), list), std::nullopt);
          ASSERT_EQ(list.size(), 2u);
          ASSERT_EQ(list[1].name, (*fields)[1].name) << length << " " << at;
          ASSERT_EQ(list[1].value, (*fields)[1].value) << length << " " << at;
        }
      }
    }
  }
}

}  // namespace
}  // namespace h2push::hpack
