// tests/proxy/http1_upstream_pool_test.cpp: Http1Upstream's keep-alive pool and address resolution against a real
// HTTP/1.1 origin on 127.0.0.1 port 0 that counts its connections. The origin answers a burst only once every
// request of it has arrived, so a burst of N needs N connections at once (no timing involved).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include "proxy/http1_upstream.hpp"
#include "proxy/upstream_address.hpp"

namespace h2push::proxy {
namespace {

class CountingOrigin {
 public:
  CountingOrigin(asio::io_context& io, std::size_t burst)
      : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}), burst_(burst) {
    accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::size_t accepted() const { return accepted_; }
  std::size_t requests() const { return requests_; }

 private:
  struct Conn {
    explicit Conn(asio::ip::tcp::socket s) : socket(std::move(s)) {}
    asio::ip::tcp::socket socket;
    std::string input;
    std::array<char, 4096> buffer{};
  };

  void accept() {
    acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      ++accepted_;
      read(std::make_shared<Conn>(std::move(socket)));
      accept();
    });
  }

  void read(const std::shared_ptr<Conn>& c) {
    c->socket.async_read_some(asio::buffer(c->buffer), [this, c](std::error_code ec, std::size_t n) {
      if (ec) return;
      c->input.append(c->buffer.data(), n);
      if (c->input.find("\r\n\r\n") == std::string::npos) return read(c);
      c->input.clear();
      ++requests_;
      waiting_.push_back(c);
      if (waiting_.size() < burst_) return;
      for (const auto& w : waiting_) {
        static const std::string kResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        asio::async_write(w->socket, asio::buffer(kResponse), [this, w](std::error_code e, std::size_t) {
          if (!e) read(w);
        });
      }
      waiting_.clear();
    });
  }

  asio::ip::tcp::acceptor acceptor_;
  std::size_t burst_;
  std::size_t accepted_ = 0, requests_ = 0;
  std::vector<std::shared_ptr<Conn>> waiting_;
};

// Runs `n` concurrent GETs through `upstream`; returns how many completed with a 200 and their body.
std::size_t burst(asio::io_context& io, Http1Upstream& upstream, const Route& route, std::size_t n) {
  std::size_t ok = 0, ended = 0;
  std::vector<std::unique_ptr<UpstreamCall>> calls;
  for (std::size_t i = 0; i < n; ++i) {
    auto status = std::make_shared<int>(0);
    auto body = std::make_shared<std::string>();
    calls.push_back(upstream.start(
        route, {"GET", "/x", "origin.test", {}, false}, io.get_executor(), [&, status, body](const UpstreamEvent& e) {
          if (const auto* h = std::get_if<UpstreamHead>(&e)) *status = h->status;
          if (const auto* d = std::get_if<UpstreamData>(&e)) {
            body->append(reinterpret_cast<const char*>(d->data.data()), d->data.size());
          }
          if (std::holds_alternative<UpstreamEnd>(e) && *status == 200 && *body == "ok") {
            ++ok;
          }
          if (std::holds_alternative<UpstreamEnd>(e) || std::holds_alternative<UpstreamFailed>(e)) {
            ++ended;
          }
        }));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int i = 0; i < 1'000'000 && ended < n && std::chrono::steady_clock::now() < deadline; ++i) {
    io.run_one_for(std::chrono::milliseconds(100));
  }
  // Let the finished calls' connections reach the pool (posted work), without waiting for anything else.
  for (int i = 0; i < 10'000 && io.poll_one() > 0; ++i) {
  }
  return ok;
}

Route route_to(const std::string& host, std::uint16_t port, std::size_t max_idle) {
  Route route;
  route.upstream = {host, port, false};
  route.pool_max_idle = max_idle;
  return route;
}

TEST(Http1UpstreamPoolTest, SecondBurstReusesEveryConnectionOfTheFirst) {
  constexpr std::size_t kBurst = 12;
  asio::io_context io;
  CountingOrigin origin(io, kBurst);
  Http1Upstream upstream;
  const Route route = route_to("127.0.0.1", origin.port(), 1024);  // the default pool size
  EXPECT_EQ(burst(io, upstream, route, kBurst), kBurst);
  EXPECT_EQ(origin.accepted(), kBurst);
  EXPECT_EQ(upstream.stats().idle, kBurst);
  EXPECT_EQ(burst(io, upstream, route, kBurst), kBurst);
  EXPECT_EQ(origin.accepted(), kBurst);  // no new connection
  EXPECT_EQ(origin.requests(), 2 * kBurst);
  EXPECT_EQ(upstream.stats().opened, kBurst);
  EXPECT_EQ(upstream.stats().lookups, 0u);  // a numeric host never goes through the resolver
  upstream.close_idle();
}

TEST(Http1UpstreamPoolTest, PoolKeepsAtMostPoolMaxIdle) {
  constexpr std::size_t kBurst = 12, kMax = 4;
  asio::io_context io;
  CountingOrigin origin(io, kBurst);
  Http1Upstream upstream;
  const Route route = route_to("127.0.0.1", origin.port(), kMax);
  EXPECT_EQ(burst(io, upstream, route, kBurst), kBurst);
  EXPECT_EQ(upstream.stats().idle, kMax);
  EXPECT_EQ(burst(io, upstream, route, kBurst), kBurst);
  EXPECT_EQ(origin.accepted(), kBurst + (kBurst - kMax));  // the pooled ones were reused, the rest new
  EXPECT_EQ(upstream.stats().idle, kMax);
  upstream.close_idle();
}

TEST(Http1UpstreamPoolTest, PoolMaxIdleZeroKeepsNothing) {
  constexpr std::size_t kBurst = 3;
  asio::io_context io;
  CountingOrigin origin(io, kBurst);
  Http1Upstream upstream;
  const Route route = route_to("127.0.0.1", origin.port(), 0);
  EXPECT_EQ(burst(io, upstream, route, kBurst), kBurst);
  EXPECT_EQ(upstream.stats().idle, 0u);
  EXPECT_EQ(burst(io, upstream, route, kBurst), kBurst);
  EXPECT_EQ(origin.accepted(), 2 * kBurst);
}

TEST(Http1UpstreamPoolTest, ANameIsResolvedOnceForConcurrentConnections) {
  constexpr std::size_t kBurst = 6;
  asio::io_context io;
  CountingOrigin origin(io, kBurst);
  Http1Upstream upstream;
  const Route route = route_to("localhost", origin.port(), 2);
  EXPECT_EQ(burst(io, upstream, route, kBurst), kBurst);
  EXPECT_EQ(burst(io, upstream, route, kBurst), kBurst);  // four new connections, the cached answer
  EXPECT_EQ(upstream.stats().opened, 2 * kBurst - 2);
  EXPECT_EQ(upstream.stats().lookups, 1u);
  upstream.close_idle();
}

TEST(UpstreamAddressTest, NumericHostsAreTheirOwnEndpoint) {
  const auto v4 = numeric_endpoint("127.0.0.1", 8000);
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(*v4, asio::ip::tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 8000));
  const auto v6 = numeric_endpoint("::1", 9000);
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->address().is_v6());
  EXPECT_EQ(v6->port(), 9000);
  EXPECT_FALSE(numeric_endpoint("localhost", 80).has_value());
  EXPECT_FALSE(numeric_endpoint("app.internal", 80).has_value());
  EXPECT_FALSE(numeric_endpoint("[::1]", 80).has_value());
  EXPECT_FALSE(numeric_endpoint("", 80).has_value());
}

}  // namespace
}  // namespace h2push::proxy
