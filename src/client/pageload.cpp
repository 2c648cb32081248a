// src/client/pageload.cpp: the lab's driver: relay, runs, think-time estimate, report and files.
#include "client/pageload.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "client/har.hpp"
#include "client/pageload_loader.hpp"
#include "client/pageload_report.hpp"
#include "client/shaping_relay.hpp"
#include "client/shaping_units.hpp"

namespace h2push::client {
namespace {

struct ModeRuns {
  LoadMode mode;
  std::vector<LoadResult> results;
  std::vector<std::deque<Fetch>> fetches;  // per run, for the HAR
  std::vector<std::pair<std::chrono::system_clock::time_point, Clock::time_point>> starts;
};

struct Setup {
  Target target;
  NetworkProfile network;
  std::unique_ptr<ShapingRelay> relay;
  std::vector<LoadMode> modes;
};

void progress(std::FILE* err, bool show, std::size_t done, std::size_t total, const char* mode) {
  if (!show) return;
  constexpr int kWidth = 30;
  const auto filled = static_cast<int>(total == 0 ? kWidth : done * kWidth / total);
  std::fprintf(err, "\r[%.*s%*s] %zu/%zu %-5s", filled, "##############################", kWidth - filled, "", done,
               total, mode);
  if (done == total) std::fprintf(err, "\r%*s\r", kWidth + 24, "");
  std::fflush(err);
}

// A visit (two with --warm: the first fills the cache and cookies, the second is measured).
LoadResult measure(const PageloadOptions& o, const Setup& s, LoadMode mode, ModeRuns& runs) {
  LoadOptions lo;
  lo.target = s.target;
  lo.mode = mode;
  lo.connect.verify = !o.insecure;
  lo.connect.ca_file = o.ca_file;
  lo.connect.connect_host = s.relay->host();
  lo.connect.connect_port = s.relay->port();
  const auto budget = std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout_seconds * 1000));
  Visit visit;
  if (o.warm) {
    lo.deadline = Clock::now() + budget;
    LoadResult first = load_page(lo, &visit, nullptr);
    if (!first.ok) return first;
  }
  lo.deadline = Clock::now() + budget;
  std::deque<Fetch> fetches;
  runs.starts.emplace_back(std::chrono::system_clock::now(), Clock::now());
  LoadResult r = load_page(lo, &visit, &fetches);
  runs.fetches.push_back(std::move(fetches));
  return r;
}

// The server's think time as the client sees it: TTFB minus the handshake and one round trip (median over the
// successful runs of h2 and h1, whose page is the first thing on the link; push and hints only when neither ran, as
// pushed or hinted bytes delay the page's own response; 0 when negative).
double estimate_think_time(const std::vector<ModeRuns>& all, const NetworkProfile& network) {
  const bool plain = std::any_of(all.begin(), all.end(),
                                 [](const ModeRuns& m) { return m.mode == LoadMode::h1 || m.mode == LoadMode::h2; });
  std::vector<double> values;
  for (const ModeRuns& m : all) {
    if (plain && m.mode != LoadMode::h1 && m.mode != LoadMode::h2) continue;
    for (const LoadResult& r : m.results) {
      if (r.ok) values.push_back(r.ttfb_ms - network.rtt_ms * (network.handshake_round_trips + 1));
    }
  }
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return std::max(0.0, values[values.size() / 2]);
}

// What the page needs, in octets: the body octets of the needed resources of the first successful run.
std::uint64_t page_bytes(const std::vector<ModeRuns>& all) {
  for (const ModeRuns& m : all) {
    for (const LoadResult& r : m.results) {
      if (r.ok) return r.bytes - r.pushed_bytes_wasted;
    }
  }
  return 0;
}

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  return static_cast<bool>(file);
}

int write_outputs(const PageloadOptions& o, const Report& report, const std::vector<ModeRuns>& all, std::FILE* out,
                  std::FILE* err) {
  if (o.json) {
    std::fprintf(out, "%s\n", report_json(report).dump(2).c_str());
  } else {
    std::fprintf(out, "%s", report_text(report).c_str());
  }
  std::fflush(out);
  int status = 0;
  std::error_code ignored;
  if (!o.har_dir.empty()) std::filesystem::create_directories(o.har_dir, ignored);
  if (!o.har_dir.empty()) {
    for (std::size_t i = 0; i < all.size(); ++i) {
      const ModeSummary& summary = report.modes[i];
      if (!summary.typical) continue;
      for (std::size_t run = 0; run < all[i].results.size(); ++run) {
        if (!all[i].results[run].ok || all[i].results[run].load_ms != summary.typical->load_ms) continue;
        const std::string path = o.har_dir + "/" + summary.mode + ".har";
        const auto& [wall, start] = all[i].starts[run];
        if (auto written = write_har(path, all[i].fetches[run], wall, start); !written) {
          std::fprintf(err, "h2push pageload: --har: %s\n", written.error().c_str());
          status = 1;
        }
        break;
      }
    }
  }
  if (!o.waterfall_file.empty() && !write_text(o.waterfall_file, waterfall_html(report))) {
    std::fprintf(err, "h2push pageload: --waterfall: cannot write %s\n", o.waterfall_file.c_str());
    status = 1;
  }
  return status;
}

