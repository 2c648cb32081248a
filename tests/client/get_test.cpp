// tests/client/get_test.cpp: the parts of `h2push get` that need no socket: URL targets, base64url, the -v frame
// printer fed by two in-memory Connections, and the HAR writer.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "client/fetch.hpp"
#include "client/frame_printer.hpp"
#include "client/h1_session.hpp"
#include "client/har.hpp"
#include "client/transport.hpp"
#include "h2push/http2/connection.hpp"

namespace h2push::client {
namespace {

TEST(TargetTest, ParsesHttpsWithDefaultPort) {
  auto t = parse_target("https://example.com/a/b?c=1#frag");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->tls);
  EXPECT_EQ(t->host, "example.com");
  EXPECT_EQ(t->port, 443);
  EXPECT_EQ(t->authority, "example.com");
  EXPECT_EQ(t->path, "/a/b?c=1");
  EXPECT_EQ(t->origin(), "https://example.com");
}

TEST(TargetTest, ParsesHttpWithPortAndIpv6) {
  auto t = parse_target("http://127.0.0.1:8080");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->tls);
  EXPECT_EQ(t->port, 8080);
  EXPECT_EQ(t->authority, "127.0.0.1:8080");
  EXPECT_EQ(t->path, "/");
  auto v6 = parse_target("https://[::1]:8443/x");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->authority, "[::1]:8443");
  auto query = parse_target("http://h?x");
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->path, "/?x");
}

TEST(TargetTest, RefusesWhatIsNotAnHttpUrl) {
  EXPECT_FALSE(parse_target("ftp://example.com/").ok());
  EXPECT_FALSE(parse_target("example.com").ok());
  EXPECT_FALSE(parse_target("http://:80/").ok());
  EXPECT_FALSE(parse_target("http://h:0/").ok());
  EXPECT_FALSE(parse_target("http://h:99999/").ok());
  EXPECT_FALSE(parse_target("http://user@h/").ok());
}

TEST(Base64urlTest, EncodesWithoutPadding) {
  auto enc = [](std::string_view s) { return base64url(std::as_bytes(std::span(s.data(), s.size()))); };
  EXPECT_EQ(enc(""), "");
  EXPECT_EQ(enc("f"), "Zg");
  EXPECT_EQ(enc("fo"), "Zm8");
  EXPECT_EQ(enc("foo"), "Zm9v");
  EXPECT_EQ(enc("\xfb\xff"), "-_8");
}

// Runs a FrameTracer over `bytes` and returns what it printed.
class TraceFile {
 public:
  TraceFile() : file_(std::tmpfile()) {}
  ~TraceFile() { std::fclose(file_); }
  std::FILE* get() { return file_; }
  std::string text() {
    std::fflush(file_);
    std::rewind(file_);
    std::string out;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file_)) > 0;) out.append(buffer, n);
    return out;
  }

 private:
  std::FILE* file_;
};

std::vector<std::byte> drain(http2::Connection& c) {
  std::vector<std::byte> out;
  for (auto o = c.pending_output(); !o.empty(); o = c.pending_output()) {
    out.insert(out.end(), o.begin(), o.end());
    c.consume_output(o.size());
  }
  return out;
}

