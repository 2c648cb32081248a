// tests/proxy/learned_plans_test.cpp: what the proxy learns of its upstream's pages (src/proxy/learned_plans.hpp).
#include "proxy/learned_plans.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace h2push::proxy {
namespace {

constexpr std::string_view kHost = "a.test";  // the request's authority every call names

constexpr std::string_view kPage = R"(<!doctype html><html><head>
<link rel="stylesheet" href="/css/site.css">
<script src="/js/app.js" defer></script>
<script type="module" src="mod.js"></script>
</head><body><img src="/img/logo.png"><img src="/img/big.jpg" loading="lazy">
<img src="https://cdn.example/x.png"></body></html>)";

std::vector<std::string> paths(const push::PagePlan& plan) {
  std::vector<std::string> out;
  for (const auto& r : plan.resources) out.push_back(r.resource.path);
  return out;
}

TEST(LearnedPlans, OnlyGet200IdentityHtmlWithoutNoStoreIsLearned) {
  EXPECT_TRUE(may_learn({"GET", 200, "text/html; charset=utf-8", "max-age=0", ""}));
  EXPECT_FALSE(may_learn({"POST", 200, "text/html", "", ""}));
  EXPECT_FALSE(may_learn({"GET", 404, "text/html", "", ""}));
  EXPECT_FALSE(may_learn({"GET", 200, "application/json", "", ""}));
  EXPECT_FALSE(may_learn({"GET", 200, "text/html", "no-cache, No-Store", ""}));
  EXPECT_FALSE(may_learn({"GET", 200, "text/html", "private", ""}));
  EXPECT_FALSE(may_learn({"GET", 200, "text/html", "", "gzip"}));
}

TEST(LearnedPlans, LearnsRankedUnconditionalSameOriginAssets) {
  LearnedPlans store;
  EXPECT_EQ(store.learn(0, kHost, "/blog/post?id=3", kPage), 4u);
  auto plan = store.plan(0, kHost, "/blog/post?other=1");  // the query is ignored
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(plan->page, "/blog/post");
  // Ranked as the site planner ranks: render-blocking, then the other scripts and modules, then images.
  const std::vector<std::string> want = {"/css/site.css", "/js/app.js", "/blog/mod.js", "/img/logo.png"};
  EXPECT_EQ(paths(*plan), want);
  EXPECT_EQ(plan->resources[0].urgency, 4);
  EXPECT_EQ(plan->resources[1].urgency, 5);
  EXPECT_EQ(plan->resources[2].urgency, 5);
  EXPECT_EQ(plan->resources[3].urgency, 6);
  EXPECT_EQ(store.plan(1, kHost, "/blog/post"), nullptr);  // another route knows nothing
}

TEST(LearnedPlans, AssetsThatStopAppearingAreForgotten) {
  LearnedPlans store;
  store.learn(0, kHost, "/", kPage);
  store.learn(0, kHost, "/", R"(<link rel="stylesheet" href="/css/new.css">)");
  EXPECT_EQ(paths(*store.plan(0, kHost, "/")), std::vector<std::string>{"/css/new.css"});
  EXPECT_EQ(store.learn(0, kHost, "/", "<p>no assets</p>"), 0u);
  EXPECT_EQ(store.plan(0, kHost, "/"), nullptr);
}

TEST(LearnedPlans, LinkHeadersOfTheResponseAddPreloads) {
  LearnedPlans store;
  const std::string_view links[] = {"</font.woff2>; rel=preload; as=font, </other.css>; rel=stylesheet"};
  store.learn(0, kHost, "/", R"(<link rel="stylesheet" href="/a.css">)", links);
  EXPECT_EQ(paths(*store.plan(0, kHost, "/")), (std::vector<std::string>{"/a.css", "/font.woff2"}));
}

