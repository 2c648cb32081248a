// Tests of the relay's timing model with a fake clock: given arrivals, the release times it computes.
#include "client/shaping_link.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace h2push::client {
namespace {

using std::chrono::milliseconds;

LinkShape shape(milliseconds rtt, std::uint64_t bits_per_second, bool slow_start) {
  LinkShape s;
  s.rtt = rtt;
  s.bits_per_second = bits_per_second;
  s.slow_start = slow_start;
  return s;
}

// Hands `octets` to the sender at `now`, then polls at the times it asks for until all is sent (bounded).
void send(ShapedLink& link, Nanos now, std::uint64_t octets, std::vector<Segment>& out) {
  link.push(now, octets);
  std::optional<Nanos> next = link.poll(now, out);
  for (int i = 0; next && i < 100'000; ++i) next = link.poll(*next, out);
  ASSERT_FALSE(next);
}

std::uint64_t total(const std::vector<Segment>& segments) {
  std::uint64_t sum = 0;
  for (const Segment& s : segments) sum += s.octets;
  return sum;
}

TEST(ShapedLinkTest, DelaysEachChunkByHalfTheRtt) {
  ShapedLink link(shape(milliseconds(100), 0, false));
  std::vector<Segment> out;
  send(link, milliseconds(0), 10, out);
  send(link, milliseconds(10), 5, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].release, milliseconds(50));
  EXPECT_EQ(out[0].octets, 10u);
  EXPECT_EQ(out[1].release, milliseconds(60));
  EXPECT_EQ(out[1].octets, 5u);
}

TEST(ShapedLinkTest, SendsNothingBeforeTheLinkOpens) {
  ShapedLink link(shape(milliseconds(100), 0, false), milliseconds(100));
  std::vector<Segment> out;
  send(link, milliseconds(1), 1, out);
  send(link, milliseconds(300), 1, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].release, milliseconds(150));  // held until the handshake is done, then half a round trip
  EXPECT_EQ(out[1].release, milliseconds(350));
}

TEST(ShapedLinkTest, QueuesBackToBackChunksBehindEachOther) {
  // 8000 bit/s: one octet per millisecond.
  ShapedLink link(shape(milliseconds(0), 8000, false));
  std::vector<Segment> out;
  send(link, milliseconds(0), 1000, out);
  send(link, milliseconds(0), 500, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].release, milliseconds(1000));
  EXPECT_EQ(out[1].release, milliseconds(1500));  // waited for the first to be serialised
}

TEST(ShapedLinkTest, StartsAfreshOnAnIdleLink) {
  ShapedLink link(shape(milliseconds(20), 8000, false));
  std::vector<Segment> out;
  send(link, milliseconds(0), 100, out);
  send(link, milliseconds(500), 100, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].release, milliseconds(110));
  EXPECT_EQ(out[1].release, milliseconds(610));
}

TEST(ShapedLinkTest, CutsShapedDataIntoSegments) {
  ShapedLink link(shape(milliseconds(0), 1'000'000, false));
  std::vector<Segment> out;
  send(link, milliseconds(0), 3000, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].octets, 1460u);
  EXPECT_EQ(out[0].release, std::chrono::microseconds(11680));
  EXPECT_EQ(out[1].release, std::chrono::microseconds(23360));
  EXPECT_EQ(out[2].octets, 80u);
  EXPECT_EQ(out[2].release, std::chrono::microseconds(24000));
}

