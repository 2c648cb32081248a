// src/net/tls_stream.cpp
#include "net/tls_stream.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <new>
#include <vector>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <asio/error.hpp>
#include <asio/post.hpp>
#include <asio/ssl/error.hpp>

namespace h2push::net {
namespace detail {

using ReadHandler = Completion<std::error_code, std::size_t>;
using DoneHandler = Completion<std::error_code>;

// Everything a stream owns. Socket completions hold a shared_ptr to it; the SSL object's BIO points at it.
struct TlsState : std::enable_shared_from_this<TlsState> {
  explicit TlsState(asio::ip::tcp::socket s) : socket(std::move(s)), in(new std::byte[TlsStream::kReadBufferSize]) {}
  ~TlsState() {
    if (ssl != nullptr) SSL_free(ssl);  // frees the BIO too
  }
  TlsState(const TlsState&) = delete;
  TlsState& operator=(const TlsState&) = delete;

  std::size_t unsent() const noexcept { return queued - out_offset; }

  void handshake_step(bool initiating);
  void read_step(bool initiating);
  void fill();  // one socket read into `in`, then the pending handshake, read or drain goes on
  void on_filled(std::error_code ec, std::size_t n);
  void begin_write(bool initiating);
  void flush();  // one socket write of the queued ciphertext unless one is in flight
  void on_written(std::error_code ec, std::size_t n);
  void shutdown_step(bool initiating);
  void drain();
  std::error_code ssl_error(int result);
  template <class Handler, class... Args>
  void finish(bool initiating, Handler& handler, Args... args) {
    if (initiating) {
      asio::post(socket.get_executor(), [h = std::move(handler), args...]() mutable { h(args...); });
    } else {
      Handler h = std::move(handler);
      h(args...);
    }
  }

  // BIO callbacks: OpenSSL writes records into `out` and reads ciphertext out of `in`.
  void append(const char* data, std::size_t n);
  std::size_t take(char* data, std::size_t n);

  asio::ip::tcp::socket socket;
  SSL* ssl = nullptr;
  TlsCounters counters;

  // Ciphertext received: in[in_begin, in_end) not yet given to OpenSSL.
  std::unique_ptr<std::byte[]> in;
  std::size_t in_begin = 0;
  std::size_t in_end = 0;
  bool socket_reading = false;
  bool in_eof = false;
  std::error_code read_error;

  // Ciphertext to send, in chunks; the first `in_flight` chunks belong to the socket write in flight (never appended
  // to meanwhile), out_offset octets of the front chunk are sent already.
  std::deque<std::vector<std::byte>> out;
  std::vector<std::byte> spare;  // a sent chunk kept for its capacity
  std::size_t in_flight = 0;
  std::size_t out_offset = 0;
  std::size_t queued = 0;  // octets in `out`, counting the sent part of the front chunk
  bool socket_writing = false;
  std::error_code write_error;

