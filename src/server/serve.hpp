// src/server/serve.hpp: `h2push serve`: a configuration in, a running server out, until SIGINT or SIGTERM.
#pragma once

#include <cstdio>

#include "server/config.hpp"
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

}  // namespace h2push::server
