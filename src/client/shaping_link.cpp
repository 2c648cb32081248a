// src/client/shaping_link.cpp
#include "client/shaping_link.hpp"

#include <algorithm>
#include <cassert>

namespace h2push::client {

ShapedLink::ShapedLink(const LinkShape& shape, Nanos open_at)
    : shape_(shape), open_at_(open_at), link_free_(open_at), last_release_(open_at), window_(shape.initial_window) {
  if (shape_.segment_size == 0) shape_.segment_size = 1460;
  if (window_ < shape_.segment_size) window_ = shape_.segment_size;
}

Nanos ShapedLink::serialisation(std::uint64_t octets) const {
  if (shape_.bits_per_second == 0) return Nanos{0};
  // Rounded up, so that the sum over pieces is never below octets * 8 / bandwidth.
  const unsigned __int128 bits_ns = static_cast<unsigned __int128>(octets) * 8U * 1'000'000'000U;
  const unsigned __int128 ns = (bits_ns + shape_.bits_per_second - 1) / shape_.bits_per_second;
  return Nanos{static_cast<std::int64_t>(ns)};
}

void ShapedLink::retire(Nanos now) {
  while (!unacked_.empty() && unacked_.front().acked <= now) {
    in_flight_ -= unacked_.front().octets;
    // Slow start (RFC 5681 §3.1, no loss so no ssthresh): the window grows by what was acknowledged.
    window_ += unacked_.front().octets;
    unacked_.pop_front();
  }
}

void ShapedLink::send(Nanos now, std::uint64_t octets, std::vector<Segment>& out) {
  Nanos t = std::max(now, open_at_);
  const Nanos delay = one_way_delay();
  while (octets > 0) {
    t = std::max(t, link_free_);
    std::uint64_t piece = cuts() ? std::min(octets, shape_.segment_size) : octets;
    if (shape_.slow_start) {
      retire(t);
      if (in_flight_ >= window_) {
        assert(!unacked_.empty());
        t = unacked_.front().acked;  // wait for the next acknowledgement
        ++window_waits_;
        continue;
      }
      piece = std::min(piece, window_ - in_flight_);
    }
    const Nanos end = t + serialisation(piece);
    link_free_ = end;
    const Nanos release = std::max(end + delay, last_release_);
    last_release_ = release;
    if (!out.empty() && out.back().release == release) {
      out.back().octets += piece;
    } else {
      out.push_back({release, piece});
    }
    if (shape_.slow_start) {
      in_flight_ += piece;
      const Nanos acked = end + shape_.rtt;
      if (!unacked_.empty() && unacked_.back().acked == acked) {
        unacked_.back().octets += piece;
      } else {
        unacked_.push_back({acked, piece});
      }
    }
    octets -= piece;
  }
}

Nanos ShapedLink::fin(Nanos now) const {
  const Nanos t = std::max({now, open_at_, link_free_});
  return std::max(t + one_way_delay(), last_release_);
}

}  // namespace h2push::client
