// src/net/listener.cpp
#include "net/listener.hpp"

#include <sys/socket.h>

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

namespace h2push::net {

// Owned jointly by the Listener and the pending accept, so that closing during an accept is safe.
struct Listener::Acceptor {
  Acceptor(asio::io_context& ctx, std::size_t index, std::shared_ptr<AcceptHandler> h)
      : acceptor(ctx), retry(ctx), worker(index), handler(std::move(h)) {}
  asio::ip::tcp::acceptor acceptor;
  asio::steady_timer retry;
  std::size_t worker;
  std::shared_ptr<AcceptHandler> handler;
};

Result<std::unique_ptr<Listener>, std::string> Listener::open(WorkerPool& pool, const Endpoint& endpoint,
                                                              AcceptHandler handler) {
  std::unique_ptr<Listener> listener(new Listener());
  auto shared_handler = std::make_shared<AcceptHandler>(std::move(handler));
  listener->host_ = endpoint.host;
  std::error_code ec;
  const asio::ip::address address = asio::ip::make_address(endpoint.host, ec);
  if (ec) return Unexpected{"invalid listen address '" + endpoint.host + "': " + ec.message()};
  std::uint16_t port = endpoint.port;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    auto a = std::make_shared<Acceptor>(pool.context(i), i, shared_handler);
    const asio::ip::tcp::endpoint ep(address, port);
    auto fail = [&](const char* what) {
      return Unexpected{std::string(what) + " " + endpoint.host + ":" + std::to_string(port) + ": " + ec.message()};
    };
    a->acceptor.open(ep.protocol(), ec);
    if (ec) return fail("cannot open a socket for");
    a->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return fail("SO_REUSEADDR on");
    const int one = 1;
    if (::setsockopt(a->acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      ec = std::error_code(errno, std::generic_category());
      return fail("SO_REUSEPORT on");
    }
    a->acceptor.bind(ep, ec);
    if (ec) return fail("cannot bind");
    a->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("cannot listen on");
    if (port == 0) port = a->acceptor.local_endpoint().port();
    listener->acceptors_.push_back(std::move(a));
  }
  listener->port_ = port;
  for (auto& a : listener->acceptors_) {
    asio::post(a->acceptor.get_executor(), [a] { accept_next(a); });
  }
  return listener;
}

Listener::~Listener() { close(); }

void Listener::accept_next(const std::shared_ptr<Acceptor>& a) {
  a->acceptor.async_accept([a](std::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !a->acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors (EMFILE) and the like: try again shortly instead of spinning.
      a->retry.expires_after(std::chrono::milliseconds(50));
      a->retry.async_wait([a](std::error_code wait_ec) {
        if (!wait_ec) accept_next(a);
      });
      return;
    }
    std::error_code ignored;
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    (*a->handler)(std::move(socket), a->worker);
    accept_next(a);
  });
}

void Listener::close() {
  for (auto& a : acceptors_) {
    asio::post(a->acceptor.get_executor(), [a] {
      std::error_code ignored;
      a->acceptor.close(ignored);
      a->retry.cancel();
    });
  }
}

}  // namespace h2push::net
