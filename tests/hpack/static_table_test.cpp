// tests/hpack/static_table_test.cpp: the static table of RFC 7541 Appendix A (src/hpack/static_table.cpp).
#include "hpack/static_table.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <gtest/gtest.h>

namespace h2push::hpack::detail {
namespace {

struct Entry {
  std::string_view name;
  std::string_view value;
};

// RFC 7541 Appendix A.
constexpr std::array<Entry, 61> kAppendixA = {{
    {":authority", ""},                    // 1
    {":method", "GET"},                    // 2
    {":method", "POST"},                   // 3
    {":path", "/"},                        // 4
    {":path", "/index.html"},              // 5
    {":scheme", "http"},                   // 6
    {":scheme", "https"},                  // 7
    {":status", "200"},                    // 8
    {":status", "204"},                    // 9
    {":status", "206"},                    // 10
    {":status", "304"},                    // 11
    {":status", "400"},                    // 12
    {":status", "404"},                    // 13
    {":status", "500"},                    // 14
    {"accept-charset", ""},                // 15
    {"accept-encoding", "gzip, deflate"},  // 16
    {"accept-language", ""},               // 17
    {"accept-ranges", ""},                 // 18
    {"accept", ""},                        // 19
    {"access-control-allow-origin", ""},   // 20
    {"age", ""},                           // 21
    {"allow", ""},                         // 22
    {"authorization", ""},                 // 23
    {"cache-control", ""},                 // 24
    {"content-disposition", ""},           // 25
    {"content-encoding", ""},              // 26
    {"content-language", ""},              // 27
    {"content-length", ""},                // 28
    {"content-location", ""},              // 29
    {"content-range", ""},                 // 30
    {"content-type", ""},                  // 31
    {"cookie", ""},                        // 32
    {"date", ""},                          // 33
    {"etag", ""},                          // 34
    {"expect", ""},                        // 35
    {"expires", ""},                       // 36
    {"from", ""},                          // 37
    {"host", ""},                          // 38
    {"if-match", ""},                      // 39
    {"if-modified-since", ""},             // 40
    {"if-none-match", ""},                 // 41
    {"if-range", ""},                      // 42
    {"if-unmodified-since", ""},           // 43
    {"last-modified", ""},                 // 44
    {"link", ""},                          // 45
    {"location", ""},                      // 46
    {"max-forwards", ""},                  // 47
    {"proxy-authenticate", ""},            // 48
    {"proxy-authorization", ""},           // 49
    {"range", ""},                         // 50
    {"referer", ""},                       // 51
    {"refresh", ""},                       // 52
    {"retry-after", ""},                   // 53
    {"server", ""},                        // 54
    {"set-cookie", ""},                    // 55
    {"strict-transport-security", ""},     // 56
    {"transfer-encoding", ""},             // 57
    {"user-agent", ""},                    // 58
    {"vary", ""},                          // 59
    {"via", ""},                           // 60
    {"www-authenticate", ""},              // 61
}};

// Index of the first Appendix A entry named `name`, 0 if none.
std::uint32_t first_index_of(std::string_view name) {
  for (std::size_t i = 0; i < kAppendixA.size(); ++i) {
    if (kAppendixA[i].name == name) return static_cast<std::uint32_t>(i + 1);
  }
  return 0;
}

// HP-2.3-01 (RFC 7541 §2.3.1 / App. A)
TEST(StaticTableTest, HoldsAppendixAEntriesWhenIndexedOneToSixtyOne) {
  ASSERT_EQ(kStaticTableSize, 61u);
  for (std::uint32_t index = 1; index <= kStaticTableSize; ++index) {
    SCOPED_TRACE(::testing::Message() << "index " << index);
    EXPECT_EQ(static_entry(index).name, kAppendixA[index - 1].name);
    EXPECT_EQ(static_entry(index).value, kAppendixA[index - 1].value);
  }
}

// HP-2.3-01 (RFC 7541 §2.3.1 / App. A)
TEST(StaticTableTest, ReturnsFirstSecondAndLastEntriesWhenLookedUp) {
  EXPECT_EQ(static_entry(1).name, ":authority");
  EXPECT_EQ(static_entry(1).value, "");
  EXPECT_EQ(static_entry(2).name, ":method");
  EXPECT_EQ(static_entry(2).value, "GET");
  EXPECT_EQ(static_entry(61).name, "www-authenticate");
  EXPECT_EQ(static_entry(61).value, "");
}

// HP-2.3-01 (RFC 7541 §2.3.1 / App. A)
TEST(StaticTableTest, FindsFullMatchWhenNameAndValueAreInTable) {
  for (std::uint32_t index = 1; index <= kStaticTableSize; ++index) {
    const Entry& entry = kAppendixA[index - 1];
    SCOPED_TRACE(::testing::Message() << "index " << index << " " << entry.name << ": " << entry.value);
    const StaticMatch match = find_static(entry.name, entry.value);
    EXPECT_EQ(match.index, index);
    EXPECT_TRUE(match.value_matches);
  }
  const StaticMatch post = find_static(":method", "POST");
  EXPECT_EQ(post.index, 3u);
  EXPECT_TRUE(post.value_matches);
  const StaticMatch not_found = find_static(":status", "404");
  EXPECT_EQ(not_found.index, 13u);
  EXPECT_TRUE(not_found.value_matches);
  const StaticMatch gzip = find_static("accept-encoding", "gzip, deflate");
  EXPECT_EQ(gzip.index, 16u);
  EXPECT_TRUE(gzip.value_matches);
}

// HP-2.3-01 (RFC 7541 §2.3.1 / App. A)
TEST(StaticTableTest, FindsFirstNameEntryWhenOnlyNameIsInTable) {
  struct Case {
    std::string_view name;
    std::string_view value;
    std::uint32_t index;
  };
  for (const Case& c : {Case{":method", "PUT", 2}, Case{":path", "/other", 4}, Case{":scheme", "ftp", 6},
                        Case{":status", "201", 8}, Case{":status", "", 8}, Case{"accept-encoding", "br", 16},
                        Case{"cookie", "a=b", 32}, Case{":authority", "example.com", 1},
                        Case{"www-authenticate", "Basic", 61}, Case{"user-agent", "curl/8", 58}}) {
    SCOPED_TRACE(::testing::Message() << c.name << ": " << c.value);
    const StaticMatch match = find_static(c.name, c.value);
    EXPECT_EQ(match.index, c.index);
    EXPECT_EQ(match.index, first_index_of(c.name));
    EXPECT_FALSE(match.value_matches);
  }
}

// HP-2.3-01 (RFC 7541 §2.3.1 / App. A)
TEST(StaticTableTest, FindsNothingWhenNameIsNotInTable) {
  for (std::string_view name : {"x-custom", "", ":Method", "Accept", "content-typ", "content-type2", "authority"}) {
    SCOPED_TRACE(name);
    const StaticMatch match = find_static(name, "");
    EXPECT_EQ(match.index, 0u);
    EXPECT_FALSE(match.value_matches);
  }
}

}  // namespace
}  // namespace h2push::hpack::detail
