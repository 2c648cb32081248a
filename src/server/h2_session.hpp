// src/server/h2_session.hpp: an HTTP/2 connection of the server: a socket (TLS or cleartext) driving the sans-IO
// http2::Connection, requests handed to the worker's Handler.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include <asio/read.hpp>
#include <asio/write.hpp>

#include "server/access_log.hpp"
#include "server/recycled.hpp"
#include "server/session.hpp"

namespace h2push::server {

// The stream ids of the bodies being sent on a connection, each with the time of its last octets. A flat vector
// searched linearly: a connection has few bodies in flight (at most its MAX_CONCURRENT_STREAMS), and once it has
// grown, watching a body allocates nothing (a node-based map allocated once per response).
class ProgressTable {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Entry {
    std::uint32_t stream;
    TimePoint last;
  };

  void set(std::uint32_t stream, TimePoint t) {
    if (Entry* e = find(stream)) {
      e->last = t;
    } else {
      entries_.push_back({stream, t});
    }
  }
  Entry* find(std::uint32_t stream) noexcept {
    for (Entry& e : entries_) {
      if (e.stream == stream) return &e;
    }
    return nullptr;
  }
  void erase(std::uint32_t stream) noexcept {
    if (Entry* e = find(stream)) erase_at(static_cast<std::size_t>(e - entries_.data()));
  }
  // Removes the i-th entry; the last one takes its place (order does not matter).
  void erase_at(std::size_t i) noexcept {
    entries_[i] = entries_.back();
    entries_.pop_back();
  }
  void clear() noexcept { entries_.clear(); }
  std::size_t size() const noexcept { return entries_.size(); }
  const Entry& operator[](std::size_t i) const noexcept { return entries_[i]; }

 private:
  std::vector<Entry> entries_;
};

// A response body that notes when the core pulls octets from it: progress for timeouts.send. Its entry in
// `progress` goes when the body ends.
class ProgressSource final : public BodySource, public Recycled<ProgressSource> {
 public:
  ProgressSource(std::unique_ptr<BodySource> inner, ProgressTable& progress, std::uint32_t stream)
      : inner_(std::move(inner)), progress_(progress), stream_(stream) {}

  Read read(std::span<std::byte> out) override {
    const Read r = inner_->read(out);
    note(r.length, r.end || r.failed);
    return r;
  }
  bool borrow(std::size_t max, Loan& loan) override {
    if (!inner_->borrow(max, loan)) return false;
    note(loan.bytes.size(), loan.end || loan.failed);
    return true;
  }

 private:
  void note(std::size_t length, bool over) {
    if (over) {
      progress_.erase(stream_);
    } else if (length > 0) {
      if (ProgressTable::Entry* e = progress_.find(stream_)) e->last = std::chrono::steady_clock::now();
    }
  }

  std::unique_ptr<BodySource> inner_;
  ProgressTable& progress_;  // outlives every read(): the core asks for octets only while its session is alive
  std::uint32_t stream_;
};

template <class Stream>
class H2Session final : public ProtocolSession<Stream, http2::Connection> {
  using Base = ProtocolSession<Stream, http2::Connection>;
  using Base::closed_, Base::conn_, Base::reading_, Base::stream_, Base::timer_, Base::worker_;

 public:
  using Base::close;

  H2Session(Stream stream, WorkerState& worker, ConnectionSlot slot, Protocol protocol, std::string remote)
      : Base(std::move(stream), worker, std::move(slot), http2::Connection(server_options(worker))),
        protocol_(protocol),
        remote_(std::move(remote)) {}

  void start(std::span<const std::byte> initial) override {
    last_activity_ = std::chrono::steady_clock::now();
    if (worker_.shutting_down) conn_.shutdown();
    if (!initial.empty()) on_bytes(initial);
    flush();
    read();
    tick();
    this->watch_send_progress();
  }

