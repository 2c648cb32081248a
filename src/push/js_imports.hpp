// src/push/js_imports.hpp: the files a JavaScript module makes the browser fetch (static imports, re-exports,
// import() and, optionally, new URL(..., import.meta.url) and fetch() of string literals), found by a small
// tokenizer that steps over strings, comments, template literals and regular-expression literals.
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

enum class JsReferenceKind : std::uint8_t {
  static_import,   // import "./a.js";  import x, { y } from "./a.js";  import * as ns from "./a.js"
  reexport,        // export * from "./a.js";  export * as ns from "./a.js";  export { x } from "./a.js"
  dynamic_import,  // import("./a.js"), import(`./a.js`), with or without an options argument
  new_url,         // new URL("../data/x.json", import.meta.url): resolved against the module
  fetch,           // fetch("data/x.json"): resolved against the document, not the module
};

// One reference as written in the module, before resolution.
struct JsReference {
  JsReferenceKind kind = JsReferenceKind::static_import;
  std::string specifier;   // the string literal's value, escapes decoded
  std::string type;        // import attribute `with { type: "..." }` ("json", "css"), else empty
  std::size_t offset = 0;  // byte offset of the literal

  friend bool operator==(const JsReference&, const JsReference&) = default;
};

struct JsScanOptions {
  // The scan stops after this many references. Bounds the result for hostile input.
  std::size_t max_references = 512;
};

// Every reference in the module `source` in order, duplicates and bare specifiers included. Never fails and never
// throws: an unterminated string, comment, template or regular expression ends at the end of its line or of the
// input. Linear time; template nesting (`${ `${ }` }`) and braces are tracked on heap stacks, not by recursion.
//
// Only string literals (and template literals without substitutions) count: import(name) or fetch(base + "x")
// are skipped. A '/' starts a regular expression or is a division according to the previous significant token:
// division after an identifier, literal, ')' or ']' or '}' that ends an expression; a regular expression at the
// start, after an operator or punctuator, after keywords such as return, typeof, case, and after the ')' of
// if/while/for/with (...) or the '}' of a block. `import` and `fetch` after '.' are property names, not keywords.
std::vector<JsReference> scan_js_module(std::string_view source, const JsScanOptions& options = {});

struct JsDiscoveryOptions {
  int level = 2;  // the level to give every resource found: the module's own level plus one
  // The page whose origin counts; when unset, the module's own. Set it for an inline module script, whose base
  // (the document's base URL) may be another origin.
  std::optional<Url> page;
  bool dynamic_imports = true;  // report import("...") (conditional: it may never run)
  bool new_urls = true;         // report new URL("...", import.meta.url)
  // fetch("...") literals resolve against the document, not the module, so a module shared by pages in several
  // folders fetches different files from each: set this to the document's base URL to report them, and do not
  // cache the result per module then. Unset (the default): fetch() is not followed.
  std::optional<Url> fetch_document;
  JsScanOptions scan;
};

// The same-origin files the module `source` at `module_url` makes the browser fetch, in order of first
// appearance, one Resource per path (later occurrences folded in with merge_occurrence). Specifiers of imports,
// re-exports and import() are followed only when they start with "/", "./" or "../" or are absolute URLs (HTML's
// "resolve a module specifier"); bare specifiers ("react") need an import map and are skipped. Classification:
//   import, export ... from -> module_script, crossorigin; source "js-import" / "js-export"
//                               with { type: "json" } -> fetch, crossorigin; with { type: "css" } -> style,
//                               crossorigin (JSON and CSS module scripts)
//   import("...")            -> module_script, crossorigin, conditional; source "js-dynamic-import"
//   new URL("...", import.meta.url) -> by extension (.json, .wasm and unknown -> fetch with crossorigin; images ->
//                               image; .css -> style; fonts -> font with crossorigin; .js/.mjs -> other, since a
//                               worker has no preload form); source "js-new-url"
//   fetch("...")             -> fetch, crossorigin; source "js-fetch"
// Nothing is critical: module scripts do not block rendering. Never fails.
std::vector<Resource> discover_js_module(std::string_view source, const Url& module_url,
                                         const JsDiscoveryOptions& options = {});

}  // namespace h2push::push
