// src/client/h2_session.hpp: an HTTP/2 client session over http2::Connection (client role): TLS with ALPN h2, h2c
// with prior knowledge, or after an h2c upgrade (the upgraded request is stream 1).
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "client/frame_printer.hpp"
#include "client/session.hpp"
#include "h2push/http2/connection.hpp"

namespace h2push::client {

class H2Session final : public Session {
 public:
  H2Session(SessionListener& listener, const SessionOptions& options, std::string protocol);

  // h2c upgrade: the SETTINGS payload for HTTP2-Settings, before anything is sent.
  std::vector<std::byte> upgrade_settings() const { return conn_.h2c_settings_payload(); }
  // h2c upgrade: the server sent 101. The upgraded request is exchange 1; feed what followed the 101 to receive().
  Result<ExchangeId, std::string> start_upgraded(bool head_request);

  Result<ExchangeId, std::string> submit(const Request& request) override;
  void receive(std::span<const std::byte> bytes) override;
  void receive_eof() override;
  std::span<const std::byte> pending_output() override { return conn_.pending_output(); }
  void consume_output(std::size_t n) override;
  std::size_t outstanding() const override { return open_.size(); }
  std::optional<std::string> failure() const override { return failure_; }
  bool closed() const override { return eof_ || conn_.failed() || (going_away_ && open_.empty()); }
  bool accepts_requests() const override { return !closed() && !going_away_; }
  bool at_stream_limit() const override { return limited_; }
  void shutdown() override { conn_.shutdown(); }
  std::string_view protocol() const override { return protocol_; }

 private:
  void handle(std::span<const http2::Event> events);
  void complete(ExchangeId id, const std::optional<std::string>& error);

  SessionListener& listener_;
  SessionOptions options_;
  std::string protocol_;
  http2::Connection conn_;
  std::unique_ptr<FrameTracer> sent_trace_;
  std::unique_ptr<FrameTracer> received_trace_;
  std::set<ExchangeId> open_;
  std::optional<std::string> failure_;
  bool going_away_ = false;
  bool limited_ = false;
  bool eof_ = false;
};

}  // namespace h2push::client
