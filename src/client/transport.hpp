// src/client/transport.hpp: a client's byte pipe: TCP, optionally TLS with SNI, ALPN and certificate verification
// (on by default, against the system trust store, with the host name checked). Moves bytes, knows no HTTP.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>

#include "h2push/result.hpp"

namespace h2push::client {

using Clock = std::chrono::steady_clock;

// A parsed http:// or https:// URL.
struct Target {
  bool tls = true;
  std::string host;  // without brackets for IPv6 literals
  std::uint16_t port = 443;
  std::string authority;   // host[:port] as sent in :authority / Host (default port omitted)
  std::string path = "/";  // origin-form request target with the query
  std::string origin() const { return (tls ? "https://" : "http://") + authority; }
  std::string url() const { return origin() + path; }
};
// Errors name what is wrong ("unsupported scheme ftp", "bad port").
[[nodiscard]] Result<Target, std::string> parse_target(std::string_view url);

struct ConnectOptions {
  bool verify = true;             // -k turns it off
  std::string ca_file;            // extra trust anchors (PEM); empty: the system store only
  std::vector<std::string> alpn;  // e.g. {"h2", "http/1.1"}; empty: no ALPN
  // When set, the TCP connection goes to this host and port (a relay) instead of the target's; TLS (SNI, host name
  // verification) is still for the target's host.
  std::string connect_host;
  std::uint16_t connect_port = 0;
  // TLS: connect() returns before the handshake; the caller runs async_handshake() (several connections opening at
  // once on one io_context, as the page-load lab's HTTP/1.1 mode does).
  bool defer_tls_handshake = false;
};

// An established connection. Single-threaded, driven by the io_context given to connect().
class Transport {
 public:
  ~Transport();
  // Connects to target.host:port (every resolved address in turn), then, for TLS, handshakes. Runs `io` until done
  // or `deadline`. Errors are one line: "connect to HOST:PORT failed: Connection refused", "TLS certificate
  // verification failed for HOST: self-signed certificate", "timed out connecting to ...".
  static Result<std::unique_ptr<Transport>, std::string> connect(asio::io_context& io, const Target& target,
                                                                 const ConnectOptions& options,
                                                                 Clock::time_point deadline);

  using Handler = std::function<void(const std::error_code&, std::size_t)>;
  void async_read_some(std::span<std::byte> buffer, Handler handler);
  void async_write(std::span<const std::byte> bytes, Handler handler);  // writes all of it
  void close() noexcept;
  // With ConnectOptions::defer_tls_handshake: the TLS handshake; `handler` gets its result, which
  // handshake_failure() turns into connect()'s one-line message.
  void async_handshake(std::function<void(const std::error_code&)> handler);
  std::string handshake_failure(const std::error_code& ec) const;

  std::string alpn() const;  // the protocol TLS agreed on ("h2", "http/1.1"), empty without
  bool tls() const noexcept { return tls_ != nullptr; }
  asio::io_context& io() noexcept { return io_; }

 private:
  Transport(asio::io_context& io, std::shared_ptr<asio::ssl::context> ctx);
  asio::io_context& io_;
  std::shared_ptr<asio::ssl::context> ctx_;
  asio::ip::tcp::socket socket_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  std::string where_;        // HOST:PORT connected to, for messages
  std::string target_host_;  // the name TLS verifies
  bool verify_ = true;
};

// Runs `io` until `done()` or the deadline; false on timeout (pending operations are then cancelled by the caller).
bool run_until(asio::io_context& io, const std::function<bool()>& done, Clock::time_point deadline);

}  // namespace h2push::client
