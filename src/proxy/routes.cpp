// src/proxy/routes.cpp
#include "proxy/routes.hpp"
#include "proxy/ascii.hpp"

#include <charconv>

namespace h2push::proxy {
namespace {

using ascii::equal_ci;
using ascii::lower;

// "example.com:8443" -> "example.com", "[::1]:80" -> "::1".
std::string_view host_of(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(1, close - 1);
  }
  return authority.substr(0, authority.find(':'));
}

bool valid_host(std::string_view host) {
  if (host.empty()) return false;
  for (const char c : host) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<UpstreamUrl, std::string> parse_upstream_url(std::string_view text) {
  constexpr std::string_view kHttp = "http://";
  constexpr std::string_view kHttps = "https://";
  constexpr std::string_view kH2c = "h2c://";
  constexpr std::string_view kH2s = "h2s://";
  const bool h2c = text.substr(0, kH2c.size()) == kH2c;
  const bool h2s = text.substr(0, kH2s.size()) == kH2s;
  const bool https = text.substr(0, kHttps.size()) == kHttps;
  if (!h2c && !h2s && !https && text.substr(0, kHttp.size()) != kHttp) {
    return Unexpected{std::string("upstream must be an http://, https://, h2c:// or h2s:// URL")};
  }
  const bool tls = https || h2s;
  std::string_view rest = text.substr(https ? kHttps.size() : h2c || h2s ? kH2c.size() : kHttp.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return Unexpected{std::string("upstream URL must be http://host[:port] without path, query or userinfo")};
  }
  UpstreamUrl url;
  url.h2 = h2c || h2s;
  url.tls = tls;
  if (tls) url.port = 443;
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return Unexpected{std::string("upstream URL: unterminated '['")};
    url.host = std::string(rest.substr(1, close - 1));
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty() && after.front() != ':') return Unexpected{std::string("upstream URL: junk after ']'")};
    if (!after.empty()) port_text = after.substr(1);
  } else {
    const std::size_t colon = rest.find(':');
    url.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
    if (url.host.find(':') != std::string::npos) return Unexpected{std::string("upstream URL: bad host")};
  }
  if (!valid_host(url.host)) return Unexpected{std::string("upstream URL: missing or bad host")};
  if (!port_text.empty() || rest.ends_with(":")) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      return Unexpected{std::string("upstream URL: bad port")};
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

std::string to_string(const UpstreamUrl& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  const char* scheme = url.h2 ? (url.tls ? "h2s://" : "h2c://") : (url.tls ? "https://" : "http://");
  return scheme + (v6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
}

bool prefix_matches(std::string_view prefix, std::string_view path) noexcept {
  if (path.substr(0, prefix.size()) != prefix) return false;
  if (prefix.empty() || prefix.back() == '/' || path.size() == prefix.size()) return true;
  const char next = path[prefix.size()];
  return next == '/' || next == '?';
}

std::optional<std::size_t> select_route(std::span<const Route> routes, std::string_view authority,
                                        std::string_view target) noexcept {
  const std::string_view host = host_of(authority);
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const Route& r = routes[i];
    if (!r.host.empty() && !equal_ci(r.host, host)) continue;
    if (!prefix_matches(r.prefix, target)) continue;
    if (!best) {
      best = i;
      continue;
    }
    const Route& b = routes[*best];
    if (r.prefix.size() > b.prefix.size() ||
        (r.prefix.size() == b.prefix.size() && b.host.empty() && !r.host.empty())) {
      best = i;
    }
  }
  return best;
}

}  // namespace h2push::proxy
