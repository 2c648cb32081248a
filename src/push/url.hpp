// src/push/url.hpp: resolving the URL references a page makes (href, src, url(), import specifiers) to the
// same-origin paths h2push can push: RFC 3986 §5.2 (merge, remove_dot_segments) with the few changes browsers make
// to it for http(s) (WHATWG URL Standard), so that the path we push is the path the browser will ask for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "h2push/result.hpp"

namespace h2push::push {

// Why a reference yields no pushable path.
enum class UrlError : std::uint8_t {
  cross_origin,        // another scheme, host or port; or an absolute URL when the page's origin is unknown
  unsupported_scheme,  // data:, javascript:, mailto:, blob:, ftp:, ... (only http and https are fetched from us)
  invalid,             // not a URL: empty host, bad port, a base that is neither an http(s) URL nor a path
};

// An absolute http(s) URL, or a path-only URL when the origin is unknown (scheme and authority both empty; such a
// URL is same-origin with other path-only URLs only). Always normalised: lower-case scheme and host, no default
// port, no userinfo, a path that starts with '/' and holds no dot segments, no fragment.
struct Url {
  std::string scheme;                // "http", "https", or empty
  std::string authority;             // "example.com", "example.com:8443", "[::1]:8443", or empty
  std::string path;                  // "/css/main.css", percent-encoded as the browser sends it
  std::optional<std::string> query;  // without the '?'; "" for "/a?" (which is not "/a")

  // The request target: path, then '?' and the query if there is one ("/a/b?x=1").
  std::string target() const;

  friend bool operator==(const Url&, const Url&) = default;
};

// Parses a page or stylesheet URL: an absolute http(s) URL ("https://example.com/a/b.html?x") or an origin-form
// path ("/a/b.html?x", origin unknown). The fragment is dropped, dot segments are removed.
// Errors: unsupported_scheme (a scheme other than http/https), invalid (anything else that is not one of those two
// forms, e.g. "a/b", "//host/x" or "https://").
[[nodiscard]] Result<Url, UrlError> parse_url(std::string_view text);

// Resolves `reference` against `base` (RFC 3986 §5.2.2), as a browser resolves an attribute value: leading and
// trailing C0 controls and spaces are stripped, tabs and newlines removed, '\' read as '/' before the query,
// "%2e" read as '.' in dot segments, and bytes a browser would percent-encode (space, controls, '"', '<', '>',
// '`', '{', '}', non-ASCII) encoded; existing %XX escapes are kept as written. A reference naming the base's scheme
// without "//" ("http:g") is relative, as browsers read it. The result may have another origin than `base`.
// Errors: unsupported_scheme (data:, javascript:, ...), invalid (empty host, bad port), cross_origin (userinfo in
// the reference). Whether the result shares the page's origin is same_origin()'s question, or resolve_path()'s.
[[nodiscard]] Result<Url, UrlError> resolve(const Url& base, std::string_view reference);

// Whether `a` and `b` have the same origin (scheme, host, port). Path-only URLs match each other only.
bool same_origin(const Url& a, const Url& b);

// The request target ("/css/a.css?x") of `reference` resolved against `base` when it has the origin of `page`;
// else cross_origin, or resolve()'s error. `base` is the page itself, its <base href>, or the stylesheet or module
// that holds the reference.
[[nodiscard]] Result<std::string, UrlError> resolve_path(const Url& page, const Url& base, std::string_view reference);

// Shorthand for resolve_path(base, base, reference): the origin that counts is the base's own.
[[nodiscard]] Result<std::string, UrlError> resolve_path(const Url& base, std::string_view reference);

}  // namespace h2push::push
