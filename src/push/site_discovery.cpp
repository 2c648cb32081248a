// src/push/site_discovery.cpp: one page's needs, all levels deep. The page's HTML gives level 1 (its inline
// <style> and module scripts included); then, round after round, every unconditional style sheet and module script
// found so far is read and scanned, what it names joining the list one level further down, until nothing new is
// found or a budget runs out. Each file is read at most once, which also ends import cycles.
#include "push/site_discovery.hpp"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "push/css_discovery.hpp"
#include "push/html_discovery.hpp"
#include "push/js_imports.hpp"
#include "push/url.hpp"

namespace h2push::push::detail {
namespace {

constexpr std::string_view kIndex = "index.html";

bool is_javascript(std::string_view media_type) noexcept {
  return media_type == "text/javascript" || media_type == "application/javascript" ||
         media_type == "application/x-javascript" || media_type == "application/ecmascript" ||
         media_type == "text/ecmascript";
}

// What a style sheet or module names through a static import (not import(), new URL() or fetch()).
bool static_import(const Resource& r) noexcept { return r.source == "js-import" || r.source == "js-export"; }

class Walker {
 public:
  Walker(StatMemo& stats, std::string_view page, const PlanOptions& options)
      : stats_(stats),
        page_(page),
        options_(options),
        known_(page, std::max<std::size_t>(4 * options.max_resources, 1)) {}

  SiteDiscovery run(std::span<const Resource> extra) {
    read_page();
    for (Resource r : extra) {
      r.level = 1;
      r.conditional = false;
      if (r.source.empty()) r.source = "manifest";
      add(std::move(r));
    }
    follow();
    return std::move(out_);
  }

 private:
  void add(Resource r) {
    if (known_.add(std::move(r), out_)) read_.push_back(false);
  }

  // The text of a file to scan, within the budgets; nullopt (and truncated when a budget is the reason) otherwise.
  std::optional<std::string> read(std::string_view path, const FileStat& stat) {
    if (stat.size > options_.max_file_bytes || out_.bytes_parsed + stat.size > options_.max_parsed_bytes) {
      out_.truncated = true;
      return std::nullopt;
    }
    auto text = stats_.source().read(path, options_.max_file_bytes);
    if (!text || out_.bytes_parsed + text->size() > options_.max_parsed_bytes) {
      out_.truncated = true;  // it grew (or vanished) since stat(); the next plan() sees the new version
      return std::nullopt;
    }
    out_.bytes_parsed += text->size();
    ++out_.files_parsed;
    return text;
  }

  void read_page() {
    const std::optional<FileStat>& stat = stats_.get(page_);
    auto page_url = parse_url(page_);
    if (!stat || !page_url) return;
    auto text = read(page_, *stat);
    if (!text) return;
    HtmlOptions html_options;
    html_options.max_document_bytes = options_.max_file_bytes;
    auto html = discover_html(*text, *page_url, html_options);
    if (!html) return;
    out_.truncated = out_.truncated || html->truncated;
    // What an inline block names belongs where the block is, in document order.
    std::size_t next_block = 0;
    const auto blocks_before = [&](std::size_t position) {
      for (; next_block < html->inline_blocks.size() && html->inline_blocks[next_block].position <= position;
           ++next_block) {
        for (Resource& r : inline_block(html->inline_blocks[next_block], *html, *page_url)) add(std::move(r));
      }
    };
    for (std::size_t i = 0; i < html->resources.size(); ++i) {
      blocks_before(i);
      add(std::move(html->resources[i]));
    }
    blocks_before(html->resources.size());
  }

  static std::vector<Resource> inline_block(const InlineBlock& block, const HtmlDiscovery& html, const Url& page) {
    if (block.kind == InlineBlock::Kind::module_script) {
      JsDiscoveryOptions js;
      js.level = 1;
      js.page = page;
      return discover_js_module(block.text, html.base, js);
    }
    CssDiscoveryOptions css;
    css.level = 1;
    css.page = page;
    css.scan.declaration_list = block.kind == InlineBlock::Kind::style_attribute;
    return discover_css(block.text, html.base, css);
  }

