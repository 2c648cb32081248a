// src/proxy/run_proxy.hpp: `h2push proxy`: a configuration with [[proxy]] routes in, a running reverse proxy out,
// until SIGINT or SIGTERM.
#pragma once

#include <cstdio>

#include "server/config.hpp"

namespace h2push::proxy {

// Proxies to config.proxy's routes (at least one) over the configured listeners, with the [push] settings deciding
// hints and pushes from what it learns. Prints one line per listener to `out` once listening. Returns 0 after a
// clean shutdown, 1 when it cannot start (the reason goes to stderr).
int run_proxy(const server::ServerConfig& config, std::FILE* out);

}  // namespace h2push::proxy
