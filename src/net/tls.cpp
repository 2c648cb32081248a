// src/net/tls.cpp
#include "net/tls.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstring>
#include <system_error>

namespace h2push::net {
namespace {

// RFC 7301 wire format: length-prefixed protocol names, in our order of preference.
struct AlpnList {
  const unsigned char* data;
  unsigned int length;
};
constexpr unsigned char kAlpnH2H1[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char kAlpnH1H2[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1', 2, 'h', '2'};
constexpr unsigned char kAlpnH1[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char kAlpnH2[] = {2, 'h', '2'};
constexpr AlpnList kH2H1{kAlpnH2H1, sizeof kAlpnH2H1};
constexpr AlpnList kH1H2{kAlpnH1H2, sizeof kAlpnH1H2};
constexpr AlpnList kH1{kAlpnH1, sizeof kAlpnH1};
constexpr AlpnList kH2{kAlpnH2, sizeof kAlpnH2};

const AlpnList& alpn_list(const TlsOptions& options) noexcept {
  if (!options.offer_h2) return kH1;
  if (!options.offer_http11) return kH2;
  return options.prefer_http11 ? kH1H2 : kH2H1;
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
                void* arg) {
  const AlpnList& ours = *static_cast<const AlpnList*>(arg);
  unsigned char* selected = nullptr;
  // Server preference: the first of ours the client also offers.
  if (SSL_select_next_proto(&selected, outlen, ours.data, ours.length, in, inlen) == OPENSSL_NPN_NEGOTIATED) {
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
  }
  return SSL_TLSEXT_ERR_NOACK;  // no common protocol: carry on without ALPN (HTTP/1.1)
}

int accept_any_server_name(SSL*, int*, void*) { return SSL_TLSEXT_ERR_OK; }

}  // namespace

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  return buffer;
}

Alpn negotiated_alpn(SSL* ssl) noexcept {
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl, &data, &length);
  const std::string_view name(reinterpret_cast<const char*>(data), length);
  if (name == "h2") return Alpn::h2;
  if (name == "http/1.1") return Alpn::http11;
  return Alpn::none;
}

Result<std::shared_ptr<asio::ssl::context>, std::string> make_server_tls(const TlsOptions& options) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, options.tls13_only ? TLS1_3_VERSION : TLS1_2_VERSION);  // RFC 9113 §9.2
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // RFC 9113 §9.2.2 / Appendix A: only ephemeral key exchange with AEAD ciphers in TLS 1.2 (TLS 1.3 suites all are).
  if (SSL_CTX_set_cipher_list(native,
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1) {
    return Unexpected{"cannot set the TLS 1.2 cipher list: " + openssl_error()};
  }
  // TLS 1.3: AES-128-GCM first, as for TLS 1.2 (OpenSSL's default order puts AES-256 first, which costs about a
  // third more CPU per octet for no practical gain; h2o and nginx end up on AES-128 too).
  if (SSL_CTX_set_ciphersuites(native, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256") !=
      1) {
    return Unexpected{"cannot set the TLS 1.3 cipher suites: " + openssl_error()};
  }
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
  static constexpr unsigned char kSessionContext[] = "h2push";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  if (SSL_CTX_use_certificate_chain_file(native, options.cert_file.c_str()) != 1) {
    return Unexpected{"cannot load the certificate " + options.cert_file.string() + ": " + openssl_error()};
  }
  if (SSL_CTX_use_PrivateKey_file(native, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Unexpected{"cannot load the private key " + options.key_file.string() + ": " + openssl_error()};
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return Unexpected{"the private key " + options.key_file.string() + " does not match the certificate " +
                      options.cert_file.string()};
  }
  SSL_CTX_set_alpn_select_cb(native, select_alpn, const_cast<AlpnList*>(&alpn_list(options)));
  SSL_CTX_set_tlsext_servername_callback(native, accept_any_server_name);
  return ctx;
}

Result<SelfSigned, std::string> make_self_signed(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unexpected{"cannot create " + dir.string() + ": " + ec.message()};
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) return Unexpected{"cannot generate a key: " + openssl_error()};
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);  // v3
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return Unexpected{"no randomness: " + openssl_error()};
  serial[0] &= 0x7f;
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(BN_bin2bn(serial, sizeof serial, nullptr), BN_free);
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("h2push"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::pair<int, const char*> extensions[] = {
      {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"},
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth"},
  };
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    if (ext == nullptr) return Unexpected{"cannot build a certificate extension: " + openssl_error()};
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return Unexpected{"cannot sign: " + openssl_error()};

  SelfSigned out{dir / "cert.pem", dir / "key.pem"};
  auto write_pem = [](const std::filesystem::path& path, auto&& writer) -> bool {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return false;
    const bool ok = writer(f) == 1;
    return std::fclose(f) == 0 && ok;
  };
  if (!write_pem(out.key_file, [&](std::FILE* f) {
        return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
      })) {
    return Unexpected{"cannot write " + out.key_file.string()};
  }
  std::filesystem::permissions(out.key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               ec);
  if (!write_pem(out.cert_file, [&](std::FILE* f) { return PEM_write_X509(f, cert.get()); })) {
    return Unexpected{"cannot write " + out.cert_file.string()};
  }
  return out;
}

}  // namespace h2push::net
