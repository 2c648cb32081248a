// src/proxy/upstream.hpp: how the proxy handler talks to an upstream, whatever carries the bytes (the pooled
// HTTP/1.1 client on top of http1::ClientConnection, or a fake in tests). One UpstreamCall per forwarded request:
// the request head goes with start(), the body follows with send_body(), and everything the upstream says comes back
// as events, on the worker thread whose executor was given.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <variant>

#include <asio/any_io_executor.hpp>

#include "proxy/forwarding.hpp"
#include "proxy/routes.hpp"

namespace h2push::proxy {

struct UpstreamRequest {
  std::string method;
  std::string target;     // origin-form: path and query
  std::string authority;  // the Host the upstream gets (the client's, as most apps expect)
  Fields fields;          // end-to-end fields plus Via / X-Forwarded-* / Forwarded (upstream_request_fields())
  bool has_body = false;  // send_body() will be called until end
};

// A 1xx response (e.g. the application's own 103 Early Hints).
struct UpstreamInformational {
  int status = 0;
  std::span<const hpack::Header> fields;
};
// The final response head.
struct UpstreamHead {
  int status = 0;
  std::span<const hpack::Header> fields;
  std::string_view protocol = "HTTP/1.1";  // as received, for Via
};
// Body octets, valid during the callback.
struct UpstreamData {
  std::span<const std::byte> data;
};
// The response is complete; `trailers`: its trailer section as received (h2 trailers, HTTP/1.1 chunked trailer
// section), empty when there was none.
struct UpstreamEnd {
  std::span<const hpack::Header> trailers = {};
};
// The exchange failed; no event follows.
struct UpstreamFailed {
  UpstreamError error = UpstreamError::reset;
  std::string_view detail;
};
using UpstreamEvent = std::variant<UpstreamInformational, UpstreamHead, UpstreamData, UpstreamEnd, UpstreamFailed>;
using UpstreamCallback = std::function<void(const UpstreamEvent&)>;

// One request in flight. Destroying it cancels the exchange (the connection is not reused then); no callback runs
// after the destructor has begun.
class UpstreamCall {
 public:
  virtual ~UpstreamCall() = default;
  // Request body octets (copied); `sent` runs once they are written, so the caller can take more from its client.
  virtual void send_body(std::span<const std::byte> data, bool end, std::function<void()> sent) = 0;
  // Ends the request body with a trailer section (names lowercase, already filtered): h2 trailers, or an HTTP/1.1
  // chunked trailer section (dropped when the upload is framed by Content-Length). `sent` as for send_body().
  virtual void send_trailers(Fields trailers, std::function<void()> sent) = 0;
  // Backpressure from the client side: stop (or resume) reading the response body.
  virtual void pause(bool paused) = 0;
};

class Upstream {
 public:
  virtual ~Upstream() = default;
  // Starts `request` on `route`'s upstream. Events arrive through `on_event` on `executor` (never from inside this
  // call). Timeouts are the route's.
  virtual std::unique_ptr<UpstreamCall> start(const Route& route, UpstreamRequest request,
                                              const asio::any_io_executor& executor, UpstreamCallback on_event) = 0;
  // The server is shutting down: close idle pooled connections (whose watchers would keep the worker's loop
  // alive) and pool no more. Calls in flight finish.
  virtual void close_idle() {}
};

}  // namespace h2push::proxy
