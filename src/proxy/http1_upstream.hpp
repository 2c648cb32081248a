// src/proxy/http1_upstream.hpp: the Upstream over real sockets: HTTP/1.1 with http1::ClientConnection, a keep-alive
// pool per Http1Upstream (make one per worker: it is single-threaded), the route's connect and response timeouts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "proxy/upstream.hpp"

namespace h2push::proxy {

struct Http1UpstreamOptions {
  std::size_t max_idle_per_origin = 16;  // idle keep-alive connections kept per upstream
  // The client core takes a request body whole: uploads are collected up to this size, then sent (a bigger one
  // fails the exchange with too_large, answered 502). Streaming uploads need a body source in the client core.
  std::uint64_t max_request_body = 1 << 20;
};

class Http1Upstream final : public Upstream {
 public:
  explicit Http1Upstream(Http1UpstreamOptions options = {});
  ~Http1Upstream() override;
  std::unique_ptr<UpstreamCall> start(const Route& route, UpstreamRequest request,
                                      const asio::any_io_executor& executor, UpstreamCallback on_event) override;

  struct Pool;  // idle connections by origin (http1_upstream.cpp)

 private:
  Http1UpstreamOptions options_;
  std::shared_ptr<Pool> pool_;
};

}  // namespace h2push::proxy
