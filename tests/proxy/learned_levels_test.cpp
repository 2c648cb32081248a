// tests/proxy/learned_levels_test.cpp: the levels below a learned page: what the style sheets and modules it names
// name in turn, learned from their bodies as they pass through the proxy (src/proxy/learned_plans.hpp,
// src/proxy/learned_levels.hpp), ranked like the site planner's plans.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy/learned_plans.hpp"

namespace h2push::proxy {
namespace {

constexpr std::string_view kHost = "a.test";  // the request's authority every call names

std::vector<std::string> paths(const push::PagePlan& plan) {
  std::vector<std::string> out;
  for (const auto& r : plan.resources) out.push_back(r.resource.path);
  return out;
}

const push::PlannedResource* find(const push::PagePlan& plan, std::string_view path) {
  for (const auto& r : plan.resources) {
    if (r.resource.path == path) return &r;
  }
  return nullptr;
}

constexpr std::string_view kPage = R"(<!doctype html><html><head>
<link rel="stylesheet" href="/css/site.css">
<script type="module" src="/js/main.js"></script>
</head><body><img src="/img/logo.png"></body></html>)";

constexpr std::string_view kSiteCss = R"(@import url("base.css");
@font-face { font-family: Body; src: url(/fonts/body.woff2) format("woff2"); }
body { background: url(../img/bg.png); }
.cdn { background: url(https://cdn.example/x.png); }
@font-face { font-family: Far; src: url(//cdn.example/far.woff2); }
)";

TEST(LearnedLevels, StyleSheetBodiesAddImportsFontsAndImagesRankedLikeThePlanner) {
  LearnedPlans store;
  store.learn(0, kHost, "/", kPage);
  EXPECT_TRUE(store.wants_body(0, kHost, "/css/site.css"));
  EXPECT_TRUE(store.wants_body(0, kHost, "/js/main.js"));
  EXPECT_FALSE(store.wants_body(0, kHost, "/img/logo.png"));   // an image names nothing
  EXPECT_FALSE(store.wants_body(0, kHost, "/css/other.css"));  // no learned page names it
  store.learn_asset(0, kHost, "/css/site.css", "\"s1\"", "", "text/css; charset=utf-8", kSiteCss);
  const auto plan = store.plan(0, kHost, "/");
  ASSERT_NE(plan, nullptr);
  // Render-blocking (the sheet, its @import, its font), then modules, then images; by level within a group. The
  // cross-origin image and font are not there.
  const std::vector<std::string> want = {"/css/site.css", "/css/base.css", "/fonts/body.woff2",
                                         "/js/main.js",   "/img/logo.png", "/img/bg.png"};
  EXPECT_EQ(paths(*plan), want);
  EXPECT_EQ(find(*plan, "/css/base.css")->resource.level, 2);
  EXPECT_EQ(find(*plan, "/fonts/body.woff2")->resource.as, push::Destination::font);
  EXPECT_TRUE(find(*plan, "/fonts/body.woff2")->resource.crossorigin);
  EXPECT_EQ(find(*plan, "/fonts/body.woff2")->urgency, 4);
  EXPECT_EQ(find(*plan, "/js/main.js")->urgency, 5);
  EXPECT_EQ(find(*plan, "/img/bg.png")->urgency, 6);
  EXPECT_EQ(find(*plan, "/img/bg.png")->resource.level, 2);
  // The @imported sheet is wanted in turn, and what it names is level 3.
  EXPECT_TRUE(store.wants_body(0, kHost, "/css/base.css"));
  store.learn_asset(0, kHost, "/css/base.css", "\"b1\"", "", "text/css", "h1 { background: url(/img/h1.png) }");
  const auto deeper = store.plan(0, kHost, "/");
  ASSERT_NE(find(*deeper, "/img/h1.png"), nullptr);
  EXPECT_EQ(find(*deeper, "/img/h1.png")->resource.level, 3);
}

TEST(LearnedLevels, ModuleBodiesAddTheirStaticImports) {
  LearnedPlans store;
  store.learn(0, kHost, "/", kPage);
  store.learn_asset(0, kHost, "/js/main.js", "\"m1\"", "", "text/javascript",
                    "import { a } from './util.js';\nexport * from '/js/more.js';\nimport('./lazy.js');\n"
                    "import 'react';\nimport x from 'https://cdn.example/lib.js';\n");
  const auto plan = store.plan(0, kHost, "/");
  ASSERT_NE(plan, nullptr);
  const std::vector<std::string> want = {"/css/site.css", "/js/main.js", "/js/util.js", "/js/more.js", "/img/logo.png"};
  EXPECT_EQ(paths(*plan), want);  // import() is conditional; bare and cross-origin specifiers are skipped
  EXPECT_EQ(find(*plan, "/js/util.js")->resource.as, push::Destination::module_script);
  EXPECT_FALSE(find(*plan, "/js/util.js")->resource.critical);
  EXPECT_TRUE(store.wants_body(0, kHost, "/js/util.js"));
  store.learn_asset(0, kHost, "/js/util.js", "", "Mon, 23 Nov 2026 10:00:00 GMT", "application/javascript",
                    "import './deep.js';");
  EXPECT_EQ(find(*store.plan(0, kHost, "/"), "/js/deep.js")->resource.level, 3);
}

TEST(LearnedLevels, ASheetParsedAsJavaScriptIsNotFollowedNorTheReverse) {
  LearnedPlans store;
  store.learn(0, kHost, "/", kPage);
  store.learn_asset(0, kHost, "/css/site.css", "", "", "text/javascript", "import './x.js';");
  store.learn_asset(0, kHost, "/js/main.js", "", "", "text/css", "a { background: url(/y.png) }");
  store.learn_asset(0, kHost, "/js/other.js", "", "", "image/png", "import './z.js';");  // not parsed at all
  EXPECT_EQ(store.plan(0, kHost, "/")->resources.size(), 3u);
}

TEST(LearnedLevels, ANewValidatorHidesTheOldChildrenUntilTheNewBodyIsLearned) {
  LearnedPlans store;
  store.learn(0, kHost, "/", kPage);
  store.observe_asset(0, kHost, "/css/site.css", "\"v1\"", "", 50, "text/css");
  store.learn_asset(0, kHost, "/css/site.css", "\"v1\"", "", "text/css", "@font-face { src: url(/fonts/old.woff2) }");
  ASSERT_NE(find(*store.plan(0, kHost, "/"), "/fonts/old.woff2"), nullptr);
  // A 304 or a repeat of the same version changes nothing.
  store.observe_asset(0, kHost, "/css/site.css", "\"v1\"", "", 50, "text/css");
  ASSERT_NE(find(*store.plan(0, kHost, "/"), "/fonts/old.woff2"), nullptr);
  // The sheet changed upstream: its old children no longer count...
  store.observe_asset(0, kHost, "/css/site.css", "\"v2\"", "", 60, "text/css");
  EXPECT_EQ(find(*store.plan(0, kHost, "/"), "/fonts/old.woff2"), nullptr);
  EXPECT_EQ(store.plan(0, kHost, "/")->resources.size(), 3u);
  // ...and its new body's do.
  store.learn_asset(0, kHost, "/css/site.css", "\"v2\"", "", "text/css", "@font-face { src: url(/fonts/new.woff2) }");
  const auto plan = store.plan(0, kHost, "/");
  EXPECT_EQ(find(*plan, "/fonts/old.woff2"), nullptr);
  ASSERT_NE(find(*plan, "/fonts/new.woff2"), nullptr);
  EXPECT_EQ(find(*plan, "/css/site.css")->stat.version, "\"v2\"");
}

TEST(LearnedLevels, ChildrenThatStopAppearingAreForgotten) {
  LearnedPlans store;
  store.learn(0, kHost, "/", kPage);
  store.learn_asset(0, kHost, "/css/site.css", "", "", "text/css", "a { background: url(/img/a.png) }");
  ASSERT_NE(find(*store.plan(0, kHost, "/"), "/img/a.png"), nullptr);
  store.learn_asset(0, kHost, "/css/site.css", "", "", "text/css", "b { color: red }");
  EXPECT_EQ(find(*store.plan(0, kHost, "/"), "/img/a.png"), nullptr);
}

TEST(LearnedLevels, ImportCyclesEnd) {
  LearnedPlans store;
  store.learn(0, kHost, "/", R"(<link rel="stylesheet" href="/a.css"><script type="module" src="/m1.js"></script>)");
  store.learn_asset(0, kHost, "/a.css", "", "", "text/css", "@import '/b.css';");
  store.learn_asset(0, kHost, "/b.css", "", "", "text/css", "@import '/a.css'; @import '/b.css';");
  store.learn_asset(0, kHost, "/m1.js", "", "", "text/javascript", "import '/m2.js';");
  store.learn_asset(0, kHost, "/m2.js", "", "", "text/javascript", "import '/m1.js'; import '/';");
  const auto plan = store.plan(0, kHost, "/");
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(paths(*plan), (std::vector<std::string>{"/a.css", "/b.css", "/m1.js", "/m2.js"}));
  EXPECT_FALSE(plan->truncated);
}

TEST(LearnedLevels, DepthAndCountBudgetsCutThePlan) {
  LearnOptions o;
  o.max_depth = 3;
  LearnedPlans store(o);
  store.learn(0, kHost, "/", R"(<link rel="stylesheet" href="/c1.css">)");
  for (int i = 1; i <= 5; ++i) {
    const std::string sheet = "/c" + std::to_string(i) + ".css";
    store.learn_asset(0, kHost, sheet, "", "", "text/css", "@import '/c" + std::to_string(i + 1) + ".css';");
  }
  const auto plan = store.plan(0, kHost, "/");
  EXPECT_EQ(paths(*plan), (std::vector<std::string>{"/c1.css", "/c2.css", "/c3.css"}));
  EXPECT_TRUE(plan->truncated);

  LearnOptions few;
  few.max_resources = 4;
  LearnedPlans small(few);
  small.learn(0, kHost, "/", R"(<link rel="stylesheet" href="/s.css">)");
  std::string sheet;
  for (int i = 0; i < 100; ++i)
    sheet += ".x" + std::to_string(i) + " { background: url(/i" + std::to_string(i) + ".png) }\n";
  small.learn_asset(0, kHost, "/s.css", "", "", "text/css", sheet);
  const auto cut = small.plan(0, kHost, "/");
  EXPECT_EQ(cut->resources.size(), 4u);
  EXPECT_TRUE(cut->truncated);
  EXPECT_EQ(cut->resources[0].resource.path, "/s.css");
}

TEST(LearnedLevels, InlineStyleOfThePageCountsAtLevelOne) {
  LearnedPlans store;
  store.learn(0, kHost, "/", R"(<head><style>@font-face { src: url(/fonts/inline.woff2) }</style></head>)");
  const auto plan = store.plan(0, kHost, "/");
  ASSERT_NE(plan, nullptr);
  ASSERT_EQ(paths(*plan), std::vector<std::string>{"/fonts/inline.woff2"});
  EXPECT_EQ(plan->resources[0].resource.level, 1);
}

TEST(LearnedLevels, AnExpectedPageHeadMakesItsSheetsWantedWithoutLearningThePage) {
  LearnedPlans store;
  store.expect(
      0, kHost, "/p?x=1",
      R"(<!doctype html><head><link rel="stylesheet" href="css/p.css"><script type=module src="/m.js"></script>)");
  EXPECT_TRUE(store.wants_body(0, kHost, "/css/p.css"));
  EXPECT_TRUE(store.wants_body(0, kHost, "/m.js"));
  EXPECT_EQ(store.plan(0, kHost, "/p"), nullptr);
  EXPECT_EQ(store.pages(), 0u);
}

TEST(LearnedLevels, OnlyGet200IdentityStyleSheetsAndScriptsAreParsed) {
  EXPECT_TRUE(may_learn_asset({"GET", 200, "text/css; charset=utf-8", "max-age=60", ""}));
  EXPECT_TRUE(may_learn_asset({"GET", 200, "Text/JavaScript", "", ""}));
  EXPECT_TRUE(may_learn_asset({"GET", 200, "application/javascript", "", "identity"}));
  EXPECT_FALSE(may_learn_asset({"HEAD", 200, "text/css", "", ""}));
  EXPECT_FALSE(may_learn_asset({"GET", 206, "text/css", "", ""}));
  EXPECT_FALSE(may_learn_asset({"GET", 200, "text/html", "", ""}));
  EXPECT_FALSE(may_learn_asset({"GET", 200, "image/png", "", ""}));
  EXPECT_FALSE(may_learn_asset({"GET", 200, "text/css", "no-store", ""}));
  EXPECT_FALSE(may_learn_asset({"GET", 200, "text/css", "private, max-age=9", ""}));
  EXPECT_FALSE(may_learn_asset({"GET", 200, "text/css", "", "br"}));
}

TEST(LearnedLevels, APlanIsReusedUntilSomethingItDependsOnChanges) {
  LearnedPlans store;
  store.learn(0, kHost, "/", kPage);
  store.learn_asset(0, kHost, "/css/site.css", "\"s1\"", "", "text/css", kSiteCss);
  const auto first = store.plan(0, kHost, "/");
  EXPECT_EQ(store.plan(0, kHost, "/?q=1"), first);                                // the same object
  store.observe_asset(0, kHost, "/img/logo.png", "\"l1\"", "", 10, "image/png");  // new: a new plan
  const auto second = store.plan(0, kHost, "/");
  EXPECT_NE(second, first);
  EXPECT_EQ(find(*second, "/img/logo.png")->stat.version, "\"l1\"");
  store.observe_asset(0, kHost, "/img/logo.png", "\"l1\"", "", 10, "image/png");  // unchanged
  EXPECT_EQ(store.plan(0, kHost, "/"), second);
  store.observe_asset(0, kHost, "/css/site.css", "\"s2\"", "", 10, "text/css");  // the sheet changed: its children hide
  EXPECT_EQ(find(*store.plan(0, kHost, "/"), "/css/base.css"), nullptr);
}

TEST(LearnedLevels, AssetMemoryIsBounded) {
  LearnOptions o;
  o.max_assets = 2;
  LearnedPlans store(o);
  store.learn(0, kHost, "/", R"(<link rel="stylesheet" href="/a.css"><link rel="stylesheet" href="/b.css">
<link rel="stylesheet" href="/c.css">)");
  // Three sheets wanted, two remembered: the least recently touched (/a.css) is gone.
  EXPECT_FALSE(store.wants_body(0, kHost, "/a.css"));
  EXPECT_TRUE(store.wants_body(0, kHost, "/c.css"));
  store.learn_asset(0, kHost, "/b.css", "", "", "text/css",
                    "x { background: url(/x.png) } y { background: url(/y.png) }");
  EXPECT_NE(find(*store.plan(0, kHost, "/"), "/b.css"), nullptr);
}

}  // namespace
}  // namespace h2push::proxy
