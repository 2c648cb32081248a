// src/server/push_policy.hpp: for one request from one client, what to push, what to hint in a 103 Early Hints and
// which cache-digest cookie to set — protocol-neutral; the sessions carry it out (src/server/session_push.hpp).
// The page's needs come from the SitePlanner (src/push/site_plan.hpp); this file adds the per-client choices:
// navigation or not, the mode for the path (auto/push/hints/off), what the client accepts (push enabled, HTTP
// version, hints_h1), its cache digest and the pushes it refused on this connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "push/site_plan.hpp"
#include "server/config.hpp"
#include "server/handler.hpp"

namespace h2push::server {

// What the session knows about its peer.
struct ClientView {
  Protocol protocol = Protocol::h2;
  bool push_enabled = false;                          // HTTP/2 and SETTINGS_ENABLE_PUSH is 1
  const std::vector<std::string>* refused = nullptr;  // paths whose promised stream this client reset
};

struct PushDecision {
  std::shared_ptr<const push::PagePlan> plan;        // keeps `pushes` alive; null: not an HTML page
  std::vector<const push::PlannedResource*> pushes;  // to promise, in order (HTTP/2 with push enabled only)
  std::vector<std::string> hints;                    // Link field values of one 103 response; empty: no 103
  std::string set_cookie;                            // Set-Cookie value for the page's response; empty: none
  std::chrono::milliseconds think_time{0};           // delay of the page's final response
  std::uint8_t page_urgency = 3;                     // RFC 9218 urgency the page itself is sent with
  bool navigation = false;
};

// The access-log suffix of a page's response: "push=3 push_bytes=12345 hints=0" (empty when nothing was done).
std::string push_log_suffix(const PushDecision& decision, std::uint64_t pushed_bytes);

// Where the plans come from: the static site's SitePlanner (`serve`), or what a proxy learned from its upstream's
// pages. `host` is the request's :authority (or Host), as the client sent it; `path` its path without the query.
// Returns null for a page with no plan (not an HTML page, or not learned yet). Called from worker threads.
using PlanLookup = std::function<std::shared_ptr<const push::PagePlan>(std::string_view host, std::string_view path)>;

// A PlanLookup over a SitePlanner (one site: the host is not looked at).
PlanLookup plans_of(std::shared_ptr<push::SitePlanner> planner);

class PushPolicy {
 public:
  PushPolicy(PlanLookup plans, PushConfig config);

  // Thread-safe. Nothing to do (an empty decision) for anything but a GET navigation of an HTML page the planner
  // knows; else pushes or hints as the path's mode and the client allow, minus what the client's digest holds.
  PushDecision decide(const Request& request, const ClientView& client) const;

  // True for a navigation request: `Sec-Fetch-Mode: navigate`, or, without Sec-Fetch-Mode, an Accept that is
  // absent or names text/html or */* (what curl, nghttp and scripts send).
  static bool is_navigation(const Request& request);

  const PushConfig& config() const noexcept { return config_; }

 private:
  PlanLookup plans_;
  PushConfig config_;
};

}  // namespace h2push::server
