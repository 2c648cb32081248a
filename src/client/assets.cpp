// src/client/assets.cpp
#include "client/assets.hpp"

#include "push/css_discovery.hpp"
#include "push/html_discovery.hpp"
#include "push/js_imports.hpp"
#include "push/link_header.hpp"
#include "push/url.hpp"

namespace h2push::client {
namespace {

bool is_html(const Fetch& f) {
  const std::string type = f.header("content-type");
  if (type.find("text/html") != std::string::npos) return true;
  return type.empty() && f.destination == "document";
}

void add(std::vector<push::Resource>& out, std::vector<push::Resource> found, std::size_t& skipped) {
  for (push::Resource& r : found) {
    if (r.conditional) {
      ++skipped;
      continue;
    }
    out.push_back(std::move(r));
  }
}

}  // namespace

const char* to_string(Via via) {
  switch (via) {
    case Via::page:
      return "page";
    case Via::requested:
      return "requested";
    case Via::hinted:
      return "hinted";
    case Via::pushed:
      return "pushed";
  }
  return "?";
}

std::string Fetch::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return {};
}

std::vector<push::Resource> discover_assets(const Fetch& fetch, const std::string& page_url, std::size_t& skipped) {
  std::vector<push::Resource> out;
  if (fetch.status < 200 || fetch.status > 299) return out;
  auto url = push::parse_url(fetch.target.url());
  auto page = push::parse_url(page_url);
  if (!url || !page) return out;
  const int level = fetch.level + 1;
  const std::string type = fetch.header("content-type");
  if (is_html(fetch)) {
    auto html = push::discover_html(fetch.body, *url);
    if (!html) return out;
    for (push::Resource r : html->resources) {
      r.level = level;
      if (r.conditional) {
        ++skipped;
      } else {
        out.push_back(std::move(r));
      }
    }
    for (const push::InlineBlock& block : html->inline_blocks) {
      if (block.kind == push::InlineBlock::Kind::module_script) {
        push::JsDiscoveryOptions js;
        js.level = level;
        js.page = *url;
        js.fetch_document = html->base;
        add(out, push::discover_js_module(block.text, html->base, js), skipped);
      } else {
        push::CssDiscoveryOptions css;
        css.level = level;
        css.page = *url;
        css.scan.declaration_list = block.kind == push::InlineBlock::Kind::style_attribute;
        add(out, push::discover_css(block.text, html->base, css), skipped);
      }
    }
  } else if (type.find("text/css") != std::string::npos || fetch.destination == "style") {
    push::CssDiscoveryOptions css;
    css.level = level;
    add(out, push::discover_css(fetch.body, *url, css), skipped);
  } else if (fetch.destination == "module_script") {
    push::JsDiscoveryOptions js;
    js.level = level;
    js.fetch_document = *page;
    add(out, push::discover_js_module(fetch.body, *url, js), skipped);
  }
  return out;
}

std::vector<push::Resource> hinted_assets(const Fields& fields, const std::string& page_url) {
  std::vector<push::Resource> out;
  auto page = push::parse_url(page_url);
  if (!page) return out;
  for (const auto& [name, value] : fields) {
    if (name != "link") continue;
    for (const push::Link& link : push::parse_link_header(value).links) {
      if (auto r = push::preload_from_link(link, *page, *page)) out.push_back(std::move(*r));
    }
  }
  return out;
}

}  // namespace h2push::client
