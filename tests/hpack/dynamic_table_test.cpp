// tests/hpack/dynamic_table_test.cpp: the HPACK dynamic table (src/hpack/dynamic_table.cpp).
#include "hpack/dynamic_table.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include <gtest/gtest.h>

namespace h2push::hpack::detail {
namespace {

std::uint32_t entry_size(std::string_view name, std::string_view value) {
  return static_cast<std::uint32_t>(name.size() + value.size() + 32);
}

// The table as the RFC describes it (§2.3.2, §4.1, §4.3, §4.4), kept deliberately naive: newest at the front.
class ModelTable {
 public:
  explicit ModelTable(std::uint32_t max_size) : max_size_(max_size) {}

  void set_max_size(std::uint32_t max_size) {
    max_size_ = max_size;
    evict_to(max_size_);
  }
  void insert(const std::string& name, const std::string& value) {
    const std::uint32_t size = entry_size(name, value);
    if (size > max_size_) {
      entries_.clear();
      size_ = 0;
    } else {
      evict_to(max_size_ - size);
      entries_.emplace_front(name, value);
      size_ += size;
    }
    ++inserted_;
  }
  const std::deque<std::pair<std::string, std::string>>& entries() const { return entries_; }
  std::uint32_t size() const { return size_; }
  std::uint32_t max_size() const { return max_size_; }
  std::uint64_t inserted() const { return inserted_; }

 private:
  void evict_to(std::uint32_t limit) {
    while (size_ > limit) {
      size_ -= entry_size(entries_.back().first, entries_.back().second);
      entries_.pop_back();
    }
  }
  std::deque<std::pair<std::string, std::string>> entries_;
  std::uint32_t size_ = 0;
  std::uint32_t max_size_;
  std::uint64_t inserted_ = 0;
};

void expect_same(const DynamicTable& table, const ModelTable& model) {
  ASSERT_EQ(table.entries(), model.entries().size());
  ASSERT_EQ(table.size(), model.size());
  ASSERT_EQ(table.max_size(), model.max_size());
  ASSERT_LE(table.size(), table.max_size());
  for (std::size_t i = 0; i < model.entries().size(); ++i) {
    ASSERT_EQ(table.name(i + 1), model.entries()[i].first) << "index " << i + 1;
    ASSERT_EQ(table.value(i + 1), model.entries()[i].second) << "index " << i + 1;
  }
}

// HP-4.4-01 (RFC 7541 §4.3 / §4.4)
TEST(DynamicTableTest, StartsEmptyWhenConstructed) {
  const DynamicTable table(4096);
  EXPECT_EQ(table.entries(), 0u);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.max_size(), 4096u);
  EXPECT_EQ(table.inserted_total(), 0u);
}

// HP-4.1-01 (RFC 7541 §4.1)
TEST(DynamicTableTest, CountsNamePlusValuePlus32WhenSizingEntries) {
  DynamicTable table(4096);
  table.insert("custom-key", "custom-header");  // RFC 7541 C.2.1: size 55
  EXPECT_EQ(table.size(), 55u);
  table.insert(":authority", "www.example.com");  // C.3.1: 57
  EXPECT_EQ(table.size(), 112u);
  table.insert("", "");
  EXPECT_EQ(table.size(), 144u);
  EXPECT_EQ(table.entries(), 3u);
}

// HP-2.3-01 (RFC 7541 §2.3.2)
TEST(DynamicTableTest, NumbersNewestAsIndexOneWhenInserting) {
  DynamicTable table(4096);
  table.insert("a", "1");
  table.insert("b", "2");
  table.insert("a", "1");  // duplicates are legal
  ASSERT_EQ(table.entries(), 3u);
  EXPECT_EQ(table.name(1), "a");
  EXPECT_EQ(table.value(1), "1");
  EXPECT_EQ(table.name(2), "b");
  EXPECT_EQ(table.value(2), "2");
  EXPECT_EQ(table.name(3), "a");
  EXPECT_EQ(table.value(3), "1");
}

// HP-4.4-01 (RFC 7541 §4.4)
TEST(DynamicTableTest, EvictsOldestFirstWhenEntryDoesNotFit) {
  DynamicTable table(3 * 40);  // three entries of 40 octets
  table.insert("n1", "value1");
  table.insert("n2", "value2");
  table.insert("n3", "value3");
  ASSERT_EQ(table.entries(), 3u);
  EXPECT_EQ(table.size(), 120u);
  table.insert("n4", "value4");
  ASSERT_EQ(table.entries(), 3u);
  EXPECT_EQ(table.name(1), "n4");
  EXPECT_EQ(table.name(2), "n3");
  EXPECT_EQ(table.name(3), "n2");
  // A larger entry evicts as many of the oldest as it needs.
  table.insert("n5", std::string(46, 'x'));  // 80 octets: n2 and n3 go
  ASSERT_EQ(table.entries(), 2u);
  EXPECT_EQ(table.name(1), "n5");
  EXPECT_EQ(table.name(2), "n4");
  EXPECT_EQ(table.size(), 120u);
}

// HP-4.4-01 (RFC 7541 §4.4)
TEST(DynamicTableTest, EmptiesTableWhenEntryIsLargerThanMaximum) {
  DynamicTable table(100);
  table.insert("a", "b");
  ASSERT_EQ(table.entries(), 1u);
  table.insert("name", std::string(65, 'v'));  // 101 octets
  EXPECT_EQ(table.entries(), 0u);
  EXPECT_EQ(table.size(), 0u);
  // An entry of exactly the maximum fits, alone.
  table.insert("a", "b");
  table.insert("name", std::string(64, 'v'));
  ASSERT_EQ(table.entries(), 1u);
  EXPECT_EQ(table.size(), 100u);
  EXPECT_EQ(table.value(1), std::string(64, 'v'));
}

// HP-4.4-01 (RFC 7541 §4.3)
TEST(DynamicTableTest, EmptiesTableWhenMaxSizeIsSetToZero) {
  DynamicTable table(4096);
  table.insert("a", "1");
  table.insert("b", "2");
  table.set_max_size(0);
  EXPECT_EQ(table.entries(), 0u);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.max_size(), 0u);
  table.insert("", "");  // 32 octets > 0: not added
  EXPECT_EQ(table.entries(), 0u);
  table.set_max_size(4096);
  table.insert("c", "3");
  ASSERT_EQ(table.entries(), 1u);
  EXPECT_EQ(table.name(1), "c");
}

