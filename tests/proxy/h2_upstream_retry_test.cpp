// tests/proxy/h2_upstream_retry_test.cpp: H2cUpstream and Http1Upstream against scripted origins on 127.0.0.1 port
// 0 (one io_context, no threads): trailers both ways, and RFC 9113 §8.7 refusals (RST_STREAM(REFUSED_STREAM), a
// GOAWAY whose last stream is below the request's) retried once on a new connection; a second refusal, or a body the
// proxy no longer holds, fails the call (the handler answers 502).
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include "h2push/http2/connection.hpp"
#include "proxy/h2c_upstream.hpp"
#include "proxy/http1_upstream.hpp"

namespace h2push::proxy {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// What the origin does with a request: answer it (echoing body and trailers, with trailers of its own), refuse it
// when its head arrives, send GOAWAY(last stream 0) when its head arrives, or refuse it once 64 KiB of body arrived.
enum class Act { answer, refuse, goaway, refuse_after_data };

class H2Origin {
 public:
  // `script(connection, request)`: both counted from 0.
  H2Origin(asio::io_context& io, std::function<Act(int, int)> script)
      : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}), script_(std::move(script)) {
    accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int connections = 0, requests = 0;
  Pairs last_trailers;  // the last request's trailers
  std::string last_body;

 private:
  struct Conn {
    explicit Conn(asio::ip::tcp::socket s) : socket(std::move(s)), core(http2::Options{}) {}
    asio::ip::tcp::socket socket;
    http2::Connection core;
    std::array<std::byte, 16384> buffer{};
    std::map<std::uint32_t, std::string> bodies;
    std::map<std::uint32_t, Act> acts;
    int index = 0;
    bool dead = false;  // sent a hand-made GOAWAY: its core writes nothing more
  };

  void accept() {
    acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      auto c = std::make_shared<Conn>(std::move(socket));
      c->index = connections++;
      read(c);
      accept();
    });
  }

  void read(const std::shared_ptr<Conn>& c) {
    c->socket.async_read_some(asio::buffer(c->buffer), [this, c](std::error_code ec, std::size_t n) {
      if (ec) return;
      for (const http2::Event& e : c->core.receive({c->buffer.data(), n})) on_event(*c, e);
      flush(*c);
      read(c);
    });
  }

  void on_event(Conn& c, const http2::Event& e) {
    if (const auto* r = std::get_if<http2::RequestReceived>(&e)) {
      const Act act = script_(c.index, requests++);
      c.acts[r->stream.value()] = act;
      last_trailers.clear();
      if (act == Act::refuse) (void)c.core.reset_stream(r->stream, http2::ErrorCode::refused_stream);
      if (act == Act::goaway) goaway(c);
      if (act == Act::answer && r->end_stream) answer(c, r->stream);
    } else if (const auto* d = std::get_if<http2::DataReceived>(&e)) {
      std::string& body = c.bodies[d->stream.value()];
      body.append(reinterpret_cast<const char*>(d->data.data()), d->data.size());
      if (c.acts[d->stream.value()] == Act::refuse_after_data && body.size() > 64 * 1024) {
        (void)c.core.reset_stream(d->stream, http2::ErrorCode::refused_stream);
        return;
      }
      if (d->end_stream) answer(c, d->stream);
    } else if (const auto* t = std::get_if<http2::TrailersReceived>(&e)) {
      for (const http2::Header& h : t->headers) last_trailers.emplace_back(h.name, h.value);
      answer(c, t->stream);
    }
  }

  void answer(Conn& c, http2::StreamId id) {
    if (c.acts[id.value()] != Act::answer) return;
    last_body = c.bodies[id.value()];
    const std::string body = "conn" + std::to_string(c.index) + ":" + last_body;
    const http2::Header head[] = {{":status", "200"}, {"content-type", "application/grpc"}};
    (void)c.core.submit_response(id, head, false);
    (void)c.core.send_data(id, std::as_bytes(std::span(body.data(), body.size())), false);
    const std::string echoed = last_trailers.empty() ? "none" : last_trailers.front().second;
    const http2::Header trailers[] = {{"grpc-status", "0"}, {"x-echo", echoed}};
    (void)c.core.submit_trailers(id, trailers);
  }

  // GOAWAY(last stream 0, NO_ERROR) written by hand: the core cannot go below a stream it received.
  void goaway(Conn& c) {
    flush(c);
    static constexpr std::array<unsigned char, 17> kFrame = {0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    std::error_code ignored;
    asio::write(c.socket, asio::buffer(kFrame), ignored);
    c.dead = true;
  }

  void flush(Conn& c) {
    if (c.dead) return;
    const std::span<const std::byte> out = c.core.pending_output();
    std::error_code ignored;
    asio::write(c.socket, asio::buffer(out.data(), out.size()), ignored);  // small, on loopback
    c.core.consume_output(out.size());
  }

  asio::ip::tcp::acceptor acceptor_;
  std::function<Act(int, int)> script_;
};

