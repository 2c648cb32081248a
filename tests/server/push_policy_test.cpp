// tests/server/push_policy_test.cpp: PushPolicy::decide() for every kind of client and mode, over a fixed plan.
#include "server/push_policy.hpp"
#include "server/session_push.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace h2push::server {
namespace {

push::PlannedResource planned(std::string path, push::Destination as, bool critical, std::uint64_t size,
                              bool nopush = false) {
  push::PlannedResource r;
  r.resource.path = std::move(path);
  r.resource.as = as;
  r.resource.critical = critical;
  r.resource.crossorigin = as == push::Destination::font || as == push::Destination::module_script;
  r.stat.version = "\"v1-" + std::to_string(size) + "\"";
  r.stat.size = size;
  r.nopush = nopush;
  r.urgency = critical ? 4 : 6;
  return r;
}

std::shared_ptr<const push::PagePlan> sample_plan() {
  auto plan = std::make_shared<push::PagePlan>();
  plan->page = "/";
  plan->resources = {planned("/site.css", push::Destination::style, true, 1000),
                     planned("/f.woff2", push::Destination::font, true, 2000),
                     planned("/app.mjs", push::Destination::module_script, false, 3000),
                     planned("/logo.png", push::Destination::image, false, 4000),
                     planned("/big.png", push::Destination::image, false, 5000, /*nopush=*/true)};
  return plan;
}

class PushPolicyTest : public ::testing::Test {
 protected:
  PushPolicy policy(PushConfig config = {}) {
    const auto plan = plan_;
    return PushPolicy([plan](std::string_view, std::string_view path) { return path == "/" ? plan : nullptr; },
                      std::move(config));
  }

  Request request(Protocol protocol = Protocol::h2, std::string_view target = "/") {
    Request r;
    r.method = "GET";
    r.scheme = "https";
    r.authority = "localhost";
    r.target = target;
    r.protocol = protocol;
    r.fields = fields_;
    return r;
  }

  std::vector<std::string> pushed_paths(const PushDecision& d) {
    std::vector<std::string> out;
    for (const auto* r : d.pushes) out.push_back(r->resource.path);
    return out;
  }

