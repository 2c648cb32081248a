// tests/server/progress_table_test.cpp: the table of bodies in flight behind timeouts.send (src/server/h2_session.hpp)
// and the ProgressSource that keeps it: entries set, refreshed by reads, gone when a body ends or fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>

#include "server/h2_session.hpp"

namespace h2push::server {
namespace {

using TimePoint = ProgressTable::TimePoint;
TimePoint at(int ms) { return TimePoint(std::chrono::milliseconds(ms)); }

// A body of `left` octets, read at most `out.size()` at a time; fails instead of ending when `fail` is set.
class CountdownBody final : public BodySource {
 public:
  CountdownBody(std::size_t left, bool fail) : left_(left), fail_(fail) {}
  Read read(std::span<std::byte> out) override {
    const std::size_t n = std::min(out.size(), left_);
    left_ -= n;
    Read r;
    r.length = n;
    if (left_ == 0) (fail_ ? r.failed : r.end) = true;
    return r;
  }

 private:
  std::size_t left_;
  bool fail_;
};

TEST(ProgressTableTest, SetsRefreshesAndErasesEntries) {
  ProgressTable table;
  table.set(1, at(10));
  table.set(3, at(20));
  table.set(5, at(30));
  table.set(3, at(40));  // refreshed, not added
  ASSERT_EQ(table.size(), 3u);
  ASSERT_NE(table.find(3), nullptr);
  EXPECT_EQ(table.find(3)->last, at(40));
  table.erase(1);  // the last entry takes its place
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.find(1), nullptr);
  EXPECT_EQ(table[0].stream, 5u);
  table.erase(7);  // absent: nothing happens
  EXPECT_EQ(table.size(), 2u);
  table.erase_at(1);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.find(3), nullptr);
  table.clear();
  EXPECT_EQ(table.size(), 0u);
}

TEST(ProgressTableTest, SourceRefreshesOnReadsAndLeavesWhenBodyEndsOrFails) {
  for (const bool fail : {false, true}) {
    ProgressTable table;
    table.set(9, at(0));
    table.set(11, at(0));
    ProgressSource source(std::make_unique<CountdownBody>(10, fail), table, 9);
    std::array<std::byte, 4> buffer{};
    EXPECT_EQ(source.read(buffer).length, 4u);
    ASSERT_NE(table.find(9), nullptr);
    EXPECT_GT(table.find(9)->last, at(0));  // the time of this read (steady_clock::now())
    EXPECT_EQ(table.find(11)->last, at(0));
    EXPECT_EQ(source.read(buffer).length, 4u);
    const BodySource::Read last = source.read(buffer);
    EXPECT_EQ(last.length, 2u);
    EXPECT_EQ(fail ? last.failed : last.end, true);
    EXPECT_EQ(table.find(9), nullptr);  // gone with its body
    EXPECT_NE(table.find(11), nullptr);
  }
}

}  // namespace
}  // namespace h2push::server
