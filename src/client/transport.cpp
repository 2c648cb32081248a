// src/client/transport.cpp
#include "client/transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <charconv>

#include <asio/connect.hpp>
#include <asio/ip/address.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

namespace h2push::client {
namespace {

std::string openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return {};
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  return buffer;
}

bool is_ip_literal(const std::string& host) {
  std::error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

Result<std::shared_ptr<asio::ssl::context>, std::string> make_context(const ConnectOptions& options) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);  // RFC 9113 §9.2
  if (options.verify) {
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_set_default_verify_paths(native) != 1) {
      return Unexpected{"cannot load the system trust store: " + openssl_reason()};
    }
    if (!options.ca_file.empty() && SSL_CTX_load_verify_locations(native, options.ca_file.c_str(), nullptr) != 1) {
      return Unexpected{"cannot load CA file " + options.ca_file + ": " + openssl_reason()};
    }
  } else {
    SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  }
  if (!options.alpn.empty()) {
    std::vector<unsigned char> wire;  // RFC 7301: length-prefixed names
    for (const std::string& name : options.alpn) {
      wire.push_back(static_cast<unsigned char>(name.size()));
      wire.insert(wire.end(), name.begin(), name.end());
    }
    if (SSL_CTX_set_alpn_protos(native, wire.data(), static_cast<unsigned>(wire.size())) != 0) {
      return Unexpected{std::string("cannot set ALPN")};
    }
  }
  return ctx;
}

}  // namespace

Result<Target, std::string> parse_target(std::string_view url) {
  Target t;
  if (url.starts_with("https://")) {
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    t.tls = false;
    t.port = 80;
    url.remove_prefix(7);
  } else {
    return Unexpected{"not an http:// or https:// URL: " + std::string(url)};
  }
  const std::size_t slash = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, slash);
  std::string_view rest = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
  if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  if (authority.find('@') != std::string_view::npos)
    return Unexpected{std::string("user information in URLs is not supported")};
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with("[")) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return Unexpected{"bad IPv6 literal in " + std::string(authority)};
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return Unexpected{"bad authority " + std::string(authority)};
      port = authority.substr(close + 2);
    }
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return Unexpected{std::string("no host in URL")};
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return Unexpected{"bad port " + std::string(port)};
    }
    t.port = static_cast<std::uint16_t>(value);
  }
  t.host = std::string(host);
  const bool default_port = t.port == (t.tls ? 443 : 80);
  const std::string bracketed = host.find(':') != std::string_view::npos ? "[" + t.host + "]" : t.host;
  t.authority = default_port ? bracketed : bracketed + ":" + std::to_string(t.port);
  t.path = rest.empty() ? "/" : (rest.front() == '?' ? "/" + std::string(rest) : std::string(rest));
  return t;
}

bool run_until(asio::io_context& io, const std::function<bool()>& done, Clock::time_point deadline) {
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    io.restart();
    io.run_one_until(deadline);
  }
  return true;
}

Transport::Transport(asio::io_context& io, std::shared_ptr<asio::ssl::context> ctx)
    : io_(io), ctx_(std::move(ctx)), socket_(io) {}

Transport::~Transport() { close(); }

