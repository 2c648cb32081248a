// src/cli/get.hpp: the `get` subcommand's flags (CLI11) -> client::GetOptions.
#pragma once

#include <CLI/CLI.hpp>

#include "client/get.hpp"

namespace h2push::cli {

// Adds `get` to `app`, filling `options` when parsed; run it with client::run_get().
CLI::App* add_get_command(CLI::App& app, client::GetOptions& options);

}  // namespace h2push::cli
