// src/proxy/learned_plans.hpp: what the proxy learned about its upstream's pages. Per route, host and URL path
// (query ignored) it keeps what the page's HTML named (level 1, found as the site planner finds it, on a copy of the
// streamed body); per asset, the validators (ETag, else Last-Modified) seen on its responses and, for the style
// sheets and modules those pages name, what their bodies named (levels 2 and deeper, learned_levels.hpp), valid
// while the asset keeps the validator it had when parsed. Bounded by LRUs of pages and of assets. Relearning a page
// or an asset replaces its list, so what stops appearing is forgotten. Plans are ranked by the site planner's
// ranking (push/plan_ranking.cpp) and reach the PushPolicy through a PlanLookup-shaped function. Thread-safe; no
// sockets or clocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "push/site_plan.hpp"

namespace h2push::proxy {

struct LearnOptions {
  std::size_t max_pages = 1024;             // pages kept per store (least recently used dropped)
  std::size_t max_assets = 16 * 1024;       // assets kept (validators, children; least recently seen dropped)
  std::size_t max_capture_bytes = 1 << 20;  // body copied per response; a longer page is learned from its head
                                            // only, a longer style sheet or module not at all
  std::size_t max_resources = 64;           // resources kept per page plan (as PlanOptions::max_resources)
  int max_depth = 4;                        // deepest level planned (1 = what the page names), as PlanOptions
};

// What the proxy saw of a response, to decide whether it may learn from it.
struct ResponseFacts {
  std::string_view method;  // of the request
  int status = 0;
  std::string_view content_type;   // the response's Content-Type
  std::string_view cache_control;  // the response's Cache-Control (all field lines joined)
  std::string_view content_encoding;
};

// Only a GET answered 200 with text/html (identity coding) and without `Cache-Control: no-store` (or private) is
// learned from.
bool may_learn(const ResponseFacts& facts) noexcept;

// The same conditions for a style sheet (text/css) or a JavaScript module (text/javascript and its aliases) whose
// body may be parsed for what it names.
bool may_learn_asset(const ResponseFacts& facts) noexcept;

// A copy of a streamed body up to a cap, taken as the chunks pass through (it never holds them back).
class BodyCapture {
 public:
  explicit BodyCapture(std::size_t cap) : cap_(cap) {}
  void append(std::string_view chunk);
  bool overflowed() const noexcept { return overflowed_; }
  const std::string& text() const noexcept { return text_; }

 private:
  std::size_t cap_;
  std::string text_;
  bool overflowed_ = false;
};

// The host part of a plan's key: the request's authority lowercased, without its port ("[::1]:8443" -> "[::1]").
std::string plan_host(std::string_view authority);

// Pages, asset validators and children are kept per route and host, so two sites behind one route never mix: every
// call names the host as the request's authority (plan_host() of it is used; "" is a scope of its own).
class LearnedPlans {
 public:
  explicit LearnedPlans(LearnOptions options = {});
  ~LearnedPlans();
  LearnedPlans(const LearnedPlans&) = delete;
  LearnedPlans& operator=(const LearnedPlans&) = delete;

  // The options given at construction (the proxy caps what it copies of a response with max_capture_bytes).
  const LearnOptions& options() const noexcept;

  // Learns the page at `target` of route `route` on `host` from its HTML (and the `Link` field values of its
  // response, whose rel=preload / modulepreload entries are added). Replaces what was known of the page. Returns the
  // number of resources kept; 0 also forgets the page.
  std::size_t learn(std::size_t route, std::string_view host, std::string_view target, std::string_view html,
                    std::span<const std::string_view> link_values = {});
  // A page still streaming: registers the style sheets and module scripts its head (`head_html`, the document up to
  // the end of its head) names, so that their responses, which the browser may ask for before the page has ended,
  // are parsed (wants_body()). The page's plan is not changed.
  void expect(std::size_t route, std::string_view host, std::string_view target, std::string_view head_html);
  // Whether the body of the asset at `target` should be parsed and given to learn_asset(): a page learned (or
  // expected) names it as an unconditional style sheet or module script, directly or through another one.
  bool wants_body(std::size_t route, std::string_view host, std::string_view target) const;
  // What the style sheet (media type text/css) or JavaScript module at `target` names, from its whole body: the
  // same-origin files push::discover_css / push::discover_js_module find, at most max_resources. Remembered with
  // the asset's validator (ETag, else Last-Modified): once another validator is seen for it (observe_asset), its
  // children no longer count until its new body is learned. An empty body list forgets the children.
  void learn_asset(std::size_t route, std::string_view host, std::string_view target, std::string_view etag,
                   std::string_view last_modified, std::string_view media_type, std::string_view body);
  // Forgets a page (e.g. it answered no-store or stopped being HTML).
  void forget(std::size_t route, std::string_view host, std::string_view target);
  // An asset answered through the proxy: remembers its validator (ETag, else Last-Modified) and size.
  void observe_asset(std::size_t route, std::string_view host, std::string_view target, std::string_view etag,
                     std::string_view last_modified, std::uint64_t size, std::string_view media_type);
  // An asset that is gone (a push fetch answered 404 or 410): left out of every plan of the route and host, at any
  // level (a plan left with nothing is null), and remembered as gone, so that relearning a page still naming it does
  // not plan it again, until observe_asset() sees it answered again. Returns the pages of the scope whose plan named
  // it.
  std::size_t forget_asset(std::size_t route, std::string_view host, std::string_view target);

  // The plan of a learned page, null when unknown: its level-1 resources and, below them, the children learned for
  // its style sheets and modules (walk_levels), ranked and cut to max_resources like a site plan (render-blocking;
  // other style sheets, fonts and scripts; the rest; each by level then discovery order). Each resource carries the
  // latest validator seen as its version (empty if never seen), so cache digests can tell a changed asset.
  std::shared_ptr<const push::PagePlan> plan(std::size_t route, std::string_view host, std::string_view target) const;
  std::size_t pages() const;  // over all routes and hosts

  // A PlanLookup for the PushPolicy (src/server/push_policy.hpp): `route_of` maps a request's host and path to its
  // route, nullopt when no route or its learning is off.
  std::function<std::shared_ptr<const push::PagePlan>(std::string_view host, std::string_view path)> lookup(
      std::function<std::optional<std::size_t>(std::string_view host, std::string_view path)> route_of) const;

 private:
  struct Impl;
  static std::shared_ptr<const push::PagePlan> plan_in(Impl& impl, const std::string& scope, std::string_view target);
  std::shared_ptr<Impl> impl_;  // shared with the lookups handed out
};

}  // namespace h2push::proxy
