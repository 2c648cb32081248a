// tests/hpack/decoder_test.cpp: the HPACK decoder (src/hpack/decoder.cpp) against RFC 7541 Appendix C and every
// DecodeError it can report.
#include "h2push/hpack/decoder.hpp"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "hpack_test_util.hpp"

namespace h2push::hpack {
namespace {

using test::decode_hex;
using test::hex;
using test::Pairs;
using test::pairs_of;

// Reads the dynamic table back without changing it: indexed fields (§6.1) never modify the table, so a block of
// indices 62..61+n returns the entries newest first.
Pairs table_contents(Decoder& decoder) {
  std::string probe;
  for (std::size_t i = 0; i < decoder.table_entries(); ++i) {
    const std::size_t index = 62 + i;
    if (index >= 127) break;  // keep the probe to one-octet indices; no test needs more
    static constexpr char kDigits[] = "0123456789abcdef";
    const std::size_t octet = 0x80 | index;
    probe.push_back(kDigits[octet >> 4]);
    probe.push_back(kDigits[octet & 15]);
  }
  HeaderList list;
  const auto error = decode_hex(decoder, probe, list);
  EXPECT_EQ(error, std::nullopt) << "probing the dynamic table failed";
  return pairs_of(list);
}

struct RfcBlock {
  std::string_view wire;
  Pairs fields;
  Pairs table;  // newest first
  std::uint32_t table_size;
};

void expect_blocks(Decoder& decoder, const std::vector<RfcBlock>& blocks) {
  HeaderList list;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "block " << i + 1);
    const RfcBlock& block = blocks[i];
    ASSERT_EQ(decode_hex(decoder, block.wire, list), std::nullopt);
    EXPECT_EQ(pairs_of(list), block.fields);
    for (const Header& field : list) EXPECT_FALSE(field.never_index) << field.name;
    EXPECT_EQ(decoder.table_size(), block.table_size);
    EXPECT_EQ(decoder.table_entries(), block.table.size());
    EXPECT_EQ(table_contents(decoder), block.table);
  }
}

const Pairs kC3Request1 = {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}};
const Pairs kC3Request2 = {{":method", "GET"},
                           {":scheme", "http"},
                           {":path", "/"},
                           {":authority", "www.example.com"},
                           {"cache-control", "no-cache"}};
const Pairs kC3Request3 = {{":method", "GET"},
                           {":scheme", "https"},
                           {":path", "/index.html"},
                           {":authority", "www.example.com"},
                           {"custom-key", "custom-value"}};
const Pairs kC3Table1 = {{":authority", "www.example.com"}};
const Pairs kC3Table2 = {{"cache-control", "no-cache"}, {":authority", "www.example.com"}};
const Pairs kC3Table3 = {
    {"custom-key", "custom-value"}, {"cache-control", "no-cache"}, {":authority", "www.example.com"}};

const std::string kDate21 = "Mon, 21 Oct 2013 20:13:21 GMT";
const std::string kDate22 = "Mon, 21 Oct 2013 20:13:22 GMT";
const std::string kLocation = "https://www.example.com";
const std::string kCookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
const Pairs kC5Response1 = {
    {":status", "302"}, {"cache-control", "private"}, {"date", kDate21}, {"location", kLocation}};
const Pairs kC5Response2 = {
    {":status", "307"}, {"cache-control", "private"}, {"date", kDate21}, {"location", kLocation}};
const Pairs kC5Response3 = {{":status", "200"},      {"cache-control", "private"}, {"date", kDate22},
                            {"location", kLocation}, {"content-encoding", "gzip"}, {"set-cookie", kCookie}};
const Pairs kC5Table1 = {{"location", kLocation}, {"date", kDate21}, {"cache-control", "private"}, {":status", "302"}};
const Pairs kC5Table2 = {{":status", "307"}, {"location", kLocation}, {"date", kDate21}, {"cache-control", "private"}};
const Pairs kC5Table3 = {{"set-cookie", kCookie}, {"content-encoding", "gzip"}, {"date", kDate22}};

