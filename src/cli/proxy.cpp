// src/cli/proxy.cpp
#include "cli/proxy.hpp"

#include <cstdio>

#include "proxy/run_proxy.hpp"
#include "server/config.hpp"

namespace h2push::cli {

CLI::App* add_proxy_command(CLI::App& app, ProxyFlags& flags) {
  CLI::App* cmd = app.add_subcommand(
      "proxy",
      "Reverse proxy to an HTTP/1.1 application, sending 103 Early Hints for what its pages need before it answers");
  cmd->add_option("--upstream", flags.upstream,
                  "The application, http://HOST:PORT, or h2c://HOST:PORT for HTTP/2 prior knowledge (replaces the "
                  "[[proxy]] routes)");
  cmd->add_option("--config", flags.config, "TOML configuration file with [[proxy]] routes (docs/configuration.md)");
  cmd->add_option("--http", flags.http, "Cleartext listener ADDR:PORT (HTTP/1.1 and h2c); port 0 picks one");
  cmd->add_option("--https", flags.https, "TLS listener ADDR:PORT (h2 and HTTP/1.1 by ALPN); port 0 picks one");
  cmd->add_option("--cert", flags.cert, "PEM certificate chain (default: a self-signed one for localhost)");
  cmd->add_option("--key", flags.key, "PEM private key for --cert");
  cmd->add_option("--workers", flags.workers, "Worker threads, one event loop each (default: one per core)");
  cmd->add_option("--push", flags.push, "auto, push, hints or off (default: push.mode, auto)");
  return cmd;
}

int run_proxy(const ProxyFlags& flags) {
  using namespace h2push::server;
  CliOverrides overrides;
  for (const auto& [text, flag, target] :
       {std::tuple{&flags.http, "--http", &overrides.http}, std::tuple{&flags.https, "--https", &overrides.https}}) {
    if (text->empty()) continue;
    auto parsed = parse_address(*text);
    if (!parsed) {
      std::fprintf(stderr, "h2push: %s: %s\n", flag, parsed.error().c_str());
      return 2;
    }
    *target = *parsed;
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
  ServerConfig config;
  if (!flags.config.empty()) {
    auto loaded = load_config_file(flags.config, overrides);
    if (!loaded) {
      std::fprintf(stderr, "h2push: %s\n", loaded.error().to_string().c_str());
      return 2;
    }
    config = std::move(*loaded);
  } else if (auto applied = apply_overrides(config, overrides); !applied) {
    std::fprintf(stderr, "h2push: %s\n", applied.error().to_string().c_str());
    return 2;
  }
  if (!flags.upstream.empty()) {
    ProxyRouteConfig route;
    route.upstream = flags.upstream;
    config.proxy = {route};
    if (auto valid = validate(config); !valid) {
      std::fprintf(stderr, "h2push: --upstream: %s\n", valid.error().message.c_str());
      return 2;
    }
  }
  if (config.proxy.empty()) {
    std::fprintf(stderr, "h2push: proxy needs --upstream URL or [[proxy]] routes in --config\n");
    return 2;
  }
  return h2push::proxy::run_proxy(config, stdout);
}

}  // namespace h2push::cli
