// src/client/pageload.hpp: `h2push pageload URL`: the page-load lab. Starts a shaping relay (shaping_relay.hpp)
// toward the URL's host and port, loads the page through it in each mode (pageload_loader.hpp) --runs times, cold
// or as a second (--warm) visit, and reports per mode (pageload_report.hpp): text, --json, --har DIR, --waterfall.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace h2push::client {

struct PageloadOptions {
  std::string url;
  std::vector<std::string> modes = {"h1", "h2", "push", "hints"};
  int runs = 5;
  std::string rtt = "100ms";    // added by the relay, both directions together
  std::string bw = "10mbit";    // per direction, shared by the connections
  bool slow_start = true;       // --no-slow-start turns the relay's TCP slow start off
  bool warm = false;            // measure a second visit with the first one's cache and cookies
  std::string think_time;       // the server's think time if known ("200ms"); else estimated from the TTFB
  bool json = false;            // print report_json() instead of the table
  std::string har_dir;          // one HAR per mode (its typical run)
  std::string waterfall_file;   // waterfall_html()
  bool insecure = false;        // -k
  std::string ca_file;          // --cacert
  double timeout_seconds = 30;  // per load
  bool progress = true;         // a progress bar on `err` when it is a terminal
};

// Returns the exit status: 0 when every mode had a successful run, 1 when the server cannot be reached or a mode
// failed every run (one line on `err` says why), 2 for bad arguments.
int run_pageload(const PageloadOptions& options, std::FILE* out, std::FILE* err);

}  // namespace h2push::client
