// src/client/pageload_report.hpp: what the page-load lab records of one load, and how runs become a report: per
// mode medians and spread, the ideal load time for the page, the machine-readable JSON (`pageload --json`), the
// text table, and a self-contained HTML waterfall. No sockets or clocks: the loader fills LoadResult.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace h2push::client {

// How a resource reached the loader.
enum class Arrival : std::uint8_t {
  requested,  // the loader asked for it after discovering it (the page itself too)
  pushed,     // the server pushed it before it was asked
  hinted,     // the loader asked for it on a 103 Early Hints Link, before its parser found it
};
std::string_view to_string(Arrival arrival) noexcept;

// One resource of one load. Times are milliseconds since the load started (before the connection was opened).
struct ResourceTiming {
  std::string path;  // "/css/site.css"
  int level = 0;     // 0: the page, 1: named by the page, 2: named by a level-1 file ...
  Arrival arrival = Arrival::requested;
  double start_ms = 0;       // request sent, or PUSH_PROMISE received
  double first_byte_ms = 0;  // response headers received
  double end_ms = 0;         // last body octet received
  std::uint64_t bytes = 0;   // body octets received
  int status = 0;
  bool used = true;  // false: pushed but never needed by the page (wasted)
  friend bool operator==(const ResourceTiming&, const ResourceTiming&) = default;
};

// One load of the page in one mode.
struct LoadResult {
  bool ok = false;
  std::string error;                      // why the load failed (ok == false)
  double load_ms = 0;                     // every needed resource arrived
  double ttfb_ms = 0;                     // the page's response headers (after a 103, the final response)
  int round_trips = 0;                    // request/response exchanges on the critical path (the page is 1)
  std::uint64_t requests = 0;             // requests the loader sent (pushes and 103s excluded)
  std::uint64_t connections = 0;          // connections the loader opened
  std::uint64_t bytes = 0;                // body octets received, used or not
  std::uint64_t pushed_bytes_used = 0;    // pushed body octets the page needed
  std::uint64_t pushed_bytes_wasted = 0;  // pushed body octets it did not need (or had cached)
  std::vector<ResourceTiming> resources;  // in start order
};

// A mode's runs, summarised.
struct ModeSummary {
  std::string mode;  // "h1", "h2", "push", "hints"
  std::size_t runs = 0;
  std::size_t failed = 0;
  double median_ms = 0, min_ms = 0, max_ms = 0, p25_ms = 0, p75_ms = 0;
  double ttfb_median_ms = 0;
  int round_trips = 0;                                                                    // median
  std::uint64_t requests = 0, bytes = 0, pushed_bytes_used = 0, pushed_bytes_wasted = 0;  // medians
  std::uint64_t connections = 0;                                                          // median
  double ratio_to_ideal = 0;          // median_ms / ideal_ms; 0 when unknown
  std::optional<LoadResult> typical;  // the run closest to the median (for the waterfall and HAR)
};

// Median, quartiles and extremes of the successful runs; `failed` counts the others.
ModeSummary summarize(std::string mode, const std::vector<LoadResult>& runs, double ideal_ms);

// The network the lab emulated.
struct NetworkProfile {
  double rtt_ms = 0;
  double bandwidth_bps = 0;       // 0: unlimited
  int handshake_round_trips = 1;  // TCP; +1 for TLS 1.3, +2 for TLS 1.2
};

// The best any protocol could do for this page: the handshakes, one round trip for the request and response, the
// think time, and every octet the page needs at the link's bandwidth.
double ideal_ms(const NetworkProfile& network, std::uint64_t page_bytes, double think_time_ms);

struct Report {
  std::string url;
  NetworkProfile network;
  double think_time_ms = 0;
  bool warm = false;  // a second visit with the first one's cache and cookies
  double ideal_ms = 0;
  std::vector<ModeSummary> modes;  // in the order run
};

// `pageload --json`: {"url", "rtt_ms", "bandwidth_bps", "think_time_ms", "warm", "ideal_ms",
//   "modes": {"h2": {"median_ms", "min_ms", "max_ms", "p25_ms", "p75_ms", "ttfb_ms", "runs", "failed",
//   "requests", "bytes", "pushed_bytes_used", "pushed_bytes_wasted", "round_trips", "ratio_to_ideal", "connections"},
//   ...}}
nlohmann::json report_json(const Report& report);
// A fixed-width table, one row per mode, and a line on the ideal.
std::string report_text(const Report& report);
// One self-contained HTML page (no scripts or links to fetch), a waterfall per mode from its typical run, rows
// coloured by arrival (requested, pushed, hinted), wasted pushes hatched.
std::string waterfall_html(const Report& report);

}  // namespace h2push::client
