// tests/push/css_discovery_test.cpp: what a style sheet makes the browser fetch: @import (top only), @font-face
// src, url() in declarations, image-set(); resolution against the sheet's URL; the demo site's style sheets.
#include "push/css_discovery.hpp"

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

// Each reference as "kind:url", with " media" / " conditional" when set.
Strings scanned(std::string_view css, const CssScanOptions& options = {}) {
  Strings out;
  for (const CssReference& reference : scan_css(css, options)) {
    std::string text;
    switch (reference.kind) {
      case CssReferenceKind::import_rule:
        text = "import:";
        break;
      case CssReferenceKind::font_face:
        text = "font:";
        break;
      case CssReferenceKind::url:
        text = "url:";
        break;
    }
    text += reference.url;
    if (reference.media_query) text += " media";
    if (reference.conditional) text += " conditional";
    out.push_back(std::move(text));
  }
  return out;
}

Url must_parse(std::string_view text) {
  auto url = parse_url(text);
  EXPECT_TRUE(url) << text;
  return url ? *url : Url{};
}

// Each resource as "path as [critical] [crossorigin] [conditional] source".
Strings discovered(std::string_view css, std::string_view sheet_url, const CssDiscoveryOptions& options = {}) {
  Strings out;
  for (const Resource& r : discover_css(css, must_parse(sheet_url), options)) {
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

// --- @import ---------------------------------------------------------------------------------------------------

TEST(CssDiscoveryTest, ReadsEveryImportFormWhenAtTop) {
  EXPECT_EQ(scanned(R"(@charset "utf-8";
@import "a.css";
@import url(b.css) screen;
@import url("c.css") print;
@import url( 'd.css' ) layer(base) supports(display: grid);
@IMPORT 'e.css' (min-width: 40em);
@import url(f.css) only screen and (orientation: landscape);
@import "g.css" layer;
@import src("h.css") all;
)"),
            (Strings{"import:a.css", "import:b.css", "import:c.css media", "import:d.css conditional",
                     "import:e.css media", "import:f.css media", "import:g.css", "import:h.css"}));
}

TEST(CssDiscoveryTest, IgnoresImportWhenAfterAnotherRule) {
  EXPECT_EQ(scanned(R"(@import "a.css"; body { color: red } @import "late.css";)"), (Strings{"import:a.css"}));
  EXPECT_EQ(scanned(R"(@font-face { font-family: x } @import "late.css";)"), Strings{});
  EXPECT_EQ(scanned(R"(@media print { } @import "late.css";)"), Strings{});
  EXPECT_EQ(scanned(R"(@layer base { } @import "late.css";)"), Strings{});
  // @namespace must follow the imports; its url() fetches nothing.
  EXPECT_EQ(scanned(R"(@namespace svg url(http://www.w3.org/2000/svg); @import "late.css";)"), Strings{});
}

TEST(CssDiscoveryTest, KeepsImportWhenOnlyCharsetLayerStatementsOrInvalidImportsPrecede) {
  EXPECT_EQ(scanned(R"(<!-- @charset "utf-8"; @layer reset, base; @import ; @import foo; @import "a.css"; -->
@import "b.css" { color: red } @import url(c.css))"),
            (Strings{"import:a.css", "import:c.css"}));
}

TEST(CssDiscoveryTest, IgnoresImportWhenNestedInBlock) {
  EXPECT_EQ(scanned(R"(@media screen { @import "in-media.css"; } a { @import "in-rule.css"; })"), Strings{});
}

TEST(CssDiscoveryTest, KeepsImportWhenInputEndsInsideIt) {
  EXPECT_EQ(scanned(R"(@import url(a.css) supports(display: grid)"), (Strings{"import:a.css conditional"}));
  EXPECT_EQ(scanned(R"(@import "b.css")"), (Strings{"import:b.css"}));
}

// --- url() -------------------------------------------------------------------------------------------------------

TEST(CssDiscoveryTest, FindsUrlInEveryPropertyWhenDeclared) {
  EXPECT_EQ(scanned(R"(
body {
  background: #fff url("img/paper.png") repeat, url(img/second.png) no-repeat;
  background-image: url('img/hero.jpg');
}
ul { list-style: square url(icons/bullet.svg) inside; list-style-image: url(icons/b2.svg) }
.grab { cursor: url(cursors/grab.cur) 4 4, url("cursors/grab.png"), grab; }
.frame { border-image: url(frame.png) 30 round; border-image-source: url(frame2.png); }
.masked { mask: url(masks/m.svg#shape) no-repeat; -webkit-mask-image: url(masks/w.svg); mask-border: url(mb.svg) }
.q::before { content: url(icons/quote.svg) " "; }
.shape { shape-outside: url(shape.png); filter: url(filters.svg#blur); }
)"),
            (Strings{"url:img/paper.png", "url:img/second.png", "url:img/hero.jpg", "url:icons/bullet.svg",
                     "url:icons/b2.svg", "url:cursors/grab.cur", "url:cursors/grab.png", "url:frame.png",
                     "url:frame2.png", "url:masks/m.svg#shape", "url:masks/w.svg", "url:mb.svg", "url:icons/quote.svg",
                     "url:shape.png", "url:filters.svg#blur"}));
}

TEST(CssDiscoveryTest, IgnoresUrlsWhenInCommentsStringsOrSelectors) {
  EXPECT_EQ(scanned(R"css(/* .old { background: url(commented.png) } */
a[href$="url(selector.png)"], a[data-x=url] { content: "url(string.png)"; background: url(real.png) }
// not a comment in CSS: this line is part of a selector { background: url(after-slashes.png) }
)css"),
            (Strings{"url:real.png", "url:after-slashes.png"}));
}

TEST(CssDiscoveryTest, DecodesEscapesWhenUrlIsEscaped) {
  EXPECT_EQ(scanned(R"(a { background: \75 rl(escaped.png); b: url(sp\ ace.png); c: url("q\"uote.png");
d: url(\2e\2e/up.png); e: U\52L( "upper.png" ) })"),
            (Strings{"url:escaped.png", "url:sp ace.png", "url:q\"uote.png", "url:../up.png", "url:upper.png"}));
}

TEST(CssDiscoveryTest, RecoversWhenUrlIsBad) {
  EXPECT_EQ(scanned(R"(a { background: url(bad url.png); color: red }
b { background: url(a(b).png) } c { background: url(good.png) }
d { background: url("unclosed.png
); } e { background: url(after-bad-string.png) })"),
            (Strings{"url:good.png", "url:after-bad-string.png"}));
}

TEST(CssDiscoveryTest, FindsUrlWhenRulesAreNested) {
  EXPECT_EQ(scanned(R"(
@media (min-width: 40em) { .hero { background: url(wide.jpg) } }
@supports (display: grid) { @media screen { .g { background: url(grid.png) } } }
.card { background: url(card.png); &:hover { background: url(hover.png) } @media (x) { background: url(m.png) } }
@keyframes pulse { from { background: url(k1.png) } 50% { background: url(k2.png) } }
@page :first { background: url(page.png) }
:root { --texture: url(var.png); --empty: ; }
@-moz-document url-prefix(https://example.com/) { a { background: url(doc.png) } }
@counter-style thumbs { system: cyclic; symbols: url(thumb.svg); }
)"),
            (Strings{"url:wide.jpg", "url:grid.png", "url:card.png", "url:hover.png", "url:m.png", "url:k1.png",
                     "url:k2.png", "url:page.png", "url:var.png", "url:doc.png", "url:thumb.svg"}));
}

TEST(CssDiscoveryTest, KeepsBlockOpenWhenCloseBraceIsInsideParentheses) {
  // §5.4.8: a '}' inside (...) is a component value of the group, not the end of the rule.
  EXPECT_EQ(scanned("a { b: (}); background: url(x.png) } c { background: url(y.png) }"),
            (Strings{"url:x.png", "url:y.png"}));
  EXPECT_EQ(scanned("a { b: [}]; background: url(x.png) } ) ] c { background: url(y.png) }"),
            (Strings{"url:x.png", "url:y.png"}));
}

TEST(CssDiscoveryTest, ReportsUrlWhenBlockIsUnclosed) {
  EXPECT_EQ(scanned("a { background: url(x.png); b { c { background: url(deep.png)"),
            (Strings{"url:x.png", "url:deep.png"}));
}

TEST(CssDiscoveryTest, TakesFirstCandidateWhenImageSet) {
  EXPECT_EQ(scanned(R"(
.a { background-image: image-set("a.png" 1x, "a-2x.png" 2x); }
.b { background: -webkit-image-set(url(w.png) 1x, url(w2.png) 2x), url(after.png); }
.c { background: image-set(url("q.avif") type("image/avif"), url(q.jpg) type("image/jpeg")); }
.d { background: image-set(linear-gradient(red, blue) 1x, "d-2x.png" 2x); }
)"),
            (Strings{"url:a.png conditional", "url:w.png conditional", "url:after.png", "url:q.avif conditional",
                     "url:d-2x.png conditional"}));
}

TEST(CssDiscoveryTest, ReadsDeclarationListWhenStyleAttribute) {
  CssScanOptions options;
  options.declaration_list = true;
  EXPECT_EQ(scanned("background: url(a.png); cursor: url(c.cur), auto; @import 'no.css'", options),
            (Strings{"url:a.png", "url:c.cur"}));
  EXPECT_EQ(scanned("background: url(a.png)"), Strings{});  // read as a sheet, it is a rule prelude
}

// --- @font-face ---------------------------------------------------------------------------------------------------

TEST(CssDiscoveryTest, TakesFirstSupportedSourceWhenFontFace) {
  EXPECT_EQ(scanned(R"(
@font-face { font-family: A; src: url(a.woff2) format("woff2"), url(a.woff) format("woff"); }
@font-face {
  font-family: "B";
  src: url("b.eot?#iefix") format("embedded-opentype"),
       url(b.svg#b) format("svg"),
       url(b.ttf) format("truetype");
}
@font-face { font-family: C; src: local("C Regular"), local(C-Regular), url(c.otf); }
@font-face { font-family: D; src: url(d.woff2) format(woff2) tech(variations); }
@font-face { font-family: E; src: url(e.ttf) format("truetype-variations"); }
@font-face { font-family: F; src: url(f.svg) format("svg"); }
@font-face { font-family: G; src: url(g.woff) format("woff", "opentype"); }
)"),
            (Strings{"font:a.woff2", "font:b.ttf", "font:c.otf", "font:d.woff2", "font:e.ttf", "font:g.woff"}));
}

TEST(CssDiscoveryTest, TakesLastSrcWhenFontFaceHasSeveral) {
  EXPECT_EQ(scanned(R"(@font-face {
  font-family: Legacy;
  src: url(legacy.eot);
  src: url(legacy.woff2) format("woff2"), url(legacy.woff) format("woff");
  src: url(only.svg) format("svg");
  font-display: swap;
})"),
            (Strings{"font:legacy.woff2"}));
}

TEST(CssDiscoveryTest, IgnoresOtherDescriptorsWhenFontFace) {
  EXPECT_EQ(scanned(R"(@font-face { font-family: url(not-a-font.woff); x-src: url(nope.woff); src:url(yes.woff)})"),
            (Strings{"font:yes.woff"}));
}

TEST(CssDiscoveryTest, FindsFontFaceWhenInGroupRuleOrUnclosed) {
  EXPECT_EQ(scanned(R"(@media screen { @font-face { src: url(m.woff2) format("woff2") } }
.x { @font-face { src: url(nested-in-style-rule.woff) } }
@font-face { src: url(open.woff2) format("woff2"))"),
            (Strings{"font:m.woff2", "font:open.woff2"}));
}

// --- limits --------------------------------------------------------------------------------------------------------

TEST(CssDiscoveryTest, StopsWhenMaxReferencesReached) {
  std::string css = "a {";
  for (int i = 0; i < 100; ++i) css += " b: url(x" + std::to_string(i) + ".png);";
  CssScanOptions options;
  options.max_references = 3;
  EXPECT_EQ(scanned(css, options), (Strings{"url:x0.png", "url:x1.png", "url:x2.png"}));
}

TEST(CssDiscoveryTest, EndsWhenNestingIsDeep) {
  const std::string deep_blocks = "a " + std::string(100000, '{') + " background: url(deep.png) ";
  EXPECT_EQ(scanned(deep_blocks), (Strings{"url:deep.png"}));
  const std::string deep_groups = "a { b: " + std::string(100000, '(') + " url(in-group.png) ";
  EXPECT_EQ(scanned(deep_groups), (Strings{"url:in-group.png"}));
  const std::string deep_image_set =
      "a { b: " + std::string(50000, '[') + "image-set(" + std::string(50000, '(') + "url(i.png) url(j.png)";
  EXPECT_EQ(scanned(deep_image_set), (Strings{"url:i.png conditional"}));
}

// --- discover_css --------------------------------------------------------------------------------------------------

TEST(CssDiscoveryTest, ResolvesAgainstSheetWhenRelative) {
  EXPECT_EQ(
      discovered(R"(@import "base.css";
@font-face { src: url(../fonts/f.woff2) format("woff2") }
a { background: url(../img/a.png); }
b { background: url(/img/b.png?v=2#frag); }
c { background: url(sub/c.png) }
)",
                 "/css/main.css"),
      (Strings{"/css/base.css style critical css-import", "/fonts/f.woff2 font critical crossorigin css-font-face",
               "/img/a.png image css-url", "/img/b.png?v=2 image css-url", "/css/sub/c.png image css-url"}));
}

TEST(CssDiscoveryTest, SkipsWhenUrlFetchesNothingFromUs) {
  EXPECT_EQ(discovered(R"(a {
  background: url(data:image/png;base64,iVBORw0KGgo=);
  clip-path: url(#clip);
  filter: url("  #blur");
  b: url();
  c: url("");
  d: url(https://cdn.example/x.png);
  e: url(//cdn.example/y.png);
  f: url(javascript:alert(1));
  g: url(kept.png);
})",
                       "/css/site.css"),
            (Strings{"/css/kept.png image css-url"}));
}

TEST(CssDiscoveryTest, KeepsAbsoluteUrlWhenSameOrigin) {
  EXPECT_EQ(discovered("a { b: url(https://example.com/img/x.png); c: url(https://other.example/y.png) }",
                       "https://example.com/css/a.css"),
            (Strings{"/img/x.png image css-url"}));
}

TEST(CssDiscoveryTest, ClassifiesImportsWhenConditional) {
  EXPECT_EQ(discovered(R"(@import "print.css" print; @import url(grid.css) supports(display: grid);)", "/s.css"),
            (Strings{"/print.css style css-import", "/grid.css style conditional css-import"}));
}

TEST(CssDiscoveryTest, KeepsFirstOccurrenceWhenPathRepeats) {
  EXPECT_EQ(discovered(R"(@import "x.css" print; @import "./x.css";
a { background: url(x.css); list-style-image: url(p.png) } b { background: url(./p.png) }
c { background-image: image-set("p.png" 1x) })",
                       "/css/a.css"),
            (Strings{"/css/x.css style critical css-import", "/css/p.png image css-url"}));
}

TEST(CssDiscoveryTest, SetsLevelAndChecksPageOriginWhenGiven) {
  CssDiscoveryOptions options;
  options.level = 1;
  options.page = must_parse("https://example.com/index.html");
  // Inline CSS of a page whose <base href> points at a CDN: relative URLs are the CDN's.
  const auto resources = discover_css("a { b: url(x.png); c: url(https://example.com/y.png) }",
                                      must_parse("https://cdn.example/"), options);
  ASSERT_EQ(resources.size(), 1u);
  EXPECT_EQ(resources[0].path, "/y.png");
  EXPECT_EQ(resources[0].level, 1);
}

// --- the demo site -------------------------------------------------------------------------------------------------

TEST(CssDiscoveryTest, FindsDemoSiteChainWhenMainCss) {
  // main.css @imports base.css, declares the dot-matrix font and lays the paper texture behind the page.
  const std::vector<Resource> main = discover_css(read_demo_file("css/main.css"), must_parse("/css/main.css"));
  const std::vector<Resource> expected = {
      {"/css/base.css", Destination::style, true, false, false, 2, "css-import"},
      {"/fonts/dots.woff", Destination::font, true, true, false, 2, "css-font-face"},
      {"/img/paper.png", Destination::image, false, false, false, 2, "css-url"},
  };
  EXPECT_EQ(main, expected);
}

TEST(CssDiscoveryTest, FindsWaveWhenDemoBaseCss) {
  CssDiscoveryOptions options;
  options.level = 3;  // base.css is itself a level-2 file of the page
  const std::vector<Resource> base = discover_css(read_demo_file("css/base.css"), must_parse("/css/base.css"), options);
  const std::vector<Resource> expected = {{"/img/wave.svg", Destination::image, false, false, false, 3, "css-url"}};
  EXPECT_EQ(base, expected);
}

TEST(CssDiscoveryTest, FindsNothingWhenDemoWaterfallCss) {
  EXPECT_EQ(discover_css(read_demo_file("css/waterfall.css"), must_parse("/css/waterfall.css")),
            std::vector<Resource>{});
}

}  // namespace
}  // namespace h2push::push
