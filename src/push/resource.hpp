// src/push/resource.hpp: the vocabulary every discoverer (HTML, CSS, JS modules, Link headers) reports in. A
// Resource is one same-origin file a page needs, with what the server must know to push it or to name it in a
// 103 Early Hints `Link` header. Standard library only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace h2push::push {

// The request destination (Fetch standard) the browser will use, which decides the preload form:
// `rel=preload; as=<as>` for style, script, font, image and fetch; `rel=modulepreload` for module scripts;
// document and other have no preload form (they can be pushed, not hinted).
enum class Destination : std::uint8_t { style, script, module_script, font, image, fetch, document, other };

// One discovered file. Discoverers fill every field; the defaults are what a plain reference means.
struct Resource {
  // Same-origin absolute path with its query, without fragment, percent-encoding as the browser will send it:
  // "/css/main.css?v=3". Never empty, always starts with '/'. The de-duplication key.
  std::string path;
  Destination as = Destination::other;
  // Render-blocking: the page cannot paint before it arrives (stylesheets for the default media, classic scripts
  // without async/defer in <head>, anything with blocking="render"). Push these first.
  bool critical = false;
  // Fetched in CORS mode, so a preload must carry `crossorigin` to be reused: always for fonts and module scripts,
  // and for anything its reference marked with a crossorigin attribute.
  bool crossorigin = false;
  // The browser fetches it only if it picks it: a srcset or <picture> candidate, a lazy image, a preload with a
  // media query, an apple-touch-icon. A server should not push these and may leave them out of early hints.
  bool conditional = false;
  // Discovery depth: 1 = named by the page itself (including its inline <style>), 2 = named by a level-1 file, ...
  int level = 1;
  // What named it: the HTML element ("link", "script", "img", "source", "video"), "style" (a <style> element or a
  // style attribute), "link-header", or the CSS/JS construct ("css-import", "css-url", "js-import", ...).
  std::string source;

  friend bool operator==(const Resource&, const Resource&) = default;
};

// Folds a later reference to the same path into the one kept: the first occurrence's fields win, except that the
// result is critical if any occurrence is, unconditional if any occurrence is, and at the smallest level seen.
inline void merge_occurrence(Resource& kept, const Resource& again) {
  kept.critical = kept.critical || again.critical;
  kept.conditional = kept.conditional && again.conditional;
  kept.level = std::min(kept.level, again.level);
}

// "style", "script", "module_script", "font", "image", "fetch", "document", "other": for logs and test output.
constexpr std::string_view to_string(Destination d) {
  switch (d) {
    case Destination::style:
      return "style";
    case Destination::script:
      return "script";
    case Destination::module_script:
      return "module_script";
    case Destination::font:
      return "font";
    case Destination::image:
      return "image";
    case Destination::fetch:
      return "fetch";
    case Destination::document:
      return "document";
    case Destination::other:
      return "other";
  }
  return "other";
}

// The destination of a `rel=preload` whose `as` is `value` (already ASCII-lower-cased), or nullopt for a value we
// do not preload (absent, invalid, or media such as "audio" and "video", which are never worth pushing).
constexpr std::optional<Destination> destination_from_preload_as(std::string_view value) {
  if (value == "style") return Destination::style;
  if (value == "script") return Destination::script;
  if (value == "font") return Destination::font;
  if (value == "image") return Destination::image;
  if (value == "fetch") return Destination::fetch;
  return std::nullopt;
}

}  // namespace h2push::push
