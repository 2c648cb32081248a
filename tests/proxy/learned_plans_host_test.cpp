// tests/proxy/learned_plans_host_test.cpp: plans kept per host (src/proxy/learned_plans.hpp), and assets forgotten
// when a push fetch finds them gone.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "proxy/learned_plans.hpp"

namespace h2push::proxy {
namespace {

constexpr std::string_view kShop = R"(<link rel="stylesheet" href="/shop.css"><img src="/logo.png">)";
constexpr std::string_view kBlog = R"(<link rel="stylesheet" href="/blog.css"><img src="/logo.png">)";

std::vector<std::string> paths(const std::shared_ptr<const push::PagePlan>& plan) {
  std::vector<std::string> out;
  if (plan == nullptr) return out;
  for (const auto& r : plan->resources) out.push_back(r.resource.path);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(LearnedPlansHost, PlanHostIsTheLowercaseNameWithoutPort) {
  EXPECT_EQ(plan_host("Shop.Example:8443"), "shop.example");
  EXPECT_EQ(plan_host("shop.example"), "shop.example");
  EXPECT_EQ(plan_host("[::1]:8080"), "[::1]");
  EXPECT_EQ(plan_host("[2001:DB8::1]"), "[2001:db8::1]");
  EXPECT_EQ(plan_host(""), "");
}

TEST(LearnedPlansHost, TwoHostsKeepTheirOwnPlansAndValidators) {
  LearnedPlans store;
  EXPECT_EQ(store.learn(0, "shop.test", "/", kShop), 2u);
  EXPECT_EQ(store.learn(0, "blog.test:443", "/?page=1", kBlog), 2u);
  EXPECT_EQ(paths(store.plan(0, "SHOP.test:80", "/")), (std::vector<std::string>{"/logo.png", "/shop.css"}));
  EXPECT_EQ(paths(store.plan(0, "blog.test", "/")), (std::vector<std::string>{"/blog.css", "/logo.png"}));
  EXPECT_EQ(store.plan(0, "other.test", "/"), nullptr);
  EXPECT_EQ(store.plan(0, "", "/"), nullptr);           // an empty host is a scope of its own
  EXPECT_EQ(store.plan(1, "shop.test", "/"), nullptr);  // and so is every route
  store.observe_asset(0, "shop.test", "/logo.png", "\"shop-logo\"", "", 10, "image/png");
  store.observe_asset(0, "blog.test", "/logo.png", "\"blog-logo\"", "", 20, "image/png");
  const auto shop = store.plan(0, "shop.test", "/");
  const auto blog = store.plan(0, "blog.test", "/");
  const auto logo = [](const push::PagePlan& p) {
    return *std::find_if(p.resources.begin(), p.resources.end(),
                         [](const push::PlannedResource& r) { return r.resource.path == "/logo.png"; });
  };
  EXPECT_EQ(logo(*shop).stat.version, "\"shop-logo\"");
  EXPECT_EQ(logo(*blog).stat.version, "\"blog-logo\"");
  store.forget(0, "shop.test", "/");
  EXPECT_EQ(store.plan(0, "shop.test", "/"), nullptr);
  EXPECT_NE(store.plan(0, "blog.test", "/"), nullptr);
}

TEST(LearnedPlansHost, ForgetAssetRemovesItFromEveryPageOfTheHostOnly) {
  LearnedPlans store;
  store.learn(0, "shop.test", "/", kShop);
  store.learn(0, "shop.test", "/cart", kShop);
  store.learn(0, "shop.test", "/only-logo", R"(<img src="/logo.png">)");
  store.learn(0, "blog.test", "/", kBlog);
  store.observe_asset(0, "shop.test", "/logo.png", "\"v1\"", "", 10, "image/png");
  EXPECT_EQ(store.forget_asset(0, "shop.test", "/logo.png"), 3u);
  EXPECT_EQ(paths(store.plan(0, "shop.test", "/")), (std::vector<std::string>{"/shop.css"}));
  EXPECT_EQ(paths(store.plan(0, "shop.test", "/cart")), (std::vector<std::string>{"/shop.css"}));
  EXPECT_EQ(store.plan(0, "shop.test", "/only-logo"), nullptr);  // nothing left: no plan
  EXPECT_EQ(paths(store.plan(0, "blog.test", "/")), (std::vector<std::string>{"/blog.css", "/logo.png"}));
  EXPECT_EQ(store.forget_asset(0, "shop.test", "/nothing.js"), 0u);
  EXPECT_EQ(store.pages(), 4u);  // /only-logo is kept, without a plan: it returns with its asset
  // Relearning a page that still names it does not bring it back, until it is seen answered again.
  EXPECT_EQ(store.learn(0, "shop.test", "/", kShop), 2u);
  EXPECT_EQ(paths(store.plan(0, "shop.test", "/")), (std::vector<std::string>{"/shop.css"}));
  store.forget_asset(0, "shop.test", "/shop.css");
  EXPECT_EQ(store.plan(0, "shop.test", "/"), nullptr);  // every asset gone: no plan
  store.observe_asset(0, "shop.test", "/logo.png", "\"v2\"", "", 10, "image/png");
  EXPECT_EQ(paths(store.plan(0, "shop.test", "/")), (std::vector<std::string>{"/logo.png"}));
}

}  // namespace
}  // namespace h2push::proxy
