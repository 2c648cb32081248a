// src/server/config.hpp: the server's configuration, read from a TOML file (toml++) and overridden by flags.
//
// Every field has a default, so a default-constructed ServerConfig is a complete, valid configuration. A file only
// names what it changes; docs/configuration.md lists every key with its type, range and default.
//
//   auto config = load_config_file("h2push.toml", overrides);  // parse, apply flags, validate: all or nothing
//   if (!config) { std::fprintf(stderr, "h2push: %s\n", config.error().to_string().c_str()); return 2; }
//   http2::Connection conn(to_http2_options(*config));
//
// Errors are values: nothing here throws, and toml++'s exceptions are caught at the boundary and become a
// ConfigError naming the file, line and dotted key.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "h2push/http2/connection.hpp"
#include "h2push/result.hpp"

namespace h2push::server {

inline constexpr std::uint64_t kKiB = 1024;
inline constexpr std::uint64_t kMiB = 1024 * kKiB;
inline constexpr std::uint64_t kGiB = 1024 * kMiB;

// A listening address: "127.0.0.1:8080", "[::1]:443", "localhost:80", ":8080" (every interface).
struct Address {
  std::string host;        // IPv4 dotted quad, IPv6 without brackets, or a DNS name; "": every interface
  std::uint16_t port = 0;  // 0: the kernel picks a free port
  // The form parse_address() reads back: "127.0.0.1:8080", "[::1]:443", ":8080".
  std::string to_string() const;
  friend bool operator==(const Address&, const Address&) = default;
};

enum class TlsVersion : std::uint8_t { tls1_2, tls1_3 };                      // "1.2", "1.3"
enum class LogLevel : std::uint8_t { trace, debug, info, warn, error, off };  // "trace" ... "off"
enum class AccessLogFormat : std::uint8_t { combined, json };                 // Apache combined, or JSON lines
// "auto": push over HTTP/2 when the client allows it, else 103 Early Hints; "push": push only; "hints": 103 only;
// "off": neither.
enum class PushMode : std::uint8_t { automatic, push, hints, off };

// Where a log goes: "off", "stdout", "stderr" or a file path (to name a file "stdout", write "./stdout").
struct LogSink {
  enum class Kind : std::uint8_t { off, std_out, std_err, file };
  Kind kind = Kind::off;
  std::filesystem::path file;  // Kind::file only
  friend bool operator==(const LogSink&, const LogSink&) = default;
};

// [server]
struct GeneralConfig {
  std::filesystem::path root;                          // document root; empty: the built-in demo site
  std::uint32_t workers = 0;                           // worker threads, one event loop each; 0: one per CPU
  std::vector<Address> http = {{"127.0.0.1", 8080}};   // cleartext listeners: HTTP/1.1, and h2c if enabled
  std::vector<Address> https = {{"127.0.0.1", 8443}};  // TLS listeners (ALPN); without tls.cert/tls.key a
                                                       // self-signed certificate for localhost is made
  bool h2c = true;                                     // cleartext HTTP/2 with prior knowledge on the `http` listeners
  friend bool operator==(const GeneralConfig&, const GeneralConfig&) = default;
};

// [tls]
struct TlsConfig {
  std::filesystem::path cert;                          // PEM certificate chain, leaf first
  std::filesystem::path key;                           // PEM private key of the leaf certificate
  TlsVersion min_version = TlsVersion::tls1_2;         // oldest protocol version accepted
  std::vector<std::string> alpn = {"h2", "http/1.1"};  // protocols offered, in order of preference
  friend bool operator==(const TlsConfig&, const TlsConfig&) = default;
};

// [timeouts]
struct TimeoutConfig {
  std::chrono::milliseconds tls_handshake{10'000};   // accept to a finished TLS handshake
  std::chrono::milliseconds request_header{30'000};  // first byte of a request to its complete header section
  std::chrono::milliseconds idle{120'000};           // HTTP/2: no open stream for this long, GOAWAY and close
  std::chrono::milliseconds keep_alive{30'000};      // HTTP/1.1: wait for the next request; 0: close after one
  std::chrono::milliseconds settings_ack{10'000};    // HTTP/2: our SETTINGS unacknowledged, SETTINGS_TIMEOUT
  std::chrono::milliseconds send{60'000};            // no send progress for this long: HTTP/2 stream reset
                                                     // (window closed) or connection closed (socket stalled)
  std::chrono::milliseconds shutdown{30'000};        // graceful shutdown: then open connections are cut
  friend bool operator==(const TimeoutConfig&, const TimeoutConfig&) = default;
};

// [limits]. The HTTP/2 ones mirror http2::Options (include/h2push/http2/connection.hpp) and take its defaults.
struct LimitConfig {
  std::uint32_t max_connections = 10'000;        // open connections over all listeners; more are closed at once
  std::uint64_t output_buffer_size = 64 * kKiB;  // per connection: no more body is produced while this much output
                                                 // waits (a slow reader costs no memory); http2 output_budget
  std::uint64_t max_pending_output = http2::Options{}.max_pending_output;  // HTTP/2: output a peer forces us to
                                                                           // queue unread; then ENHANCE_YOUR_CALM
  // HTTP/1.1 requests. Over a limit: 414, 431 or 413, and the connection closes.
  std::uint32_t max_request_line = 8 * kKiB;           // method, target and version
  std::uint32_t max_request_header_bytes = 64 * kKiB;  // the whole header section
  std::uint32_t max_request_headers = 100;             // header fields
  std::uint64_t max_request_body = 1 * kMiB;           // both protocols: larger bodies get 413

  // HTTP/2 SETTINGS we advertise (RFC 9113 §6.5.2).
  std::uint32_t header_table_size = http2::Options{}.header_table_size;            // our HPACK decoder's table
  std::uint32_t max_concurrent_streams = http2::Options{}.max_concurrent_streams;  // streams a client may open
  std::uint32_t initial_window_size = http2::Options{}.initial_window_size;        // each stream's receive window
  std::uint32_t max_frame_size = http2::Options{}.max_frame_size;                  // largest payload we accept
  std::uint32_t max_header_list_size = http2::Options{}.max_header_list_size;      // over it: 431
  // The connection's receive window (raised by a WINDOW_UPDATE in our preface; not a SETTING).
  std::uint32_t connection_window_size = http2::Options{}.connection_window_size;
  std::uint32_t encoder_table_size = http2::Options{}.encoder_table_size;  // our HPACK encoder's table cap
  // HTTP/2 abuse budgets (SECURITY.md): past them GOAWAY(ENHANCE_YOUR_CALM).
  std::uint32_t max_continuation_frames = http2::Options{}.max_continuation_frames;  // per field block
  std::uint32_t max_field_block_size = http2::Options{}.max_field_block_size;        // compressed octets
  std::uint32_t max_settings_entries = http2::Options{}.max_settings_entries;        // per SETTINGS frame
  std::uint32_t max_reserved_streams = http2::Options{}.max_reserved_streams;        // client role only
  std::uint32_t max_closed_streams = http2::Options{}.max_closed_streams;            // remembered to judge late frames
  std::uint32_t reset_budget = http2::Options{}.reset_budget;                        // RST_STREAM burst (rapid reset)
  std::uint32_t resets_per_second = http2::Options{}.resets_per_second;              // its refill rate
  std::uint32_t glitch_budget = http2::Options{}.glitch_budget;              // burst of peer errors and useless frames
  std::uint32_t glitches_per_second = http2::Options{}.glitches_per_second;  // its refill rate
  friend bool operator==(const LimitConfig&, const LimitConfig&) = default;
};

// [static]
struct StaticConfig {
  std::vector<std::string> index = {"index.html"};           // file names tried for a directory, in order
  std::uint64_t file_cache_size = 32 * kMiB;                 // in-memory cache of small files; 0: off
  std::uint64_t file_cache_max_entry_size = 256 * kKiB;      // larger files are never cached
  std::chrono::milliseconds open_file_cache_validity{1000};  // opened files reused this long; 0: off
  std::uint32_t open_file_cache_entries = 1000;              // open files kept at most; 0: off
  friend bool operator==(const StaticConfig&, const StaticConfig&) = default;
};

// [cache]: the Cache-Control header of static responses. The longest matching path prefix wins, then the file
// extension, then `default_value`. An empty value sends no Cache-Control.
struct CacheConfig {
  std::string default_value = "no-cache";         // key "default"
  std::map<std::string, std::string> extensions;  // lowercase extension without the dot ("css", "tar.gz")
  std::map<std::string, std::string> paths;       // URL path prefix ("/assets/")
  friend bool operator==(const CacheConfig&, const CacheConfig&) = default;
};

// [compression]
struct CompressionConfig {
  bool enabled = true;                // compress responses on the fly
  bool gzip = true;                   // offer gzip
  bool brotli = true;                 // offer br (preferred when the client accepts both)
  std::uint32_t gzip_level = 6;       // 1 (fast) .. 9 (small)
  std::uint32_t brotli_level = 4;     // 0 (fast) .. 11 (small)
  std::uint64_t min_size = 1 * kKiB;  // smaller bodies are sent as they are
  std::vector<std::string> types = {  // media types worth compressing; "text/*" matches a whole type
      "text/html",        "text/css",        "text/plain",       "text/javascript", "application/javascript",
      "application/json", "application/xml", "application/wasm", "image/svg+xml"};
  bool precompressed = true;  // serve a "file.br" / "file.gz" sibling when the client accepts it
  friend bool operator==(const CompressionConfig&, const CompressionConfig&) = default;
};

// [logging]
struct LogConfig {
  LogSink access_log{LogSink::Kind::std_out, {}};             // one line per response
  AccessLogFormat access_format = AccessLogFormat::combined;  // Apache combined, or JSON lines
  LogSink error_log{LogSink::Kind::std_err, {}};              // startup, connection and protocol errors
  LogLevel level = LogLevel::info;                            // least severe error-log message written
  friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

// [[push.link]]: an asset a page needs, declared by hand (added to what discovery finds).
struct PushLink {
  std::string page;       // the page's path: exact ("/index.html") or a prefix ending in '*' ("/blog/*")
  std::string href;       // same-origin path of the asset ("/css/site.css")
  std::string as;         // request destination (style, script, font, ...); "": guessed from the extension
  bool critical = false;  // ranked before the others
  bool nopush = false;    // hint it (103 / Link) but never push it
  friend bool operator==(const PushLink&, const PushLink&) = default;
};

// [push]
struct PushConfig {
  PushMode mode = PushMode::automatic;      // for every page that no `paths` prefix matches
  std::map<std::string, PushMode> paths;    // mode by URL path prefix; the longest match wins over `mode`
  bool hints_h1 = true;                     // send 103 Early Hints to HTTP/1.1 clients too (never HTTP/1.0)
  std::uint32_t max_pushes = 16;            // per page: pushed responses
  std::uint64_t max_push_bytes = 1 * kMiB;  // per page: body bytes pushed
  std::chrono::milliseconds think_time{0};  // delay HTML responses (a slow backend) while hints and pushes flow
  std::filesystem::path manifest;           // TOML push manifest (docs/push.md); empty: none
  std::vector<PushLink> links;              // [[push.link]] tables
  friend bool operator==(const PushConfig&, const PushConfig&) = default;
};

// [[proxy]]: a reverse-proxy route (docs/proxy.md). Requests whose path starts with `prefix` (and whose host is
// `host`, when set) go to `upstream`; the longest prefix wins, a route naming the host beats one for any host.
struct ProxyRouteConfig {
  std::string prefix = "/";                             // URL path prefix, starts with '/'
  std::string host;                                     // empty: any host
  std::string upstream;                                 // "http://host:port", "https://..." or "h2c://...", required
  std::chrono::milliseconds connect_timeout{5'000};     // to the upstream: over it, 504
  std::chrono::milliseconds response_timeout{60'000};   // until the upstream's response head: over it, 504
  bool learn = true;                                    // learn pages' assets for push and Early Hints
  std::uint64_t max_learned_pages = 1024;               // pages remembered (least recently used dropped)
  std::uint64_t max_learned_assets = 16384;             // assets' validators and children remembered (LRU)
  std::filesystem::path static_root{};                  // pushed assets served from here; empty: from the upstream
  std::chrono::milliseconds pool_idle_timeout{60'000};  // idle keep-alive connections to the upstream: closed after
  std::uint64_t pool_max_idle = 1024;                   // idle keep-alive connections kept per worker (http://)
  bool upstream_tls_verify = true;                      // https://: verify the upstream's certificate and name
  std::filesystem::path upstream_ca_file{};             // https://: PEM bundle to verify with; empty: system store
  std::string upstream_sni{};                           // https://: name sent and verified; empty: the URL's host
  friend bool operator==(const ProxyRouteConfig&, const ProxyRouteConfig&) = default;
};

struct ServerConfig {
  GeneralConfig server;                 // [server]
  TlsConfig tls;                        // [tls]
  TimeoutConfig timeouts;               // [timeouts]
  LimitConfig limits;                   // [limits]
  StaticConfig static_files;            // [static]
  CacheConfig cache;                    // [cache]
  CompressionConfig compression;        // [compression]
  LogConfig logging;                    // [logging]
  PushConfig push;                      // [push]
  std::vector<ProxyRouteConfig> proxy;  // [[proxy]] routes; empty: no proxying
  friend bool operator==(const ServerConfig&, const ServerConfig&) = default;
};

struct ConfigError {
  std::string source;      // file name, "<string>" name, or the flag ("--workers"); may be empty
  std::uint32_t line = 0;  // 1-based; 0: not tied to a line
  std::string key;         // dotted key path ("limits.max_concurrent_streams"); empty: the file as a whole
  std::string message;     // what was expected and what was found
  // "h2push.toml:12: key 'limits.max_concurrent_streams': expected an integer between 1 and 2147483647, got "abc""
  std::string to_string() const;
};

// What the command line can set: `h2push serve [DIR] [--http A] [--https A] [--cert F --key F] [--workers N]
// [--push MODE] [--think-time T]`.
struct CliOverrides {
  std::optional<std::filesystem::path> root;            // DIR
  std::optional<Address> http;                          // --http: replaces server.http
  std::optional<Address> https;                         // --https: replaces server.https
  std::optional<std::filesystem::path> cert;            // --cert
  std::optional<std::filesystem::path> key;             // --key
  std::optional<std::uint32_t> workers;                 // --workers
  std::optional<PushMode> push;                         // --push: replaces push.mode and clears push.paths
  std::optional<std::chrono::milliseconds> think_time;  // --think-time: push.think_time
};

// Reads, parses and validates a file; relative paths in it (root, cert, key, log files, manifest) are resolved
// against the file's directory. Fails on an unreadable file, a TOML syntax error, an unknown key, a wrong type, an
// out-of-range value or an invalid combination; the error names the line and key. With `overrides`, they are
// applied before validation, so flags may complete a file (e.g. --cert and --key for its https listener).
[[nodiscard]] Result<ServerConfig, ConfigError> load_config_file(const std::filesystem::path& path);
[[nodiscard]] Result<ServerConfig, ConfigError> load_config_file(const std::filesystem::path& path,
                                                                 const CliOverrides& overrides);
// Reads a configuration-sized text file (at most 4 MiB) for `what` ("the file", "the push manifest"), which names it
// in errors: "cannot open the push manifest: No such file or directory".
[[nodiscard]] Result<std::string, ConfigError> read_config_text(const std::filesystem::path& path,
                                                                std::string_view what);
// The same for text in memory; `source_name` prefixes messages; relative paths are kept as written.
[[nodiscard]] Result<ServerConfig, ConfigError> load_config_string(std::string_view text,
                                                                   std::string_view source_name = "<string>");

// Range and consistency checks that also apply after command-line overrides: every numeric field in range, at
// least one listener, HTTPS with both cert and key, a cert with its key, valid header values and path prefixes.
// The error names the key; source and line are empty.
[[nodiscard]] Status<ConfigError> validate(const ServerConfig& config);
// Applies the flags, then validate(). An error caused by a flag has that flag as its source ("--workers").
[[nodiscard]] Status<ConfigError> apply_overrides(ServerConfig& config, const CliOverrides& overrides);

// The HTTP/2 core's options for a server connection (limits, SETTINGS, settings timeout).
http2::Options to_http2_options(const ServerConfig& config);

// The Cache-Control value for a URL path ("" when none is to be sent), and the push mode for a page.
std::string_view cache_control_for(const CacheConfig& cache, std::string_view path);
PushMode push_mode_for(const PushConfig& push, std::string_view path);

// The whole configuration as a TOML file that load_config_string() reads back equal (`h2push config --print`).
std::string to_toml(const ServerConfig& config);
// Every key load_config_*() accepts, dotted ("limits.max_frame_size"), in documentation order; and one field's
// value in TOML syntax ("100", "\"64KiB\"", "[\"h2\", \"http/1.1\"]"), or nullopt for an unknown key.
std::vector<std::string> config_keys();
std::optional<std::string> format_config_value(const ServerConfig& config, std::string_view key);

// Value syntax, shared with the command line. Errors are a short reason ("unknown unit \"sec\"").
// Durations: "200ms", "2s", "1m", "1h", "1m30s". Sizes: 65536, "512B", "64KiB", "1MiB", "1GiB", "10KB" (1000s).
[[nodiscard]] Result<std::chrono::milliseconds, std::string> parse_duration(std::string_view text);
[[nodiscard]] Result<std::uint64_t, std::string> parse_size(std::string_view text);
[[nodiscard]] Result<Address, std::string> parse_address(std::string_view text);
[[nodiscard]] Result<PushMode, std::string> parse_push_mode(std::string_view text);  // "auto", "push", ...
std::string format_duration(std::chrono::milliseconds value);                        // "200ms", "2s", "2m", "1h"
std::string format_size(std::uint64_t value);                                        // "64KiB", "1MiB", "65535"

std::string_view to_string(TlsVersion value) noexcept;
std::string_view to_string(LogLevel value) noexcept;
std::string_view to_string(AccessLogFormat value) noexcept;
std::string_view to_string(PushMode value) noexcept;
std::string to_string(const LogSink& sink);  // "off", "stdout", "stderr" or the path

}  // namespace h2push::server