struct Outcome {
  int status = 0;
  std::string body;
  Pairs trailers;
  bool ended = false, failed = false;
  std::string detail;
};

// One request through `upstream`, with `body` (and `trailers`) when given; runs the loop until it ends (bounded).
Outcome exchange(asio::io_context& io, Upstream& upstream, const Route& route, const std::string& method,
                 const std::optional<std::string>& body = std::nullopt, const Fields& trailers = {},
                 bool end_body = true) {
  auto out = std::make_shared<Outcome>();
  UpstreamRequest request{method, "/svc", "origin.test", {{"te", "trailers"}}, body.has_value()};
  auto call = upstream.start(route, std::move(request), io.get_executor(), [out](const UpstreamEvent& e) {
    if (const auto* h = std::get_if<UpstreamHead>(&e)) out->status = h->status;
    if (const auto* d = std::get_if<UpstreamData>(&e)) {
      out->body.append(reinterpret_cast<const char*>(d->data.data()), d->data.size());
    }
    if (const auto* end = std::get_if<UpstreamEnd>(&e)) {
      for (const hpack::Header& h : end->trailers) out->trailers.emplace_back(h.name, h.value);
      out->ended = true;
    }
    if (const auto* f = std::get_if<UpstreamFailed>(&e)) {
      out->failed = true;
      out->detail = f->detail;
    }
  });
  if (body) {
    const auto bytes = std::as_bytes(std::span(body->data(), body->size()));
    if (!trailers.empty()) {
      call->send_body(bytes, false, [] {});
      call->send_trailers(trailers, [] {});
    } else {
      call->send_body(bytes, end_body, [] {});
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (int i = 0; i < 100'000 && !out->ended && !out->failed && std::chrono::steady_clock::now() < deadline; ++i) {
    io.run_one_for(std::chrono::milliseconds(50));
  }
  return *out;
}

Route h2_route(std::uint16_t port) {
  Route route;
  route.upstream = {"127.0.0.1", port, false};
  route.upstream.h2 = true;
  return route;
}

TEST(H2UpstreamTrailers, ResponseAndRequestTrailersTravel) {
  asio::io_context io;
  H2Origin origin(io, [](int, int) { return Act::answer; });
  H2cUpstream upstream;
  const Outcome get = exchange(io, upstream, h2_route(origin.port()), "GET");
  ASSERT_TRUE(get.ended) << get.detail;
  EXPECT_EQ(get.body, "conn0:");
  const Pairs want = {{"grpc-status", "0"}, {"x-echo", "none"}};
  EXPECT_EQ(get.trailers, want);
  const Outcome post = exchange(io, upstream, h2_route(origin.port()), "POST", "hello", {{"x-checksum", "42"}});
  ASSERT_TRUE(post.ended) << post.detail;
  EXPECT_EQ(post.body, "conn0:hello");
  const Pairs echoed = {{"grpc-status", "0"}, {"x-echo", "42"}};
  EXPECT_EQ(post.trailers, echoed);
  const Pairs sent = {{"x-checksum", "42"}};
  EXPECT_EQ(origin.last_trailers, sent);
  upstream.close_idle();
}

TEST(H2UpstreamRetry, ARefusedStreamIsRetriedOnANewConnection) {
  asio::io_context io;
  H2Origin origin(io, [](int, int request) { return request == 0 ? Act::refuse : Act::answer; });
  H2cUpstream upstream;
  const Outcome r = exchange(io, upstream, h2_route(origin.port()), "GET");
  ASSERT_TRUE(r.ended) << r.detail;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "conn1:");  // the second answer, from the second connection
  EXPECT_EQ(origin.requests, 2);
  EXPECT_EQ(upstream.stats().retries, 1u);
  EXPECT_EQ(upstream.stats().connections_opened, 2u);
  upstream.close_idle();
}

TEST(H2UpstreamRetry, AGoawayBelowTheRequestRetriesItOnANewConnection) {
  asio::io_context io;
  H2Origin origin(io, [](int conn, int) { return conn == 0 ? Act::goaway : Act::answer; });
  H2cUpstream upstream;
  const Outcome r = exchange(io, upstream, h2_route(origin.port()), "POST", "small body", {{"x-checksum", "7"}});
  ASSERT_TRUE(r.ended) << r.detail;
  EXPECT_EQ(r.body, "conn1:small body");  // the body was still held: sent again whole, trailers too
  EXPECT_EQ(origin.last_trailers, (Pairs{{"x-checksum", "7"}}));
  EXPECT_EQ(origin.connections, 2);
  EXPECT_EQ(upstream.stats().retries, 1u);
  upstream.close_idle();
}

TEST(H2UpstreamRetry, ASecondRefusalFails) {
  asio::io_context io;
  H2Origin origin(io, [](int, int) { return Act::refuse; });
  H2cUpstream upstream;
  const Outcome r = exchange(io, upstream, h2_route(origin.port()), "GET");
  EXPECT_TRUE(r.failed);
  EXPECT_NE(r.detail.find("REFUSED_STREAM"), std::string::npos) << r.detail;
  EXPECT_EQ(origin.requests, 2);  // retried once only
  upstream.close_idle();
}

TEST(H2UpstreamRetry, ABodyNoLongerHeldIsNotRetried) {
  asio::io_context io;
  H2Origin origin(io, [](int, int) { return Act::refuse_after_data; });
  H2cUpstream upstream;
  // Refused once past the 64 KiB kept for a replay: octets went and are gone.
  const Outcome r = exchange(io, upstream, h2_route(origin.port()), "POST", std::string(100 * 1024, 'b'), {}, false);
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(origin.requests, 1);
  EXPECT_EQ(upstream.stats().retries, 0u);
  upstream.close_idle();
}

// An HTTP/1.1 origin that answers chunked with a trailer section and keeps what it received.
class H1TrailerOrigin {
 public:
  explicit H1TrailerOrigin(asio::io_context& io) : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket s) {
      if (!ec) read(std::make_shared<asio::ip::tcp::socket>(std::move(s)));
    });
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string received;

 private:
  void read(const std::shared_ptr<asio::ip::tcp::socket>& s) {
    s->async_read_some(asio::buffer(buffer_), [this, s](std::error_code ec, std::size_t n) {
      if (ec) return;
      received.append(buffer_.data(), n);
      if (received.ends_with("\r\n\r\n") && received.find("0\r\n") != std::string::npos) {
        static const std::string kAnswer =
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\ngrpc-status: 5\r\n"
            "content-length: 9\r\n\r\n";
        std::error_code ignored;
        asio::write(*s, asio::buffer(kAnswer), ignored);
      }
      read(s);
    });
  }
  asio::ip::tcp::acceptor acceptor_;
  std::array<char, 4096> buffer_{};
};

TEST(H1UpstreamTrailers, ChunkedTrailerSectionsTravelBothWays) {
  asio::io_context io;
  H1TrailerOrigin origin(io);
  Http1Upstream upstream;
  Route route;
  route.upstream = {"127.0.0.1", origin.port(), false};
  const Outcome r = exchange(io, upstream, route, "POST", "abc", {{"x-checksum", "1"}});
  ASSERT_TRUE(r.ended) << r.detail;
  EXPECT_EQ(r.body, "ok");
  // As received: the handler filters (content-length goes there).
  const Pairs want = {{"grpc-status", "5"}, {"content-length", "9"}};
  EXPECT_EQ(r.trailers, want);
  EXPECT_NE(origin.received.find("transfer-encoding: chunked\r\n"), std::string::npos) << origin.received;
  EXPECT_TRUE(origin.received.ends_with("\r\n3\r\nabc\r\n0\r\nx-checksum: 1\r\n\r\n")) << origin.received;
  upstream.close_idle();
}

}  // namespace
}  // namespace h2push::proxy
