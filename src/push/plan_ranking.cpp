// src/push/plan_ranking.cpp: from what discovery found to the page's ranked plan: the manifest's remove, nopush and
// order, the exclusions (conditional, unservable), the policy's three groups and their RFC 9218 urgencies.
#include <algorithm>
#include <utility>

#include "push/site_discovery.hpp"

namespace h2push::push::detail {
namespace {

// The policy's groups, in push order: render-blocking; other style sheets, fonts and scripts; the rest.
int group_of(const Resource& r) noexcept {
  if (r.critical) return 0;
  switch (r.as) {
    case Destination::style:
    case Destination::script:
    case Destination::module_script:
    case Destination::font:
      return 1;
    default:
      return 2;
  }
}

std::uint8_t urgency_of(const Resource& r) noexcept { return static_cast<std::uint8_t>(4 + group_of(r)); }

bool matches_any(const std::vector<std::string>& patterns, std::string_view path) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& pattern) { return pattern_matches(pattern, path); });
}

// The manifest's verdicts for one page: every matching rule, in order.
struct PageRules {
  std::vector<std::string> remove;
  std::vector<std::string> nopush;
  std::vector<std::string> order;  // first mention wins
};

PageRules rules_for(const Manifest& manifest, std::string_view page) {
  PageRules out;
  for (const ManifestRule& rule : manifest.rules) {
    if (!pattern_matches(rule.page, page)) continue;
    out.remove.insert(out.remove.end(), rule.remove.begin(), rule.remove.end());
    out.nopush.insert(out.nopush.end(), rule.nopush.begin(), rule.nopush.end());
    for (const std::string& path : rule.order) {
      if (std::find(out.order.begin(), out.order.end(), path) == out.order.end()) out.order.push_back(path);
    }
  }
  return out;
}

// The rank of a path named in `order`, else order.size() (after all of them).
std::size_t order_rank(const std::vector<std::string>& order, std::string_view path) {
  return static_cast<std::size_t>(std::find(order.begin(), order.end(), path) - order.begin());
}

}  // namespace

std::vector<Resource> manifest_additions(const Manifest& manifest, std::string_view page) {
  std::vector<Resource> out;
  for (const ManifestRule& rule : manifest.rules) {
    if (pattern_matches(rule.page, page)) out.insert(out.end(), rule.add.begin(), rule.add.end());
  }
  return out;
}

PagePlan make_plan(std::string_view page, SiteDiscovery discovery, StatMemo& stats, const Manifest& manifest,
                   const PlanOptions& options) {
  const PageRules rules = rules_for(manifest, page);
  PagePlan plan;
  plan.page = std::string(page);
  plan.truncated = discovery.truncated;
  plan.files_parsed = discovery.files_parsed;
  plan.bytes_parsed = discovery.bytes_parsed;
  for (Resource& r : discovery.resources) {
    if (matches_any(rules.remove, r.path)) continue;
    if (r.conditional) {
      ++plan.conditional;
      continue;
    }
    const std::optional<FileStat>& stat = stats.get(r.path);
    if (!stat) {
      ++plan.unservable;
      continue;
    }
    PlannedResource planned;
    planned.stat = *stat;
    planned.nopush = matches_any(rules.nopush, r.path);
    planned.urgency = urgency_of(r);
    planned.resource = std::move(r);
    plan.resources.push_back(std::move(planned));
  }
  // Discovery order is already level by level; a stable sort keeps document order within a level.
  std::stable_sort(plan.resources.begin(), plan.resources.end(),
                   [&](const PlannedResource& a, const PlannedResource& b) {
                     const std::size_t rank_a = order_rank(rules.order, a.resource.path);
                     const std::size_t rank_b = order_rank(rules.order, b.resource.path);
                     if (rank_a != rank_b) return rank_a < rank_b;
                     const int group_a = group_of(a.resource);
                     const int group_b = group_of(b.resource);
                     if (group_a != group_b) return group_a < group_b;
                     return a.resource.level < b.resource.level;
                   });
  if (plan.resources.size() > options.max_resources) {
    plan.resources.resize(options.max_resources);
    plan.truncated = true;
  }
  return plan;
}

}  // namespace h2push::push::detail
