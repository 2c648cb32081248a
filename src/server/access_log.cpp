// src/server/access_log.cpp
#include "server/access_log.hpp"

#include <ctime>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace h2push::server {

std::string_view to_string(Protocol protocol) noexcept {
  switch (protocol) {
    case Protocol::http10:
      return "HTTP/1.0";
    case Protocol::http11:
      return "HTTP/1.1";
    case Protocol::h2:
    case Protocol::h2c:
      return "HTTP/2.0";
  }
  return "HTTP";
}

Result<std::unique_ptr<AccessLog>, std::string> AccessLog::open(const std::string& destination,
                                                                AccessLogFormat format) {
  std::unique_ptr<AccessLog> log(new AccessLog());
  log->format_ = format;
  try {
    spdlog::sink_ptr sink;
    if (destination == "stdout") {
      sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    } else if (destination == "stderr") {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(destination);
    }
    log->logger_ = std::make_shared<spdlog::logger>("access", std::move(sink));
    log->logger_->set_pattern("%v");
    log->logger_->flush_on(spdlog::level::warn);
  } catch (const spdlog::spdlog_ex& e) {
    return Unexpected{"cannot open the access log " + destination + ": " + e.what()};
  }
  return log;
}

AccessLog::~AccessLog() {
  if (logger_) logger_->flush();
}

void AccessLog::flush() { logger_->flush(); }

void AccessLog::write(const Request& request, int status, std::uint64_t bytes,
                      std::chrono::steady_clock::duration elapsed, std::string_view extra) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  const double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  if (format_ == AccessLogFormat::json) {
    char iso[32];
    std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    nlohmann::json line = {
        {"time", iso},
        {"remote", request.remote},
        {"method", request.method},
        {"target", request.target},
        {"authority", request.authority},
        {"protocol", to_string(request.protocol)},
        {"status", status},
        {"bytes", bytes},
        {"duration_ms", ms},
        {"referer", request.field("referer")},
        {"user_agent", request.field("user-agent")},
    };
    if (!extra.empty()) line["push"] = extra;
    logger_->info(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return;
  }
  // Combined log format; quotes inside fields are escaped so the line stays parseable.
  auto quoted = [](std::string_view s) {
    std::string out;
    for (const char c : s) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    return out.empty() ? std::string("-") : out;
  };
  char when[40];
  std::strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  logger_->info("{} - - [{}] \"{} {} {}\" {} {} \"{}\" \"{}\"{}{}", request.remote, when, quoted(request.method),
                quoted(request.target), to_string(request.protocol), status, bytes, quoted(request.field("referer")),
                quoted(request.field("user-agent")), extra.empty() ? "" : " ", extra);
}

}  // namespace h2push::server
