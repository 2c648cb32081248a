// src/net/listener.hpp: TCP listening sockets, one per worker on the same address via SO_REUSEPORT.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <asio/ip/tcp.hpp>

#include "h2push/result.hpp"
#include "net/worker_pool.hpp"

namespace h2push::net {

struct Endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: the kernel picks a free port
};

// Called on the worker's thread for every accepted connection.
using AcceptHandler = std::function<void(asio::ip::tcp::socket socket, std::size_t worker)>;

// A listening address served by every worker: each worker has its own acceptor bound with SO_REUSEPORT, so the
// kernel spreads connections over the workers and no lock is shared.
class Listener {
 public:
  // Binds and listens; with port 0 the first acceptor takes a free port and the others bind to the same one.
  static Result<std::unique_ptr<Listener>, std::string> open(WorkerPool& pool, const Endpoint& endpoint,
                                                             AcceptHandler handler);
  ~Listener();

  std::uint16_t port() const noexcept { return port_; }
  const std::string& host() const noexcept { return host_; }
  // Stops accepting (posted to each worker); established connections are untouched.
  void close();

 private:
  struct Acceptor;
  Listener() = default;
  static void accept_next(const std::shared_ptr<Acceptor>& acceptor);

  std::vector<std::shared_ptr<Acceptor>> acceptors_;
  std::string host_;
  std::uint16_t port_ = 0;
};

}  // namespace h2push::net
