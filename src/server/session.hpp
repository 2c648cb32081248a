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
#include <asio/write.hpp>

#include "h2push/http1/server_connection.hpp"
#include "h2push/http2/connection.hpp"
#include "server/access_log.hpp"
#include "server/handler.hpp"

namespace h2push::server {

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

// What an HTTP/1.1 and an HTTP/2 session share: a transport driving a sans-IO core (`Core`: http1::ServerConnection
// or http2::Connection, which have the same output and response calls), closing, writing, answering requests.
template <class Stream, class Core>
class ProtocolSession : public Session {
 public:
  void close() override {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      close_transport(stream_, shared_from_this());
    } else {
      close_transport(stream_);
    }
  }

 protected:
  ProtocolSession(Stream stream, WorkerState& worker, Core core)
      : Session(worker), stream_(std::move(stream)), conn_(std::move(core)), timer_(stream_.get_executor()) {}

  // Moves up to max_write_chunk octets out of the core (its buffer may grow while the socket write is in flight)
  // and writes them; `written` runs once they are out. Returns false when nothing is pending.
  template <class Written>
  bool write_pending(Written written) {
    if (writing_ || closed_) return true;
    const std::span<const std::byte> out = conn_.pending_output();
    if (out.empty()) return false;
    const std::size_t n = std::min(out.size(), worker_.limits->max_write_chunk);
    write_buffer_.assign(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
    conn_.consume_output(n);
    writing_ = true;
    asio::async_write(stream_, asio::buffer(write_buffer_),
                      [self = shared_from_this(), this, written](std::error_code ec, std::size_t) {
                        writing_ = false;
                        if (closed_) return;
                        if (ec) {
                          close();
                          return;
                        }
                        written();
                      });
    return true;
  }

  // Hands `request` to the worker's handler and submits the answer on `id` (no body for HEAD), then logs it.
  template <class Id>
  void respond(const Request& request, Id id) {
    // The clock is read only for the access log's duration (none when the log is off).
    const auto started =
        worker_.access_log != nullptr ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    Response response = worker_.handler->handle(request);
    const std::string status = std::to_string(response.status);
    fields_.clear();
    fields_.push_back({":status", status});
    for (const auto& [name, value] : response.fields) fields_.push_back({name, value});
    const bool has_body = response.body != nullptr && request.method != "HEAD";
    if (!conn_.submit_response(id, fields_, !has_body)) return;  // the stream or request is gone meanwhile
    if (has_body) (void)conn_.send_body(id, std::move(response.body));
    if (worker_.access_log != nullptr) {
      worker_.access_log->write(request, response.status, response.content_length.value_or(0),
                                std::chrono::steady_clock::now() - started);
    }
  }

  Stream stream_;
  Core conn_;
  asio::steady_timer timer_;
  std::vector<std::byte> write_buffer_;
  std::vector<hpack::Header> fields_;
  bool reading_ = false;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace h2push::server
