// src/proxy/learned_plans.cpp
#include "proxy/learned_plans.hpp"

#include <algorithm>
#include <mutex>

#include "common/lru.hpp"
#include "proxy/ascii.hpp"
#include "proxy/learned_levels.hpp"
#include "push/css_discovery.hpp"
#include "push/js_imports.hpp"
#include "push/link_header.hpp"
#include "push/site_discovery.hpp"
#include "push/url.hpp"

namespace h2push::proxy {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool contains_ci(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char a, char b) { return lower(a) == lower(b); }) != haystack.end();
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// "route host " scopes pages and assets; a host never holds a space (plan_host() of an authority).
std::string scope_of(std::size_t route, std::string_view host) {
  return std::to_string(route) + " " + plan_host(host) + " ";
}

// A page's key: its scope and path (the query ignored). An asset's key keeps the query: "/app.js?v=2" and
// "/app.js?v=3" are different assets.
std::string page_key(const std::string& scope, std::string_view target) { return scope + std::string(path_of(target)); }
std::string asset_key(const std::string& scope, std::string_view target) { return scope + std::string(target); }

struct Page {
  std::string path;
  std::vector<push::Resource> resources;  // level 1, unconditional, in discovery order
  // The plan last made, valid while the store's generation is `made_at` (nothing an asset contributes changed).
  std::shared_ptr<const push::PagePlan> plan;
  std::uint64_t made_at = 0;
};

bool followable(const push::Resource& r) noexcept {
  return !r.conditional && (r.as == push::Destination::style || r.as == push::Destination::module_script);
}

// "Text/CSS; charset=utf-8" -> "Text/CSS".
std::string_view bare_type(std::string_view content_type) noexcept {
  std::string_view out = content_type.substr(0, content_type.find(';'));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.remove_suffix(1);
  while (!out.empty() && (out.front() == ' ' || out.front() == '\t')) out.remove_prefix(1);
  return out;
}

bool is_css(std::string_view content_type) noexcept { return ascii::equal_ci(bare_type(content_type), "text/css"); }

bool is_javascript(std::string_view content_type) noexcept {
  const std::string_view type = bare_type(content_type);
  for (const std::string_view js : {"text/javascript", "application/javascript", "application/x-javascript",
                                    "application/ecmascript", "text/ecmascript"}) {
    if (ascii::equal_ci(type, js)) return true;
  }
  return false;
}

// "Text/CSS; charset=utf-8" -> "text/css".
std::string media_type_of(std::string_view content_type) {
  std::string out(bare_type(content_type));
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

push::PlanOptions plan_options(const LearnOptions& o) {
  push::PlanOptions p;
  p.max_depth = o.max_depth;
  p.max_resources = o.max_resources;
  p.max_file_bytes = o.max_capture_bytes;
  p.max_parsed_bytes = o.max_capture_bytes;
  p.max_cached_pages = 0;
  return p;
}

// The site planner's reading of one page, served from the captured copy: only the page is readable, so its level 1
// (inline <style> and module scripts included) is found exactly as the planner finds it, and nothing below.
class CapturedPage final : public push::SiteSource {
 public:
  CapturedPage(std::string_view path, std::string_view html) : path_(path), html_(html) {}
  std::optional<push::FileStat> stat(std::string_view path) override {
    if (path != path_) return std::nullopt;
    return push::FileStat{"", html_.size(), "text/html"};
  }
  std::optional<std::string> read(std::string_view path, std::size_t max_bytes) override {
    if (path != path_ || html_.size() > max_bytes) return std::nullopt;
    return std::string(html_);
  }

 private:
  std::string_view path_;
  std::string_view html_;
};

// Every path servable as far as ranking is concerned: the proxy does not know; versions are filled in afterwards.
class AnyPath final : public push::SiteSource {
 public:
  std::optional<push::FileStat> stat(std::string_view) override { return push::FileStat{}; }
  std::optional<std::string> read(std::string_view, std::size_t) override { return std::nullopt; }
};

// What the page at `path` names at level 1, unconditional, with the response's Link preloads after.
std::vector<push::Resource> level_one(std::string_view path, std::string_view html,
                                      std::span<const std::string_view> link_values, const LearnOptions& options) {
  const auto page_url = push::parse_url(path);
  if (!page_url) return {};
  std::vector<push::Resource> extra;
  for (const std::string_view value : link_values) {
    for (const push::Link& link : push::parse_link_header(value).links) {
      auto r = push::preload_from_link(link, *page_url, *page_url);
      if (r && !r->conditional) extra.push_back(std::move(*r));
    }
  }
  CapturedPage source(path, html);
  push::detail::StatMemo stats(source);
  push::PlanOptions plan = plan_options(options);
  plan.max_depth = 1;
  push::detail::SiteDiscovery found = push::detail::discover_site(stats, path, plan, extra);
  std::erase_if(found.resources, [](const push::Resource& r) { return r.conditional; });
  return std::move(found.resources);
}

}  // namespace

