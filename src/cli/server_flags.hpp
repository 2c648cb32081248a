// src/cli/server_flags.hpp: the flags `serve` and `proxy` share (listeners, TLS files, workers, push mode, config
// file) and the one way they become a ServerConfig: the file (if any) read with the flags applied over it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <CLI/CLI.hpp>

#include "server/config.hpp"

namespace h2push::cli {

struct ServerFlags {
  std::string config;
  std::string http;
  std::string https;
  std::string cert;
  std::string key;
  std::optional<std::uint32_t> workers;
  std::string push;
};

// Adds --config, --http, --https, --cert, --key, --workers and --push to `cmd`; `config_help` and `push_help`
// describe what the file and the mode mean for this command.
void add_server_options(CLI::App& cmd, ServerFlags& flags, const std::string& config_help,
                        const std::string& push_help);

// The configuration the flags ask for: --config read and validated with the other flags applied over it, or the
// defaults with the flags applied. `overrides` carries what the caller parsed itself (DIR, --think-time). On a bad
// flag or file, prints "h2push: <flag or file error>" to stderr and returns nullopt (exit code 2).
std::optional<server::ServerConfig> load_server_config(const ServerFlags& flags, server::CliOverrides overrides);

// Parses a flag's value with `parse` (returning Result<T, std::string>), printing "h2push: FLAG: error" on failure.
template <typename Parse>
auto parse_flag(const std::string& text, const char* flag, Parse parse)
    -> std::optional<std::remove_cvref_t<decltype(*parse(text))>> {
  auto parsed = parse(text);
  if (!parsed) {
    std::fprintf(stderr, "h2push: %s: %s\n", flag, parsed.error().c_str());
    return std::nullopt;
  }
  return std::move(*parsed);
}

}  // namespace h2push::cli
