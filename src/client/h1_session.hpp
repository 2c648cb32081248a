// src/client/h1_session.hpp: an HTTP/1.1 client session over http1::ClientConnection. Requests are sent one at a
// time on a persistent connection (no pipelining: a browser does not pipeline either). It also carries the h2c
// upgrade request (RFC 7540 §3.2), after whose 101 the connection belongs to HTTP/2.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "client/session.hpp"
#include "h2push/http1/client_connection.hpp"

namespace h2push::client {

class H1Session final : public Session {
 public:
  H1Session(SessionListener& listener, const SessionOptions& options);

  // Submits `request` asking to upgrade to h2c with `settings` (our SETTINGS payload). On 101, upgraded() is true
  // and take_upgrade_input() holds what followed it; otherwise the response is reported as usual.
  Result<ExchangeId, std::string> submit_upgrade(const Request& request, std::span<const std::byte> settings);
  bool upgraded() const { return conn_.upgraded(); }
  std::vector<std::byte> take_upgrade_input() { return conn_.take_upgrade_input(); }
  // Requests never sent because the server closed the connection first; they may be retried on a new one.
  std::vector<std::pair<ExchangeId, Request>> take_unsent();

  Result<ExchangeId, std::string> submit(const Request& request) override;
  void receive(std::span<const std::byte> bytes) override;
  void receive_eof() override;
  std::span<const std::byte> pending_output() override { return conn_.pending_output(); }
  void consume_output(std::size_t n) override { conn_.consume_output(n); }
  std::size_t outstanding() const override { return queue_.size() + (in_flight_ ? 1 : 0); }
  std::optional<std::string> failure() const override { return failure_; }
  bool closed() const override { return eof_ || conn_.upgraded() || failure_.has_value(); }
  bool accepts_requests() const override { return !closed() && !conn_.is_closed(); }
  void shutdown() override {}
  std::string_view protocol() const override { return "http/1.1"; }

 private:
  struct Queued {
    ExchangeId id;
    Request request;
    std::vector<std::byte> settings;  // h2c upgrade: HTTP2-Settings payload
    bool upgrade = false;
  };
  Result<ExchangeId, std::string> enqueue(Queued queued);
  void send_next();
  void handle(std::span<const http1::ClientEvent> events);
  void finish(const std::optional<std::string>& error);
  void trace_request(const Queued& q, const std::vector<std::pair<std::string, std::string>>& fields);

  SessionListener& listener_;
  SessionOptions options_;
  http1::ClientConnection conn_;
  std::deque<Queued> queue_;
  std::optional<ExchangeId> in_flight_;
  ExchangeId next_id_ = 1;
  std::optional<std::string> failure_;
  bool eof_ = false;
};

// RFC 4648 §5 base64url without padding (HTTP2-Settings, RFC 7540 §3.2.1).
std::string base64url(std::span<const std::byte> bytes);

}  // namespace h2push::client
