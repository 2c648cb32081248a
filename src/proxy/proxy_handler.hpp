// src/proxy/proxy_handler.hpp: the reverse proxy as an asynchronous server Handler. Each request is routed
// (routes.hpp), forwarded through an Upstream (upstream.hpp) with hop-by-hop fields removed and Via /
// X-Forwarded-* / Forwarded added; the upstream's 1xx responses are forwarded, its response head and body streamed to
// the client as they come (never buffered whole), with backpressure both ways; failures become 502 / 504 (or a cut
// body once the head is out). HTML pages are copied as they stream (page_capture.hpp; their head is parsed as soon
// as it has passed) and learned once complete, and the style sheets and modules they name are parsed as they pass
// (learned_plans.hpp), always after the octets were handed to the client, so the server's PushPolicy hints or pushes
// their assets, all levels deep, on the next request before the upstream answers.
#pragma once

#include <memory>
#include <vector>

#include "proxy/learned_plans.hpp"
#include "proxy/page_capture.hpp"
#include "proxy/routes.hpp"
#include "proxy/upstream.hpp"
#include "server/handler.hpp"

namespace h2push::proxy {

// The routes and what was learned of them, shared by every worker's handler and by the push policy.
class ProxySite {
 public:
  explicit ProxySite(std::vector<Route> routes);
  const std::vector<Route>& routes() const noexcept { return routes_; }
  LearnedPlans& learned(std::size_t route) { return *learned_[route]; }
  // A PlanLookup for server::PushPolicy. It sees only the path: the route is the longest prefix among routes
  // that learn, whatever their host.
  std::function<std::shared_ptr<const push::PagePlan>(std::string_view)> plan_lookup() const;

 private:
  std::vector<Route> routes_;
  std::vector<std::shared_ptr<LearnedPlans>> learned_;
};

class ProxyHandler final : public server::Handler {
 public:
  // Past this much response body waiting for the client, the upstream is paused.
  static constexpr std::size_t kMaxBuffered = 256 * 1024;

  ProxyHandler(std::shared_ptr<ProxySite> site, std::shared_ptr<Upstream> upstream);

  // Push responses: the proxy does not fetch pushed assets yet (docs/proxy.md), so nothing is promised.
  server::Response handle(const server::Request& request) override;
  bool asynchronous() const noexcept override { return true; }
  void start(std::shared_ptr<server::Exchange> exchange) override;

 private:
  std::shared_ptr<ProxySite> site_;
  std::shared_ptr<Upstream> upstream_;
};

}  // namespace h2push::proxy