  // Continues an HTTP/1.1 connection upgraded to h2c (RFC 7540 §3.2) once its 101 is written: the client's
  // HTTP2-Settings, the upgraded request (answered on stream 1) and the octets that followed the request.
  void start_upgraded(std::span<const std::byte> settings, std::span<const http2::Header> request,
                      std::span<const std::byte> rest) {
    auto events = conn_.accept_h2c_upgrade(settings, request);
    if (!events) {
      worker_.error_log->info("{}: h2c upgrade refused: {}", remote_, http2::to_string(events.error()));
      close();
      return;
    }
    handle(*events);
    start(rest);
  }

  void shut_down_gracefully() override {
    if (closed_) return;
    // RFC 9113 §6.8 (H2-6.8-04): GOAWAY(2^31-1) and a PING; after its ACK (or 1 s, through tick()) the final
    // GOAWAY with the last stream processed. In-flight streams finish.
    conn_.shutdown_gracefully();
    flush();
  }

 private:
  static http2::Options server_options(const WorkerState& worker) {
    http2::Options o = worker.limits->http2;
    o.output_pool = worker.output_pool;
    o.role = http2::Role::server;
    o.enable_push = false;
    o.auto_window_update = false;  // request bodies are credited once used (an exchange's consume()) or dropped
    // Cleartext: cached bodies go from the cache to the socket by reference, in one gather write (write_pending()).
    // TLS encrypts contiguous plaintext, so referencing would only move the copy; it stays off there.
    o.reference_bodies = std::is_same_v<Stream, TcpSocket>;
    return o;
  }

  void read() {
    if (reading_ || closed_) return;
    reading_ = true;
    stream_.async_read_some(asio::buffer(in_),
                            [self = this->shared_from_this(), this](std::error_code ec, std::size_t n) {
                              reading_ = false;
                              if (closed_) return;
                              if (ec) {
                                close();  // EOF or reset: the peer is gone
                                return;
                              }
                              last_activity_ = std::chrono::steady_clock::now();
                              const typename Base::EventTime event(*this, last_activity_);
                              on_bytes({in_.data(), n});
                              flush();
                              read();
                            });
  }

  void on_bytes(std::span<const std::byte> bytes) {
    handle(conn_.advance(instant_of(this->event_now())));
    handle(conn_.receive(bytes));
  }

  void handle(std::span<const http2::Event> events) {
    for (const http2::Event& e : events) {
      if (const auto* request = std::get_if<http2::RequestReceived>(&e)) {
        on_request(*request);
      } else if (const auto* data = std::get_if<http2::DataReceived>(&e)) {
        if (!this->route_body(data->stream.value(), data->data, data->end_stream)) {
          conn_.consume(data->stream, data->data.size());
        }
      } else if (const auto* trailers = std::get_if<http2::TrailersReceived>(&e)) {
        (void)this->route_trailers(trailers->stream.value(), trailers->headers);
      } else if (const auto* reset = std::get_if<http2::StreamReset>(&e)) {
        body_progress_.erase(reset->stream.value());
        // A promised (even) stream reset by the client: a push it did not want (RFC 9113 §8.4.2).
        if (reset->by_peer && reset->stream.is_server_initiated()) on_push_refused(reset->stream.value());
        this->exchange_gone(reset->stream.value());
      } else if (const auto* failed = std::get_if<http2::ConnectionFailed>(&e)) {
        worker_.error_log->info("{}: HTTP/2 connection error {}{}: {}", remote_, http2::to_string(failed->code),
                                failed->by_peer ? " (GOAWAY from the client)" : "", failed->detail);
      }
    }
  }

  void output_ready() override { flush(); }

  // A push the client refused: remembered for this connection, and logged with the octets sent in vain.
  void on_push_refused(std::uint32_t id) {
    const auto refused = this->push_record_.on_reset(id);
    if (!refused || worker_.access_log == nullptr) return;
    Request r;
    r.method = "GET";
    r.target = refused->first;
    r.protocol = protocol_;
    r.remote = remote_;
    worker_.access_log->write(r, 200, refused->second, {}, "push-refused");
  }

  std::unique_ptr<BodySource> watch_body(std::uint32_t stream, std::unique_ptr<BodySource> body) override {
    body_progress_.set(stream, this->event_now());
    return std::make_unique<ProgressSource>(std::move(body), body_progress_, stream);
  }
  void unwatch_body(std::uint32_t stream) override { body_progress_.erase(stream); }

