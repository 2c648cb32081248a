// src/proxy/upstream_address.hpp: where an upstream's connections go. A numeric host (127.0.0.1, ::1) is its own
// address and never goes through the resolver; a name is resolved once and the answer shared by every connection of
// the worker until it is `refresh` old (or a connect to it failed), so a busy worker does not hand a lookup to the
// resolver thread for each new connection. Single-threaded: one per worker, like the keep-alive pool.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/ip/tcp.hpp>

namespace h2push::proxy {

// The endpoint of a numeric IPv4 or IPv6 host (no brackets), or nullopt for a name.
std::optional<asio::ip::tcp::endpoint> numeric_endpoint(std::string_view host, std::uint16_t port);

class AddressCache : public std::enable_shared_from_this<AddressCache> {
 public:
  using Endpoints = std::vector<asio::ip::tcp::endpoint>;
  using Done = std::function<void(std::error_code, const Endpoints&)>;

  explicit AddressCache(std::chrono::milliseconds refresh = std::chrono::seconds(60)) : refresh_(refresh) {}

  // Calls `done` with the host's endpoints: at once for a numeric host or a fresh cached answer, else when the
  // resolver answers (one lookup per name at a time: concurrent callers wait for the same one).
  void resolve(const asio::any_io_executor& executor, const std::string& host, std::uint16_t port, Done done);

  // A connect to the cached endpoints failed: the next connection resolves the name again.
  void forget(const std::string& host, std::uint16_t port);

  // Shutting down: cancels the lookups in flight (their waiters get operation_aborted), which would otherwise keep
  // the worker's loop running until the resolver answers.
  void cancel();

  std::uint64_t lookups() const { return lookups_; }  // resolver lookups started (numeric hosts never count)

 private:
  struct Entry {
    Endpoints endpoints;
    std::chrono::steady_clock::time_point resolved_at{};
    std::shared_ptr<asio::ip::tcp::resolver> pending;  // a lookup in flight
    std::vector<Done> waiters;
  };
  void resolved(const std::string& key, std::error_code ec, const asio::ip::tcp::resolver::results_type& results);

  std::chrono::milliseconds refresh_;
  std::map<std::string, Entry> entries_;  // by "host:port"
  std::uint64_t lookups_ = 0;
};

}  // namespace h2push::proxy
