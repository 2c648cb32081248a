// src/cli/discover.hpp: `h2push discover [DIR|FILE] [--page PATH] [--json] [--config FILE] [--manifest FILE]`:
// what `serve` would push or hint for each page, from the same planner over the same static-file view. Without
// DIR|FILE: the configuration's server.root, else the built-in demo site (unpacked to a temporary directory).
#pragma once

#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

namespace h2push::cli {

struct DiscoverFlags {
  std::string target;    // a directory (every *.html below it) or one HTML file (its directory is the root); may be
                         // empty (see above)
  std::string page;      // with a directory: only this page ("/blog/post.html", "/" for the index)
  bool json = false;     // one JSON document instead of tables
  std::string config;    // a configuration file: its push.manifest, [[push.link]] tables and static.index apply
  std::string manifest;  // a push manifest (TOML), replacing the configuration's push.manifest
};

// Registers the subcommand on `app`, filling `flags` when it is parsed.
CLI::App* add_discover_command(CLI::App& app, DiscoverFlags& flags);

// Runs it: 0 when every page asked for was planned, 1 on a runtime error (unreadable root, a --page that is not
// servable HTML, a bad manifest), 2 on a usage error (--page with a file). Writes results to `out`, errors to `err`.
int run_discover(const DiscoverFlags& flags, std::FILE* out, std::FILE* err);

}  // namespace h2push::cli
