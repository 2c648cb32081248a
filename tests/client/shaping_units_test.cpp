// Tests of the relay's value parsers: `--rtt`, `--bw`, `--to`.
#include "client/shaping_units.hpp"

#include <gtest/gtest.h>

namespace h2push::client {
namespace {

using namespace std::chrono_literals;

TEST(ShapingUnitsTest, ParsesDurationsWithTheirUnits) {
  EXPECT_EQ(*parse_duration("100ms"), 100ms);
  EXPECT_EQ(*parse_duration("0.5s"), 500ms);
  EXPECT_EQ(*parse_duration("2s"), 2s);
  EXPECT_EQ(*parse_duration("250us"), 250us);
  EXPECT_EQ(*parse_duration("1.5ms"), 1500us);
  EXPECT_EQ(*parse_duration("20ns"), 20ns);
  EXPECT_EQ(*parse_duration("100MS"), 100ms);
  EXPECT_EQ(*parse_duration("0"), 0ns);
  EXPECT_EQ(*parse_duration("0ms"), 0ns);
}

TEST(ShapingUnitsTest, RefusesBadDurationsSayingWhy) {
  auto expect_error = [](std::string_view text, std::string_view part) {
    const auto parsed = parse_duration(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().find(part), std::string::npos) << parsed.error();
  };
  expect_error("100", "needs a unit");
  expect_error("100m", "unknown duration unit 'm'");
  expect_error("", "empty");
  expect_error("-5ms", "negative");
  expect_error("ms", "not a duration");
  expect_error("1.2.3ms", "not a duration");
  expect_error(".5s", "not a duration");
  expect_error("2h", "unknown duration unit");
  expect_error("3601s", "above one hour");
  expect_error("99999999999999999999s", "above one hour");
  expect_error("0.5ns", "finer than 1 ns");
}

TEST(ShapingUnitsTest, ParsesBandwidthsInBitsPerSecond) {
  EXPECT_EQ(*parse_bandwidth("10mbit"), 10'000'000u);
  EXPECT_EQ(*parse_bandwidth("512kbit"), 512'000u);
  EXPECT_EQ(*parse_bandwidth("1gbit"), 1'000'000'000u);
  EXPECT_EQ(*parse_bandwidth("1.5mbit"), 1'500'000u);
  EXPECT_EQ(*parse_bandwidth("9600bit"), 9600u);
  EXPECT_EQ(*parse_bandwidth("10Mbit"), 10'000'000u);
  EXPECT_EQ(*parse_bandwidth("0"), 0u);
  EXPECT_EQ(*parse_bandwidth("unlimited"), 0u);
  EXPECT_EQ(*parse_bandwidth("Unlimited"), 0u);
}

TEST(ShapingUnitsTest, RefusesBadBandwidthsSayingWhy) {
  auto expect_error = [](std::string_view text, std::string_view part) {
    const auto parsed = parse_bandwidth(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().find(part), std::string::npos) << parsed.error();
  };
  expect_error("10", "needs a unit");
  expect_error("10mbps", "ambiguous");
  expect_error("10kbps", "ambiguous");
  expect_error("10mb", "unknown bandwidth unit 'mb'");
  expect_error("fast", "not a bandwidth");
  expect_error("-1mbit", "negative");
  expect_error("", "empty");
  expect_error("1001gbit", "above 1000gbit");
  expect_error("0.5bit", "whole number");
  expect_error("0mbit", "whole number");
}

TEST(ShapingUnitsTest, ParsesHostAndPort) {
  auto v4 = parse_host_port("127.0.0.1:8443");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8443);
  auto v6 = parse_host_port("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  auto name = parse_host_port("localhost:65535");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->host, "localhost");
  EXPECT_EQ(name->port, 65535);
  EXPECT_FALSE(parse_host_port("localhost"));
  EXPECT_FALSE(parse_host_port(":80"));
  EXPECT_FALSE(parse_host_port("host:"));
  EXPECT_FALSE(parse_host_port("host:65536"));
  EXPECT_FALSE(parse_host_port("host:8x"));
  EXPECT_FALSE(parse_host_port("::1:80"));
  EXPECT_FALSE(parse_host_port("[::1]80"));
}

TEST(ShapingUnitsTest, FormatsForPeople) {
  EXPECT_EQ(format_duration(100ms), "100 ms");
  EXPECT_EQ(format_duration(1500us), "1.500 ms");
  EXPECT_EQ(format_duration(250us), "250 us");
  EXPECT_EQ(format_bandwidth(10'000'000), "10 mbit/s");
  EXPECT_EQ(format_bandwidth(1'500'000), "1.5 mbit/s");
  EXPECT_EQ(format_bandwidth(0), "unlimited");
}

}  // namespace
}  // namespace h2push::client
