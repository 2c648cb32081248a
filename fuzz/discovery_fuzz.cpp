// fuzz/discovery_fuzz.cpp: the parsers that read what other people wrote, fed arbitrary text: HTML, CSS and JS module
// discovery, Link field values, cache digest cookies and URL resolution. Besides not crashing (and staying within
// ASan/UBSan), every result must be something the server can send as a request target or a Link line:
//   - discovered paths are same-origin origin-form targets: they start with '/', hold only visible ASCII (the
//     resolver percent-encodes the rest), no dot segments, and appear once per list;
//   - resolving a resolved URL's own target against it gives the same URL back (normalisation is idempotent);
//   - the 103 Link line formatted for a discovered resource parses back to the same path and destination;
//   - a decoded cache digest re-encodes to a cookie that decodes to the same set.
//
// Input: selector:u8 text*. The selector picks the parser; for resolve, the text is "base\nreference".
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "push/cache_digest.hpp"
#include "push/css_discovery.hpp"
#include "push/html_discovery.hpp"
#include "push/js_imports.hpp"
#include "push/link_header.hpp"
#include "push/resource.hpp"
#include "push/url.hpp"

namespace {

namespace push = h2push::push;

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "discovery: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void check_target(std::string_view target) {
  if (target.empty() || target.front() != '/') fail("target not origin-form", target);
  for (char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '#') fail("byte a request target cannot hold", target);
  }
  const std::string_view path = target.substr(0, target.find('?'));
  for (std::size_t at = 0; at != std::string_view::npos;) {
    const std::size_t next = path.find('/', at + 1);
    const std::string_view segment = path.substr(at + 1, next == std::string_view::npos ? path.npos : next - at - 1);
    if (segment == "." || segment == "..") fail("dot segment left", target);
    at = next;
  }
}

// The 103 line for `r`, read back as a browser would, names the same path with the same destination.
void check_hint(const push::Resource& r, const push::Url& page) {
  const auto line = push::format_link(r);
  if (!line) return;
  const push::ParsedLinks parsed = push::parse_link_header(*line);
  if (parsed.links.size() != 1 || parsed.malformed != 0) fail("a formatted Link does not parse", *line);
  const auto back = push::preload_from_link(parsed.links.front(), page, page);
  if (!back) fail("a formatted Link is not a preload", *line);
  if (back->path != r.path || back->as != r.as) fail("a formatted Link names another resource", *line);
}

void check_resources(const std::vector<push::Resource>& resources, const push::Url& page) {
  std::set<std::string_view> seen;
  for (const push::Resource& r : resources) {
    check_target(r.path);
    if (!seen.insert(r.path).second) fail("path listed twice", r.path);
    if (r.level < 1) fail("level below 1", r.path);
    check_hint(r, page);
  }
}

const push::Url& page_url() {
  static const push::Url url = *push::parse_url("https://example.com/blog/post.html");
  return url;
}

void html(std::string_view text) {
  push::HtmlOptions options;
  options.max_nesting_depth = 64;  // keep Gumbo fast on deep inputs; the cut-off path is covered too
  const auto found = push::discover_html(text, page_url(), options);
  if (!found) return;
  check_resources(found->resources, page_url());
  for (const push::InlineBlock& block : found->inline_blocks) {
    if (block.position > found->resources.size()) fail("inline block past the list", block.text);
    if (block.kind == push::InlineBlock::Kind::module_script) {
      check_resources(push::discover_js_module(block.text, found->base, {.page = page_url()}), page_url());
    } else {
      check_resources(push::discover_css(block.text, found->base, {.page = page_url()}), page_url());
    }
  }
}

void link(std::string_view text) {
  const push::ParsedLinks parsed = push::parse_link_header(text);
  for (const push::Link& l : parsed.links) {
    const auto resolved = push::resolve_path(page_url(), page_url(), l.target);
    if (resolved) check_target(*resolved);
  }
}

void digest(std::string_view text) {
  const push::CacheDigest d = push::CacheDigest::from_cookie_value(text);
  if (d.size() > push::CacheDigest::kMaxEntries) fail("digest over its bound", text);
  const push::CacheDigest again = push::CacheDigest::from_cookie_value(d.to_cookie_value());
  if (!(again == d)) fail("digest does not survive re-encoding", text);
  const push::CacheDigest from_header = push::CacheDigest::from_cookie_header(text);
  if (from_header.size() > push::CacheDigest::kMaxEntries) fail("header digest over its bound", text);
}

void resolve(std::string_view text) {
  const std::size_t newline = text.find('\n');
  const std::string_view base_text = text.substr(0, newline);
  const std::string_view reference = newline == text.npos ? std::string_view() : text.substr(newline + 1);
  const auto base = push::parse_url(base_text);
  if (!base) return;
  check_target(base->target());
  const auto url = push::resolve(*base, reference);
  if (!url) return;
  check_target(url->target());
  // As a reference, a target starting with "//" would name a host: "/." keeps it a path (format_link does the same).
  const std::string target = url->target();
  const auto again = push::resolve(*url, target.starts_with("//") ? "/." + target : target);
  if (!again) fail("a resolved URL's target does not resolve", url->target());
  if (!(*again == *url)) fail("resolution is not idempotent", url->target() + " -> " + again->target());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const push::Url& sheet = page_url();
  switch (data[0] % 6) {
    case 0:
      html(text);
      break;
    case 1:
      check_resources(push::discover_css(text, sheet), sheet);
      break;
    case 2:
      check_resources(push::discover_js_module(text, sheet, {.fetch_document = sheet}), sheet);
      break;
    case 3:
      link(text);
      break;
    case 4:
      digest(text);
      break;
    default:
      resolve(text);
      break;
  }
  return 0;
}
