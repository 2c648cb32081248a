// src/client/har.cpp
#include "client/har.hpp"

#include <ctime>
#include <fstream>

#include <nlohmann/json.hpp>

#include "h2push/version.hpp"

namespace h2push::client {
namespace {

using nlohmann::json;

// ISO 8601 with milliseconds, UTC, as HAR wants ("2026-11-23T13:40:00.123Z").
std::string iso8601(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%03dZ", buffer, static_cast<int>(ms % 1000));
  return out;
}

json fields(const Fields& list) {
  json out = json::array();
  for (const auto& [name, value] : list) out.push_back({{"name", name}, {"value", value}});
  return out;
}

json query_string(const std::string& path) {
  json out = json::array();
  const std::size_t q = path.find('?');
  if (q == std::string::npos) return out;
  std::string rest = path.substr(q + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string pair = rest.substr(0, amp);
    const std::size_t eq = pair.find('=');
    out.push_back({{"name", pair.substr(0, eq)}, {"value", eq == std::string::npos ? "" : pair.substr(eq + 1)}});
    if (amp == std::string::npos) break;
    rest = rest.substr(amp + 1);
  }
  return out;
}

double ms(Clock::time_point from, Clock::time_point to) {
  if (to < from) return 0;
  return std::chrono::duration<double, std::milli>(to - from).count();
}

json entry(const Fetch& f, std::chrono::system_clock::time_point wall_start, Clock::time_point start) {
  const std::string version = f.protocol == "http/1.1" ? "HTTP/1.1" : "HTTP/2";
  const auto started = wall_start + std::chrono::duration_cast<std::chrono::system_clock::duration>(f.started - start);
  const Clock::time_point response = f.response_at == Clock::time_point{} ? f.ended : f.response_at;
  const double wait = ms(f.started, response);
  const double receive = ms(response, f.ended);
  Fields request_headers = {{":method", f.request.method},
                            {":scheme", f.request.scheme},
                            {":authority", f.request.authority},
                            {":path", f.request.path}};
  request_headers.insert(request_headers.end(), f.request.headers.begin(), f.request.headers.end());
  std::string mime = f.header("content-type");
  json request = {{"method", f.request.method},
                  {"url", f.target.url()},
                  {"httpVersion", version},
                  {"cookies", json::array()},
                  {"headers", fields(request_headers)},
                  {"queryString", query_string(f.request.path)},
                  {"headersSize", -1},
                  {"bodySize", static_cast<std::int64_t>(f.request.body.size())}};
  if (!f.request.body.empty()) {
    request["postData"] = {{"mimeType", "application/octet-stream"}, {"text", f.request.body}};
  }
  json response_json = {{"status", f.status},
                        {"statusText", f.reason},
                        {"httpVersion", version},
                        {"cookies", json::array()},
                        {"headers", fields(f.headers)},
                        {"content", {{"size", static_cast<std::int64_t>(f.size)}, {"mimeType", mime}}},
                        {"redirectURL", f.header("location")},
                        {"headersSize", -1},
                        {"bodySize", static_cast<std::int64_t>(f.size)}};
  if (f.error) response_json["_error"] = *f.error;
  return {
      {"pageref", "page_1"},
      {"startedDateTime", iso8601(started)},
      {"time", wait + receive},
      {"request", request},
      {"response", response_json},
      {"cache", json::object()},
      {"timings",
       {{"blocked", -1}, {"dns", -1}, {"connect", -1}, {"ssl", -1}, {"send", 0}, {"wait", wait}, {"receive", receive}}},
      {"_via", to_string(f.via)},
      {"_level", f.level},
      {"_pushed", f.via == Via::pushed}};
}

}  // namespace

Status<std::string> write_har(const std::string& path, const std::deque<Fetch>& fetches,
                              std::chrono::system_clock::time_point wall_start, Clock::time_point start) {
  json entries = json::array();
  Clock::time_point last = start;
  for (const Fetch& f : fetches) {
    if (!f.submitted) continue;
    entries.push_back(entry(f, wall_start, start));
    if (f.ended > last) last = f.ended;
  }
  const std::string title = fetches.empty() ? "" : fetches.front().target.url();
  json har = {{"log",
               {{"version", "1.2"},
                {"creator", {{"name", "h2push"}, {"version", std::string(h2push::version())}}},
                {"pages", json::array({{{"startedDateTime", iso8601(wall_start)},
                                        {"id", "page_1"},
                                        {"title", title},
                                        {"pageTimings", {{"onContentLoad", -1}, {"onLoad", ms(start, last)}}}}})},
                {"entries", entries}}}};
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Unexpected{"cannot write " + path};
  out << har.dump(2) << '\n';
  out.close();
  if (!out) return Unexpected{"cannot write " + path};
  return {};
}

}  // namespace h2push::client
