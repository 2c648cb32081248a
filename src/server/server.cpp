// src/server/server.cpp
#include "server/server.hpp"

#include <unistd.h>

#include <algorithm>

#include <asio/post.hpp>
#include <asio/ssl/context.hpp>
#include <thread>

#include "http2/frame_reader.hpp"
#include "net/tls.hpp"
#include "net/worker_pool.hpp"
#include "server/error_log.hpp"
#include "server/h1_session.hpp"
#include "server/h2_session.hpp"

namespace h2push::server {
namespace {

std::string remote_of(const TcpSocket& socket) {
  std::error_code ec;
  const auto ep = socket.remote_endpoint(ec);
  return ec ? std::string("-") : ep.address().to_string();
}

// "127.0.0.1:51234", for the error log.
std::string peer_of(const TcpSocket& socket) {
  std::error_code ec;
  const auto ep = socket.remote_endpoint(ec);
  if (ec) return "-";
  const std::string address = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(ep.port());
}

// Reads the first octets of a cleartext connection to tell the HTTP/2 preface (prior knowledge, RFC 9113 §3.3)
// from HTTP/1.1.
class Sniffer : public std::enable_shared_from_this<Sniffer> {
 public:
  Sniffer(TcpSocket socket, WorkerState& worker, ConnectionSlot slot)
      : socket_(std::move(socket)), worker_(worker), slot_(std::move(slot)), timer_(socket_.get_executor()) {}

  void start() {
    timer_.expires_after(worker_.limits->request_header_timeout);
    timer_.async_wait([self = shared_from_this()](std::error_code ec) {
      if (ec) return;
      self->worker_.error_log->info("{}: no request within the request header timeout, connection closed",
                                    peer_of(self->socket_));
      close_transport(self->socket_);
    });
    read();
  }

