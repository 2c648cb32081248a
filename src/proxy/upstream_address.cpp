// src/proxy/upstream_address.cpp
#include "proxy/upstream_address.hpp"

#include <asio/ip/address.hpp>

namespace h2push::proxy {

std::optional<asio::ip::tcp::endpoint> numeric_endpoint(std::string_view host, std::uint16_t port) {
  std::error_code ec;
  const asio::ip::address address = asio::ip::make_address(std::string(host), ec);
  if (ec) return std::nullopt;
  return asio::ip::tcp::endpoint(address, port);
}

void AddressCache::resolve(const asio::any_io_executor& executor, const std::string& host, std::uint16_t port,
                           Done done) {
  if (const auto endpoint = numeric_endpoint(host, port)) return done({}, Endpoints{*endpoint});
  const std::string key = host + ":" + std::to_string(port);
  Entry& entry = entries_[key];
  const auto now = std::chrono::steady_clock::now();
  if (!entry.endpoints.empty() && now - entry.resolved_at < refresh_) return done({}, Endpoints(entry.endpoints));
  entry.waiters.push_back(std::move(done));
  if (entry.pending != nullptr) return;
  ++lookups_;
  entry.pending = std::make_shared<asio::ip::tcp::resolver>(executor);
  entry.pending->async_resolve(host, std::to_string(port),
                               [weak = weak_from_this(), key, keep = entry.pending](
                                   std::error_code ec, const asio::ip::tcp::resolver::results_type& results) {
                                 if (const auto self = weak.lock()) self->resolved(key, ec, results);
                               });
}

void AddressCache::resolved(const std::string& key, std::error_code ec,
                            const asio::ip::tcp::resolver::results_type& results) {
  Entry& entry = entries_[key];
  entry.pending.reset();
  entry.endpoints.clear();
  if (!ec) {
    for (const auto& r : results) entry.endpoints.push_back(r.endpoint());
    entry.resolved_at = std::chrono::steady_clock::now();
  }
  if (!ec && entry.endpoints.empty()) ec = asio::error::host_not_found;
  const std::vector<Done> waiters = std::move(entry.waiters);
  entry.waiters.clear();
  const Endpoints endpoints = entry.endpoints;  // a waiter may forget() the entry
  for (const Done& done : waiters) done(ec, endpoints);
}

void AddressCache::cancel() {
  for (auto& [key, entry] : entries_) {
    if (entry.pending != nullptr) entry.pending->cancel();
  }
}

void AddressCache::forget(const std::string& host, std::uint16_t port) {
  const auto it = entries_.find(host + ":" + std::to_string(port));
  if (it != entries_.end() && it->second.pending == nullptr) entries_.erase(it);
}

}  // namespace h2push::proxy
