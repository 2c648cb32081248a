// src/push/site_discovery.hpp: the pieces of the site planner (site_plan.hpp) that the tests reach on their own:
// the recursive discovery of one page (HTML -> CSS / module JS -> ... level by level, within the budgets), the
// manifest and the ranking. Private to h2push_push.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "push/resource.hpp"
#include "push/site_plan.hpp"

namespace h2push::push::detail {

// stat() of each path once per planning, remembered: the versions a plan depends on.
class StatMemo {
 public:
  explicit StatMemo(SiteSource& source) : source_(source) {}
  // The stat of `path` (a request target: its query is dropped before asking the source).
  const std::optional<FileStat>& get(std::string_view path);
  // Every path asked, with what the source answered (nullopt: not servable).
  const std::map<std::string, std::optional<FileStat>, std::less<>>& seen() const noexcept { return seen_; }
  SiteSource& source() noexcept { return source_; }

 private:
  SiteSource& source_;
  std::map<std::string, std::optional<FileStat>, std::less<>> seen_;
};

// "/a/b.css?x#y" -> "/a/b.css".
std::string_view without_query(std::string_view target) noexcept;

// Whether two page paths name the same page: equal once a trailing "index.html" is dropped ("/" and "/index.html").
bool same_page(std::string_view a, std::string_view b) noexcept;

// Whether a manifest pattern matches `path`: exact (same_page), or a prefix when the pattern ends in '*'.
bool pattern_matches(std::string_view pattern, std::string_view path) noexcept;

struct SiteDiscovery {
  // Every path found, the page itself excluded, conditional ones included, in order of first discovery (level by
  // level, document order within a file), repeats folded in with merge_occurrence().
  std::vector<Resource> resources;
  bool truncated = false;
  std::size_t files_parsed = 0;
  std::size_t bytes_parsed = 0;
};

// The resources found for one page, one entry per path in order of first discovery (repeats folded in with
// merge_occurrence()), the page itself left out, at most `max_known` (past it, `truncated` is set).
class DiscoveredSet {
 public:
  DiscoveredSet(std::string_view page, std::size_t max_known) : page_(page), max_known_(max_known) {}
  // Adds `r` to `out.resources`; true when it is a new entry.
  bool add(Resource r, SiteDiscovery& out);

 private:
  std::string page_;
  std::size_t max_known_;
  std::unordered_map<std::string, std::size_t> index_;
};

// Discovers what the HTML page `page` (a path without query; its stat already known to be text/html) needs, all
// levels deep, within `options`' depth, count and byte budgets. `extra` (manifest additions) joins level 1 after
// what the page names. Every file stat()ed goes through `stats`.
SiteDiscovery discover_site(StatMemo& stats, std::string_view page, const PlanOptions& options,
                            std::span<const Resource> extra);

// Turns a discovery into the page's plan: applies the matching manifest rules (remove, nopush, order), drops
// conditional and unservable resources, ranks by policy, sets urgencies, keeps options.max_resources.
PagePlan make_plan(std::string_view page, SiteDiscovery discovery, StatMemo& stats, const Manifest& manifest,
                   const PlanOptions& options);

// The resources the rules of `manifest` matching `page` add, in rule order.
std::vector<Resource> manifest_additions(const Manifest& manifest, std::string_view page);

}  // namespace h2push::push::detail
