// src/cli/server_flags.cpp
#include "cli/server_flags.hpp"

#include <cstdio>
#include <tuple>

namespace h2push::cli {

void add_server_options(CLI::App& cmd, ServerFlags& flags, const std::string& config_help,
                        const std::string& push_help) {
  cmd.add_option("--config", flags.config, config_help);
  cmd.add_option("--http", flags.http, "Cleartext listener ADDR:PORT (HTTP/1.1 and h2c); port 0 picks one");
  cmd.add_option("--https", flags.https, "TLS listener ADDR:PORT (h2 and HTTP/1.1 by ALPN); port 0 picks one");
  cmd.add_option("--cert", flags.cert, "PEM certificate chain (default: a self-signed one for localhost)");
  cmd.add_option("--key", flags.key, "PEM private key for --cert");
  cmd.add_option("--workers", flags.workers, "Worker threads, one event loop each (default: one per core)");
  cmd.add_option("--push", flags.push, push_help);
}

std::optional<server::ServerConfig> load_server_config(const ServerFlags& flags, server::CliOverrides overrides) {
  using namespace h2push::server;
  for (const auto& [text, flag, target] :
       {std::tuple{&flags.http, "--http", &overrides.http}, std::tuple{&flags.https, "--https", &overrides.https}}) {
    if (text->empty()) continue;
    *target = parse_flag(*text, flag, parse_address);
    if (!*target) return std::nullopt;
  }
  if (!flags.cert.empty()) overrides.cert = flags.cert;
  if (!flags.key.empty()) overrides.key = flags.key;
  overrides.workers = flags.workers;
  if (!flags.push.empty()) {
    overrides.push = parse_flag(flags.push, "--push", parse_push_mode);
    if (!overrides.push) return std::nullopt;
  }
  if (!flags.config.empty()) {
    auto loaded = load_config_file(flags.config, overrides);
    if (!loaded) {
      std::fprintf(stderr, "h2push: %s\n", loaded.error().to_string().c_str());
      return std::nullopt;
    }
    return std::move(*loaded);
  }
  ServerConfig config;
  if (auto applied = apply_overrides(config, overrides); !applied) {
    std::fprintf(stderr, "h2push: %s\n", applied.error().to_string().c_str());
    return std::nullopt;
  }
  return config;
}

}  // namespace h2push::cli
