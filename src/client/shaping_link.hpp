// src/client/shaping_link.hpp: the timing model of one direction of the shaping relay, without I/O or clock.
//
// A ShapedLink answers one question: octets handed to the emulated sender at time `now`, when does each of them
// reach the far side? It models, in this order, TCP's congestion window (slow start: 10 segments, growing by every
// acknowledged octet, so doubling per round trip), serialisation on a link of fixed bandwidth (a piece of n octets
// holds the link n * 8 / bandwidth seconds, so pieces queue behind each other) and the propagation delay (rtt / 2).
// Acknowledgements come back one rtt after a piece has left. See docs/network-emulation.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <vector>

namespace h2push::client {

using Nanos = std::chrono::nanoseconds;  // time since an epoch the caller chooses; the model reads no clock

struct LinkShape {
  Nanos rtt{0};                              // round-trip time; each direction adds rtt / 2
  std::uint64_t bits_per_second = 0;         // serialisation rate of this direction; 0: unlimited
  bool slow_start = true;                    // congestion window starting at initial_window, +1 octet per octet acked
  std::uint64_t initial_window = 10 * 1460;  // RFC 6928's IW10
  std::uint64_t segment_size = 1460;         // pieces are cut at this size when shaping needs it
};

// A run of octets that reaches the far side at `release` (the time its last octet arrives).
struct Segment {
  Nanos release{0};
  std::uint64_t octets = 0;
};

class ShapedLink {
 public:
  // Nothing is sent before `open_at` (the relay sets it to the end of the emulated TCP handshake).
  explicit ShapedLink(const LinkShape& shape, Nanos open_at = Nanos{0});

  // `octets` handed to the sender at `now`; `now` must not decrease across calls. Appends to `out` the segments
  // they are cut into, in order; release times never decrease, over all calls. Segments that would reach the far
  // side at the same time as the last segment of `out` are merged into it.
  void send(Nanos now, std::uint64_t octets, std::vector<Segment>& out);

  // When a FIN sent at `now` reaches the far side: after every octet sent before it.
  Nanos fin(Nanos now) const;

  std::uint64_t window() const noexcept { return window_; }  // congestion window, octets
  std::uint64_t in_flight() const noexcept { return in_flight_; }
  // How many times the sender had to wait for an acknowledgement because the window was full.
  std::uint64_t window_waits() const noexcept { return window_waits_; }
  Nanos one_way_delay() const noexcept { return shape_.rtt / 2; }

 private:
  struct InFlight {
    Nanos acked{0};
    std::uint64_t octets = 0;
  };
  void retire(Nanos now);  // acknowledgements received by `now` open the window
  Nanos serialisation(std::uint64_t octets) const;
  bool cuts() const noexcept { return shape_.slow_start || shape_.bits_per_second != 0; }

  LinkShape shape_;
  Nanos open_at_{0};
  Nanos link_free_{0};     // when the link has finished serialising everything sent so far
  Nanos last_release_{0};  // release time of the last segment
  std::uint64_t window_ = 0;
  std::uint64_t in_flight_ = 0;
  std::uint64_t window_waits_ = 0;
  std::deque<InFlight> unacked_;  // ack times never decrease
};

}  // namespace h2push::client
