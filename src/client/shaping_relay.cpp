// src/client/shaping_relay.cpp
#include "client/shaping_relay.hpp"

#include <csignal>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include "client/relay_connection.hpp"
#include "client/shaping_units.hpp"

namespace h2push::client {

struct ShapingRelay::Impl {
  explicit Impl(const RelayOptions& o) : options(o), acceptor(io), retry(io) {}

  Result<bool, std::string> open();
  void accept_next();
  void on_accept(std::error_code ec, asio::ip::tcp::socket socket);
  void shut_down();  // on the relay's thread

  RelayOptions options;
  detail::ConnectionConfig config;
  detail::RelayCounters counters;  // declared before io: connections may be destroyed with it
  Bottleneck up_link;              // shared by every connection, like those of a browser on one access link
  Bottleneck down_link;
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor;
  asio::steady_timer retry;
  std::vector<asio::ip::tcp::endpoint> target;
  std::vector<std::weak_ptr<detail::RelayConnection>> connections;
  std::uint16_t port = 0;
  bool stopping = false;
  bool joined = false;
  std::thread thread;
};

Result<bool, std::string> ShapingRelay::Impl::open() {
  const std::string target_name = options.target_host + ":" + std::to_string(options.target_port);
  std::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  const auto results = resolver.resolve(options.target_host, std::to_string(options.target_port),
                                        asio::ip::tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) return Unexpected{"cannot resolve the target " + target_name + ": " + ec.message()};
  for (const auto& entry : results) target.push_back(entry.endpoint());

  const std::string listen_name = options.listen_host + ":" + std::to_string(options.listen_port);
  const asio::ip::address address = asio::ip::make_address(options.listen_host, ec);
  if (ec) return Unexpected{"invalid listen address '" + options.listen_host + "': " + ec.message()};
  const asio::ip::tcp::endpoint endpoint(address, options.listen_port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) port = acceptor.local_endpoint(ec).port();
  if (ec) return Unexpected{"cannot listen on " + listen_name + ": " + ec.message()};

  LinkShape shape;
  shape.rtt = options.rtt;
  shape.slow_start = options.slow_start;
  config.up = shape;
  config.up.bits_per_second = options.up_bits_per_second;
  config.down = shape;
  config.down.bits_per_second = options.down_bits_per_second;
  if (options.share_bandwidth) {
    config.up_link = &up_link;
    config.down_link = &down_link;
  }
  config.handshake_rtt = options.handshake_rtt;
  config.max_queued = options.max_queued_octets == 0 ? 1 : options.max_queued_octets;
  return true;
}

void ShapingRelay::Impl::accept_next() {
  acceptor.async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void ShapingRelay::Impl::on_accept(std::error_code ec, asio::ip::tcp::socket socket) {
  if (stopping || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors (EMFILE) and the like: try again shortly instead of spinning.
    retry.expires_after(std::chrono::milliseconds(50));
    retry.async_wait([this](std::error_code wait_ec) {
      if (!wait_ec && !stopping) accept_next();
    });
    return;
  }
  std::erase_if(connections, [](const auto& weak) { return weak.expired(); });
  if (connections.size() >= options.max_connections) {
    counters.refused.fetch_add(1, std::memory_order_relaxed);
    std::error_code ignored;
    socket.close(ignored);
  } else {
    auto connection = std::make_shared<detail::RelayConnection>(std::move(socket), config, counters);
    connections.push_back(connection);
    connection->start(target);
  }
  accept_next();
}

void ShapingRelay::Impl::shut_down() {
  stopping = true;
  std::error_code ignored;
  acceptor.close(ignored);
  retry.cancel();
  for (const auto& weak : connections) {
    if (auto connection = weak.lock()) connection->abort();
  }
  connections.clear();
}

ShapingRelay::ShapingRelay(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<ShapingRelay>, std::string> ShapingRelay::start(const RelayOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  if (auto opened = impl->open(); !opened) return Unexpected{opened.error()};
  impl->accept_next();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<ShapingRelay>(new ShapingRelay(std::move(impl)));
}

ShapingRelay::~ShapingRelay() { stop(); }

const std::string& ShapingRelay::host() const noexcept { return impl_->options.listen_host; }
std::uint16_t ShapingRelay::port() const noexcept { return impl_->port; }
const RelayOptions& ShapingRelay::options() const noexcept { return impl_->options; }

RelayStats ShapingRelay::stats() const {
  const detail::RelayCounters& c = impl_->counters;
  RelayStats s;
  s.connections_accepted = c.accepted.load(std::memory_order_relaxed);
  s.connections_open = c.open.load(std::memory_order_relaxed);
  s.connections_refused = c.refused.load(std::memory_order_relaxed);
  s.connect_failures = c.connect_failures.load(std::memory_order_relaxed);
  s.resets = c.resets.load(std::memory_order_relaxed);
  s.octets_up = c.octets_up.load(std::memory_order_relaxed);
  s.octets_down = c.octets_down.load(std::memory_order_relaxed);
  s.queued_octets = c.queued.load(std::memory_order_relaxed);
  s.peak_queued_octets = c.peak_queued.load(std::memory_order_relaxed);
  s.window_waits = c.window_waits.load(std::memory_order_relaxed);
  return s;
}

void ShapingRelay::stop() {
  if (impl_->joined) return;
  Impl* raw = impl_.get();
  asio::post(impl_->io, [raw] { raw->shut_down(); });
  // Every socket and timer is closed or cancelled, so run() returns once their handlers have seen it.
  impl_->thread.join();
  impl_->joined = true;
}

int run_relay(const RelayOptions& options, std::FILE* out) {
  auto relay = ShapingRelay::start(options);
  if (!relay) {
    std::fprintf(stderr, "h2push: relay: %s\n", relay.error().c_str());
    return 1;
  }
  const std::string listen = options.listen_host.find(':') != std::string::npos
                                 ? "[" + options.listen_host + "]:" + std::to_string((*relay)->port())
                                 : options.listen_host + ":" + std::to_string((*relay)->port());
  std::fprintf(out, "relay listening on %s, forwarding to %s:%u\n", listen.c_str(), options.target_host.c_str(),
               static_cast<unsigned>(options.target_port));
  std::fprintf(out, "rtt %s, down %s, up %s (%s), slow start %s, handshake rtt %s\n",
               format_duration(options.rtt).c_str(), format_bandwidth(options.down_bits_per_second).c_str(),
               format_bandwidth(options.up_bits_per_second).c_str(),
               options.share_bandwidth ? "shared by all connections" : "per connection",
               options.slow_start ? "on" : "off", options.handshake_rtt ? "on" : "off");
  std::fprintf(out, "url: http://%s/ (https://%s/ when the target speaks TLS)\n", listen.c_str(), listen.c_str());
  std::fflush(out);

  asio::io_context signals_context;
  asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  signals.async_wait([](std::error_code, int) {});
  signals_context.run();
  (*relay)->stop();
  const RelayStats s = (*relay)->stats();
  std::fprintf(out, "relay stopped: %llu connections, %llu octets up, %llu octets down\n",
               static_cast<unsigned long long>(s.connections_accepted), static_cast<unsigned long long>(s.octets_up),
               static_cast<unsigned long long>(s.octets_down));
  return 0;
}

}  // namespace h2push::client
