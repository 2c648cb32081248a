// src/server/session.hpp: what every connection of the server has in common, and what the worker keeps of them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_set>

#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>

#include "h2push/http1/server_connection.hpp"
#include "h2push/http2/connection.hpp"
#include "server/handler.hpp"

namespace h2push::server {

class AccessLog;

// Timeouts and limits every session applies.
struct SessionLimits {
  std::chrono::milliseconds tls_handshake_timeout{10'000};
  std::chrono::milliseconds request_header_timeout{10'000};  // HTTP/1.1: from connect or the previous response
  std::chrono::milliseconds idle_timeout{60'000};            // no stream open and nothing received
  std::chrono::milliseconds keep_alive_timeout{15'000};      // HTTP/1.1 between requests
  std::chrono::milliseconds shutdown_deadline{10'000};       // graceful shutdown: in-flight streams may finish
  std::size_t max_write_chunk = 256 * 1024;                  // octets copied out of the core per socket write
  bool h2c = true;       // cleartext HTTP/2: prior knowledge and Upgrade (server.h2c)
  http2::Options http2;  // role is forced to server
  http1::Options http1;
};

class Session;

// One per worker thread; touched only from that thread.
struct WorkerState {
  Handler* handler = nullptr;
  AccessLog* access_log = nullptr;
  const SessionLimits* limits = nullptr;
  std::unordered_set<Session*> sessions;
  bool shutting_down = false;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(WorkerState& worker) : worker_(worker) { worker_.sessions.insert(this); }
  virtual ~Session() { worker_.sessions.erase(this); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Begins the protocol with bytes already read from the connection (after sniffing or a TLS handshake).
  virtual void start(std::span<const std::byte> initial) = 0;
  // Server shutdown: finish what is in flight, accept nothing new (HTTP/2: GOAWAY).
  virtual void shut_down_gracefully() = 0;
  // Closes the transport now.
  virtual void close() = 0;

 protected:
  WorkerState& worker_;
};

using TcpSocket = asio::ip::tcp::socket;
using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

inline http2::Instant instant_now() {
  return {std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
              .count()};
}

// Closes a transport: TCP at once; TLS after a close_notify attempt bounded by a short timer.
inline void close_transport(TcpSocket& socket) {
  std::error_code ignored;
  socket.shutdown(asio::socket_base::shutdown_both, ignored);
  socket.close(ignored);
}

template <class Self>
void close_transport(TlsStream& stream, const std::shared_ptr<Self>& keep_alive) {
  auto timer = std::make_shared<asio::steady_timer>(stream.get_executor());
  timer->expires_after(std::chrono::seconds(1));
  timer->async_wait([&stream, keep_alive](std::error_code ec) {
    if (ec) return;
    std::error_code ignored;
    stream.lowest_layer().close(ignored);
  });
  stream.async_shutdown([&stream, timer, keep_alive](std::error_code) {
    timer->cancel();
    std::error_code ignored;
    stream.lowest_layer().close(ignored);
  });
}

}  // namespace h2push::server
