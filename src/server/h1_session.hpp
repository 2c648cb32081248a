// src/server/h1_session.hpp: an HTTP/1.1 connection of the server (cleartext, or TLS without h2), driving the
// sans-IO http1::ServerConnection; a cleartext `Upgrade: h2c` hands the socket to an H2Session (RFC 7540 §3.2).
#pragma once

#include <array>
#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include <asio/write.hpp>

#include "h2push/http1/server_connection.hpp"
#include "server/access_log.hpp"
#include "server/h2_session.hpp"
#include "server/session.hpp"
#include "server/site_handler.hpp"

namespace h2push::server {

template <class Stream>
class H1Session final : public ProtocolSession<Stream, http1::ServerConnection> {
  using Base = ProtocolSession<Stream, http1::ServerConnection>;
  using Base::closed_, Base::conn_, Base::reading_, Base::stream_, Base::timer_, Base::worker_;

 public:
  using Base::close;

  H1Session(Stream stream, WorkerState& worker, ConnectionSlot slot, std::string remote, bool tls)
      : Base(std::move(stream), worker, std::move(slot), http1::ServerConnection(worker.limits->http1)),
        remote_(std::move(remote)),
        tls_(tls) {}

  void start(std::span<const std::byte> initial) override {
    conn_.set_date(http_date());
    if (worker_.shutting_down) conn_.shutdown();
    if (!initial.empty()) handle(conn_.receive(initial));
    after_io();
    if (!closed_) this->watch_send_progress();
  }

  void shut_down_gracefully() override {
    if (closed_) return;
    conn_.shutdown();  // the last response carries `connection: close`
    after_io();
  }

  void output_ready() override { after_io(); }

 private:
  // After any input or output: write what is pending, read if the core wants more, arm the right timer.
  void after_io() {
    if (closed_) return;
    flush();
    if (closed_) return;
    if (conn_.has_held_input() && conn_.wants_read()) {
      handle(conn_.receive({}));
      flush();
    }
    read();
    arm_timer();
  }

  void read() {
    if (reading_ || closed_ || !conn_.wants_read() || upgrade_ || body_held_back()) return;
    reading_ = true;
    this->read_into(asio::buffer(in_), [this](std::error_code ec, std::size_t n) {
      reading_ = false;
      if (closed_) return;
      if (ec) {
        close();
        return;
      }
      conn_.set_date(http_date());
      handle(conn_.receive({in_.data(), n}));
      after_io();
    });
  }

  void handle(std::span<const http1::Event> events) {
    for (const http1::Event& e : events) {
      if (const auto* request = std::get_if<http1::RequestReceived>(&e)) {
        on_request(*request);
      } else if (const auto* data = std::get_if<http1::DataReceived>(&e)) {
        (void)this->route_body(data->request.value, data->data, data->end_stream);
      } else if (const auto* trailers = std::get_if<http1::TrailersReceived>(&e)) {
        (void)this->route_trailers(trailers->request.value, trailers->headers);
      } else if (const auto* error = std::get_if<http1::ProtocolError>(&e)) {
        worker_.error_log->info("{}: HTTP/1.1 {} {}{}", remote_, error->status, http1::to_string(error->error),
                                error->body_aborted ? " (request body cut short)" : "");
        if (error->body_aborted) this->exchange_gone(error->request.value);
        if (worker_.access_log != nullptr && error->status != 0 && !error->body_aborted) {
          Request r;
          r.protocol = Protocol::http11;
          r.remote = remote_;
          r.method = "-";
          r.target = "-";
          worker_.access_log->write(r, error->status, 0, {});
        }
      }
    }
  }

  void on_request(const http1::RequestReceived& r) {
    Request request;
    request.protocol = r.version == http1::Version::http_1_0 ? Protocol::http10 : Protocol::http11;
    request.remote = remote_;
    request.method = r.method;
    request.target = r.target;
    request.scheme = tls_ ? "https" : "http";
    request.fields = r.headers;
    request.authority = request.field("host");
    // RFC 9112 §3.2.2: absolute-form must be accepted; its authority replaces Host. We are not a proxy, so it must
    // name this listener (its address, or localhost, with its port): anything else is refused (SECURITY.md §12).
    bool foreign_target = false;
    for (const std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
      if (request.target.size() > scheme.size() && request.target.substr(0, scheme.size()) == scheme) {
        const std::string_view rest = request.target.substr(scheme.size());
        const std::size_t slash = rest.find_first_of("/?");
        request.authority = rest.substr(0, slash);
        foreign_target = !names_this_listener(request.authority);
        request.target = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
        if (!request.target.empty() && request.target.front() == '?') {
          absolute_target_ = "/" + std::string(request.target);
          request.target = absolute_target_;
        }
      }
    }
    if (foreign_target) {
      const hpack::Header refused[] = {{":status", "400"}, {"connection", "close"}};
      (void)conn_.submit_response(r.request, refused, true);
      return;
    }
    if (r.h2c_upgrade && !tls_ && worker_.limits->h2c && !worker_.shutting_down && begin_upgrade(r, request)) {
      return;
    }

    this->respond(request, r.request, !r.end_stream);
  }

  bool names_this_listener(std::string_view authority) const {
    std::error_code ec;
    const auto local = stream_.lowest_layer().local_endpoint(ec);
    if (ec) return false;
    const std::string port = std::to_string(local.port());
    const std::string address = local.address().to_string();
    const bool v6 = local.address().is_v6();
    return authority == (v6 ? "[" + address + "]" : address) + ":" + port || authority == "localhost:" + port;
  }

