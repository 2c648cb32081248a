// src/proxy/routes.hpp: the reverse proxy's routes ([[proxy]] tables): which upstream answers a request, chosen by
// host and longest path prefix. Pure: no sockets, clocks or threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "h2push/result.hpp"

namespace h2push::proxy {

// An upstream origin: HTTP/1.1 ("http://host:port"), HTTP/1.1 over TLS ("https://host:port"), HTTP/2 with prior
// knowledge ("h2c://host:port") or HTTP/2 over TLS ("h2s://host:port", ALPN h2).
struct UpstreamUrl {
  std::string host;  // a name, an IPv4 address, or an IPv6 address without brackets
  std::uint16_t port = 80;
  bool h2 = false;   // h2c:// or h2s://: HTTP/2, requests multiplexed over one connection
  bool tls = false;  // https:// or h2s://: over TLS (default port 443)
  friend bool operator==(const UpstreamUrl&, const UpstreamUrl&) = default;
};

// "http://127.0.0.1:8000", "http://app", "http://[::1]:8000", "https://app.internal:8443", "https://app" (port 443),
// "h2c://127.0.0.1:8000", "h2s://app.internal:8443", an optional trailing "/". Anything else (another scheme, a path,
// userinfo, a query, a bad or zero port) is an error naming what is wrong.
[[nodiscard]] Result<UpstreamUrl, std::string> parse_upstream_url(std::string_view text);
std::string to_string(const UpstreamUrl& url);  // "http://host:port", "https://...", "h2c://...", "h2s://..."

struct Route {
  std::string prefix = "/";  // path prefix, starts with '/'; "/app" matches "/app", "/app/x" and "/app?q", not "/apple"
  std::string host;          // empty: any host; else the request's host (case-insensitive, port ignored)
  UpstreamUrl upstream;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds response_timeout{60'000};  // upstream silence: head, each body read, upload writes
  bool learn = true;                                   // learn pages' assets for push and Early Hints
  std::size_t max_learned_pages = 1024;
  std::size_t max_learned_assets = 16384;  // assets' validators and learned children (LRU)
  std::string static_root{};  // pushed assets served from this directory instead of the upstream; empty: none
  std::chrono::milliseconds pool_idle_timeout{60'000};  // an idle keep-alive connection to the upstream is closed
  std::size_t pool_max_idle = 1024;  // idle keep-alive connections kept per worker and origin (http1:// routes)
  // https:// upstreams (upstream_tls.hpp): verify the certificate (chain and name), against upstream_ca_file (PEM)
  // or the system trust store; the name sent in SNI and verified (empty: the URL's host).
  bool upstream_tls_verify = true;
  std::string upstream_ca_file{};
  std::string upstream_sni{};
  friend bool operator==(const Route&, const Route&) = default;
};

// Does `prefix` cover `path` (a request target, query included) on a segment boundary?
bool prefix_matches(std::string_view prefix, std::string_view path) noexcept;

// The index of the route for a request: the longest matching prefix; at equal length a route naming the host beats
// one for any host. nullopt: no route (the proxy answers 404 or passes to its static root).
std::optional<std::size_t> select_route(std::span<const Route> routes, std::string_view authority,
                                        std::string_view target) noexcept;

}  // namespace h2push::proxy
