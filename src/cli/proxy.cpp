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
                  "The application, http://HOST:PORT, https://HOST[:PORT] (HTTP/1.1 over TLS, verified), "
                  "h2c://HOST:PORT (HTTP/2 prior knowledge) or h2s://HOST[:PORT] (HTTP/2 over TLS, verified) (replaces "
                  "the [[proxy]] routes)");
  cmd->add_option(
      "--upstream-ca", flags.upstream_ca,
      "With an https:// or h2s:// --upstream: PEM file of the CA certificates to verify it with (default: the "
      "system trust store)");
  cmd->add_option("--upstream-sni", flags.upstream_sni,
                  "With an https:// or h2s:// --upstream: the name sent in SNI and verified (default: the URL's host)");
  cmd->add_flag("--upstream-insecure", flags.upstream_insecure,
                "With an https:// or h2s:// --upstream: do not verify its certificate (tests only)");
  add_server_options(*cmd, flags.server, "TOML configuration file with [[proxy]] routes (docs/configuration.md)",
                     "auto, push, hints or off (default: push.mode, auto)");
  return cmd;
}

int run_proxy(const ProxyFlags& flags) {
  auto loaded = load_server_config(flags.server, {});
  if (!loaded) return 2;
  server::ServerConfig& config = *loaded;
  const bool tls_flags = !flags.upstream_ca.empty() || !flags.upstream_sni.empty() || flags.upstream_insecure;
  if (tls_flags && flags.upstream.empty()) {
    std::fprintf(stderr,
                 "h2push: --upstream-ca, --upstream-sni and --upstream-insecure need --upstream (in a "
                 "configuration file use the [[proxy]] keys upstream_ca_file, upstream_sni, "
                 "upstream_tls_verify)\n");
    return 2;
  }
  if (!flags.upstream.empty()) {
    server::ProxyRouteConfig route;
    route.upstream = flags.upstream;
    route.upstream_ca_file = flags.upstream_ca;
    route.upstream_sni = flags.upstream_sni;
    route.upstream_tls_verify = !flags.upstream_insecure;
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
