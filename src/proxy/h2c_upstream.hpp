// src/proxy/h2c_upstream.hpp: the Upstream for h2c:// and h2s:// routes: HTTP/2 with prior knowledge (h2c://) or
// over TLS with ALPN h2 (h2s://, verified as https:// is: upstream_tls.hpp), over one connection per
// origin (make one H2cUpstream per worker: it is single-threaded), requests multiplexed as streams of the sans-IO
// client-role http2::Connection. Uploads stream within the upstream's flow-control windows; the response body is
// credited back (WINDOW_UPDATE) only as the client side takes it, so a slow client holds back its stream alone.
#pragma once

#include <cstdint>
#include <memory>

#include "proxy/http1_upstream.hpp"
#include "proxy/upstream.hpp"

namespace h2push::proxy {

struct H2cUpstreamStats {
  std::uint64_t connections_opened = 0;
  std::size_t connections_open = 0;
  std::uint64_t retries = 0;  // requests refused by the upstream (REFUSED_STREAM, GOAWAY) and sent again
};

class H2cUpstream final : public Upstream {
 public:
  H2cUpstream();
  ~H2cUpstream() override;
  std::unique_ptr<UpstreamCall> start(const Route& route, UpstreamRequest request,
                                      const asio::any_io_executor& executor, UpstreamCallback on_event) override;
  void close_idle() override;
  H2cUpstreamStats stats() const;

  struct Hub;  // connections by origin (h2c_upstream.cpp)

 private:
  std::shared_ptr<Hub> hub_;
};

// What `h2push proxy` gives each worker: h2c:// and h2s:// routes to an H2cUpstream, http:// and https:// ones to an
// Http1Upstream.
class SchemeUpstream final : public Upstream {
 public:
  SchemeUpstream() = default;
  std::unique_ptr<UpstreamCall> start(const Route& route, UpstreamRequest request,
                                      const asio::any_io_executor& executor, UpstreamCallback on_event) override;
  void close_idle() override;

 private:
  Http1Upstream http1_;
  H2cUpstream h2c_;
};

}  // namespace h2push::proxy
