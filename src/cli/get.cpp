// src/cli/get.cpp: `h2push get URL...`: flags only; the work is client::run_get() (src/client/get.cpp).
#include "cli/get.hpp"

namespace h2push::cli {

CLI::App* add_get_command(CLI::App& app, client::GetOptions& o) {
  CLI::App* get = app.add_subcommand("get", "Fetch URLs over h2, h2c or HTTP/1.1 and show frames, pushes and hints");
  get->add_option("URL", o.urls, "http:// or https:// URLs; those of one origin share a connection")->required();
  get->add_flag("-v,--verbose", o.verbose, "Print every frame (HTTP/2) or head (HTTP/1.1) with a timestamp");
  get->add_flag("-i,--include", o.include, "Print the response head before the body");
  get->add_option("-o,--output", o.output_file, "Write bodies to FILE instead of stdout");
  get->add_option("-H,--header", o.headers, "Extra request field 'name: value' (repeatable)");
  get->add_option("-d,--data", o.data, "POST this body; @FILE reads it from a file");
  get->add_flag("--no-push", o.no_push, "Disable server push (SETTINGS_ENABLE_PUSH = 0)");
  get->add_flag("-k,--insecure", o.insecure, "Do not verify the server's certificate");
  get->add_option("--cacert", o.ca_file, "Also trust the certificates in this PEM file");
  get->add_flag("--http1.1", o.http11, "Use HTTP/1.1 only");
  get->add_flag("--h2c,--prior-knowledge", o.prior_knowledge,
                "http://: HTTP/2 without upgrade (prior knowledge); https://: fail unless ALPN selects h2");
  get->add_flag("--upgrade", o.upgrade, "http://: start with HTTP/1.1 and upgrade to h2c (Upgrade: h2c)");
  get->add_flag("-a,--assets", o.assets, "Fetch the page's assets as a browser discovers them; report how each came");
  get->add_option("--har", o.har_file, "Write a HAR 1.2 file of everything fetched");
  get->add_option("--timeout", o.timeout_seconds, "Give up after S seconds (default 30)")->check(CLI::PositiveNumber);
  return get;
}

}  // namespace h2push::cli
