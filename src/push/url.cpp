// src/push/url.cpp: RFC 3986 §5.2 reference resolution for http(s), with the WHATWG URL Standard's adjustments for
// special schemes where browsers depart from the RFC (see url.hpp).
#include "push/url.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace h2push::push {
namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// WHATWG URL parser, basic URL parser steps 1-3: strip leading and trailing C0 controls and spaces, then remove
// every ASCII tab and newline (they may sit anywhere, e.g. where an attribute value was wrapped).
std::string preprocess(std::string_view in) {
  std::size_t begin = 0;
  std::size_t end = in.size();
  while (begin < end && static_cast<unsigned char>(in[begin]) <= 0x20) ++begin;
  while (end > begin && static_cast<unsigned char>(in[end - 1]) <= 0x20) --end;
  std::string out;
  out.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    if (in[i] != '\t' && in[i] != '\n' && in[i] != '\r') out.push_back(in[i]);
  }
  return out;
}

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), ended by ':'. Returns the lower-cased scheme
// and the length through the ':' when `ref` starts with one; a ':' after '/', '?' or '\' is part of a path.
std::optional<std::pair<std::string, std::size_t>> split_scheme(std::string_view ref) {
  if (ref.empty() || !is_alpha(ref[0])) return std::nullopt;
  for (std::size_t i = 1; i < ref.size(); ++i) {
    const char c = ref[i];
    if (c == ':') {
      std::string scheme;
      for (std::size_t j = 0; j < i; ++j) scheme.push_back(ascii_lower(ref[j]));
      return std::pair{std::move(scheme), i + 1};
    }
    if (!(is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.')) return std::nullopt;
  }
  return std::nullopt;
}

bool is_http_scheme(std::string_view scheme) { return scheme == "http" || scheme == "https"; }

bool is_single_dot(std::string_view s) { return s == "." || iequals(s, "%2e"); }
bool is_double_dot(std::string_view s) {
  return s == ".." || iequals(s, ".%2e") || iequals(s, "%2e.") || iequals(s, "%2e%2e");
}

// RFC 3986 §5.2.4 for a path that starts with '/', done segment by segment: "." disappears, ".." removes the
// segment before it (never above the root), and either one as the last segment leaves a trailing '/'. Browsers
// also treat "%2e" as '.' here (WHATWG URL Standard, "single-dot" and "double-dot URL path segment").
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t pos = 1;  // past the leading '/'
  bool done = false;
  while (!done) {
    std::size_t slash = path.find('/', pos);
    const bool last = slash == std::string_view::npos;
    if (last) slash = path.size();
    const std::string_view segment = path.substr(pos, slash - pos);
    if (is_single_dot(segment)) {
      if (last) out.emplace_back();
    } else if (is_double_dot(segment)) {
      if (!out.empty()) out.pop_back();
      if (last) out.emplace_back();
    } else {
      out.push_back(segment);
    }
    done = last;
    pos = slash + 1;
  }
  std::string result;
  result.reserve(path.size());
  for (const std::string_view segment : out) {
    result.push_back('/');
    result.append(segment);
  }
  if (result.empty()) result.push_back('/');
  return result;
}

// WHATWG URL Standard percent-encode sets: the path set (C0 controls, space, '"', '#', '<', '>', '?', '`', '{', '}',
// bytes above 0x7E) and the special-query set (C0 controls, space, '"', '#', '<', '>', '\'', bytes above 0x7E).
// '%' is never encoded, so existing escapes stay as written and encoding twice changes nothing.
bool in_path_set(unsigned char c) {
  return c < 0x21 || c > 0x7E || c == '"' || c == '#' || c == '<' || c == '>' || c == '?' || c == '`' || c == '{' ||
         c == '}';
}
bool in_query_set(unsigned char c) {
  return c < 0x21 || c > 0x7E || c == '"' || c == '#' || c == '<' || c == '>' || c == '\'';
}

template <class InSet>
std::string percent_encode(std::string_view in, InSet in_set) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (const char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (in_set(c)) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

// Normalises an authority for `scheme` (possibly empty): host lower-cased, port without leading zeros, and the
// scheme's default port dropped. Userinfo makes the reference cross_origin: browsers refuse to fetch subresources
// with credentials in the URL, so it is nothing we can push.
Result<std::string, UrlError> normalize_authority(std::string_view scheme, std::string_view authority) {
  if (authority.find('@') != std::string_view::npos) return Unexpected{UrlError::cross_origin};
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return Unexpected{UrlError::invalid};
    host = authority.substr(0, close + 1);
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return Unexpected{UrlError::invalid};
      port = rest.substr(1);
    }
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return Unexpected{UrlError::invalid};
  std::string out;
  out.reserve(authority.size());
  const bool ip_literal = host[0] == '[';
  for (const char c : host) {
    const auto u = static_cast<unsigned char>(c);
    const bool ok = ip_literal ? (is_alpha(c) || is_digit(c) || c == ':' || c == '.' || c == '[' || c == ']')
                               // WHATWG forbidden host code points that can reach here ('/', '?', '#' cannot).
                               : !(u <= 0x20 || u == 0x7F || c == '<' || c == '>' || c == '^' || c == '|' || c == '%' ||
                                   c == '[' || c == ']' || c == '\\' || c == ':');
    if (!ok) return Unexpected{UrlError::invalid};
    out.push_back(ascii_lower(c));
  }
  if (!port.empty()) {
    std::uint32_t value = 0;
    for (const char c : port) {
      if (!is_digit(c)) return Unexpected{UrlError::invalid};
      value = value * 10 + static_cast<std::uint32_t>(c - '0');
      if (value > 65535) return Unexpected{UrlError::invalid};
    }
    const bool is_default = (scheme == "http" && value == 80) || (scheme == "https" && value == 443);
    if (!is_default) {
      out.push_back(':');
      out.append(std::to_string(value));
    }
  }
  return out;
}

// The authority form after "scheme:" or "//": browsers skip any number of slashes (the URL Standard's "special
// authority ignore slashes state"), then read the authority up to the next '/'; the rest is the path.
Result<Url, UrlError> from_authority_form(std::string scheme, std::string_view rest, std::optional<std::string> query) {
  std::size_t begin = 0;
  while (begin < rest.size() && rest[begin] == '/') ++begin;
  rest = rest.substr(begin);
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? std::string_view{"/"} : rest.substr(slash);
  auto normalized = normalize_authority(scheme, authority);
  if (!normalized) return Unexpected{normalized.error()};
  Url url;
  url.scheme = std::move(scheme);
  url.authority = std::move(*normalized);
  url.path = percent_encode(remove_dot_segments(path), in_path_set);
  url.query = std::move(query);
  return url;
}

}  // namespace

