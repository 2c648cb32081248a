// tests/server/async_session_test.cpp: asynchronous handlers (src/server/exchange.hpp) through real sessions: a
// Server on 127.0.0.1 port 0 with AsyncTestHandler, driven over HTTP/1.1 with a raw socket and over h2c with our
// own client-role http2::Connection on a blocking socket. Every read has a timeout and every loop a bound.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "async_test_handler.hpp"
#include "h2push/http2/connection.hpp"
#include "server/server.hpp"
#include "socket_clients.hpp"

namespace h2push::server::test {
namespace {

class AsyncServer {
 public:
  AsyncServer() : counters(std::make_shared<AsyncCounters>()) {
    ServerOptions o;
    o.http.push_back({"127.0.0.1", 0});
    o.workers = 1;
    o.access_log = "off";
    o.make_handler = [c = counters] { return std::make_unique<AsyncTestHandler>(c); };
    auto started = Server::start(std::move(o));
    if (!started) ADD_FAILURE() << started.error();
    server = std::move(*started);
    const std::string line = server->describe_listeners().front();  // "http://127.0.0.1:PORT/ (...)"
    port = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
  }
  ~AsyncServer() {
    server->shut_down();
    server->wait();
  }

  std::shared_ptr<AsyncCounters> counters;
  std::unique_ptr<Server> server;
  std::uint16_t port = 0;
};

TEST(AsyncSessionHttp1, AnswersAfterATimer) {
  AsyncServer s;
  const std::string r = h1_exchange(s.port, "GET /delay HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
  EXPECT_EQ(r.substr(0, 15), "HTTP/1.1 200 OK") << r;
  EXPECT_TRUE(r.ends_with("\r\n\r\nlate")) << r;
}

TEST(AsyncSessionHttp1, SendsEarlyHintsThenStreamsPieces) {
  AsyncServer s;
  const std::string r = h1_exchange(s.port, "GET /stream HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
  const std::size_t hints = r.find("HTTP/1.1 103");
  const std::size_t final = r.find("HTTP/1.1 200");
  ASSERT_NE(hints, std::string::npos) << r;
  ASSERT_NE(final, std::string::npos) << r;
  EXPECT_LT(hints, final);
  EXPECT_NE(r.find("link: </a.css>; rel=preload; as=style", hints), std::string::npos) << r;
  EXPECT_NE(r.find("transfer-encoding: chunked", final), std::string::npos) << r;
  // Chunked: each piece is its own chunk, in order, then the last chunk.
  const std::size_t p0 = r.find("piece0;"), p1 = r.find("piece1;"), p2 = r.find("piece2;");
  ASSERT_NE(p2, std::string::npos) << r;
  EXPECT_LT(p0, p1);
  EXPECT_LT(p1, p2);
  EXPECT_TRUE(r.ends_with("0\r\n\r\n")) << r;
}

TEST(AsyncSessionHttp1, AnswersEverythingAtOnce) {
  AsyncServer s;
  const std::string r = h1_exchange(s.port, "GET /now HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
  EXPECT_NE(r.find("HTTP/1.1 103"), std::string::npos) << r;
  EXPECT_TRUE(r.ends_with("2\r\nok\r\n0\r\n\r\n")) << r;
}

TEST(AsyncSessionHttp1, AnswersEverythingAtOnceLater) {
  AsyncServer s;
  for (const char* connection : {"close", "close, x-secret"}) {
    const std::string r =
        h1_exchange(s.port, "GET /later HTTP/1.1\r\nhost: x\r\nconnection: " + std::string(connection) + "\r\n\r\n");
    EXPECT_NE(r.find("HTTP/1.1 103"), std::string::npos) << r;
    EXPECT_TRUE(r.ends_with("2\r\nok\r\n0\r\n\r\n")) << r;
  }
}

TEST(AsyncSessionHttp1, EchoesAChunkedPostBody) {
  AsyncServer s;
  const std::string r = h1_exchange(s.port,
                                    "POST /echo HTTP/1.1\r\nhost: x\r\nconnection: close\r\n"
                                    "transfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  EXPECT_EQ(r.substr(0, 15), "HTTP/1.1 200 OK") << r;
  EXPECT_NE(r.find("content-length: 11"), std::string::npos) << r;
  EXPECT_TRUE(r.ends_with("hello world")) << r;
}

TEST(AsyncSessionHttp1, EchoesALargeBodyThroughBackpressure) {
  AsyncServer s;
  std::string body(300 * 1024, 'x');  // more than the 64 KiB the session holds before it stops reading
  for (std::size_t i = 0; i < body.size(); i += 1000) body[i] = static_cast<char>('a' + (i / 1000) % 26);
  const std::string head =
      "POST /echo-slow HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: " + std::to_string(body.size()) +
      "\r\n\r\n";
  const std::string r = h1_exchange(s.port, head + body);
  ASSERT_EQ(r.substr(0, 15), "HTTP/1.1 200 OK") << r.substr(0, 200);
  EXPECT_TRUE(r.ends_with(body));
}

TEST(AsyncSessionHttp1, ExpectContinueGets100WhenTheHandlerReads) {
  AsyncServer s;
  const int fd = connect_to(s.port);
  send_all(fd,
           "POST /echo HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 2\r\nexpect: 100-continue\r\n\r\n");
  char buf[256];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)).substr(0, 12), "HTTP/1.1 100");
  send_all(fd, "ok");
  const std::string r = read_until_close(fd);
  ::close(fd);
  EXPECT_TRUE(r.ends_with("\r\n\r\nok")) << r;
}

TEST(AsyncSessionHttp1, ReleasedUnansweredGives500) {
  AsyncServer s;
  const std::string r = h1_exchange(s.port, "GET /drop HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
  EXPECT_EQ(r.substr(0, 12), "HTTP/1.1 500") << r;
}

TEST(AsyncSessionHttp1, AbortAfterTheHeadClosesTheConnectionWithoutTheLastChunk) {
  AsyncServer s;
  const std::string r = h1_exchange(s.port, "GET /abort HTTP/1.1\r\nhost: x\r\n\r\n");  // keep-alive asked
  EXPECT_EQ(r.substr(0, 15), "HTTP/1.1 200 OK") << r;
  EXPECT_NE(r.find("partial"), std::string::npos) << r;
  EXPECT_FALSE(r.ends_with("0\r\n\r\n")) << r;  // and read_until_close() returned: the server closed
}

TEST(AsyncSessionHttp1, ClientClosingIsReported) {
  AsyncServer s;
  const int fd = connect_to(s.port);
  send_all(fd, "GET /hold HTTP/1.1\r\nhost: x\r\n\r\n");
  for (int i = 0; i < 200 && s.counters->started.load() == 0; ++i) ::usleep(10'000);
  ::close(fd);
  for (int i = 0; i < 200 && s.counters->gone.load() == 0; ++i) ::usleep(10'000);
  EXPECT_EQ(s.counters->gone.load(), 1);
}

TEST(AsyncSessionHttp2, HintsThenStreamsPiecesAsTheyCome) {
  AsyncServer s;
  H2Client c(s.port);
  const http2::StreamId id = c.request("GET", "/stream", true);
  c.run([&] { return c.ended(id); });
  const std::vector<std::string> want = {"103", "200", "data:piece0;", "data:piece1;", "data:piece2;"};
  EXPECT_EQ(c.log, want);
}

TEST(AsyncSessionHttp2, EchoesAPostBodyLargerThanTheWindow) {
  AsyncServer s;
  H2Client c(s.port);
  const http2::StreamId id = c.request("POST", "/echo-slow", false);
  std::string body(200 * 1024, 'y');  // over the 64 KiB stream window: only consume() lets it through
  for (std::size_t i = 0; i < body.size(); i += 997) body[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(c.conn.send_data(id, std::as_bytes(std::span(body.data(), body.size())), true).ok());
  c.flush();
  c.run([&] {
    c.flush();
    return c.ended(id);
  });
  ASSERT_FALSE(c.log.empty());
  EXPECT_EQ(c.log.front(), "200");
  EXPECT_EQ(c.body.size(), body.size());
  EXPECT_TRUE(c.body == body);
}

TEST(AsyncSessionHttp2, ResetStreamIsReportedAndOthersGoOn) {
  AsyncServer s;
  H2Client c(s.port);
  const http2::StreamId held = c.request("GET", "/hold", true);
  for (int i = 0; i < 200 && s.counters->started.load() == 0; ++i) ::usleep(10'000);
  ASSERT_TRUE(c.conn.reset_stream(held, http2::ErrorCode::cancel).ok());
  const http2::StreamId id = c.request("GET", "/delay", true);
  c.run([&] { return c.ended(id); });
  EXPECT_EQ(c.body, "late");
  for (int i = 0; i < 200 && s.counters->gone.load() == 0; ++i) ::usleep(10'000);
  EXPECT_EQ(s.counters->gone.load(), 1);
}

TEST(AsyncSessionHttp2, AbortResetsTheStream) {
  AsyncServer s;
  H2Client c(s.port);
  const http2::StreamId id = c.request("GET", "/abort", true);
  c.run([&] { return c.ended(id); });
  ASSERT_FALSE(c.log.empty());
  EXPECT_EQ(c.log.back(), "reset");
  EXPECT_EQ(c.body, "partial");
}

}  // namespace
}  // namespace h2push::server::test
