// src/proxy/learned_plans.cpp
#include "proxy/learned_plans.hpp"

#include <algorithm>
#include <list>
#include <mutex>
#include <unordered_map>

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

std::string key_of(std::size_t route, std::string_view target) {
  return std::to_string(route) + " " + std::string(path_of(target));
}

// A map whose entries are dropped least recently used first.
template <class Value>
class Lru {
 public:
  explicit Lru(std::size_t capacity) : capacity_(std::max<std::size_t>(1, capacity)) {}
  Value* find(const std::string& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->second;
  }
  const Value* peek(const std::string& key) const {
    const auto it = index_.find(key);
    return it == index_.end() ? nullptr : &it->second->second;
  }
  void put(const std::string& key, Value value) {
    if (Value* existing = find(key)) {
      *existing = std::move(value);
      return;
    }
    order_.emplace_front(key, std::move(value));
    index_[key] = order_.begin();
    if (order_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }
  void erase(const std::string& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return;
    order_.erase(it->second);
    index_.erase(it);
  }
  std::size_t size() const noexcept { return order_.size(); }

 private:
  std::size_t capacity_;
  std::list<std::pair<std::string, Value>> order_;
  std::unordered_map<std::string, typename std::list<std::pair<std::string, Value>>::iterator> index_;
};

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

std::string asset_key(std::size_t route, std::string_view target) {
  return std::to_string(route) + " " + std::string(target);
}

}  // namespace

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
  explicit Impl(const LearnOptions& o) : options(o), pages(o.max_pages), assets(o.max_assets) {}
  struct Asset {
    std::string version;
    std::uint64_t size = 0;
    std::string media_type;
    bool wanted = false;  // a learned or expected page names it as a style sheet or module, at some level
    bool parsed = false;  // `children` were learned from its body, when its version was `parsed_version`
    bool css = false;
    std::string parsed_version;
    std::vector<push::Resource> children;
  };
  Asset& asset(std::size_t route, std::string_view target) {
    const std::string key = asset_key(route, target);
    if (Asset* a = assets.find(key)) return *a;
    ++generation;  // a new entry may push an older one (and what it told the plans) out
    assets.put(key, Asset{});
    return *assets.find(key);
  }
  // Marks the style sheets and modules among `resources` as wanted.
  void want(std::size_t route, std::span<const push::Resource> resources) {
    for (const push::Resource& r : resources) {
      if (followable(r)) asset(route, r.path).wanted = true;
    }
  }
  LearnOptions options;
  std::uint64_t generation = 1;  // bumped whenever an asset's validator, size, type or children change
  mutable std::mutex mutex;
  mutable Lru<Page> pages;
  Lru<Asset> assets;
};

LearnedPlans::LearnedPlans(LearnOptions options) : impl_(std::make_shared<Impl>(options)) {}
LearnedPlans::~LearnedPlans() = default;

std::size_t LearnedPlans::learn(std::size_t route, std::string_view target, std::string_view html,
                                std::span<const std::string_view> link_values) {
  Page page;
  page.path = std::string(path_of(target));
  page.resources = level_one(page.path, html, link_values, impl_->options);
  const std::size_t count = page.resources.size();
  const std::string key = key_of(route, page.path);
  const std::lock_guard lock(impl_->mutex);
  if (count == 0) {
    impl_->pages.erase(key);
  } else {
    impl_->want(route, page.resources);
    impl_->pages.put(key, std::move(page));
  }
  return count;
}

void LearnedPlans::expect(std::size_t route, std::string_view target, std::string_view head_html) {
  const std::vector<push::Resource> found = level_one(path_of(target), head_html, {}, impl_->options);
  const std::lock_guard lock(impl_->mutex);
  impl_->want(route, found);
}

bool LearnedPlans::wants_body(std::size_t route, std::string_view target) const {
  const std::lock_guard lock(impl_->mutex);
  const Impl::Asset* a = impl_->assets.peek(asset_key(route, target));
  return a != nullptr && a->wanted;
}

void LearnedPlans::learn_asset(std::size_t route, std::string_view target, std::string_view etag,
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
  const std::lock_guard lock(impl_->mutex);
  impl_->want(route, children);  // first: touching other entries may drop this one from the LRU
  Impl::Asset& a = impl_->asset(route, target);
  ++impl_->generation;
  a.version = std::string(etag.empty() ? last_modified : etag);
  a.media_type = media_type_of(media_type);
  a.parsed = true;
  a.css = css;
  a.parsed_version = a.version;
  a.children = std::move(children);
}

void LearnedPlans::forget(std::size_t route, std::string_view target) {
  const std::lock_guard lock(impl_->mutex);
  impl_->pages.erase(key_of(route, target));
}

void LearnedPlans::observe_asset(std::size_t route, std::string_view target, std::string_view etag,
                                 std::string_view last_modified, std::uint64_t size, std::string_view media_type) {
  const std::lock_guard lock(impl_->mutex);
  // The key keeps the query: "/app.js?v=2" and "/app.js?v=3" are different assets.
  Impl::Asset& a = impl_->asset(route, target);
  std::string version(etag.empty() ? last_modified : etag);
  std::string type = media_type_of(media_type);
  if (a.version == version && a.size == size && a.media_type == type) return;
  a.version = std::move(version);
  a.size = size;
  a.media_type = std::move(type);
  ++impl_->generation;
}

std::shared_ptr<const push::PagePlan> LearnedPlans::plan(std::size_t route, std::string_view target) const {
  return plan_in(*impl_, route, target);
}

std::shared_ptr<const push::PagePlan> LearnedPlans::plan_in(Impl& impl, std::size_t route, std::string_view target) {
  const std::lock_guard lock(impl.mutex);
  Page* page = impl.pages.find(key_of(route, target));
  if (page == nullptr) return nullptr;
  if (page->plan != nullptr && page->made_at == impl.generation) return page->plan;
  const push::PlanOptions options = plan_options(impl.options);
  const ChildrenOf children_of = [&](std::string_view path) -> std::optional<LearnedChildren> {
    const Impl::Asset* a = impl.assets.peek(asset_key(route, path));
    // Children follow their parent's validator: a new version seen and not parsed yet hides the old children.
    if (a == nullptr || !a->parsed || a->parsed_version != a->version) return std::nullopt;
    return LearnedChildren{a->css, a->children};
  };
  AnyPath any;
  push::detail::StatMemo stats(any);
  auto plan = std::make_shared<push::PagePlan>(push::detail::make_plan(
      page->path, walk_levels(page->path, page->resources, children_of, options), stats, {}, options));
  for (push::PlannedResource& planned : plan->resources) {
    planned.stat = {};
    if (const Impl::Asset* a = impl.assets.peek(asset_key(route, planned.resource.path))) {
      planned.stat = {a->version, a->size, a->media_type};
    }
  }
  page->plan = plan;
  page->made_at = impl.generation;
  return plan;
}

std::size_t LearnedPlans::pages() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->pages.size();
}

std::function<std::shared_ptr<const push::PagePlan>(std::string_view)> LearnedPlans::lookup(
    std::function<std::optional<std::size_t>(std::string_view)> route_of) const {
  return [impl = impl_, route_of = std::move(route_of)](std::string_view path) {
    const auto route = route_of(path);
    if (!route) return std::shared_ptr<const push::PagePlan>();
    return plan_in(*impl, *route, path);
  };
}

}  // namespace h2push::proxy
