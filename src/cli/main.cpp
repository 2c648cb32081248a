// h2push command line: a thin CLI11 front end over the library (STYLE.md §2): flags -> config -> one call -> exit
// code (0 ok, 1 runtime error, 2 usage or configuration error).
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/discover.hpp"
#include "cli/get.hpp"
#include "cli/pageload.hpp"
#include "cli/proxy.hpp"
#include "cli/relay.hpp"
#include "cli/server_flags.hpp"
#include "client/get.hpp"
#include "h2push/version.hpp"
#include "server/config.hpp"
#include "server/serve.hpp"

namespace {

struct ServeFlags {
  std::string dir;
  h2push::cli::ServerFlags server;
  std::string think_time;
};

int run_serve(const ServeFlags& flags) {
  h2push::server::CliOverrides overrides;
  if (!flags.dir.empty()) overrides.root = flags.dir;
  if (!flags.think_time.empty()) {
    overrides.think_time = h2push::cli::parse_flag(flags.think_time, "--think-time", h2push::server::parse_duration);
    if (!overrides.think_time) return 2;
  }
  const auto config = h2push::cli::load_server_config(flags.server, overrides);
  if (!config) return 2;
  return h2push::server::serve(*config, stdout);
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
  h2push::cli::add_server_options(*serve_cmd, serve.server, "TOML configuration file (docs/configuration.md)",
                                  "auto (push if the client accepts it, else 103 Early Hints), push, hints or off, "
                                  "for every path (default: push.mode, auto)");
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
