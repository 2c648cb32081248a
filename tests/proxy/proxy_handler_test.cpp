// tests/proxy/proxy_handler_test.cpp: the proxy handler through real sessions (a Server on 127.0.0.1 port 0) in front
// of FakeUpstream: forwarding both ways, upstream 1xx, errors, uploads, and learning then hinting a page before the
// upstream has answered.
#include "proxy/proxy_handler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "fake_upstream.hpp"
#include "proxy_test_server.hpp"
#include "server/socket_clients.hpp"

namespace h2push::proxy::test {
namespace {

using server::test::connect_to;
using server::test::h1_exchange;
using server::test::H2Client;

// The proxy in front of FakeUpstream, which records what it was sent in `log`.
class ProxyServer : public ProxyTestServer {
 public:
  explicit ProxyServer(const LearnOptions& learn = {}, std::shared_ptr<FakeLog> fake_log = std::make_shared<FakeLog>())
      : ProxyTestServer(scripted_route(), std::make_shared<FakeUpstream>(fake_log), learn), log(std::move(fake_log)) {}
  UpstreamRequest last_request() {
    const std::lock_guard lock(log->mutex);
    return log->requests.back();
  }

  std::shared_ptr<FakeLog> log;
};

std::vector<std::string> link_targets(const std::vector<std::string>& links) {
  std::vector<std::string> out;
  for (const std::string& l : links) out.push_back(l.substr(1, l.find('>') - 1));
  std::sort(out.begin(), out.end());
  return out;
}

// A page is learned once its last octets are on their way to the client, on the worker thread: wait (bounded) for
// the plan before looking at it from this thread.
// Plans are kept per host: H2Client sends :authority "x", h1_get() Host "a.test".
std::shared_ptr<const push::PagePlan> wait_for_plan(ProxyServer& s, std::string_view host, std::string_view page) {
  for (int i = 0; i < 500; ++i) {
    if (auto plan = s.site->learned(0).plan(0, host, page)) return plan;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return nullptr;
}

std::string h1_get(std::uint16_t port, std::string_view target) {
  return h1_exchange(port, "GET " + std::string(target) + " HTTP/1.1\r\nhost: a.test\r\nconnection: close\r\n\r\n");
}

TEST(ProxyHandler, LearnsThePageThenHintsItBeforeTheUpstreamAnswers) {
  ProxyServer s;
  {
    H2Client first(s.port);
    const http2::StreamId id = first.request("GET", "/page?x=1", true);
    first.run([&] { return first.ended(id); });
    EXPECT_TRUE(first.links.empty());  // nothing known yet
    EXPECT_EQ(first.body, kPageHtml);
  }
  ASSERT_NE(wait_for_plan(s, "x", "/page"), nullptr);
  H2Client second(s.port);
  const http2::StreamId id = second.request("GET", "/page?x=2", true);
  second.run([&] { return second.ended(id); });
  ASSERT_GE(second.log.size(), 2u);
  EXPECT_EQ(second.log[0], "103");
  EXPECT_EQ(second.log[1], "200");
  const std::vector<std::string> want = {"/css/site.css", "/img/logo.png", "/js/app.js"};
  EXPECT_EQ(link_targets(second.links), want);
  EXPECT_EQ(second.body, kPageHtml);
  const std::lock_guard lock(s.log->mutex);
  EXPECT_LT(second.first_informational, s.log->last_head);  // the hint left before the upstream's head existed
}

TEST(ProxyHandler, NoStorePagesAreNeverLearned) {
  ProxyServer s;
  for (int i = 0; i < 2; ++i) {
    H2Client c(s.port);
    const http2::StreamId id = c.request("GET", "/nostore", true);
    c.run([&] { return c.ended(id); });
    EXPECT_TRUE(c.links.empty()) << i;
    EXPECT_EQ(c.body, kPageHtml);
  }
  EXPECT_EQ(s.site->learned(0).plan(0, "x", "/nostore"), nullptr);
}

TEST(ProxyHandler, AssetValidatorsSeenThroughTheProxyAreKept) {
  ProxyServer s;
  h1_exchange(s.port, "GET /page HTTP/1.1\r\nhost: a.test\r\nconnection: close\r\n\r\n");
  const std::string css =
      h1_exchange(s.port, "GET /css/site.css HTTP/1.1\r\nhost: a.test\r\nconnection: close\r\n\r\n");
  EXPECT_TRUE(css.ends_with("body{} /")) << css;
  auto plan = s.site->learned(0).plan(0, "a.test", "/page");
  ASSERT_NE(plan, nullptr);
  ASSERT_EQ(plan->resources[0].resource.path, "/css/site.css");
  EXPECT_EQ(plan->resources[0].stat.version, "\"css-v1\"");
}

TEST(ProxyHandler, StyleSheetsAndModulesPassingThroughAddTheLevelsBelow) {
  ProxyServer s;
  EXPECT_NE(h1_get(s.port, "/deep").find("deep.css"), std::string::npos);
  ASSERT_NE(wait_for_plan(s, "a.test", "/deep"), nullptr);
  // The browser's requests for what the page names, then for what the sheet imports.
  EXPECT_NE(h1_get(s.port, "/css/deep.css").find("@import"), std::string::npos);
  EXPECT_NE(h1_get(s.port, "/js/deep.js").find("import"), std::string::npos);
  EXPECT_NE(h1_get(s.port, "/css/base.css").find("bg.png"), std::string::npos);
  std::shared_ptr<const push::PagePlan> plan;
  for (int i = 0; i < 500 && (plan == nullptr || plan->resources.size() < 7); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    plan = wait_for_plan(s, "a.test", "/deep");
  }
  ASSERT_NE(plan, nullptr);
  H2Client c(s.port);
  const http2::StreamId id = c.request("GET", "/deep", true, "a.test");  // the host the page was learned for
  c.run([&] { return c.ended(id); });
  std::vector<std::string> in_order;
  for (const std::string& l : c.links) in_order.push_back(l.substr(1, l.find('>') - 1));
  const std::vector<std::string> want = {"/css/deep.css", "/css/base.css", "/fonts/f.woff2", "/js/deep.js",
                                         "/js/dep.js",    "/img/deep.png", "/img/bg.png"};
  EXPECT_EQ(in_order, want);
  EXPECT_EQ(plan->resources[1].stat.version, "\"/css/base.css-1\"");
}

TEST(ProxyHandler, APageLongerThanTheCaptureIsLearnedFromItsHead) {
  ProxyServer s;
  const std::string r = h1_get(s.port, "/huge");
  EXPECT_GT(r.size(), 20u * 64 * 1024);
  EXPECT_NE(r.find("late.png"), std::string::npos);  // the client got it all
  const auto plan = wait_for_plan(s, "a.test", "/huge");
  ASSERT_NE(plan, nullptr);
  ASSERT_EQ(plan->resources.size(), 1u);
  EXPECT_EQ(plan->resources[0].resource.path, "/css/huge.css");
}

// The capture follows the route's LearnOptions: a copy taken under another cap (say the 1 MiB default) would hold
// the whole page, which the route's 128-octet parse limit then refuses, and nothing would be learned.
TEST(ProxyHandler, TheRoutesCaptureCapBoundsWhatIsLearnedOfAPage) {
  LearnOptions small;
  small.max_capture_bytes = 128;  // kPageHtml (165 octets) ends its head at 113: learned from the head alone
  ProxyServer s(small);
  H2Client c(s.port);
  const http2::StreamId id = c.request("GET", "/page", true);
  c.run([&] { return c.ended(id); });
  EXPECT_EQ(c.body, kPageHtml);  // the client got it all
  const auto plan = wait_for_plan(s, "x", "/page");
  ASSERT_NE(plan, nullptr);
  std::vector<std::string> paths;
  for (const auto& r : plan->resources) paths.push_back(r.resource.path);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"/css/site.css", "/js/app.js"}));  // not the body's /img/logo.png
}

