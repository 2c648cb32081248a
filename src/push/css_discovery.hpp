// src/push/css_discovery.hpp: the files a style sheet makes the browser fetch (@import, @font-face src, url() in
// declarations), found with the CSS tokenizer and a small block-structure walker; no regular expressions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "push/resource.hpp"
#include "push/url.hpp"

namespace h2push::push {

enum class CssReferenceKind : std::uint8_t {
  import_rule,  // @import at the top of the sheet (one that a browser honours)
  font_face,    // the src of an @font-face rule a browser would take (see scan_css)
  url,          // url() in a declaration: background, list-style, cursor, border-image, mask, content, ...
};

// One reference as written in the sheet, before resolution.
struct CssReference {
  CssReferenceKind kind = CssReferenceKind::url;
  std::string url;           // escapes decoded, not yet resolved; may be empty, "#frag" or "data:..."
  bool media_query = false;  // import_rule: carries a media query list (e.g. "print"), so is not render-blocking
  bool conditional = false;  // import_rule with supports(), or an image-set() candidate: the browser may skip it
  std::size_t offset = 0;    // byte offset of the token that names the URL

  friend bool operator==(const CssReference&, const CssReference&) = default;
};

struct CssScanOptions {
  // The scan stops collecting after this many references (the rest of the sheet is not tokenized). Bounds the
  // result for hostile input; real sheets name tens of files.
  std::size_t max_references = 512;
  // The input is a declaration list (the value of a style="" attribute), not a style sheet: url() at the top
  // level counts, and there are no @import or @font-face rules.
  bool declaration_list = false;
};

// Every reference in `sheet` in document order, duplicates included. Never fails: malformed CSS is read as the
// CSS Syntax error-recovery rules read it (an unclosed block runs to the end, a bad url() is skipped). Work is
// linear in the input; nesting is tracked on a heap stack (no recursion), so depth costs memory, not stack.
//
// Rules, as browsers apply them:
//  - @import counts only before any other rule: @charset, @layer statements (`@layer a, b;`) and invalid @imports
//    may precede it; once a style rule or any other at-rule has appeared, later @imports are ignored. An @import
//    inside a block is ignored too. Its URL is the string, url() or url("...") that starts its prelude; what follows
//    (layer, supports(), media queries) sets media_query / conditional. It must end with ';' or the end of input.
//  - @font-face (top level or in a conditional group rule such as @media): of its last src descriptor, the first
//    comma-separated source with a URL and either no format() or a format of woff2, woff, opentype or truetype (the
//    "-variations" forms included), which is what a current browser downloads first. local() sources are skipped;
//    tech() is not checked. Reported once per rule, at its closing brace. Other descriptors' url()s are ignored.
//  - url() (unquoted, or with a quoted string) and src("...") anywhere inside a declaration block, at any nesting
//    depth (@media, @supports, CSS nesting, @keyframes, @page, custom properties). From image-set() and
//    -webkit-image-set() only the first URL candidate is taken (bare strings count as URLs there), marked
//    conditional: the browser picks one by resolution and type, and the first is the usual 1x fallback.
//  - URLs in selectors and at-rule preludes (@namespace, @document) fetch nothing and are not reported.
std::vector<CssReference> scan_css(std::string_view sheet, const CssScanOptions& options = {});

struct CssDiscoveryOptions {
  int level = 2;  // the level to give every resource found: the sheet's own level plus one
  // The page whose origin counts; when unset, the sheet's own. Set it for inline CSS (<style>, style=""), whose
  // base (the document's base URL) may be another origin.
  std::optional<Url> page;
  CssScanOptions scan;
};

// The same-origin files `sheet` makes the browser fetch, resolved against the sheet's own URL `sheet_url` (not the
// page's: CSS resolves url() against the style sheet; for inline CSS pass the document's base URL), in order of first
// appearance, one Resource per path (later occurrences folded in with merge_occurrence). Classification:
//   @import    -> style, critical unless it has a media query list or supports(); source "css-import"
//   @font-face -> font, critical, crossorigin (fonts are CORS fetches); source "css-font-face"
//   url()      -> image, not critical; conditional for image-set() candidates; source "css-url"
// Skipped: empty URLs, fragment-only URLs ("#clip", references into the document), non-http(s) schemes (data:),
// other origins and anything resolve_path() rejects. Never fails.
std::vector<Resource> discover_css(std::string_view sheet, const Url& sheet_url,
                                   const CssDiscoveryOptions& options = {});

}  // namespace h2push::push
