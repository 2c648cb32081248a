// src/server/config.cpp: validation, command-line overrides, and the views other modules take of the configuration
// (HTTP/2 options, Cache-Control and push mode by path, the TOML dump).
#include "server/config.hpp"

#include <algorithm>
#include <string>
#include <type_traits>
#include <utility>

#include "proxy/routes.hpp"
#include "server/config_schema.hpp"

namespace h2push::server {
namespace {

using detail::Field;
using detail::Kind;

Unexpected<ConfigError> fail(std::string key, std::string message) {
  return Unexpected{ConfigError{{}, 0, std::move(key), std::move(message)}};
}

std::string item(std::string_view base, std::size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}
std::string entry(std::string_view base, std::string_view name) {
  return std::string(base) + "." + detail::key_segment(name);
}

// A field value: visible ASCII, spaces and tabs (RFC 9110 §5.5); no CR, LF or other controls.
bool valid_header_value(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte == '\t' || (byte >= 0x20 && byte != 0x7f);
  });
}

// A field value the server sends as it is (cache.*): valid_header_value() and, as RFC 9113 §8.2.1 asks, no space or
// tab at either end. Responses carrying it skip HTTP/2's field check (http2::FieldCheck::trusted).
bool valid_sent_value(std::string_view value) {
  const auto edge = [](char c) { return c == ' ' || c == '\t'; };
  return valid_header_value(value) && (value.empty() || (!edge(value.front()) && !edge(value.back())));
}

// RFC 9110 §5.6.2 tchar.
bool valid_token(std::string_view text) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || kExtra.find(c) != std::string_view::npos;
  });
}

// A same-origin URL path that can sit in a Link header between '<' and '>' and in a list.
bool valid_link_path(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.starts_with("//")) return false;
  return std::all_of(path.begin(), path.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f && std::string_view("<>\",;\\").find(c) == std::string_view::npos;
  });
}

bool valid_path_prefix(std::string_view prefix) { return valid_link_path(prefix); }

Status<ConfigError> check_ranges(const ServerConfig& config) {
  ServerConfig copy = config;  // the field table hands out mutable pointers
  for (const Field& field : detail::fields()) {
    if (field.kind != Kind::integer && field.kind != Kind::size && field.kind != Kind::duration) continue;
    const auto value = std::visit(
        [](auto* target) -> std::optional<std::uint64_t> {
          using T = std::remove_pointer_t<decltype(target)>;
          if constexpr (std::is_same_v<T, std::uint32_t> || std::is_same_v<T, std::uint64_t>) return *target;
          if constexpr (std::is_same_v<T, std::chrono::milliseconds>) {
            if (target->count() < 0) return std::nullopt;
            return static_cast<std::uint64_t>(target->count());
          }
          return std::nullopt;
        },
        field.target(copy));
    if (!value || !detail::in_range(field, *value)) {
      const std::string shown = value ? detail::format_value(field, copy) : "a negative duration";
      return fail(std::string(field.key), "expected " + detail::expectation(field) + ", got " + shown);
    }
  }
  return {};
}

