// src/server/error_log.hpp: the server's error log (logging.error_log, logging.level): startup and shutdown,
// refused connections, TLS handshake failures, protocol errors and timeouts, one line each, through spdlog.
//
//   auto log = open_error_log("stderr", LogLevel::info);
//   (*log)->info("{}: TLS handshake failed: {}", remote, ec.message());
//
// Levels used: error (the server cannot do its work), warn (connections refused over limits.max_connections),
// info (startup, shutdown, peer protocol errors, TLS handshake failures, timeouts), debug (connections opened and
// closed, the end of idle connections).
#pragma once

#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "h2push/result.hpp"
#include "server/config.hpp"

namespace h2push::server {

// `destination`: a file path (appended to), "stdout", "stderr" or "off" (a logger that writes nothing). Lines look
// like "[2026-11-23 13:24:04.123] [info] 127.0.0.1:51234: HTTP/2 connection error PROTOCOL_ERROR: ...". Every line
// is flushed at once: error logs are rare, and a line lost in a crash is the one that mattered. Thread-safe.
Result<std::shared_ptr<spdlog::logger>, std::string> open_error_log(const std::string& destination, LogLevel level);

}  // namespace h2push::server
