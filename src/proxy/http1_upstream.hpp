// src/proxy/http1_upstream.hpp: the Upstream over real sockets: HTTP/1.1 with http1::ClientConnection, a keep-alive
// pool per Http1Upstream (make one per worker: it is single-threaded), the route's connect and response timeouts.
// Request bodies stream (Content-Length when the client gave one, else chunked) with backpressure both ways.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "proxy/upstream.hpp"

namespace h2push::proxy {

struct Http1UpstreamOptions {
  std::size_t max_idle_per_origin = 16;  // idle keep-alive connections kept per upstream
};

// What the keep-alive pool did, for tests and diagnostics.
struct Http1UpstreamStats {
  std::size_t idle = 0;                  // connections pooled now
  std::uint64_t closed_by_upstream = 0;  // idle ones the upstream closed (or wrote to): dropped at once
  std::uint64_t closed_idle = 0;         // idle ones closed after the route's pool_idle_timeout
};

class Http1Upstream final : public Upstream {
 public:
  explicit Http1Upstream(Http1UpstreamOptions options = {});
  ~Http1Upstream() override;
  std::unique_ptr<UpstreamCall> start(const Route& route, UpstreamRequest request,
                                      const asio::any_io_executor& executor, UpstreamCallback on_event) override;
  void close_idle() override;  // closes the pooled connections and keeps no more (shutdown)
  Http1UpstreamStats stats() const;

  struct Pool;  // idle connections by origin (http1_upstream.cpp)

 private:
  Http1UpstreamOptions options_;
  std::shared_ptr<Pool> pool_;
};

}  // namespace h2push::proxy
