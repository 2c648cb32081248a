// h2push command line: a thin CLI11 front end over the library (STYLE.md §2): flags -> config -> one call -> exit
// code (0 ok, 1 runtime error, 2 usage or configuration error).
#include <cstdio>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/discover.hpp"
#include "cli/get.hpp"
#include "cli/pageload.hpp"
#include "cli/proxy.hpp"
#include "cli/relay.hpp"
#include "client/get.hpp"
#include "h2push/version.hpp"
#include "server/config.hpp"
#include "server/serve.hpp"

namespace {

struct ServeFlags {
  std::string dir;
  std::string config;
  std::string http;
  std::string https;
  std::string cert;
  std::string key;
  std::optional<std::uint32_t> workers;
  std::string push;
  std::string think_time;
};

int run_serve(const ServeFlags& flags) {
  using namespace h2push::server;
  CliOverrides overrides;
  if (!flags.dir.empty()) overrides.root = flags.dir;
  auto address = [](const std::string& text, const char* flag) -> std::optional<Address> {
    auto parsed = parse_address(text);
    if (!parsed) {
      std::fprintf(stderr, "h2push: %s: %s\n", flag, parsed.error().c_str());
      return std::nullopt;
    }
    return *parsed;
  };
  if (!flags.http.empty()) {
    overrides.http = address(flags.http, "--http");
    if (!overrides.http) return 2;
  }
  if (!flags.https.empty()) {
    overrides.https = address(flags.https, "--https");
    if (!overrides.https) return 2;
  }
  if (!flags.cert.empty()) overrides.cert = flags.cert;
  if (!flags.key.empty()) overrides.key = flags.key;
  overrides.workers = flags.workers;
  if (!flags.push.empty()) {
    auto mode = parse_push_mode(flags.push);
    if (!mode) {
      std::fprintf(stderr, "h2push: --push: %s\n", mode.error().c_str());
      return 2;
    }
    overrides.push = *mode;
  }
  if (!flags.think_time.empty()) {
    auto delay = parse_duration(flags.think_time);
    if (!delay) {
      std::fprintf(stderr, "h2push: --think-time: %s\n", delay.error().c_str());
      return 2;
    }
    overrides.think_time = *delay;
  }

  std::optional<ServerConfig> config;
  if (!flags.config.empty()) {
    auto loaded = load_config_file(flags.config, overrides);
    if (!loaded) {
      std::fprintf(stderr, "h2push: %s\n", loaded.error().to_string().c_str());
      return 2;
    }
    config = std::move(*loaded);
  } else {
    config.emplace();
    if (auto applied = apply_overrides(*config, overrides); !applied) {
      std::fprintf(stderr, "h2push: %s\n", applied.error().to_string().c_str());
      return 2;
    }
  }
  return serve(*config, stdout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "h2push: an HTTP/2 server, client and library that gets a page's resources to the client before it asks.",
      "h2push"};
  app.set_version_flag("--version", std::string("h2push ") + std::string(h2push::version()));
  app.require_subcommand(0, 1);

  ServeFlags serve;
  CLI::App* serve_cmd =
      app.add_subcommand("serve", "Serve a directory (or the built-in demo site) over h2, h2c and HTTP/1.1");
  serve_cmd->add_option("DIR", serve.dir, "Document root (default: the built-in demo site)");
  serve_cmd->add_option("--config", serve.config, "TOML configuration file (docs/configuration.md)");
  serve_cmd->add_option("--http", serve.http, "Cleartext listener ADDR:PORT (HTTP/1.1 and h2c); port 0 picks one");
  serve_cmd->add_option("--https", serve.https, "TLS listener ADDR:PORT (h2 and HTTP/1.1 by ALPN); port 0 picks one");
  serve_cmd->add_option("--cert", serve.cert, "PEM certificate chain (default: a self-signed one for localhost)");
  serve_cmd->add_option("--key", serve.key, "PEM private key for --cert");
  serve_cmd->add_option("--workers", serve.workers, "Worker threads, one event loop each (default: one per core)");
  serve_cmd->add_option("--push", serve.push,
                        "auto (push if the client accepts it, else 103 Early Hints), push, hints or off, for every "
                        "path (default: push.mode, auto)");
  serve_cmd->add_option("--think-time", serve.think_time,
                        "Delay HTML responses like a slow backend, e.g. 200ms, while hints and pushes flow");

  h2push::cli::DiscoverFlags discover;
  CLI::App* discover_cmd = h2push::cli::add_discover_command(app, discover);

  h2push::cli::RelayCommand relay(app);
  h2push::client::GetOptions get;
  CLI::App* get_cmd = h2push::cli::add_get_command(app, get);
  h2push::cli::ProxyFlags proxy;
  CLI::App* proxy_cmd = h2push::cli::add_proxy_command(app, proxy);
  h2push::cli::PageloadFlags pageload;
  CLI::App* pageload_cmd = h2push::cli::add_pageload_command(app, pageload);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // usage errors exit 2
  }
  if (*serve_cmd) return run_serve(serve);
  if (*proxy_cmd) return h2push::cli::run_proxy(proxy);
  if (*discover_cmd) return h2push::cli::run_discover(discover, stdout, stderr);
  if (relay.selected()) return relay.run();
  if (*get_cmd) return h2push::client::run_get(get, stdout, stderr);
  if (*pageload_cmd) return h2push::cli::run_pageload_command(pageload);
  std::puts(app.help().c_str());
  return 0;
}
