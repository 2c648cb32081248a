// tests/proxy/proxy_test_server.hpp: the fixture the proxy handler and push tests share: a Server on 127.0.0.1 port
// 0 (one worker, no access log) whose handler is a ProxyHandler over one route and a scripted Upstream, with the push
// policy over the site's learned plans. Shut down and joined when destroyed. Also what both read of the requests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxy/forwarding.hpp"
#include "proxy/proxy_handler.hpp"
#include "server/push_policy.hpp"
#include "server/server.hpp"

namespace h2push::proxy::test {

class ProxyTestServer {
 public:
  // `route.upstream` is never dialled: `upstream` answers.
  ProxyTestServer(const Route& route, std::shared_ptr<Upstream> upstream, const LearnOptions& learn = {})
      : site(std::make_shared<ProxySite>(std::vector<Route>{route}, learn)) {
    server::ServerOptions o;
    o.http.push_back({"127.0.0.1", 0});
    o.workers = 1;
    o.access_log = "off";
    o.make_handler = [s = site, u = std::move(upstream)] { return std::make_unique<ProxyHandler>(s, u); };
    o.push = std::make_shared<server::PushPolicy>(site->plan_lookup(), server::PushConfig{});
    auto started = server::Server::start(std::move(o));
    if (!started) {
      ADD_FAILURE() << started.error();
      return;
    }
    srv = std::move(*started);
    const std::string line = srv->describe_listeners().front();
    port = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
  }
  ~ProxyTestServer() {
    if (srv == nullptr) return;
    srv->shut_down();
    srv->wait();
  }
  ProxyTestServer(const ProxyTestServer&) = delete;
  ProxyTestServer& operator=(const ProxyTestServer&) = delete;

  // A route to an upstream that is never dialled (the tests' upstreams are scripted).
  static Route scripted_route() {
    Route route;
    route.upstream = {"127.0.0.1", 9};
    return route;
  }

  std::shared_ptr<ProxySite> site;
  std::unique_ptr<server::Server> srv;
  std::uint16_t port = 0;
};

// The value of the first field named `name` (a request the upstream got), "<none>" when there is none.
inline std::string field(const Fields& fields, std::string_view name) {
  for (const auto& [n, v] : fields) {
    if (n == name) return v;
  }
  return "<none>";
}

}  // namespace h2push::proxy::test
