// tests/push/site_plan_test.cpp: the SitePlanner over a site in memory: the cache (revalidation by version, LRU
// bound, thread safety), the manifest (add, remove, order, nopush, page matching), the budgets, and the selection of
// pushes and hints for one client.
#include "push/site_plan.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "push/site_test_util.hpp"

namespace h2push::push {
namespace {

using testing::describe;
using testing::MemorySite;
using testing::paths;

constexpr const char* kPage = R"(<!doctype html><html><head>
<link rel=stylesheet href=/css/main.css>
<script type=module src=/js/app.js></script>
</head><body><img src=/img/a.png><img src=/img/b.png loading=lazy></body></html>)";

std::shared_ptr<MemorySite> small_site() {
  auto site = std::make_shared<MemorySite>();
  site->put("/index.html", kPage);
  site->put("/css/main.css", "@import 'base.css'; body { background: url(/img/bg.png) }");
  site->put("/css/base.css", "@font-face { font-family: f; src: url(/fonts/f.woff2) format('woff2') }");
  site->put("/js/app.js", "import './util.js';");
  site->put("/js/util.js", "export const x = 1;");
  for (const char* path : {"/img/a.png", "/img/b.png", "/img/bg.png", "/fonts/f.woff2"}) site->put(path, "bytes");
  return site;
}

std::vector<std::string> plan_paths(const PagePlan& plan) {
  std::vector<std::string> out;
  for (const PlannedResource& r : plan.resources) out.push_back(r.resource.path);
  return out;
}

TEST(SitePlanTest, PlansEveryLevelInPolicyOrder) {
  SitePlanner planner(small_site());
  const auto plan = planner.plan("/");
  ASSERT_NE(plan, nullptr);
  const std::vector<std::string> expected = {
      "/css/main.css style L1 u4 critical <link>",
      "/css/base.css style L2 u4 critical <css-import>",
      "/fonts/f.woff2 font L3 u4 critical crossorigin <css-font-face>",
      "/js/app.js module_script L1 u5 crossorigin <script>",
      "/js/util.js module_script L2 u5 crossorigin <js-import>",
      "/img/a.png image L1 u6 <img>",
      "/img/bg.png image L2 u6 <css-url>",
  };
  EXPECT_EQ(describe(*plan), expected);
  EXPECT_EQ(plan->conditional, 1u);  // the lazy image
  EXPECT_EQ(plan->files_parsed, 5u);
  EXPECT_EQ(plan->resources[0].stat.size,
            std::string_view("@import 'base.css'; body { background: url(/img/bg.png) }").size());
  EXPECT_EQ(plan->resources[0].stat.media_type, "text/css");
}

TEST(SitePlanTest, UnchangedSiteGivesTheSamePlanWithoutReadingAgain) {
  auto site = small_site();
  SitePlanner planner(site);
  const auto first = planner.plan("/");
  const std::size_t reads = site->reads();
  const auto second = planner.plan("/?utm=x#top");  // the query and fragment do not matter
  EXPECT_EQ(first, second);
  EXPECT_EQ(site->reads(), reads);
  EXPECT_NE(planner.plan("/index.html"), first);  // another path, another entry (same content)
  EXPECT_EQ(describe(*planner.plan("/index.html")), describe(*first));
}

TEST(SitePlanTest, AChangedFileAnywhereGivesANewPlan) {
  auto site = small_site();
  SitePlanner planner(site);
  auto plan = planner.plan("/");

  site->put("/css/base.css", "@font-face { font-family: f; src: url(/fonts/g.woff2) format('woff2') }");
  site->put("/fonts/g.woff2", "other bytes");
  auto next = planner.plan("/");
  ASSERT_NE(next, plan);
  EXPECT_EQ(next->resources[2].resource.path, "/fonts/g.woff2");  // a level-2 file changed: level 3 follows it
  plan = next;

  const std::string old_version = plan->resources.back().stat.version;
  site->put("/img/bg.png", "new picture");  // a planned, unparsed file: its new version must show
  next = planner.plan("/");
  ASSERT_NE(next, plan);
  EXPECT_NE(next->resources.back().stat.version, old_version);
  EXPECT_EQ(next->resources.back().stat.size, 11u);
  plan = next;

  site->erase("/img/a.png");  // a planned file removed
  next = planner.plan("/");
  ASSERT_NE(next, plan);
  EXPECT_EQ(next->unservable, 1u);
  plan = next;

  site->put("/img/a.png", "back again");  // a file that was missing appears
  next = planner.plan("/");
  ASSERT_NE(next, plan);
  EXPECT_EQ(next->unservable, 0u);
  plan = next;

  site->put("/index.html", "<link rel=stylesheet href=/css/main.css>");  // the page itself
  next = planner.plan("/");
  ASSERT_NE(next, plan);
  EXPECT_EQ(plan_paths(*next),
            (std::vector<std::string>{"/css/main.css", "/css/base.css", "/fonts/g.woff2", "/img/bg.png"}));

  site->erase("/index.html");
  EXPECT_EQ(planner.plan("/"), nullptr);
}

TEST(SitePlanTest, CacheKeepsTheMostRecentlyUsedPages) {
  auto site = small_site();
  for (const char* page : {"/a.html", "/b.html", "/c.html"}) site->put(page, "<img src=/img/a.png>");
  PlanOptions options;
  options.max_cached_pages = 2;
  SitePlanner planner(site, options);
  const auto a = planner.plan("/a.html");
  const auto b = planner.plan("/b.html");
  EXPECT_EQ(planner.plan("/a.html"), a);  // a is now the most recent
  planner.plan("/c.html");                // evicts b
  EXPECT_EQ(planner.plan("/a.html"), a);
  EXPECT_NE(planner.plan("/b.html"), b);

  options.max_cached_pages = 0;
  SitePlanner uncached(site, options);
  EXPECT_NE(uncached.plan("/a.html"), uncached.plan("/a.html"));
}

TEST(SitePlanTest, NotServableHtmlHasNoPlan) {
  auto site = small_site();
  site->put("/page.txt", "<link rel=stylesheet href=/css/main.css>", "text/plain");
  SitePlanner planner(site);
  EXPECT_EQ(planner.plan("/page.txt"), nullptr);
  EXPECT_EQ(planner.plan("/css/main.css"), nullptr);
  EXPECT_EQ(planner.plan("/nothing.html"), nullptr);
  EXPECT_EQ(planner.plan(""), nullptr);
  EXPECT_EQ(planner.plan("http://example.com/"), nullptr);
}

TEST(SitePlanTest, StyleSheetsAndModulesAreReadOnlyWithTheirMediaType) {
  auto site = small_site();
  site->put("/css/main.css", "@import 'base.css';", "text/plain");  // a browser refuses it as a style sheet
  site->put("/js/app.js", "import './util.js';", "application/octet-stream");
  SitePlanner planner(site);
  EXPECT_EQ(plan_paths(*planner.plan("/")), (std::vector<std::string>{"/css/main.css", "/js/app.js", "/img/a.png"}));
}

TEST(SitePlanTest, ThePageItselfIsNeverPlanned) {
  auto site = std::make_shared<MemorySite>();
  site->put("/docs/index.html",
            "<link rel=preload as=fetch href=/docs/><link rel=preload as=fetch href=index.html>"
            "<link rel=preload as=fetch href=/docs/index.html?x><img src=/docs/x.png>");
  site->put("/docs/x.png", "x");
  SitePlanner planner(site);
  EXPECT_EQ(plan_paths(*planner.plan("/docs/")), std::vector<std::string>{"/docs/x.png"});
}

TEST(SitePlanTest, InlineStylesAndModulesAreSplicedInDocumentOrder) {
  auto site = std::make_shared<MemorySite>();
  site->put("/index.html",
            "<img src=/1.png>\n"
            "<style>@import \"/s.css\"; .x { background: url(2.png) }</style>\n"
            "<img src=/3.png>\n"
            "<div style=\"background: url(4.png)\"></div>\n"
            "<script type=module>import \"/m.js\"; import(\"/lazy.js\");</script>\n"
            "<script type=module src=/r.js blocking=render></script>\n");
  site->put("/s.css", ".s { background: url(/s.png) }");
  site->put("/m.js", "import './n.js';");
  site->put("/r.js", "import './rr.js'; import('./dyn.js'); new URL('./data.json', import.meta.url);");
  for (const char* path :
       {"/1.png", "/2.png", "/3.png", "/4.png", "/s.png", "/n.js", "/rr.js", "/data.json", "/lazy.js", "/dyn.js"}) {
    site->put(path, "x");
  }
  SitePlanner planner(site);
  const std::vector<std::string> expected = {
      "/s.css style L1 u4 critical <css-import>",
      "/r.js module_script L1 u4 critical crossorigin <script>",      // blocking=render
      "/rr.js module_script L2 u4 critical crossorigin <js-import>",  // its static import blocks too
      "/m.js module_script L1 u5 crossorigin <js-import>",
      "/n.js module_script L2 u5 crossorigin <js-import>",
      "/1.png image L1 u6 <img>",
      "/2.png image L1 u6 <css-url>",
      "/3.png image L1 u6 <img>",
      "/4.png image L1 u6 <css-url>",
      "/s.png image L2 u6 <css-url>",
      "/data.json fetch L2 u6 crossorigin <js-new-url>",
  };
  EXPECT_EQ(describe(*planner.plan("/")), expected);
}

TEST(SitePlanTest, BudgetsCutDiscoveryShort) {
  auto site = small_site();
  site->put("/huge.html", "<link rel=stylesheet href=/css/main.css>" + std::string(2 << 20, ' '));
  SitePlanner planner(site);
  const auto huge = planner.plan("/huge.html");  // over max_file_bytes: planned, empty, truncated
  ASSERT_NE(huge, nullptr);
  EXPECT_TRUE(huge->resources.empty());
  EXPECT_TRUE(huge->truncated);
  EXPECT_EQ(huge->files_parsed, 0u);

  site->put("/css/main.css", "@import 'base.css'; body { background: url(/img/bg.png) }" + std::string(2 << 20, ' '));
  const auto big_css = planner.plan("/");  // listed, not read: base.css and bg.png are not found
  EXPECT_EQ(plan_paths(*big_css),
            (std::vector<std::string>{"/css/main.css", "/js/app.js", "/js/util.js", "/img/a.png"}));
  EXPECT_TRUE(big_css->truncated);

  site->put("/css/main.css", "@import 'base.css';");
  PlanOptions options;
  options.max_parsed_bytes = std::string_view(kPage).size() + 25;  // the page and main.css, no more
  SitePlanner tight(site, options);
  const auto parsed = tight.plan("/");
  EXPECT_EQ(parsed->files_parsed, 2u);
  EXPECT_EQ(parsed->bytes_parsed, std::string_view(kPage).size() + 19);
  EXPECT_TRUE(parsed->truncated);

  options = {};
  options.max_resources = 3;
  SitePlanner few(site, options);
  EXPECT_EQ(plan_paths(*few.plan("/")), (std::vector<std::string>{"/css/main.css", "/css/base.css", "/fonts/f.woff2"}));
  EXPECT_TRUE(few.plan("/")->truncated);

  options = {};
  options.max_depth = 1;
  SitePlanner shallow(site, options);
  EXPECT_EQ(plan_paths(*shallow.plan("/")), (std::vector<std::string>{"/css/main.css", "/js/app.js", "/img/a.png"}));
  EXPECT_TRUE(shallow.plan("/")->truncated);
}

TEST(SitePlanTest, ManyReferencesAreBounded) {
  auto site = std::make_shared<MemorySite>();
  std::string html;
  for (int i = 0; i < 300; ++i) html += "<img src=/i" + std::to_string(i) + ".png>";
  site->put("/index.html", html);
  for (int i = 0; i < 300; ++i) site->put("/i" + std::to_string(i) + ".png", "x");
  PlanOptions options;
  options.max_resources = 10;
  SitePlanner planner(site, options);
  const auto plan = planner.plan("/");
  ASSERT_EQ(plan->resources.size(), 10u);
  EXPECT_EQ(plan->resources.back().resource.path, "/i9.png");
  EXPECT_TRUE(plan->truncated);
  EXPECT_LE(site->stats(), 41u + 1);  // discovery kept 4 * max_resources paths at most (and stat()ed the page)
}

TEST(SitePlanTest, SeveralThreadsShareThePlanner) {
  auto site = small_site();
  for (int i = 0; i < 8; ++i) site->put("/p" + std::to_string(i) + ".html", kPage);
  PlanOptions options;
  options.max_cached_pages = 4;  // fewer than the pages: entries are evicted while other threads use them
  SitePlanner planner(site, options);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const auto plan = planner.plan("/p" + std::to_string((i + t) % 8) + ".html");
        if (plan == nullptr || plan->resources.size() != 7 || plan->resources[0].resource.path != "/css/main.css") {
          ++failures;
        }
      }
    });
  }
  threads.emplace_back([&] {  // a writer changing versions meanwhile
    for (int i = 0; i < 100; ++i) site->put("/img/a.png", "bytes " + std::to_string(i));
  });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace h2push::push
