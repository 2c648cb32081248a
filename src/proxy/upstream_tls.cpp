// src/proxy/upstream_tls.cpp
#include "proxy/upstream_tls.hpp"

#include <openssl/x509v3.h>

#include <array>

#include <asio/ip/address.hpp>
#include <asio/ssl/error.hpp>

#include "net/tls.hpp"

namespace h2push::proxy {
namespace {

bool is_ip_literal(const std::string& host) {
  std::error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

std::string tls_name(const Route& route) {
  return route.upstream_sni.empty() ? route.upstream.host : route.upstream_sni;
}

std::string tls_pool_key(const Route& route) {
  if (!route.upstream.tls) return to_string(route.upstream);
  return to_string(route.upstream) + " sni=" + tls_name(route) + (route.upstream_tls_verify ? " verify" : " noverify") +
         " ca=" + route.upstream_ca_file;
}

UpstreamTls::~UpstreamTls() = default;

Result<std::shared_ptr<asio::ssl::context>, std::string> UpstreamTls::context(const Route& route) {
  const std::string key = std::string(route.upstream.h2 ? "h2 " : "http/1.1 ") +
                          (route.upstream_tls_verify ? "verify " : "noverify ") + route.upstream_ca_file;
  if (const auto it = contexts_.find(key); it != contexts_.end()) return it->second;
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  if (route.upstream_tls_verify) {
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
    if (route.upstream_ca_file.empty() && SSL_CTX_set_default_verify_paths(native) != 1) {
      return Unexpected{"cannot load the system trust store: " + net::openssl_error()};
    }
    if (!route.upstream_ca_file.empty() &&
        SSL_CTX_load_verify_locations(native, route.upstream_ca_file.c_str(), nullptr) != 1) {
      return Unexpected{"cannot load upstream_ca_file " + route.upstream_ca_file + ": " + net::openssl_error()};
    }
  } else {
    SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  }
  static constexpr std::array<unsigned char, 9> kHttp11 = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  static constexpr std::array<unsigned char, 3> kH2 = {2, 'h', '2'};
  const int alpn = route.upstream.h2
                       ? SSL_CTX_set_alpn_protos(native, kH2.data(), static_cast<unsigned>(kH2.size()))
                       : SSL_CTX_set_alpn_protos(native, kHttp11.data(), static_cast<unsigned>(kHttp11.size()));
  if (alpn != 0) {
    return Unexpected{std::string("cannot set ALPN")};
  }
  contexts_[key] = ctx;
  return ctx;
}

Result<std::unique_ptr<TlsStream>, std::string> UpstreamTls::wrap(asio::ip::tcp::socket& socket, const Route& route,
                                                                  const std::string& key) {
  auto ctx = context(route);
  if (!ctx) return Unexpected{ctx.error()};
  auto stream = std::make_unique<TlsStream>(socket, **ctx);
  if (auto prepared = prepare(stream->native_handle(), route, key); !prepared) return Unexpected{prepared.error()};
  return stream;
}

Status<std::string> UpstreamTls::prepare(SSL* ssl, const Route& route, const std::string& key) {
  const std::string name = tls_name(route);
  const bool ip = is_ip_literal(name);
  if (!ip && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
    return Unexpected{"cannot set the TLS server name " + name + ": " + net::openssl_error()};
  }
  if (route.upstream_tls_verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int set = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                       : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
    if (set != 1) return Unexpected{"cannot set the host name to verify: " + name};
  }
  if (const auto it = sessions_.find(key); it != sessions_.end()) SSL_set_session(ssl, it->second.get());
  return {};
}

void UpstreamTls::remember(SSL* ssl, const std::string& key) {
  const SSL_SESSION* current = SSL_get0_session(ssl);
  if (current == nullptr || SSL_SESSION_is_resumable(current) != 1) return;
  // A copy: OpenSSL marks a connection's own session not resumable when that connection is freed without a TLS
  // shutdown, which is how pooled connections end.
  if (SSL_SESSION* copy = SSL_SESSION_dup(current)) sessions_[key].reset(copy);
}

std::string UpstreamTls::failure(SSL* ssl, bool verify, const std::error_code& ec) {
  const long result = SSL_get_verify_result(ssl);
  if (verify && result != X509_V_OK) {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(result);
  }
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset) {
    return "the upstream closed the connection (" + ec.message() + ")";
  }
  return ec.message();
}

}  // namespace h2push::proxy