Status<ConfigError> check_listeners(const ServerConfig& config) {
  const GeneralConfig& server = config.server;
  if (server.http.empty() && server.https.empty()) {
    return fail("server.http", "no listener: set server.http or server.https (or --http / --https)");
  }
  std::vector<Address> seen;
  for (const auto& [key, list] : {std::pair{"server.http", &server.http}, std::pair{"server.https", &server.https}}) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Address& address = (*list)[i];
      auto reparsed = parse_address(address.to_string());
      if (!reparsed || !(*reparsed == address)) {
        return fail(item(key, i), "invalid address \"" + address.to_string() + "\"" +
                                      (reparsed ? std::string() : ": " + reparsed.error()));
      }
      if (address.port != 0 && std::find(seen.begin(), seen.end(), address) != seen.end()) {
        return fail(item(key, i), "\"" + address.to_string() + "\" is already a listener");
      }
      seen.push_back(address);
    }
  }
  const TlsConfig& tls = config.tls;
  if (!tls.cert.empty() && tls.key.empty()) return fail("tls.cert", "tls.key is missing: a certificate needs its key");
  if (tls.cert.empty() && !tls.key.empty()) return fail("tls.key", "tls.cert is missing: a key needs its certificate");
  if (server.https.empty() && !tls.cert.empty()) {
    return fail("tls.cert", "a certificate is set but there is no HTTPS listener: add server.https (or --https)");
  }
  if (tls.alpn.empty()) return fail("tls.alpn", "expected at least one of \"h2\" and \"http/1.1\"");
  for (std::size_t i = 0; i < tls.alpn.size(); ++i) {
    if (tls.alpn[i] != "h2" && tls.alpn[i] != "http/1.1") {
      return fail(item("tls.alpn", i), "expected \"h2\" or \"http/1.1\", got " + detail::quote(tls.alpn[i]));
    }
    if (std::find(tls.alpn.begin(), tls.alpn.begin() + static_cast<std::ptrdiff_t>(i), tls.alpn[i]) !=
        tls.alpn.begin() + static_cast<std::ptrdiff_t>(i)) {
      return fail(item("tls.alpn", i), detail::quote(tls.alpn[i]) + " is listed twice");
    }
  }
  return {};
}

Status<ConfigError> check_static(const ServerConfig& config) {
  const StaticConfig& files = config.static_files;
  for (std::size_t i = 0; i < files.index.size(); ++i) {
    const std::string& name = files.index[i];
    if (name.empty() || name == "." || name == ".." || name.find_first_of("/\\") != std::string::npos ||
        name.find('\0') != std::string::npos) {
      return fail(item("static.index", i), "expected a file name without '/', got " + detail::quote(name));
    }
  }
  if (files.file_cache_size != 0 && files.file_cache_max_entry_size > files.file_cache_size) {
    return fail("static.file_cache_max_entry_size",
                "is larger than static.file_cache_size (" + format_size(files.file_cache_size) + ")");
  }
  const CacheConfig& cache = config.cache;
  const std::string bad_value = "expected a header value without control characters or edge whitespace, got ";
  if (!valid_sent_value(cache.default_value))
    return fail("cache.default", bad_value + detail::quote(cache.default_value));
  for (const auto& [extension, value] : cache.extensions) {
    const std::string key = entry("cache.extensions", extension);
    const bool lowercase =
        std::none_of(extension.begin(), extension.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (extension.empty() || extension.front() == '.' || extension.back() == '.' || !lowercase ||
        extension.find_first_of("/\\ *") != std::string::npos) {
      return fail(key, "expected a file extension such as \"css\" or \"tar.gz\"");
    }
    if (!valid_sent_value(value)) return fail(key, bad_value + detail::quote(value));
  }
  for (const auto& [prefix, value] : cache.paths) {
    const std::string key = entry("cache.paths", prefix);
    if (!valid_path_prefix(prefix))
      return fail(key, "expected a URL path prefix starting with '/', such as \"/assets/\"");
    if (!valid_sent_value(value)) return fail(key, bad_value + detail::quote(value));
  }
  const CompressionConfig& compression = config.compression;
  if (compression.enabled && !compression.gzip && !compression.brotli) {
    return fail("compression.enabled",
                "on-the-fly compression is on but compression.gzip and compression.brotli are both false");
  }
  for (std::size_t i = 0; i < compression.types.size(); ++i) {
    const std::string& type = compression.types[i];
    const std::size_t slash = type.find('/');
    const bool valid = slash != std::string::npos && valid_token(type.substr(0, slash)) && type.front() != '*' &&
                       valid_token(type.substr(slash + 1));
    if (!valid) {
      return fail(item("compression.types", i),
                  "expected a lowercase media type such as \"text/css\" or \"text/*\", got " + detail::quote(type));
    }
  }
  return {};
}

Status<ConfigError> check_logging_and_push(const ServerConfig& config) {
  for (const auto& [key, sink] : {std::pair{"logging.access_log", &config.logging.access_log},
                                  std::pair{"logging.error_log", &config.logging.error_log}}) {
    if (sink->kind == LogSink::Kind::file && sink->file.empty()) return fail(key, "the log file's path is empty");
  }
  const PushConfig& push = config.push;
  for (const auto& [prefix, mode] : push.paths) {
    if (!valid_path_prefix(prefix)) {
      return fail(entry("push.paths", prefix), "expected a URL path prefix starting with '/', such as \"/blog/\"");
    }
  }
  for (std::size_t i = 0; i < push.links.size(); ++i) {
    const PushLink& link = push.links[i];
    const std::string base = item("push.link", i);
    const std::string_view page = link.page;
    const std::size_t star = page.find('*');
    if (!valid_link_path(page) || (star != std::string_view::npos && star + 1 != page.size())) {
      return fail(base + ".page",
                  "expected a page path such as \"/index.html\" or \"/blog/*\", got " + detail::quote(page));
    }
    if (!valid_link_path(link.href) || link.href.find('*') != std::string::npos) {
      return fail(base + ".href",
                  "expected a same-origin path such as \"/css/site.css\", got " + detail::quote(link.href));
    }
    if (!link.as.empty() &&
        std::find(detail::kDestinations.begin(), detail::kDestinations.end(), link.as) == detail::kDestinations.end()) {
      return fail(base + ".as", "expected \"\" or one of " + detail::list_choices(detail::kDestinations) + ", got " +
                                    detail::quote(link.as));
    }
  }
  return {};
}

Status<ConfigError> check_limits(const ServerConfig& config) {
  const LimitConfig& limits = config.limits;
  // The HTTP/2 core cuts DATA while less than output_buffer_size waits, so one frame may overshoot it.
  if (limits.max_pending_output < limits.output_buffer_size + 16 * kKiB) {
    return fail("limits.max_pending_output", "must be at least limits.output_buffer_size + 16KiB (" +
                                                 format_size(limits.output_buffer_size + 16 * kKiB) + ")");
  }
  return {};
}

// The longest key of `map` that `path` starts with.
template <class Map>
typename Map::const_iterator longest_prefix(const Map& map, std::string_view path) {
  auto best = map.end();
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (path.starts_with(it->first) && (best == map.end() || it->first.size() > best->first.size())) best = it;
  }
  return best;
}