// HP-6.2-01 (RFC 7541 §6.2.1), example C.2.1
TEST(DecoderTest, InsertsFieldWhenLiteralHasIncrementalIndexing) {
  Decoder decoder;
  HeaderList list;
  ASSERT_EQ(decode_hex(decoder, "400a637573746f6d2d6b65790d637573746f6d2d686561646572", list), std::nullopt);
  EXPECT_EQ(pairs_of(list), (Pairs{{"custom-key", "custom-header"}}));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_FALSE(list[0].never_index);
  EXPECT_EQ(decoder.table_entries(), 1u);
  EXPECT_EQ(decoder.table_size(), 55u);
  EXPECT_EQ(table_contents(decoder), (Pairs{{"custom-key", "custom-header"}}));
}

// HP-6.2-01 (RFC 7541 §6.2.2), example C.2.2
TEST(DecoderTest, LeavesTableAloneWhenLiteralHasNoIndexing) {
  Decoder decoder;
  HeaderList list;
  ASSERT_EQ(decode_hex(decoder, "040c2f73616d706c652f70617468", list), std::nullopt);
  EXPECT_EQ(pairs_of(list), (Pairs{{":path", "/sample/path"}}));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_FALSE(list[0].never_index);
  EXPECT_EQ(decoder.table_entries(), 0u);
  EXPECT_EQ(decoder.table_size(), 0u);
}

// HP-6.2-01 (RFC 7541 §6.2.3 / §7.1.3), example C.2.3
TEST(DecoderTest, MarksFieldNeverIndexedWhenLiteralIsNeverIndexed) {
  Decoder decoder;
  HeaderList list;
  ASSERT_EQ(decode_hex(decoder, "100870617373776f726406736563726574", list), std::nullopt);
  EXPECT_EQ(pairs_of(list), (Pairs{{"password", "secret"}}));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_TRUE(list[0].never_index);
  EXPECT_EQ(decoder.table_entries(), 0u);
  EXPECT_EQ(decoder.table_size(), 0u);
}

// HP-6.2-01 (RFC 7541 §6.2.3 / §7.1.3): never-indexed with an indexed name (0001xxxx, 4-bit prefix)
TEST(DecoderTest, MarksFieldNeverIndexedWhenNameIsIndexed) {
  Decoder decoder;
  HeaderList list;
  // 0x1f 0x08: name index 15 + 8 = 23 (authorization); 0x10|4: :path. Then a plain indexed field.
  ASSERT_EQ(decode_hex(decoder,
                       "1f0803616263"
                       "14022f61"
                       "82",
                       list),
            std::nullopt);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(pairs_of(list), (Pairs{{"authorization", "abc"}, {":path", "/a"}, {":method", "GET"}}));
  EXPECT_TRUE(list[0].never_index);
  EXPECT_TRUE(list[1].never_index);
  EXPECT_FALSE(list[2].never_index);
  EXPECT_EQ(decoder.table_entries(), 0u);
}

// HP-6.1-01 (RFC 7541 §6.1), example C.2.4
TEST(DecoderTest, ReturnsStaticEntryWhenFieldIsIndexed) {
  Decoder decoder;
  HeaderList list;
  ASSERT_EQ(decode_hex(decoder, "82", list), std::nullopt);
  EXPECT_EQ(pairs_of(list), (Pairs{{":method", "GET"}}));
  EXPECT_EQ(decoder.table_entries(), 0u);
  ASSERT_EQ(decode_hex(decoder, "81bd", list), std::nullopt);  // entries 1 and 61
  EXPECT_EQ(pairs_of(list), (Pairs{{":authority", ""}, {"www-authenticate", ""}}));
}

// HP-2.3-01 / HP-4.1-01 (RFC 7541 §2.3 / §4.1), example C.3: requests without Huffman, one decoder
TEST(DecoderTest, DecodesRfcRequestsWhenLiteralsAreRaw) {
  Decoder decoder;
  expect_blocks(decoder,
                {
                    {"828684410f7777772e6578616d706c652e636f6d", kC3Request1, kC3Table1, 57},
                    {"828684be58086e6f2d6361636865", kC3Request2, kC3Table2, 110},
                    {"828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565", kC3Request3, kC3Table3, 164},
                });
}

