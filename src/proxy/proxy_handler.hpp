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
#include "server/push_policy.hpp"

namespace h2push::proxy {

// The routes and what was learned of them, shared by every worker's handler and by the push policy.
class ProxySite {
 public:
  // `learn`: what each route's LearnedPlans starts from; the route's max_learned_pages and max_learned_assets replace
  // its max_pages and max_assets. Its max_capture_bytes caps the copy of each page or asset the route learns from.
  explicit ProxySite(std::vector<Route> routes, const LearnOptions& learn = {});
  const std::vector<Route>& routes() const noexcept { return routes_; }
  LearnedPlans& learned(std::size_t route) { return *learned_[route]; }
  // The handler of a route's static_root (pushed assets from disk), null when it has none.
  server::Handler* push_files(std::size_t route) const { return push_files_[route].get(); }
  // Why a static_root cannot be served ("" when every one can).
  const std::string& error() const noexcept { return error_; }
  // A PlanLookup for server::PushPolicy: the plan learned for the request's host and path on the route that
  // answers it (select_route()); none when that route does not learn.
  server::PlanLookup plan_lookup() const;

 private:
  std::vector<Route> routes_;
  std::vector<std::shared_ptr<LearnedPlans>> learned_;
  std::vector<std::shared_ptr<server::Handler>> push_files_;  // SiteHandler over StaticFiles (thread-safe)
  std::string error_;
};

class ProxyHandler final : public server::Handler {
 public:
  // Past this much response body waiting for the client, the upstream is paused.
  static constexpr std::size_t kMaxBuffered = 256 * 1024;

  ProxyHandler(std::shared_ptr<ProxySite> site, std::shared_ptr<Upstream> upstream);

  // Not used: requests and pushes both go through start() (asynchronous_pushes()). Answers 404.
  server::Response handle(const server::Request& request) override;
  bool asynchronous() const noexcept override { return true; }
  // Promised streams are fetched from the upstream like requests (push_fetch.hpp).
  bool asynchronous_pushes() const noexcept override { return true; }
  void start(std::shared_ptr<server::Exchange> exchange) override;
  void shut_down() override { upstream_->close_idle(); }  // the idle pool must not keep the worker alive

 private:
  std::shared_ptr<ProxySite> site_;
  std::shared_ptr<Upstream> upstream_;
};

}  // namespace h2push::proxy
