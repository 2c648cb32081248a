// src/server/serve.hpp: `h2push serve`: a configuration in, a running server out, until SIGINT or SIGTERM.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "h2push/result.hpp"
#include "server/config.hpp"
#include "server/server.hpp"
#include "server/session.hpp"

namespace h2push::server {

// Serves `config` until SIGINT/SIGTERM, then shuts down gracefully (GOAWAY, in-flight requests finish up to
// timeouts.shutdown). Prints one line per listener to `out` once listening. Returns the process exit code: 0 after
// a clean shutdown, 1 when the server cannot start (the reason goes to stderr).
int serve(const ServerConfig& config, std::FILE* out);

// The sessions' timeouts and limits from a configuration, and where its access log goes ("stdout", a path...):
// shared with `h2push proxy`.
SessionLimits session_limits(const ServerConfig& config);
std::string log_destination(const LogSink& sink);
// What serve() runs, started and returned at once (the page-load lab's --demo): the demo site (when
// config.server.root is empty) is unpacked and a self-signed certificate written under `run_dir`, which the caller
// removes after shut_down() and wait(). Errors are one line without the "h2push: " prefix.
[[nodiscard]] Result<std::unique_ptr<Server>, std::string> start_server(const ServerConfig& config,
                                                                        const std::filesystem::path& run_dir);

}  // namespace h2push::server
