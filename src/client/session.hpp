// src/client/session.hpp: what the fetcher asks of a connection whatever its protocol (HTTP/2 or HTTP/1.1), and what
// a session reports back. Sessions are sans-IO adapters over the protocol cores; Pump (pump.hpp) moves their bytes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "h2push/result.hpp"

namespace h2push::client {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string scheme = "https";
  std::string authority;
  std::string path = "/";
  Fields headers;  // extra fields (-H), names as given
  std::string body;
};

// An exchange on a session: the HTTP/2 stream id, or the HTTP/1.1 request number plus one.
using ExchangeId = std::uint32_t;

// Reports of a session, called while it handles input.
class SessionListener {
 public:
  virtual ~SessionListener() = default;
  virtual void on_informational(ExchangeId id, int status, const Fields& headers) = 0;
  // `reason`: the HTTP/1.1 reason phrase (HTTP/2 has none).
  virtual void on_response(ExchangeId id, int status, std::string_view reason, const Fields& headers) = 0;
  virtual void on_data(ExchangeId id, std::span<const std::byte> data) = 0;
  // The exchange ended: complete, or with `error` ("stream reset: CANCEL(0x08)").
  virtual void on_complete(ExchangeId id, const std::optional<std::string>& error) = 0;
  // HTTP/2: the server refused the stream without processing it (RFC 9113 §8.7): it may be retried.
  virtual void on_refused(ExchangeId id) { on_complete(id, std::string("refused by the server")); }
  // HTTP/2: the server promised `promised` (a push answering `request`) on `parent`.
  virtual void on_push(ExchangeId parent, ExchangeId promised, const Request& request) = 0;
};

struct SessionOptions {
  bool enable_push = true;
  std::FILE* trace = nullptr;  // -v: frames or heads are printed here
  std::chrono::steady_clock::time_point start;
};

class Session {
 public:
  virtual ~Session() = default;
  virtual Result<ExchangeId, std::string> submit(const Request& request) = 0;
  virtual void receive(std::span<const std::byte> bytes) = 0;
  virtual void receive_eof() = 0;
  virtual std::span<const std::byte> pending_output() = 0;
  virtual void consume_output(std::size_t n) = 0;
  virtual std::size_t outstanding() const = 0;  // exchanges not yet complete
  // A connection-level failure, one line ("GOAWAY with PROTOCOL_ERROR(0x01): ...").
  virtual std::optional<std::string> failure() const = 0;
  virtual bool closed() const = 0;            // no more input will be read
  virtual bool accepts_requests() const = 0;  // submit() may be called
  // The last submit() failed only because the peer's MAX_CONCURRENT_STREAMS is reached: retry once an exchange
  // completes.
  virtual bool at_stream_limit() const { return false; }
  virtual void shutdown() = 0;  // polite end (HTTP/2 GOAWAY)
  virtual std::string_view protocol() const = 0;
};

}  // namespace h2push::client