bool ends_with_ignoring_case(std::string_view text, std::string_view suffix) {
  if (suffix.size() > text.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), text.end() - static_cast<std::ptrdiff_t>(suffix.size()),
                    [](char a, char b) {
                      auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
                      return lower(a) == lower(b);
                    });
}

// [[proxy]] TLS keys: only for https:// upstreams; a readable CA file; a host name (or address) for SNI.
Status<ConfigError> check_proxy_tls(const ProxyRouteConfig& route, bool tls, const std::string& base) {
  const bool set = !route.upstream_tls_verify || !route.upstream_ca_file.empty() || !route.upstream_sni.empty();
  if (set && !tls) {
    const std::string key = !route.upstream_tls_verify        ? "upstream_tls_verify"
                            : !route.upstream_ca_file.empty() ? "upstream_ca_file"
                                                              : "upstream_sni";
    return fail(base + "." + key,
                "only applies to an https:// or h2s:// upstream, got " + detail::quote(route.upstream));
  }
  std::error_code ec;
  if (!route.upstream_ca_file.empty() && !std::filesystem::is_regular_file(route.upstream_ca_file, ec)) {
    return fail(base + ".upstream_ca_file", "expected a PEM file of CA certificates, no such file: " +
                                                detail::quote(route.upstream_ca_file.string()));
  }
  const std::string& sni = route.upstream_sni;
  const bool bad_sni =
      sni.size() > 253 ||
      sni.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.:") != std::string::npos;
  if (bad_sni)
    return fail(base + ".upstream_sni", "expected a host name such as \"app.internal\", got " + detail::quote(sni));
  return {};
}