// HP-2.3-01 / HP-5.2-02 (RFC 7541 §2.3 / §5.2), example C.4: requests with Huffman
TEST(DecoderTest, DecodesRfcRequestsWhenLiteralsAreHuffmanCoded) {
  Decoder decoder;
  expect_blocks(decoder, {
                             {"828684418cf1e3c2e5f23a6ba0ab90f4ff", kC3Request1, kC3Table1, 57},
                             {"828684be5886a8eb10649cbf", kC3Request2, kC3Table2, 110},
                             {"828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf", kC3Request3, kC3Table3, 164},
                         });
}

// HP-4.4-01 (RFC 7541 §4.4), example C.5: responses without Huffman, SETTINGS_HEADER_TABLE_SIZE 256, eviction
TEST(DecoderTest, DecodesRfcResponsesWhenTableIs256OctetsAndLiteralsAreRaw) {
  Decoder decoder(DecoderOptions{.max_table_size = 256});
  EXPECT_EQ(decoder.max_table_size(), 256u);
  EXPECT_EQ(decoder.table_capacity(), 256u);
  expect_blocks(
      decoder,
      {
          {"4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e176874747073"
           "3a2f2f7777772e6578616d706c652e636f6d",
           kC5Response1, kC5Table1, 222},
          {"4803333037c1c0bf", kC5Response2, kC5Table2, 222},
          {"88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48"
           "514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31",
           kC5Response3, kC5Table3, 215},
      });
  EXPECT_EQ(decoder.table_capacity(), 256u);
}

// HP-4.4-01 / HP-5.2-02 (RFC 7541 §4.4 / §5.2), example C.6: responses with Huffman, table of 256 octets
TEST(DecoderTest, DecodesRfcResponsesWhenTableIs256OctetsAndLiteralsAreHuffmanCoded) {
  Decoder decoder(DecoderOptions{.max_table_size = 256});
  expect_blocks(
      decoder,
      {
          {"488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae"
           "43d3",
           kC5Response1, kC5Table1, 222},
          {"4883640effc1c0bf", kC5Response2, kC5Table2, 222},
          {"88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af"
           "27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
           kC5Response3, kC5Table3, 215},
      });
}

// HP-4.4-01 (RFC 7541 §4.4): "the name ... referenced ... from an entry being evicted" must survive the eviction
TEST(DecoderTest, KeepsReferencedNameWhenItsEntryIsEvicted) {
  Decoder decoder;
  HeaderList list;
  // Size update to 64, then abcd: v (37 octets) with incremental indexing.
  ASSERT_EQ(decode_hex(decoder,
                       "3f21"
                       "4004616263640176",
                       list),
            std::nullopt);
  ASSERT_EQ(decoder.table_capacity(), 64u);
  ASSERT_EQ(decoder.table_size(), 37u);
  // Incremental indexing, name index 62 (abcd), value "wxyz": 40 octets, so entry 62 is evicted before the insert.
  ASSERT_EQ(decode_hex(decoder, "7e047778797a", list), std::nullopt);
  EXPECT_EQ(pairs_of(list), (Pairs{{"abcd", "wxyz"}}));
  EXPECT_EQ(decoder.table_entries(), 1u);
  EXPECT_EQ(decoder.table_size(), 40u);
  EXPECT_EQ(table_contents(decoder), (Pairs{{"abcd", "wxyz"}}));
}

