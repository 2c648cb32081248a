// tests/push/site_select_test.cpp: the manifest's effect on a page's plan (add, remove, order, nopush; which pages a
// rule matches) and the per-client selection of pushes and hints (digest, limits, refused, nopush).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "push/site_plan.hpp"
#include "push/site_test_util.hpp"

namespace h2push::push {
namespace {

using testing::describe;
using testing::MemorySite;
using testing::paths;

std::shared_ptr<MemorySite> site_with_pages() {
  auto site = std::make_shared<MemorySite>();
  const std::string page =
      "<link rel=stylesheet href=/css/main.css><script src=/js/site.js defer></script>"
      "<img src=/img/hero.png><img src=/img/small.png><img src=/img/icon.svg>";
  for (const char* path : {"/index.html", "/blog/post.html", "/blog/index.html", "/about.html"}) site->put(path, page);
  site->put("/css/main.css", "body { background: url(/img/bg.png) }");
  site->put("/css/extra.css", "@import 'extra-base.css';");
  site->put("/css/extra-base.css", ".x { background: url(/img/extra.png) }");
  site->put("/js/site.js", "// site");
  site->put("/img/hero.png", std::string(600, 'h'));
  site->put("/img/small.png", std::string(100, 's'));
  site->put("/img/icon.svg", std::string(50, 'i'));
  for (const char* path : {"/img/bg.png", "/img/extra.png", "/fonts/f.woff2", "/data/x.json"}) site->put(path, "x");
  return site;
}

Resource added(std::string path, Destination as, bool critical = false) {
  Resource r;
  r.path = std::move(path);
  r.as = as;
  r.critical = critical;
  r.crossorigin = as == Destination::font;
  r.source = "manifest";
  return r;
}

TEST(SiteManifestTest, AddsRemovesOrdersAndMarksNopush) {
  Manifest manifest;
  ManifestRule rule;
  rule.page = "/index.html";
  rule.add = {added("/fonts/f.woff2", Destination::font, true), added("/css/extra.css", Destination::style),
              added("/data/x.json", Destination::fetch)};
  rule.nopush = {"/data/x.json", "/img/hero.png"};
  rule.remove = {"/img/small.png", "/css/extra-base.css"};
  rule.order = {"/img/icon.svg", "/js/site.js", "/not/in/plan.js"};
  manifest.rules.push_back(rule);
  SitePlanner planner(site_with_pages(), {}, manifest);

  const std::vector<std::string> expected = {
      "/img/icon.svg image L1 u6 <img>",  // `order` first, whatever the policy says
      "/js/site.js script L1 u5 <script>",
      "/css/main.css style L1 u4 critical <link>",
      "/fonts/f.woff2 font L1 u4 critical crossorigin <manifest>",
      "/css/extra.css style L1 u5 <manifest>",  // added sheets are followed: extra-base.css (removed) names extra.png
      "/img/hero.png image L1 u6 nopush <img>",
      "/data/x.json fetch L1 u6 nopush <manifest>",
      "/img/bg.png image L2 u6 <css-url>",
      "/img/extra.png image L3 u6 <css-url>",
  };
  const auto plan = planner.plan("/");  // "/" and "/index.html" are the same page
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(describe(*plan), expected);
  EXPECT_EQ(describe(*planner.plan("/index.html")), expected);
  // Another page: the rule does not apply.
  EXPECT_EQ(planner.plan("/about.html")->resources.size(), 6u);
}

TEST(SiteManifestTest, PrefixRulesAndSeveralRulesApplyInOrder) {
  Manifest manifest;
  ManifestRule blog;
  blog.page = "/blog/*";
  blog.remove = {"/img/*"};  // a prefix removes every image
  ManifestRule post;
  post.page = "/blog/post.html";
  post.add = {added("/img/hero.png", Destination::image)};  // removed by the earlier rule: removal wins
  post.order = {"/js/site.js"};
  post.nopush = {"/css/*"};
  manifest.rules = {blog, post};
  SitePlanner planner(site_with_pages(), {}, manifest);

  EXPECT_EQ(describe(*planner.plan("/blog/post.html")),
            (std::vector<std::string>{"/js/site.js script L1 u5 <script>",
                                      "/css/main.css style L1 u4 critical nopush <link>"}));
  EXPECT_EQ(describe(*planner.plan("/blog/")), (std::vector<std::string>{"/css/main.css style L1 u4 critical <link>",
                                                                         "/js/site.js script L1 u5 <script>"}));
  EXPECT_EQ(planner.plan("/index.html")->resources.size(), 6u);
}

TEST(SiteManifestTest, AnAddedPathAlsoDiscoveredKeepsOneEntry) {
  Manifest manifest;
  ManifestRule rule;
  rule.page = "/";
  rule.add = {added("/img/bg.png", Destination::image, true)};
  manifest.rules.push_back(rule);
  SitePlanner planner(site_with_pages(), {}, manifest);
  const auto plan = planner.plan("/index.html");
  std::size_t count = 0;
  for (const PlannedResource& r : plan->resources) count += r.resource.path == "/img/bg.png";
  EXPECT_EQ(count, 1u);
  EXPECT_EQ(describe(plan->resources[1]), "/img/bg.png image L1 u4 critical <manifest>");
}

// A plan with known sizes and versions, for the selection functions.
PagePlan selection_plan() {
  auto site = site_with_pages();
  site->put("/index.html",
            "<link rel=stylesheet href=/css/main.css><script src=/js/site.js defer></script>"
            "<img src=/img/hero.png><img src=/img/small.png><img src=/img/icon.svg>"
            "<script type=module>new URL('/data/w.js', import.meta.url)</script>");
  site->put("/data/w.js", std::string(10, 'w'));  // a worker: destination other, no preload form
  Manifest manifest;
  ManifestRule rule;
  rule.page = "/";
  rule.nopush = {"/img/small.png"};
  manifest.rules.push_back(rule);
  SitePlanner planner(site, {}, manifest);
  return *planner.plan("/");
}

TEST(SiteSelectTest, PushesFollowThePlanMinusNopushDigestAndRefused) {
  const PagePlan plan = selection_plan();
  ASSERT_EQ(paths(select_pushes(plan, {}, {.max_count = 100, .max_bytes = 1 << 20})),
            (std::vector<std::string>{"/css/main.css", "/js/site.js", "/img/hero.png", "/img/icon.svg", "/data/w.js",
                                      "/img/bg.png"}));

  CacheDigest digest;
  digest.insert("/css/main.css", plan.resources[0].stat.version);
  digest.insert("/img/icon.svg", "\"an older version\"");  // a changed file is pushed again
  EXPECT_EQ(paths(select_pushes(plan, digest, {}, {"/js/site.js"})),
            (std::vector<std::string>{"/img/hero.png", "/img/icon.svg", "/data/w.js", "/img/bg.png"}));
}

TEST(SiteSelectTest, PushLimitsCountAndBytes) {
  const PagePlan plan = selection_plan();
  EXPECT_EQ(paths(select_pushes(plan, {}, {.max_count = 2, .max_bytes = 1 << 20})),
            (std::vector<std::string>{"/css/main.css", "/js/site.js"}));
  // 37 (main.css) + 7 (site.js) + 600 (hero) > 200: the hero is skipped, smaller files after it still fit.
  EXPECT_EQ(paths(select_pushes(plan, {}, {.max_count = 16, .max_bytes = 200})),
            (std::vector<std::string>{"/css/main.css", "/js/site.js", "/img/icon.svg", "/data/w.js", "/img/bg.png"}));
  EXPECT_TRUE(select_pushes(plan, {}, {.max_count = 0, .max_bytes = 1 << 20}).empty());
  EXPECT_EQ(paths(select_pushes(plan, {}, {.max_count = 16, .max_bytes = 0})), std::vector<std::string>{});
}

TEST(SiteSelectTest, HintsNameWhatHasAPreloadFormIncludingNopush) {
  const PagePlan plan = selection_plan();
  EXPECT_EQ(paths(select_hints(plan, {}, {})),
            (std::vector<std::string>{"/css/main.css", "/js/site.js", "/img/hero.png", "/img/small.png",
                                      "/img/icon.svg", "/img/bg.png"}));  // not the worker (other)
  CacheDigest digest;
  digest.insert("/js/site.js", plan.resources[1].stat.version);
  EXPECT_EQ(paths(select_hints(plan, digest, {.max_count = 3, .max_bytes = 0})),
            (std::vector<std::string>{"/css/main.css", "/img/hero.png", "/img/small.png"}));
}

}  // namespace
}  // namespace h2push::push