// [[proxy]] routes: a path prefix, a valid upstream URL, no two routes for the same host and prefix.
Status<ConfigError> check_proxy(const ServerConfig& config) {
  for (std::size_t i = 0; i < config.proxy.size(); ++i) {
    const ProxyRouteConfig& route = config.proxy[i];
    const std::string base = item("proxy", i);
    if (route.prefix.empty() || route.prefix.front() != '/' || !valid_header_value(route.prefix) ||
        route.prefix.find_first_of(" ?#") != std::string::npos) {
      return fail(base + ".prefix", "expected a URL path prefix starting with '/', got " + detail::quote(route.prefix));
    }
    if (route.host.find_first_of(" /\t") != std::string::npos || !valid_header_value(route.host)) {
      return fail(base + ".host", "expected a host name such as \"www.example.com\", got " + detail::quote(route.host));
    }
    auto upstream = proxy::parse_upstream_url(route.upstream);
    if (!upstream) return fail(base + ".upstream", upstream.error() + ", got " + detail::quote(route.upstream));
    if (Status<ConfigError> tls = check_proxy_tls(route, upstream->tls, base); !tls) return tls;
    for (std::size_t j = 0; j < i; ++j) {
      if (config.proxy[j].prefix == route.prefix && config.proxy[j].host == route.host) {
        return fail(base + ".prefix", "the same prefix and host as " + item("proxy", j));
      }
    }
  }
  return {};
}

}  // namespace

namespace detail {

Status<ConfigError> validate_content(const ServerConfig& config) {
  for (auto check : {check_listeners, check_limits, check_static, check_logging_and_push, check_proxy}) {
    if (Status<ConfigError> status = check(config); !status) return status;
  }
  return {};
}

}  // namespace detail

Status<ConfigError> validate(const ServerConfig& config) {
  if (Status<ConfigError> status = check_ranges(config); !status) return status;
  return detail::validate_content(config);
}

Status<ConfigError> apply_overrides(ServerConfig& config, const CliOverrides& overrides) {
  ServerConfig candidate = config;  // all or nothing: `config` changes only when the result is valid
  if (overrides.root) candidate.server.root = *overrides.root;
  if (overrides.http) candidate.server.http = {*overrides.http};
  if (overrides.https) candidate.server.https = {*overrides.https};
  if (overrides.cert) candidate.tls.cert = *overrides.cert;
  if (overrides.key) candidate.tls.key = *overrides.key;
  if (overrides.workers) candidate.server.workers = *overrides.workers;
  if (overrides.push) {
    candidate.push.mode = *overrides.push;
    candidate.push.paths.clear();
  }
  if (overrides.think_time) candidate.push.think_time = *overrides.think_time;
  Status<ConfigError> status = validate(candidate);
  if (!status) {
    ConfigError error = status.error();
    const std::string& key = error.key;
    auto is = [&](std::string_view name) { return key == name || key.starts_with(std::string(name) + "["); };
    if (is("server.http") && overrides.http) error.source = "--http";
    if (is("server.https") && overrides.https) error.source = "--https";
    if (is("tls.cert") && overrides.cert) error.source = "--cert";
    if (is("tls.key") && overrides.key) error.source = "--key";
    if (is("server.workers") && overrides.workers) error.source = "--workers";
    if (is("push.think_time") && overrides.think_time) error.source = "--think-time";
    return Unexpected{std::move(error)};
  }
  config = std::move(candidate);
  return {};
}

http2::Options to_http2_options(const ServerConfig& config) {
  const LimitConfig& limits = config.limits;
  http2::Options options;  // server role; push is never advertised by a server; automatic WINDOW_UPDATEs
  options.role = http2::Role::server;
  options.header_table_size = limits.header_table_size;
  options.max_concurrent_streams = limits.max_concurrent_streams;
  options.initial_window_size = limits.initial_window_size;
  options.max_frame_size = limits.max_frame_size;
  options.max_header_list_size = limits.max_header_list_size;
  options.connection_window_size = limits.connection_window_size;
  options.encoder_table_size = limits.encoder_table_size;
  options.max_continuation_frames = limits.max_continuation_frames;
  options.max_field_block_size = limits.max_field_block_size;
  options.max_settings_entries = limits.max_settings_entries;
  options.max_reserved_streams = limits.max_reserved_streams;
  options.max_closed_streams = limits.max_closed_streams;
  options.reset_budget = limits.reset_budget;
  options.resets_per_second = limits.resets_per_second;
  options.glitch_budget = limits.glitch_budget;
  options.glitches_per_second = limits.glitches_per_second;
  options.output_budget = static_cast<std::size_t>(limits.output_buffer_size);
  options.max_pending_output = static_cast<std::size_t>(limits.max_pending_output);
  options.settings_timeout_ns = static_cast<std::int64_t>(config.timeouts.settings_ack.count()) * 1'000'000;
  return options;
}