// HP-4.4-01 (RFC 7541 §4.4): an entry larger than the table empties it and is not an error
TEST(DecoderTest, EmptiesTableWhenInsertedEntryIsLargerThanTable) {
  Decoder decoder;
  HeaderList list;
  ASSERT_EQ(decode_hex(decoder,
                       "3f21"
                       "4004616263640176",
                       list),
            std::nullopt);  // capacity 64, one entry
  // abcd: 30 x's = 66 octets > 64.
  std::string value_hex;
  for (int i = 0; i < 30; ++i) value_hex += "78";
  ASSERT_EQ(decode_hex(decoder, "7e1e" + value_hex, list), std::nullopt);
  EXPECT_EQ(pairs_of(list), (Pairs{{"abcd", std::string(30, 'x')}}));
  EXPECT_EQ(decoder.table_entries(), 0u);
  EXPECT_EQ(decoder.table_size(), 0u);
}

// HP-2.1-01 (RFC 7541 §2.1)
TEST(DecoderTest, KeepsFieldOrderWhenRepresentationsAreMixed) {
  Decoder decoder;
  HeaderList list;
  // indexed :method GET, literal new name x-b: 2 (without indexing), literal indexed-name :path /z (incremental),
  // never-indexed x-a: 1, indexed 62 (:path /z).
  ASSERT_EQ(decode_hex(decoder,
                       "82"
                       "0003782d620132"
                       "44022f7a"
                       "1003782d610131"
                       "be",
                       list),
            std::nullopt);
  EXPECT_EQ(pairs_of(list), (Pairs{{":method", "GET"}, {"x-b", "2"}, {":path", "/z"}, {"x-a", "1"}, {":path", "/z"}}));
}

// HP-2.1-01 (RFC 7541 §2.1): decoding into a used list replaces its contents
TEST(DecoderTest, ClearsListWhenReusedForNextBlock) {
  Decoder decoder;
  HeaderList list;
  ASSERT_EQ(decode_hex(decoder, "828684", list), std::nullopt);
  ASSERT_EQ(list.size(), 3u);
  ASSERT_EQ(decode_hex(decoder, "87", list), std::nullopt);
  EXPECT_EQ(pairs_of(list), (Pairs{{":scheme", "https"}}));
  EXPECT_EQ(list.list_size(), 7u + 5u + 32u);
  ASSERT_EQ(decode_hex(decoder, "", list), std::nullopt);
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.list_size(), 0u);
}

// HP-5.1-01 (RFC 7541 §5.1)
TEST(DecoderTest, FailsWithTruncatedIntegerWhenBlockEndsInsideInteger) {
  for (const char* block : {"ff", "ff80", "3f", "3fe1", "7f", "1f", "0f80", "407f", "4001617f"}) {
    SCOPED_TRACE(block);
    Decoder decoder;
    HeaderList list;
    EXPECT_EQ(decode_hex(decoder, block, list), DecodeError::truncated_integer);
    EXPECT_TRUE(decoder.failed());
  }
}

// HP-5.1-01 (RFC 7541 §5.1): we cap integers at 2^32-1
TEST(DecoderTest, FailsWithIntegerOverflowWhenIntegerExceeds32Bits) {
  for (const char* block : {"ffffffffff0f",        // index 2^32 + 126
                            "ff8080808080808000",  // index 127 padded with seven continuation octets
                            "407fffffffff0f",      // name length above 2^32-1
                            "3fffffffff0f"}) {     // size update above 2^32-1
    SCOPED_TRACE(block);
    Decoder decoder;
    HeaderList list;
    EXPECT_EQ(decode_hex(decoder, block, list), DecodeError::integer_overflow);
    EXPECT_TRUE(decoder.failed());
  }
}

// HP-5.2-01 (RFC 7541 §5.2)
TEST(DecoderTest, FailsWithTruncatedStringWhenLengthRunsPastBlock) {
  for (const char* block : {"4005616263",   // name of 5 octets, 3 present
                            "4001610562",   // value of 5 octets, 1 present
                            "04057061",     // indexed name, value cut short
                            "4085f1e3c2",   // Huffman name cut short
                            "40016181"}) {  // Huffman value of 1 octet, none present
    SCOPED_TRACE(block);
    Decoder decoder;
    HeaderList list;
    EXPECT_EQ(decode_hex(decoder, block, list), DecodeError::truncated_string);
    EXPECT_TRUE(decoder.failed());
  }
}