  // RFC 7540 §3.2: 101, then the same socket speaks HTTP/2 and the request is answered on stream 1.
  bool begin_upgrade(const http1::RequestReceived& r, const Request& request) {
    auto rest = conn_.accept_h2c_upgrade(r.request);
    if (!rest) return false;
    upgrade_ = std::make_unique<Upgrade>();
    upgrade_->rest = std::move(*rest);
    upgrade_->settings.assign(r.http2_settings.begin(), r.http2_settings.end());
    // The request in HTTP/2 form: pseudo-header fields, then the fields that mean something end to end.
    auto& f = upgrade_->fields;
    f.emplace_back(":method", std::string(request.method));
    f.emplace_back(":scheme", "http");
    f.emplace_back(":authority", std::string(request.authority));
    f.emplace_back(":path", std::string(request.target));
    for (const hpack::Header& h : r.headers) {
      const std::string_view n = h.name;
      if (n == "host" || n == "connection" || n == "upgrade" || n == "http2-settings" || n == "keep-alive" ||
          n == "proxy-connection" || n == "transfer-encoding" || (n == "te" && h.value != "trailers")) {
        continue;
      }
      f.emplace_back(std::string(n), std::string(h.value));
    }
    return true;
  }

  void finish_upgrade() {
    closed_ = true;  // this session gives its socket away
    timer_.cancel();
    this->send_timer_.cancel();
    auto session = std::make_shared<H2Session<Stream>>(std::move(stream_), worker_, std::move(this->slot_),
                                                       Protocol::h2c, remote_);
    std::vector<http2::Header> request;
    for (const auto& [name, value] : upgrade_->fields) request.push_back({name, value});
    session->start_upgraded(upgrade_->settings, request, upgrade_->rest);
  }

  // timeouts.send: a response the client does not read for that long (the socket takes no octet) closes the
  // connection. HTTP/1.1 has no flow control of its own, so the socket is the only place a response can stall.
  void check_send_progress(std::chrono::steady_clock::time_point now) override {
    if (!this->write_stalled(now)) return;
    worker_.error_log->info("{}: send timeout: the client took no octet for {} ms, connection closed", remote_,
                            worker_.limits->send_timeout.count());
    close();
  }

  void flush() {
    if (this->write_pending([this] { after_io(); })) return;
    if (upgrade_ && conn_.upgraded()) {
      finish_upgrade();
    } else if (conn_.is_closed()) {
      close();
    }
  }

  // An asynchronous handler holds this much request body it has not consumed: stop reading (backpressure).
  static constexpr std::size_t kMaxHeldBody = 64 * 1024;
  bool body_held_back() const { return this->unconsumed_body() >= kMaxHeldBody; }

  // The read timer follows the core's read state: head and body gaps, keep-alive idleness.
  void arm_timer() {
    const http1::ReadState state = conn_.read_state();
    if (state == armed_for_ && timer_armed_) return;
    armed_for_ = state;
    const SessionLimits& limits = *worker_.limits;
    std::chrono::milliseconds timeout{0};
    switch (state) {
      case http1::ReadState::idle:
        timeout = limits.keep_alive_timeout;
        break;
      case http1::ReadState::head:
        timeout = limits.request_header_timeout;
        break;
      case http1::ReadState::body:
        if (body_held_back()) {  // we stopped reading, not the client: no body gap timeout
          timer_.cancel();
          timer_armed_ = false;
          armed_for_ = http1::ReadState::paused;
          return;
        }
        timeout = limits.request_header_timeout;
        break;
      default:
        timer_.cancel();
        timer_armed_ = false;
        return;
    }
    timer_armed_ = true;
    timer_.expires_after(timeout);
    timer_.async_wait([self = this->shared_from_this(), this, state](std::error_code ec) {
      if (ec || closed_ || conn_.read_state() != state) return;
      timer_armed_ = false;
      if (state == http1::ReadState::idle) {
        worker_.error_log->debug("{}: HTTP/1.1 keep-alive timeout", remote_);
      } else {
        worker_.error_log->info("{}: HTTP/1.1 request {} timeout", remote_,
                                state == http1::ReadState::head ? "header" : "body");
      }
      handle(conn_.read_timeout());
      after_io();
      if (!closed_ && conn_.read_state() == http1::ReadState::idle && conn_.outstanding_requests() == 0 &&
          conn_.pending_output().empty()) {
        close();
      }
    });
  }

  struct Upgrade {
    std::vector<std::byte> rest;
    std::vector<std::byte> settings;
    std::vector<std::pair<std::string, std::string>> fields;
  };

  std::string remote_;
  bool tls_;
  std::array<std::byte, 16384> in_{};
  std::unique_ptr<Upgrade> upgrade_;
  std::string absolute_target_;  // "/?query" made from an absolute-form target without a path
  http1::ReadState armed_for_ = http1::ReadState::closed;
  bool timer_armed_ = false;
};

// Starts serving HTTP/1.1 on a connection whose first octets (already read) are `initial`.
template <class Stream>
void start_http1(Stream stream, WorkerState& worker, ConnectionSlot slot, std::string remote,
                 std::span<const std::byte> initial) {
  const bool tls = std::is_same_v<Stream, TlsStream>;
  std::make_shared<H1Session<Stream>>(std::move(stream), worker, std::move(slot), std::move(remote), tls)
      ->start(initial);
}

}  // namespace h2push::server
