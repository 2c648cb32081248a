// src/net/tls_stream.hpp: the server's own TLS stream over a TCP socket — many records per system call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <system_error>
#include <utility>

#include <openssl/ssl.h>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream_base.hpp>

namespace h2push::net {

namespace detail {

// A move-only, type-erased completion handler (Asio 1.22 has no any_completion_handler). Calling it consumes it.
template <class... Args>
class Completion {
 public:
  Completion() = default;
  template <class F>
  explicit Completion(F f) : impl_(std::make_unique<Impl<F>>(std::move(f))) {}
  explicit operator bool() const noexcept { return impl_ != nullptr; }
  void operator()(Args... args) {
    std::unique_ptr<Base> impl = std::move(impl_);
    impl->call(std::move(args)...);
  }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual void call(Args... args) = 0;
  };
  template <class F>
  struct Impl final : Base {
    explicit Impl(F function) : f(std::move(function)) {}
    void call(Args... args) override { f(std::move(args)...); }
    F f;
  };
  std::unique_ptr<Base> impl_;
};

struct TlsState;  // src/net/tls_stream.cpp

}  // namespace detail

// What a stream did on its socket, for tests and measurements.
struct TlsCounters {
  std::uint64_t socket_writes = 0;       // write system calls started (each may carry many records)
  std::uint64_t socket_reads = 0;        // read system calls started (each may carry many records)
  std::uint64_t ciphertext_written = 0;  // octets the socket took
  std::uint64_t plaintext_written = 0;   // octets taken from async_write_some callers
};

// A TLS stream with the calls the server's sessions use from asio::ssl::stream<tcp::socket>. Unlike it, a write
// encrypts its whole buffer (up to kMaxPlaintextPerWrite) into ≤16 KiB records appended to one ciphertext buffer and
// hands that to the socket at once (asio::ssl writes one record per system call, copying it twice), and a read takes
// up to kReadBufferSize ciphertext octets per system call. OpenSSL sees a memory-only BIO: its records are written
// straight into our buffer and read straight out of the socket's.
//
// Rules: one outstanding operation of each kind (handshake, read, write, shutdown), all started and completed on the
// socket's executor, which is the only thread touching the SSL object; a read and a write may be outstanding at the
// same time. Handlers never run inside the call that starts them. Output a read produces (a TLS 1.3 KeyUpdate reply,
// an alert) is queued behind the write in flight: never two socket writes at once.
//
// Errors: close_notify ends reads with asio::error::eof; an end of the connection without it with
// asio::ssl::error::stream_truncated; TLS failures with OpenSSL's error in asio::error::get_ssl_category() (its
// message is OpenSSL's reason); socket failures as the socket reports them.
class TlsStream {
 public:
  using executor_type = asio::ip::tcp::socket::executor_type;
  using lowest_layer_type = asio::ip::tcp::socket;

  // Plaintext octets one write encrypts at most; the rest of the caller's buffer is left for the next call.
  static constexpr std::size_t kMaxPlaintextPerWrite = 256 * 1024;
  // A write encrypts new plaintext only while less ciphertext than this waits to be sent (else it sends what waits
  // and reports 0 octets taken), so a client that stops reading costs at most ~kMaxPlaintextPerWrite + this.
  static constexpr std::size_t kEncryptBelow = 64 * 1024;
  // Ciphertext read from the socket per system call (two records and more).
  static constexpr std::size_t kReadBufferSize = 32 * 1024;

  // A new SSL object from `context` (which keeps ALPN, SNI, session cache and cipher rules) over `socket`.
  TlsStream(asio::ip::tcp::socket socket, asio::ssl::context& context);
  TlsStream(TlsStream&& other) noexcept;
  TlsStream& operator=(TlsStream&& other) noexcept;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;
  ~TlsStream();  // closes the socket; operations still outstanding complete with an error

  // False once moved from.
  explicit operator bool() const noexcept { return state_ != nullptr; }
  executor_type get_executor() noexcept;
  lowest_layer_type& lowest_layer() noexcept;
  const lowest_layer_type& lowest_layer() const noexcept;
  SSL* native_handle() noexcept;
  const TlsCounters& counters() const noexcept;

  // handler(std::error_code). Server or client side; session tickets (TLS 1.3) follow in the background.
  template <class Handler>
  void async_handshake(asio::ssl::stream_base::handshake_type type, Handler&& handler) {
    start_handshake(type, detail::Completion<std::error_code>(std::forward<Handler>(handler)));
  }
  // handler(std::error_code, std::size_t plaintext octets read into the first non-empty buffer).
  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    start_read(first_buffer<asio::mutable_buffer>(buffers),
               detail::Completion<std::error_code, std::size_t>(std::forward<Handler>(handler)));
  }
  // handler(std::error_code, std::size_t plaintext octets taken from the first non-empty buffer). Completes once the
  // socket took ciphertext (progress); what it has not taken yet goes on in the background, ahead of later output.
  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    start_write(first_buffer<asio::const_buffer>(buffers),
                detail::Completion<std::error_code, std::size_t>(std::forward<Handler>(handler)));
  }
  // handler(std::error_code): sends close_notify after the output already queued, then shuts the socket's sending
  // side and reads until the peer closes. Unbounded in time by itself: the caller closes the socket after a while.
  template <class Handler>
  void async_shutdown(Handler&& handler) {
    start_shutdown(detail::Completion<std::error_code>(std::forward<Handler>(handler)));
  }

 private:
  template <class Buffer, class Buffers>
  static Buffer first_buffer(const Buffers& buffers) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
      const Buffer b(*it);
      if (b.size() != 0) return b;
    }
    return Buffer();
  }

  void start_handshake(asio::ssl::stream_base::handshake_type type, detail::Completion<std::error_code> handler);
  void start_read(asio::mutable_buffer buffer, detail::Completion<std::error_code, std::size_t> handler);
  void start_write(asio::const_buffer buffer, detail::Completion<std::error_code, std::size_t> handler);
  void start_shutdown(detail::Completion<std::error_code> handler);

  // Shared with the completion handlers of socket operations in flight, so it outlives a stream destroyed meanwhile.
  std::shared_ptr<detail::TlsState> state_;
};

}  // namespace h2push::net
