// src/cli/pageload.hpp: the `h2push pageload` subcommand: its flags, and --demo, which starts the built-in demo site
// in this process (the client library knows no server).
#pragma once

#include <CLI/CLI.hpp>

#include "client/pageload.hpp"

namespace h2push::cli {

struct PageloadFlags {
  client::PageloadOptions options;
  bool demo = false;    // serve the demo site on 127.0.0.1:0 in-process (with --think-time as its think time)
  bool http11 = false;  // --http1.1, as `get` has it: the h1 mode only
};

CLI::App* add_pageload_command(CLI::App& app, PageloadFlags& flags);
// Returns the exit status (client::run_pageload's; 1 when the demo server cannot start, 2 for bad flags).
int run_pageload_command(PageloadFlags& flags);

}  // namespace h2push::cli