// HP-4.4-01 (RFC 7541 §4.3)
TEST(DynamicTableTest, EvictsOldestUntilItFitsWhenMaxSizeIsLowered) {
  DynamicTable table(4096);
  table.insert("n1", "value1");  // 40 each
  table.insert("n2", "value2");
  table.insert("n3", "value3");
  table.set_max_size(80);
  ASSERT_EQ(table.entries(), 2u);
  EXPECT_EQ(table.name(1), "n3");
  EXPECT_EQ(table.name(2), "n2");
  table.set_max_size(79);
  ASSERT_EQ(table.entries(), 1u);
  EXPECT_EQ(table.name(1), "n3");
  table.set_max_size(4096);  // raising keeps what is there
  EXPECT_EQ(table.entries(), 1u);
  EXPECT_EQ(table.size(), 40u);
}

// HP-2.3-01 (RFC 7541 §2.3.2): sequence numbers the encoder uses to find entries again
TEST(DynamicTableTest, TracksSequencesWhenEntriesAreEvicted) {
  DynamicTable table(80);
  table.insert("n1", "value1");  // sequence 0
  table.insert("n2", "value2");  // 1
  table.insert("n3", "value3");  // 2, evicts 0
  EXPECT_EQ(table.inserted_total(), 3u);
  EXPECT_FALSE(table.holds_sequence(0));
  EXPECT_TRUE(table.holds_sequence(1));
  EXPECT_TRUE(table.holds_sequence(2));
  EXPECT_FALSE(table.holds_sequence(3));
  EXPECT_EQ(table.index_of_sequence(2), 1u);
  EXPECT_EQ(table.index_of_sequence(1), 2u);
  EXPECT_EQ(table.name(table.index_of_sequence(1)), "n2");
  table.insert("big", std::string(100, 'x'));  // too large: empties, still counted
  EXPECT_EQ(table.inserted_total(), 4u);
  EXPECT_FALSE(table.holds_sequence(1));
  EXPECT_FALSE(table.holds_sequence(2));
  EXPECT_FALSE(table.holds_sequence(3));
}

// HP-4.4-01 / HP-4.1-01 (RFC 7541 §4): ring wrap-around and buffer compaction must keep every entry intact
TEST(DynamicTableTest, MatchesDequeModelWhenOperationsAreRandom) {
  for (std::uint32_t initial_max : {64u, 256u, 1000u, 4096u}) {
    SCOPED_TRACE(::testing::Message() << "initial max " << initial_max);
    std::mt19937 rng(initial_max);
    DynamicTable table(initial_max);
    ModelTable model(initial_max);
    std::uint64_t counter = 0;
    for (int step = 0; step < 4000; ++step) {
      SCOPED_TRACE(::testing::Message() << "step " << step);
      const std::uint32_t op = static_cast<std::uint32_t>(rng() % 100);
      if (op < 4) {
        const std::uint32_t max = (rng() % 4 == 0) ? 0 : static_cast<std::uint32_t>(rng() % (2 * initial_max + 1));
        table.set_max_size(max);
        model.set_max_size(max);
      } else if (op < 6) {
        table.set_max_size(initial_max);
        model.set_max_size(initial_max);
      } else {
        // Mostly small entries, sometimes one near or above the maximum.
        const std::size_t limit = rng() % 10 == 0 ? static_cast<std::size_t>(initial_max) : 40;
        const std::size_t name_length = rng() % (limit + 1);
        const std::size_t value_length = rng() % (limit + 1);
        std::string name(1, 'n');  // appended, not `"n" + ...`, which trips GCC 12's -Wrestrict false positive
        name += std::to_string(counter++);
        name.resize(std::max(name.size(), name_length), static_cast<char>('a' + rng() % 26));
        std::string value(value_length, '\0');
        for (char& c : value) c = static_cast<char>(rng() % 256);
        table.insert(name, value);
        model.insert(name, value);
      }
      ASSERT_NO_FATAL_FAILURE(expect_same(table, model));
      ASSERT_EQ(table.inserted_total(), model.inserted());
      for (std::size_t i = 1; i <= model.entries().size(); ++i) {
        const std::uint64_t sequence = model.inserted() - i;
        ASSERT_TRUE(table.holds_sequence(sequence));
        ASSERT_EQ(table.index_of_sequence(sequence), i);
      }
      if (model.inserted() > model.entries().size()) {
        ASSERT_FALSE(table.holds_sequence(model.inserted() - model.entries().size() - 1));
      }
    }
  }
}

}  // namespace
}  // namespace h2push::hpack::detail
