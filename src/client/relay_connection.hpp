// src/client/relay_connection.hpp: one client connection through the shaping relay, forwarded both ways.
//
// Each direction is a Pipe: bytes read from one socket wait in a FIFO until the ShapedLink says they have reached
// the far side, then are written to the other socket. A Pipe stops reading while max_queued octets wait in it, so
// memory stays bounded whatever the peers do. EOF becomes a delayed shutdown(send) after the last octet, a reset
// or a write error becomes a reset of the other side one-way delay later. Single-threaded: every call and handler
// runs on the relay's io_context thread.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "client/shaping_link.hpp"

namespace h2push::client::detail {

// Shared by every connection of a relay; written on its thread, read from any.
struct RelayCounters {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> open{0};
  std::atomic<std::uint64_t> refused{0};           // over max_connections
  std::atomic<std::uint64_t> connect_failures{0};  // the target refused or was unreachable
  std::atomic<std::uint64_t> resets{0};            // resets propagated
  std::atomic<std::uint64_t> octets_up{0};         // written to the target
  std::atomic<std::uint64_t> octets_down{0};       // written to clients
  std::atomic<std::uint64_t> queued{0};            // waiting in the relay now, every connection and direction
  std::atomic<std::uint64_t> peak_queued{0};       // most ever waiting in one direction of one connection
  std::atomic<std::uint64_t> window_waits{0};      // times a sender waited for an ACK (slow start)
};

struct ConnectionConfig {
  LinkShape up;                   // client -> target
  LinkShape down;                 // target -> client
  Bottleneck* up_link = nullptr;  // shared by every connection of the relay; null: one link per connection
  Bottleneck* down_link = nullptr;
  bool handshake_rtt = true;
  std::size_t max_queued = 0;  // per direction, octets
};

class RelayConnection : public std::enable_shared_from_this<RelayConnection> {
 public:
  RelayConnection(asio::ip::tcp::socket client, const ConnectionConfig& config, RelayCounters& counters);
  ~RelayConnection();
  RelayConnection(const RelayConnection&) = delete;
  RelayConnection& operator=(const RelayConnection&) = delete;

  // Connects to the target and starts forwarding; the accept time is now.
  void start(const std::vector<asio::ip::tcp::endpoint>& target);
  // Resets both sides at once (relay shutdown).
  void abort();

 private:
  static constexpr std::size_t kReadSize = 16 * 1024;
  static constexpr std::size_t kChunkSize = 64 * 1024;
  static constexpr std::size_t kMaxWrite = 256 * 1024;

  struct Pipe {
    Pipe(const asio::any_io_executor& executor, const LinkShape& shape, Nanos open_at, Bottleneck* bottleneck)
        : link(shape, open_at, bottleneck), timer(executor) {}
    ShapedLink link;
    std::deque<std::vector<std::byte>> bytes;  // FIFO; each chunk reserved kChunkSize, never reallocated
    std::size_t front_offset = 0;              // octets of bytes.front() already written
    std::deque<Segment> schedule;              // when the octets in `bytes` may be written, in order
    std::uint64_t queued = 0;                  // octets in `bytes`
    std::array<std::byte, kReadSize> read_buffer{};
    std::optional<Nanos> fin_at;  // EOF read and every octet sent: when to shut down sending on the other side
    std::optional<Nanos> armed_at;
    asio::steady_timer timer;
    bool reading = false;
    bool writing = false;
    bool read_done = false;
    bool fin_sent = false;
  };

  asio::ip::tcp::socket& source(int d) { return sockets_[static_cast<std::size_t>(d)]; }
  asio::ip::tcp::socket& sink(int d) { return sockets_[static_cast<std::size_t>(1 - d)]; }
  Pipe& pipe(int d) { return *pipes_[static_cast<std::size_t>(d)]; }

  void on_connect(std::error_code ec);
  void read(int d);
  void on_read(int d, std::error_code ec, std::size_t n);
  void enqueue(int d, std::size_t n);
  void pump(int d);
  std::optional<Nanos> send_on_link(int d, Nanos t);  // moves what the window allows into the schedule
  std::optional<Nanos> deliver(int d, Nanos t);       // writes or shuts down what is due; when to come back
  void write(int d, std::uint64_t ready);
  void on_write(int d, std::error_code ec, std::size_t n);
  void arm(int d, Nanos at);
  void finish_if_done();
  void reset_from(int side);  // `side` reset us or failed: reset the other one a one-way delay later
  void close_all(bool reset);

  ConnectionConfig config_;
  RelayCounters& counters_;
  std::array<asio::ip::tcp::socket, 2> sockets_;  // [0] client, [1] target
  std::array<std::unique_ptr<Pipe>, 2> pipes_;    // [0] client -> target, [1] target -> client
  asio::steady_timer reset_timer_;
  bool connected_ = false;
  bool closed_ = false;  // no more I/O: aborted, reset or finished
};

}  // namespace h2push::client::detail
