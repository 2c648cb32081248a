// src/server/push_policy.cpp
#include "server/push_policy.hpp"

#include <algorithm>

#include "push/cache_digest.hpp"
#include "push/link_header.hpp"

namespace h2push::server {
namespace {

bool contains_ci(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(a) == lower(b);
         }) != haystack.end();
}

// The digest from every Cookie field line (HTTP/2 may split cookies into crumbs, RFC 9113 §8.2.3).
push::CacheDigest client_digest(const Request& request) {
  for (const hpack::Header& f : request.fields) {
    if (f.name != "cookie" || f.value.find(push::CacheDigest::kCookieName) == std::string_view::npos) continue;
    push::CacheDigest digest = push::CacheDigest::from_cookie_header(f.value);
    if (!digest.empty()) return digest;
  }
  return {};
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// Whether `path` may name an HTML page: a directory, a name without extension, or .html/.htm/.xhtml. Anything else
// (/app.css, /logo.png, /small.bin) is answered without asking the planner, which would cost a file lookup.
bool may_be_page(std::string_view path) {
  const std::string_view name = path.substr(path.rfind('/') + 1);
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return true;
  const std::string_view extension = name.substr(dot + 1);
  const auto is = [extension](std::string_view lower) {
    return extension.size() == lower.size() &&
           std::equal(extension.begin(), extension.end(), lower.begin(), [](char a, char b) {
             return ((a >= 'A' && a <= 'Z') ? static_cast<char>(a - 'A' + 'a') : a) == b;
           });
  };
  return is("html") || is("htm") || is("xhtml");
}

// RFC 9218 §4: the urgency of the request's `priority` field, 3 when absent or unreadable.
std::uint8_t requested_urgency(const Request& request) {
  const std::string_view priority = request.field("priority");
  const std::size_t u = priority.find("u=");
  if (u == std::string_view::npos || u + 2 >= priority.size()) return 3;
  const char digit = priority[u + 2];
  return digit >= '0' && digit <= '7' ? static_cast<std::uint8_t>(digit - '0') : 3;
}

}  // namespace

std::string push_log_suffix(const PushDecision& decision, std::uint64_t pushed_bytes) {
  if (decision.plan == nullptr || (decision.pushes.empty() && decision.hints.empty())) return {};
  return "push=" + std::to_string(decision.pushes.size()) + " push_bytes=" + std::to_string(pushed_bytes) +
         " hints=" + std::to_string(decision.hints.size());
}

PlanLookup plans_of(std::shared_ptr<push::SitePlanner> planner) {
  return [planner = std::move(planner)](std::string_view, std::string_view path) { return planner->plan(path); };
}

PushPolicy::PushPolicy(PlanLookup plans, PushConfig config) : plans_(std::move(plans)), config_(std::move(config)) {}

bool PushPolicy::is_navigation(const Request& request) {
  const std::string_view mode = request.field("sec-fetch-mode");
  if (!mode.empty()) return mode == "navigate";
  const std::string_view accept = request.field("accept");
  return accept.empty() || contains_ci(accept, "text/html") || accept.find("*/*") != std::string_view::npos;
}

PushDecision PushPolicy::decide(const Request& request, const ClientView& client) const {
  PushDecision decision;
  if (!plans_ || request.method != "GET") return decision;
  const std::string_view path = path_of(request.target);
  if (!may_be_page(path) || !is_navigation(request)) return decision;  // the cheaper test first
  const PushMode mode = push_mode_for(config_, path);
  if (mode == PushMode::off) return decision;
  decision.plan = plans_(request.authority, path);
  if (decision.plan == nullptr) return decision;
  decision.navigation = true;
  decision.think_time = config_.think_time;
  decision.page_urgency = requested_urgency(request);

  const push::CacheDigest digest = client_digest(request);
  const bool h2 = client.protocol == Protocol::h2 || client.protocol == Protocol::h2c;
  const bool may_push = h2 && client.push_enabled && (mode == PushMode::automatic || mode == PushMode::push);
  const bool may_hint = (mode == PushMode::automatic || mode == PushMode::hints) &&
                        (h2 || (client.protocol == Protocol::http11 && config_.hints_h1));

  push::SelectLimits limits;
  limits.max_count = config_.max_pushes;
  limits.max_bytes = config_.max_push_bytes;
  static const std::vector<std::string> kNone;
  if (may_push) {
    decision.pushes = push::select_pushes(*decision.plan, digest, limits, client.refused ? *client.refused : kNone);
  }
  if (may_push || may_hint) {
    // Pushing: the nopush resources still deserve a hint. Hinting: everything with a preload form.
    for (const push::PlannedResource* r : push::select_hints(*decision.plan, digest, limits)) {
      if (may_push && !r->nopush) continue;
      if (auto link = push::format_link(r->resource, may_push)) decision.hints.push_back(std::move(*link));
    }
  }

  // The client will hold the whole page after this load (pushed, hinted or found by its parser): the digest it
  // sends next time names every planned resource at its current version.
  push::CacheDigest updated = digest;
  for (const push::PlannedResource& r : decision.plan->resources) updated.insert(r.resource.path, r.stat.version);
  if (!(updated == digest)) decision.set_cookie = updated.set_cookie_header();
  return decision;
}

}  // namespace h2push::server
