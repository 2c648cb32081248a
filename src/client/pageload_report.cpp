// src/client/pageload_report.cpp
#include "client/pageload_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace h2push::client {
namespace {

// The q-quantile (0..1) of sorted values, interpolating between neighbours; 0 for none.
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + (sorted[above] - sorted[below]) * fraction;
}

template <class Get>
double median_of(const std::vector<const LoadResult*>& runs, Get get) {
  std::vector<double> values;
  values.reserve(runs.size());
  for (const LoadResult* r : runs) values.push_back(static_cast<double>(get(*r)));
  std::sort(values.begin(), values.end());
  return quantile(values, 0.5);
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

std::string bytes_text(std::uint64_t bytes) {
  if (bytes >= 1024 * 1024) return format("%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  if (bytes >= 1024) return format("%.1f KiB", static_cast<double>(bytes) / 1024.0);
  return std::to_string(bytes) + " B";
}

}  // namespace

std::string_view to_string(Arrival arrival) noexcept {
  switch (arrival) {
    case Arrival::requested:
      return "requested";
    case Arrival::pushed:
      return "pushed";
    case Arrival::hinted:
      return "hinted";
  }
  return "requested";
}

ModeSummary summarize(std::string mode, const std::vector<LoadResult>& runs, double ideal) {
  ModeSummary s;
  s.mode = std::move(mode);
  s.runs = runs.size();
  std::vector<const LoadResult*> good;
  for (const LoadResult& r : runs) {
    if (r.ok) {
      good.push_back(&r);
    } else {
      ++s.failed;
    }
  }
  if (good.empty()) return s;
  std::vector<double> times;
  for (const LoadResult* r : good) times.push_back(r->load_ms);
  std::sort(times.begin(), times.end());
  s.median_ms = quantile(times, 0.5);
  s.p25_ms = quantile(times, 0.25);
  s.p75_ms = quantile(times, 0.75);
  s.min_ms = times.front();
  s.max_ms = times.back();
  s.ttfb_median_ms = median_of(good, [](const LoadResult& r) { return r.ttfb_ms; });
  s.round_trips = static_cast<int>(std::lround(median_of(good, [](const LoadResult& r) { return r.round_trips; })));
  auto median_count = [&](auto get) { return static_cast<std::uint64_t>(std::llround(median_of(good, get))); };
  s.requests = median_count([](const LoadResult& r) { return r.requests; });
  s.connections = median_count([](const LoadResult& r) { return r.connections; });
  s.bytes = median_count([](const LoadResult& r) { return r.bytes; });
  s.pushed_bytes_used = median_count([](const LoadResult& r) { return r.pushed_bytes_used; });
  s.pushed_bytes_wasted = median_count([](const LoadResult& r) { return r.pushed_bytes_wasted; });
  s.ratio_to_ideal = ideal > 0 ? s.median_ms / ideal : 0;
  const auto typical = std::min_element(good.begin(), good.end(), [&](const LoadResult* a, const LoadResult* b) {
    return std::abs(a->load_ms - s.median_ms) < std::abs(b->load_ms - s.median_ms);
  });
  s.typical = **typical;
  return s;
}

double ideal_ms(const NetworkProfile& network, std::uint64_t page_bytes, double think_time_ms) {
  const double transfer =
      network.bandwidth_bps > 0 ? static_cast<double>(page_bytes) * 8.0 * 1000.0 / network.bandwidth_bps : 0.0;
  return network.rtt_ms * (network.handshake_round_trips + 1) + think_time_ms + transfer;
}

nlohmann::json report_json(const Report& report) {
  nlohmann::json modes = nlohmann::json::object();
  for (const ModeSummary& m : report.modes) {
    modes[m.mode] = {
        {"runs", m.runs},
        {"failed", m.failed},
        {"median_ms", m.median_ms},
        {"min_ms", m.min_ms},
        {"max_ms", m.max_ms},
        {"p25_ms", m.p25_ms},
        {"p75_ms", m.p75_ms},
        {"ttfb_ms", m.ttfb_median_ms},
        {"requests", m.requests},
        {"bytes", m.bytes},
        {"pushed_bytes_used", m.pushed_bytes_used},
        {"pushed_bytes_wasted", m.pushed_bytes_wasted},
        {"round_trips", m.round_trips},
        {"connections", m.connections},
        {"ratio_to_ideal", m.ratio_to_ideal},
    };
  }
  return {
      {"url", report.url},
      {"rtt_ms", report.network.rtt_ms},
      {"bandwidth_bps", report.network.bandwidth_bps},
      {"think_time_ms", report.think_time_ms},
      {"warm", report.warm},
      {"ideal_ms", report.ideal_ms},
      {"modes", std::move(modes)},
  };
}

std::string report_text(const Report& report) {
  std::string out = "page " + report.url + " at " + format("%.0f ms", report.network.rtt_ms) + " RTT, " +
                    (report.network.bandwidth_bps > 0 ? format("%.1f Mbit/s", report.network.bandwidth_bps / 1e6)
                                                      : std::string("unlimited bandwidth")) +
                    ", think time " + format("%.0f ms", report.think_time_ms) +
                    (report.warm ? ", warm cache\n" : ", cold cache\n");
  char line[256];
  std::snprintf(line, sizeof line, "%-6s %5s %9s %9s %9s %9s %6s %5s %9s %11s %11s %7s\n", "mode", "runs", "median",
                "min", "max", "ttfb", "rtts", "reqs", "bytes", "push used", "push waste", "×ideal");
  out += line;
  for (const ModeSummary& m : report.modes) {
    std::snprintf(line, sizeof line, "%-6s %5zu %7.0fms %7.0fms %7.0fms %7.0fms %6d %5llu %9s %11s %11s %7.2f\n",
                  m.mode.c_str(), m.runs - m.failed, m.median_ms, m.min_ms, m.max_ms, m.ttfb_median_ms, m.round_trips,
                  static_cast<unsigned long long>(m.requests), bytes_text(m.bytes).c_str(),
                  bytes_text(m.pushed_bytes_used).c_str(), bytes_text(m.pushed_bytes_wasted).c_str(), m.ratio_to_ideal);
    out += line;
    if (m.failed != 0) out += "       " + std::to_string(m.failed) + " run(s) failed\n";
  }
  out += "ideal: " + format("%.0f ms", report.ideal_ms) +
         " (handshakes, one round trip, think time, the page's bytes at the link's bandwidth)\n";
  return out;
}

std::string waterfall_html(const Report& report) {
  double scale_ms = 1;
  for (const ModeSummary& m : report.modes) {
    if (m.typical) {
      for (const ResourceTiming& r : m.typical->resources) scale_ms = std::max(scale_ms, r.end_ms);
    }
  }
  auto percent = [&](double ms) { return format("%.3f%%", 100.0 * std::clamp(ms, 0.0, scale_ms) / scale_ms); };
  std::string out =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>h2push pageload: " + html_escape(report.url) +
      "</title>\n<style>\n"
      "body{font:13px system-ui,sans-serif;margin:1.5em;color:#222}h2{margin:1.2em 0 .3em}\n"
      ".row{display:flex;align-items:center;height:18px}.name{width:32%;overflow:hidden;white-space:nowrap;"
      "text-overflow:ellipsis;font-family:monospace}.lane{position:relative;flex:1;height:12px;background:#f3f3f3}\n"
      ".bar{position:absolute;top:0;height:12px}.wait{opacity:.35}.requested{background:#4a7bd0}"
      ".pushed{background:#2e9b5f}.hinted{background:#d08a2e}.wasted{background-image:repeating-linear-gradient("
      "45deg,transparent 0 3px,#fff 3px 5px)}\n.legend span{display:inline-block;width:12px;height:12px;"
      "margin:0 4px 0 12px;vertical-align:middle}\n</style></head><body>\n";
  out += "<h1>Page load of " + html_escape(report.url) + "</h1>\n<p>" +
         html_escape(report_text(report).substr(0, report_text(report).find('\n'))) + "; ideal " +
         format("%.0f ms", report.ideal_ms) + ". Scale: " + format("%.0f ms", scale_ms) + ".</p>\n";
  out +=
      "<p class=\"legend\">Arrival:<span class=\"requested\"></span>requested<span class=\"pushed\"></span>pushed"
      "<span class=\"hinted\"></span>hinted (103)<span class=\"pushed wasted\"></span>pushed, not needed. "
      "Light part: waiting for the first byte.</p>\n";
  for (const ModeSummary& m : report.modes) {
    out += "<h2>" + html_escape(m.mode) + ": median " + format("%.0f ms", m.median_ms) + "</h2>\n";
    if (!m.typical) {
      out += "<p>no successful run</p>\n";
      continue;
    }
    for (const ResourceTiming& r : m.typical->resources) {
      const std::string kind(to_string(r.arrival));
      const std::string classes = kind + (r.used ? "" : " wasted");
      out += "<div class=\"row\"><div class=\"name\" title=\"" + html_escape(r.path) + "\">" + html_escape(r.path) +
             " <small>" + kind + ", " + bytes_text(r.bytes) + ", " + format("%.0f ms", r.end_ms - r.start_ms) +
             "</small></div><div class=\"lane\">";
      out += "<div class=\"bar wait " + classes + "\" style=\"left:" + percent(r.start_ms) +
             ";width:" + percent(r.first_byte_ms - r.start_ms) + "\"></div>";
      out += "<div class=\"bar " + classes + "\" style=\"left:" + percent(r.first_byte_ms) +
             ";width:" + percent(std::max(r.end_ms - r.first_byte_ms, scale_ms / 400)) + "\"></div>";
      out += "</div></div>\n";
    }
  }
  out += "</body></html>\n";
  return out;
}

}  // namespace h2push::client
