// tests/proxy/proxy_push_test.cpp: pushes through the proxy and host-specific learning, through real sessions (a
// Server on 127.0.0.1 port 0) in front of a scripted upstream: learned assets are promised before the upstream has
// answered the page and fetched asynchronously into the promised streams; failures reset them (CANCEL) and a 404
// forgets the asset; two hosts behind one route keep their own plans.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "proxy/proxy_handler.hpp"
#include "proxy/push_fetch.hpp"
#include "proxy_test_server.hpp"
#include "server/socket_clients.hpp"

namespace h2push::proxy::test {
namespace {

using server::test::H2Client;

constexpr std::string_view kPage = R"(<!doctype html><html><head>
<link rel="stylesheet" href="/css/site.css"><script src="/js/app.js" defer></script>
</head><body><img src="/img/logo.png"></body></html>)";
constexpr std::string_view kPageB = R"(<!doctype html><html><head><link rel="stylesheet" href="/b.css"></head></html>)";

struct Answer {
  int status = 200;
  std::vector<hpack::Header> fields;
  std::string body;
  std::chrono::milliseconds delay{0};
  bool refuse = false;
};

// Answers by "host path" (else by path) after the answer's delay; records requests, head times and cancellations.
class ScriptedUpstream final : public Upstream {
 public:
  std::map<std::string, Answer> answers;
  std::mutex mutex;
  std::vector<UpstreamRequest> requests;
  std::map<std::string, std::chrono::steady_clock::time_point> head_at;  // by "host path"
  int live_calls = 0;                                                    // started and not destroyed yet

  UpstreamRequest request_for(std::string_view target) {
    const std::lock_guard lock(mutex);
    for (auto it = requests.rbegin(); it != requests.rend(); ++it) {
      if (it->target == target) return *it;
    }
    return {};
  }

  std::unique_ptr<UpstreamCall> start(const Route&, UpstreamRequest request, const asio::any_io_executor& executor,
                                      UpstreamCallback on_event) override {
    const std::string key = plan_host(request.authority) + " " + request.target;
    auto it = answers.find(key);
    if (it == answers.end()) it = answers.find(request.target);
    Answer answer = it == answers.end() ? Answer{404, {}, "none", {}, false} : it->second;
    {
      const std::lock_guard lock(mutex);
      requests.push_back(request);
      ++live_calls;
    }
    auto live = std::make_shared<bool>(true);
    auto timer = std::make_shared<asio::steady_timer>(executor);
    timer->expires_after(answer.delay);
    timer->async_wait([this, live, timer, key, answer, emit = std::move(on_event)](std::error_code ec) {
      if (ec || !*live) return;
      if (answer.refuse) return emit(UpstreamFailed{UpstreamError::connect_refused, "scripted"});
      {
        const std::lock_guard lock(mutex);
        head_at[key] = std::chrono::steady_clock::now();
      }
      emit(UpstreamHead{answer.status, answer.fields, "HTTP/1.1"});
      if (!*live) return;
      emit(UpstreamData{std::as_bytes(std::span(answer.body.data(), answer.body.size()))});
      if (*live) emit(UpstreamEnd{});
    });
    return std::make_unique<Call>(this, live, timer);
  }

 private:
  class Call final : public UpstreamCall {
   public:
    Call(ScriptedUpstream* owner, std::shared_ptr<bool> live, std::shared_ptr<asio::steady_timer> timer)
        : owner_(owner), live_(std::move(live)), timer_(std::move(timer)) {}
    ~Call() override {
      *live_ = false;
      timer_->cancel();  // an answer not given yet never comes
      const std::lock_guard lock(owner_->mutex);
      --owner_->live_calls;
    }
    void send_body(std::span<const std::byte>, bool, std::function<void()>) override {}
    void send_trailers(Fields, std::function<void()>) override {}
    void pause(bool) override {}