std::string Url::target() const {
  if (!query) return path;
  std::string out;
  out.reserve(path.size() + 1 + query->size());
  out.append(path);
  out.push_back('?');
  out.append(*query);
  return out;
}

Result<Url, UrlError> resolve(const Url& base, std::string_view reference) {
  std::string ref = preprocess(reference);
  // RFC 3986 §5.2.2 never carries the fragment into the target; we never need it.
  if (const std::size_t hash = ref.find('#'); hash != std::string::npos) ref.resize(hash);

  std::optional<std::string> scheme;
  std::size_t rest_begin = 0;
  if (auto split = split_scheme(ref)) {
    if (!is_http_scheme(split->first)) return Unexpected{UrlError::unsupported_scheme};
    scheme = std::move(split->first);
    rest_begin = split->second;
  }

  // Split off the query (kept as written, encoded as browsers do), then read '\' as '/' in what precedes it: only
  // http(s) gets this far, and for those "special" schemes browsers treat both alike.
  std::string rest = ref.substr(rest_begin);
  std::optional<std::string> query;
  if (const std::size_t question = rest.find('?'); question != std::string::npos) {
    query = percent_encode(std::string_view{rest}.substr(question + 1), in_query_set);
    rest.resize(question);
  }
  for (char& c : rest) {
    if (c == '\\') c = '/';
  }
  const bool has_authority = rest.size() >= 2 && rest[0] == '/' && rest[1] == '/';

  if (scheme) {
    // "http:g" against an http base is relative in browsers (the RFC's §5.4.2 "backward compatible" reading); with
    // another scheme, or when the base's scheme is unknown, the slashes are optional and an authority follows.
    const bool relative = !has_authority && !base.scheme.empty() && *scheme == base.scheme;
    if (!relative) return from_authority_form(std::move(*scheme), rest, std::move(query));
  } else if (has_authority) {
    return from_authority_form(base.scheme, rest, std::move(query));  // network-path reference: "//host/x"
  }

  Url target;
  target.scheme = base.scheme;
  target.authority = base.authority;
  if (rest.empty()) {
    target.path = base.path;
    target.query = query ? std::move(query) : base.query;
    return target;
  }
  std::string merged;
  if (rest[0] == '/') {
    merged = std::move(rest);
  } else {
    // RFC 3986 §5.2.3: everything of the base path up to and including its last '/', then the reference.
    const std::size_t last_slash = base.path.rfind('/');
    merged = last_slash == std::string::npos ? std::string{"/"} : base.path.substr(0, last_slash + 1);
    merged.append(rest);
  }
  target.path = percent_encode(remove_dot_segments(merged), in_path_set);
  target.query = std::move(query);
  return target;
}

Result<Url, UrlError> parse_url(std::string_view text) {
  const std::string cleaned = preprocess(text);
  const std::string_view view{cleaned};
  static const Url kRoot{"", "", "/", std::nullopt};
  if (auto split = split_scheme(view)) {
    if (!is_http_scheme(split->first)) return Unexpected{UrlError::unsupported_scheme};
    if (view.substr(split->second, 2) != "//") return Unexpected{UrlError::invalid};
    return resolve(kRoot, view);
  }
  if (view.empty() || view[0] != '/' || (view.size() >= 2 && (view[1] == '/' || view[1] == '\\'))) {
    return Unexpected{UrlError::invalid};
  }
  return resolve(kRoot, view);
}

bool same_origin(const Url& a, const Url& b) { return a.scheme == b.scheme && a.authority == b.authority; }

Result<std::string, UrlError> resolve_path(const Url& page, const Url& base, std::string_view reference) {
  auto resolved = resolve(base, reference);
  if (!resolved) return Unexpected{resolved.error()};
  if (!same_origin(page, *resolved)) return Unexpected{UrlError::cross_origin};
  return resolved->target();
}

Result<std::string, UrlError> resolve_path(const Url& base, std::string_view reference) {
  return resolve_path(base, base, reference);
}

}  // namespace h2push::push
