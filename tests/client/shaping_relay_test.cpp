// Tests of the shaping relay over real loopback sockets. Lower bounds on time are deterministic (the relay never
// releases data early); upper bounds are only there to catch a relay that does not shape at all, with 2 s of slack
// for a busy machine.
#include "client/shaping_relay.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "client/relay_test_util.hpp"

namespace h2push::client {
namespace {

using namespace std::chrono_literals;
using test::connect_to;
using test::read_exact;
using test::read_to_end;
using test::seconds_since;
using test::send_all;
using test::TestServer;

constexpr double kSlack = 2.0;  // seconds

std::unique_ptr<ShapingRelay> start_relay(std::uint16_t target_port, std::chrono::milliseconds rtt,
                                          std::uint64_t bits_per_second = 0, bool slow_start = true) {
  RelayOptions o;
  o.target_port = target_port;
  o.rtt = rtt;
  o.down_bits_per_second = bits_per_second;
  o.up_bits_per_second = bits_per_second;
  o.slow_start = slow_start;
  auto relay = ShapingRelay::start(o);
  EXPECT_TRUE(relay) << (relay ? "" : relay.error());
  return relay ? std::move(*relay) : nullptr;
}

// Waits, in bounded steps, until `done` holds; false after `limit`.
template <class Predicate>
bool wait_for(Predicate done, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// Answers each request octet with `size` octets.
TestServer::Handler respond_with(std::size_t size) {
  return [size](int fd) {
    for (int i = 0; i < 100; ++i) {
      if (read_exact(fd, 1).size() != 1) break;
      if (!send_all(fd, std::string(size, 'x'))) break;
    }
    return false;
  };
}

TEST(ShapingRelayTest, FirstExchangeCostsTheHandshakeAndOneRoundTrip) {
  TestServer server(test::echo);
  auto relay = start_relay(server.port(), 100ms);
  ASSERT_TRUE(relay);
  const auto start = std::chrono::steady_clock::now();
  const int fd = connect_to(relay->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, "a"));
  ASSERT_EQ(read_exact(fd, 1), "a");
  const double first = seconds_since(start);
  EXPECT_GE(first, 0.200);
  EXPECT_LT(first, 0.200 + kSlack);

  const auto second_start = std::chrono::steady_clock::now();
  ASSERT_TRUE(send_all(fd, "b"));
  ASSERT_EQ(read_exact(fd, 1), "b");
  const double second = seconds_since(second_start);
  EXPECT_GE(second, 0.100);
  EXPECT_LT(second, 0.100 + kSlack);
  ::close(fd);
}

TEST(ShapingRelayTest, SkipsTheHandshakeRoundTripWhenAskedTo) {
  TestServer server(test::echo);
  RelayOptions o;
  o.target_port = server.port();
  o.rtt = 100ms;
  o.handshake_rtt = false;
  auto relay = ShapingRelay::start(o);
  ASSERT_TRUE(relay) << relay.error();
  const auto start = std::chrono::steady_clock::now();
  const int fd = connect_to((*relay)->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, "a"));
  ASSERT_EQ(read_exact(fd, 1), "a");
  const double elapsed = seconds_since(start);
  EXPECT_GE(elapsed, 0.100);
  EXPECT_LT(elapsed, 0.100 + kSlack);
  ::close(fd);
}

TEST(ShapingRelayTest, TransferTakesAtLeastOctetsOverBandwidth) {
  constexpr std::size_t kOctets = 250'000;
  constexpr std::uint64_t kBits = 2'000'000;  // 1 s of serialisation
  constexpr double kRtt = 0.010;
  TestServer server(respond_with(kOctets));
  auto relay = start_relay(server.port(), 10ms, kBits, false);
  ASSERT_TRUE(relay);
  // Timed from before the connection: the answer cannot start before the handshake and the request are through.
  const auto start = std::chrono::steady_clock::now();
  const int fd = connect_to(relay->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, "a"));
  ASSERT_EQ(read_exact(fd, kOctets).size(), kOctets);
  const double elapsed = seconds_since(start);
  const double floor = 2 * kRtt + static_cast<double>(kOctets * 8) / kBits;
  EXPECT_GE(elapsed, floor);
  EXPECT_LT(elapsed, floor + kSlack);
  ::close(fd);
}

