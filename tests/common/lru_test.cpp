// tests/common/lru_test.cpp: the generic LRU (src/common/lru.hpp): order, both bounds, replacement, erasure,
// string_view lookups and the eviction count.
#include "common/lru.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace h2push::common {
namespace {

template <class Value>
std::vector<std::string> keys(Lru<Value>& lru) {
  std::vector<std::string> out;
  lru.for_each([&](const std::string& key, Value&) { out.push_back(key); });
  return out;
}

using Keys = std::vector<std::string>;

TEST(LruTest, FindsByStringViewAndReportsAbsentKeys) {
  Lru<int> lru(4);
  ASSERT_NE(lru.put("alpha", 1), nullptr);
  const std::string probe = "xalphax";
  const std::string_view middle = std::string_view(probe).substr(1, 5);  // not NUL-terminated
  ASSERT_NE(lru.find(middle), nullptr);
  EXPECT_EQ(*lru.find(middle), 1);
  EXPECT_EQ(lru.find("alph"), nullptr);
  EXPECT_EQ(lru.find(""), nullptr);
  EXPECT_EQ(lru.peek("beta"), nullptr);
}

TEST(LruTest, EvictsLeastRecentlyUsedWhenCountBoundIsReached) {
  Lru<int> lru(3);
  lru.put("a", 1);
  lru.put("b", 2);
  lru.put("c", 3);
  EXPECT_EQ(keys(lru), (Keys{"c", "b", "a"}));
  ASSERT_NE(lru.find("a"), nullptr);  // a used: b is now the least recent
  EXPECT_EQ(keys(lru), (Keys{"a", "c", "b"}));
  lru.put("d", 4);
  EXPECT_EQ(keys(lru), (Keys{"d", "a", "c"}));
  EXPECT_EQ(lru.find("b"), nullptr);
  EXPECT_EQ(lru.size(), 3u);
  EXPECT_EQ(lru.evictions(), 1u);
}

TEST(LruTest, PeekLeavesTheOrderAlone) {
  Lru<int> lru(2);
  lru.put("a", 1);
  lru.put("b", 2);
  ASSERT_NE(lru.peek("a"), nullptr);
  EXPECT_EQ(*lru.peek("a"), 1);
  lru.put("c", 3);  // a is still the least recent
  EXPECT_EQ(lru.peek("a"), nullptr);
  EXPECT_EQ(keys(lru), (Keys{"c", "b"}));
}

TEST(LruTest, EvictsByWeightUntilTheNewEntryFits) {
  Lru<std::string> lru(100, 10);
  lru.put("a", "aaaa", 4);
  lru.put("b", "bbb", 3);
  lru.put("c", "cc", 2);
  EXPECT_EQ(lru.weight(), 9u);
  lru.put("d", "dddddd", 6);  // 9 + 6 > 10: a goes; 5 + 6 > 10: b goes; 2 + 6 fits
  EXPECT_EQ(keys(lru), (Keys{"d", "c"}));
  EXPECT_EQ(lru.weight(), 8u);
  EXPECT_EQ(lru.evictions(), 2u);
  ASSERT_NE(lru.put("e", "", 0), nullptr);  // weightless entries count against the entry bound only
  EXPECT_EQ(lru.weight(), 8u);
  EXPECT_EQ(lru.size(), 3u);
}

TEST(LruTest, RefusesWhatCanNeverFitAndKeepsTheOldEntry) {
  Lru<int> lru(4, 10);
  lru.put("a", 1, 5);
  EXPECT_FALSE(lru.fits(11));
  EXPECT_TRUE(lru.fits(10));
  EXPECT_EQ(lru.put("a", 2, 11), nullptr);
  ASSERT_NE(lru.peek("a"), nullptr);
  EXPECT_EQ(*lru.peek("a"), 1);
  EXPECT_EQ(lru.weight(), 5u);
  EXPECT_EQ(lru.evictions(), 0u);

  Lru<int> none(0);
  EXPECT_FALSE(none.fits(0));
  EXPECT_EQ(none.put("a", 1), nullptr);
  EXPECT_EQ(none.size(), 0u);
}

TEST(LruTest, ReplacingAKeyMovesItToTheFrontWithItsNewWeight) {
  Lru<int> lru(3, 10);
  lru.put("a", 1, 2);
  lru.put("b", 2, 2);
  lru.put("c", 3, 2);
  int* a = lru.put("a", 10, 7);  // the old a (2) is no eviction; then b goes: 4 + 7 > 10
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(*a, 10);
  EXPECT_EQ(keys(lru), (Keys{"a", "c"}));
  EXPECT_EQ(lru.weight(), 9u);
  EXPECT_EQ(lru.evictions(), 1u);
}

TEST(LruTest, EraseRemovesWithoutCountingAnEviction) {
  Lru<std::shared_ptr<int>> lru(2, 100);
  auto value = std::make_shared<int>(7);
  lru.put("a", value, 30);
  EXPECT_EQ(value.use_count(), 2);
  EXPECT_TRUE(lru.erase("a"));
  EXPECT_FALSE(lru.erase("a"));
  EXPECT_EQ(value.use_count(), 1);  // the entry's copy is gone
  EXPECT_EQ(lru.size(), 0u);
  EXPECT_EQ(lru.weight(), 0u);
  EXPECT_EQ(lru.evictions(), 0u);
  lru.put("a", value, 30);  // a key erased can be stored again
  EXPECT_EQ(lru.find("a")->get(), value.get());
}

TEST(LruTest, ForEachMayChangeValuesInPlace) {
  Lru<int> lru(3);
  lru.put("a", 1);
  lru.put("b", 2);
  lru.for_each([](const std::string&, int& v) { v *= 10; });
  EXPECT_EQ(*lru.peek("a"), 10);
  EXPECT_EQ(*lru.peek("b"), 20);
  EXPECT_EQ(keys(lru), (Keys{"b", "a"}));
}

TEST(LruTest, StaysWithinBoundsOverManyKeys) {
  Lru<int> lru(16, 100);
  for (int i = 0; i < 1000; ++i) {
    lru.put(std::to_string(i), i, static_cast<std::size_t>(i % 13));
    ASSERT_LE(lru.size(), 16u);
    ASSERT_LE(lru.weight(), 100u);
  }
  ASSERT_NE(lru.peek("999"), nullptr);  // the newest always stays
  EXPECT_EQ(lru.peek("0"), nullptr);
}

}  // namespace
}  // namespace h2push::common
