// src/cli/proxy.hpp: `h2push proxy --upstream URL [--http A] [--https A] [--config F] ...` (docs/proxy.md).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/server_flags.hpp"

namespace h2push::cli {

struct ProxyFlags {
  std::string upstream;
  std::string upstream_ca;         // --upstream-ca: PEM bundle to verify an https:// upstream with
  std::string upstream_sni;        // --upstream-sni: the name sent and verified instead of the URL's host
  bool upstream_insecure = false;  // --upstream-insecure: no certificate verification
  ServerFlags server;
};

CLI::App* add_proxy_command(CLI::App& app, ProxyFlags& flags);
// Exit code: 0 after a clean shutdown, 1 runtime error, 2 usage or configuration error.
int run_proxy(const ProxyFlags& flags);

}  // namespace h2push::cli
