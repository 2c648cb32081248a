// tests/server/async_push_test.cpp: pushes answered by an asynchronous handler (Handler::asynchronous_pushes(),
// src/server/exchange.hpp), through a real h2c session: every promise leaves before the page's response, each
// promised stream is an Exchange the handler answers later; 1xx are refused on it, and an answer that is not a
// storable 200, abort() or dropping the exchange resets the promised stream with CANCEL.
#include <gtest/gtest.h>

#include <algorithm>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "server/exchange.hpp"
#include "server/push_policy.hpp"
#include "server/server.hpp"
#include "server/socket_clients.hpp"

namespace h2push::server::test {
namespace {

inline std::span<const std::byte> bytes_of(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

struct Seen {
  std::atomic<int> pushed_starts{0};
  std::atomic<int> informs_accepted{0};  // inform() on a pushed exchange: must stay 0
  std::atomic<int> private_accepted{0};  // respond() of a private response on a pushed exchange: must stay 0
  std::atomic<int> sync_calls{0};
};

// Answers the page after 50 ms; pushed exchanges: /a.css streamed 200 after 10 ms, /b.js private (refused),
// /c.png dropped unanswered, /d.svg aborted.
class PushingHandler final : public Handler {
 public:
  explicit PushingHandler(std::shared_ptr<Seen> seen) : seen_(std::move(seen)) {}
  Response handle(const Request&) override {
    ++seen_->sync_calls;
    return Response{404, {}, nullptr, std::nullopt};
  }
  bool asynchronous() const noexcept override { return true; }
  bool asynchronous_pushes() const noexcept override { return true; }

  void start(std::shared_ptr<Exchange> x) override {
    const std::string path(x->request().target);
    if (!x->pushed()) {
      return later(x, 50, [](Exchange& e) {
        e.respond_streaming(200, {{"content-type", "text/html"}});
        e.write(bytes_of("<p>page</p>"), true);
      });
    }
    ++seen_->pushed_starts;
    if (x->inform(103, {{"link", "</x>; rel=preload"}})) ++seen_->informs_accepted;
    if (path == "/a.css") {
      later(x, 10, [](Exchange& e) {
        e.respond_streaming(200, {{"content-type", "text/css"}, {"etag", "\"a1\""}});
        e.write(bytes_of("a {"), false);
        e.write(bytes_of(" }"), true);
      });
    } else if (path == "/b.js") {
      Response r{200, {{"cache-control", "private"}}, nullptr, 0};
      if (x->respond(std::move(r))) ++seen_->private_accepted;
    } else if (path == "/d.svg") {
      x->abort();
    }  // /c.png: released here, unanswered
  }

 private:
  template <class F>
  static void later(const std::shared_ptr<Exchange>& x, int ms, F f) {
    auto timer = std::make_shared<asio::steady_timer>(x->executor());
    timer->expires_after(std::chrono::milliseconds(ms));
    timer->async_wait([x, timer, f](std::error_code ec) {
      if (!ec) f(*x);
    });
  }
  std::shared_ptr<Seen> seen_;
};

push::PlannedResource planned(std::string path, std::uint8_t urgency) {
  push::PlannedResource r;
  r.resource.path = std::move(path);
  r.resource.as = push::Destination::style;
  r.urgency = urgency;
  return r;
}

TEST(AsyncPush, PromisesFirstThenTheHandlerAnswersEachPromisedStream) {
  auto seen = std::make_shared<Seen>();
  auto plan = std::make_shared<push::PagePlan>();
  plan->page = "/";
  plan->resources = {planned("/a.css", 4), planned("/b.js", 5), planned("/c.png", 6), planned("/d.svg", 6)};
  ServerOptions o;
  o.http.push_back({"127.0.0.1", 0});
  o.workers = 1;
  o.access_log = "off";
  o.make_handler = [seen] { return std::make_unique<PushingHandler>(seen); };
  o.push = std::make_shared<PushPolicy>(
      [plan](std::string_view, std::string_view path) { return path == "/" ? plan : nullptr; }, PushConfig{});
  auto started = Server::start(std::move(o));
  ASSERT_TRUE(started.ok()) << started.error();
  const std::string line = (*started)->describe_listeners().front();
  const auto port = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
  {
    H2Client c(port, true);
    const http2::StreamId id = c.request("GET", "/", true);
    c.run([&] {
      return c.ended(id) && c.promised.size() == 4 &&
             std::all_of(c.promised.begin(), c.promised.end(),
                         [&](const auto& p) { return c.ended(http2::StreamId(p.first)); });
    });
    ASSERT_GE(c.log.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) EXPECT_TRUE(c.log[i].starts_with("promise:")) << c.log[i];
    EXPECT_EQ(c.bodies[id.value()], "<p>page</p>");
    std::map<std::string, std::uint32_t> by_path;
    for (const auto& [sid, path] : c.promised) by_path[path] = sid;
    const std::uint32_t css = by_path["/a.css"];
    EXPECT_EQ(c.bodies[css], "a { }");
    EXPECT_EQ(c.resets.count(css), 0u);
    ASSERT_FALSE(c.responses[css].empty());
    EXPECT_EQ(c.responses[css][0].second, "200");
    for (const char* path : {"/b.js", "/c.png", "/d.svg"}) {
      const std::uint32_t sid = by_path[path];
      ASSERT_EQ(c.resets.count(sid), 1u) << path;
      EXPECT_EQ(c.resets[sid], http2::ErrorCode::cancel) << path;
      EXPECT_EQ(c.responses.count(sid), 0u) << path;
    }
    // The page came after every promise and after the pushed CSS was answered by the handler.
    const auto page_at = std::find(c.log.begin(), c.log.end(), "data:<p>page</p>");
    const auto css_at =
        std::find_if(c.log.begin(), c.log.end(), [](const std::string& e) { return e.starts_with("data:a {"); });
    ASSERT_NE(css_at, c.log.end());
    EXPECT_LT(css_at, page_at);
  }
  (*started)->shut_down();
  (*started)->wait();
  EXPECT_EQ(seen->pushed_starts.load(), 4);
  EXPECT_EQ(seen->informs_accepted.load(), 0);
  EXPECT_EQ(seen->private_accepted.load(), 0);
  EXPECT_EQ(seen->sync_calls.load(), 0);  // never asked synchronously
}

}  // namespace
}  // namespace h2push::server::test