std::string plan_host(std::string_view authority) {
  std::string_view host = authority;
  if (host.starts_with('[')) {
    host = host.substr(0, host.find(']') + 1);  // an IPv6 literal keeps its brackets
  } else {
    host = host.substr(0, host.find(':'));
  }
  std::string out;
  for (const char c : host) {
    if (c != ' ') out += lower(c);
  }
  return out;
}

bool may_learn(const ResponseFacts& f) noexcept {
  if (f.method != "GET" || f.status != 200) return false;
  const std::string_view type = f.content_type.substr(0, f.content_type.find(';'));
  if (!contains_ci(type, "text/html")) return false;
  if (!f.content_encoding.empty() && !contains_ci(f.content_encoding, "identity")) return false;
  return !contains_ci(f.cache_control, "no-store") && !contains_ci(f.cache_control, "private");
}

bool may_learn_asset(const ResponseFacts& f) noexcept {
  if (f.method != "GET" || f.status != 200) return false;
  if (!is_css(f.content_type) && !is_javascript(f.content_type)) return false;
  if (!f.content_encoding.empty() && !contains_ci(f.content_encoding, "identity")) return false;
  return !contains_ci(f.cache_control, "no-store") && !contains_ci(f.cache_control, "private");
}

void BodyCapture::append(std::string_view chunk) {
  if (overflowed_) return;
  if (text_.size() + chunk.size() > cap_) {
    overflowed_ = true;
    text_.clear();
    text_.shrink_to_fit();
    return;
  }
  text_.append(chunk);
}

struct LearnedPlans::Impl {
  explicit Impl(const LearnOptions& o)
      : options(o), pages(std::max<std::size_t>(1, o.max_pages)), assets(std::max<std::size_t>(1, o.max_assets)) {}
  struct Asset {
    std::string version;
    std::uint64_t size = 0;
    std::string media_type;
    bool wanted = false;  // a learned or expected page names it as a style sheet or module, at some level
    bool parsed = false;  // `children` were learned from its body, when its version was `parsed_version`
    bool css = false;
    std::string parsed_version;
    std::vector<push::Resource> children;
    bool gone = false;  // a push fetch got 404 / 410: left out of plans until seen answered again
  };
  Asset& asset(const std::string& scope, std::string_view target) {
    const std::string key = asset_key(scope, target);
    if (Asset* a = assets.find(key)) return *a;
    ++generation;  // a new entry may push an older one (and what it told the plans) out
    return *assets.put(key, Asset{});
  }
  // Marks the style sheets and modules among `resources` as wanted.
  void want(const std::string& scope, std::span<const push::Resource> resources) {
    for (const push::Resource& r : resources) {
      if (followable(r)) asset(scope, r.path).wanted = true;
    }
  }
  LearnOptions options;
  std::uint64_t generation = 1;  // bumped whenever an asset's validator, size, type or children change
  mutable std::mutex mutex;
  mutable common::Lru<Page> pages;
  common::Lru<Asset> assets;
};

LearnedPlans::LearnedPlans(LearnOptions options) : impl_(std::make_shared<Impl>(options)) {}
LearnedPlans::~LearnedPlans() = default;

const LearnOptions& LearnedPlans::options() const noexcept { return impl_->options; }

std::size_t LearnedPlans::learn(std::size_t route, std::string_view host, std::string_view target,
                                std::string_view html, std::span<const std::string_view> link_values) {
  const std::string scope = scope_of(route, host);
  Page page;
  page.path = std::string(path_of(target));
  page.resources = level_one(page.path, html, link_values, impl_->options);
  const std::size_t count = page.resources.size();
  const std::string key = page_key(scope, page.path);
  const std::lock_guard lock(impl_->mutex);
  if (count == 0) {
    impl_->pages.erase(key);
  } else {
    impl_->want(scope, page.resources);
    impl_->pages.put(key, std::move(page));
  }
  return count;
}

void LearnedPlans::expect(std::size_t route, std::string_view host, std::string_view target,
                          std::string_view head_html) {
  const std::vector<push::Resource> found = level_one(path_of(target), head_html, {}, impl_->options);
  const std::string scope = scope_of(route, host);
  const std::lock_guard lock(impl_->mutex);
  impl_->want(scope, found);
}

bool LearnedPlans::wants_body(std::size_t route, std::string_view host, std::string_view target) const {
  const std::string key = asset_key(scope_of(route, host), target);
  const std::lock_guard lock(impl_->mutex);
  const Impl::Asset* a = impl_->assets.peek(key);
  return a != nullptr && a->wanted;
}