TEST(ProxyHandler, NonGetAndNon200PagesAreNeverLearned) {
  ProxyServer s;
  h1_exchange(s.port, "POST /page HTTP/1.1\r\nhost: a.test\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
  EXPECT_NE(h1_get(s.port, "/missing").find("HTTP/1.1 404"), std::string::npos);
  h1_get(s.port, "/deep");  // learned: the two requests before it are behind it on the worker
  ASSERT_NE(wait_for_plan(s, "a.test", "/deep"), nullptr);
  EXPECT_EQ(s.site->learned(0).plan(0, "a.test", "/page"), nullptr);
  EXPECT_EQ(s.site->learned(0).plan(0, "a.test", "/missing"), nullptr);
}

TEST(ProxyHandler, ForwardsUpstreamHintsAndRewritesHeadersBothWays) {
  ProxyServer s;
  const std::string r = h1_exchange(s.port,
                                    "GET /early HTTP/1.1\r\nhost: a.test\r\nconnection: close, x-secret\r\n"
                                    "x-secret: 1\r\nte: gzip\r\nx-forwarded-for: 203.0.113.7\r\naccept: */*\r\n\r\n");
  const std::size_t hints = r.find("HTTP/1.1 103");
  const std::size_t final = r.find("HTTP/1.1 200");
  ASSERT_NE(hints, std::string::npos) << r;
  ASSERT_LT(hints, final) << r;
  EXPECT_NE(r.find("</app-said.css>; rel=preload; as=style", hints), std::string::npos) << r;
  EXPECT_EQ(r.find("x-hop"), std::string::npos) << r;  // named by the upstream's Connection: dropped
  EXPECT_NE(r.find("via: 1.1 h2push"), std::string::npos) << r;
  EXPECT_TRUE(r.ends_with("\r\n\r\n2\r\nok\r\n0\r\n\r\n")) << r;

  const UpstreamRequest up = s.last_request();
  EXPECT_EQ(up.method, "GET");
  EXPECT_EQ(up.target, "/early");
  EXPECT_EQ(up.authority, "a.test");
  EXPECT_EQ(field(up.fields, "x-secret"), "<none>");
  EXPECT_EQ(field(up.fields, "te"), "<none>");
  EXPECT_EQ(field(up.fields, "connection"), "<none>");
  EXPECT_EQ(field(up.fields, "accept"), "*/*");
  EXPECT_EQ(field(up.fields, "via"), "1.1 h2push");
  EXPECT_EQ(field(up.fields, "x-forwarded-for"), "203.0.113.7, 127.0.0.1");
  EXPECT_EQ(field(up.fields, "x-forwarded-proto"), "http");
  EXPECT_EQ(field(up.fields, "x-forwarded-host"), "a.test");
  EXPECT_EQ(field(up.fields, "forwarded"), "for=127.0.0.1;host=a.test;proto=http");
}

TEST(ProxyHandler, UpstreamFailuresBecome502Or504) {
  ProxyServer s;
  const std::string refused = h1_exchange(s.port, "GET /refused HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n");
  EXPECT_EQ(refused.substr(0, 12), "HTTP/1.1 502") << refused;
  const std::string timeout = h1_exchange(s.port, "GET /timeout HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n");
  EXPECT_EQ(timeout.substr(0, 12), "HTTP/1.1 504") << timeout;
  const std::string odd = h1_exchange(s.port, "GET /status-805 HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n");
  EXPECT_EQ(odd.substr(0, 12), "HTTP/1.1 502") << odd;
  EXPECT_EQ(odd.find("odd"), std::string::npos) << odd;  // none of the invalid response's body
  // After the head a failure can only cut the body: no last chunk, the connection closes.
  const std::string cut = h1_exchange(s.port, "GET /reset-mid HTTP/1.1\r\nhost: a\r\n\r\n");
  EXPECT_EQ(cut.substr(0, 12), "HTTP/1.1 200") << cut;
  EXPECT_NE(cut.find("\r\n\r\n4\r\npart\r\n"), std::string::npos) << cut;  // what came before the failure
  EXPECT_FALSE(cut.ends_with("0\r\n\r\n")) << cut;
  H2Client c(s.port);
  const http2::StreamId id = c.request("GET", "/reset-mid", true);
  c.run([&] { return c.ended(id); });
  ASSERT_FALSE(c.log.empty());
  EXPECT_EQ(c.log.back(), "reset");
  const http2::StreamId odd_h2 = c.request("GET", "/status-805", true);
  c.run([&] { return c.ended(odd_h2); });
  EXPECT_NE(std::find(c.log.begin(), c.log.end(), "502"), c.log.end());  // HTTP/2 cannot even carry 805
  // The proxy still serves others afterwards.
  const http2::StreamId ok = c.request("GET", "/early", true);
  c.run([&] { return c.ended(ok); });
  EXPECT_EQ(c.log.back(), "data:ok");
}

TEST(ProxyHandler, StreamsARequestBodyToTheUpstream) {
  ProxyServer s;
  H2Client c(s.port);
  const http2::StreamId id = c.request("POST", "/echo", false);
  std::string body(150 * 1024, 'z');  // over the stream window: flows only as the upstream takes it
  for (std::size_t i = 0; i < body.size(); i += 991) body[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(c.conn.send_data(id, std::as_bytes(std::span(body.data(), body.size())), true).ok());
  c.flush();
  c.run([&] {
    c.flush();
    return c.ended(id);
  });
  EXPECT_TRUE(c.body == body);
  const std::lock_guard lock(s.log->mutex);
  ASSERT_EQ(s.log->bodies.size(), 1u);
  EXPECT_TRUE(s.log->bodies[0] == body);
}

TEST(ProxyHandler, ClientGoneCancelsTheUpstreamCall) {
  ProxyServer s;
  {
    const int fd = connect_to(s.port);
    server::test::send_all(fd, "GET /slow-page HTTP/1.1\r\nhost: a\r\n\r\n");  // the fake thinks 150 ms
    for (int i = 0; i < 200; ++i) {
      {
        const std::lock_guard lock(s.log->mutex);
        if (!s.log->requests.empty()) break;
      }
      ::usleep(5'000);
    }
    ::close(fd);
  }
  int cancelled = 0;
  for (int i = 0; i < 200 && cancelled == 0; ++i) {
    ::usleep(5'000);
    const std::lock_guard lock(s.log->mutex);
    cancelled = s.log->cancelled;
  }
  EXPECT_EQ(cancelled, 1);
  EXPECT_EQ(s.site->learned(0).plan(0, "a", "/slow-page"), nullptr);  // never completed: not learned
}

}  // namespace
}  // namespace h2push::proxy::test
