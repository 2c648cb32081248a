// src/proxy/http1_upstream.hpp: the Upstream over real sockets: HTTP/1.1 with http1::ClientConnection, a keep-alive
// pool per Http1Upstream (make one per worker: it is single-threaded) holding up to the route's pool_max_idle idle
// connections per origin, upstream addresses resolved once per worker (upstream_address.hpp), the route's connect and
// response timeouts.
// https:// upstreams are the same over TLS (upstream_tls.hpp): verified, SNI, ALPN http/1.1, sessions resumed.
// Request bodies stream (Content-Length when the client gave one, else chunked) with backpressure both ways.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "proxy/upstream.hpp"

namespace h2push::proxy {

// What the keep-alive pool did, for tests and diagnostics.
struct Http1UpstreamStats {
  std::size_t idle = 0;                  // connections pooled now
  std::uint64_t closed_by_upstream = 0;  // idle ones the upstream closed (or wrote to): dropped at once
  std::uint64_t closed_idle = 0;         // idle ones closed after the route's pool_idle_timeout
  std::uint64_t opened = 0;              // connections opened (connect attempts, retries included)
  std::uint64_t lookups = 0;             // resolver lookups (names only, cached; numeric hosts never)
  std::uint64_t handshakes = 0;          // TLS handshakes completed (https:// upstreams)
  std::uint64_t resumed = 0;             // of those, resumed from a kept session
};

class Http1Upstream final : public Upstream {
 public:
  Http1Upstream();
  ~Http1Upstream() override;
  std::unique_ptr<UpstreamCall> start(const Route& route, UpstreamRequest request,
                                      const asio::any_io_executor& executor, UpstreamCallback on_event) override;
  void close_idle() override;  // closes the pooled connections and keeps no more (shutdown)
  Http1UpstreamStats stats() const;

  struct Pool;  // idle connections by origin (http1_upstream.cpp)

 private:
  std::shared_ptr<Pool> pool_;
};

}  // namespace h2push::proxy
