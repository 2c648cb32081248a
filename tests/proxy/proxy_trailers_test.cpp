// tests/proxy/proxy_trailers_test.cpp: trailers through the proxy handler (real sessions on 127.0.0.1 port 0) in
// front of FakeUpstream: the upstream's response trailers reach an HTTP/2 client as trailers and an HTTP/1.1 client
// as a chunked trailer section, filtered (RFC 9110 §6.5.1); an HTTP/2 client's request trailers reach the upstream,
// filtered the same way.
#include <gtest/gtest.h>

#include <string>

#include "fake_upstream.hpp"
#include "proxy/forwarding.hpp"
#include "proxy_test_server.hpp"
#include "server/socket_clients.hpp"

namespace h2push::proxy::test {
namespace {

using server::test::h1_exchange;
using server::test::H2Client;
using Pairs = std::vector<std::pair<std::string, std::string>>;

class TrailerServer : public ProxyTestServer {
 public:
  explicit TrailerServer(std::shared_ptr<FakeLog> fake_log = std::make_shared<FakeLog>())
      : ProxyTestServer(scripted_route(), std::make_shared<FakeUpstream>(fake_log)), log(std::move(fake_log)) {}
  std::shared_ptr<FakeLog> log;
};

TEST(ProxyTrailers, ResponseTrailersReachAnHttp2ClientFiltered) {
  TrailerServer s;
  H2Client c(s.port);
  const http2::StreamId id = c.request("GET", "/trailers", true);
  c.run([&] { return c.ended(id); });
  ASSERT_FALSE(c.log.empty());
  EXPECT_EQ(c.log.back(), "trailers");
  EXPECT_EQ(c.bodies[id.value()], "grpc-body");
  const Pairs want = {{"grpc-status", "0"}, {"grpc-message", "fine"}};
  EXPECT_EQ(c.trailers[id.value()], want);  // content-length, set-cookie, content-type, hop-by-hop ones dropped
}

TEST(ProxyTrailers, ResponseTrailersReachAnHttp11ClientAsAChunkedTrailerSection) {
  TrailerServer s;
  const std::string r =
      h1_exchange(s.port, "GET /trailers HTTP/1.1\r\nhost: a\r\nte: trailers\r\nconnection: close\r\n\r\n");
  EXPECT_EQ(r.substr(0, 12), "HTTP/1.1 200") << r;
  EXPECT_NE(r.find("transfer-encoding: chunked"), std::string::npos) << r;
  EXPECT_TRUE(r.ends_with("\r\n9\r\ngrpc-body\r\n0\r\ngrpc-status: 0\r\ngrpc-message: fine\r\n\r\n")) << r;
  EXPECT_EQ(r.find("text/evil"), std::string::npos) << r;
  EXPECT_EQ(r.find("a=b"), std::string::npos) << r;
}

TEST(ProxyTrailers, RequestTrailersReachTheUpstreamFiltered) {
  TrailerServer s;
  H2Client c(s.port);
  const http2::Header te[] = {{"te", "trailers"}};
  const http2::StreamId id = c.request("POST", "/echo", false, "x", te);
  const std::string body = "payload";
  ASSERT_TRUE(c.conn.send_data(id, std::as_bytes(std::span(body.data(), body.size())), false).ok());
  const http2::Header trailers[] = {{"x-checksum", "abc"}, {"authorization", "secret"}, {"content-length", "1"}};
  ASSERT_TRUE(c.conn.submit_trailers(id, trailers).ok());
  c.flush();
  c.run([&] {
    c.flush();
    return c.ended(id);
  });
  EXPECT_EQ(c.bodies[id.value()], body);
  const std::lock_guard lock(s.log->mutex);
  ASSERT_EQ(s.log->bodies.size(), 1u);
  EXPECT_EQ(s.log->bodies[0], body);
  const Fields want = {{"x-checksum", "abc"}};
  EXPECT_EQ(s.log->trailers, want);
  EXPECT_EQ(field(s.log->requests.back().fields, "te"), "trailers");  // RFC 9113 §8.2.2 lets it through
}

TEST(ProxyTrailers, HttpRequestTrailersInAChunkedUploadReachTheUpstream) {
  TrailerServer s;
  const std::string r = h1_exchange(s.port,
                                    "POST /echo HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\nconnection: "
                                    "close\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 9\r\nHost: evil\r\n\r\n");
  EXPECT_EQ(r.substr(0, 12), "HTTP/1.1 200") << r;
  const std::lock_guard lock(s.log->mutex);
  ASSERT_EQ(s.log->bodies.size(), 1u);
  EXPECT_EQ(s.log->bodies[0], "abc");
  const Fields want = {{"x-sum", "9"}};
  EXPECT_EQ(s.log->trailers, want);
}

TEST(ProxyTrailers, ForwardableTrailersDropWhatMustNotTravel) {
  const hpack::Header in[] = {{":status", "200"},         {"grpc-status", "13"}, {"Content-Length", "5"},
                              {"transfer-encoding", "x"}, {"trailer", "a"},      {"host", "h"},
                              {"authorization", "a"},     {"set-cookie", "c"},   {"content-type", "t"},
                              {"content-encoding", "g"},  {"if-match", "*"},     {"keep-alive", "1"},
                              {"connection", "x-named"},  {"x-named", "1"},      {"cache-control", "no-store"},
                              {"X-Digest", "sha-256=1"},  {"te", "trailers"},    {"vary", "*"}};
  const Fields want = {{"grpc-status", "13"}, {"x-digest", "sha-256=1"}};
  EXPECT_EQ(forwardable_trailers(in), want);
}

}  // namespace
}  // namespace h2push::proxy::test
