// src/client/relay_connection.cpp
#include "client/relay_connection.hpp"

#include <algorithm>

#include <asio/connect.hpp>
#include <asio/write.hpp>

namespace h2push::client::detail {
namespace {

Nanos now() { return std::chrono::steady_clock::now().time_since_epoch(); }

void update_peak(std::atomic<std::uint64_t>& peak, std::uint64_t value) {
  std::uint64_t seen = peak.load(std::memory_order_relaxed);
  while (value > seen && !peak.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

}  // namespace

RelayConnection::RelayConnection(asio::ip::tcp::socket client, const ConnectionConfig& config, RelayCounters& counters)
    : config_(config),
      counters_(counters),
      sockets_{asio::ip::tcp::socket(client.get_executor()), asio::ip::tcp::socket(client.get_executor())},
      reset_timer_(client.get_executor()) {
  sockets_[0] = std::move(client);
  // The emulated TCP handshake: the client may send once its SYN-ACK is back (accept + rtt); the target can
  // send once the client's ACK has reached it (accept + 1.5 rtt). Loopback made both instant.
  const Nanos accepted = now();
  const Nanos up_open = config_.handshake_rtt ? accepted + config_.up.rtt : accepted;
  const Nanos down_open = config_.handshake_rtt ? accepted + config_.down.rtt + config_.down.rtt / 2 : accepted;
  pipes_[0] = std::make_unique<Pipe>(sockets_[0].get_executor(), config_.up, up_open, config_.up_link);
  pipes_[1] = std::make_unique<Pipe>(sockets_[0].get_executor(), config_.down, down_open, config_.down_link);
  counters_.accepted.fetch_add(1, std::memory_order_relaxed);
  counters_.open.fetch_add(1, std::memory_order_relaxed);
}

RelayConnection::~RelayConnection() {
  for (const auto& p : pipes_) counters_.queued.fetch_sub(p->queued, std::memory_order_relaxed);
  counters_.open.fetch_sub(1, std::memory_order_relaxed);
}

void RelayConnection::start(const std::vector<asio::ip::tcp::endpoint>& target) {
  std::error_code ignored;
  sockets_[0].set_option(asio::ip::tcp::no_delay(true), ignored);
  asio::async_connect(
      sockets_[1], target,
      [self = shared_from_this()](std::error_code ec, const asio::ip::tcp::endpoint&) { self->on_connect(ec); });
  read(0);
}

void RelayConnection::on_connect(std::error_code ec) {
  if (closed_) return;
  if (ec) {
    // The target refused: the client sees its connection reset, as a refused SYN would (a round trip later).
    counters_.connect_failures.fetch_add(1, std::memory_order_relaxed);
    reset_from(1);
    return;
  }
  connected_ = true;
  std::error_code ignored;
  sockets_[1].set_option(asio::ip::tcp::no_delay(true), ignored);
  read(1);
  pump(0);
}

void RelayConnection::read(int d) {
  Pipe& p = pipe(d);
  if (closed_ || p.reading || p.read_done || (d == 1 && !connected_)) return;
  // Backpressure: read no more than fits under the cap, so queued never exceeds it.
  const std::uint64_t room = config_.max_queued > p.queued ? config_.max_queued - p.queued : 0;
  if (room == 0) return;  // on_write reads again once octets have left
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(room, kReadSize));
  p.reading = true;
  source(d).async_read_some(
      asio::buffer(p.read_buffer.data(), n),
      [self = shared_from_this(), d](std::error_code ec, std::size_t got) { self->on_read(d, ec, got); });
}

void RelayConnection::on_read(int d, std::error_code ec, std::size_t n) {
  Pipe& p = pipe(d);
  p.reading = false;
  if (closed_) return;
  if (n > 0) enqueue(d, n);
  if (ec == asio::error::eof) {
    p.read_done = true;
  } else if (ec) {
    reset_from(d);
    return;
  }
  pump(d);
  read(d);
}

void RelayConnection::enqueue(int d, std::size_t n) {
  Pipe& p = pipe(d);
  const std::byte* data = p.read_buffer.data();
  std::size_t left = n;
  while (left > 0) {
    if (p.bytes.empty() || p.bytes.back().size() == kChunkSize) {
      p.bytes.emplace_back();
      p.bytes.back().reserve(kChunkSize);
    }
    std::vector<std::byte>& tail = p.bytes.back();
    const std::size_t take = std::min(left, kChunkSize - tail.size());
    tail.insert(tail.end(), data, data + take);  // within capacity: a write in progress keeps valid pointers
    data += take;
    left -= take;
  }
  p.link.push(now(), n);
  p.queued += n;
  counters_.queued.fetch_add(n, std::memory_order_relaxed);
  update_peak(counters_.peak_queued, p.queued);
}

void RelayConnection::pump(int d) {
  if (closed_) return;
  Pipe& p = pipe(d);
  const Nanos t = now();
  // The emulated sender runs whatever the sockets do; only delivery waits for the target's socket and our writes.
  std::optional<Nanos> wake = send_on_link(d, t);
  if (p.read_done && !p.fin_at && p.link.unsent() == 0) p.fin_at = p.link.fin(t);
  if (!p.writing && (d == 1 || connected_)) {
    const std::optional<Nanos> due = deliver(d, t);
    if (due && (!wake || *due < *wake)) wake = due;
  }
  if (wake && !closed_) arm(d, *wake);
}

std::optional<Nanos> RelayConnection::send_on_link(int d, Nanos t) {
  Pipe& p = pipe(d);
  std::vector<Segment> segments;
  const std::uint64_t waits_before = p.link.window_waits();
  const std::optional<Nanos> next = p.link.poll(t, segments);
  counters_.window_waits.fetch_add(p.link.window_waits() - waits_before, std::memory_order_relaxed);
  for (const Segment& s : segments) {
    if (!p.schedule.empty() && p.schedule.back().release == s.release) {
      p.schedule.back().octets += s.octets;
    } else {
      p.schedule.push_back(s);
    }
  }
  return next;
}

std::optional<Nanos> RelayConnection::deliver(int d, Nanos t) {
  Pipe& p = pipe(d);
  std::uint64_t ready = 0;
  for (const Segment& s : p.schedule) {
    if (s.release > t || ready >= kMaxWrite) break;
    ready += s.octets;
  }
  if (ready > 0) {
    write(d, std::min<std::uint64_t>(ready, kMaxWrite));  // on_write comes back here
    return std::nullopt;
  }
  if (!p.schedule.empty()) return p.schedule.front().release;
  if (!p.fin_at || p.fin_sent) return std::nullopt;
  if (*p.fin_at > t) return p.fin_at;
  std::error_code ignored;
  sink(d).shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  p.fin_sent = true;
  finish_if_done();
  return std::nullopt;
}

void RelayConnection::write(int d, std::uint64_t ready) {
  Pipe& p = pipe(d);
  std::vector<asio::const_buffer> buffers;
  std::size_t offset = p.front_offset;
  for (const std::vector<std::byte>& chunk : p.bytes) {
    if (ready == 0) break;
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(ready, chunk.size() - offset));
    buffers.emplace_back(chunk.data() + offset, take);
    ready -= take;
    offset = 0;
  }
  p.writing = true;
  asio::async_write(sink(d), buffers,
                    [self = shared_from_this(), d](std::error_code ec, std::size_t n) { self->on_write(d, ec, n); });
}

void RelayConnection::on_write(int d, std::error_code ec, std::size_t n) {
  Pipe& p = pipe(d);
  p.writing = false;
  if (closed_) return;
  if (ec) {
    reset_from(1 - d);  // the receiving side is gone
    return;
  }
  std::uint64_t left = n;
  while (left > 0) {
    std::vector<std::byte>& front = p.bytes.front();
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(left, front.size() - p.front_offset));
    p.front_offset += take;
    left -= take;
    if (p.front_offset == front.size()) {  // no write is in flight now: a drained chunk can go
      p.bytes.pop_front();
      p.front_offset = 0;
    }
  }
  for (left = n; left > 0;) {
    Segment& s = p.schedule.front();
    const std::uint64_t take = std::min(left, s.octets);
    s.octets -= take;
    left -= take;
    if (s.octets == 0) p.schedule.pop_front();
  }
  p.queued -= n;
  counters_.queued.fetch_sub(n, std::memory_order_relaxed);
  (d == 0 ? counters_.octets_up : counters_.octets_down).fetch_add(n, std::memory_order_relaxed);
  pump(d);
  read(d);
}

