// src/proxy/learned_levels.hpp: the levels below a learned page. The site planner (push/site_discovery.cpp) reads
// each style sheet and module from disk; the proxy cannot, so it remembers what each one named when its response
// passed through (push::discover_css / push::discover_js_module on the body) and walks those remembered lists here,
// level by level, with the planner's rules for criticality and its depth and count budgets. Pure: no locks, no I/O.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "push/resource.hpp"
#include "push/site_discovery.hpp"

namespace h2push::proxy {

// What one style sheet or module named when it last passed through the proxy.
struct LearnedChildren {
  bool css = false;  // parsed as a style sheet (text/css), else as a JavaScript module
  std::span<const push::Resource> children;
};

// The children remembered for `path` (a resource's path with its query), nullopt when none count. The viewed list
// must stay valid for the duration of walk_levels().
using ChildrenOf = std::function<std::optional<LearnedChildren>(std::string_view path)>;

// From a page's level-1 resources (page excluded) to every level: each unconditional style sheet and module script
// is looked up in `children_of`, its children joining one level further down (a style sheet's only when it was
// parsed as CSS, a module's only when parsed as JavaScript), round after round, each path at most once (which ends
// cycles). Criticality follows the planner: a sheet's @imports and fonts block rendering only when the sheet does;
// a module's static imports only when the module does. Budgets: options.max_depth (deeper children are left out),
// 4 x options.max_resources paths; either cut sets `truncated`.
push::detail::SiteDiscovery walk_levels(std::string_view page, std::vector<push::Resource> level1,
                                        const ChildrenOf& children_of, const push::PlanOptions& options);

}  // namespace h2push::proxy
