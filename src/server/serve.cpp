// src/server/serve.cpp
#include "server/serve.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <limits>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include "push/site_plan.hpp"
#include "server/demo_site.hpp"
#include "server/push_manifest.hpp"
#include "server/push_policy.hpp"
#include "server/server.hpp"
#include "server/site_handler.hpp"
#include "server/site_source.hpp"
#include "server/static_files.hpp"

namespace h2push::server {
namespace {

// A quarter of RLIMIT_NOFILE's soft limit (no bound when it is unlimited or unknown).
std::size_t open_file_cache_fd_share() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return std::numeric_limits<std::size_t>::max();
  return static_cast<std::size_t>(limit.rlim_cur / 4);
}

StaticOptions static_options(const ServerConfig& config, const std::filesystem::path& root) {
  StaticOptions o;
  o.root = root.string();
  o.index = config.static_files.index.empty() ? std::string() : config.static_files.index.front();
  o.cache_control = config.cache.default_value;
  // Longest path prefix first, then extensions (StaticFiles takes the first matching rule).
  std::vector<std::pair<std::string, std::string>> paths(config.cache.paths.begin(), config.cache.paths.end());
  std::sort(paths.begin(), paths.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (const auto& [prefix, value] : paths) o.cache_control_rules.push_back({prefix, value});
  for (const auto& [extension, value] : config.cache.extensions)
    o.cache_control_rules.push_back({"." + extension, value});
  const CompressionConfig& c = config.compression;
  o.gzip = c.enabled && c.gzip;
  o.brotli = c.enabled && c.brotli;
  o.gzip_level = static_cast<int>(c.gzip_level);
  o.brotli_quality = static_cast<int>(c.brotli_level);
  o.compress_min_size = c.min_size;
  o.precompressed = c.precompressed;
  o.cache_max_total = config.static_files.file_cache_size;
  o.cache_max_entry = config.static_files.file_cache_max_entry_size;
  o.open_file_cache_validity = config.static_files.open_file_cache_validity;
  // Each entry holds a descriptor, and each worker has its own cache (SiteHandler): all of them together hold at
  // most a quarter of the process's limit, so that sockets always have room.
  o.open_file_cache_entries = std::min<std::size_t>(config.static_files.open_file_cache_entries,
                                                    open_file_cache_fd_share() / worker_count(config.server.workers));
  return o;
}

}  // namespace

std::string log_destination(const LogSink& sink) {
  switch (sink.kind) {
    case LogSink::Kind::off:
      return "off";
    case LogSink::Kind::std_out:
      return "stdout";
    case LogSink::Kind::std_err:
      return "stderr";
    case LogSink::Kind::file:
      return sink.file.string();
  }
  return "off";
}

SessionLimits session_limits(const ServerConfig& config) {
  SessionLimits l;
  const TimeoutConfig& t = config.timeouts;
  l.tls_handshake_timeout = t.tls_handshake;
  l.request_header_timeout = t.request_header;
  l.idle_timeout = t.idle;
  l.keep_alive_timeout = t.keep_alive;
  l.shutdown_deadline = t.shutdown;
  l.send_timeout = t.send;
  l.max_connections = config.limits.max_connections;
  l.http2 = to_http2_options(config);
  l.h2c = config.server.h2c;
  const LimitConfig& m = config.limits;
  l.http1.max_request_line = m.max_request_line;
  l.http1.max_field_section = m.max_request_header_bytes;
  l.http1.max_fields = m.max_request_headers;
  l.http1.max_body_size = m.max_request_body;
  l.http1.output_budget = m.output_buffer_size;
  return l;
}

Result<std::unique_ptr<Server>, std::string> start_server(const ServerConfig& config,
                                                          const std::filesystem::path& run_dir) {
  std::filesystem::path root = config.server.root;
  if (root.empty()) {
    auto extracted = extract_demo_site(run_dir / "demo");
    if (!extracted) return Unexpected{"cannot unpack the demo site: " + extracted.error()};
    root = *extracted;
  }
  StaticOptions file_options = static_options(config, root);
  if (config.server.root.empty()) {
    file_options.default_type = "text/plain; charset=utf-8";  // the demo's /hello
    // Browsers keep Early Hints preloads in their HTTP cache and use them only while fresh there: with the
    // default `no-cache` they would revalidate every hinted asset. The demo's assets get ten minutes unless the
    // configuration says otherwise (docs/push.md, "Caching and Early Hints").
    if (config.cache.extensions.empty()) {
      for (const char* extension : {".css", ".js", ".mjs", ".woff", ".woff2", ".png", ".svg", ".ico", ".json"}) {
        file_options.cache_control_rules.push_back({extension, "max-age=600"});
      }
    }
  }
  auto files = std::make_shared<StaticFiles>(std::move(file_options));
  if (!files->ready()) return Unexpected{"cannot serve " + root.string() + ": " + files->error()};

  ServerOptions options;
  for (const Address& a : config.server.http) options.http.push_back({a.host.empty() ? "0.0.0.0" : a.host, a.port});
  for (const Address& a : config.server.https) options.https.push_back({a.host.empty() ? "0.0.0.0" : a.host, a.port});
  options.cert_file = config.tls.cert;
  options.key_file = config.tls.key;
  options.state_dir = run_dir / "tls";
  options.tls_min_version = config.tls.min_version;
  options.alpn = config.tls.alpn;
  options.workers = config.server.workers;
  options.limits = session_limits(config);
  options.make_handler = [files] { return std::make_unique<SiteHandler>(files); };
  if (config.push.mode != PushMode::off || !config.push.paths.empty()) {
    auto manifest = load_push_manifest(config.push);
    if (!manifest) return Unexpected{manifest.error()};
    auto planner = std::make_shared<push::SitePlanner>(std::make_shared<StaticSiteSource>(files), push::PlanOptions{},
                                                       std::move(*manifest));
    options.push = std::make_shared<PushPolicy>(plans_of(std::move(planner)), config.push);
  }
  options.access_log = log_destination(config.logging.access_log);
  options.access_log_format = config.logging.access_format;
  options.error_log = log_destination(config.logging.error_log);
  options.error_log_level = config.logging.level;

  return Server::start(std::move(options));
}

int serve(const ServerConfig& config, std::FILE* out) {
  // A peer that closes while we write must cost an error code, never the process (Asio sends with MSG_NOSIGNAL,
  // but OpenSSL or a future write path might not).
  std::signal(SIGPIPE, SIG_IGN);
  const std::filesystem::path run_dir = std::filesystem::temp_directory_path() /
                                        ("h2push-" + std::to_string(::getuid()) + "-" + std::to_string(::getpid()));
  auto server = start_server(config, run_dir);
  if (!server) {
    std::fprintf(stderr, "h2push: %s\n", server.error().c_str());
    return 1;
  }
  if (config.server.root.empty()) std::fprintf(out, "serving the built-in demo site\n");
  for (const std::string& line : (*server)->describe_listeners()) std::fprintf(out, "%s\n", line.c_str());
  if (!config.server.https.empty() && config.tls.cert.empty()) {
    std::fprintf(out, "self-signed certificate: %s\n", (*server)->cert_file().c_str());
  }
  std::fflush(out);

  asio::io_context signals_context;
  asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  signals.async_wait([&](std::error_code, int) { (*server)->shut_down(); });
  signals_context.run();
  (*server)->wait();
  const PushTotals totals = (*server)->push_totals();
  if (totals.pushes != 0 || totals.hints != 0) {
    std::fprintf(out,
                 "push: %llu responses pushed (%llu octets), %llu refused (%llu octets sent before the reset), "
                 "%llu early hints\n",
                 static_cast<unsigned long long>(totals.pushes), static_cast<unsigned long long>(totals.pushed_bytes),
                 static_cast<unsigned long long>(totals.refused), static_cast<unsigned long long>(totals.refused_bytes),
                 static_cast<unsigned long long>(totals.hints));
    std::fflush(out);
  }
  std::error_code ignored;
  std::filesystem::remove_all(run_dir, ignored);
  return 0;
}

}  // namespace h2push::server