std::string_view cache_control_for(const CacheConfig& cache, std::string_view path) {
  if (const auto it = longest_prefix(cache.paths, path); it != cache.paths.end()) return it->second;
  const std::string_view name = path.substr(path.rfind('/') + 1);  // npos + 1 == 0: the whole path
  const std::string* best = nullptr;
  std::size_t best_length = 0;
  for (const auto& [extension, value] : cache.extensions) {
    if (extension.size() + 1 > name.size() || extension.size() <= best_length) continue;
    if (name[name.size() - extension.size() - 1] == '.' && ends_with_ignoring_case(name, extension)) {
      best = &value;
      best_length = extension.size();
    }
  }
  return best ? std::string_view(*best) : std::string_view(cache.default_value);
}

Result<PushMode, std::string> parse_push_mode(std::string_view text) {
  for (const PushMode mode : {PushMode::automatic, PushMode::push, PushMode::hints, PushMode::off}) {
    if (text == to_string(mode)) return mode;
  }
  return Unexpected{"expected \"auto\", \"push\", \"hints\" or \"off\", got \"" + std::string(text) + "\""};
}

PushMode push_mode_for(const PushConfig& push, std::string_view path) {
  const auto it = longest_prefix(push.paths, path);
  return it == push.paths.end() ? push.mode : it->second;
}

std::string to_toml(const ServerConfig& config) {
  ServerConfig copy = config;
  std::string out = "# h2push configuration: every key with its value (docs/configuration.md)\n";
  std::string_view section;
  for (const Field& field : detail::fields()) {
    if (field.section() != section) {
      section = field.section();
      out += "\n[" + std::string(section) + "]\n";
    }
    out += std::string(field.name()) + " = " + detail::format_value(field, copy) + "\n";
  }
  for (const ProxyRouteConfig& route : config.proxy) {
    out += "\n[[proxy]]\nprefix = " + detail::quote(route.prefix) + "\nhost = " + detail::quote(route.host) +
           "\nupstream = " + detail::quote(route.upstream) +
           "\nconnect_timeout = " + detail::quote(format_duration(route.connect_timeout)) +
           "\nresponse_timeout = " + detail::quote(format_duration(route.response_timeout)) +
           "\nlearn = " + (route.learn ? "true" : "false") +
           "\nmax_learned_pages = " + std::to_string(route.max_learned_pages) +
           "\nmax_learned_assets = " + std::to_string(route.max_learned_assets) +
           "\nstatic_root = " + detail::quote(route.static_root.string()) +
           "\npool_idle_timeout = " + detail::quote(format_duration(route.pool_idle_timeout)) +
           "\npool_max_idle = " + std::to_string(route.pool_max_idle) +
           "\nupstream_tls_verify = " + (route.upstream_tls_verify ? "true" : "false") +
           "\nupstream_ca_file = " + detail::quote(route.upstream_ca_file.string()) +
           "\nupstream_sni = " + detail::quote(route.upstream_sni) + "\n";
  }
  return out;
}

std::vector<std::string> config_keys() {
  std::vector<std::string> keys;
  for (const Field& field : detail::fields()) keys.emplace_back(field.key);
  return keys;
}

std::optional<std::string> format_config_value(const ServerConfig& config, std::string_view key) {
  const Field* field = detail::find_field(key);
  if (field == nullptr) return std::nullopt;
  ServerConfig copy = config;
  return detail::format_value(*field, copy);
}

}  // namespace h2push::server