// Parses the flags and starts the relay; returns an exit status on failure.
int prepare(const PageloadOptions& o, Setup& s, std::FILE* err) {
  auto target = parse_target(o.url);
  if (!target) {
    std::fprintf(err, "h2push pageload: %s\n", target.error().c_str());
    return 2;
  }
  s.target = *target;
  for (const std::string& name : o.modes) {
    LoadMode mode{};
    if (!parse_load_mode(name, mode)) {
      std::fprintf(err, "h2push pageload: --mode: unknown mode %s (h1, h2, push, hints)\n", name.c_str());
      return 2;
    }
    s.modes.push_back(mode);
  }
  auto rtt = parse_duration(o.rtt);
  auto bw = parse_bandwidth(o.bw);
  if (!rtt || !bw || o.runs < 1) {
    std::fprintf(err, "h2push pageload: %s\n",
                 !rtt  ? ("--rtt: " + rtt.error()).c_str()
                 : !bw ? ("--bw: " + bw.error()).c_str()
                       : "--runs: >= 1");
    return 2;
  }
  // Reach the server once directly, so that a refused connection or a bad certificate is one clear line.
  asio::io_context io;
  ConnectOptions probe;
  probe.verify = !o.insecure;
  probe.ca_file = o.ca_file;
  if (auto t = Transport::connect(io, s.target, probe, Clock::now() + std::chrono::seconds(10)); !t) {
    std::fprintf(err, "h2push pageload: %s\n", t.error().c_str());
    return 1;
  }
  RelayOptions ro;
  ro.target_host = s.target.host;
  ro.target_port = s.target.port;
  ro.rtt = *rtt;
  ro.down_bits_per_second = ro.up_bits_per_second = *bw;
  ro.slow_start = o.slow_start;
  auto relay = ShapingRelay::start(ro);
  if (!relay) {
    std::fprintf(err, "h2push pageload: relay: %s\n", relay.error().c_str());
    return 1;
  }
  s.relay = std::move(*relay);
  s.network.rtt_ms = std::chrono::duration<double, std::milli>(*rtt).count();
  s.network.bandwidth_bps = static_cast<double>(*bw);
  s.network.handshake_round_trips = 1 + (s.target.tls ? 1 : 0);  // TCP (the relay), TLS 1.3
  return 0;
}

}  // namespace

int run_pageload(const PageloadOptions& o, std::FILE* out, std::FILE* err) {
  Setup s;
  if (const int status = prepare(o, s, err); status != 0) return status;
  const bool bar = o.progress && isatty(fileno(err)) != 0;
  const std::size_t total = s.modes.size() * static_cast<std::size_t>(o.runs);
  std::size_t done = 0;
  std::vector<ModeRuns> all;
  int status = 0;
  for (const LoadMode mode : s.modes) {
    ModeRuns runs{mode, {}, {}, {}};
    for (int run = 0; run < o.runs; ++run) {
      progress(err, bar, done, total, to_string(mode));
      runs.results.push_back(measure(o, s, mode, runs));
      ++done;
    }
    const auto ok = std::count_if(runs.results.begin(), runs.results.end(), [](const LoadResult& r) { return r.ok; });
    if (ok == 0) {
      if (bar) std::fprintf(err, "\n");
      std::fprintf(err, "h2push pageload: %s: every run failed: %s\n", to_string(mode),
                   runs.results.front().error.c_str());
      status = 1;
    }
    all.push_back(std::move(runs));
  }
  progress(err, bar, total, total, "");
  Report report;
  report.url = s.target.url();
  report.network = s.network;
  report.warm = o.warm;
  if (!o.think_time.empty()) {
    auto think = parse_duration(o.think_time);
    if (!think) {
      std::fprintf(err, "h2push pageload: --think-time: %s\n", think.error().c_str());
      return 2;
    }
    report.think_time_ms = std::chrono::duration<double, std::milli>(*think).count();
  } else {
    report.think_time_ms = estimate_think_time(all, s.network);
  }
  report.ideal_ms = ideal_ms(s.network, page_bytes(all), report.think_time_ms);
  for (const ModeRuns& m : all) report.modes.push_back(summarize(to_string(m.mode), m.results, report.ideal_ms));
  const int written = write_outputs(o, report, all, out, err);
  return status != 0 ? status : written;
}

}  // namespace h2push::client