  bool scannable(const Resource& r) const noexcept {
    return !r.conditional && (r.as == Destination::style || r.as == Destination::module_script);
  }

  // Rounds: each reads every scannable resource not read yet (what a merge made unconditional included), so
  // level n+1 is complete before level n+1 is read and its criticality settled.
  void follow() {
    for (;;) {
      std::vector<std::size_t> round;
      for (std::size_t i = 0; i < out_.resources.size(); ++i) {
        if (!read_[i] && scannable(out_.resources[i])) round.push_back(i);
      }
      if (round.empty()) return;
      for (const std::size_t i : round) {
        read_[i] = true;
        if (out_.resources[i].level >= options_.max_depth) {
          out_.truncated = true;  // what it names would be deeper than allowed
          continue;
        }
        scan(Resource(out_.resources[i]));  // a copy: add() may grow the vector
      }
    }
  }

  void scan(const Resource& parent) {
    const std::string_view path = without_query(parent.path);
    const std::optional<FileStat> stat = stats_.get(path);
    if (!stat) return;
    const bool css = parent.as == Destination::style && stat->media_type == "text/css";
    const bool js = parent.as == Destination::module_script && is_javascript(stat->media_type);
    if (!css && !js) return;  // browsers refuse a style sheet or module served with another type
    auto url = parse_url(parent.path);
    if (!url) return;
    auto text = read(path, *stat);
    if (!text) return;
    std::vector<Resource> children;
    if (css) {
      CssDiscoveryOptions options;
      options.level = parent.level + 1;
      children = discover_css(*text, *url, options);
    } else {
      JsDiscoveryOptions options;
      options.level = parent.level + 1;
      children = discover_js_module(*text, *url, options);
    }
    for (Resource& child : children) {
      // Fonts and imports of a sheet that does not block rendering do not either; the static imports of a
      // render-blocking module (blocking=render) do.
      child.critical = css ? (child.critical && parent.critical) : (parent.critical && static_import(child));
      add(std::move(child));
    }
  }

  StatMemo& stats_;
  std::string_view page_;
  const PlanOptions& options_;
  SiteDiscovery out_;
  DiscoveredSet known_;     // what out_.resources holds
  std::vector<bool> read_;  // per resource: scanned (or given up)
};

}  // namespace

const std::optional<FileStat>& StatMemo::get(std::string_view path) {
  path = without_query(path);
  auto it = seen_.find(path);
  if (it == seen_.end()) it = seen_.emplace(std::string(path), source_.stat(path)).first;
  return it->second;
}

std::string_view without_query(std::string_view target) noexcept {
  return target.substr(0, target.find_first_of("?#"));
}

bool DiscoveredSet::add(Resource r, SiteDiscovery& out) {
  if (r.path.empty() || same_page(without_query(r.path), page_)) return false;
  const auto [it, inserted] = index_.try_emplace(r.path, out.resources.size());
  if (!inserted) {
    merge_occurrence(out.resources[it->second], r);
    return false;
  }
  if (out.resources.size() >= max_known_) {
    index_.erase(it);
    out.truncated = true;
    return false;
  }
  out.resources.push_back(std::move(r));
  return true;
}

bool same_page(std::string_view a, std::string_view b) noexcept {
  const auto key = [](std::string_view p) {
    if (p.ends_with(kIndex) && p.size() > kIndex.size() && p[p.size() - kIndex.size() - 1] == '/') {
      p.remove_suffix(kIndex.size());
    }
    return p;
  };
  return key(a) == key(b);
}

bool pattern_matches(std::string_view pattern, std::string_view path) noexcept {
  if (pattern.ends_with('*')) return path.starts_with(pattern.substr(0, pattern.size() - 1));
  return same_page(pattern, path);
}

SiteDiscovery discover_site(StatMemo& stats, std::string_view page, const PlanOptions& options,
                            std::span<const Resource> extra) {
  return Walker(stats, page, options).run(extra);
}

}  // namespace h2push::push::detail
