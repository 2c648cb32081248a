// src/server/server.hpp: listeners, workers, TLS and protocol selection; requests go to a Handler per worker.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "h2push/result.hpp"
#include "net/listener.hpp"
#include "server/access_log.hpp"
#include "server/handler.hpp"
#include "server/push_policy.hpp"
#include "server/session.hpp"

namespace h2push::server {

struct ServerOptions {
  std::vector<net::Endpoint> http;   // cleartext listeners: HTTP/1.1, h2c with prior knowledge or Upgrade
  std::vector<net::Endpoint> https;  // TLS listeners: ALPN h2 or http/1.1
  std::filesystem::path cert_file;   // PEM; both empty: a self-signed certificate is made in `state_dir`
  std::filesystem::path key_file;
  std::filesystem::path state_dir;  // where a self-signed certificate is written (default: a temporary dir)
  TlsVersion tls_min_version = TlsVersion::tls1_2;     // tls.min_version
  std::vector<std::string> alpn = {"h2", "http/1.1"};  // tls.alpn: "h2" and/or "http/1.1", in order of preference
  std::size_t workers = 0;                             // 0: one per core
  SessionLimits limits;
  std::function<std::unique_ptr<Handler>()> make_handler;  // called once per worker
  std::shared_ptr<const PushPolicy> push;                  // null: neither push nor Early Hints
  std::string access_log = "stdout";                       // a path, "stdout", "stderr" or "off"
  AccessLogFormat access_log_format = AccessLogFormat::combined;
  std::string error_log = "stderr";  // a path, "stdout", "stderr" or "off"
  LogLevel error_log_level = LogLevel::info;
};

// The number of workers ServerOptions::workers asks for: `requested`, or one per core for 0.
std::size_t worker_count(std::size_t requested) noexcept;

class Server {
 public:
  // Binds every listener and starts the workers; nothing runs if any step fails (the error names it).
  static Result<std::unique_ptr<Server>, std::string> start(ServerOptions options);
  ~Server();

  // One line per listener with its real address, e.g. "https://127.0.0.1:8443/ (h2, http/1.1)".
  std::vector<std::string> describe_listeners() const;
  const std::filesystem::path& cert_file() const noexcept { return options_.cert_file; }

  // Graceful shutdown: stop accepting, GOAWAY everywhere, let in-flight streams finish up to the deadline.
  // Thread-safe; returns at once. wait() returns when the workers are done.
  void shut_down();
  void wait();

  // Pushes, refusals and hints of every connection closed so far; complete once wait() has returned.
  PushTotals push_totals() const;

 private:
  struct Impl;
  explicit Server(ServerOptions options);
  ServerOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace h2push::server