void LearnedPlans::learn_asset(std::size_t route, std::string_view host, std::string_view target, std::string_view etag,
                               std::string_view last_modified, std::string_view media_type, std::string_view body) {
  const bool css = is_css(media_type);
  if (!css && !is_javascript(media_type)) return;
  const auto url = push::parse_url(target);
  if (!url) return;
  std::vector<push::Resource> children;
  if (css) {
    push::CssDiscoveryOptions options;
    options.scan.max_references = 8 * impl_->options.max_resources;
    children = push::discover_css(body, *url, options);
  } else {
    push::JsDiscoveryOptions options;
    options.scan.max_references = 8 * impl_->options.max_resources;
    children = push::discover_js_module(body, *url, options);
  }
  if (children.size() > impl_->options.max_resources) children.resize(impl_->options.max_resources);
  const std::string scope = scope_of(route, host);
  const std::lock_guard lock(impl_->mutex);
  impl_->want(scope, children);  // first: touching other entries may drop this one from the LRU
  Impl::Asset& a = impl_->asset(scope, target);
  ++impl_->generation;
  a.version = std::string(etag.empty() ? last_modified : etag);
  a.media_type = media_type_of(media_type);
  a.parsed = true;
  a.css = css;
  a.parsed_version = a.version;
  a.children = std::move(children);
}

void LearnedPlans::forget(std::size_t route, std::string_view host, std::string_view target) {
  const std::string key = page_key(scope_of(route, host), target);
  const std::lock_guard lock(impl_->mutex);
  impl_->pages.erase(key);
}

std::size_t LearnedPlans::forget_asset(std::size_t route, std::string_view host, std::string_view target) {
  const std::string scope = scope_of(route, host);
  const std::lock_guard lock(impl_->mutex);
  std::size_t named = 0;
  impl_->pages.for_each([&](const std::string& key, Page& page) {
    if (!key.starts_with(scope)) return;
    const auto is_it = [&](const push::Resource& r) { return r.path == target; };
    bool found = std::any_of(page.resources.begin(), page.resources.end(), is_it);
    if (!found && page.plan != nullptr) {
      found = std::any_of(page.plan->resources.begin(), page.plan->resources.end(),
                          [&](const push::PlannedResource& p) { return is_it(p.resource); });
    }
    named += found ? 1 : 0;
  });
  Impl::Asset& a = impl_->asset(scope, target);
  a.gone = true;
  ++impl_->generation;
  return named;
}

void LearnedPlans::observe_asset(std::size_t route, std::string_view host, std::string_view target,
                                 std::string_view etag, std::string_view last_modified, std::uint64_t size,
                                 std::string_view media_type) {
  const std::string scope = scope_of(route, host);
  const std::lock_guard lock(impl_->mutex);
  Impl::Asset& a = impl_->asset(scope, target);
  std::string version(etag.empty() ? last_modified : etag);
  std::string type = media_type_of(media_type);
  if (!a.gone && a.version == version && a.size == size && a.media_type == type) return;
  a.gone = false;  // answered again
  a.version = std::move(version);
  a.size = size;
  a.media_type = std::move(type);
  ++impl_->generation;
}

std::shared_ptr<const push::PagePlan> LearnedPlans::plan(std::size_t route, std::string_view host,
                                                         std::string_view target) const {
  return plan_in(*impl_, scope_of(route, host), target);
}

std::shared_ptr<const push::PagePlan> LearnedPlans::plan_in(Impl& impl, const std::string& scope,
                                                            std::string_view target) {
  const std::lock_guard lock(impl.mutex);
  Page* page = impl.pages.find(page_key(scope, target));
  if (page == nullptr) return nullptr;
  if (page->made_at == impl.generation) return page->plan;
  const push::PlanOptions options = plan_options(impl.options);
  const ChildrenOf children_of = [&](std::string_view path) -> std::optional<LearnedChildren> {
    const Impl::Asset* a = impl.assets.peek(asset_key(scope, path));
    // Children follow their parent's validator: a new version seen and not parsed yet hides the old children.
    if (a == nullptr || !a->parsed || a->parsed_version != a->version) return std::nullopt;
    return LearnedChildren{a->css, a->children};
  };
  AnyPath any;
  push::detail::StatMemo stats(any);
  auto plan = std::make_shared<push::PagePlan>(push::detail::make_plan(
      page->path, walk_levels(page->path, page->resources, children_of, options), stats, {}, options));
  std::erase_if(plan->resources, [&](const push::PlannedResource& planned) {
    const Impl::Asset* a = impl.assets.peek(asset_key(scope, planned.resource.path));
    return a != nullptr && a->gone;
  });
  for (push::PlannedResource& planned : plan->resources) {
    planned.stat = {};
    if (const Impl::Asset* a = impl.assets.peek(asset_key(scope, planned.resource.path))) {
      planned.stat = {a->version, a->size, a->media_type};
    }
  }
  if (plan->resources.empty()) plan = nullptr;
  page->plan = plan;
  page->made_at = impl.generation;
  return plan;
}

std::size_t LearnedPlans::pages() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->pages.size();
}

std::function<std::shared_ptr<const push::PagePlan>(std::string_view, std::string_view)> LearnedPlans::lookup(
    std::function<std::optional<std::size_t>(std::string_view, std::string_view)> route_of) const {
  return [impl = impl_, route_of = std::move(route_of)](std::string_view host, std::string_view path) {
    const auto route = route_of(host, path);
    if (!route) return std::shared_ptr<const push::PagePlan>();
    return plan_in(*impl, scope_of(*route, host), path);
  };
}

}  // namespace h2push::proxy