// HP-5.2-02 (RFC 7541 §5.2)
TEST(DecoderTest, FailsWithPaddingNotOnesWhenHuffmanPaddingHasZeros) {
  for (const char* block : {"4081180161",  // name 'a' + 000
                            "400161811e",  // value 'a' + 110
                            "048118"}) {   // :path value 'a' + 000
    SCOPED_TRACE(block);
    Decoder decoder;
    HeaderList list;
    EXPECT_EQ(decode_hex(decoder, block, list), DecodeError::huffman_padding_not_ones);
  }
}

// HP-5.2-02 (RFC 7541 §5.2)
TEST(DecoderTest, FailsWithPaddingTooLongWhenHuffmanPaddingExceedsSevenBits) {
  for (const char* block : {"40821fff0161",   // name 'a' + 11 one bits
                            "400161821fff",   // value likewise
                            "40016181ff"}) {  // value of 8 padding bits only
    SCOPED_TRACE(block);
    Decoder decoder;
    HeaderList list;
    EXPECT_EQ(decode_hex(decoder, block, list), DecodeError::huffman_padding_too_long);
  }
}

// HP-5.2-02 (RFC 7541 §5.2)
TEST(DecoderTest, FailsWithHuffmanEosWhenStringContainsEos) {
  // 'a' EOS 'a' = 00011 + 30 ones + 00011 = 1f ff ff ff e3.
  for (const char* block : {"40851fffffffe30161", "400161851fffffffe3", "04851fffffffe3"}) {
    SCOPED_TRACE(block);
    Decoder decoder;
    HeaderList list;
    EXPECT_EQ(decode_hex(decoder, block, list), DecodeError::huffman_eos);
  }
}

// HP-6.1-01 (RFC 7541 §6.1)
TEST(DecoderTest, FailsWithIndexZeroWhenIndexedFieldHasIndexZero) {
  Decoder decoder;
  HeaderList list;
  EXPECT_EQ(decode_hex(decoder, "80", list), DecodeError::index_zero);
  EXPECT_TRUE(decoder.failed());
  Decoder after_field;
  EXPECT_EQ(decode_hex(after_field, "8280", list), DecodeError::index_zero);
}

// HP-2.3-02 (RFC 7541 §2.3.3)
TEST(DecoderTest, FailsWithIndexOutOfRangeWhenIndexIsPastBothTables) {
  for (const char* block : {"be",           // indexed 62, empty dynamic table
                            "ff00",         // indexed 127
                            "ffffff03",     // indexed 127 + 127 + 127*128 + 3*16384
                            "7e0161",       // incremental indexing, name index 62
                            "0f2f0161",     // without indexing, name index 15 + 47 = 62
                            "1f2f0161"}) {  // never indexed, name index 62
    SCOPED_TRACE(block);
    Decoder decoder;
    HeaderList list;
    EXPECT_EQ(decode_hex(decoder, block, list), DecodeError::index_out_of_range);
    EXPECT_TRUE(decoder.failed());
  }
  // With one dynamic entry, 62 is valid and 63 is not.
  Decoder decoder;
  HeaderList list;
  ASSERT_EQ(decode_hex(decoder, "400a637573746f6d2d6b65790d637573746f6d2d686561646572", list), std::nullopt);
  ASSERT_EQ(decode_hex(decoder, "be", list), std::nullopt);
  EXPECT_EQ(pairs_of(list), (Pairs{{"custom-key", "custom-header"}}));
  EXPECT_EQ(decode_hex(decoder, "bf", list), DecodeError::index_out_of_range);
}