  // timeouts.send: a socket that takes nothing closes the connection; a body that has not moved for that long is
  // reset when its stream's window is closed (RST_STREAM(CANCEL)), or ends the connection when the connection's
  // window is (GOAWAY(ENHANCE_YOUR_CALM)). A body waiting behind other streams with open windows is left alone.
  void check_send_progress(std::chrono::steady_clock::time_point now) override {
    const auto timeout = worker_.limits->send_timeout;
    if (this->write_stalled(now)) {
      worker_.error_log->info("{}: send timeout: the client took no octet for {} ms, connection closed", remote_,
                              timeout.count());
      close();
      return;
    }
    for (std::size_t i = 0; i < body_progress_.size();) {
      const http2::StreamId id(body_progress_[i].stream);
      if (now - body_progress_[i].last <= timeout) {
        ++i;
      } else if (conn_.connection_send_window() <= 0) {
        worker_.error_log->info("{}: send timeout: the connection window stayed closed for {} ms, GOAWAY", remote_,
                                timeout.count());
        body_progress_.clear();
        conn_.shutdown(http2::ErrorCode::enhance_your_calm, "send timeout: flow-control window closed");
        break;
      } else if (conn_.stream_send_window(id) <= 0) {
        worker_.error_log->info("{}: send timeout: stream {} window stayed closed for {} ms, RST_STREAM(CANCEL)",
                                remote_, id.value(), timeout.count());
        (void)conn_.reset_stream(id, http2::ErrorCode::cancel);  // fails harmlessly if the stream is gone
        body_progress_.erase(id.value());  // by id: reset_stream() may have ended other bodies meanwhile
      } else {
        ++i;
      }
    }
    flush();
  }

  void on_request(const http2::RequestReceived& r) {
    Request request;
    request.protocol = protocol_;
    request.remote = remote_;
    std::size_t regular = 0;
    for (const http2::Header& h : r.headers) {
      if (h.name.empty() || h.name[0] != ':') break;
      ++regular;
      if (h.name == ":method") request.method = h.value;
      if (h.name == ":scheme") request.scheme = h.value;
      if (h.name == ":authority") request.authority = h.value;
      if (h.name == ":path") request.target = h.value;
    }
    request.fields = r.headers.subspan(regular);
    if (request.authority.empty()) request.authority = request.field("host");
    this->respond(request, r.stream, !r.end_stream);
  }

  void flush() {
    if (!this->write_pending([this] { flush(); }) && conn_.is_closed()) close();
  }

  // Once a second: time for the core (SETTINGS timeout, budgets), the idle timeout, the shutdown deadline.
  void tick() {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([self = this->shared_from_this(), this](std::error_code ec) {
      if (ec || closed_) return;
      const auto now = std::chrono::steady_clock::now();
      handle(conn_.advance(instant_now()));
      const SessionLimits& limits = *worker_.limits;
      if (conn_.active_streams() == 0 && now - last_activity_ > limits.idle_timeout && !conn_.is_closed()) {
        worker_.error_log->debug("{}: HTTP/2 idle timeout, GOAWAY", remote_);
        conn_.shutdown();  // RFC 9113 §6.8 (H2-6.8-04): GOAWAY before closing an idle connection
      }
      if (worker_.shutting_down) {
        if (!shutdown_started_) shutdown_started_ = now;
        if (now - *shutdown_started_ > limits.shutdown_deadline) {
          worker_.error_log->info("{}: shutdown deadline passed, HTTP/2 connection cut", remote_);
          close();
          return;
        }
      }
      flush();
      tick();
    });
  }

  Protocol protocol_;
  std::string remote_;
  std::array<std::byte, 16384> in_{};
  std::chrono::steady_clock::time_point last_activity_;
  std::optional<std::chrono::steady_clock::time_point> shutdown_started_;
  ProgressTable body_progress_;  // streams whose body is being sent: the time of their last progress
};

}  // namespace h2push::server
