// src/server/access_log.hpp: one line per request, in the combined log format or as JSON lines (spdlog sinks).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "h2push/result.hpp"
#include "server/config.hpp"
#include "server/handler.hpp"

namespace spdlog {
class logger;
}

namespace h2push::server {

class AccessLog {
 public:
  // `destination`: a file path, "stdout", or "stderr". Thread-safe: every worker writes to one log.
  static Result<std::unique_ptr<AccessLog>, std::string> open(const std::string& destination, AccessLogFormat format);
  ~AccessLog();

  void write(const Request& request, int status, std::uint64_t bytes, std::chrono::steady_clock::duration elapsed,
             std::string_view extra = {});
  void flush();

 private:
  AccessLog() = default;
  std::shared_ptr<spdlog::logger> logger_;
  AccessLogFormat format_ = AccessLogFormat::combined;
};

}  // namespace h2push::server
