// src/client/get.hpp: `h2push get URL...`: fetches URLs over h2 (TLS, ALPN), h2c (prior knowledge or Upgrade) or
// HTTP/1.1, prints frames (-v), heads (-i), bodies, pushes and 103s; with -a fetches the page's assets as a browser
// discovers them and reports how each came (pushed, hinted, requested); --har writes a HAR 1.2 file.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace h2push::client {

struct GetOptions {
  std::vector<std::string> urls;
  bool verbose = false;              // -v: every frame (HTTP/2) or head (HTTP/1.1), timestamped
  bool include = false;              // -i: response heads before bodies
  std::string output_file;           // -o: bodies go there instead of stdout
  std::vector<std::string> headers;  // -H 'name: value'
  std::optional<std::string> data;   // -d: a POST body, or @file
  bool no_push = false;              // SETTINGS_ENABLE_PUSH = 0
  bool insecure = false;             // -k: no certificate verification
  std::string ca_file;               // --cacert: extra trust anchors
  bool http11 = false;               // --http1.1: never HTTP/2
  bool prior_knowledge = false;      // --h2c: HTTP/2 without upgrade on http://; h2 required on https://
  bool upgrade = false;              // --upgrade: HTTP/1.1 Upgrade: h2c on http://
  bool assets = false;               // -a
  std::string har_file;              // --har
  double timeout_seconds = 30;       // for the whole run
};

// Runs the command; returns the exit status: 0 success, 1 a connection, TLS, protocol or timeout failure (one line
// on `err` says what failed), 2 bad arguments. Bodies go to `out` (or the -o file), diagnostics to `err`.
int run_get(const GetOptions& options, std::FILE* out, std::FILE* err);

}  // namespace h2push::client