TEST(ShapedLinkTest, TakesAtLeastOctetsOverBandwidth) {
  constexpr std::uint64_t kBits = 1'234'567;
  ShapedLink link(shape(milliseconds(30), kBits, true));
  std::vector<Segment> out;
  std::mt19937 random(7);
  std::uint64_t sent = 0;
  std::optional<Nanos> next;
  for (int i = 0; i < 200; ++i) {
    const Nanos t = milliseconds(i);
    while (next && *next <= t) next = link.poll(*next, out);  // acknowledgements due before this arrival
    const std::uint64_t n = 1 + random() % 5000;
    link.push(t, n);
    next = link.poll(t, out);
    sent += n;
  }
  for (int i = 0; next && i < 100'000; ++i) next = link.poll(*next, out);
  ASSERT_FALSE(next);
  ASSERT_EQ(total(out), sent);
  const auto serialisation = std::chrono::nanoseconds(static_cast<std::int64_t>(sent * 8 * 1'000'000'000 / kBits));
  EXPECT_GE(out.back().release, serialisation + milliseconds(15));
  for (std::size_t i = 1; i < out.size(); ++i) EXPECT_GE(out[i].release, out[i - 1].release);
}

TEST(ShapedLinkTest, SlowStartDoublesTheWindowEveryRoundTrip) {
  ShapedLink link(shape(milliseconds(100), 0, true));
  std::vector<Segment> out;
  send(link, milliseconds(0), 1 << 20, out);
  ASSERT_EQ(total(out), 1u << 20);
  // Flights of 10, 20, 40, ... segments, one round trip apart: 1 MiB needs 7 of them.
  ASSERT_EQ(out.size(), 7u);
  std::uint64_t flight = 10 * 1460;
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    EXPECT_EQ(out[i].release, milliseconds(50 + 100 * static_cast<int>(i)));
    EXPECT_EQ(out[i].octets, flight);
    flight *= 2;
  }
  EXPECT_EQ(out.back().release, milliseconds(650));
  EXPECT_EQ(link.window_waits(), 6u);
}

TEST(ShapedLinkTest, WithoutSlowStartAMegabyteTakesHalfARoundTrip) {
  ShapedLink link(shape(milliseconds(100), 0, false));
  std::vector<Segment> out;
  send(link, milliseconds(0), 1 << 20, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].release, milliseconds(50));
  EXPECT_EQ(link.window_waits(), 0u);
}

TEST(ShapedLinkTest, GrowsTheWindowByWhatWasAcknowledged) {
  ShapedLink link(shape(milliseconds(100), 0, true));
  std::vector<Segment> out;
  send(link, milliseconds(0), 1000, out);
  EXPECT_EQ(link.window(), 14600u);
  EXPECT_EQ(link.in_flight(), 1000u);
  send(link, milliseconds(100), 1, out);  // the first thousand octets are acknowledged at 100 ms
  EXPECT_EQ(link.window(), 15600u);
  EXPECT_EQ(link.in_flight(), 1u);
}

TEST(ShapedLinkTest, SlowStartAndBandwidthTogether) {
  // 14600 octets at 1.168 Mbit/s take 100 ms: the first flight is serialisation-bound, acks return as it goes.
  ShapedLink link(shape(milliseconds(100), 1'168'000, true));
  std::vector<Segment> out;
  send(link, milliseconds(0), 100'000, out);
  ASSERT_EQ(total(out), 100'000u);
  EXPECT_GE(out.back().release, milliseconds(100'000 * 8 / 1168 + 50));
  std::set<std::int64_t> distinct;
  for (const Segment& s : out) distinct.insert(s.release.count());
  EXPECT_EQ(distinct.size(), out.size());  // equal release times are merged
}

TEST(ShapedLinkTest, LinksSharingABottleneckQueueBehindEachOther) {
  Bottleneck shared;
  ShapedLink a(shape(milliseconds(0), 8000, false), milliseconds(0), &shared);
  ShapedLink b(shape(milliseconds(0), 8000, false), milliseconds(0), &shared);
  std::vector<Segment> out_a;
  std::vector<Segment> out_b;
  send(a, milliseconds(0), 1000, out_a);
  send(b, milliseconds(0), 1000, out_b);
  EXPECT_EQ(out_a.back().release, milliseconds(1000));
  EXPECT_EQ(out_b.back().release, milliseconds(2000));  // one link: 2000 octets take 2 s in all
}

TEST(ShapedLinkTest, AWindowLimitedFlowLeavesTheSharedLinkToOthers) {
  // 8 Mbit/s: one octet per microsecond. A's first flight holds the link for 14.6 ms, then A waits for its first
  // ACK (segment 1 left at 1.46 ms, acknowledged at 101.46 ms); B's kilobyte at 50 ms goes through in the gap
  // instead of after A's whole megabyte.
  Bottleneck shared;
  ShapedLink a(shape(milliseconds(100), 8'000'000, true), milliseconds(0), &shared);
  ShapedLink b(shape(milliseconds(100), 8'000'000, true), milliseconds(0), &shared);
  std::vector<Segment> out_a;
  a.push(milliseconds(0), 1 << 20);
  const std::optional<Nanos> a_next = a.poll(milliseconds(0), out_a);
  ASSERT_TRUE(a_next);
  EXPECT_EQ(*a_next, std::chrono::microseconds(101'460));
  EXPECT_EQ(total(out_a), 14'600u);
  std::vector<Segment> out_b;
  b.push(milliseconds(50), 1000);
  EXPECT_FALSE(b.poll(milliseconds(50), out_b));
  ASSERT_EQ(out_b.size(), 1u);
  EXPECT_EQ(out_b[0].release, milliseconds(101));
}

TEST(ShapedLinkTest, WaitsForTheHandshakeBeforeSending) {
  ShapedLink link(shape(milliseconds(100), 0, true), milliseconds(100));
  std::vector<Segment> out;
  link.push(milliseconds(0), 10);
  const std::optional<Nanos> next = link.poll(milliseconds(0), out);
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, milliseconds(100));
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(link.unsent(), 10u);
}

TEST(ShapedLinkTest, FinArrivesAfterTheLastOctet) {
  ShapedLink link(shape(milliseconds(100), 8000, false));
  EXPECT_EQ(link.fin(milliseconds(5)), milliseconds(55));
  std::vector<Segment> out;
  send(link, milliseconds(0), 1000, out);  // serialised until 1 s, arrives at 1.05 s
  EXPECT_EQ(link.fin(milliseconds(10)), milliseconds(1050));
  EXPECT_EQ(link.fin(milliseconds(2000)), milliseconds(2050));
}

TEST(ShapedLinkTest, FinWaitsForTheHandshake) {
  ShapedLink link(shape(milliseconds(100), 0, true), milliseconds(100));
  EXPECT_EQ(link.fin(milliseconds(0)), milliseconds(150));
}

}  // namespace
}  // namespace h2push::client
