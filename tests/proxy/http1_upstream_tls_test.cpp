// tests/proxy/http1_upstream_tls_test.cpp: Http1Upstream to an https:// upstream: a TLS origin on 127.0.0.1 port 0
// with a certificate made at run time (localhost, 127.0.0.1) that counts its handshakes, resumptions and the SNI it
// saw. Verification with the right CA file, without it, with a wrong name, an expired certificate and turned off; an
// origin that answers garbage, closes during the handshake or stalls in it; after every failure the next request is
// served.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <unistd.h>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>

#include "net/tls.hpp"
#include "proxy/http1_upstream.hpp"

namespace h2push::proxy {
namespace {

// A self-signed certificate for localhost that expired yesterday (valid from two days ago), as cert.pem / key.pem.
net::SelfSigned write_expired_certificate(const std::filesystem::path& dir) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert), -2L * 24 * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), -1L * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_set_pubkey(cert, key);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  if (X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1")) {
    X509_add_ext(cert, san, -1);
    X509_EXTENSION_free(san);
  }
  X509_sign(cert, key, EVP_sha256());
  const net::SelfSigned out{dir / "expired-cert.pem", dir / "expired-key.pem"};
  if (std::FILE* f = std::fopen(out.cert_file.c_str(), "w")) {
    PEM_write_X509(f, cert);
    std::fclose(f);
  }
  if (std::FILE* f = std::fopen(out.key_file.c_str(), "w")) {
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

enum class Mode { serve, garbage, close_at_once, stall };

class TlsOrigin {
 public:
  TlsOrigin(asio::io_context& io, std::shared_ptr<asio::ssl::context> ctx, Mode mode)
      : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}), ctx_(std::move(ctx)), mode_(mode) {
    accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::size_t accepted() const { return accepted_; }
  std::size_t handshakes() const { return handshakes_; }
  std::size_t resumed() const { return resumed_; }
  std::size_t requests() const { return requests_; }
  const std::string& last_sni() const { return last_sni_; }

 private:
  struct Conn {
    Conn(asio::ip::tcp::socket s, asio::ssl::context& ctx) : socket(std::move(s)), tls(socket, ctx) {}
    asio::ip::tcp::socket socket;
    asio::ssl::stream<asio::ip::tcp::socket&> tls;
    std::string input;
    std::array<char, 4096> buffer{};
  };

  void accept() {
    acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      ++accepted_;
      auto c = std::make_shared<Conn>(std::move(socket), *ctx_);
      if (mode_ == Mode::garbage) {
        static const std::string kGarbage = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        asio::async_write(c->socket, asio::buffer(kGarbage), [c](std::error_code, std::size_t) {});
      } else if (mode_ == Mode::close_at_once) {
        c->socket.close(ec);
      } else if (mode_ == Mode::stall) {
        stalled_ = c;  // never answers the ClientHello
      } else {
        handshake(c);
      }
      accept();
    });
  }

  void handshake(const std::shared_ptr<Conn>& c) {
    c->tls.async_handshake(asio::ssl::stream_base::server, [this, c](std::error_code ec) {
      if (ec) return;
      ++handshakes_;
      if (SSL_session_reused(c->tls.native_handle()) == 1) ++resumed_;
      const char* sni = SSL_get_servername(c->tls.native_handle(), TLSEXT_NAMETYPE_host_name);
      last_sni_ = sni == nullptr ? "" : sni;
      read(c);
    });
  }

  void read(const std::shared_ptr<Conn>& c) {
    c->tls.async_read_some(asio::buffer(c->buffer), [this, c](std::error_code ec, std::size_t n) {
      if (ec) return;
      c->input.append(c->buffer.data(), n);
      if (c->input.find("\r\n\r\n") == std::string::npos) return read(c);
      c->input.clear();
      ++requests_;
      static const std::string kResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
      asio::async_write(c->tls, asio::buffer(kResponse), [this, c](std::error_code e, std::size_t) {
        if (!e) read(c);
      });
    });
  }

  asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<asio::ssl::context> ctx_;
  Mode mode_;
  std::size_t accepted_ = 0, handshakes_ = 0, resumed_ = 0, requests_ = 0;
  std::string last_sni_;
  std::shared_ptr<Conn> stalled_;
};

struct Outcome {
  int status = 0;
  std::string body;
  bool ended = false;
  std::optional<UpstreamError> error;
  std::string detail;
};

