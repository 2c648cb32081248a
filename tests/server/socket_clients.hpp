// tests/server/socket_clients.hpp: blocking loopback clients for server tests: raw HTTP/1.1 over a socket, and h2c
// with our own client-role http2::Connection. Every read has a 5 s timeout and every loop a bound.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "h2push/http2/connection.hpp"

namespace h2push::server::test {

inline int connect_to(std::uint16_t port) {
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

inline void send_all(int fd, std::string_view data) {
  std::size_t sent = 0;
  for (int i = 0; i < 1000 && sent < data.size(); ++i) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

// Reads until the server closes (requests carry `connection: close`) or a read times out.
inline std::string read_until_close(int fd) {
  std::string out;
  char buf[4096];
  for (int i = 0; i < 10000; ++i) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

inline std::string h1_exchange(std::uint16_t port, std::string_view request) {
  const int fd = connect_to(port);
  send_all(fd, request);
  std::string response = read_until_close(fd);
  ::close(fd);
  return response;
}

// An h2c client on a blocking socket: our client-role core.
class H2Client {
 public:
  explicit H2Client(std::uint16_t port, bool enable_push = false)
      : conn(http2::Options{.role = http2::Role::client, .enable_push = enable_push}), fd_(connect_to(port)) {
    flush();
  }
  ~H2Client() { ::close(fd_); }

  http2::StreamId request(std::string_view method, std::string_view path, bool end, std::string_view authority = "x",
                          std::span<const http2::Header> extra = {}) {
    std::vector<http2::Header> fields = {
        {":method", method}, {":scheme", "http"}, {":authority", authority}, {":path", path}};
    fields.insert(fields.end(), extra.begin(), extra.end());
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

  http2::Connection conn;
  std::vector<std::string> log;    // "103", "200", "data:<text>", "reset", "promise:<path>"
  std::vector<std::string> links;  // `link` values of the 103 responses
  std::chrono::steady_clock::time_point first_informational{};
  std::string body;
  // Per stream (pushed ones included): the body, the response fields, the reset code; and promised stream -> path.
  std::map<std::uint32_t, std::string> bodies;
  std::map<std::uint32_t, std::vector<std::pair<std::string, std::string>>> responses;
  std::map<std::uint32_t, std::vector<std::pair<std::string, std::string>>> trailers;
  std::map<std::uint32_t, http2::ErrorCode> resets;
  std::map<std::uint32_t, std::string> promised;
  std::map<std::uint32_t, std::chrono::steady_clock::time_point> promised_at;

 private:
  void record(const http2::Event& e) {
    if (const auto* info = std::get_if<http2::InformationalReceived>(&e)) {
      log.push_back(std::string(info->headers.front().value));
      if (first_informational == std::chrono::steady_clock::time_point{}) {
        first_informational = std::chrono::steady_clock::now();
      }
      for (const http2::Header& h : info->headers) {
        if (h.name == "link") links.emplace_back(h.value);
      }
    } else if (const auto* resp = std::get_if<http2::ResponseReceived>(&e)) {
      log.push_back(std::string(resp->headers.front().value));
      auto& fields = responses[resp->stream.value()];
      for (const http2::Header& h : resp->headers) fields.emplace_back(h.name, h.value);
      if (resp->end_stream) ended_.insert(resp->stream.value());
    } else if (const auto* data = std::get_if<http2::DataReceived>(&e)) {
      const std::string text(reinterpret_cast<const char*>(data->data.data()), data->data.size());
      if (!text.empty()) log.push_back("data:" + text);
      body += text;
      bodies[data->stream.value()] += text;
      if (data->end_stream) ended_.insert(data->stream.value());
    } else if (const auto* t = std::get_if<http2::TrailersReceived>(&e)) {
      log.push_back("trailers");
      auto& fields = trailers[t->stream.value()];
      for (const http2::Header& h : t->headers) fields.emplace_back(h.name, h.value);
      ended_.insert(t->stream.value());
    } else if (const auto* reset = std::get_if<http2::StreamReset>(&e)) {
      log.push_back("reset");
      resets[reset->stream.value()] = reset->code;
      ended_.insert(reset->stream.value());
    } else if (const auto* push = std::get_if<http2::PushPromised>(&e)) {
      std::string path;
      for (const http2::Header& h : push->request) {
        if (h.name == ":path") path = h.value;
      }
      log.push_back("promise:" + path);
      promised[push->promised.value()] = path;
      promised_at[push->promised.value()] = std::chrono::steady_clock::now();
    }
  }

  int fd_;
  std::set<std::uint32_t> ended_;
};

}  // namespace h2push::server::test
