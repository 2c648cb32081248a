// src/proxy/forwarding.cpp
#include "proxy/forwarding.hpp"

#include <algorithm>

#include <charconv>

#include "proxy/ascii.hpp"

namespace h2push::proxy {
namespace {

using ascii::equal_ci;
using ascii::lower;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Does the comma-separated list in any of `values` name `name`?
bool listed(std::span<const std::string_view> values, std::string_view name) {
  for (std::string_view value : values) {
    while (!value.empty()) {
      const std::size_t comma = value.find(',');
      if (equal_ci(trim(value.substr(0, comma)), name)) return true;
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return false;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

std::string quoted_unless_token(std::string_view s) {
  if (is_token(s)) return std::string(s);
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Appends `item` to a list value with `sep` ("a" + "b" -> "a, b").
void add_item(std::string& list, std::string_view item, std::string_view sep = ", ") {
  if (!list.empty()) list += sep;
  list += item;
}

std::vector<std::string_view> connection_values(std::span<const hpack::Header> fields) {
  std::vector<std::string_view> values;
  for (const hpack::Header& f : fields) {
    if (f.name == "connection") values.push_back(f.value);
  }
  return values;
}

}  // namespace

bool is_hop_by_hop(std::string_view name, std::string_view value,
                   std::span<const std::string_view> connection) noexcept {
  if (name == "connection" || name == "keep-alive" || name == "transfer-encoding" || name == "upgrade" ||
      name == "http2-settings" || name.substr(0, 6) == "proxy-") {
    return true;
  }
  if (name == "te") return !equal_ci(trim(value), "trailers");
  return listed(connection, name);
}

Fields end_to_end_fields(std::span<const hpack::Header> fields, bool drop_host) {
  const std::vector<std::string_view> connection = connection_values(fields);
  Fields out;
  for (const hpack::Header& f : fields) {
    if (is_hop_by_hop(f.name, f.value, connection) || (drop_host && f.name == "host")) continue;
    out.emplace_back(std::string(f.name), std::string(f.value));
  }
  return out;
}

Fields forwardable_trailers(std::span<const hpack::Header> fields) {
  static constexpr std::string_view kForbidden[] = {"content-length",
                                                    "transfer-encoding",
                                                    "trailer",
                                                    "te",
                                                    "host",
                                                    "max-forwards",
                                                    "expect",
                                                    "range",
                                                    "cache-control",
                                                    "authorization",
                                                    "www-authenticate",
                                                    "proxy-authenticate",
                                                    "authentication-info",
                                                    "cookie",
                                                    "set-cookie",
                                                    "age",
                                                    "date",
                                                    "expires",
                                                    "location",
                                                    "retry-after",
                                                    "vary",
                                                    "content-encoding",
                                                    "content-type",
                                                    "content-range"};
  const std::vector<std::string_view> connection = connection_values(fields);
  Fields out;
  for (const hpack::Header& f : fields) {
    std::string name(f.name);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    if (name.empty() || name.front() == ':' || name.starts_with("if-")) continue;
    if (is_hop_by_hop(name, f.value, connection)) continue;
    if (std::find(std::begin(kForbidden), std::end(kForbidden), name) != std::end(kForbidden)) continue;
    out.emplace_back(std::move(name), std::string(f.value));
  }
  return out;
}

std::string via_value(std::string_view protocol) {
  std::string version(protocol.substr(0, 5) == "HTTP/" ? protocol.substr(5) : protocol);
  if (version == "2.0") version = "2";
  return version + " h2push";
}

std::string forwarded_element(const ClientSide& client) {
  std::string out;
  if (!client.address.empty()) {
    const bool v6 = client.address.find(':') != std::string_view::npos;
    std::string value = "for=";
    if (v6) {
      value += "\"[";
      value += client.address;
      value += "]\"";
    } else {
      value += quoted_unless_token(client.address);
    }
    add_item(out, value, ";");
  }
  if (!client.host.empty()) add_item(out, "host=" + quoted_unless_token(client.host), ";");
  if (!client.scheme.empty()) add_item(out, "proto=" + std::string(client.scheme), ";");
  return out;
}

Fields upstream_request_fields(std::span<const hpack::Header> client_fields, const ClientSide& client) {
  Fields out = end_to_end_fields(client_fields, true);
  std::string xff, forwarded, via;
  std::erase_if(out, [&](const auto& f) {
    std::string* joined = f.first == "x-forwarded-for" ? &xff
                          : f.first == "forwarded"     ? &forwarded
                          : f.first == "via"           ? &via
                                                       : nullptr;
    if (joined != nullptr) add_item(*joined, f.second);
    return joined != nullptr || f.first == "x-forwarded-proto" || f.first == "x-forwarded-host";
  });
  add_item(via, via_value(client.protocol));
  add_item(xff, client.address);
  add_item(forwarded, forwarded_element(client));
  out.emplace_back("via", std::move(via));
  out.emplace_back("x-forwarded-for", std::move(xff));
  out.emplace_back("x-forwarded-proto", std::string(client.scheme));
  if (!client.host.empty()) out.emplace_back("x-forwarded-host", std::string(client.host));
  out.emplace_back("forwarded", std::move(forwarded));
  return out;
}

Fields client_response_fields(std::span<const hpack::Header> upstream_fields, std::string_view upstream_protocol) {
  Fields out = end_to_end_fields(upstream_fields);
  std::string via;
  std::erase_if(out, [&](const auto& f) {
    if (f.first != "via") return false;
    add_item(via, f.second);
    return true;
  });
  add_item(via, via_value(upstream_protocol));
  out.emplace_back("via", std::move(via));
  return out;
}

std::string_view to_string(UpstreamError error) noexcept {
  switch (error) {
    case UpstreamError::connect_refused:
      return "connection refused";
    case UpstreamError::connect_timeout:
      return "connect timeout";
    case UpstreamError::response_timeout:
      return "response timeout";
    case UpstreamError::reset:
      return "connection reset";
    case UpstreamError::malformed:
      return "malformed response";
    case UpstreamError::too_large:
      return "response head too large";
    case UpstreamError::tls_failed:
      return "TLS handshake failed";
  }
  return "error";
}

int status_for(UpstreamError error) noexcept {
  return error == UpstreamError::connect_timeout || error == UpstreamError::response_timeout ? 504 : 502;
}

std::string_view field_value(std::span<const hpack::Header> fields, std::string_view name) noexcept {
  for (const hpack::Header& f : fields) {
    if (f.name == name) return f.value;
  }
  return {};
}

std::string joined_values(std::span<const hpack::Header> fields, std::string_view name) {
  std::string out;
  for (const hpack::Header& f : fields) {
    if (f.name != name) continue;
    if (!out.empty()) out += ", ";
    out += f.value;
  }
  return out;
}

std::uint64_t content_length_value(std::span<const hpack::Header> fields) noexcept {
  const std::string_view text = field_value(fields, "content-length");
  std::uint64_t n = 0;
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

}  // namespace h2push::proxy
