// src/cli/proxy.hpp: `h2push proxy --upstream URL [--http A] [--https A] [--config F] ...` (docs/proxy.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace h2push::cli {

struct ProxyFlags {
  std::string upstream;
  std::string config;
  std::string http;
  std::string https;
  std::string cert;
  std::string key;
  std::optional<std::uint32_t> workers;
  std::string push;
};

CLI::App* add_proxy_command(CLI::App& app, ProxyFlags& flags);
// Exit code: 0 after a clean shutdown, 1 runtime error, 2 usage or configuration error.
int run_proxy(const ProxyFlags& flags);

}  // namespace h2push::cli