// HP-4.2-01 (RFC 7541 §4.2 / §6.3)
TEST(DecoderTest, FailsWithSizeUpdateTooLargeWhenAboveOurLimit) {
  {
    Decoder decoder;  // limit 4096
    HeaderList list;
    EXPECT_EQ(decode_hex(decoder, "3fe21f82", list), DecodeError::size_update_too_large);  // 4097
    EXPECT_TRUE(decoder.failed());
  }
  {
    Decoder decoder(DecoderOptions{.max_table_size = 256});
    HeaderList list;
    ASSERT_EQ(decode_hex(decoder, "3fe10182", list), std::nullopt);  // 256 is fine
    EXPECT_EQ(decoder.table_capacity(), 256u);
    EXPECT_EQ(decode_hex(decoder, "3fe20182", list), DecodeError::size_update_too_large);  // 257
  }
  {
    Decoder decoder;  // the second of two updates is checked too
    HeaderList list;
    EXPECT_EQ(decode_hex(decoder, "203fe21f82", list), DecodeError::size_update_too_large);
  }
}

// HP-4.2-01 (RFC 7541 §4.2 / §6.3): a raised limit allows a larger table, with or without an update
TEST(DecoderTest, AcceptsLargerSizeUpdateWhenLimitWasRaised) {
  Decoder decoder;
  HeaderList list;
  decoder.set_max_table_size(8192);
  EXPECT_EQ(decoder.max_table_size(), 8192u);
  ASSERT_EQ(decode_hex(decoder, "82", list), std::nullopt);
  ASSERT_EQ(decode_hex(decoder, "3fe13f82", list), std::nullopt);  // 8192
  EXPECT_EQ(decoder.table_capacity(), 8192u);
}

// HP-4.2-03 (RFC 7541 §4.2)
TEST(DecoderTest, FailsWithSizeUpdateNotAtStartWhenAfterFirstField) {
  for (const char* block : {"8220", "203fe11f8220", "400161016220", "823fe11f"}) {
    SCOPED_TRACE(block);
    Decoder decoder;
    HeaderList list;
    EXPECT_EQ(decode_hex(decoder, block, list), DecodeError::size_update_not_at_start);
    EXPECT_TRUE(decoder.failed());
  }
}

// HP-4.2-02 (RFC 7541 §4.2): the smallest size then the final one, both at the start of the block
TEST(DecoderTest, AcceptsTwoSizeUpdatesWhenAtStartOfBlock) {
  Decoder decoder;
  HeaderList list;
  ASSERT_EQ(decode_hex(decoder, "400a637573746f6d2d6b65790d637573746f6d2d686561646572", list), std::nullopt);
  ASSERT_EQ(decoder.table_entries(), 1u);
  ASSERT_EQ(decode_hex(decoder, "203fe11f82", list), std::nullopt);  // 0, then 4096
  EXPECT_EQ(pairs_of(list), (Pairs{{":method", "GET"}}));
  EXPECT_EQ(decoder.table_entries(), 0u);
  EXPECT_EQ(decoder.table_size(), 0u);
  EXPECT_EQ(decoder.table_capacity(), 4096u);
}

// HP-4.2-01 (RFC 7541 §4.2): a block may consist of size updates only
TEST(DecoderTest, AcceptsBlockWhenItHoldsOnlySizeUpdates) {
  Decoder decoder;
  HeaderList list;
  ASSERT_EQ(decode_hex(decoder, "3fe107", list), std::nullopt);  // 1024
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(decoder.table_capacity(), 1024u);
}

// HP-4.2-01 (RFC 7541 §4.2): after we lower SETTINGS_HEADER_TABLE_SIZE below the table's maximum, the next block
// must start with a size update within the new limit
TEST(DecoderTest, FailsWithSizeUpdateMissingWhenLimitWasLowered) {
  Decoder decoder;
  HeaderList list;
  ASSERT_EQ(decode_hex(decoder, "828684410f7777772e6578616d706c652e636f6d", list), std::nullopt);
  decoder.set_max_table_size(1024);
  EXPECT_EQ(decoder.max_table_size(), 1024u);
  EXPECT_EQ(decode_hex(decoder, "82", list), DecodeError::size_update_missing);
  EXPECT_TRUE(decoder.failed());
}