// One GET through `upstream`, the loop run until it ends (bounded in turns and time).
Outcome get(asio::io_context& io, Http1Upstream& upstream, const Route& route) {
  auto out = std::make_shared<Outcome>();
  bool finished = false;
  auto call = upstream.start(route, {"GET", "/x", "origin.test", {}, false}, io.get_executor(),
                             [out, &finished](const UpstreamEvent& e) {
                               if (const auto* h = std::get_if<UpstreamHead>(&e)) out->status = h->status;
                               if (const auto* d = std::get_if<UpstreamData>(&e)) {
                                 out->body.append(reinterpret_cast<const char*>(d->data.data()), d->data.size());
                               }
                               if (std::holds_alternative<UpstreamEnd>(e)) out->ended = true;
                               if (const auto* f = std::get_if<UpstreamFailed>(&e)) {
                                 out->error = f->error;
                                 out->detail = std::string(f->detail);
                               }
                               finished = finished || out->ended || out->error.has_value();
                             });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int i = 0; i < 100'000 && !finished && std::chrono::steady_clock::now() < deadline; ++i) {
    io.run_one_for(std::chrono::milliseconds(100));
  }
  for (int i = 0; i < 10'000 && io.poll_one() > 0; ++i) {  // the connection back to the pool (posted work)
  }
  return *out;
}

bool served(const Outcome& o) { return o.ended && o.status == 200 && o.body == "ok" && !o.error; }

class Http1UpstreamTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("h2push-upstream-tls-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    auto made = net::make_self_signed(dir_);
    ASSERT_TRUE(made.ok()) << made.error();
    cert_ = *made;
    net::TlsOptions options;
    options.cert_file = cert_.cert_file;
    options.key_file = cert_.key_file;
    options.offer_h2 = false;
    auto ctx = net::make_server_tls(options);
    ASSERT_TRUE(ctx.ok()) << ctx.error();
    server_ctx_ = *ctx;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  Route route_to(const std::string& host, std::uint16_t port, bool with_ca) const {
    Route route;
    route.upstream = {host, port, false, true};
    if (with_ca) route.upstream_ca_file = cert_.cert_file.string();
    return route;
  }

  std::filesystem::path dir_;
  net::SelfSigned cert_;
  std::shared_ptr<asio::ssl::context> server_ctx_;
};

TEST_F(Http1UpstreamTlsTest, VerifiedPagesOverOnePooledConnectionWithSni) {
  asio::io_context io;
  TlsOrigin origin(io, server_ctx_, Mode::serve);
  Http1Upstream upstream;
  const Route route = route_to("localhost", origin.port(), true);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(served(get(io, upstream, route))) << i;
  EXPECT_EQ(origin.requests(), 3u);
  EXPECT_EQ(origin.accepted(), 1u);
  EXPECT_EQ(origin.handshakes(), 1u);  // the pooled connection was reused
  EXPECT_EQ(upstream.stats().handshakes, 1u);
  EXPECT_EQ(origin.last_sni(), "localhost");
  upstream.close_idle();
}

TEST_F(Http1UpstreamTlsTest, AnIpLiteralIsVerifiedAndSendsNoSni) {
  asio::io_context io;
  TlsOrigin origin(io, server_ctx_, Mode::serve);
  Http1Upstream upstream;
  EXPECT_TRUE(served(get(io, upstream, route_to("127.0.0.1", origin.port(), true))));
  EXPECT_EQ(origin.handshakes(), 1u);
  EXPECT_EQ(origin.last_sni(), "");
  upstream.close_idle();
}

TEST_F(Http1UpstreamTlsTest, ReconnectsResumeTheSession) {
  asio::io_context io;
  TlsOrigin origin(io, server_ctx_, Mode::serve);
  Http1Upstream upstream;
  Route route = route_to("localhost", origin.port(), true);
  route.pool_max_idle = 0;  // a connection per request
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(served(get(io, upstream, route))) << i;
  EXPECT_EQ(origin.handshakes(), 3u);
  EXPECT_EQ(origin.resumed(), 2u);
  EXPECT_EQ(upstream.stats().resumed, 2u);
}

TEST_F(Http1UpstreamTlsTest, SelfSignedWithoutItsCaIsRefusedThenTheNextIsServed) {
  asio::io_context io;
  TlsOrigin origin(io, server_ctx_, Mode::serve);
  Http1Upstream upstream;
  const Outcome refused = get(io, upstream, route_to("localhost", origin.port(), false));
  ASSERT_TRUE(refused.error.has_value());
  EXPECT_EQ(*refused.error, UpstreamError::tls_failed);
  EXPECT_EQ(status_for(*refused.error), 502);
  EXPECT_NE(refused.detail.find("certificate verify failed: self"), std::string::npos) << refused.detail;
  EXPECT_EQ(origin.requests(), 0u);
  EXPECT_TRUE(served(get(io, upstream, route_to("localhost", origin.port(), true))));
  upstream.close_idle();
}

