// src/client/shaping_link.cpp
#include "client/shaping_link.hpp"

#include <algorithm>

namespace h2push::client {

ShapedLink::ShapedLink(const LinkShape& shape, Nanos open_at, Bottleneck* bottleneck)
    : shape_(shape),
      open_at_(open_at),
      bottleneck_(bottleneck != nullptr ? bottleneck : &own_),
      last_release_(open_at),
      window_(shape.initial_window) {
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

void ShapedLink::push(Nanos /*now*/, std::uint64_t octets) { unsent_ += octets; }

std::optional<Nanos> ShapedLink::poll(Nanos now, std::vector<Segment>& out) {
  if (unsent_ == 0) return std::nullopt;
  if (now < open_at_) return open_at_;
  while (unsent_ > 0) {
    std::uint64_t piece = cuts() ? std::min(unsent_, shape_.segment_size) : unsent_;
    if (shape_.slow_start) {
      retire(now);
      if (in_flight_ >= window_) {
        if (!waiting_) ++window_waits_;
        waiting_ = true;
        return unacked_.front().acked;  // the next acknowledgement opens the window
      }
      piece = std::min(piece, window_ - in_flight_);
    }
    waiting_ = false;
    put_on_link(now, piece, out);
    unsent_ -= piece;
  }
  return std::nullopt;
}

void ShapedLink::put_on_link(Nanos now, std::uint64_t piece, std::vector<Segment>& out) {
  Nanos end = now;
  if (shape_.bits_per_second != 0) {
    end = std::max(now, bottleneck_->free_at) + serialisation(piece);
    bottleneck_->free_at = end;
  }
  last_sent_ = end;
  const Nanos release = std::max(end + one_way_delay(), last_release_);
  last_release_ = release;
  if (!out.empty() && out.back().release == release) {
    out.back().octets += piece;
  } else {
    out.push_back({release, piece});
  }
  if (!shape_.slow_start) return;
  in_flight_ += piece;
  const Nanos acked = end + shape_.rtt;
  if (!unacked_.empty() && unacked_.back().acked == acked) {
    unacked_.back().octets += piece;
  } else {
    unacked_.push_back({acked, piece});
  }
}

Nanos ShapedLink::fin(Nanos now) const {
  const Nanos t = std::max({now, open_at_, last_sent_});
  return std::max(t + one_way_delay(), last_release_);
}

}  // namespace h2push::client