TEST(ShapingRelayTest, ConnectionsShareTheBandwidth) {
  constexpr std::size_t kOctets = 125'000;
  constexpr std::uint64_t kBits = 2'000'000;  // each download alone: 0.5 s; both through one link: 1 s
  TestServer server(respond_with(kOctets), true);
  RelayOptions o;
  o.target_port = server.port();
  o.down_bits_per_second = kBits;
  o.slow_start = false;
  auto first = ShapingRelay::start(o);
  ASSERT_TRUE(first) << first.error();
  const auto start = std::chrono::steady_clock::now();
  const int a = connect_to((*first)->port());
  const int b = connect_to((*first)->port());
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  ASSERT_TRUE(send_all(a, "a"));
  ASSERT_TRUE(send_all(b, "b"));
  // Read both as they come in, so that neither waits for the other's reader.
  std::thread reader_a([&] { EXPECT_EQ(read_exact(a, kOctets).size(), kOctets); });
  EXPECT_EQ(read_exact(b, kOctets).size(), kOctets);
  reader_a.join();
  ::close(a);
  const double elapsed = seconds_since(start);
  const double floor = static_cast<double>(2 * kOctets * 8) / kBits;
  EXPECT_GE(elapsed, floor);
  EXPECT_LT(elapsed, floor + kSlack);
  ::close(b);
}

TEST(ShapingRelayTest, LimitsTheUploadToo) {
  constexpr std::size_t kOctets = 100'000;
  constexpr std::uint64_t kBits = 1'000'000;  // 0.8 s
  std::atomic<std::size_t> received{0};
  TestServer server([&](int fd) {
    received = read_exact(fd, kOctets).size();
    return false;
  });
  auto relay = start_relay(server.port(), 0ms, kBits, false);
  ASSERT_TRUE(relay);
  const int fd = connect_to(relay->port());
  ASSERT_GE(fd, 0);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(send_all(fd, std::string(kOctets, 'u')));
  ASSERT_TRUE(wait_for([&] { return received == kOctets; }, 10s));
  const double elapsed = seconds_since(start);
  EXPECT_GE(elapsed, static_cast<double>(kOctets * 8) / kBits);
  EXPECT_LT(elapsed, 0.8 + kSlack);
  ::close(fd);
}

// One request of 1 octet answered with 1 MiB over a fresh connection; returns the seconds until the last octet.
double fetch_megabyte(bool slow_start, std::chrono::milliseconds rtt, RelayStats& stats) {
  constexpr std::size_t kOctets = 1u << 20;
  TestServer server(respond_with(kOctets));
  auto relay = start_relay(server.port(), rtt, 1'000'000'000, slow_start);
  if (!relay) return -1;
  const auto start = std::chrono::steady_clock::now();
  const int fd = connect_to(relay->port());
  if (fd < 0 || !send_all(fd, "a")) return -1;
  const bool complete = read_exact(fd, kOctets).size() == kOctets;
  const double elapsed = seconds_since(start);
  ::close(fd);
  stats = relay->stats();
  return complete ? elapsed : -1;
}

TEST(ShapingRelayTest, SlowStartMakesAMegabyteTakeMoreRoundTrips) {
  constexpr auto kRtt = 100ms;
  RelayStats with_stats;
  const double with = fetch_megabyte(true, kRtt, with_stats);
  RelayStats without_stats;
  const double without = fetch_megabyte(false, kRtt, without_stats);
  ASSERT_GT(with, 0);
  ASSERT_GT(without, 0);
  // Handshake, request and first flight: 2 rtt. Slow start from 10 segments: flights of 14.6, 29.2, 58.4 ... kB,
  // so 1 MiB needs 7 flights, 6 more round trips.
  EXPECT_GE(with, 8 * 0.100);
  EXPECT_LT(with, 8 * 0.100 + kSlack);
  EXPECT_GE(with_stats.window_waits, 1u);
  EXPECT_GE(without, 2 * 0.100);
  EXPECT_LT(without, 2 * 0.100 + kSlack);
  EXPECT_EQ(without_stats.window_waits, 0u);
}

TEST(ShapingRelayTest, BoundsWhatItQueuesWhenTheReceiverDoesNotRead) {
  constexpr std::size_t kCap = 256 * 1024;
  constexpr std::size_t kPush = 50u << 20;
  std::atomic<bool> release{false};
  TestServer server([&](int) {
    wait_for([&] { return release.load(); }, 30s);  // accepts, never reads
    return false;
  });
  RelayOptions o;
  o.target_port = server.port();
  o.max_queued_octets = kCap;
  auto relay = ShapingRelay::start(o);
  ASSERT_TRUE(relay) << relay.error();
  const int fd = connect_to((*relay)->port());
  ASSERT_GE(fd, 0);
  // Push until the kernel buffers and the relay are full: stop after 1 s without progress, 20 s in all.
  const std::string block(64 * 1024, 'p');
  std::size_t pushed = 0;
  const auto start = std::chrono::steady_clock::now();
  auto last_progress = start;
  while (pushed < kPush && seconds_since(start) < 20 && seconds_since(last_progress) < 1.0) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::send(fd, block.data(), block.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      pushed += static_cast<std::size_t>(n);
      last_progress = std::chrono::steady_clock::now();
    }
  }
  const RelayStats stats = (*relay)->stats();
  EXPECT_LT(pushed, kPush);  // the sender was held back
  EXPECT_GT(stats.peak_queued_octets, 0u);
  EXPECT_LE(stats.peak_queued_octets, kCap);
  EXPECT_LE(stats.queued_octets, kCap);
  release = true;
  ::close(fd);
}

