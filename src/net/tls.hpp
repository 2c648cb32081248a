// src/net/tls.hpp: OpenSSL server contexts for h2 (RFC 9113 §9.2) and self-signed certificates for local use.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <asio/ssl/context.hpp>

#include "h2push/result.hpp"

namespace h2push::net {

struct TlsOptions {
  std::filesystem::path cert_file;  // PEM chain, leaf first
  std::filesystem::path key_file;   // PEM private key
  bool offer_h2 = true;             // ALPN: "h2" then "http/1.1"; false: "http/1.1" only
  bool prefer_http11 = false;       // with offer_h2: "http/1.1" before "h2" (tls.alpn = ["http/1.1", "h2"])
  bool offer_http11 = true;         // false: "h2" only (tls.alpn = ["h2"]); a client without h2 still gets HTTP/1.1
  bool tls13_only = false;          // tls.min_version = "1.3"
};

// The oldest error on this thread's OpenSSL error queue as text ("unknown OpenSSL error" when empty); the queue is
// emptied. For messages that name OpenSSL's reason (server and upstream TLS set-up).
std::string openssl_error();

// The ALPN protocol a connection agreed on.
enum class Alpn { none, h2, http11 };
Alpn negotiated_alpn(SSL* ssl) noexcept;

// A context for TLS 1.2+ with RFC 9113 §9.2 rules: ECDHE + AEAD suites only for TLS 1.2, no compression, no
// renegotiation; ALPN preferring h2; SNI accepted (one certificate for every name); server-side session cache and
// tickets for resumption. Errors name the file and OpenSSL's reason.
Result<std::shared_ptr<asio::ssl::context>, std::string> make_server_tls(const TlsOptions& options);

struct SelfSigned {
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
};

// Writes a fresh P-256 key and a self-signed certificate for localhost, 127.0.0.1 and ::1 (valid for a year, usable
// as a trusted peer certificate, e.g. in an NSS database for Chromium) into `dir` as cert.pem and key.pem.
Result<SelfSigned, std::string> make_self_signed(const std::filesystem::path& dir);

}  // namespace h2push::net