  std::shared_ptr<const push::PagePlan> plan_ = sample_plan();
  std::vector<hpack::Header> fields_;
};

TEST_F(PushPolicyTest, PushesToHttp2ClientsThatAcceptPushAndHintsOnlyTheNopushOnes) {
  const PushDecision d = policy().decide(request(), {Protocol::h2, true, nullptr});
  EXPECT_EQ(pushed_paths(d), (std::vector<std::string>{"/site.css", "/f.woff2", "/app.mjs", "/logo.png"}));
  ASSERT_EQ(d.hints.size(), 1u);
  EXPECT_EQ(d.hints[0], "</big.png>; rel=preload; as=image; nopush");
  EXPECT_TRUE(d.navigation);
  EXPECT_EQ(d.set_cookie.rfind("h2push-digest=", 0), 0u);
}

TEST_F(PushPolicyTest, TheLookupGetsTheRequestsHostAndPathWithoutQuery) {
  std::vector<std::string> asked;
  const auto plan = plan_;
  const PushPolicy p(
      [&asked, plan](std::string_view host, std::string_view path) {
        asked.push_back(std::string(host) + " " + std::string(path));
        return host == "shop.test:8443" ? plan : nullptr;
      },
      {});
  Request r = request(Protocol::h2, "/?q=1");
  r.authority = "shop.test:8443";
  EXPECT_FALSE(p.decide(r, {Protocol::h2, true, nullptr}).pushes.empty());
  r.authority = "blog.test";
  EXPECT_TRUE(p.decide(r, {Protocol::h2, true, nullptr}).pushes.empty());
  EXPECT_EQ(asked, (std::vector<std::string>{"shop.test:8443 /", "blog.test /"}));
}

TEST_F(PushPolicyTest, HintsWhenPushIsDisabled) {
  const PushDecision d = policy().decide(request(), {Protocol::h2, false, nullptr});
  EXPECT_TRUE(d.pushes.empty());
  EXPECT_EQ(d.hints,
            (std::vector<std::string>{"</site.css>; rel=preload; as=style",
                                      "</f.woff2>; rel=preload; as=font; crossorigin", "</app.mjs>; rel=modulepreload",
                                      "</logo.png>; rel=preload; as=image", "</big.png>; rel=preload; as=image"}));
}

TEST_F(PushPolicyTest, Http11GetsHintsUnlessHintsH1IsOffAndHttp10NeverDoes) {
  EXPECT_EQ(policy().decide(request(Protocol::http11), {Protocol::http11, false, nullptr}).hints.size(), 5u);
  PushConfig off;
  off.hints_h1 = false;
  EXPECT_TRUE(policy(off).decide(request(Protocol::http11), {Protocol::http11, false, nullptr}).hints.empty());
  const PushDecision d10 = policy().decide(request(Protocol::http10), {Protocol::http10, false, nullptr});
  EXPECT_TRUE(d10.hints.empty());
  EXPECT_TRUE(d10.pushes.empty());
}

TEST_F(PushPolicyTest, ModesByConfigAndPath) {
  PushConfig hints;
  hints.mode = PushMode::hints;
  PushDecision d = policy(hints).decide(request(), {Protocol::h2, true, nullptr});
  EXPECT_TRUE(d.pushes.empty());
  EXPECT_EQ(d.hints.size(), 5u);

  PushConfig push_only;
  push_only.mode = PushMode::push;
  d = policy(push_only).decide(request(), {Protocol::h2, false, nullptr});
  EXPECT_TRUE(d.pushes.empty());
  EXPECT_TRUE(d.hints.empty());

  PushConfig by_path;
  by_path.paths["/"] = PushMode::off;
  d = policy(by_path).decide(request(), {Protocol::h2, true, nullptr});
  EXPECT_TRUE(d.pushes.empty() && d.hints.empty() && d.set_cookie.empty());
  EXPECT_EQ(d.plan, nullptr);
}

TEST_F(PushPolicyTest, LimitsOnCountAndBytes) {
  PushConfig config;
  config.max_pushes = 2;
  EXPECT_EQ(pushed_paths(policy(config).decide(request(), {Protocol::h2, true, nullptr})),
            (std::vector<std::string>{"/site.css", "/f.woff2"}));
  config.max_pushes = 16;
  config.max_push_bytes = 3500;  // 1000 + 2000 fit, 3000 does not
  const auto paths = pushed_paths(policy(config).decide(request(), {Protocol::h2, true, nullptr}));
  ASSERT_GE(paths.size(), 2u);
  EXPECT_EQ(paths[0], "/site.css");
  EXPECT_EQ(paths[1], "/f.woff2");
  std::uint64_t total = 0;
  for (const auto& p : paths) {
    for (const auto& r : plan_->resources) total += r.resource.path == p ? r.stat.size : 0;
  }
  EXPECT_LE(total, 3500u);
}

TEST_F(PushPolicyTest, RefusedPathsAreNotPushedAgain) {
  const std::vector<std::string> refused = {"/f.woff2"};
  const auto paths = pushed_paths(policy().decide(request(), {Protocol::h2, true, &refused}));
  EXPECT_EQ(std::count(paths.begin(), paths.end(), "/f.woff2"), 0);
  EXPECT_EQ(paths.size(), 3u);
}

TEST_F(PushPolicyTest, OnlyGetNavigationsOfPlannedPages) {
  Request head = request();
  head.method = "HEAD";
  EXPECT_EQ(policy().decide(head, {Protocol::h2, true, nullptr}).plan, nullptr);
  EXPECT_EQ(policy().decide(request(Protocol::h2, "/other"), {Protocol::h2, true, nullptr}).plan, nullptr);
  fields_ = {{"sec-fetch-mode", "cors"}};
  EXPECT_EQ(policy().decide(request(), {Protocol::h2, true, nullptr}).plan, nullptr);
  fields_ = {{"accept", "application/json"}};
  EXPECT_FALSE(PushPolicy::is_navigation(request()));
  fields_ = {{"accept", "text/html,*/*;q=0.8"}};
  EXPECT_TRUE(PushPolicy::is_navigation(request()));
  fields_ = {{"sec-fetch-mode", "navigate"}, {"accept", "application/json"}};
  EXPECT_TRUE(PushPolicy::is_navigation(request()));
  fields_ = {};
  EXPECT_TRUE(PushPolicy::is_navigation(request()));
  // Paths with a non-HTML extension never reach the planner (no file lookup per asset request).
  int lookups = 0;
  PushPolicy counting(
      [&](std::string_view, std::string_view) {
        ++lookups;
        return plan_;
      },
      {});
  fields_ = {};
  for (const char* target : {"/app.css", "/img/logo.PNG", "/small.bin", "/a.b/c.js"}) {
    EXPECT_EQ(counting.decide(request(Protocol::h2, target), {Protocol::h2, true, nullptr}).plan, nullptr) << target;
  }
  EXPECT_EQ(lookups, 0);
  for (const char* target : {"/", "/docs/", "/about", "/x.html", "/y.HTM", "/z.xhtml?q=1"}) {
    EXPECT_NE(counting.decide(request(Protocol::h2, target), {Protocol::h2, true, nullptr}).plan, nullptr) << target;
  }
  EXPECT_EQ(lookups, 6);
  // The query does not change the page.
  EXPECT_NE(policy().decide(request(Protocol::h2, "/?utm=1"), {Protocol::h2, true, nullptr}).plan, nullptr);
}

TEST_F(PushPolicyTest, DigestCookieSkipsWhatTheClientHoldsAndNamesTheWholePlan) {
  const PushDecision first = policy().decide(request(), {Protocol::h2, true, nullptr});
  const std::string cookie = first.set_cookie.substr(0, first.set_cookie.find(';'));
  fields_ = {{"cookie", "x=1"}, {"cookie", cookie}};  // HTTP/2 cookie crumbs
  const PushDecision second = policy().decide(request(), {Protocol::h2, true, nullptr});
  EXPECT_TRUE(second.pushes.empty());
  EXPECT_TRUE(second.hints.empty());
  EXPECT_TRUE(second.set_cookie.empty());  // nothing new to add
  // A new version of one asset is pushed again.
  auto changed = std::make_shared<push::PagePlan>(*plan_);
  changed->resources[1].stat.version = "\"v2\"";
  plan_ = changed;
  const PushDecision third = policy().decide(request(), {Protocol::h2, true, nullptr});
  EXPECT_EQ(pushed_paths(third), (std::vector<std::string>{"/f.woff2"}));
  EXPECT_FALSE(third.set_cookie.empty());
  // A bogus digest is ignored.
  fields_ = {{"cookie", "h2push-digest=%%%garbage"}};
  EXPECT_EQ(policy().decide(request(), {Protocol::h2, true, nullptr}).pushes.size(), 4u);
}

TEST_F(PushPolicyTest, ThinkTimeAndLogSuffix) {
  PushConfig config;
  config.think_time = std::chrono::milliseconds(250);
  const PushDecision d = policy(config).decide(request(), {Protocol::h2, true, nullptr});
  EXPECT_EQ(d.think_time, std::chrono::milliseconds(250));
  EXPECT_EQ(push_log_suffix(d, 10000), "push=4 push_bytes=10000 hints=1");
  EXPECT_EQ(push_log_suffix(PushDecision{}, 0), "");
}

TEST(PushableResponse, OnlyStorable200sWhoseVaryAPromiseCanMatch) {
  using F = std::vector<std::pair<std::string, std::string>>;
  EXPECT_TRUE(pushable_response(200, F{{"cache-control", "max-age=60"}, {"etag", "\"1\""}}));
  EXPECT_TRUE(pushable_response(200, F{{"vary", "Accept-Encoding"}}));
  EXPECT_TRUE(pushable_response(200, F{{"vary", " accept-encoding ,Accept-Encoding"}}));
  EXPECT_FALSE(pushable_response(404, F{}));
  EXPECT_FALSE(pushable_response(206, F{}));
  EXPECT_FALSE(pushable_response(200, F{{"cache-control", "public, No-Store"}}));
  EXPECT_FALSE(pushable_response(200, F{{"cache-control", "private, max-age=60"}}));
  EXPECT_FALSE(pushable_response(200, F{{"vary", "accept-encoding, cookie"}}));
  EXPECT_FALSE(pushable_response(200, F{{"vary", "*"}}));
}

}  // namespace
}  // namespace h2push::server
