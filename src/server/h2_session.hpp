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
#include "server/session.hpp"

namespace h2push::server {

template <class Stream>
class H2Session final : public ProtocolSession<Stream, http2::Connection> {
  using Base = ProtocolSession<Stream, http2::Connection>;
  using Base::closed_, Base::conn_, Base::reading_, Base::stream_, Base::timer_, Base::worker_;

 public:
  using Base::close;

  H2Session(Stream stream, WorkerState& worker, Protocol protocol, std::string remote)
      : Base(std::move(stream), worker, http2::Connection(server_options(*worker.limits))),
        protocol_(protocol),
        remote_(std::move(remote)) {}

  void start(std::span<const std::byte> initial) override {
    last_activity_ = std::chrono::steady_clock::now();
    if (worker_.shutting_down) conn_.shutdown();
    if (!initial.empty()) on_bytes(initial);
    flush();
    read();
    tick();
  }

  // Continues an HTTP/1.1 connection upgraded to h2c (RFC 7540 §3.2) once its 101 is written: the client's
  // HTTP2-Settings, the upgraded request (answered on stream 1) and the octets that followed the request.
  void start_upgraded(std::span<const std::byte> settings, std::span<const http2::Header> request,
                      std::span<const std::byte> rest) {
    auto events = conn_.accept_h2c_upgrade(settings, request);
    if (!events) {
      close();
      return;
    }
    handle(*events);
    start(rest);
  }

  void shut_down_gracefully() override {
    if (closed_) return;
    conn_.shutdown();  // GOAWAY(last processed stream, NO_ERROR): in-flight streams finish
    flush();
  }

 private:
  static http2::Options server_options(const SessionLimits& limits) {
    http2::Options o = limits.http2;
    o.role = http2::Role::server;
    o.enable_push = false;
    o.auto_window_update = false;  // request bodies are credited once used (an exchange's consume()) or dropped
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
                              on_bytes({in_.data(), n});
                              flush();
                              read();
                            });
  }

  void on_bytes(std::span<const std::byte> bytes) {
    handle(conn_.advance(instant_now()));
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
        (void)this->route_body(trailers->stream.value(), {}, true);
      } else if (const auto* reset = std::get_if<http2::StreamReset>(&e)) {
        // A promised (even) stream reset by the client: a push it did not want (RFC 9113 §8.4.2).
        if (reset->by_peer && reset->stream.is_server_initiated()) this->push_record_.on_reset(reset->stream.value());
        this->exchange_gone(reset->stream.value());
      }
    }
  }

  void output_ready() override { flush(); }

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
      if (conn_.active_streams() == 0 && now - last_activity_ > limits.idle_timeout) {
        conn_.shutdown();  // RFC 9113 §6.8 (H2-6.8-04): GOAWAY before closing an idle connection
      }
      if (worker_.shutting_down) {
        if (!shutdown_started_) shutdown_started_ = now;
        if (now - *shutdown_started_ > limits.shutdown_deadline) {
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
};

}  // namespace h2push::server
