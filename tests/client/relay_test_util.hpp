// Blocking loopback sockets for the shaping relay's tests: a one-thread server and client helpers, every call
// bounded in time (socket timeouts, poll) so a broken relay fails a test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace h2push::client::test {

inline constexpr int kIoTimeoutSeconds = 10;

inline void set_timeouts(int fd) {
  timeval tv{};
  tv.tv_sec = kIoTimeoutSeconds;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Closing after this sends RST instead of FIN.
inline void set_reset_on_close(int fd) {
  linger l{};
  l.l_onoff = 1;
  l.l_linger = 0;
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

inline int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  set_timeouts(fd);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// Reads exactly n octets; shorter on EOF, error or timeout.
inline std::string read_exact(int fd, std::size_t n) {
  std::string out;
  char buffer[65536];
  while (out.size() < n) {
    const ssize_t got = ::recv(fd, buffer, std::min(sizeof buffer, n - out.size()), 0);
    if (got <= 0) break;
    out.append(buffer, static_cast<std::size_t>(got));
  }
  return out;
}

struct ReadResult {
  std::string data;
  bool eof = false;  // ended with an orderly EOF
  int error = 0;     // errno of the failing recv, 0 on EOF
};

// Reads until EOF or an error, at most `limit` octets.
inline ReadResult read_to_end(int fd, std::size_t limit = 64u << 20) {
  ReadResult r;
  char buffer[65536];
  while (r.data.size() < limit) {
    const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got == 0) {
      r.eof = true;
      break;
    }
    if (got < 0) {
      r.error = errno;
      break;
    }
    r.data.append(buffer, static_cast<std::size_t>(got));
  }
  return r;
}

// A loopback server on port 0 running `handler` on each accepted connection, one at a time on its own thread, or
// each on a thread of its own when `concurrent`. The handler gets a descriptor with timeouts set; the server
// closes it afterwards unless the handler returns true (it closed it itself).
class TestServer {
 public:
  using Handler = std::function<bool(int fd)>;
  explicit TestServer(Handler handler, bool concurrent = false)
      : handler_(std::move(handler)), concurrent_(concurrent) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    ::listen(fd_, 16);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~TestServer() {
    stop_ = true;
    thread_.join();
    for (std::thread& t : connections_) t.join();
    ::close(fd_);
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  void run() {
    // Bounded: polls in 50 ms steps until the destructor asks it to stop.
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      ++accepted_;
      set_timeouts(client);
      auto serve = [this, client] {
        if (!handler_(client)) ::close(client);
      };
      if (concurrent_ && connections_.size() < 64) {
        connections_.emplace_back(serve);
      } else {
        serve();
      }
    }
  }

  Handler handler_;
  bool concurrent_ = false;
  std::vector<std::thread> connections_;  // touched by the accepting thread, then joined by the destructor
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

// Echoes every octet until EOF, then closes.
inline bool echo(int fd) {
  char buffer[65536];
  for (int i = 0; i < 100'000; ++i) {
    const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got <= 0) break;
    if (!send_all(fd, std::string(buffer, static_cast<std::size_t>(got)))) break;
  }
  return false;
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace h2push::client::test
