// src/proxy/upstream_tls.hpp: the client side of TLS to an https:// upstream (OpenSSL through asio::ssl): one
// context per verification setting (verify on or off, CA file) per worker, SNI and host-name checking per connection,
// and the last resumable session per origin so a pooled reconnect resumes instead of a full handshake.
// Single-threaded: one per worker, like the keep-alive pool that owns it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <system_error>

#include <openssl/ssl.h>

#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/error.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>

#include "h2push/result.hpp"
#include "proxy/routes.hpp"

namespace h2push::proxy {

using TlsStream = asio::ssl::stream<asio::ip::tcp::socket&>;

// Reads and writes through TLS when `tls` is set, else on the socket. TLS allows one read and one write at once, as
// TCP does. asio's TLS stream must outlive the operations pending on it: keep its owner in the handler.
template <class Handler>
void read_some(TlsStream* tls, asio::ip::tcp::socket& socket, asio::mutable_buffer buffer, Handler&& handler) {
  if (tls != nullptr) return tls->async_read_some(buffer, std::forward<Handler>(handler));
  socket.async_read_some(buffer, std::forward<Handler>(handler));
}

template <class Handler>
void write_all(TlsStream* tls, asio::ip::tcp::socket& socket, asio::const_buffer buffer, Handler&& handler) {
  if (tls != nullptr) return asio::async_write(*tls, buffer, std::forward<Handler>(handler));
  asio::async_write(socket, buffer, std::forward<Handler>(handler));
}

// An upstream closing TLS without close_notify is an end of stream like TCP's: the HTTP framing then tells a
// complete response from a truncated one.
inline std::error_code plain_eof(std::error_code ec) {
  return ec == asio::ssl::error::stream_truncated ? std::error_code(asio::error::eof) : ec;
}

// The name sent in SNI and checked against the certificate: the route's upstream_sni, else the upstream URL's host.
std::string tls_name(const Route& route);

// What keeps one TLS origin's connections apart from another's: the URL and every TLS setting of the route (a
// connection verified against one CA file is never lent to a route trusting another).
std::string tls_pool_key(const Route& route);

class UpstreamTls {
 public:
  UpstreamTls() = default;
  UpstreamTls(const UpstreamTls&) = delete;
  UpstreamTls& operator=(const UpstreamTls&) = delete;
  ~UpstreamTls();

  // The client context for the route's verification settings, made once: TLS 1.2 or later, ALPN "http/1.1" (or
  // "h2" for h2s://), peer verification against the system trust store (or upstream_ca_file) unless
  // upstream_tls_verify is off. Errors name the CA file and OpenSSL's reason.
  Result<std::shared_ptr<asio::ssl::context>, std::string> context(const Route& route);

  // A TLS stream over `socket` (connected, no handshake yet) with the route's context, prepare()d.
  Result<std::unique_ptr<TlsStream>, std::string> wrap(asio::ip::tcp::socket& socket, const Route& route,
                                                       const std::string& key);

  // Prepares a new connection's SSL object: SNI (never for an IP literal, RFC 6066 §3), the name or address the
  // certificate must carry when verifying, and the origin's last session for resumption. Errors are one line.
  Status<std::string> prepare(SSL* ssl, const Route& route, const std::string& key);

  // A connection of `key` worked: keep its session for the next connection (TLS 1.3 tickets arrive after the
  // handshake, so this is called when a response was read, not right after the handshake).
  void remember(SSL* ssl, const std::string& key);

  // Why a handshake failed, for the error log after "TLS handshake failed: ": OpenSSL's verify error string when the
  // certificate was refused ("certificate verify failed: self-signed certificate"), "the upstream closed the
  // connection (...)", else OpenSSL's reason ("wrong version number" for an upstream not speaking TLS).
  static std::string failure(SSL* ssl, bool verify, const std::error_code& ec);

 private:
  struct SessionFree {
    void operator()(SSL_SESSION* s) const { SSL_SESSION_free(s); }
  };
  std::map<std::string, std::shared_ptr<asio::ssl::context>> contexts_;        // by verify + CA file
  std::map<std::string, std::unique_ptr<SSL_SESSION, SessionFree>> sessions_;  // by tls_pool_key
};

}  // namespace h2push::proxy