TEST_F(Http1UpstreamTlsTest, AWrongNameIsRefusedThenTheNextIsServed) {
  asio::io_context io;
  TlsOrigin origin(io, server_ctx_, Mode::serve);
  Http1Upstream upstream;
  Route wrong = route_to("127.0.0.1", origin.port(), true);
  wrong.upstream_sni = "app.internal";
  const Outcome refused = get(io, upstream, wrong);
  ASSERT_TRUE(refused.error.has_value());
  EXPECT_EQ(*refused.error, UpstreamError::tls_failed);
  EXPECT_NE(refused.detail.find("hostname mismatch"), std::string::npos) << refused.detail;
  EXPECT_EQ(origin.last_sni(), "");  // the handshake failed on our side: the origin finished none
  Route right = wrong;
  right.upstream_sni = "localhost";
  EXPECT_TRUE(served(get(io, upstream, right)));
  EXPECT_EQ(origin.last_sni(), "localhost");
  upstream.close_idle();
}

TEST_F(Http1UpstreamTlsTest, AnExpiredCertificateIsRefusedThenTheNextIsServed) {
  const net::SelfSigned expired = write_expired_certificate(dir_);
  net::TlsOptions options;
  options.cert_file = expired.cert_file;
  options.key_file = expired.key_file;
  options.offer_h2 = false;
  auto ctx = net::make_server_tls(options);
  ASSERT_TRUE(ctx.ok()) << ctx.error();
  asio::io_context io;
  TlsOrigin stale(io, *ctx, Mode::serve);
  TlsOrigin good(io, server_ctx_, Mode::serve);
  Http1Upstream upstream;
  Route route = route_to("localhost", stale.port(), false);
  route.upstream_ca_file = expired.cert_file.string();  // trusted, but out of date
  const Outcome refused = get(io, upstream, route);
  ASSERT_TRUE(refused.error.has_value());
  EXPECT_EQ(*refused.error, UpstreamError::tls_failed);
  EXPECT_NE(refused.detail.find("certificate verify failed: certificate has expired"), std::string::npos)
      << refused.detail;
  EXPECT_EQ(stale.requests(), 0u);
  EXPECT_TRUE(served(get(io, upstream, route_to("localhost", good.port(), true))));
  upstream.close_idle();
}

TEST_F(Http1UpstreamTlsTest, VerifyOffAcceptsTheSelfSignedCertificate) {
  asio::io_context io;
  TlsOrigin origin(io, server_ctx_, Mode::serve);
  Http1Upstream upstream;
  Route route = route_to("localhost", origin.port(), false);
  route.upstream_tls_verify = false;
  EXPECT_TRUE(served(get(io, upstream, route)));
  upstream.close_idle();
}

TEST_F(Http1UpstreamTlsTest, GarbageOrACloseInsteadOfAHandshakeIs502) {
  asio::io_context io;
  TlsOrigin garbage(io, server_ctx_, Mode::garbage);
  TlsOrigin closing(io, server_ctx_, Mode::close_at_once);
  TlsOrigin good(io, server_ctx_, Mode::serve);
  Http1Upstream upstream;
  const Outcome g = get(io, upstream, route_to("localhost", garbage.port(), true));
  ASSERT_TRUE(g.error.has_value());
  EXPECT_EQ(*g.error, UpstreamError::tls_failed);
  EXPECT_NE(g.detail.find("wrong version number"), std::string::npos) << g.detail;  // OpenSSL's reason
  EXPECT_EQ(g.status, 0);  // nothing of the plain-text "response" was taken for one
  const Outcome c = get(io, upstream, route_to("localhost", closing.port(), true));
  ASSERT_TRUE(c.error.has_value());
  EXPECT_EQ(*c.error, UpstreamError::tls_failed);
  EXPECT_NE(c.detail.find("the upstream closed the connection"), std::string::npos) << c.detail;
  EXPECT_TRUE(served(get(io, upstream, route_to("localhost", good.port(), true))));
  upstream.close_idle();
}

TEST_F(Http1UpstreamTlsTest, AStalledHandshakeEndsAtTheConnectTimeout) {
  asio::io_context io;
  TlsOrigin stalled(io, server_ctx_, Mode::stall);
  TlsOrigin good(io, server_ctx_, Mode::serve);
  Http1Upstream upstream;
  Route route = route_to("localhost", stalled.port(), true);
  route.connect_timeout = std::chrono::milliseconds(200);
  const Outcome o = get(io, upstream, route);
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(*o.error, UpstreamError::connect_timeout);
  EXPECT_EQ(status_for(*o.error), 504);
  EXPECT_EQ(stalled.accepted(), 1u);
  EXPECT_TRUE(served(get(io, upstream, route_to("localhost", good.port(), true))));
  upstream.close_idle();
}

}  // namespace
}  // namespace h2push::proxy