   private:
    ScriptedUpstream* owner_;
    std::shared_ptr<bool> live_;
    std::shared_ptr<asio::steady_timer> timer_;
  };
};

Answer page(std::string_view html) {
  return {200, {{"content-type", "text/html; charset=utf-8"}}, std::string(html), std::chrono::milliseconds(150)};
}
Answer asset(std::string_view type, std::string_view etag, std::string_view body) {
  return {200, {{"content-type", type}, {"etag", etag}, {"cache-control", "max-age=60"}}, std::string(body), {}};
}

// The scripted upstream's answers: two hosts' pages and their assets (the logo is gone).
std::shared_ptr<ScriptedUpstream> scripted_site() {
  auto upstream = std::make_shared<ScriptedUpstream>();
  upstream->answers["/"] = page(kPage);
  upstream->answers["b.test /"] = page(kPageB);
  upstream->answers["/css/site.css"] = asset("text/css", "\"css-v1\"", "body { color: teal }");
  upstream->answers["/js/app.js"] = asset("text/javascript", "\"js-v1\"", "console.log(1)");
  upstream->answers["/b.css"] = asset("text/css", "\"b-v1\"", "p {}");
  upstream->answers["/img/logo.png"] = {404, {{"content-type", "text/plain"}}, "gone", {}, false};
  return upstream;
}

Route route_with_root(std::string static_root) {
  Route route = ProxyTestServer::scripted_route();
  route.static_root = std::move(static_root);
  return route;
}

class PushServer : public ProxyTestServer {
 public:
  explicit PushServer(std::string static_root = {}, std::shared_ptr<ScriptedUpstream> scripted = scripted_site())
      : ProxyTestServer(route_with_root(std::move(static_root)), scripted), upstream(std::move(scripted)) {}
  // One GET of `path` on `host` without push: learns the page.
  void visit(std::string_view host, std::string_view path = "/") {
    H2Client c(port);
    const http2::StreamId id = c.request("GET", path, true, host);
    c.run([&] { return c.ended(id); });
  }

