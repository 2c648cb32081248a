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
  cmd->add_option("--upstream", flags.upstream, "The application, http://HOST:PORT (replaces the [[proxy]] routes)");
  add_server_options(*cmd, flags.server, "TOML configuration file with [[proxy]] routes (docs/configuration.md)",
                     "auto, push, hints or off (default: push.mode, auto)");
  return cmd;
}

int run_proxy(const ProxyFlags& flags) {
  auto loaded = load_server_config(flags.server, {});
  if (!loaded) return 2;
  server::ServerConfig& config = *loaded;
  if (!flags.upstream.empty()) {
    server::ProxyRouteConfig route;
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
