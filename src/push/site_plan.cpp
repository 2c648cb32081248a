// src/push/site_plan.cpp: the planner's cache of page plans (LRU, revalidated by stat() of every file a plan
// depends on) and the per-client selection of pushes and hints. Discovery: site_discovery.cpp; ranking and the
// manifest: plan_ranking.cpp.
#include "push/site_plan.hpp"

#include <algorithm>
#include <mutex>
#include <utility>

#include "common/lru.hpp"
#include "push/link_header.hpp"
#include "push/site_discovery.hpp"

namespace h2push::push {
namespace {

// What a plan was made from: each path stat()ed, with the answer then.
using Dependencies = std::vector<std::pair<std::string, std::optional<FileStat>>>;

struct CachedPlan {
  std::shared_ptr<const PagePlan> plan;
  std::shared_ptr<const Dependencies> dependencies;
};

}  // namespace

struct SitePlanner::Impl {
  Impl(std::shared_ptr<SiteSource> s, const PlanOptions& o, Manifest m)
      : source(std::move(s)), options(o), manifest(std::move(m)), lru(o.max_cached_pages) {}

  std::shared_ptr<SiteSource> source;
  PlanOptions options;
  Manifest manifest;

  std::mutex mutex;
  common::Lru<CachedPlan> lru;  // by page path

  std::optional<CachedPlan> find(std::string_view page) {
    const std::lock_guard lock(mutex);
    const CachedPlan* cached = lru.find(page);
    if (cached == nullptr) return std::nullopt;
    return *cached;
  }

  void erase(std::string_view page) {
    const std::lock_guard lock(mutex);
    lru.erase(page);
  }

  void store(std::string_view page, CachedPlan cached) {
    if (options.max_cached_pages == 0) return;
    const std::lock_guard lock(mutex);
    lru.put(std::string(page), std::move(cached));
  }

  bool still_valid(const Dependencies& dependencies) const {
    return std::all_of(dependencies.begin(), dependencies.end(),
                       [&](const auto& dependency) { return source->stat(dependency.first) == dependency.second; });
  }

  // A fresh plan, or nullopt when the page is not servable HTML.
  std::optional<CachedPlan> build(std::string_view page) const {
    detail::StatMemo stats(*source);
    const std::optional<FileStat>& page_stat = stats.get(page);
    if (!page_stat || page_stat->media_type != "text/html") return std::nullopt;
    const std::vector<Resource> extra = detail::manifest_additions(manifest, page);
    detail::SiteDiscovery found = detail::discover_site(stats, page, options, extra);
    auto plan = std::make_shared<PagePlan>(detail::make_plan(page, std::move(found), stats, manifest, options));
    auto dependencies = std::make_shared<Dependencies>(stats.seen().begin(), stats.seen().end());
    return CachedPlan{std::move(plan), std::move(dependencies)};
  }
};

SitePlanner::SitePlanner(std::shared_ptr<SiteSource> source, PlanOptions options, Manifest manifest)
    : impl_(std::make_unique<Impl>(std::move(source), options, std::move(manifest))) {}

SitePlanner::~SitePlanner() = default;

const PlanOptions& SitePlanner::options() const noexcept { return impl_->options; }

std::shared_ptr<const PagePlan> SitePlanner::plan(std::string_view page_path) {
  const std::string_view page = detail::without_query(page_path);
  if (page.empty() || page.front() != '/') return nullptr;
  if (auto cached = impl_->find(page); cached && impl_->still_valid(*cached->dependencies)) return cached->plan;
  auto built = impl_->build(page);
  if (!built) {
    impl_->erase(page);
    return nullptr;
  }
  std::shared_ptr<const PagePlan> plan = built->plan;
  impl_->store(page, std::move(*built));
  return plan;
}

std::vector<const PlannedResource*> select_pushes(const PagePlan& plan, const CacheDigest& digest,
                                                  const SelectLimits& limits, const std::vector<std::string>& refused) {
  std::vector<const PlannedResource*> out;
  std::uint64_t bytes = 0;
  for (const PlannedResource& r : plan.resources) {
    if (out.size() >= limits.max_count) break;
    if (r.nopush || digest.contains(r.resource.path, r.stat.version)) continue;
    if (std::find(refused.begin(), refused.end(), r.resource.path) != refused.end()) continue;
    if (r.stat.size > limits.max_bytes - bytes) continue;  // too big for what is left; a smaller one may fit
    bytes += r.stat.size;
    out.push_back(&r);
  }
  return out;
}

std::vector<const PlannedResource*> select_hints(const PagePlan& plan, const CacheDigest& digest,
                                                 const SelectLimits& limits) {
  std::vector<const PlannedResource*> out;
  for (const PlannedResource& r : plan.resources) {
    if (out.size() >= limits.max_count) break;
    if (!format_link(r.resource) || digest.contains(r.resource.path, r.stat.version)) continue;
    out.push_back(&r);
  }
  return out;
}

}  // namespace h2push::push
