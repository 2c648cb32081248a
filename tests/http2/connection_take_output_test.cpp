// Connection::take_output(): the core's output handed over without a copy (what the server's HTTP/2 session writes
// from), staying unchanged while the core writes more into its other buffer. The pump tests also run whole
// exchanges through it (ConnectionPumpTest.DeliversFiftyConcurrentStreamsByteForByte).
#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <vector>

#include "h2push/http2/connection.hpp"
#include "http2/connection_pump.hpp"

namespace h2push::http2::test {
namespace {

TEST(ConnectionTakeOutputTest, TakenOutputStaysUnchangedWhileCoreWritesMore) {
  Pump pump;
  ASSERT_GE(pump.run(), 0);
  const std::array<std::byte, 8> first{std::byte{1}, std::byte{1}, std::byte{1}, std::byte{1},
                                       std::byte{1}, std::byte{1}, std::byte{1}, std::byte{1}};
  const std::array<std::byte, 8> second{std::byte{2}, std::byte{2}, std::byte{2}, std::byte{2},
                                        std::byte{2}, std::byte{2}, std::byte{2}, std::byte{2}};
  pump.client.conn.ping(first);
  const std::span<const std::byte> taken = pump.client.conn.take_output();
  ASSERT_EQ(taken.size(), 17u);  // one PING frame
  const std::vector<std::byte> copy(taken.begin(), taken.end());
  EXPECT_TRUE(pump.client.conn.pending_output().empty());       // handed over: nothing is pending any more
  for (int i = 0; i < 100; ++i) pump.client.conn.ping(second);  // more output, into the other buffer
  EXPECT_EQ(std::vector<std::byte>(taken.begin(), taken.end()), copy);
  EXPECT_EQ(pump.client.conn.pending_output().size(), 1700u);
  EXPECT_EQ(std::vector<std::byte>(taken.begin() + 9, taken.end()), std::vector<std::byte>(first.begin(), first.end()));

  // The next take hands over the second buffer, from where pending_output() had got to.
  pump.client.conn.consume_output(17);
  const std::span<const std::byte> next = pump.client.conn.take_output();
  EXPECT_EQ(next.size(), 1683u);
  EXPECT_TRUE(pump.client.conn.take_output().empty());
}

// With Options::output_pool, output_written() gives the taken buffer back, and the next connection of the pool to
// write borrows that same buffer: what it hands out is its own output, whatever the buffer held before.
TEST(ConnectionTakeOutputTest, PooledBufferGoesToTheNextConnectionThatWrites) {
  Options client = client_options();
  Options server = server_options();
  client.output_pool = server.output_pool = make_output_pool(4);
  Pump pump(client, server);
  pump.take = true;
  ASSERT_GE(pump.run(), 0);
  const std::array<std::byte, 8> first{std::byte{1}, std::byte{1}, std::byte{1}, std::byte{1},
                                       std::byte{1}, std::byte{1}, std::byte{1}, std::byte{1}};
  const std::array<std::byte, 8> second{std::byte{2}, std::byte{2}, std::byte{2}, std::byte{2},
                                        std::byte{2}, std::byte{2}, std::byte{2}, std::byte{2}};
  pump.client.conn.ping(first);
  const std::span<const std::byte> taken = pump.client.conn.take_output();
  ASSERT_EQ(taken.size(), 17u);
  const std::byte* const buffer = taken.data();
  pump.client.conn.output_written();

  pump.server.conn.ping(second);
  const std::span<const std::byte> next = pump.server.conn.take_output();
  ASSERT_EQ(next.size(), 17u);
  EXPECT_EQ(next.data(), buffer);  // the client's buffer, lent to the server
  EXPECT_EQ(std::vector<std::byte>(next.begin() + 9, next.end()), std::vector<std::byte>(second.begin(), second.end()));
  pump.server.conn.output_written();

  // The two PINGs above were taken but never delivered (whole frames, as if dropped): the pair still works, and a
  // new PING of the server's is answered.
  pump.server.conn.ping(first);
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(count_kind(pump.client.log, Kind::ping_ack), 0u);
  EXPECT_EQ(count_kind(pump.server.log, Kind::ping_ack), 1u);
}

}  // namespace
}  // namespace h2push::http2::test
