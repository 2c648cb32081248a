// src/proxy/run_proxy.cpp
#include "proxy/run_proxy.hpp"

#include <unistd.h>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include "proxy/h2c_upstream.hpp"
#include "proxy/proxy_handler.hpp"
#include "proxy/upstream_tls.hpp"
#include "server/push_policy.hpp"
#include "server/serve.hpp"
#include "server/server.hpp"

namespace h2push::proxy {

int run_proxy(const server::ServerConfig& config, std::FILE* out) {
  std::vector<Route> routes;
  for (const server::ProxyRouteConfig& c : config.proxy) {
    auto upstream = parse_upstream_url(c.upstream);
    if (!upstream) {
      std::fprintf(stderr, "h2push: upstream %s: %s\n", c.upstream.c_str(), upstream.error().c_str());
      return 1;
    }
    routes.push_back({c.prefix, c.host, *upstream, c.connect_timeout, c.response_timeout, c.learn,
                      static_cast<std::size_t>(c.max_learned_pages), static_cast<std::size_t>(c.max_learned_assets),
                      c.static_root.string(), c.pool_idle_timeout, static_cast<std::size_t>(c.pool_max_idle),
                      c.upstream_tls_verify, c.upstream_ca_file.string(), c.upstream_sni});
  }
  UpstreamTls probe;  // an unreadable CA bundle is refused now, not at the first request
  for (std::size_t i = 0; i < routes.size(); ++i) {
    if (!routes[i].upstream.tls) continue;
    if (auto ctx = probe.context(routes[i]); !ctx) {
      std::fprintf(stderr, "h2push: proxy[%zu].upstream_ca_file: %s\n", i, ctx.error().c_str());
      return 1;
    }
  }
  if (routes.empty()) {
    std::fprintf(stderr, "h2push: no upstream: give --upstream or [[proxy]] routes\n");
    return 1;
  }
  auto site = std::make_shared<ProxySite>(std::move(routes));
  if (const std::string& error = site->error(); !error.empty()) {
    std::fprintf(stderr, "h2push: %s\n", error.c_str());
    return 1;
  }

  server::ServerOptions options;
  for (const server::Address& a : config.server.http)
    options.http.push_back({a.host.empty() ? "0.0.0.0" : a.host, a.port});
  for (const server::Address& a : config.server.https) {
    options.https.push_back({a.host.empty() ? "0.0.0.0" : a.host, a.port});
  }
  options.cert_file = config.tls.cert;
  options.key_file = config.tls.key;
  options.state_dir = std::filesystem::temp_directory_path() / ("h2push-proxy-" + std::to_string(::getpid()));
  options.workers = config.server.workers;
  options.limits = server::session_limits(config);
  // One upstream (and so one keep-alive pool) per worker: make_handler runs once per worker.
  options.make_handler = [site] { return std::make_unique<ProxyHandler>(site, std::make_shared<SchemeUpstream>()); };
  if (config.push.mode != server::PushMode::off) {
    server::PushConfig push = config.push;
    push.think_time = {};  // the upstream thinks for real
    options.push = std::make_shared<server::PushPolicy>(site->plan_lookup(), push);
  }
  options.access_log = server::log_destination(config.logging.access_log);
  options.access_log_format = config.logging.access_format;

  auto started = server::Server::start(std::move(options));
  if (!started) {
    std::fprintf(stderr, "h2push: %s\n", started.error().c_str());
    return 1;
  }
  for (const server::ProxyRouteConfig& c : config.proxy) {
    std::fprintf(out, "proxying %s%s -> %s\n", c.host.c_str(), c.prefix.c_str(), c.upstream.c_str());
  }
  for (const std::string& line : (*started)->describe_listeners()) std::fprintf(out, "%s\n", line.c_str());
  std::fflush(out);

  asio::io_context signals_context;
  asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  signals.async_wait([&](std::error_code, int) { (*started)->shut_down(); });
  signals_context.run();
  (*started)->wait();
  std::error_code ignored;
  std::filesystem::remove_all(std::filesystem::temp_directory_path() / ("h2push-proxy-" + std::to_string(::getpid())),
                              ignored);
  return 0;
}

}  // namespace h2push::proxy
