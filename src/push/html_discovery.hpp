// src/push/html_discovery.hpp: the same-origin files an HTML page names directly (level 1), found with Gumbo the
// way a browser's parser and preload scanner find them, plus the inline CSS and module scripts whose references
// the CSS and JS scanners resolve. The choices (what is critical, conditional or skipped) are in docs/push.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "h2push/result.hpp"
#include "push/resource.hpp"
#include "push/url.hpp"

namespace h2push::push {

struct HtmlOptions {
  // Larger documents are refused (html_too_large): Gumbo builds the whole tree in memory.
  std::size_t max_document_bytes = 4 * 1024 * 1024;
  // Distinct resources kept; later ones are dropped and `truncated` is set.
  std::size_t max_resources = 256;
  // Inline blocks kept, and their total text; past either, later blocks are dropped and `truncated` is set.
  std::size_t max_inline_blocks = 256;
  std::size_t max_inline_bytes = 1024 * 1024;
  // Candidates read from one srcset or imagesrcset attribute; the rest are ignored (without `truncated`).
  std::size_t max_srcset_candidates = 32;
  // Gumbo's tree construction costs time quadratic in the nesting depth (20,000 unclosed <div>s, 100 KB, take
  // seconds). A linear pre-scan estimates the depth of open elements; the document is parsed only up to the tag
  // that would open element number max_nesting_depth + 1, and `truncated` is set. Real pages stay far below.
  std::size_t max_nesting_depth = 512;
};

// Text the lead hands to the CSS scanner (style_element, style_attribute) or the JS import scanner (module_script).
struct InlineBlock {
  enum class Kind : std::uint8_t {
    style_element,    // the contents of a <style> element (HTML or SVG): a style sheet
    style_attribute,  // a style="..." attribute value: a declaration list, entities decoded
    module_script,    // the contents of an inline <script type=module>: its imports are level-1 modules
  };
  Kind kind = Kind::style_element;
  std::string text;
  // How many resources precede this block in HtmlDiscovery::resources: what it names belongs at this index to
  // keep the combined list in document order.
  std::size_t position = 0;

  friend bool operator==(const InlineBlock&, const InlineBlock&) = default;
};

struct HtmlDiscovery {
  // Level-1 resources in document order, one per path (the first occurrence wins; see merge_occurrence()).
  std::vector<Resource> resources;
  // Inline CSS and module scripts in document order. Their references resolve against `base` and are kept when
  // same-origin with the page: resolve_path(page, base, reference).
  std::vector<InlineBlock> inline_blocks;
  // The document base URL: the first <base href> in tree order, resolved against the page URL, else the page URL.
  // Its origin may differ from the page's (a CDN base), which makes every relative reference cross-origin.
  Url base;
  std::size_t skipped_cross_origin = 0;  // references to other origins (or unknown ones, for path-only pages)
  std::size_t skipped_unsupported = 0;   // data:, javascript:, blob: and invalid references
  bool truncated = false;                // a limit of HtmlOptions dropped resources or inline blocks
};

enum class HtmlError : std::uint8_t {
  html_too_large,  // more than HtmlOptions::max_document_bytes
  bad_page_url,    // the page URL given as text is neither an http(s) URL nor a path
};

// Discovers what the HTML document `html` (its bytes as served, read as UTF-8) at URL `page` names: stylesheets,
// preloads, module preloads, icons, scripts, images, <picture> sources, video posters, <style> elements, style
// attributes and inline module scripts. Content of <template> and <noscript> is ignored. Never fails on malformed
// HTML (Gumbo repairs it as browsers do). Errors: html_too_large.
[[nodiscard]] Result<HtmlDiscovery, HtmlError> discover_html(std::string_view html, const Url& page,
                                                             const HtmlOptions& options = {});

// The same with the page URL as text: an absolute http(s) URL, or a path such as "/blog/post.html" when the origin
// is unknown (absolute references to the server's own host are then skipped as cross-origin). Errors: bad_page_url,
// html_too_large.
[[nodiscard]] Result<HtmlDiscovery, HtmlError> discover_html(std::string_view html, std::string_view page_url,
                                                             const HtmlOptions& options = {});

}  // namespace h2push::push
