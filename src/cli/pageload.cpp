// src/cli/pageload.cpp: `h2push pageload URL`: flags only; the work is client::run_pageload()
// (src/client/pageload.cpp).
#include "cli/pageload.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "server/serve.hpp"

namespace h2push::cli {

CLI::App* add_pageload_command(CLI::App& app, PageloadFlags& flags) {
  client::PageloadOptions& o = flags.options;
  CLI::App* cmd = app.add_subcommand(
      "pageload", "Load a page like a browser over an emulated network (h1, h2, push, hints) and report the times");
  cmd->add_option("URL", o.url, "The page: http:// (HTTP/2 by prior knowledge) or https://");
  cmd->add_flag("--demo", flags.demo,
                "Serve the built-in demo site in this process on 127.0.0.1 (its think time: --think-time) and load it");
  cmd->add_option("--mode", o.modes, "Modes to run, comma-separated: h1,h2,push,hints (default all)")->delimiter(',');
  cmd->add_option("--runs", o.runs, "Loads per mode (default 5)")->check(CLI::PositiveNumber);
  cmd->add_option("--rtt", o.rtt, "Round-trip time the relay adds (default 100ms)");
  cmd->add_option("--bw", o.bw, "Bandwidth per direction, e.g. 10mbit (default 10mbit; 0: unlimited)");
  cmd->add_flag("!--no-slow-start", o.slow_start, "Turn the relay's TCP slow start off");
  cmd->add_flag("--warm", o.warm, "Measure a second visit with the first one's cache and cookies");
  cmd->add_option(
      "--think-time", o.think_time,
      "The server's think time, for the ideal (default: estimated from the time to first byte); with --demo "
      "also the demo server's");
  cmd->add_flag("--json", o.json, "Print the report as JSON");
  cmd->add_option("--har", o.har_dir, "Write one HAR per mode (its typical run) into this directory");
  cmd->add_option("--waterfall", o.waterfall_file, "Write a self-contained HTML waterfall per mode to FILE.html");
  cmd->add_flag("-k,--insecure", o.insecure, "Do not verify the server's certificate");
  cmd->add_flag("--http1.1", flags.http11, "HTTP/1.1 only, like get --http1.1: the same as --mode h1");
  cmd->add_option("--cacert", o.ca_file, "Also trust the certificates in this PEM file");
  cmd->add_option("--timeout", o.timeout_seconds, "Give up on one load after S seconds (default 30)")
      ->check(CLI::PositiveNumber);
  return cmd;
}

int run_pageload_command(PageloadFlags& flags) {
  client::PageloadOptions& o = flags.options;
  if (flags.http11) {
    if (std::any_of(o.modes.begin(), o.modes.end(), [](const std::string& m) { return m != "h1"; }) &&
        o.modes != client::PageloadOptions{}.modes) {
      std::fprintf(stderr, "h2push pageload: --http1.1 runs the h1 mode only; it cannot go with --mode %s\n",
                   o.modes.empty() ? "" : o.modes.front().c_str());
      return 2;
    }
    o.modes = {"h1"};
  }
  if (flags.demo == !o.url.empty()) {
    std::fprintf(stderr, "h2push pageload: give a URL or --demo\n");
    return 2;
  }
  if (!flags.demo) return client::run_pageload(o, stdout, stderr);
  server::ServerConfig config;
  config.server.http = {{"127.0.0.1", 0}};
  config.server.https = {};
  config.server.workers = 1;
  config.logging.access_log = {server::LogSink::Kind::off, {}};
  config.logging.level = server::LogLevel::warn;
  if (!o.think_time.empty()) {
    auto think = server::parse_duration(o.think_time);
    if (!think) {
      std::fprintf(stderr, "h2push pageload: --think-time: %s\n", think.error().c_str());
      return 2;
    }
    config.push.think_time = *think;
  }
  const std::filesystem::path run_dir =
      std::filesystem::temp_directory_path() /
      ("h2push-pageload-" + std::to_string(::getuid()) + "-" + std::to_string(::getpid()));
  auto started = server::start_server(config, run_dir);
  if (!started) {
    std::fprintf(stderr, "h2push pageload: --demo: %s\n", started.error().c_str());
    return 1;
  }
  const std::vector<std::string> listeners = (*started)->describe_listeners();
  o.url = listeners.empty() ? "" : listeners.front().substr(0, listeners.front().find(' '));
  const int status = client::run_pageload(o, stdout, stderr);
  (*started)->shut_down();
  (*started)->wait();
  std::error_code ignored;
  std::filesystem::remove_all(run_dir, ignored);
  return status;
}

}  // namespace h2push::cli
