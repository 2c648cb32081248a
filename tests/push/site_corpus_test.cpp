// tests/push/site_corpus_test.cpp: whole plans of the hand-written sites under tests/push/sites/, which mimic real
// ones: a shop page behind <base href> with CDN references, srcset, <picture>, nested and cyclic @imports, CSS
// escapes and comments; a single-page app whose module graph has cycles, re-exports, JSON and CSS modules and dynamic
// imports; a documentation site with directory indexes, dot segments, a deep @import chain and a file over budget.
// Each test asserts the exact ordered plan.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "push/site_plan.hpp"
#include "push/site_test_util.hpp"

namespace h2push::push {
namespace {

using testing::describe;
using testing::DirectorySite;

std::shared_ptr<const PagePlan> plan_of(const std::string& site, const std::string& page, PlanOptions options = {}) {
  SitePlanner planner(std::make_shared<DirectorySite>(std::string(H2PUSH_PLAN_SITES_DIR) + "/" + site), options);
  return planner.plan(page);
}

TEST(SiteCorpusTest, ShopProductPageBehindABaseHref) {
  const auto plan = plan_of("shop", "/products/lamp.html");
  ASSERT_NE(plan, nullptr);
  const std::vector<std::string> expected = {
      // Render-blocking: the style sheet, the preloaded font (named again by the critical sheet), the sync script
      // in <head>; then the sheets shop.css imports for all or screen media.
      "/static/v2/css/shop.css style L1 u4 critical <link>",
      "/static/v2/fonts/lumen-sans.woff2 font L1 u4 critical crossorigin <link>",
      "/static/v2/js/polyfills.js script L1 u4 critical <script>",
      "/static/v2/css/base.css style L2 u4 critical <css-import>",
      "/static/v2/css/components/buttons.css style L2 u4 critical <css-import>",
      // Not render-blocking: the print sheet, deferred and body scripts, the print import and its font.
      "/static/v2/css/print.css style L1 u5 <link>",
      "/static/v2/js/cart.js script L1 u5 <script>",
      "/static/v2/js/product.js script L1 u5 <script>",
      "/static/v2/css/components/print-only.css style L2 u5 <css-import>",
      "/static/v2/fonts/print-serif.woff2 font L3 u5 crossorigin <css-font-face>",
      // Images: the icon, the inline <style>'s badge, the srcset's default pick, the style attribute's swatch, then
      // what the sheets name, level by level.
      "/favicon.ico image L1 u6 <link>",
      "/static/v2/img/badge-sale.svg image L1 u6 <css-url>",
      "/static/v2/img/logo.svg image L1 u6 <img>",
      "/static/v2/img/products/lamp-800.jpg image L1 u6 <img>",
      "/static/v2/img/swatches/brass.png image L1 u6 <css-url>",
      "/static/v2/img/hero-texture.png image L2 u6 <css-url>",
      "/static/v2/img/icons.svg image L2 u6 <css-url>",
      "/static/v2/img/hero-texture-wide.png image L2 u6 <css-url>",
      "/static/v2/img/print-bg.png image L2 u6 <css-url>",
      "/static/v2/img/paper.png image L3 u6 <css-url>",
      "/static/v2/img/btn-gradient.png image L3 u6 <css-url>",
  };
  EXPECT_EQ(describe(*plan), expected);
  // lamp-400, lamp-1600 (srcset), lamp-detail.avif and .jpg (<picture> with a type switch), related-1 (lazy),
  // star.png (image-set); missing.png does not exist.
  EXPECT_EQ(plan->conditional, 6u);
  EXPECT_EQ(plan->unservable, 1u);
  EXPECT_FALSE(plan->truncated);
  EXPECT_EQ(plan->files_parsed, 6u);  // the page, shop, print, base, buttons, print-only (not too-late.css)
  EXPECT_EQ(plan->page, "/products/lamp.html");
}

TEST(SiteCorpusTest, SinglePageAppModuleGraph) {
  const auto plan = plan_of("app", "/");
  ASSERT_NE(plan, nullptr);
  const std::vector<std::string> expected = {
      "/src/styles/app.css style L1 u4 critical <link>",
      "/src/styles/tokens.css style L2 u4 critical <css-import>",
      "/fonts/ui.woff2 font L2 u4 critical crossorigin <css-font-face>",
      // The modulepreload and the inline module's import, then the static graph level by level; each module once
      // despite the cycles (boot -> main -> ... ; store/index <-> api/client; reducers -> store/index).
      "/src/main.js module_script L1 u5 crossorigin <link>",
      "/src/boot.js module_script L1 u5 crossorigin <js-import>",
      "/src/store/index.js module_script L2 u5 crossorigin <js-import>",
      "/src/api/client.js module_script L2 u5 crossorigin <js-import>",
      "/src/styles/widgets.css style L2 u5 crossorigin <js-import>",
      "/src/version.js module_script L2 u5 crossorigin <js-export>",
      "/src/dom.js module_script L2 u5 crossorigin <js-import>",
      "/src/store/reducers.js module_script L3 u5 crossorigin <js-export>",
      "/config/app.json fetch L2 u6 crossorigin <js-import>",
      "/src/worker.js other L2 u6 <js-new-url>",
      "/wasm/engine.wasm fetch L2 u6 crossorigin <js-new-url>",
      "/img/check.svg image L2 u6 <css-url>",
      "/img/widget-bg.png image L3 u6 <css-url>",
      "/img/noise.png image L3 u6 <css-url>",
  };
  EXPECT_EQ(describe(*plan), expected);
  EXPECT_EQ(plan->conditional, 1u);  // import("./views/settings.js")
  EXPECT_EQ(plan->unservable, 0u);
  EXPECT_FALSE(plan->truncated);
}

TEST(SiteCorpusTest, DocsIndexWithADeepImportChainCutAtTheDepthBudget) {
  const auto plan = plan_of("docs", "/");
  ASSERT_NE(plan, nullptr);
  const std::vector<std::string> expected = {
      "/theme/theme.css style L1 u4 critical <link>",
      "/theme/chain/a.css style L2 u4 critical <css-import>",
      "/theme/chain/b.css style L3 u4 critical <css-import>",
      "/theme/chain/c.css style L4 u4 critical <css-import>",  // level 4 = max_depth: listed, not read
      "/theme/search.js script L1 u5 <script>",
      "/img/Logo.PNG image L1 u6 <img>",
      "/img/grid.png image L2 u6 <css-url>",
      "/theme/chain/a.png image L3 u6 <css-url>",
      "/theme/chain/b.png image L4 u6 <css-url>",
  };
  EXPECT_EQ(describe(*plan), expected);
  EXPECT_TRUE(plan->truncated);

  PlanOptions deeper;
  deeper.max_depth = 6;
  const auto full = plan_of("docs", "/index.html", deeper);
  ASSERT_NE(full, nullptr);
  EXPECT_FALSE(full->truncated);
  EXPECT_EQ(full->resources.size(), expected.size() + 3);  // d.css, c.png, d.png
  EXPECT_EQ(full->page, "/index.html");
}

TEST(SiteCorpusTest, DocsGuideResolvesDotSegmentsBackslashesAndSpaces) {
  PlanOptions options;
  options.max_file_bytes = 4096;  // huge.css (8.5 KiB) is planned but not read
  const auto plan = plan_of("docs", "/guide/", options);
  ASSERT_NE(plan, nullptr);
  const std::vector<std::string> expected = {
      "/theme/theme.css style L1 u4 critical <link>",
      "/theme/huge.css style L1 u4 critical <link>",
      "/theme/chain/a.css style L2 u4 critical <css-import>",
      "/theme/chain/b.css style L3 u4 critical <css-import>",
      "/theme/chain/c.css style L4 u4 critical <css-import>",
      "/theme/search.js script L1 u5 <script>",
      "/guide/diagrams/flow.svg image L1 u6 <img>",  // three spellings, one path
      "/guide/diagrams/flow%20chart.svg image L1 u6 <img>",
      "/img/Logo.PNG?v=2 image L1 u6 <img>",
      "/img/grid.png image L2 u6 <css-url>",
      "/theme/chain/a.png image L3 u6 <css-url>",
      "/theme/chain/b.png image L4 u6 <css-url>",
  };
  EXPECT_EQ(describe(*plan), expected);
  EXPECT_TRUE(plan->truncated);
  EXPECT_EQ(plan->files_parsed, 4u);  // the page, theme, a, b: not huge.css, not c.css (at max_depth)
}

TEST(SiteCorpusTest, NotAPage) {
  EXPECT_EQ(plan_of("docs", "/theme/theme.css"), nullptr);  // not HTML
  EXPECT_EQ(plan_of("docs", "/missing.html"), nullptr);
  EXPECT_EQ(plan_of("docs", "/../docs/index.html"), nullptr);
  EXPECT_EQ(plan_of("docs", "index.html"), nullptr);  // not a path
}

}  // namespace
}  // namespace h2push::push