TEST(ShapingRelayTest, PropagatesHalfCloseBothWays) {
  // The server answers only once it has seen EOF, then closes: the request's FIN must get through, and the
  // client must still receive after shutting down its sending side.
  TestServer server([](int fd) {
    const test::ReadResult request = read_to_end(fd);
    if (request.eof) send_all(fd, "got:" + request.data);
    return false;
  });
  auto relay = start_relay(server.port(), 20ms);
  ASSERT_TRUE(relay);
  const int fd = connect_to(relay->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, "hello"));
  ASSERT_EQ(::shutdown(fd, SHUT_WR), 0);
  const test::ReadResult answer = read_to_end(fd);
  EXPECT_EQ(answer.data, "got:hello");
  EXPECT_TRUE(answer.eof);
  ::close(fd);
  EXPECT_TRUE(wait_for([&] { return relay->stats().connections_open == 0; }));
  EXPECT_EQ(relay->stats().resets, 0u);
}

TEST(ShapingRelayTest, PropagatesAResetFromTheTarget) {
  TestServer server([](int fd) {
    read_exact(fd, 1);
    test::set_reset_on_close(fd);
    ::close(fd);
    return true;
  });
  auto relay = start_relay(server.port(), 20ms);
  ASSERT_TRUE(relay);
  const int fd = connect_to(relay->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, "a"));
  const test::ReadResult r = read_to_end(fd);
  EXPECT_FALSE(r.eof);
  EXPECT_EQ(r.error, ECONNRESET);
  ::close(fd);
  EXPECT_GE(relay->stats().resets, 1u);
}

TEST(ShapingRelayTest, PropagatesAResetFromTheClient) {
  std::atomic<int> error{-1};
  TestServer server([&](int fd) {
    read_exact(fd, 1);
    error = read_to_end(fd).error;
    return false;
  });
  auto relay = start_relay(server.port(), 20ms);
  ASSERT_TRUE(relay);
  const int fd = connect_to(relay->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, "a"));
  ASSERT_TRUE(wait_for([&] { return relay->stats().octets_up == 1; }));
  test::set_reset_on_close(fd);
  ::close(fd);
  ASSERT_TRUE(wait_for([&] { return error != -1; }));
  EXPECT_EQ(error, ECONNRESET);
}

TEST(ShapingRelayTest, ResetsTheClientWhenTheTargetRefuses) {
  std::uint16_t closed_port = 0;
  {
    TestServer gone(test::echo);  // a port that was just free: nothing listens on it afterwards
    closed_port = gone.port();
  }
  auto relay = start_relay(closed_port, 20ms);
  ASSERT_TRUE(relay);
  const int fd = connect_to(relay->port());
  ASSERT_GE(fd, 0);
  const test::ReadResult r = read_to_end(fd);
  EXPECT_EQ(r.error, ECONNRESET);
  ::close(fd);
  EXPECT_EQ(relay->stats().connect_failures, 1u);
}

TEST(ShapingRelayTest, StopResetsOpenConnections) {
  TestServer server(test::echo);
  auto relay = start_relay(server.port(), 10ms);
  ASSERT_TRUE(relay);
  const int fd = connect_to(relay->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, "a"));
  ASSERT_EQ(read_exact(fd, 1), "a");
  relay->stop();
  const test::ReadResult r = read_to_end(fd);
  EXPECT_FALSE(r.eof);
  EXPECT_EQ(r.error, ECONNRESET);
  ::close(fd);
  relay->stop();  // idempotent
}

TEST(ShapingRelayTest, FailsToStartOnAnUnresolvableTarget) {
  RelayOptions o;
  o.target_host = "no-such-host.invalid";
  o.target_port = 80;
  const auto relay = ShapingRelay::start(o);
  ASSERT_FALSE(relay);
  EXPECT_NE(relay.error().find("no-such-host.invalid:80"), std::string::npos) << relay.error();
}

}  // namespace
}  // namespace h2push::client
