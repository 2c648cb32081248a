// src/client/shaping_relay.hpp: a TCP relay on loopback that adds round-trip time and bandwidth limits, so that a
// page load over it costs the round trips it would cost on a real network (no root, no netem).
//
// In process (the page-load lab, tests):
//
//   RelayOptions o;
//   o.target_host = "127.0.0.1"; o.target_port = server_port;
//   o.rtt = std::chrono::milliseconds(100);
//   o.down_bits_per_second = o.up_bits_per_second = 10'000'000;
//   auto relay = ShapingRelay::start(o);   // listening on 127.0.0.1, port 0 picked by the kernel
//   if (!relay) fail(relay.error());
//   connect to 127.0.0.1:(*relay)->port() ... ;
//   (*relay)->stop();                       // or let it go out of scope
//
// The model (docs/network-emulation.md): per direction a delay line of rtt / 2, serialisation at the bandwidth (one
// link shared by all connections, as a browser's connections share an access link), TCP slow start (IW10,
// optional, per connection) and one rtt for the TCP handshake of every new connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "h2push/result.hpp"

namespace h2push::client {

struct RelayOptions {
  std::string listen_host = "127.0.0.1";  // an address, not a name
  std::uint16_t listen_port = 0;          // 0: the kernel picks one; port() tells which
  std::string target_host = "127.0.0.1";  // a name or an address, resolved once at start
  std::uint16_t target_port = 0;
  std::chrono::nanoseconds rtt{0};           // round-trip time added; each direction gets rtt / 2
  std::uint64_t down_bits_per_second = 0;    // target -> client; 0: unlimited
  std::uint64_t up_bits_per_second = 0;      // client -> target; 0: unlimited
  bool share_bandwidth = true;               // one link per direction for all connections; false: one each
  bool slow_start = true;                    // TCP slow start from 10 segments of 1460 octets, per direction
  bool handshake_rtt = true;                 // a new connection costs one rtt before the client's data goes out
  std::size_t max_queued_octets = 8u << 20;  // per direction and connection; reading stops above it
  std::size_t max_connections = 256;         // further clients are closed at once
};

// Counters over the relay's life, readable from any thread while it runs.
struct RelayStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_open = 0;
  std::uint64_t connections_refused = 0;  // over max_connections
  std::uint64_t connect_failures = 0;     // the target could not be reached
  std::uint64_t resets = 0;               // resets propagated from one side to the other
  std::uint64_t octets_up = 0;            // delivered to the target
  std::uint64_t octets_down = 0;          // delivered to clients
  std::uint64_t queued_octets = 0;        // inside the relay now, all connections and directions
  std::uint64_t peak_queued_octets = 0;   // the most ever queued in one direction of one connection
  std::uint64_t window_waits = 0;         // times an emulated sender waited for an ACK (slow start)
};

class ShapingRelay {
 public:
  // Resolves the target, binds and listens, then forwards on a thread of its own until stop(). Fails, with a
  // message naming the address, when the target does not resolve or the listening address cannot be bound; a
  // target that refuses connections is only found out per connection (the client's connection is reset).
  [[nodiscard]] static Result<std::unique_ptr<ShapingRelay>, std::string> start(const RelayOptions& options);
  ~ShapingRelay();  // stop()
  ShapingRelay(const ShapingRelay&) = delete;
  ShapingRelay& operator=(const ShapingRelay&) = delete;

  const std::string& host() const noexcept;
  std::uint16_t port() const noexcept;
  const RelayOptions& options() const noexcept;
  RelayStats stats() const;

  // Stops accepting, resets the connections still open and joins the thread. Idempotent; not from the relay's
  // own thread.
  void stop();

 private:
  struct Impl;
  explicit ShapingRelay(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `h2push relay`: starts a relay, prints where it listens to `out`, forwards until SIGINT or SIGTERM. Returns the
// exit code: 0 after a signal, 1 when the relay cannot start (the reason goes to stderr).
int run_relay(const RelayOptions& options, std::FILE* out);

}  // namespace h2push::client
