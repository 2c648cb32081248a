// src/cli/pageload.cpp: `h2push pageload URL`: flags only; the work is client::run_pageload()
// (src/client/pageload.cpp).
#include "cli/pageload.hpp"

namespace h2push::cli {

CLI::App* add_pageload_command(CLI::App& app, client::PageloadOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "pageload", "Load a page like a browser over an emulated network (h1, h2, push, hints) and report the times");
  cmd->add_option("URL", o.url, "The page: http:// (HTTP/2 by prior knowledge) or https://")->required();
  cmd->add_option("--mode", o.modes, "Modes to run, comma-separated: h1,h2,push,hints (default all)")->delimiter(',');
  cmd->add_option("--runs", o.runs, "Loads per mode (default 5)")->check(CLI::PositiveNumber);
  cmd->add_option("--rtt", o.rtt, "Round-trip time the relay adds (default 100ms)");
  cmd->add_option("--bw", o.bw, "Bandwidth per direction, e.g. 10mbit (default 10mbit; 0: unlimited)");
  cmd->add_flag("!--no-slow-start", o.slow_start, "Turn the relay's TCP slow start off");
  cmd->add_flag("--warm", o.warm, "Measure a second visit with the first one's cache and cookies");
  cmd->add_option("--think-time", o.think_time,
                  "The server's think time, for the ideal (default: estimated from the time to first byte)");
  cmd->add_flag("--json", o.json, "Print the report as JSON");
  cmd->add_option("--har", o.har_dir, "Write one HAR per mode (its typical run) into this directory");
  cmd->add_option("--waterfall", o.waterfall_file, "Write a self-contained HTML waterfall per mode to FILE.html");
  cmd->add_flag("-k,--insecure", o.insecure, "Do not verify the server's certificate");
  cmd->add_option("--cacert", o.ca_file, "Also trust the certificates in this PEM file");
  cmd->add_option("--timeout", o.timeout_seconds, "Give up on one load after S seconds (default 30)")
      ->check(CLI::PositiveNumber);
  return cmd;
}

}  // namespace h2push::cli
