// src/cli/pageload.hpp: the `h2push pageload` subcommand's flags.
#pragma once

#include <CLI/CLI.hpp>

#include "client/pageload.hpp"

namespace h2push::cli {

CLI::App* add_pageload_command(CLI::App& app, client::PageloadOptions& options);

}  // namespace h2push::cli
