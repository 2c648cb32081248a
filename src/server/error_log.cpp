// src/server/error_log.cpp
#include "server/error_log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace h2push::server {
namespace {

spdlog::level::level_enum spdlog_level(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::trace:
      return spdlog::level::trace;
    case LogLevel::debug:
      return spdlog::level::debug;
    case LogLevel::info:
      return spdlog::level::info;
    case LogLevel::warn:
      return spdlog::level::warn;
    case LogLevel::error:
      return spdlog::level::err;
    case LogLevel::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

Result<std::shared_ptr<spdlog::logger>, std::string> open_error_log(const std::string& destination, LogLevel level) {
  try {
    spdlog::sink_ptr sink;
    if (destination == "off" || level == LogLevel::off) {
      sink = std::make_shared<spdlog::sinks::null_sink_mt>();
    } else if (destination == "stdout") {
      sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    } else if (destination == "stderr") {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(destination);
    }
    auto logger = std::make_shared<spdlog::logger>("error", std::move(sink));
    logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
    logger->set_level(spdlog_level(level));
    logger->flush_on(spdlog::level::trace);
    return logger;
  } catch (const spdlog::spdlog_ex& e) {
    return Unexpected{"cannot open the error log " + destination + ": " + e.what()};
  }
}

}  // namespace h2push::server
