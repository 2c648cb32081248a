// tests/push/js_imports_test.cpp: import specifiers found in JavaScript modules past strings, comments, template
// literals and regular expressions; resolution against the module; the demo site's modules.
#include "push/js_imports.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "push/resource.hpp"
#include "push/url.hpp"

namespace h2push::push {
namespace {

using Strings = std::vector<std::string>;

// Each reference as "kind:specifier", with " type=..." for an import attribute.
Strings scanned(std::string_view js, const JsScanOptions& options = {}) {
  Strings out;
  for (const JsReference& reference : scan_js_module(js, options)) {
    std::string text;
    switch (reference.kind) {
      case JsReferenceKind::static_import:
        text = "import:";
        break;
      case JsReferenceKind::reexport:
        text = "export:";
        break;
      case JsReferenceKind::dynamic_import:
        text = "dynamic:";
        break;
      case JsReferenceKind::new_url:
        text = "new-url:";
        break;
      case JsReferenceKind::fetch:
        text = "fetch:";
        break;
    }
    text += reference.specifier;
    if (!reference.type.empty()) text += " type=" + reference.type;
    out.push_back(std::move(text));
  }
  return out;
}

Url must_parse(std::string_view text) {
  auto url = parse_url(text);
  EXPECT_TRUE(url) << text;
  return url ? *url : Url{};
}

// Each resource as "path as [crossorigin] [conditional] source" (nothing here is critical).
Strings discovered(std::string_view js, std::string_view module_url, const JsDiscoveryOptions& options = {}) {
  Strings out;
  for (const Resource& r : discover_js_module(js, must_parse(module_url), options)) {
    std::string text = r.path + " " + std::string(to_string(r.as));
    if (r.critical) text += " critical";
    if (r.crossorigin) text += " crossorigin";
    if (r.conditional) text += " conditional";
    text += " " + r.source;
    out.push_back(std::move(text));
  }
  return out;
}

std::string read_demo_file(std::string_view relative) {
  std::ifstream in(std::string(H2PUSH_DEMO_SITE_DIR) + "/" + std::string(relative), std::ios::binary);
  EXPECT_TRUE(in) << relative;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// --- static imports and re-exports ---------------------------------------------------------------------------------

TEST(JsImportsTest, ReadsEveryStaticFormWhenWellFormed) {
  EXPECT_EQ(scanned(R"js(
import "./side-effect.js";
import def from "./default.js";
import * as ns from './namespace.js';
import { a, b as c, default as d } from "../named.js";
import def2, { e } from "/abs/both.js";
import def3, * as ns2 from "./both-ns.js";
import {
  f,
  g,
} from "./multiline.js";
import { "string-name" as h } from "./string-names.js";
import from from "./from-named-from.js";
import from, { i } from "./from-and-more.js";
import{j}from"./tight.js";
import react from "react";
export * from "./star.js";
export * as ns3 from "./star-as.js";
export { k, l as m } from "./names.js";
export { default } from "./default-again.js";
export { n };
export const o = 1;
export default function p() {}
)js"),
            (Strings{"import:./side-effect.js", "import:./default.js", "import:./namespace.js", "import:../named.js",
                     "import:/abs/both.js", "import:./both-ns.js", "import:./multiline.js", "import:./string-names.js",
                     "import:./from-named-from.js", "import:./from-and-more.js", "import:./tight.js", "import:react",
                     "export:./star.js", "export:./star-as.js", "export:./names.js", "export:./default-again.js"}));
}

TEST(JsImportsTest, ReadsImportsWhenSemicolonsAreMissing) {
  EXPECT_EQ(scanned("import a from './a.js'\nimport './b.js'\nexport * from './c.js'\nexport { d }\nimport e from "
                    "'./e.js'"),
            (Strings{"import:./a.js", "import:./b.js", "export:./c.js", "import:./e.js"}));
}

TEST(JsImportsTest, RecordsTypeWhenImportHasAttributes) {
  EXPECT_EQ(scanned(R"js(
import data from "./data.json" with { type: "json" };
import sheet from "./sheet.css" assert { type: 'css' };
import other from "./other.js" with { "type": "json", integrity: "x" };
import "./plain.js"
with { type: "json" }
import after from "./after.js";
)js"),
            (Strings{"import:./data.json type=json", "import:./sheet.css type=css", "import:./other.js type=json",
                     "import:./plain.js type=json", "import:./after.js"}));
}

TEST(JsImportsTest, DecodesEscapesWhenSpecifierHasThem) {
  EXPECT_EQ(scanned(R"js(import "./\x61.js"; import "./\u0062.js"; import "./\u{63}.js"; import './it\'s.js';)js"),
            (Strings{"import:./a.js", "import:./b.js", "import:./c.js", "import:./it's.js"}));
}

// --- what must not be read as an import ----------------------------------------------------------------------------

TEST(JsImportsTest, IgnoresImportsWhenInStringsOrComments) {
  EXPECT_EQ(scanned(R"js(
// import "./line-comment.js";
/* import "./block-comment.js"; export * from "./x.js" */
const s = "import x from './in-double.js'";
const t = 'import("./in-single.js")';
const u = "escaped \" import './in-escaped.js'";
/* a comment with a // inside */ import "./real.js";
)js"),
            (Strings{"import:./real.js"}));
}

TEST(JsImportsTest, IgnoresTemplateTextButReadsSubstitutions) {
  EXPECT_EQ(scanned(R"js(
const a = `import "./in-template.js"`;
const b = `outer ${`inner ${"import('./in-string.js')"} import "./in-inner-template.js"`} tail`;
const c = `${ { key: `}` }.key } import "./after-brace-in-substitution.js" ${ await import("./in-substitution.js") }`;
const d = `a /* not a comment */ // nor this
  multi-line ${ x / 2 } import "./still-template.js"`;
import "./after-templates.js";
)js"),
            (Strings{"dynamic:./in-substitution.js", "import:./after-templates.js"}));
}

TEST(JsImportsTest, ReadsRegexWhenSlashStartsExpression) {
  EXPECT_EQ(scanned(R"js(
const quote = /"/g;
const apostrophe = text.replace(/'/g, "\u2019");
const cls = /[/"']+/;
const escaped = /\/"/;
function f() { return /'/.test(s); }
if (ok) /"/.exec(x);
while (a) /`/.test(b);
for (const x of y) /'/.test(x);
const arrow = () => /"/;
const arr = [/'/, /"/];
x = y ? /'/ : /"/;
typeof /"/;
{ block(); }
/'/.test(s);
import "./after-regexes.js";
)js"),
            (Strings{"import:./after-regexes.js"}));
}

TEST(JsImportsTest, ReadsDivisionWhenSlashFollowsOperand) {
  EXPECT_EQ(scanned(R"js(
const half = total / 2; import "./a.js"; const quarter = total / 4;
const ratio = (a + b) / 2; import "./b.js"; const z = (c) / 3;
const el = arr[0] / 2; import "./c.js"; const w = arr[1] / 5;
const o = { a: 1 } / 2; import "./d.js"; const v = '/';
const n = 10 / 2 / 1; import "./e.js"; const m = 1 / 2;
const i = k++ / 2; import "./f.js"; const j = l-- / 3;
const p = this.value / 2; import "./g.js"; const q = obj.return / 2;
const t = `x` / 2; import "./h.js"; const r = "s" / 2;
)js"),
            (Strings{"import:./a.js", "import:./b.js", "import:./c.js", "import:./d.js", "import:./e.js",
                     "import:./f.js", "import:./g.js", "import:./h.js"}));
}

TEST(JsImportsTest, IgnoresPropertiesWhenNamedImportOrFetch) {
  EXPECT_EQ(scanned(R"js(
loader.import("./method.js");
cache.fetch("method.json");
const meta = import.meta.url;
const obj = { import: "./property.js", fetch: "p.json" };
const resolved = import.meta.resolve("./resolved.js");
)js"),
            Strings{});
}

// --- dynamic imports, new URL, fetch --------------------------------------------------------------------------------

TEST(JsImportsTest, ReadsDynamicImportWhenArgumentIsLiteral) {
  EXPECT_EQ(scanned(R"js(
const lazy = await import("./lazy.js");
button.onclick = () => import('./on-click.js').then((m) => m.run());
import(`./template.js`);
import("./with-options.json", { with: { type: "json" } });
import("./" + name + ".js");
import(`./${name}.js`);
import(name);
import ( "./spaced.js" );
)js"),
            (Strings{"dynamic:./lazy.js", "dynamic:./on-click.js", "dynamic:./template.js",
                     "dynamic:./with-options.json", "dynamic:./spaced.js"}));
}

TEST(JsImportsTest, ReadsNewUrlWhenBaseIsImportMetaUrl) {
  EXPECT_EQ(scanned(R"js(
const CATALOG_URL = new URL("../data/assets.json", import.meta.url);
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: "module" });
const img = new URL(`../img/a.png`, import.meta.url).href;
const page = new URL("x.json", location.href);
const computed = new URL(name, import.meta.url);
const concat = new URL("a" + ".json", import.meta.url);
)js"),
            (Strings{"new-url:../data/assets.json", "new-url:./worker.js", "new-url:../img/a.png"}));
}

TEST(JsImportsTest, ReadsFetchWhenArgumentIsLiteral) {
  EXPECT_EQ(scanned(R"js(
const r1 = await fetch("data/a.json");
const r2 = await window.fetch('/api/b.json', { headers: {} });
const r3 = await fetch(`c.json`);
const r4 = await fetch(url);
const r5 = await fetch("d" + ".json");
globalThis.fetch("e.json");
)js"),
            (Strings{"fetch:data/a.json", "fetch:/api/b.json", "fetch:c.json", "fetch:e.json"}));
}

// --- hostile and malformed input -----------------------------------------------------------------------------------

TEST(JsImportsTest, EndsWhenLiteralsAreUnterminated) {
  EXPECT_EQ(scanned("#!/usr/bin/env node\nimport './a.js'; const s = 'unterminated\nimport './b.js';"),
            (Strings{"import:./a.js", "import:./b.js"}));
  EXPECT_EQ(scanned("const r = /unterminated\nimport './c.js';"), (Strings{"import:./c.js"}));
  EXPECT_EQ(scanned("import './d.js'; const t = `never closed ${ import('./e.js')"),
            (Strings{"import:./d.js", "dynamic:./e.js"}));
  EXPECT_EQ(scanned("import './f.js'; /* never closed import './g.js'"), (Strings{"import:./f.js"}));
  EXPECT_EQ(scanned("import"), Strings{});
  EXPECT_EQ(scanned("import {"), Strings{});
  EXPECT_EQ(scanned("export * from"), Strings{});
  EXPECT_EQ(scanned("import x from './h.js' with {"), (Strings{"import:./h.js"}));
  EXPECT_EQ(scanned(""), Strings{});
}

TEST(JsImportsTest, EndsWhenNestingIsDeep) {
  std::string nested;
  for (int i = 0; i < 50000; ++i) nested += "`${";
  nested += "import('./deep.js')";
  for (int i = 0; i < 50000; ++i) nested += "}`";
  nested += "; import './after.js';";
  EXPECT_EQ(scanned(nested), (Strings{"dynamic:./deep.js", "import:./after.js"}));
  const std::string braces = std::string(100000, '{') + std::string(100000, '(') + "import('./x.js')";
  EXPECT_EQ(scanned(braces), (Strings{"dynamic:./x.js"}));
}

TEST(JsImportsTest, StopsWhenMaxReferencesReached) {
  std::string js;
  for (int i = 0; i < 100; ++i) js += "import './m" + std::to_string(i) + ".js';\n";
  JsScanOptions options;
  options.max_references = 2;
  EXPECT_EQ(scanned(js, options), (Strings{"import:./m0.js", "import:./m1.js"}));
}

// --- discover_js_module --------------------------------------------------------------------------------------------

TEST(JsImportsTest, ResolvesAgainstModuleWhenSpecifierIsUrlLike) {
  EXPECT_EQ(
      discovered(R"js(
import "./catalog.js";
import "../lib/util.js";
import "/vendor/x.js?v=1";
import "react";
import "lodash/get.js";
import "https://cdn.example/x.js";
import "https://example.com/js/same-origin.js";
import "data:text/javascript,export default 1";
export * from "./catalog.js";
export * from "./re.js";
)js",
                 "https://example.com/js/app.js"),
      (Strings{"/js/catalog.js module_script crossorigin js-import", "/lib/util.js module_script crossorigin js-import",
               "/vendor/x.js?v=1 module_script crossorigin js-import",
               "/js/same-origin.js module_script crossorigin js-import",
               "/js/re.js module_script crossorigin js-export"}));
}

TEST(JsImportsTest, ClassifiesWhenImportHasType) {
  EXPECT_EQ(discovered(R"js(
import data from "./data.json" with { type: "json" };
import sheet from "./sheet.css" with { type: "css" };
import wasm from "./mod.wasm" with { type: "webassembly" };
)js",
                       "/js/app.js"),
            (Strings{"/js/data.json fetch crossorigin js-import", "/js/sheet.css style crossorigin js-import"}));
}

TEST(JsImportsTest, MarksDynamicImportConditionalWhenIncluded) {
  const std::string js = "import './a.js'; import('./b.js'); import('c'); import('./a.js');";
  EXPECT_EQ(discovered(js, "/js/m.js"), (Strings{"/js/a.js module_script crossorigin js-import",
                                                 "/js/b.js module_script crossorigin conditional js-dynamic-import"}));
  JsDiscoveryOptions options;
  options.dynamic_imports = false;
  EXPECT_EQ(discovered(js, "/js/m.js", options), (Strings{"/js/a.js module_script crossorigin js-import"}));
}

TEST(JsImportsTest, ClassifiesNewUrlByExtensionWhenIncluded) {
  const std::string js = R"js(
new URL("../data/a.json", import.meta.url);
new URL("./w.js", import.meta.url);
new URL("../img/i.PNG?x", import.meta.url);
new URL("s.css", import.meta.url);
new URL("f.woff2", import.meta.url);
new URL("m.wasm", import.meta.url);
new URL("", import.meta.url);
new URL("#frag", import.meta.url);
)js";
  EXPECT_EQ(discovered(js, "/js/m.js"),
            (Strings{"/data/a.json fetch crossorigin js-new-url", "/js/w.js other js-new-url",
                     "/img/i.PNG?x image js-new-url", "/js/s.css style js-new-url",
                     "/js/f.woff2 font crossorigin js-new-url", "/js/m.wasm fetch crossorigin js-new-url"}));
  JsDiscoveryOptions options;
  options.new_urls = false;
  EXPECT_EQ(discovered(js, "/js/m.js", options), Strings{});
}

TEST(JsImportsTest, ResolvesFetchAgainstDocumentWhenEnabled) {
  const std::string js = R"js(fetch("data/x.json"); fetch("/abs.json"); import "./dep.js";)js";
  EXPECT_EQ(discovered(js, "/js/m.js"), (Strings{"/js/dep.js module_script crossorigin js-import"}));
  JsDiscoveryOptions options;
  options.fetch_document = must_parse("/pages/index.html");
  EXPECT_EQ(discovered(js, "/js/m.js", options),
            (Strings{"/pages/data/x.json fetch crossorigin js-fetch", "/abs.json fetch crossorigin js-fetch",
                     "/js/dep.js module_script crossorigin js-import"}));
}

TEST(JsImportsTest, ChecksPageOriginWhenGiven) {
  JsDiscoveryOptions options;
  options.page = must_parse("https://example.com/");
  options.level = 1;
  const auto resources = discover_js_module("import './cdn.js'; import 'https://example.com/own.js';",
                                            must_parse("https://cdn.example/"), options);
  ASSERT_EQ(resources.size(), 1u);
  EXPECT_EQ(resources[0].path, "/own.js");
  EXPECT_EQ(resources[0].level, 1);
}

// --- the demo site -------------------------------------------------------------------------------------------------

TEST(JsImportsTest, FindsCatalogAndWaterfallWhenDemoAppJs) {
  const std::vector<Resource> expected = {
      {"/js/catalog.js", Destination::module_script, false, true, false, 2, "js-import"},
      {"/js/waterfall.js", Destination::module_script, false, true, false, 2, "js-import"},
  };
  EXPECT_EQ(discover_js_module(read_demo_file("js/app.js"), must_parse("/js/app.js")), expected);
}

TEST(JsImportsTest, FindsFormatAndAssetsWhenDemoCatalogJs) {
  JsDiscoveryOptions options;
  options.level = 3;
  const std::vector<Resource> expected = {
      {"/js/format.js", Destination::module_script, false, true, false, 3, "js-import"},
      {"/data/assets.json", Destination::fetch, false, true, false, 3, "js-new-url"},
  };
  EXPECT_EQ(discover_js_module(read_demo_file("js/catalog.js"), must_parse("/js/catalog.js"), options), expected);
}

TEST(JsImportsTest, FindsFormatWhenDemoWaterfallJs) {
  const std::vector<Resource> expected = {
      {"/js/format.js", Destination::module_script, false, true, false, 2, "js-import"},
  };
  EXPECT_EQ(discover_js_module(read_demo_file("js/waterfall.js"), must_parse("/js/waterfall.js")), expected);
}

TEST(JsImportsTest, FindsNothingWhenDemoLeafScripts) {
  EXPECT_EQ(discover_js_module(read_demo_file("js/format.js"), must_parse("/js/format.js")), std::vector<Resource>{});
  // site.js is a classic script; its new URL(href, window.location.href) names no literal.
  EXPECT_EQ(discover_js_module(read_demo_file("js/site.js"), must_parse("/js/site.js")), std::vector<Resource>{});
}

}  // namespace
}  // namespace h2push::push
