// src/server/session.hpp: what every connection of the server has in common, and what the worker keeps of them.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <spdlog/logger.h>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "h2push/http1/server_connection.hpp"
#include "h2push/http2/connection.hpp"
#include "net/tls_stream.hpp"
#include "server/access_log.hpp"
#include "server/exchange.hpp"
#include "server/handler.hpp"
#include "server/push_policy.hpp"
#include "server/session_push.hpp"

namespace h2push::server {

// Timeouts and limits every session applies.
struct SessionLimits {
  std::chrono::milliseconds tls_handshake_timeout{10'000};
  std::chrono::milliseconds request_header_timeout{10'000};  // HTTP/1.1: from connect or the previous response
  std::chrono::milliseconds idle_timeout{60'000};            // no stream open and nothing received
  std::chrono::milliseconds keep_alive_timeout{15'000};      // HTTP/1.1 between requests
  std::chrono::milliseconds shutdown_deadline{10'000};       // graceful shutdown: in-flight streams may finish
  std::chrono::milliseconds send_timeout{60'000};            // no send progress: stream reset or connection closed
  std::uint32_t max_connections = 10'000;                    // over every listener and worker
  std::size_t max_write_chunk = 256 * 1024;                  // octets copied out of the core per socket write
  bool h2c = true;       // cleartext HTTP/2: prior knowledge and Upgrade (server.h2c)
  http2::Options http2;  // role is forced to server
  http1::Options http1;
};

class Session;

// How often a session looks at its send progress: a quarter of the send timeout, between 10 ms and 1 s.
inline std::chrono::milliseconds send_check_period(const SessionLimits& limits) {
  return std::clamp(limits.send_timeout / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
}

// One of limits.max_connections, held from accept to close; the count is shared by every worker.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(ConnectionSlot&& other) noexcept : count_(std::exchange(other.count_, nullptr)) {}
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept {
    if (this != &other) {
      release();
      count_ = std::exchange(other.count_, nullptr);
    }
    return *this;
  }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot() { release(); }

  // A slot of `count`, or none (an empty optional) when `max` are taken.
  static std::optional<ConnectionSlot> take(std::atomic<std::uint32_t>& count, std::uint32_t max) noexcept {
    std::uint32_t n = count.load(std::memory_order_relaxed);
    do {
      if (n >= max) return std::nullopt;
    } while (!count.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
    ConnectionSlot slot;
    slot.count_ = &count;
    return slot;
  }

 private:
  void release() noexcept {
    if (count_ != nullptr) count_->fetch_sub(1, std::memory_order_relaxed);
    count_ = nullptr;
  }
  std::atomic<std::uint32_t>* count_ = nullptr;
};

// A status code's three digits (100..999), without an allocation.
class StatusText {
 public:
  explicit StatusText(int status) noexcept {
    const auto n = static_cast<unsigned>(std::clamp(status, 100, 999));
    text_[0] = static_cast<char>('0' + n / 100);
    text_[1] = static_cast<char>('0' + n / 10 % 10);
    text_[2] = static_cast<char>('0' + n % 10);
  }
  StatusText(const StatusText&) = delete;  // views of it must not outlive it
  StatusText& operator=(const StatusText&) = delete;
  std::string_view view() const noexcept { return {text_, 3}; }

 private:
  char text_[3];
};

// One per worker thread; touched only from that thread.
struct WorkerState {
  Handler* handler = nullptr;
  AccessLog* access_log = nullptr;
  spdlog::logger* error_log = nullptr;                     // never null (a logger at level off writes nothing)
  std::atomic<std::uint32_t>* open_connections = nullptr;  // shared by every worker (limits.max_connections)
  const SessionLimits* limits = nullptr;
  const PushPolicy* push = nullptr;  // null: no push, no hints
  // Output buffers shared by this worker's HTTP/2 connections: a finished write gives its buffer back and the next
  // connection to write reuses it while it is still in cache (http2::Options::output_pool).
  std::shared_ptr<http2::OutputPool> output_pool = http2::make_output_pool();
  PushTotals push_totals;  // of the connections closed so far
  std::unordered_set<Session*> sessions;
  bool shutting_down = false;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(WorkerState& worker, ConnectionSlot slot) : worker_(worker), slot_(std::move(slot)) {
    worker_.sessions.insert(this);
  }
  virtual ~Session() { worker_.sessions.erase(this); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Begins the protocol with bytes already read from the connection (after sniffing or a TLS handshake).
  virtual void start(std::span<const std::byte> initial) = 0;
  // Server shutdown: finish what is in flight, accept nothing new (HTTP/2: GOAWAY).
  virtual void shut_down_gracefully() = 0;
  // Closes the transport now.
  virtual void close() = 0;

 protected:
  WorkerState& worker_;
  ConnectionSlot slot_;
};

using TcpSocket = asio::ip::tcp::socket;
// The server's own TLS stream: many records per socket write (src/net/tls_stream.hpp).
using TlsStream = net::TlsStream;

inline http2::Instant instant_of(std::chrono::steady_clock::time_point t) {
  return {std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count()};
}
inline http2::Instant instant_now() { return instant_of(std::chrono::steady_clock::now()); }

// Closes a transport: TCP at once; TLS after a close_notify attempt bounded by a short timer.
inline void close_transport(TcpSocket& socket) {
  std::error_code ignored;
  socket.shutdown(asio::socket_base::shutdown_both, ignored);
  socket.close(ignored);
}

template <class Self>
void close_transport(TlsStream& stream, const std::shared_ptr<Self>& keep_alive) {
  auto timer = std::make_shared<asio::steady_timer>(stream.get_executor());
  timer->expires_after(std::chrono::seconds(1));
  timer->async_wait([&stream, keep_alive](std::error_code ec) {
    if (ec) return;
    std::error_code ignored;
    stream.lowest_layer().close(ignored);
  });
  stream.async_shutdown([&stream, timer, keep_alive](std::error_code) {
    timer->cancel();
    std::error_code ignored;
    stream.lowest_layer().close(ignored);
  });
}

// What an HTTP/1.1 and an HTTP/2 session share: a transport driving a sans-IO core (`Core`: http1::ServerConnection
// or http2::Connection, which have the same output and response calls), closing, writing, answering requests, and
// the exchanges of an asynchronous handler (src/server/exchange.hpp).
template <class Stream, class Core>
class ProtocolSession : public Session, public ExchangeSink {
  static constexpr bool kHttp2 = std::is_same_v<Core, http2::Connection>;
  // Cleartext HTTP/2 writes the core's output as a gather list (http2::Options::reference_bodies: lent bodies are
  // pieces of their own); TLS and HTTP/1.1 write one contiguous run.
  static constexpr bool kGather = kHttp2 && std::is_same_v<Stream, TcpSocket>;
  // Buffers per socket write: asio passes at most 64 to one writev (asio::detail::max_iov_len).
  static constexpr std::size_t kMaxGather = 64;
  using Id = std::conditional_t<kHttp2, http2::StreamId, http1::RequestId>;

 public:
  void close() override {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    for (const auto& t : deferred_) t->cancel();
    for (const std::uint64_t key : exchange_keys()) exchange_gone(key);
    worker_.push_totals.add(push_record_);
    send_timer_.cancel();
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      close_transport(stream_, shared_from_this());
    } else {
      close_transport(stream_);
    }
  }

 protected:
  ProtocolSession(Stream stream, WorkerState& worker, ConnectionSlot slot, Core core)
      : Session(worker, std::move(slot)),
        stream_(std::move(stream)),
        conn_(std::move(core)),
        timer_(stream_.get_executor()),
        send_timer_(stream_.get_executor()) {}

  // Send progress (timeouts.send), checked every send_check_period(): the derived session's check_send_progress()
  // runs while the session is open.
  void watch_send_progress() {
    send_timer_.expires_after(send_check_period(*worker_.limits));
    send_timer_.async_wait([self = shared_from_this(), this](std::error_code ec) {
      if (ec || closed_) return;
      check_send_progress(std::chrono::steady_clock::now());
      if (!closed_) watch_send_progress();
    });
  }
  virtual void check_send_progress(std::chrono::steady_clock::time_point now) = 0;

  // A socket write has taken no octet for timeouts.send: the client stopped reading.
  bool write_stalled(std::chrono::steady_clock::time_point now) const {
    return writing_ && now - write_progress_ > worker_.limits->send_timeout;
  }

  // The time of the I/O completion being handled: the clock is read once per completion and shared by what it does
  // (write progress, body watches, the core's time); outside one (a posted or deferred response) it is read afresh.
  std::chrono::steady_clock::time_point event_now() const {
    return event_now_ ? *event_now_ : std::chrono::steady_clock::now();
  }
  // Marks a completion's time for its duration (nested completions restore the outer one).
  class EventTime {
   public:
    EventTime(ProtocolSession& session, std::chrono::steady_clock::time_point now)
        : session_(session), saved_(std::exchange(session.event_now_, now)) {}
    ~EventTime() { session_.event_now_ = saved_; }
    EventTime(const EventTime&) = delete;
    EventTime& operator=(const EventTime&) = delete;

   private:
    ProtocolSession& session_;
    std::optional<std::chrono::steady_clock::time_point> saved_;
  };

  // A response body handed to the core on request or stream `id` (HTTP/2 watches it for window stalls).
  virtual std::unique_ptr<BodySource> watch_body(std::uint32_t, std::unique_ptr<BodySource> body) { return body; }
  virtual void unwatch_body(std::uint32_t) {}

  // Takes the core's pending output and writes it; `written` runs once it is out. Returns false when nothing is
  // pending. HTTP/2: the core hands its buffer over (take_output(), no copy) and writes new output into another one
  // meanwhile; over cleartext as pieces (take_output_pieces(): cached bodies referenced, not copied), written with
  // gather writes. HTTP/1.1: up to max_write_chunk octets are copied out, since its buffer may grow during the write.
  template <class Written>
  bool write_pending(Written written) {
    if (writing_ || closed_) return true;
    if constexpr (kGather) {
      write_pieces_ = conn_.take_output_pieces();
      if (write_pieces_.empty()) return false;
      write_piece_ = 0;
    } else if constexpr (kHttp2) {
      write_data_ = conn_.take_output();
      if (write_data_.empty()) return false;
    } else {
      const std::span<const std::byte> out = conn_.pending_output();
      if (out.empty()) return false;
      const std::size_t n = std::min(out.size(), worker_.limits->max_write_chunk);
      write_buffer_.assign(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
      conn_.consume_output(n);
      write_data_ = write_buffer_;
    }
    writing_ = true;
    write_offset_ = 0;
    write_progress_ = event_now();
    write_some(written);
    return true;
  }

  // Writes the rest of write_data_ (or of write_pieces_) socket write by socket write, each being progress for the
  // send timeout.
  template <class Written>
  void write_some(Written written) {
    auto done = [self = shared_from_this(), this, written](std::error_code ec, std::size_t n) {
      if (closed_) {
        writing_ = false;
        return;
      }
      if (ec) {
        writing_ = false;
        close();
        return;
      }
      write_progress_ = std::chrono::steady_clock::now();
      const EventTime event(*this, write_progress_);
      if (!advance_write(n)) {
        write_some(written);
        return;
      }
      writing_ = false;
      if constexpr (kHttp2) conn_.output_written();  // write_data_ / write_pieces_ are invalid now
      written();
    };
    if constexpr (kGather) {
      stream_.async_write_some(next_gather(), std::move(done));
    } else {
      const std::span<const std::byte> rest = write_data_.subspan(write_offset_);
      stream_.async_write_some(asio::buffer(rest.data(), rest.size()), std::move(done));
    }
  }

  // Up to kMaxGather buffers of what is left of write_pieces_, the first from write_offset_ into its piece. A span
  // of the reused gather_ vector: asio keeps a copy of the sequence, and a span copies without allocating.
  std::span<const asio::const_buffer> next_gather() {
    gather_.clear();
    for (std::size_t i = write_piece_; i < write_pieces_.size() && gather_.size() < kMaxGather; ++i) {
      const std::span<const std::byte> piece =
          i == write_piece_ ? write_pieces_[i].subspan(write_offset_) : write_pieces_[i];
      gather_.emplace_back(piece.data(), piece.size());
    }
    return gather_;
  }

  // Counts `n` more octets written; true once everything is.
  bool advance_write(std::size_t n) {
    if constexpr (kGather) {
      while (write_piece_ < write_pieces_.size()) {
        const std::size_t left = write_pieces_[write_piece_].size() - write_offset_;
        if (n < left) {
          write_offset_ += n;
          return false;
        }
        n -= left;
        ++write_piece_;
        write_offset_ = 0;
      }
      return true;
    } else {
      write_offset_ += n;
      return write_offset_ >= write_data_.size();
    }
  }

  // Answers `request` on `id`: first what the push policy says (a 103, PUSH_PROMISEs and the pushed responses),
  // then the handler's response — at once, or after the configured think time. Asynchronous pushes
  // (Handler::asynchronous_pushes()) are promised here and handed to the handler right after the page's request.
  // `has_body`: the request announced content (given to an asynchronous handler's exchange).
  void respond(const Request& request, Id id, bool has_body = false) {
    PushDecision decision;
    if (worker_.push != nullptr) decision = worker_.push->decide(request, client_view(request));
    if (!decision.hints.empty()) send_hints(id, decision.hints);
    std::uint64_t pushed_bytes = 0;
    std::vector<std::shared_ptr<Exchange>> pushed;
    if constexpr (kHttp2) pushed_bytes = send_pushes(request, id, decision, pushed);
    std::string log_suffix = push_log_suffix(decision, pushed_bytes);
    std::shared_ptr<Exchange> exchange;
    if (worker_.handler->asynchronous()) exchange = open_exchange(request, key_of(id), has_body);
    if (decision.think_time.count() > 0) {
      defer(request, id, std::move(decision.set_cookie), std::move(log_suffix), decision.think_time,
            std::move(exchange));
    } else {
      respond_now(request, id, decision.set_cookie, log_suffix, std::move(exchange));
    }
    for (std::shared_ptr<Exchange>& x : pushed) worker_.handler->start(std::move(x));
  }

  static std::uint64_t key_of(Id id) {
    if constexpr (kHttp2) {
      return id.value();
    } else {
      return id.value;
    }
  }
  static Id id_of(std::uint64_t key) {
    if constexpr (kHttp2) {
      return http2::StreamId(static_cast<std::uint32_t>(key));
    } else {
      return http1::RequestId{key};
    }
  }

  // Request body input for `key`: true when an exchange takes it (and gives it back with consume()); false when
  // nobody wants it (the caller drops it; HTTP/2 credits the window at once).
  bool route_body(std::uint64_t key, std::span<const std::byte> data, bool end) {
    const auto it = exchanges_.find(key);
    if (it == exchanges_.end()) return false;
    const std::shared_ptr<Exchange> exchange = it->second.lock();
    if (exchange == nullptr) return false;
    exchange->session_body(data, end);
    return true;
  }

  // The request's trailer section for `key`, which ends its body.
  bool route_trailers(std::uint64_t key, std::span<const hpack::Header> fields) {
    const auto it = exchanges_.find(key);
    if (it == exchanges_.end()) return false;
    const std::shared_ptr<Exchange> exchange = it->second.lock();
    if (exchange == nullptr) return false;
    exchange->session_trailers(fields);
    exchange->session_body({}, true);
    return true;
  }

  // The client went away from `key` (reset stream, broken body, closed connection).
  void exchange_gone(std::uint64_t key) {
    const auto it = exchanges_.find(key);
    if (it == exchanges_.end()) return;
    const std::shared_ptr<Exchange> exchange = it->second.lock();
    exchanges_.erase(it);
    if (exchange != nullptr) exchange->session_gone();
  }

  // Request body octets exchanges hold and have not given back: HTTP/1.1 stops reading past a cap.
  std::size_t unconsumed_body() const {
    std::size_t n = 0;
    for (const auto& [key, weak] : exchanges_) {
      if (const auto exchange = weak.lock()) n += exchange->session_unconsumed();
    }
    return n;
  }

  // ExchangeSink: the calls of an asynchronous handler, on this worker thread, possibly while events are handled;
  // the output is written from a posted flush, so the core is never re-entered.
  bool exchange_inform(std::uint64_t key, std::span<const hpack::Header> fields) override {
    const bool ok = static_cast<bool>(conn_.submit_informational(id_of(key), fields));
    schedule_output();
    return ok;
  }
  bool exchange_respond(std::uint64_t key, std::span<const hpack::Header> fields,
                        std::unique_ptr<BodySource> body) override {
    const bool has_body = body != nullptr;
    if (!conn_.submit_response(id_of(key), fields, !has_body)) return false;
    if (const auto push = push_record_.open.find(static_cast<std::uint32_t>(key)); push != push_record_.open.end()) {
      // An asynchronous push's response: its octets count for the connection's record (and a refusal's waste).
      for (const hpack::Header& f : fields) {
        if (f.name == "content-length")
          push_record_.pushed_bytes += std::strtoull(std::string(f.value).c_str(), nullptr, 10);
      }
      if (has_body) {
        body = std::make_unique<CountingBody>(std::move(body), push->second.progress);
      } else {
        push->second.progress->done = true;
      }
    }
    if (has_body) (void)conn_.send_body(id_of(key), std::move(body));
    schedule_output();
    return true;
  }
  void exchange_resume(std::uint64_t key) override {
    conn_.resume_body(id_of(key));
    schedule_output();
  }
  bool exchange_trailers(std::uint64_t key, std::span<const hpack::Header> fields) override {
    const bool ok = static_cast<bool>(conn_.submit_trailers(id_of(key), fields));
    schedule_output();
    return ok;
  }
  void exchange_consume(std::uint64_t key, std::size_t n) override {
    if constexpr (kHttp2) conn_.consume(id_of(key), n);
    schedule_output();
  }
  void exchange_want_body(std::uint64_t key) override {
    if constexpr (!kHttp2) (void)conn_.accept_body(id_of(key));  // 100 Continue when the client waits for it
    schedule_output();
  }
  void exchange_abort(std::uint64_t key) override {
    if constexpr (kHttp2) {
      (void)conn_.reset_stream(id_of(key), http2::ErrorCode::internal_error);
    } else {
      conn_.abort();  // a truncated HTTP/1.1 message can only be signalled by closing
    }
    schedule_output();
  }
  void exchange_cancel(std::uint64_t key) override {
    if constexpr (kHttp2) {
      (void)conn_.reset_stream(id_of(key), http2::ErrorCode::cancel);
      push_record_.open.erase(static_cast<std::uint32_t>(key));  // given up by us: not a refusal
    } else {
      conn_.abort();
    }
    schedule_output();
  }
  void exchange_log(const Request& request, int status, std::uint64_t length, std::chrono::steady_clock::duration took,
                    std::string_view suffix) override {
    if (worker_.access_log != nullptr) worker_.access_log->write(request, status, length, took, suffix);
  }

  // Something was queued outside an I/O completion (a deferred response): write it.
  virtual void output_ready() = 0;

  Stream stream_;
  Core conn_;
  asio::steady_timer timer_;
  asio::steady_timer send_timer_;
  std::vector<std::byte> write_buffer_;    // HTTP/1.1: the copy being written
  std::span<const std::byte> write_data_;  // what is being written: write_buffer_ or the core's taken output
  std::span<const std::span<const std::byte>> write_pieces_;  // kGather: the core's taken output, as pieces
  std::size_t write_piece_ = 0;                               // kGather: the first piece not written whole
  std::vector<asio::const_buffer> gather_;                    // kGather: the buffers of one socket write, reused
  std::size_t write_offset_ = 0;  // into write_data_, or (kGather) into write_pieces_[write_piece_]
  std::chrono::steady_clock::time_point write_progress_;            // the last octets a socket write took
  std::optional<std::chrono::steady_clock::time_point> event_now_;  // set by EventTime
  std::vector<hpack::Header> fields_;
  bool reading_ = false;
  bool writing_ = false;
  bool closed_ = false;
  PushRecord push_record_;

 private:
  std::shared_ptr<Exchange> open_exchange(const Request& request, std::uint64_t key, bool has_body,
                                          bool pushed = false) {
    std::erase_if(exchanges_, [](const auto& entry) { return entry.second.expired(); });
    auto exchange =
        std::make_shared<Exchange>(this, shared_from_this(), key, request, stream_.get_executor(), has_body, pushed);
    exchanges_[key] = exchange;
    return exchange;
  }

  std::vector<std::uint64_t> exchange_keys() const {
    std::vector<std::uint64_t> keys;
    for (const auto& [key, weak] : exchanges_) keys.push_back(key);
    return keys;
  }

  // Writes what an exchange queued, from the event loop (never inside the caller's use of the core).
  void schedule_output() {
    if (output_scheduled_ || closed_) return;
    output_scheduled_ = true;
    asio::post(stream_.get_executor(), [self = shared_from_this(), this] {
      output_scheduled_ = false;
      if (!closed_) output_ready();
    });
  }

  ClientView client_view(const Request& request) {
    ClientView view;
    view.protocol = request.protocol;
    if constexpr (std::is_same_v<Core, http2::Connection>) view.push_enabled = conn_.peer_accepts_push();
    view.refused = &push_record_.refused_paths;
    return view;
  }

  // The handler's response, submitted on `id` (no body for HEAD), then logged.
  void respond_now(const Request& request, Id id, std::string_view set_cookie, std::string_view log_suffix,
                   std::shared_ptr<Exchange> exchange) {
    if (exchange != nullptr) {
      exchange->session_set_push(std::string(set_cookie), std::string(log_suffix));
      worker_.handler->start(std::move(exchange));
      return;
    }
    // The clock is read only for the access log's duration (none when the log is off).
    const auto started =
        worker_.access_log != nullptr ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    Response response = worker_.handler->handle(request);
    if (!set_cookie.empty() && response.status < 400) response.fields.emplace_back("set-cookie", set_cookie);
    const StatusText status(response.status);
    fields_.clear();
    fields_.push_back({":status", status.view()});
    for (const hpack::Header& f : response.borrowed) fields_.push_back(f);
    for (const auto& [name, value] : response.fields) fields_.push_back({name, value});
    const bool has_body = response.body != nullptr && request.method != "HEAD";
    if (!submit_final(id, !has_body, response.trusted_fields)) return;  // the stream or request is gone meanwhile
    if (has_body) {
      std::uint32_t number = 0;
      if constexpr (std::is_same_v<Id, http2::StreamId>) number = id.value();
      if (!conn_.send_body(id, watch_body(number, std::move(response.body)))) unwatch_body(number);
    }
    if (worker_.access_log != nullptr) {
      worker_.access_log->write(request, response.status, response.content_length.value_or(0),
                                std::chrono::steady_clock::now() - started, log_suffix);
    }
  }

  // Submits fields_ as the final response on `id`; trusted: built by the server itself (HTTP/2 skips re-checking).
  bool submit_final(Id id, bool end_stream, bool trusted) {
    if constexpr (std::is_same_v<Core, http2::Connection>) {
      const auto check = trusted ? http2::FieldCheck::trusted : http2::FieldCheck::validate;
      return static_cast<bool>(conn_.submit_response(id, fields_, end_stream, check));
    } else {
      (void)trusted;
      return static_cast<bool>(conn_.submit_response(id, fields_, end_stream));
    }
  }

  // One 103 Early Hints response with a Link field line per resource (RFC 8297).
  void send_hints(Id id, const std::vector<std::string>& links) {
    fields_.clear();
    fields_.push_back({":status", "103"});
    for (const std::string& link : links) fields_.push_back({"link", link});
    if (conn_.submit_informational(id, fields_)) ++push_record_.hints;
  }

  // HTTP/2: a PUSH_PROMISE per planned resource, at an urgency below the page's. A synchronous handler answers the
  // pushed request first (only a storable 200 is promised) and its response follows at once; an asynchronous one
  // (Handler::asynchronous_pushes()) gets each promised stream as an exchange, appended to `pushed` for the caller to
  // start. Returns the body octets pushed synchronously.
  template <class PushId>
  std::uint64_t send_pushes(const Request& request, PushId parent, const PushDecision& decision,
                            std::vector<std::shared_ptr<Exchange>>& pushed) {
    std::uint64_t bytes = 0;
    const bool async = worker_.handler->asynchronous() && worker_.handler->asynchronous_pushes();
    const std::string_view accept_encoding = request.field("accept-encoding");
    const hpack::Header pushed_fields[] = {{"accept-encoding", accept_encoding}};
    for (const push::PlannedResource* planned : decision.pushes) {
      Request promised_request;
      promised_request.method = "GET";
      promised_request.scheme = request.scheme;
      promised_request.authority = request.authority;
      promised_request.target = planned->resource.path;
      promised_request.fields = std::span(pushed_fields, accept_encoding.empty() ? 0 : 1);
      promised_request.protocol = request.protocol;
      promised_request.remote = request.remote;
      if (async) {
        const auto promised = promise(parent, promised_request, *planned, decision);
        if (!promised) break;  // push disabled, going away, or the parent is gone: no more promises
        auto exchange = open_exchange(promised_request, promised->value(), false, true);
        exchange->session_set_push({}, "pushed");
        push_record_.on_promise(promised->value(), planned->resource.path, std::make_shared<BodyProgress>());
        pushed.push_back(std::move(exchange));
        continue;
      }
      Response response = worker_.handler->handle(promised_request);
      response.own_borrowed();  // checked and kept as one list; pushes are few
      if (!pushable_response(response.status, response.fields)) continue;  // only what a GET would get and keep
      const auto promised = promise(parent, promised_request, *planned, decision);
      if (!promised) break;
      const auto length = push_now(*promised, std::move(response), planned->resource.path);
      if (!length) continue;
      bytes += *length;
      if (worker_.access_log != nullptr) worker_.access_log->write(promised_request, 200, *length, {}, "pushed");
    }
    return bytes;
  }

  // The PUSH_PROMISE of `promised_request` on `parent`, its stream's urgency set; nullopt when it cannot be sent.
  template <class PushId>
  std::optional<http2::StreamId> promise(PushId parent, const Request& promised_request,
                                         const push::PlannedResource& planned, const PushDecision& decision) {
    const std::string_view accept_encoding = promised_request.field("accept-encoding");
    const hpack::Header fields[] = {{":method", "GET"},
                                    {":scheme", promised_request.scheme},
                                    {":authority", promised_request.authority},
                                    {":path", promised_request.target},
                                    {"accept-encoding", accept_encoding}};
    auto promised = conn_.submit_push_promise(parent, std::span(fields, accept_encoding.empty() ? 4 : 5));
    if (!promised) return std::nullopt;
    const auto page = std::min<int>(7, 1 + static_cast<int>(decision.page_urgency));
    conn_.set_priority(*promised, {static_cast<std::uint8_t>(std::max<int>(planned.urgency, page)), false});
    return *promised;
  }

  // A synchronous handler's response on its promised stream; returns its length, nullopt when the stream is gone.
  std::optional<std::uint64_t> push_now(http2::StreamId promised, Response response, const std::string& path) {
    fields_.clear();
    const std::string status = "200";
    fields_.push_back({":status", status});
    for (const auto& [name, value] : response.fields) fields_.push_back({name, value});
    if (!conn_.submit_response(promised, fields_, response.body == nullptr)) return std::nullopt;
    auto progress = std::make_shared<BodyProgress>();
    if (response.body != nullptr) {
      auto body = watch_body(promised.value(), std::make_unique<CountingBody>(std::move(response.body), progress));
      if (!conn_.send_body(promised, std::move(body))) unwatch_body(promised.value());
    } else {
      progress->done = true;
    }
    push_record_.on_promise(promised.value(), path, progress);
    const std::uint64_t length = response.content_length.value_or(0);
    push_record_.pushed_bytes += length;
    return length;
  }

  // The page's response after `delay` (push.think_time): the request is copied, the timer keeps the session alive
  // and is cancelled when it closes.
  void defer(const Request& request, Id id, std::string set_cookie, std::string log_suffix,
             std::chrono::milliseconds delay, std::shared_ptr<Exchange> exchange) {
    auto owned = std::make_shared<OwnedRequest>(request);
    auto timer = std::make_shared<asio::steady_timer>(stream_.get_executor());
    deferred_.push_back(timer);
    timer->expires_after(delay);
    timer->async_wait([self = shared_from_this(), this, owned, timer, id, cookie = std::move(set_cookie),
                       suffix = std::move(log_suffix), exchange](std::error_code ec) {
      std::erase(deferred_, timer);
      if (ec || closed_) return;
      respond_now(owned->view(), id, cookie, suffix, exchange);
      output_ready();
    });
  }

  std::vector<std::shared_ptr<asio::steady_timer>> deferred_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Exchange>> exchanges_;  // the handler owns them
  bool output_scheduled_ = false;
};

}  // namespace h2push::server