void Transport::close() noexcept {
  std::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

Result<std::unique_ptr<Transport>, std::string> Transport::connect(asio::io_context& io, const Target& target,
                                                                   const ConnectOptions& options,
                                                                   Clock::time_point deadline) {
  std::shared_ptr<asio::ssl::context> ctx;
  if (target.tls) {
    auto made = make_context(options);
    if (!made) return Unexpected{made.error()};
    ctx = *made;
  }
  std::unique_ptr<Transport> t(new Transport(io, ctx));
  const bool redirected = !options.connect_host.empty();
  const std::string host = redirected ? options.connect_host : target.host;
  const std::uint16_t port = redirected ? options.connect_port : target.port;
  const std::string where = host + ":" + std::to_string(port);

  asio::ip::tcp::resolver resolver(io);
  std::optional<std::error_code> resolved;
  asio::ip::tcp::resolver::results_type endpoints;
  resolver.async_resolve(host, std::to_string(port),
                         [&](const std::error_code& ec, asio::ip::tcp::resolver::results_type results) {
                           resolved = ec;
                           endpoints = std::move(results);
                         });
  if (!run_until(
          io, [&] { return resolved.has_value(); }, deadline)) {
    resolver.cancel();
    run_until(
        io, [&] { return resolved.has_value(); }, Clock::now() + std::chrono::seconds(1));
    return Unexpected{"timed out resolving " + host};
  }
  if (*resolved) return Unexpected{"cannot resolve " + host + ": " + resolved->message()};

  std::optional<std::error_code> connected;
  asio::async_connect(t->socket_, endpoints,
                      [&](const std::error_code& ec, const asio::ip::tcp::endpoint&) { connected = ec; });
  if (!run_until(
          io, [&] { return connected.has_value(); }, deadline)) {
    t->close();
    run_until(
        io, [&] { return connected.has_value(); }, Clock::now() + std::chrono::seconds(1));
    return Unexpected{"timed out connecting to " + where};
  }
  if (*connected) return Unexpected{"connect to " + where + " failed: " + connected->message()};
  t->socket_.set_option(asio::ip::tcp::no_delay(true));
  if (!target.tls) return t;

  t->tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(t->socket_, *ctx);
  SSL* ssl = t->tls_->native_handle();
  const bool ip = is_ip_literal(target.host);
  if (!ip) SSL_set_tlsext_host_name(ssl, target.host.c_str());  // SNI (RFC 6066 §3: never an IP literal)
  if (options.verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int set = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, target.host.c_str())
                       : X509_VERIFY_PARAM_set1_host(param, target.host.c_str(), target.host.size());
    if (set != 1) return Unexpected{"cannot set the host name to verify: " + target.host};
  }
  t->where_ = where;
  t->target_host_ = target.host;
  t->verify_ = options.verify;
  if (options.defer_tls_handshake) return t;
  std::optional<std::error_code> handshaken;
  t->tls_->async_handshake(asio::ssl::stream_base::client, [&](const std::error_code& ec) { handshaken = ec; });
  if (!run_until(
          io, [&] { return handshaken.has_value(); }, deadline)) {
    t->close();
    run_until(
        io, [&] { return handshaken.has_value(); }, Clock::now() + std::chrono::seconds(1));
    return Unexpected{"timed out in the TLS handshake with " + where};
  }
  if (*handshaken) return Unexpected{t->handshake_failure(*handshaken)};
  return t;
}

void Transport::async_handshake(std::function<void(const std::error_code&)> handler) {
  tls_->async_handshake(asio::ssl::stream_base::client, std::move(handler));
}

std::string Transport::handshake_failure(const std::error_code& ec) const {
  const long verify = SSL_get_verify_result(tls_->native_handle());
  if (verify_ && verify != X509_V_OK) {
    return "TLS certificate verification failed for " + target_host_ + ": " + X509_verify_cert_error_string(verify) +
           " (-k skips verification)";
  }
  return "TLS handshake with " + where_ + " failed: " + ec.message();
}

void Transport::async_read_some(std::span<std::byte> buffer, Handler handler) {
  if (tls_) {
    tls_->async_read_some(asio::buffer(buffer.data(), buffer.size()), std::move(handler));
  } else {
    socket_.async_read_some(asio::buffer(buffer.data(), buffer.size()), std::move(handler));
  }
}

void Transport::async_write(std::span<const std::byte> bytes, Handler handler) {
  if (tls_) {
    asio::async_write(*tls_, asio::buffer(bytes.data(), bytes.size()), std::move(handler));
  } else {
    asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), std::move(handler));
  }
}

std::string Transport::alpn() const {
  if (!tls_) return {};
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(tls_->native_handle(), &data, &length);
  return std::string(reinterpret_cast<const char*>(data), length);
}

}  // namespace h2push::client