  DoneHandler handshake_handler;
  asio::mutable_buffer read_buffer;
  ReadHandler read_handler;
  asio::const_buffer write_buffer;
  ReadHandler write_handler;
  std::size_t write_taken = 0;
  bool write_started = false;  // write_buffer is encrypted (write_taken octets) and waits for socket progress
  DoneHandler shutdown_handler;
  bool draining = false;
  std::size_t drained = 0;
};

namespace {

// Empties this thread's OpenSSL error queue, so that SSL_get_error() after the next call judges that call alone.
// The queue is nearly always empty already: peeking costs less than ERR_clear_error()'s sweep of every slot, which
// showed up at 0.8% of the server's samples serving small responses over TLS.
void clear_errors() noexcept {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

TlsState* state_of(BIO* bio) { return static_cast<TlsState*>(BIO_get_data(bio)); }

int bio_write(BIO* bio, const char* data, std::size_t n, std::size_t* written) {
  BIO_clear_retry_flags(bio);
  state_of(bio)->append(data, n);
  *written = n;
  return 1;
}

int bio_read(BIO* bio, char* data, std::size_t n, std::size_t* read) {
  BIO_clear_retry_flags(bio);
  *read = state_of(bio)->take(data, n);
  if (*read > 0) return 1;
  // Empty: always "try again" — the stream itself turns an end of the socket into eof or stream_truncated.
  BIO_set_retry_read(bio);
  return 0;
}

long bio_ctrl(BIO* bio, int cmd, long, void*) {
  switch (cmd) {
    case BIO_CTRL_FLUSH:
    case BIO_CTRL_DUP:
      return 1;
    case BIO_CTRL_PENDING: {
      const TlsState* s = state_of(bio);
      return static_cast<long>(s->in_end - s->in_begin);
    }
    default:
      return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD* bio_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "h2push TLS stream");
    BIO_meth_set_write_ex(m, bio_write);
    BIO_meth_set_read_ex(m, bio_read);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_create(m, bio_create);
    return m;
  }();
  return method;
}

constexpr std::size_t kMaxChunksPerWrite = 4;
constexpr std::size_t kRecordRoom = 16 * 1024 + 256;  // a whole TLS record fits in the room left for a socket read
constexpr std::size_t kMaxDrainOctets = 1024 * 1024;  // shutdown: the peer's late input read and dropped, at most

}  // namespace

void TlsState::append(const char* data, std::size_t n) {
  if (out.size() <= in_flight) {
    out.emplace_back(std::move(spare));
    spare = {};
    out.back().clear();
  }
  std::vector<std::byte>& chunk = out.back();
  const auto* bytes = reinterpret_cast<const std::byte*>(data);
  chunk.insert(chunk.end(), bytes, bytes + n);
  queued += n;
}

std::size_t TlsState::take(char* data, std::size_t n) {
  const std::size_t k = std::min(n, in_end - in_begin);
  std::memcpy(data, in.get() + in_begin, k);
  in_begin += k;
  return k;
}

// OpenSSL's error for a failed call returning `result`, its queue emptied.
std::error_code TlsState::ssl_error(int result) {
  const int kind = SSL_get_error(ssl, result);
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (kind == SSL_ERROR_ZERO_RETURN) return asio::error::eof;
  if (code != 0) return {static_cast<int>(code), asio::error::get_ssl_category()};
  if (in_eof) return asio::ssl::error::stream_truncated;
  return std::make_error_code(std::errc::protocol_error);
}

void TlsState::fill() {
  if (socket_reading) return;  // the read in flight resumes whoever waits
  if (in_begin == in_end) in_begin = in_end = 0;
  if (in_begin > 0 && TlsStream::kReadBufferSize - in_end < kRecordRoom) {
    std::memmove(in.get(), in.get() + in_begin, in_end - in_begin);
    in_end -= in_begin;
    in_begin = 0;
  }
  socket_reading = true;
  ++counters.socket_reads;
  socket.async_read_some(asio::buffer(in.get() + in_end, TlsStream::kReadBufferSize - in_end),
                         [self = shared_from_this()](std::error_code ec, std::size_t n) { self->on_filled(ec, n); });
}

void TlsState::on_filled(std::error_code ec, std::size_t n) {
  socket_reading = false;
  if (ec == asio::error::eof) {
    in_eof = true;
  } else if (ec) {
    read_error = ec;
  }
  in_end += n;
  if (draining) {
    drained += n;
    drain();
    return;
  }
  if (handshake_handler) {
    handshake_step(false);
  } else if (read_handler) {
    read_step(false);
  }
}

void TlsState::handshake_step(bool initiating) {
  clear_errors();
  const int result = SSL_do_handshake(ssl);
  flush();  // flights, alerts and session tickets go out as soon as they exist
  if (result == 1) return finish(initiating, handshake_handler, std::error_code());
  if (SSL_get_error(ssl, result) == SSL_ERROR_WANT_READ) {
    clear_errors();
    if (read_error) return finish(initiating, handshake_handler, read_error);
    if (in_eof) return finish(initiating, handshake_handler, std::error_code(asio::error::eof));
    return fill();
  }
  const std::error_code ec = ssl_error(result);
  finish(initiating, handshake_handler, ec);
}

void TlsState::read_step(bool initiating) {
  clear_errors();
  std::size_t n = 0;
  const int result = SSL_read_ex(ssl, read_buffer.data(), read_buffer.size(), &n);
  flush();  // a KeyUpdate reply or an alert
  if (result == 1) return finish(initiating, read_handler, std::error_code(), n);
  if (SSL_get_error(ssl, result) == SSL_ERROR_WANT_READ) {
    clear_errors();
    if (read_error) return finish(initiating, read_handler, read_error, std::size_t{0});
    if (in_eof) return finish(initiating, read_handler, std::error_code(asio::ssl::error::stream_truncated), n);
    return fill();
  }
  const std::error_code ec = ssl_error(result);
  finish(initiating, read_handler, ec, std::size_t{0});
}

void TlsState::begin_write(bool initiating) {
  write_started = true;
  write_taken = 0;
  if (unsent() < TlsStream::kEncryptBelow) {
    const std::size_t n = std::min(write_buffer.size(), TlsStream::kMaxPlaintextPerWrite);
    clear_errors();
    const int result = SSL_write_ex(ssl, write_buffer.data(), n, &write_taken);
    if (result != 1) {
      write_started = false;
      const std::error_code ec = ssl_error(result);
      flush();
      return finish(initiating, write_handler, ec, std::size_t{0});
    }
    counters.plaintext_written += write_taken;
  }
  flush();
}

void TlsState::flush() {
  if (socket_writing || unsent() == 0 || write_error) return;
  std::array<asio::const_buffer, kMaxChunksPerWrite> buffers;
  in_flight = std::min(out.size(), kMaxChunksPerWrite);
  for (std::size_t i = 0; i < in_flight; ++i) {
    const std::size_t skip = i == 0 ? out_offset : 0;
    buffers[i] = asio::buffer(out[i].data() + skip, out[i].size() - skip);
  }
  socket_writing = true;
  ++counters.socket_writes;
  auto done = [self = shared_from_this()](std::error_code ec, std::size_t n) { self->on_written(ec, n); };
  if (in_flight == 1) {
    socket.async_write_some(buffers[0], std::move(done));
  } else {
    socket.async_write_some(buffers, std::move(done));
  }
}

void TlsState::on_written(std::error_code ec, std::size_t n) {
  socket_writing = false;
  in_flight = 0;
  if (ec) {
    write_error = ec;
    if (write_handler) finish(false, write_handler, ec, std::size_t{0});
    if (shutdown_handler && !draining) finish(false, shutdown_handler, ec);
    return;
  }
  counters.ciphertext_written += n;
  out_offset += n;
  while (!out.empty() && out_offset >= out.front().size()) {
    out_offset -= out.front().size();
    queued -= out.front().size();
    // The largest sent chunk is kept for the next write: no allocation per write (freeing a 256 KiB HTTP/1.1 chunk
    // after each write costs an allocation, and under ASan its quarantine grows the resident memory).
    if (out.front().capacity() > spare.capacity()) spare = std::move(out.front());
    out.pop_front();
  }
  if (write_handler && write_started) {
    write_started = false;
    finish(false, write_handler, std::error_code(), write_taken);  // may start the next write
  } else if (write_handler) {
    begin_write(false);
  }
  flush();  // what is left, unless the next write already sent it
  if (shutdown_handler && !draining && !socket_writing && !write_handler) shutdown_step(false);
}

void TlsState::shutdown_step(bool initiating) {
  if (write_error) return finish(initiating, shutdown_handler, write_error);
  flush();
  if (socket_writing || write_handler) return;  // on_written comes back here
  std::error_code ignored;
  socket.shutdown(asio::socket_base::shutdown_send, ignored);
  // Nothing to wait for when a read in flight sees the end, or the peer's close_notify came already.
  if (socket_reading || (SSL_get_shutdown(ssl) & SSL_RECEIVED_SHUTDOWN) != 0) {
    return finish(initiating, shutdown_handler, std::error_code());
  }
  draining = true;
  if (initiating) {
    asio::post(socket.get_executor(), [self = shared_from_this()] { self->drain(); });
  } else {
    drain();
  }
}

// After close_notify: read and drop until the peer closes (then its last octets are not lost to a reset).
void TlsState::drain() {
  in_begin = in_end = 0;
  if (in_eof || read_error || drained > kMaxDrainOctets) {
    draining = false;
    return finish(false, shutdown_handler, std::error_code());
  }
  fill();
}

}  // namespace detail

TlsStream::TlsStream(asio::ip::tcp::socket socket, asio::ssl::context& context)
    : state_(std::make_shared<detail::TlsState>(std::move(socket))) {
  state_->ssl = SSL_new(context.native_handle());
  if (state_->ssl == nullptr) throw std::bad_alloc();  // only when OpenSSL cannot allocate
  BIO* bio = BIO_new(detail::bio_method());
  if (bio == nullptr) throw std::bad_alloc();
  BIO_set_data(bio, state_.get());
  SSL_set_bio(state_->ssl, bio, bio);
}

TlsStream::TlsStream(TlsStream&& other) noexcept = default;
TlsStream& TlsStream::operator=(TlsStream&& other) noexcept = default;

TlsStream::~TlsStream() {
  if (state_ == nullptr) return;
  std::error_code ignored;
  state_->socket.close(ignored);
}

TlsStream::executor_type TlsStream::get_executor() noexcept { return state_->socket.get_executor(); }
TlsStream::lowest_layer_type& TlsStream::lowest_layer() noexcept { return state_->socket; }
const TlsStream::lowest_layer_type& TlsStream::lowest_layer() const noexcept { return state_->socket; }
SSL* TlsStream::native_handle() noexcept { return state_->ssl; }
const TlsCounters& TlsStream::counters() const noexcept { return state_->counters; }

void TlsStream::start_handshake(asio::ssl::stream_base::handshake_type type, detail::Completion<std::error_code> h) {
  if (type == asio::ssl::stream_base::server) {
    SSL_set_accept_state(state_->ssl);
  } else {
    SSL_set_connect_state(state_->ssl);
  }
  state_->handshake_handler = std::move(h);
  state_->handshake_step(true);
}

void TlsStream::start_read(asio::mutable_buffer buffer, detail::Completion<std::error_code, std::size_t> h) {
  detail::TlsState& s = *state_;
  s.read_handler = std::move(h);
  s.read_buffer = buffer;
  if (buffer.size() == 0) return s.finish(true, s.read_handler, std::error_code(), std::size_t{0});
  s.read_step(true);
}

void TlsStream::start_write(asio::const_buffer buffer, detail::Completion<std::error_code, std::size_t> h) {
  detail::TlsState& s = *state_;
  s.write_handler = std::move(h);
  s.write_buffer = buffer;
  s.write_started = false;
  if (s.write_error) return s.finish(true, s.write_handler, s.write_error, std::size_t{0});
  if (buffer.size() == 0) return s.finish(true, s.write_handler, std::error_code(), std::size_t{0});
  if (!s.socket_writing) s.begin_write(true);  // else on_written starts it
}

void TlsStream::start_shutdown(detail::Completion<std::error_code> h) {
  detail::TlsState& s = *state_;
  s.shutdown_handler = std::move(h);
  if (SSL_is_init_finished(s.ssl)) {
    detail::clear_errors();
    (void)SSL_shutdown(s.ssl);  // queues close_notify; the peer's is not awaited here (drain reads to the end)
    detail::clear_errors();
  }
  s.shutdown_step(true);
}

}  // namespace h2push::net
