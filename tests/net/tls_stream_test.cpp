// tests/net/tls_stream_test.cpp: net::TlsStream on loopback against an asio::ssl (OpenSSL) client — echo of large
// writes in few socket writes, close_notify, truncation, a garbage handshake, KeyUpdate and session resumption.
#include "net/tls_stream.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/read.hpp>
#include <asio/ssl/error.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>

#include "net/tls.hpp"

namespace h2push::net {
namespace {

using Tcp = asio::ip::tcp;
using Client = asio::ssl::stream<Tcp::socket>;

std::vector<std::byte> pattern(std::size_t n, unsigned seed) {
  std::vector<std::byte> v(n);
  unsigned x = seed;
  for (auto& b : v) {
    x = x * 1103515245u + 12345u;
    b = static_cast<std::byte>(x >> 16);
  }
  return v;
}

class TlsStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("h2push-tls-stream-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    auto made = make_self_signed(dir_);
    ASSERT_TRUE(made) << made.error();
    TlsOptions options;
    options.cert_file = made.value().cert_file;
    options.key_file = made.value().key_file;
    auto ctx = make_server_tls(options);
    ASSERT_TRUE(ctx) << ctx.error();
    server_ctx_ = ctx.value();
    client_ctx_.set_verify_mode(asio::ssl::verify_none);
    acceptor_.open(Tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Runs the loop until `done()` or a bound in handler runs and time (a hung test fails, it does not hang).
  template <class Pred>
  bool run_until(Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (int i = 0; i < 1'000'000 && !done() && std::chrono::steady_clock::now() < deadline; ++i) {
      io_.restart();
      io_.run_one_for(std::chrono::milliseconds(50));
    }
    return done();
  }

  // A TCP connection: the server's accepted socket and the client's.
  std::pair<Tcp::socket, Tcp::socket> connect() {
    Tcp::socket client(io_);
    std::optional<Tcp::socket> accepted;
    acceptor_.async_accept([&](std::error_code ec, Tcp::socket s) {
      if (!ec) accepted.emplace(std::move(s));
    });
    client.connect(acceptor_.local_endpoint());
    EXPECT_TRUE(run_until([&] { return accepted.has_value(); }));
    return {std::move(*accepted), std::move(client)};
  }

  // A handshaken pair; `session` (if any) is offered by the client for resumption.
  struct Pair {
    std::unique_ptr<TlsStream> server;
    std::unique_ptr<Client> client;
  };
  Pair handshake(SSL_SESSION* session = nullptr) {
    auto [server_socket, client_socket] = connect();
    Pair p{std::make_unique<TlsStream>(std::move(server_socket), *server_ctx_),
           std::make_unique<Client>(std::move(client_socket), client_ctx_)};
    if (session != nullptr) SSL_set_session(p.client->native_handle(), session);
    std::optional<std::error_code> server_ec, client_ec;
    p.server->async_handshake(asio::ssl::stream_base::server, [&](std::error_code ec) { server_ec = ec; });
    p.client->async_handshake(asio::ssl::stream_base::client, [&](std::error_code ec) { client_ec = ec; });
    EXPECT_TRUE(run_until([&] { return server_ec && client_ec; }));
    EXPECT_FALSE(server_ec.value_or(asio::error::timed_out)) << server_ec->message();
    EXPECT_FALSE(client_ec.value_or(asio::error::timed_out)) << client_ec->message();
    return p;
  }

  // Writes all of `data` with the server stream's async_write_some; returns the error, if any.
  std::error_code server_write_all(TlsStream& server, const std::vector<std::byte>& data, bool& done) {
    auto offset = std::make_shared<std::size_t>(0);
    auto result = std::make_shared<std::error_code>();
    auto step = std::make_shared<std::function<void()>>();
    *step = [&, offset, result, step] {
      server.async_write_some(asio::buffer(data.data() + *offset, data.size() - *offset),
                              [&, offset, result, step](std::error_code ec, std::size_t n) {
                                *offset += n;
                                if (ec || *offset == data.size()) {
                                  *result = ec;
                                  done = true;
                                  *step = nullptr;  // breaks the cycle
                                  return;
                                }
                                (*step)();
                              });
    };
    (*step)();
    EXPECT_TRUE(run_until([&] { return done; }));
    return *result;
  }

  // Echoes `data` from the client through the server and back; returns what came back.
  std::vector<std::byte> echo(Pair& p, const std::vector<std::byte>& data) {
    std::vector<std::byte> received;
    std::array<std::byte, 16384> buffer{};
    std::error_code server_ec;
    std::function<void()> read_more = [&] {
      p.server->async_read_some(asio::buffer(buffer), [&](std::error_code ec, std::size_t n) {
        if (ec) {
          server_ec = ec;
          return;
        }
        received.insert(received.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
        if (received.size() < data.size()) read_more();
      });
    };
    read_more();
    bool sent = false;
    asio::async_write(*p.client, asio::buffer(data), [&](std::error_code ec, std::size_t) {
      EXPECT_FALSE(ec) << ec.message();
      sent = true;
    });
    EXPECT_TRUE(run_until([&] { return (sent && received.size() >= data.size()) || server_ec; }));
    EXPECT_FALSE(server_ec) << server_ec.message();
    std::vector<std::byte> back(received.size());
    bool got = false;
    asio::async_read(*p.client, asio::buffer(back), [&](std::error_code ec, std::size_t) {
      EXPECT_FALSE(ec) << ec.message();
      got = true;
    });
    bool written = false;
    EXPECT_FALSE(server_write_all(*p.server, received, written));
    EXPECT_TRUE(run_until([&] { return got; }));
    return back;
  }

  // close_notify both ways: the client's first, then the server's after its read saw eof.
  void close_both(Pair& p) {
    std::array<std::byte, 64> buffer{};
    std::optional<std::error_code> read_ec, client_ec, server_ec;
    p.server->async_read_some(asio::buffer(buffer), [&](std::error_code ec, std::size_t) {
      read_ec = ec;
      p.server->async_shutdown([&](std::error_code e) { server_ec = e; });
    });
    p.client->async_shutdown([&](std::error_code ec) { client_ec = ec; });
    EXPECT_TRUE(run_until([&] { return read_ec && client_ec && server_ec; }));
    EXPECT_EQ(read_ec.value_or(std::error_code()), asio::error::eof);
  }

  asio::io_context io_;
  Tcp::acceptor acceptor_{io_};
  std::filesystem::path dir_;
  std::shared_ptr<asio::ssl::context> server_ctx_;
  asio::ssl::context client_ctx_{asio::ssl::context::tls_client};
};

TEST_F(TlsStreamTest, EchoesMebibyteInFewSocketWritesWhenWritesAreLarge) {
  Pair p = handshake();
  const TlsCounters before = p.server->counters();
  const std::vector<std::byte> data = pattern(1024 * 1024, 7);
  EXPECT_EQ(echo(p, data), data);
  const TlsCounters& after = p.server->counters();
  EXPECT_EQ(after.plaintext_written - before.plaintext_written, data.size());
  // 1 MiB is 64 records of 16 KiB: asio::ssl makes a socket write per record; we encrypt up to 256 KiB per write.
  EXPECT_LT(after.socket_writes - before.socket_writes, 16u);  // 4 here
  EXPECT_GT(after.ciphertext_written - before.ciphertext_written, data.size());
  // The client's records were read several per system call (32 KiB reads), not one read per record or less.
  EXPECT_LT(after.socket_reads - before.socket_reads, 64u);
}

TEST_F(TlsStreamTest, EndsReadWithEofWhenPeerSendsCloseNotify) {
  Pair p = handshake();
  std::array<std::byte, 1024> buffer{};
  std::optional<std::error_code> read_ec, client_ec;
  p.server->async_read_some(asio::buffer(buffer), [&](std::error_code ec, std::size_t) { read_ec = ec; });
  p.client->async_shutdown([&](std::error_code ec) { client_ec = ec; });
  ASSERT_TRUE(run_until([&] { return read_ec.has_value(); }));
  EXPECT_EQ(*read_ec, asio::error::eof) << read_ec->message();
  std::optional<std::error_code> shutdown_ec;
  p.server->async_shutdown([&](std::error_code ec) { shutdown_ec = ec; });
  ASSERT_TRUE(run_until([&] { return shutdown_ec && client_ec; }));
  EXPECT_FALSE(*shutdown_ec) << shutdown_ec->message();
  EXPECT_FALSE(*client_ec) << client_ec->message();  // the client saw our close_notify
}

TEST_F(TlsStreamTest, EndsReadWithStreamTruncatedWhenPeerClosesWithoutCloseNotify) {
  Pair p = handshake();
  std::array<std::byte, 1024> buffer{};
  std::optional<std::error_code> read_ec;
  p.server->async_read_some(asio::buffer(buffer), [&](std::error_code ec, std::size_t) { read_ec = ec; });
  p.client->lowest_layer().shutdown(Tcp::socket::shutdown_send);  // a FIN without close_notify
  ASSERT_TRUE(run_until([&] { return read_ec.has_value(); }));
  EXPECT_EQ(*read_ec, asio::ssl::error::stream_truncated) << read_ec->message();
}

TEST_F(TlsStreamTest, FailsHandshakeWithOpenSslReasonWhenClientSendsHttp) {
  auto [server_socket, client_socket] = connect();
  TlsStream server(std::move(server_socket), *server_ctx_);
  std::optional<std::error_code> server_ec;
  server.async_handshake(asio::ssl::stream_base::server, [&](std::error_code ec) { server_ec = ec; });
  const std::string garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  asio::write(client_socket, asio::buffer(garbage));
  ASSERT_TRUE(run_until([&] { return server_ec.has_value(); }));
  EXPECT_EQ(server_ec->category(), asio::error::get_ssl_category());
  EXPECT_NE(server_ec->message().find("http request"), std::string::npos) << server_ec->message();
}

TEST_F(TlsStreamTest, SendsAlertAndFailsHandshakeWhenClientHelloIsMalformed) {
  auto [server_socket, client_socket] = connect();
  TlsStream server(std::move(server_socket), *server_ctx_);
  std::optional<std::error_code> server_ec;
  server.async_handshake(asio::ssl::stream_base::server, [&](std::error_code ec) { server_ec = ec; });
  // A handshake record holding a ClientHello of length 2 with nothing sensible in it.
  const std::array<unsigned char, 11> hello = {0x16, 0x03, 0x01, 0x00, 0x06, 0x01, 0x00, 0x00, 0x02, 0x03, 0x03};
  asio::write(client_socket, asio::buffer(hello));
  ASSERT_TRUE(run_until([&] { return server_ec.has_value(); }));
  EXPECT_EQ(server_ec->category(), asio::error::get_ssl_category()) << server_ec->message();
  // The server told the client why: a TLS alert record (content type 21) came back.
  std::array<unsigned char, 64> reply{};
  std::optional<std::size_t> n;
  client_socket.async_read_some(asio::buffer(reply), [&](std::error_code, std::size_t k) { n = k; });
  ASSERT_TRUE(run_until([&] { return n.has_value(); }));
  ASSERT_GT(*n, 0u);
  EXPECT_EQ(reply[0], 21);
}

TEST_F(TlsStreamTest, KeepsExchangingDataWhenClientUpdatesKeys) {
  Pair p = handshake();
  const std::vector<std::byte> first = pattern(100'000, 1);
  EXPECT_EQ(echo(p, first), first);
  // The client asks for new keys both ways; the server reads the KeyUpdate and sends its own.
  ASSERT_EQ(SSL_key_update(p.client->native_handle(), SSL_KEY_UPDATE_REQUESTED), 1);
  const std::vector<std::byte> second = pattern(300'000, 2);
  EXPECT_EQ(echo(p, second), second);
  ASSERT_EQ(SSL_key_update(p.client->native_handle(), SSL_KEY_UPDATE_NOT_REQUESTED), 1);
  const std::vector<std::byte> third = pattern(5'000, 3);
  EXPECT_EQ(echo(p, third), third);
  // The server's own key update goes out with its next write.
  ASSERT_EQ(SSL_key_update(p.server->native_handle(), SSL_KEY_UPDATE_REQUESTED), 1);
  const std::vector<std::byte> fourth = pattern(70'000, 4);
  EXPECT_EQ(echo(p, fourth), fourth);
}

TEST_F(TlsStreamTest, ResumesSessionWhenClientOffersTicketOfEarlierConnection) {
  SSL_SESSION* session = nullptr;
  {
    Pair first = handshake();
    const std::vector<std::byte> data = pattern(1000, 9);
    EXPECT_EQ(echo(first, data), data);  // TLS 1.3: the tickets arrive after the handshake, read with the echo
    EXPECT_EQ(SSL_session_reused(first.server->native_handle()), 0);
    session = SSL_get1_session(first.client->native_handle());
    ASSERT_NE(session, nullptr);
    close_both(first);  // OpenSSL keeps a session resumable only when its connection was shut down cleanly
    ASSERT_EQ(SSL_SESSION_is_resumable(session), 1);
  }
  Pair second = handshake(session);
  SSL_SESSION_free(session);
  EXPECT_EQ(SSL_session_reused(second.client->native_handle()), 1);
  EXPECT_EQ(SSL_session_reused(second.server->native_handle()), 1);
  const std::vector<std::byte> data = pattern(2000, 10);
  EXPECT_EQ(echo(second, data), data);
}

TEST_F(TlsStreamTest, FailsWriteAndReadWithErrorAfterSocketIsClosed) {
  Pair p = handshake();
  p.server->lowest_layer().close();
  std::optional<std::error_code> write_ec, read_ec;
  const std::vector<std::byte> data = pattern(1000, 5);
  std::array<std::byte, 100> buffer{};
  p.server->async_write_some(asio::buffer(data), [&](std::error_code ec, std::size_t) { write_ec = ec; });
  p.server->async_read_some(asio::buffer(buffer), [&](std::error_code ec, std::size_t) { read_ec = ec; });
  ASSERT_TRUE(run_until([&] { return write_ec && read_ec; }));
  EXPECT_TRUE(*write_ec);
  EXPECT_TRUE(*read_ec);
}

TEST_F(TlsStreamTest, MovesWithoutLosingConnection) {
  Pair p = handshake();
  auto moved = std::make_unique<TlsStream>(std::move(*p.server));
  EXPECT_FALSE(static_cast<bool>(*p.server));
  p.server = std::move(moved);
  EXPECT_TRUE(static_cast<bool>(*p.server));
  const std::vector<std::byte> data = pattern(40'000, 6);
  EXPECT_EQ(echo(p, data), data);
}

}  // namespace
}  // namespace h2push::net