void RelayConnection::arm(int d, Nanos at) {
  Pipe& p = pipe(d);
  if (p.armed_at == at) return;
  p.armed_at = at;
  p.timer.expires_at(
      std::chrono::steady_clock::time_point(std::chrono::duration_cast<std::chrono::steady_clock::duration>(at)));
  p.timer.async_wait([self = shared_from_this(), d](std::error_code ec) {
    if (ec) return;  // re-armed or closed
    self->pipe(d).armed_at.reset();
    self->pump(d);
  });
}

void RelayConnection::finish_if_done() {
  if (pipes_[0]->fin_sent && pipes_[1]->fin_sent) close_all(false);
}

void RelayConnection::reset_from(int side) {
  if (closed_) return;
  closed_ = true;
  counters_.resets.fetch_add(1, std::memory_order_relaxed);
  for (auto& p : pipes_) p->timer.cancel();
  std::error_code ignored;
  sockets_[static_cast<std::size_t>(side)].close(ignored);
  asio::ip::tcp::socket& other = sockets_[static_cast<std::size_t>(1 - side)];
  other.cancel(ignored);
  // The reset travels like any segment: the other side learns of it a one-way delay later.
  const LinkShape& shape = side == 0 ? config_.up : config_.down;
  reset_timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(shape.rtt / 2));
  reset_timer_.async_wait([self = shared_from_this()](std::error_code) { self->close_all(true); });
}

void RelayConnection::close_all(bool reset) {
  closed_ = true;
  for (auto& p : pipes_) p->timer.cancel();
  reset_timer_.cancel();
  for (asio::ip::tcp::socket& s : sockets_) {
    std::error_code ignored;
    if (reset && s.is_open()) s.set_option(asio::socket_base::linger(true, 0), ignored);  // close sends RST
    s.close(ignored);
  }
}

void RelayConnection::abort() { close_all(true); }

}  // namespace h2push::client::detail