  std::shared_ptr<ScriptedUpstream> upstream;
};

// A page is learned on the worker thread once its last octets are on their way: an empty answer is retried for up
// to 2 s before it counts.
std::vector<std::string> plan_paths(const ProxySite& site, std::string_view host, std::string_view path) {
  std::vector<std::string> out;
  for (int i = 0; i < 200 && out.empty(); ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (const auto plan = site.plan_lookup()(host, path)) {
      for (const auto& r : plan->resources) out.push_back(r.resource.path);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A push-enabled request of `path` on `host`; runs until the page and every promised stream are over.
http2::StreamId pushed_get(H2Client& c, std::string_view host, std::string_view path = "/",
                           std::string_view cookie = "sid=secret") {
  const http2::Header extra[] = {{"accept-encoding", "gzip"}, {"cookie", cookie}};
  const http2::StreamId id = c.request("GET", path, true, host, extra);
  c.run([&] {
    if (!c.ended(id)) return false;
    return std::all_of(c.promised.begin(), c.promised.end(),
                       [&](const auto& p) { return c.ended(http2::StreamId(p.first)); });
  });
  return id;
}

std::uint32_t stream_of(const H2Client& c, std::string_view path) {
  for (const auto& [id, p] : c.promised) {
    if (p == path) return id;
  }
  return 0;
}

TEST(ProxyPush, PromisesLearnedAssetsAtOnceAndFetchesThemFromTheUpstream) {
  PushServer s;
  s.visit("a.test");
  ASSERT_EQ(plan_paths(*s.site, "a.test", "/"),
            (std::vector<std::string>{"/css/site.css", "/img/logo.png", "/js/app.js"}));
  H2Client c(s.port, true);
  const http2::StreamId id = pushed_get(c, "a.test");
  EXPECT_EQ(c.bodies[id.value()], kPage);
  ASSERT_EQ(c.promised.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(c.log[i].starts_with("promise:")) << c.log[i];  // before any 103
  {
    const std::lock_guard lock(s.upstream->mutex);
    for (const auto& [promised, at] : c.promised_at) EXPECT_LT(at, s.upstream->head_at["a.test /"]) << promised;
  }
  const std::uint32_t css = stream_of(c, "/css/site.css");
  const std::uint32_t js = stream_of(c, "/js/app.js");
  EXPECT_EQ(c.bodies[css], "body { color: teal }");
  EXPECT_EQ(field(c.responses[css], "etag"), "\"css-v1\"");
  EXPECT_EQ(field(c.responses[css], ":status"), "200");
  EXPECT_EQ(c.bodies[js], "console.log(1)");
  EXPECT_EQ(field(c.responses[js], "etag"), "\"js-v1\"");
  EXPECT_EQ(c.resets.count(css) + c.resets.count(js), 0u);
  // The 404 asset: its promised stream is reset with CANCEL and it leaves the plan.
  const std::uint32_t logo = stream_of(c, "/img/logo.png");
  ASSERT_EQ(c.resets.count(logo), 1u);
  EXPECT_EQ(c.resets[logo], http2::ErrorCode::cancel);
  EXPECT_EQ(c.responses.count(logo), 0u);
  EXPECT_EQ(plan_paths(*s.site, "a.test", "/"), (std::vector<std::string>{"/css/site.css", "/js/app.js"}));

  // What the upstream got for a push: the client's host and accept-encoding, forwarding fields, no cookie.
  const UpstreamRequest up = s.upstream->request_for("/css/site.css");
  EXPECT_EQ(up.method, "GET");
  EXPECT_EQ(up.authority, "a.test");
  EXPECT_EQ(field(up.fields, "accept-encoding"), "gzip");
  EXPECT_EQ(field(up.fields, "cookie"), "<none>");
  EXPECT_EQ(field(up.fields, "via"), "2 h2push");
  EXPECT_EQ(field(up.fields, "x-forwarded-for"), "127.0.0.1");
  EXPECT_EQ(field(up.fields, "x-forwarded-host"), "a.test");
  EXPECT_EQ(field(s.upstream->request_for("/").fields, "cookie"), "sid=secret");  // the page's own request has it

  H2Client again(s.port, true);
  pushed_get(again, "a.test");
  std::vector<std::string> promised;
  for (const auto& [sid, path] : again.promised) promised.push_back(path);
  std::sort(promised.begin(), promised.end());
  EXPECT_EQ(promised, (std::vector<std::string>{"/css/site.css", "/js/app.js"}));  // the 404 is not pushed again
}

TEST(ProxyPush, TheCacheDigestOfPushedAssetsStopsPushingThem) {
  PushServer s;
  s.visit("a.test");
  s.visit("a.test", "/css/site.css");  // the client's own asset requests, as a browser makes after the first page:
  s.visit("a.test", "/js/app.js");     // their validators become the plan's versions
  H2Client c(s.port, true);
  const http2::StreamId id = pushed_get(c, "a.test");
  const std::string set_cookie = field(c.responses[id.value()], "set-cookie");
  ASSERT_TRUE(set_cookie.starts_with("h2push-digest=")) << set_cookie;
  // The digest names the assets at the validators seen through the pushes: the next visit pushes nothing.
  H2Client again(s.port, true);
  const http2::StreamId next = pushed_get(again, "a.test", "/", set_cookie.substr(0, set_cookie.find(';')));
  EXPECT_TRUE(again.promised.empty());
  EXPECT_EQ(again.bodies[next.value()], kPage);
}

TEST(ProxyPush, UnstorableFailedOrRefusedFetchesAreCancelledAndStayInThePlan) {
  PushServer s;
  s.upstream->answers["/css/site.css"] = {200, {{"content-type", "text/css"}, {"cache-control", "no-store"}}, "x"};
  s.upstream->answers["/js/app.js"] = {0, {}, {}, {}, true};  // connection refused
  s.upstream->answers["/img/logo.png"] = {503, {{"content-type", "text/plain"}}, "busy", {}, false};
  s.visit("a.test");
  H2Client c(s.port, true);
  pushed_get(c, "a.test");
  ASSERT_EQ(c.promised.size(), 3u);
  for (const auto& [sid, path] : c.promised) {
    ASSERT_EQ(c.resets.count(sid), 1u) << path;
    EXPECT_EQ(c.resets[sid], http2::ErrorCode::cancel) << path;
    EXPECT_EQ(c.bodies.count(sid), 0u) << path;
  }
  EXPECT_EQ(plan_paths(*s.site, "a.test", "/"),
            (std::vector<std::string>{"/css/site.css", "/img/logo.png", "/js/app.js"}));
}

TEST(ProxyPush, AClientRefusingAPushCancelsItsFetch) {
  PushServer s;
  s.upstream->answers["/css/site.css"].delay = std::chrono::milliseconds(30'000);  // never answers in the test
  s.visit("a.test");
  H2Client c(s.port, true);
  const http2::StreamId id = c.request("GET", "/", true, "a.test");
  c.run([&] { return stream_of(c, "/css/site.css") != 0; });
  const std::uint32_t css = stream_of(c, "/css/site.css");
  ASSERT_NE(css, 0u);
  ASSERT_TRUE(c.conn.reset_stream(http2::StreamId(css), http2::ErrorCode::cancel).ok());
  c.flush();
  c.run([&] { return c.ended(id); });
  EXPECT_EQ(c.bodies.count(css), 0u);
  // Every upstream call ends: the page's and the other fetches' once answered, the refused one cancelled.
  int live = -1;
  for (int i = 0; i < 1000 && live != 0; ++i) {
    {
      const std::lock_guard lock(s.upstream->mutex);
      live = s.upstream->live_calls;
    }
    if (live != 0) ::usleep(5'000);
  }
  EXPECT_EQ(live, 0);
  const std::lock_guard lock(s.upstream->mutex);
  EXPECT_EQ(s.upstream->head_at.count("a.test /css/site.css"), 0u);
}

TEST(ProxyPush, ARouteWithAStaticRootPushesFromDisk) {
  const auto root = std::filesystem::temp_directory_path() / ("h2push-push-root-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "css");
  std::filesystem::create_directories(root / "js");
  std::ofstream(root / "css" / "site.css") << "body { color: plum }";
  std::ofstream(root / "js" / "app.js") << "console.log('disk')";  // no img/logo.png: 404 from disk
  {
    PushServer s(root.string());
    ASSERT_TRUE(s.site->error().empty()) << s.site->error();
    s.visit("a.test");
    H2Client c(s.port, true);
    pushed_get(c, "a.test");
    ASSERT_EQ(c.promised.size(), 3u);
    const std::uint32_t css = stream_of(c, "/css/site.css");
    EXPECT_EQ(c.bodies[css], "body { color: plum }");
    EXPECT_NE(field(c.responses[css], "etag"), "<none>");  // the file's validator
    EXPECT_EQ(c.bodies[stream_of(c, "/js/app.js")], "console.log('disk')");
    EXPECT_EQ(c.resets[stream_of(c, "/img/logo.png")], http2::ErrorCode::cancel);
    EXPECT_EQ(plan_paths(*s.site, "a.test", "/"), (std::vector<std::string>{"/css/site.css", "/js/app.js"}));
    EXPECT_TRUE(s.upstream->request_for("/css/site.css").target.empty());  // the upstream was not asked
    EXPECT_TRUE(s.upstream->request_for("/img/logo.png").target.empty());
  }
  std::filesystem::remove_all(root);
  Route missing;
  missing.static_root = "/nonexistent/h2push-root";
  const ProxySite broken(std::vector<Route>{missing});
  EXPECT_NE(broken.error().find("/nonexistent/h2push-root"), std::string::npos) << broken.error();
}

TEST(ProxyPush, TwoHostsBehindOneRouteKeepTheirOwnPlans) {
  PushServer s;
  s.visit("a.test");
  s.visit("B.test:8080");
  EXPECT_EQ(plan_paths(*s.site, "a.test", "/"),
            (std::vector<std::string>{"/css/site.css", "/img/logo.png", "/js/app.js"}));
  EXPECT_EQ(plan_paths(*s.site, "b.test", "/"), (std::vector<std::string>{"/b.css"}));
  EXPECT_TRUE(plan_paths(*s.site, "c.test", "/").empty());
  // Without push: each host's 103 names its own assets.
  H2Client b(s.port);
  const http2::StreamId id = b.request("GET", "/", true, "b.test");
  b.run([&] { return b.ended(id); });
  ASSERT_EQ(b.links.size(), 1u);
  EXPECT_TRUE(b.links[0].starts_with("</b.css>")) << b.links[0];
  // With push: each host's own assets are promised.
  H2Client pb(s.port, true);
  pushed_get(pb, "b.test");
  ASSERT_EQ(pb.promised.size(), 1u);
  EXPECT_EQ(pb.promised.begin()->second, "/b.css");
  EXPECT_EQ(pb.bodies[pb.promised.begin()->first], "p {}");
}

TEST(ProxyPush, PushUpstreamRequestCarriesNoCredentials) {
  const hpack::Header fields[] = {{"accept-encoding", "br"}, {"cookie", "a=1"}, {"authorization", "Basic x"}};
  server::Request promised;
  promised.method = "GET";
  promised.scheme = "https";
  promised.authority = "shop.test";
  promised.target = "/app.js?v=2";
  promised.fields = fields;
  promised.protocol = server::Protocol::h2;
  promised.remote = "192.0.2.1";
  const UpstreamRequest up = push_upstream_request(promised);
  EXPECT_EQ(up.method, "GET");
  EXPECT_EQ(up.target, "/app.js?v=2");
  EXPECT_EQ(up.authority, "shop.test");
  EXPECT_FALSE(up.has_body);
  EXPECT_EQ(field(up.fields, "accept-encoding"), "br");
  EXPECT_EQ(field(up.fields, "cookie"), "<none>");
  EXPECT_EQ(field(up.fields, "authorization"), "<none>");
  EXPECT_EQ(field(up.fields, "x-forwarded-proto"), "https");
  EXPECT_EQ(field(up.fields, "forwarded"), "for=192.0.2.1;host=shop.test;proto=https");
}

}  // namespace
}  // namespace h2push::proxy::test