 private:
  void read() {
    socket_.async_read_some(asio::buffer(buffer_.data() + filled_, buffer_.size() - filled_),
                            [self = shared_from_this()](std::error_code ec, std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(std::error_code ec, std::size_t n) {
    if (ec) {
      timer_.cancel();
      close_transport(socket_);
      return;
    }
    filled_ += n;
    const std::span<const std::byte> got(buffer_.data(), filled_);
    const http2::PrefaceMatch match = http2::match_client_preface(got);
    if (match == http2::PrefaceMatch::partial && filled_ < buffer_.size()) {
      read();
      return;
    }
    timer_.cancel();
    std::string remote = remote_of(socket_);
    if (match == http2::PrefaceMatch::complete && worker_.limits->h2c) {
      worker_.error_log->debug("{}: h2c with prior knowledge", peer_of(socket_));
      auto session =
          std::make_shared<H2Session<TcpSocket>>(std::move(socket_), worker_, std::move(slot_), Protocol::h2c, remote);
      session->start(got);
    } else {
      worker_.error_log->debug("{}: HTTP/1.1 over cleartext", peer_of(socket_));
      start_http1(std::move(socket_), worker_, std::move(slot_), std::move(remote), got);
    }
  }

  TcpSocket socket_;
  WorkerState& worker_;
  ConnectionSlot slot_;
  asio::steady_timer timer_;
  std::array<std::byte, 24> buffer_{};
  std::size_t filled_ = 0;
};

void start_tls(TcpSocket socket, WorkerState& worker, ConnectionSlot slot, asio::ssl::context& ctx) {
  std::string remote = remote_of(socket);
  std::string peer = peer_of(socket);
  auto stream = std::make_shared<TlsStream>(std::move(socket), ctx);
  auto held = std::make_shared<ConnectionSlot>(std::move(slot));
  auto timer = std::make_shared<asio::steady_timer>(stream->get_executor());
  timer->expires_after(worker.limits->tls_handshake_timeout);
  timer->async_wait([stream, &worker, peer](std::error_code ec) {
    if (ec || !*stream) return;  // cancelled, or the stream already moved into its session
    worker.error_log->info("{}: TLS handshake timeout", peer);
    std::error_code ignored;
    stream->lowest_layer().close(ignored);
  });
  stream->async_handshake(asio::ssl::stream_base::server, [stream, timer, held, &worker, remote = std::move(remote),
                                                           peer = std::move(peer)](std::error_code ec) mutable {
    const bool timed_out = timer->expiry() <= asio::steady_timer::clock_type::now();
    timer->cancel();
    if (ec) {
      if (!timed_out) worker.error_log->info("{}: TLS handshake failed: {}", peer, ec.message());
      std::error_code ignored;
      stream->lowest_layer().close(ignored);
      return;
    }
    // RFC 9113 §3.2: h2 only when ALPN agreed on it; otherwise HTTP/1.1.
    if (net::negotiated_alpn(stream->native_handle()) == net::Alpn::h2) {
      worker.error_log->debug("{}: h2 over TLS", peer);
      auto session =
          std::make_shared<H2Session<TlsStream>>(std::move(*stream), worker, std::move(*held), Protocol::h2, remote);
      session->start({});
    } else {
      worker.error_log->debug("{}: HTTP/1.1 over TLS", peer);
      start_http1(std::move(*stream), worker, std::move(*held), std::move(remote), {});
    }
  });
}

// Takes one of limits.max_connections for a new connection, or closes it at once.
std::optional<ConnectionSlot> admit(TcpSocket& socket, WorkerState& worker) {
  auto slot = ConnectionSlot::take(*worker.open_connections, worker.limits->max_connections);
  if (!slot) {
    worker.error_log->warn("{}: connection refused: {} connections open (limits.max_connections)", peer_of(socket),
                           worker.limits->max_connections);
    close_transport(socket);
  }
  return slot;
}

}  // namespace

struct Server::Impl {
  explicit Impl(std::size_t workers) : pool(workers), states(pool.size()), handlers(pool.size()) {}

  net::WorkerPool pool;
  std::vector<WorkerState> states;
  std::vector<std::unique_ptr<Handler>> handlers;
  std::unique_ptr<AccessLog> access_log;
  std::shared_ptr<spdlog::logger> error_log;
  std::atomic<std::uint32_t> open_connections{0};  // over every worker (limits.max_connections)
  std::shared_ptr<asio::ssl::context> tls;
  std::vector<std::unique_ptr<net::Listener>> http_listeners;
  std::vector<std::unique_ptr<net::Listener>> https_listeners;
  std::atomic<bool> shutting_down{false};
  std::atomic<bool> stopped{false};  // wait() has returned once (the destructor waits again)
};

std::size_t worker_count(std::size_t requested) noexcept {
  return requested > 0 ? requested : std::max(1u, std::thread::hardware_concurrency());
}

Server::Server(ServerOptions options) : options_(std::move(options)) {}

Server::~Server() {
  if (impl_) {
    shut_down();
    wait();
  }
}

Result<std::unique_ptr<Server>, std::string> Server::start(ServerOptions options) {
  options.workers = worker_count(options.workers);
  if (!options.make_handler) return Unexpected{std::string("no request handler")};
  std::unique_ptr<Server> server(new Server(std::move(options)));
  ServerOptions& o = server->options_;
  server->impl_ = std::make_unique<Impl>(o.workers);
  Impl& impl = *server->impl_;

  auto error_log = open_error_log(o.error_log, o.error_log_level);
  if (!error_log) return Unexpected{error_log.error()};
  impl.error_log = std::move(*error_log);
  if (o.access_log != "off") {
    auto log = AccessLog::open(o.access_log, o.access_log_format);
    if (!log) return Unexpected{log.error()};
    impl.access_log = std::move(*log);
  }
  if (!o.https.empty()) {
    if (o.cert_file.empty() != o.key_file.empty()) {
      return Unexpected{std::string("--cert and --key go together")};
    }
    if (o.cert_file.empty()) {
      if (o.state_dir.empty()) {
        o.state_dir = std::filesystem::temp_directory_path() / ("h2push-" + std::to_string(::getpid()));
      }
      auto made = net::make_self_signed(o.state_dir);
      if (!made) return Unexpected{made.error()};
      o.cert_file = made->cert_file;
      o.key_file = made->key_file;
    }
    net::TlsOptions tls_options;
    tls_options.cert_file = o.cert_file;
    tls_options.key_file = o.key_file;
    const auto h2 = std::find(o.alpn.begin(), o.alpn.end(), "h2");
    const auto h1 = std::find(o.alpn.begin(), o.alpn.end(), "http/1.1");
    tls_options.offer_h2 = h2 != o.alpn.end();
    tls_options.offer_http11 = h1 != o.alpn.end() || !tls_options.offer_h2;
    tls_options.prefer_http11 = h1 < h2;
    tls_options.tls13_only = o.tls_min_version == TlsVersion::tls1_3;
    auto tls = net::make_server_tls(tls_options);
    if (!tls) return Unexpected{tls.error()};
    impl.tls = std::move(*tls);
  }
  for (std::size_t i = 0; i < impl.pool.size(); ++i) {
    impl.handlers[i] = o.make_handler();
    impl.states[i].handler = impl.handlers[i].get();
    impl.states[i].access_log = impl.access_log.get();
    impl.states[i].error_log = impl.error_log.get();
    impl.states[i].open_connections = &impl.open_connections;
    impl.states[i].limits = &o.limits;
    impl.states[i].push = o.push.get();
  }
  for (const net::Endpoint& ep : o.http) {
    auto listener = net::Listener::open(impl.pool, ep, [&impl](TcpSocket socket, std::size_t worker) {
      WorkerState& state = impl.states[worker];
      if (auto slot = admit(socket, state))
        std::make_shared<Sniffer>(std::move(socket), state, std::move(*slot))->start();
    });
    if (!listener) return Unexpected{listener.error()};
    impl.http_listeners.push_back(std::move(*listener));
  }
  for (const net::Endpoint& ep : o.https) {
    auto listener = net::Listener::open(impl.pool, ep, [&impl](TcpSocket socket, std::size_t worker) {
      WorkerState& state = impl.states[worker];
      if (auto slot = admit(socket, state)) start_tls(std::move(socket), state, std::move(*slot), *impl.tls);
    });
    if (!listener) return Unexpected{listener.error()};
    impl.https_listeners.push_back(std::move(*listener));
  }
  impl.pool.start();
  impl.error_log->info("started: {} worker{}, at most {} connections", impl.pool.size(),
                       impl.pool.size() == 1 ? "" : "s", o.limits.max_connections);
  for (const std::string& line : server->describe_listeners()) impl.error_log->info("listening on {}", line);
  return server;
}

std::vector<std::string> Server::describe_listeners() const {
  std::vector<std::string> lines;
  auto url = [](const std::string& scheme, const net::Listener& l) {
    const bool v6 = l.host().find(':') != std::string::npos;
    return scheme + "://" + (v6 ? "[" + l.host() + "]" : l.host()) + ":" + std::to_string(l.port()) + "/";
  };
  for (const auto& l : impl_->https_listeners) lines.push_back(url("https", *l) + " (h2, http/1.1)");
  for (const auto& l : impl_->http_listeners) lines.push_back(url("http", *l) + " (http/1.1, h2c)");
  return lines;
}

void Server::shut_down() {
  Impl& impl = *impl_;
  if (impl.shutting_down.exchange(true)) return;
  impl.error_log->info("graceful shutdown: listeners closed, GOAWAY sent; open connections are cut after {} ms",
                       options_.limits.shutdown_deadline.count());
  for (auto& l : impl.http_listeners) l->close();
  for (auto& l : impl.https_listeners) l->close();
  for (std::size_t i = 0; i < impl.pool.size(); ++i) {
    asio::post(impl.pool.context(i), [state = &impl.states[i]] {
      state->shutting_down = true;
      if (state->handler != nullptr) state->handler->shut_down();
      // Copy: a session may close (and leave the set) while being told.
      const std::vector<Session*> sessions(state->sessions.begin(), state->sessions.end());
      for (Session* s : sessions) {
        if (state->sessions.count(s) != 0) s->shut_down_gracefully();
      }
    });
  }
}

PushTotals Server::push_totals() const {
  PushTotals totals;
  for (const WorkerState& state : impl_->states) totals.add(state.push_totals);
  return totals;
}

void Server::wait() {
  impl_->pool.join();  // returns once every session has closed (their timers keep the loops alive until then)
  if (impl_->access_log) impl_->access_log->flush();
  if (!impl_->stopped.exchange(true)) impl_->error_log->info("stopped");
}

}  // namespace h2push::server
