// src/client/shaping_link.hpp: the timing model of one direction of the shaping relay, without I/O or clock.
//
// A ShapedLink answers one question: octets handed to the emulated sender at time `now`, when does each of them
// reach the far side? It models, in this order, TCP's congestion window (slow start: 10 segments, growing by every
// acknowledged octet, so doubling per round trip), serialisation on a link of fixed bandwidth (a piece of n octets
// holds the link n * 8 / bandwidth seconds, so pieces queue behind each other) and the propagation delay (rtt / 2).
// Acknowledgements come back one rtt after a piece has left. The link may be a Bottleneck shared by several
// ShapedLinks (the connections of one relay share one access link). See docs/network-emulation.md.
//
// Use: push() what the sender was given, then poll() at the time it returns (the next acknowledgement) until
// nothing is left unsent. Octets are only put on the link when the window lets them go, at the time of the poll,
// so the flows sharing a Bottleneck interleave in the order they really send.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
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

// The serialiser of one link: when it has finished with everything put on it. Shared by the ShapedLinks of one
// direction of a relay (one thread), so that their octets queue behind each other.
struct Bottleneck {
  Nanos free_at{0};
};

// A run of octets that reaches the far side at `release` (the time its last octet arrives).
struct Segment {
  Nanos release{0};
  std::uint64_t octets = 0;
};

class ShapedLink {
 public:
  // Nothing is sent before `open_at` (the relay sets it to the end of the emulated TCP handshake). With a
  // `bottleneck`, serialisation is shared with the other links using it; it must outlive this link.
  explicit ShapedLink(const LinkShape& shape, Nanos open_at = Nanos{0}, Bottleneck* bottleneck = nullptr);
  ShapedLink(const ShapedLink&) = delete;  // bottleneck_ may point into this object
  ShapedLink& operator=(const ShapedLink&) = delete;

  // `octets` handed to the sender at `now`; times must not decrease across calls to push() and poll().
  void push(Nanos now, std::uint64_t octets);

  // Sends what the window lets go at `now`: appends to `out` the segments put on the link, in order; release
  // times never decrease over all calls, and a segment reaching the far side at the same time as the last segment
  // of `out` is merged into it. Returns when to poll again (an acknowledgement opens the window), or nullopt when
  // nothing is left unsent.
  std::optional<Nanos> poll(Nanos now, std::vector<Segment>& out);

  // When a FIN sent at `now` reaches the far side: after every octet sent before it. Meant for unsent() == 0.
  Nanos fin(Nanos now) const;

  std::uint64_t unsent() const noexcept { return unsent_; }
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
  void put_on_link(Nanos now, std::uint64_t piece, std::vector<Segment>& out);

  LinkShape shape_;
  Nanos open_at_{0};
  Bottleneck own_;          // used when no shared bottleneck is given
  Bottleneck* bottleneck_;  // &own_ or the shared one
  Nanos last_release_{0};   // release time of the last segment
  Nanos last_sent_{0};      // when the last piece finished serialising on this link
  std::uint64_t unsent_ = 0;
  std::uint64_t window_ = 0;
  std::uint64_t in_flight_ = 0;
  std::uint64_t window_waits_ = 0;
  bool waiting_ = false;          // window full at the last poll
  std::deque<InFlight> unacked_;  // ack times never decrease
};

}  // namespace h2push::client
