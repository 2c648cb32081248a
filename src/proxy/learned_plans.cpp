// src/proxy/learned_plans.cpp
#include "proxy/learned_plans.hpp"

#include <algorithm>
#include <list>
#include <mutex>
#include <unordered_map>

#include "push/html_discovery.hpp"
#include "push/link_header.hpp"
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
  return std::to_string(route) + " " + std::string(host) + " ";
}

std::string key_of(std::size_t route, std::string_view host, std::string_view target) {
  return scope_of(route, host) + std::string(path_of(target));
}

// A fixed origin for the page URL: the proxy does not trust the client's Host to decide what is same-origin, so
// only relative and path-absolute references count (absolute ones to the site's own name are skipped).
constexpr std::string_view kOrigin = "http://upstream.invalid";

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
  template <class F>
  void for_each(F f) {
    for (auto& [key, value] : order_) f(key, value);
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
  std::vector<push::Resource> resources;  // in rank order
};

std::uint8_t urgency_of(const push::Resource& r) {
  if (r.critical) return 4;
  return r.as == push::Destination::module_script ? 5 : 6;
}

// Render-blocking first, then module scripts, then the rest, each in discovery order (as the site planner ranks).
void rank(std::vector<push::Resource>& resources) {
  std::stable_sort(resources.begin(), resources.end(),
                   [](const push::Resource& a, const push::Resource& b) { return urgency_of(a) < urgency_of(b); });
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
    bool gone = false;  // a push fetch got 404 / 410: left out of plans until seen with a 200 again
  };
  LearnOptions options;
  mutable std::mutex mutex;
  mutable Lru<Page> pages;
  Lru<Asset> assets;
};

LearnedPlans::LearnedPlans(LearnOptions options) : impl_(std::make_shared<Impl>(options)) {}
LearnedPlans::~LearnedPlans() = default;

std::size_t LearnedPlans::learn(std::size_t route, std::string_view target, std::string_view html,
                                std::span<const std::string_view> link_values) {
  return learn(route, {}, target, html, link_values);
}

std::size_t LearnedPlans::learn(std::size_t route, std::string_view host, std::string_view target,
                                std::string_view html, std::span<const std::string_view> link_values) {
  const std::string path(path_of(target));
  auto page_url = push::parse_url(std::string(kOrigin) + path);
  Page page;
  page.path = path;
  if (page_url) {
    push::HtmlOptions html_options;
    html_options.max_resources = impl_->options.max_resources;
    if (auto found = push::discover_html(html, *page_url, html_options)) {
      for (push::Resource& r : found->resources) {
        if (!r.conditional && r.path != path) page.resources.push_back(std::move(r));
      }
    }
    for (const std::string_view value : link_values) {
      for (const push::Link& link : push::parse_link_header(value).links) {
        auto r = push::preload_from_link(link, *page_url, *page_url);
        if (!r || r->conditional) continue;
        const bool known = std::any_of(page.resources.begin(), page.resources.end(),
                                       [&](const push::Resource& k) { return k.path == r->path; });
        if (!known) page.resources.push_back(std::move(*r));
      }
    }
  }
  if (page.resources.size() > impl_->options.max_resources) page.resources.resize(impl_->options.max_resources);
  rank(page.resources);
  const std::size_t count = page.resources.size();
  const std::lock_guard lock(impl_->mutex);
  const std::string key = key_of(route, plan_host(host), path);
  if (count == 0) {
    impl_->pages.erase(key);
  } else {
    impl_->pages.put(key, std::move(page));
  }
  return count;
}

void LearnedPlans::forget(std::size_t route, std::string_view target) { forget(route, {}, target); }

void LearnedPlans::forget(std::size_t route, std::string_view host, std::string_view target) {
  const std::lock_guard lock(impl_->mutex);
  impl_->pages.erase(key_of(route, plan_host(host), target));
}

std::size_t LearnedPlans::forget_asset(std::size_t route, std::string_view host, std::string_view target) {
  const std::string scope = scope_of(route, plan_host(host));
  std::vector<std::string> emptied;
  std::size_t changed = 0;
  const std::lock_guard lock(impl_->mutex);
  impl_->pages.for_each([&](const std::string& key, Page& page) {
    if (!key.starts_with(scope)) return;
    const std::size_t before = page.resources.size();
    std::erase_if(page.resources, [&](const push::Resource& r) { return r.path == target; });
    if (page.resources.size() == before) return;
    ++changed;
    if (page.resources.empty()) emptied.push_back(key);
  });
  for (const std::string& key : emptied) impl_->pages.erase(key);
  // Remembered as gone, so relearning a page that still names it does not bring it back.
  Impl::Asset gone;
  gone.gone = true;
  impl_->assets.put(scope + std::string(target), std::move(gone));
  return changed;
}

void LearnedPlans::observe_asset(std::size_t route, std::string_view target, std::string_view etag,
                                 std::string_view last_modified, std::uint64_t size, std::string_view media_type) {
  observe_asset(route, {}, target, etag, last_modified, size, media_type);
}

void LearnedPlans::observe_asset(std::size_t route, std::string_view host, std::string_view target,
                                 std::string_view etag, std::string_view last_modified, std::uint64_t size,
                                 std::string_view media_type) {
  Impl::Asset asset;
  asset.version = std::string(etag.empty() ? last_modified : etag);
  asset.size = size;
  asset.media_type = std::string(media_type.substr(0, media_type.find(';')));
  const std::lock_guard lock(impl_->mutex);
  // The key keeps the query: "/app.js?v=2" and "/app.js?v=3" are different assets.
  impl_->assets.put(scope_of(route, plan_host(host)) + std::string(target), std::move(asset));
}

std::shared_ptr<const push::PagePlan> LearnedPlans::plan(std::size_t route, std::string_view target) const {
  return plan_in(*impl_, route, {}, target);
}

std::shared_ptr<const push::PagePlan> LearnedPlans::plan(std::size_t route, std::string_view host,
                                                         std::string_view target) const {
  return plan_in(*impl_, route, host, target);
}

std::shared_ptr<const push::PagePlan> LearnedPlans::plan_in(Impl& impl, std::size_t route, std::string_view host,
                                                            std::string_view target) {
  const std::string scope = scope_of(route, plan_host(host));
  const std::lock_guard lock(impl.mutex);
  const Page* page = impl.pages.find(scope + std::string(path_of(target)));
  if (page == nullptr) return nullptr;
  auto plan = std::make_shared<push::PagePlan>();
  plan->page = page->path;
  for (const push::Resource& r : page->resources) {
    push::PlannedResource planned;
    planned.resource = r;
    planned.urgency = urgency_of(r);
    if (const Impl::Asset* a = impl.assets.peek(scope + r.path)) {
      if (a->gone) continue;
      planned.stat = {a->version, a->size, a->media_type};
    }
    plan->resources.push_back(std::move(planned));
  }
  if (plan->resources.empty()) return nullptr;
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
    return plan_in(*impl, *route, {}, path);
  };
}

}  // namespace h2push::proxy
