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

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};  // no read waits longer
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) ADD_FAILURE() << "connect";
  return fd;
}

void send_all(int fd, std::string_view data) {
  std::size_t sent = 0;
  for (int i = 0; i < 1000 && sent < data.size(); ++i) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

// Reads until the server closes (requests carry `connection: close`) or a read times out.
std::string read_until_close(int fd) {
  std::string out;
  char buf[4096];
  for (int i = 0; i < 10000; ++i) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string h1_exchange(std::uint16_t port, std::string_view request) {
  const int fd = connect_to(port);
  send_all(fd, request);
  std::string response = read_until_close(fd);
  ::close(fd);
  return response;
}

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

// An h2c client on a blocking socket: our client-role core.
class H2Client {
 public:
  explicit H2Client(std::uint16_t port) : fd_(connect_to(port)) { flush(); }
  ~H2Client() { ::close(fd_); }

  http2::StreamId request(std::string_view method, std::string_view path, bool end) {
    const http2::Header fields[] = {{":method", method}, {":scheme", "http"}, {":authority", "x"}, {":path", path}};
    auto id = conn.submit_request(fields, end);
    EXPECT_TRUE(id.ok());
    flush();
    return *id;
  }
  void flush() {
    for (int i = 0; i < 1000; ++i) {
      const auto out = conn.pending_output();
      if (out.empty()) return;
      send_all(fd_, std::string_view(reinterpret_cast<const char*>(out.data()), out.size()));
      conn.consume_output(out.size());
    }
  }
  // Reads and records events as text until `done` says so or the peer is silent for 5 s.
  template <class Done>
  void run(Done done) {
    std::array<std::byte, 16384> buf{};
    for (int i = 0; i < 10000 && !done(); ++i) {
      const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
      if (n <= 0) return;
      for (const http2::Event& e : conn.receive({buf.data(), static_cast<std::size_t>(n)})) record(e);
      flush();
    }
  }
  bool ended(http2::StreamId id) const { return ended_.count(id.value()) != 0; }

  http2::Connection conn{http2::Options{.role = http2::Role::client}};
  std::vector<std::string> log;  // "103", "200", "data:<text>", "reset"
  std::string body;

 private:
  void record(const http2::Event& e) {
    if (const auto* info = std::get_if<http2::InformationalReceived>(&e)) {
      log.push_back(std::string(info->headers.front().value));
    } else if (const auto* resp = std::get_if<http2::ResponseReceived>(&e)) {
      log.push_back(std::string(resp->headers.front().value));
      if (resp->end_stream) ended_.insert(resp->stream.value());
    } else if (const auto* data = std::get_if<http2::DataReceived>(&e)) {
      const std::string text(reinterpret_cast<const char*>(data->data.data()), data->data.size());
      if (!text.empty()) log.push_back("data:" + text);
      body += text;
      if (data->end_stream) ended_.insert(data->stream.value());
    } else if (const auto* reset = std::get_if<http2::StreamReset>(&e)) {
      log.push_back("reset");
      ended_.insert(reset->stream.value());
    }
  }

  int fd_;
  std::set<std::uint32_t> ended_;
};

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