// HP-4.2-01 (RFC 7541 §4.2)
TEST(DecoderTest, FailsWithSizeUpdateTooLargeWhenUpdateIgnoresLoweredLimit) {
  Decoder decoder;
  HeaderList list;
  decoder.set_max_table_size(1024);
  EXPECT_EQ(decode_hex(decoder, "3fe10f82", list), DecodeError::size_update_too_large);  // 2048
}

// HP-4.2-02 (RFC 7541 §4.2): a limit lowered then raised again before the next block still obliges the encoder to
// signal the smallest value first. Found by fuzz/hpack_decode against libnghttp2.
TEST(DecoderTest, FailsWithSizeUpdateMissingWhenLimitWasLoweredThenRaised) {
  Decoder decoder;
  HeaderList list;
  decoder.set_max_table_size(4095);
  decoder.set_max_table_size(4096);
  EXPECT_EQ(decode_hex(decoder, "82", list), DecodeError::size_update_missing);
}

// HP-4.2-02 (RFC 7541 §4.2)
TEST(DecoderTest, FailsWithSizeUpdateTooLargeWhenFirstUpdateIsAboveTheSmallestLimit) {
  Decoder decoder;
  HeaderList list;
  decoder.set_max_table_size(4095);
  decoder.set_max_table_size(4096);
  EXPECT_EQ(decode_hex(decoder, "3fe11f82", list), DecodeError::size_update_too_large);  // 4096 first
}

// HP-4.2-02 (RFC 7541 §4.2)
TEST(DecoderTest, AcceptsSmallestThenFinalSizeUpdateWhenLimitWasLoweredThenRaised) {
  Decoder decoder;
  HeaderList list;
  decoder.set_max_table_size(4095);
  decoder.set_max_table_size(4096);
  ASSERT_EQ(decode_hex(decoder, "3fe01f3fe11f82", list), std::nullopt);  // 4095, then 4096
  EXPECT_EQ(decoder.table_capacity(), 4096u);
  ASSERT_EQ(decode_hex(decoder, "82", list), std::nullopt);  // the obligation was for one block only
}

// HP-4.2-01 / HP-4.4-01 (RFC 7541 §4.2 / §4.3)
TEST(DecoderTest, AcceptsSizeUpdateWhenLimitWasLowered) {
  Decoder decoder;
  HeaderList list;
  ASSERT_EQ(decode_hex(decoder, "828684410f7777772e6578616d706c652e636f6d", list), std::nullopt);
  decoder.set_max_table_size(1024);
  ASSERT_EQ(decode_hex(decoder, "3fe10782", list), std::nullopt);
  EXPECT_EQ(decoder.table_capacity(), 1024u);
  EXPECT_EQ(decoder.table_entries(), 1u);                    // 57 octets still fit
  ASSERT_EQ(decode_hex(decoder, "82", list), std::nullopt);  // the requirement was met once
  decoder.set_max_table_size(0);
  ASSERT_EQ(decode_hex(decoder, "2082", list), std::nullopt);
  EXPECT_EQ(decoder.table_capacity(), 0u);
  EXPECT_EQ(decoder.table_entries(), 0u);
  // Smallest then final is also accepted for a lowered limit.
  decoder.set_max_table_size(512);
  ASSERT_EQ(decode_hex(decoder, "203fe10382", list), std::nullopt);  // 0, then 512
  EXPECT_EQ(decoder.table_capacity(), 512u);
}