TEST(LearnedPlans, ValidatorsSeenThroughTheProxyBecomeVersions) {
  LearnedPlans store;
  store.learn(0, kHost, "/", kPage);
  store.observe_asset(0, kHost, "/css/site.css", "\"v1\"", "", 120, "text/css; charset=utf-8");
  store.observe_asset(0, kHost, "/img/logo.png", "", "Mon, 23 Nov 2026 10:00:00 GMT", 999, "image/png");
  auto plan = store.plan(0, kHost, "/");
  EXPECT_EQ(plan->resources[0].stat.version, "\"v1\"");
  EXPECT_EQ(plan->resources[0].stat.size, 120u);
  EXPECT_EQ(plan->resources[0].stat.media_type, "text/css");
  EXPECT_EQ(plan->resources[3].stat.version, "Mon, 23 Nov 2026 10:00:00 GMT");
  EXPECT_EQ(plan->resources[1].stat.version, "");  // never seen
  store.observe_asset(0, kHost, "/css/site.css", "\"v2\"", "", 130, "text/css");
  EXPECT_EQ(store.plan(0, kHost, "/")->resources[0].stat.version, "\"v2\"");
}

TEST(LearnedPlans, KeepsTheMostRecentlyUsedPagesWithinItsBound) {
  LearnOptions o;
  o.max_pages = 2;
  LearnedPlans store(o);
  store.learn(0, kHost, "/a", kPage);
  store.learn(0, kHost, "/b", kPage);
  ASSERT_NE(store.plan(0, kHost, "/a"), nullptr);  // /a used: /b is now the least recent
  store.learn(0, kHost, "/c", kPage);
  EXPECT_EQ(store.pages(), 2u);
  EXPECT_NE(store.plan(0, kHost, "/a"), nullptr);
  EXPECT_EQ(store.plan(0, kHost, "/b"), nullptr);
  EXPECT_NE(store.plan(0, kHost, "/c"), nullptr);
}

TEST(LearnedPlans, CaptureStopsAtItsCap) {
  BodyCapture c(10);
  c.append("12345");
  c.append("6789");
  EXPECT_FALSE(c.overflowed());
  EXPECT_EQ(c.text(), "123456789");
  c.append("ab");
  EXPECT_TRUE(c.overflowed());
  EXPECT_TRUE(c.text().empty());
}

TEST(LearnedPlans, LookupMapsHostsAndPathsToRoutes) {
  LearnedPlans store;
  store.learn(1, kHost, "/app/", kPage);
  auto lookup = store.lookup([](std::string_view, std::string_view path) -> std::optional<std::size_t> {
    if (path.starts_with("/app")) return 1;
    return std::nullopt;
  });
  EXPECT_NE(lookup(kHost, "/app/"), nullptr);
  EXPECT_NE(lookup("A.Test:8443", "/app/"), nullptr);  // the host as plan_host() reads it
  EXPECT_EQ(lookup("b.test", "/app/"), nullptr);       // another host's pages are its own
  EXPECT_EQ(lookup(kHost, "/"), nullptr);
}

TEST(LearnedPlans, ConcurrentLearningAndLookupsAreSafe) {
  LearnOptions o;
  o.max_pages = 8;
  LearnedPlans store(o);
  std::atomic<int> torn{0};  // a plan seen half made
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string page = "/p" + std::to_string((i + t) % 12);
        if (t % 2 == 0) {
          store.learn(0, kHost, page, kPage);
          store.observe_asset(0, kHost, "/css/site.css", "\"v" + std::to_string(i) + "\"", "", 1, "text/css");
        } else if (auto plan = store.plan(0, kHost, page)) {
          if (plan->resources.size() != 4 || plan->page != page) ++torn;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_LE(store.pages(), 8u);
  store.learn(0, kHost, "/after", kPage);  // still consistent afterwards
  ASSERT_NE(store.plan(0, kHost, "/after"), nullptr);
  EXPECT_EQ(store.plan(0, kHost, "/after")->resources.size(), 4u);
}

}  // namespace
}  // namespace h2push::proxy