TEST(FrameTracerTest, PrintsFramesOfBothDirections) {
  http2::Options co;
  co.role = http2::Role::client;
  co.enable_push = true;
  http2::Connection client(co);
  http2::Connection server(http2::Options{});
  const http2::Header request[] = {{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/x"}};
  auto id = client.submit_request(request, true);
  ASSERT_TRUE(id.ok());
  const auto start = std::chrono::steady_clock::now();
  TraceFile sent_file;
  TraceFile recv_file;
  FrameTracer sent(true, sent_file.get(), start);
  FrameTracer received(false, recv_file.get(), start);

  const std::vector<std::byte> c2s = drain(client);
  for (std::byte b : c2s) sent.feed(std::span(&b, 1));  // byte by byte: frames split anywhere
  (void)server.receive(c2s);
  const http2::Header push[] = {{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/p.css"}};
  auto promised = server.submit_push_promise(*id, push);
  ASSERT_TRUE(promised.ok());
  const http2::Header ok[] = {{":status", "200"}, {"content-type", "text/plain"}};
  ASSERT_TRUE(server.submit_response(*id, ok, false).ok());
  const std::byte body[] = {std::byte{'h'}, std::byte{'i'}};
  ASSERT_TRUE(server.send_data(*id, body, true).ok());
  server.shutdown(http2::ErrorCode::no_error, "bye");
  received.feed(drain(server));

  const std::string s = sent_file.text();
  EXPECT_NE(s.find("] send SETTINGS frame <length="), std::string::npos) << s;
  EXPECT_NE(s.find("[SETTINGS_ENABLE_PUSH(0x02):1]"), std::string::npos) << s;
  EXPECT_NE(s.find("] send HEADERS frame <length="), std::string::npos) << s;
  EXPECT_NE(s.find("flags=0x05, stream_id=1>\n          ; END_STREAM | END_HEADERS\n"), std::string::npos) << s;
  EXPECT_NE(s.find("          :path: /x\n"), std::string::npos) << s;
  const std::string r = recv_file.text();
  EXPECT_NE(r.find("] recv PUSH_PROMISE frame"), std::string::npos) << r;
  EXPECT_NE(r.find("(promised_stream_id=2)\n          :method: GET"), std::string::npos) << r;
  EXPECT_NE(r.find("          :path: /p.css\n"), std::string::npos) << r;
  EXPECT_NE(r.find("          :status: 200\n          content-type: text/plain\n"), std::string::npos) << r;
  EXPECT_NE(r.find("] recv DATA frame <length=2, flags=0x01, stream_id=1>\n          ; END_STREAM"), std::string::npos)
      << r;
  EXPECT_NE(r.find("error_code=NO_ERROR(0x00), opaque_data(3)=[bye])"), std::string::npos) << r;
}

TEST(FrameTracerTest, StopsWithOneLineOnBrokenFraming) {
  TraceFile file;
  FrameTracer sent(true, file.get(), std::chrono::steady_clock::now());  // expects the client magic first
  const std::string_view wrong = "GET / HTTP/1.1\r\nhost: x\r\n\r\n";
  sent.feed(std::as_bytes(std::span(wrong.data(), wrong.size())));
  sent.feed(std::as_bytes(std::span(wrong.data(), wrong.size())));
  const std::string t = file.text();
  EXPECT_NE(t.find("send: cannot trace further"), std::string::npos) << t;
  EXPECT_EQ(t.find("cannot trace further"), t.rfind("cannot trace further"));
}

TEST(HarTest, WritesTheHar12Shape) {
  const auto start = Clock::now();
  std::deque<Fetch> fetches(2);
  for (Fetch& f : fetches) {
    f.target = *parse_target("https://example.com/");
    f.request.scheme = "https";
    f.request.authority = "example.com";
    f.submitted = true;
    f.status = 200;
    f.protocol = "h2";
    f.started = start + std::chrono::milliseconds(1);
    f.response_at = start + std::chrono::milliseconds(3);
    f.ended = start + std::chrono::milliseconds(6);
    f.body = "abc";
    f.size = 3;
    f.headers = {{"content-type", "text/css"}};
  }
  fetches[1].request.path = "/s.css?v=2";
  fetches[1].target.path = "/s.css?v=2";
  fetches[1].via = Via::pushed;
  const auto path = std::filesystem::temp_directory_path() / "h2push-client-test.har";
  ASSERT_TRUE(write_har(path.string(), fetches, std::chrono::system_clock::now(), start).ok());
  std::ifstream in(path);
  const auto har = nlohmann::json::parse(in);
  std::filesystem::remove(path);
  const auto& log = har.at("log");
  EXPECT_EQ(log.at("version"), "1.2");
  EXPECT_EQ(log.at("creator").at("name"), "h2push");
  ASSERT_EQ(log.at("pages").size(), 1U);
  EXPECT_EQ(log.at("pages")[0].at("id"), "page_1");
  EXPECT_NEAR(log.at("pages")[0].at("pageTimings").at("onLoad").get<double>(), 6.0, 0.5);
  ASSERT_EQ(log.at("entries").size(), 2U);
  const auto& e = log.at("entries")[1];
  EXPECT_EQ(e.at("request").at("url"), "https://example.com/s.css?v=2");
  EXPECT_EQ(e.at("request").at("queryString")[0].at("name"), "v");
  EXPECT_EQ(e.at("response").at("content").at("mimeType"), "text/css");
  EXPECT_EQ(e.at("response").at("content").at("size"), 3);
  EXPECT_EQ(e.at("response").at("httpVersion"), "HTTP/2");
  EXPECT_NEAR(e.at("timings").at("wait").get<double>(), 2.0, 0.5);
  EXPECT_NEAR(e.at("timings").at("receive").get<double>(), 3.0, 0.5);
  EXPECT_NEAR(e.at("time").get<double>(), 5.0, 0.5);
  EXPECT_EQ(e.at("_via"), "pushed");
  EXPECT_EQ(e.at("pageref"), "page_1");
}

}  // namespace
}  // namespace h2push::client