// RFC 9113 §6.5.2 (HP-7.3-01): a list above the cap is reported, not fatal, and the table still follows the block
TEST(DecoderTest, ReportsHeaderListTooLargeWhenListExceedsLimitAndStaysUsable) {
  Decoder decoder(DecoderOptions{.max_header_list_size = 50});
  HeaderList list;
  // custom-key: custom-header, 55 octets by the RFC 9113 §6.5.2 count, incremental indexing.
  EXPECT_EQ(decode_hex(decoder, "400a637573746f6d2d6b65790d637573746f6d2d686561646572", list),
            DecodeError::header_list_too_large);
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.list_size(), 55u);
  EXPECT_FALSE(decoder.failed());
  EXPECT_EQ(decoder.table_entries(), 1u);
  EXPECT_EQ(decoder.table_size(), 55u);
  // Still usable: a small block decodes.
  ASSERT_EQ(decode_hex(decoder, "82", list), std::nullopt);
  EXPECT_EQ(pairs_of(list), (Pairs{{":method", "GET"}}));
  // The inserted entry is there (and its use is too large again, still not fatal).
  EXPECT_EQ(decode_hex(decoder, "be", list), DecodeError::header_list_too_large);
  EXPECT_FALSE(decoder.failed());
  // Two small fields that add up past the limit: 42 + 42.
  EXPECT_EQ(decode_hex(decoder, "8282", list), DecodeError::header_list_too_large);
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.list_size(), 84u);
  ASSERT_EQ(decode_hex(decoder, "84", list), std::nullopt);
  EXPECT_EQ(pairs_of(list), (Pairs{{":path", "/"}}));
}

// RFC 9113 §4.3 (HP-7.3-01): after a fatal error the context is lost, and every later block fails
TEST(DecoderTest, FailsWithFailedEarlierWhenPreviousBlockWasFatal) {
  Decoder decoder;
  HeaderList list;
  ASSERT_EQ(decode_hex(decoder, "82", list), std::nullopt);
  EXPECT_FALSE(decoder.failed());
  EXPECT_EQ(decode_hex(decoder, "80", list), DecodeError::index_zero);
  EXPECT_TRUE(decoder.failed());
  EXPECT_EQ(decode_hex(decoder, "82", list), DecodeError::failed_earlier);
  EXPECT_EQ(decode_hex(decoder, "", list), DecodeError::failed_earlier);
  decoder.set_max_table_size(4096);
  EXPECT_EQ(decode_hex(decoder, "82", list), DecodeError::failed_earlier);
  EXPECT_TRUE(decoder.failed());
}

// HP-7.3-01: the table never exceeds its capacity however many entries arrive
TEST(DecoderTest, BoundsTableSizeWhenManyEntriesAreInserted) {
  Decoder decoder;
  HeaderList list;
  for (int i = 0; i < 1000; ++i) {
    // x-n: <three decimal digits>, incremental indexing: 3 + 3 + 32 = 38 octets.
    std::string value = std::to_string(100 + i % 900);
    std::string block = "4003782d6e03";
    for (char c : value) {
      static constexpr char kDigits[] = "0123456789abcdef";
      block.push_back(kDigits[static_cast<unsigned char>(c) >> 4]);
      block.push_back(kDigits[static_cast<unsigned char>(c) & 15]);
    }
    ASSERT_EQ(decode_hex(decoder, block, list), std::nullopt);
    ASSERT_LE(decoder.table_size(), decoder.table_capacity());
  }
  EXPECT_EQ(decoder.table_entries(), 4096u / 38u);
  EXPECT_EQ(decoder.table_size(), (4096u / 38u) * 38u);
}

TEST(DecoderTest, NamesEveryErrorWhenPrinted) {
  std::set<std::string_view> names;
  const DecodeError errors[] = {DecodeError::truncated_integer,
                                DecodeError::integer_overflow,
                                DecodeError::truncated_string,
                                DecodeError::huffman_eos,
                                DecodeError::huffman_padding_too_long,
                                DecodeError::huffman_padding_not_ones,
                                DecodeError::index_zero,
                                DecodeError::index_out_of_range,
                                DecodeError::size_update_too_large,
                                DecodeError::size_update_not_at_start,
                                DecodeError::size_update_missing,
                                DecodeError::header_list_too_large,
                                DecodeError::failed_earlier};
  for (DecodeError error : errors) {
    EXPECT_FALSE(to_string(error).empty());
    names.insert(to_string(error));
    EXPECT_EQ(is_fatal(error), error != DecodeError::header_list_too_large);
  }
  EXPECT_EQ(names.size(), std::size(errors));
}

}  // namespace
}  // namespace h2push::hpack
