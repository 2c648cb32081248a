// src/proxy/http1_upstream.cpp
#include "proxy/http1_upstream.hpp"

#include <array>
#include <charconv>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "h2push/http1/client_connection.hpp"
#include "proxy/upstream_address.hpp"
#include "proxy/upstream_tls.hpp"

namespace h2push::proxy {
namespace {

struct Connection {
  explicit Connection(const asio::any_io_executor& executor) : socket(executor), idle_timer(executor) {}
  asio::ip::tcp::socket socket;
  std::unique_ptr<TlsStream> tls;  // https:// upstreams, over `socket`
  asio::steady_timer idle_timer;   // pool_idle_timeout while pooled
  http1::ClientConnection core;
  std::uint64_t idle_epoch = 0;  // bumped as it enters and leaves the pool: stale watchers see a different value
  std::array<std::byte, 64> idle_input{};
};

UpstreamError error_of(http1::ResponseError e) {
  switch (e) {
    case http1::ResponseError::head_too_large:
      return UpstreamError::too_large;
    case http1::ResponseError::truncated:
      return UpstreamError::reset;
    default:
      return UpstreamError::malformed;
  }
}

// The Content-Length of the client's request, when it gave one (the upload is then framed the same way).
std::optional<std::uint64_t> content_length_of(const Fields& fields) {
  for (const auto& [name, value] : fields) {
    if (name != "content-length") continue;
    std::uint64_t n = 0;
    const auto r = std::from_chars(value.data(), value.data() + value.size(), n);
    if (r.ec == std::errc() && r.ptr == value.data() + value.size() && !value.empty()) return n;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

// Idle keep-alive connections by origin, at most the route's pool_max_idle each (the oldest closed past it). Each idle
// socket has a read outstanding, so an upstream closing it (FIN or
// RST, or sending octets nobody asked for) removes it at once, and a timer closes it after pool_idle_timeout.
struct Http1Upstream::Pool : std::enable_shared_from_this<Pool> {
  std::shared_ptr<AddressCache> addresses = std::make_shared<AddressCache>();
  UpstreamTls tls;                                                       // contexts and sessions for https:// upstreams
  bool closed = false;                                                   // shutting down: nothing is kept any more
  std::map<std::string, std::vector<std::shared_ptr<Connection>>> idle;  // most recent last
  Http1UpstreamStats stats;

  std::shared_ptr<Connection> take(const std::string& origin) {
    auto& list = idle[origin];
    while (!list.empty()) {
      std::shared_ptr<Connection> c = std::move(list.back());
      list.pop_back();
      ++c->idle_epoch;
      std::error_code ignored;
      c->idle_timer.cancel();
      c->socket.cancel(ignored);  // the watcher's read ends with operation_aborted and sees a new epoch
      if (c->socket.is_open() && !c->core.is_closed()) return c;
    }
    return nullptr;
  }

  void give(const std::string& origin, std::shared_ptr<Connection> c, const Route& route) {
    std::error_code ignored;
    if (closed || route.pool_max_idle == 0) return void(c->socket.close(ignored));
    auto& list = idle[origin];
    while (list.size() >= route.pool_max_idle) remove(origin, list.front());  // by value: remove() erases it
    const std::uint64_t epoch = ++c->idle_epoch;
    list.push_back(c);
    std::weak_ptr<Pool> weak = weak_from_this();
    read_some(c->tls.get(), c->socket, asio::buffer(c->idle_input),
              [weak, c, origin, epoch](std::error_code, std::size_t) {
                const auto pool = weak.lock();
                if (pool == nullptr || c->idle_epoch != epoch) return;  // taken meanwhile, or the pool is gone
                ++pool->stats.closed_by_upstream;
                pool->remove(origin, c);  // EOF, reset, or octets no request asked for: unusable either way
              });
    c->idle_timer.expires_after(route.pool_idle_timeout);
    c->idle_timer.async_wait([weak, c, origin, epoch](std::error_code ec) {
      const auto pool = weak.lock();
      if (ec || pool == nullptr || c->idle_epoch != epoch) return;
      ++pool->stats.closed_idle;
      pool->remove(origin, c);
    });
  }

  void remove(const std::string& origin, std::shared_ptr<Connection> c) {
    auto& list = idle[origin];
    std::erase(list, c);
    ++c->idle_epoch;
    std::error_code ignored;
    c->idle_timer.cancel();
    c->socket.close(ignored);
  }

  void close_all() {
    closed = true;
    addresses->cancel();
    for (auto& [origin, list] : idle) {
      const std::vector<std::shared_ptr<Connection>> copy = list;
      for (const auto& c : copy) remove(origin, c);
    }
  }

  std::size_t idle_count() const {
    std::size_t n = 0;
    for (const auto& [origin, list] : idle) n += list.size();
    return n;
  }
};

namespace {

std::string authority_of(const UpstreamUrl& url) {
  const std::string text = to_string(url);
  return text.substr(text.find("://") + 3);
}

// A piece of the request body not yet handed to the client core.
struct BodyPiece {
  std::vector<std::byte> data;
  bool end = false;
  std::function<void()> sent;
  Fields trailers;  // with end: the request's trailer section
};

// One forwarded exchange. Kept alive by its pending operations and by its CallHandle; after cancel() it emits
// nothing. The request body streams: pieces go to the client core as they come, and each piece's `sent` runs once
// the socket write holding it has completed, so the client is held back by what the upstream accepts.
class Op : public std::enable_shared_from_this<Op> {
 public:
  Op(const Route& route, UpstreamRequest request, const asio::any_io_executor& executor, UpstreamCallback emit,
     std::shared_ptr<Http1Upstream::Pool> pool)
      : route_(route),
        request_(std::move(request)),
        executor_(executor),
        emit_(std::move(emit)),
        pool_(std::move(pool)),
        origin_(tls_pool_key(route)),
        authority_(authority_of(route.upstream)),
        timer_(executor) {}

  void begin() {
    asio::post(executor_, [self = shared_from_this()] { self->dispatch(); });
  }

  void add_body(std::span<const std::byte> data, bool end, std::function<void()> sent) {
    if (cancelled_ || done_ || write_failed_) return;
    body_.push_back({{data.begin(), data.end()}, end, std::move(sent), {}});
    if (head_submitted_) pump();
  }

  void add_trailers(Fields trailers, std::function<void()> sent) {
    if (cancelled_ || done_ || write_failed_) return;
    body_.push_back({{}, true, std::move(sent), std::move(trailers)});
    if (head_submitted_) pump();
  }

  void cancel() {
    cancelled_ = true;
    emit_ = nullptr;
    close();
  }

  void pause(bool paused) {
    paused_ = paused;
    arm();
    if (!paused) read();
  }

 private:
  void dispatch() {
    if (cancelled_ || done_) return;
    conn_ = pool_->take(origin_);
    reused_ = conn_ != nullptr;
    if (reused_) return send();
    connect();
  }

  void connect() {
    conn_ = std::make_shared<Connection>(executor_);
    connected_ = false;
    ++pool_->stats.opened;
    const std::uint64_t epoch = ++timer_epoch_;
    timer_.expires_after(route_.connect_timeout);
    timer_.async_wait([self = shared_from_this(), epoch](std::error_code ec) {
      if (ec || self->connected_ || epoch != self->timer_epoch_) return;
      self->connect_timed_out_ = true;
      if (self->resolving_) return self->fail_connect(asio::error::timed_out);  // its answer is ignored
      std::error_code ignored;
      if (self->conn_) self->conn_->socket.close(ignored);
    });
    resolving_ = true;
    pool_->addresses->resolve(
        executor_, route_.upstream.host, route_.upstream.port,
        [self = shared_from_this()](std::error_code ec, const AddressCache::Endpoints& endpoints) {
          self->resolving_ = false;
          if (self->cancelled_ || self->done_ || !self->conn_) return;
          if (ec) return self->fail_connect(ec);
          self->connect_to(endpoints);
        });
  }

  void connect_to(const AddressCache::Endpoints& endpoints) {
    asio::async_connect(conn_->socket, endpoints, [self = shared_from_this()](std::error_code e, const auto&) {
      if (self->cancelled_ || self->done_) return;
      if (e) {
        self->pool_->addresses->forget(self->route_.upstream.host, self->route_.upstream.port);
        return self->fail_connect(e);
      }
      if (self->route_.upstream.tls) return self->handshake();
      self->connected_ = true;
      self->send();
    });
  }

  // https://: the TLS handshake, still under the connect timeout (a stalled one is a connect timeout: 504).
  void handshake() {
    auto stream = pool_->tls.wrap(conn_->socket, route_, origin_);
    if (!stream) return fail(UpstreamError::tls_failed, stream.error());
    conn_->tls = std::move(*stream);
    // Each TLS operation keeps its connection: asio's TLS stream must outlive the operations pending on it.
    conn_->tls->async_handshake(asio::ssl::stream_base::client, [self = shared_from_this(),
                                                                 keep = conn_](std::error_code ec) {
      if (self->cancelled_ || self->done_) return;
      if (ec && self->connect_timed_out_) return self->fail_connect(ec);
      if (ec) {
        const std::string why = UpstreamTls::failure(keep->tls->native_handle(), self->route_.upstream_tls_verify, ec);
        return self->fail(UpstreamError::tls_failed, why);
      }
      ++self->pool_->stats.handshakes;
      if (SSL_session_reused(keep->tls->native_handle()) == 1) ++self->pool_->stats.resumed;
      self->connected_ = true;
      self->send();
    });
  }

  void fail_connect(std::error_code ec) {
    fail(connect_timed_out_ ? UpstreamError::connect_timeout : UpstreamError::connect_refused, ec.message());
  }

  void send() {
    std::vector<hpack::Header> headers;
    headers.push_back(
        {"host", request_.authority.empty() ? std::string_view(authority_) : std::string_view(request_.authority)});
    for (const auto& [name, value] : request_.fields) {
      if (name != "host" && name != "content-length") headers.push_back({name, value});
    }
    const http1::RequestHead head{request_.method, request_.target, headers, false};
    auto id = request_.has_body ? conn_->core.submit_request_head(head, content_length_of(request_.fields))
                                : conn_->core.submit_request(head, {});
    if (!id) {
      if (reused_) return retry_fresh();
      return fail(UpstreamError::malformed, "the request cannot be written");
    }
    connected_ = true;
    head_submitted_ = true;
    pump();
    write();
    read();
    arm();
  }

  // Hands the queued body pieces to the client core.
  void pump() {
    while (!body_.empty() && !done_) {
      BodyPiece& piece = body_.front();
      if (!piece.trailers.empty()) {
        std::vector<hpack::Header> fields;
        for (const auto& [name, value] : piece.trailers) fields.push_back({name, value});
        if (!conn_->core.send_trailers(fields)) return fail(UpstreamError::malformed, "the request trailers");
      } else if (!conn_->core.send_body(piece.data, piece.end)) {
        return fail(UpstreamError::malformed, "the request body does not match its Content-Length");
      }
      body_pumped_ = true;
      if (piece.sent) queued_sent_.push_back(std::move(piece.sent));
      body_.pop_front();
    }
    write();
  }

  void write() {
    if (writing_ || !conn_ || write_failed_) return;
    const std::span<const std::byte> out = conn_->core.pending_output();
    if (out.empty()) return;
    out_.assign(out.begin(), out.end());
    conn_->core.consume_output(out.size());
    writing_sent_ = std::move(queued_sent_);
    queued_sent_.clear();
    writing_ = true;
    arm();
    write_all(conn_->tls.get(), conn_->socket, asio::buffer(out_),
              [self = shared_from_this(), keep = conn_](std::error_code ec, std::size_t) {
                self->writing_ = false;
                if (self->cancelled_ || self->done_) return;
                if (ec) return self->on_write_error();
                for (auto& sent : self->writing_sent_) asio::post(self->executor_, std::move(sent));
                self->writing_sent_.clear();
                self->write();
                self->arm();
              });
  }

  void read() {
    if (reading_ || paused_ || done_ || cancelled_ || !conn_) return;
    reading_ = true;
    read_some(conn_->tls.get(), conn_->socket, asio::buffer(in_),
              [self = shared_from_this(), keep = conn_](std::error_code error, std::size_t n) {
                const std::error_code ec = plain_eof(error);
                self->reading_ = false;
                if (self->cancelled_ || self->done_) return;
                if (ec == asio::error::eof) {
                  if (self->may_retry()) return self->retry_fresh();
                  self->handle(self->conn_->core.receive_eof());
                } else if (ec) {
                  return self->on_error(ec);
                } else {
                  self->received_any_ = true;
                  self->handle(self->conn_->core.receive({self->in_.data(), n}));
                  self->arm();
                }
                self->read();
              });
  }

  // The response timeout runs while the upstream owes us something: a write in flight (it must keep reading the
  // upload), or the response once the request is written (its head, then each read of its body), unless the
  // client paused us. Waiting for the client's next upload piece is not the upstream's fault.
  void arm() {
    const std::uint64_t epoch = ++timer_epoch_;
    timer_.cancel();
    if (done_ || cancelled_ || !head_submitted_) return;
    const bool request_written = write_failed_ || (!conn_->core.sending_body() && body_.empty() && !writing_);
    if (!writing_ && !(request_written && !paused_)) return;
    timer_.expires_after(route_.response_timeout);
    timer_.async_wait([self = shared_from_this(), epoch](std::error_code ec) {
      if (ec || epoch != self->timer_epoch_ || self->done_ || self->cancelled_) return;
      self->fail(UpstreamError::response_timeout, self->head_seen_ ? "the response body stalled"
                                                  : self->writing_ ? "the upstream stopped reading the request body"
                                                                   : "no response head in time");
    });
  }

  // A reused keep-alive connection the upstream had closed meanwhile: one retry on a fresh one, as long as nothing
  // came back and no body octet was handed over (those are gone: the client was already given its credit back).
  bool may_retry() const { return reused_ && !received_any_ && !body_pumped_; }

  void retry_fresh() {
    reused_ = false;
    head_submitted_ = false;
    std::error_code ignored;
    conn_->socket.close(ignored);
    conn_.reset();
    connect();
  }

  void on_error(std::error_code ec) {
    if (may_retry()) return retry_fresh();
    fail(UpstreamError::reset, ec.message());
  }

  // An upstream may answer early (413, 401) and close without reading the rest of the upload, so a failed write
  // is not the end: the read side still gets its answer, or EOF / a reset (then 502), within the response timeout.
  void on_write_error() {
    if (may_retry()) return retry_fresh();
    write_failed_ = true;
    body_.clear();
    arm();
  }

  void handle(std::span<const http1::ClientEvent> events) {
    // A failure closes the connection, which owns `events`: stop at once, before touching the next one.
    for (const http1::ClientEvent& e : events) {
      if (const auto* info = std::get_if<http1::InformationalReceived>(&e)) {
        emit(UpstreamInformational{info->status, info->headers});
      } else if (const auto* r = std::get_if<http1::ResponseReceived>(&e)) {
        head_seen_ = true;
        keep_alive_ = r->keep_alive;
        emit(UpstreamHead{r->status, r->headers, r->version == http1::Version::http_1_0 ? "HTTP/1.0" : "HTTP/1.1"});
        if (r->end_stream) finish();
      } else if (const auto* d = std::get_if<http1::DataReceived>(&e)) {
        if (!d->data.empty()) emit(UpstreamData{d->data});
        if (d->end_stream) finish();
      } else if (const auto* t = std::get_if<http1::TrailersReceived>(&e)) {
        finish(t->headers);
      } else if (const auto* failed = std::get_if<http1::ResponseFailed>(&e)) {
        fail(error_of(failed->error), http1::to_string(failed->error));
      }
      if (done_ || cancelled_) return;
    }
  }

  void emit(const UpstreamEvent& event) {
    if (emit_) emit_(event);
  }

  void finish(std::span<const hpack::Header> trailer_fields = {}) {
    // A copy: the fields view the connection's input, which may be pooled (and read by its watcher) below.
    Fields trailers;
    for (const hpack::Header& f : trailer_fields) trailers.emplace_back(f.name, f.value);
    done_ = true;
    ++timer_epoch_;
    timer_.cancel();
    // Reusable only when the whole exchange is over on the wire: the upload too (an early answer leaves it open).
    if (keep_alive_ && conn_ && !conn_->core.is_closed() && conn_->core.outstanding() == 0 &&
        !conn_->core.sending_body() && conn_->core.pending_output().empty() && !writing_ && !write_failed_) {
      if (conn_->tls) pool_->tls.remember(conn_->tls->native_handle(), origin_);
      pool_->give(origin_, std::move(conn_), route_);
    } else {
      close();
    }
    std::vector<hpack::Header> fields;
    for (const auto& [name, value] : trailers) fields.push_back({name, value});
    emit(UpstreamEnd{fields});
  }

  void fail(UpstreamError error, std::string_view detail) {
    if (done_) return;
    done_ = true;
    close();
    emit(UpstreamFailed{error, detail});
  }

  void close() {
    ++timer_epoch_;
    timer_.cancel();
    if (conn_) {
      std::error_code ignored;
      conn_->socket.close(ignored);
      conn_.reset();
    }
  }

  Route route_;
  UpstreamRequest request_;
  asio::any_io_executor executor_;
  UpstreamCallback emit_;
  std::shared_ptr<Http1Upstream::Pool> pool_;
  std::string origin_;     // the pool's key: the URL, and the TLS settings for https://
  std::string authority_;  // host[:port] of the upstream, the Host when the request had none
  asio::steady_timer timer_;
  std::uint64_t timer_epoch_ = 0;
  std::shared_ptr<Connection> conn_;
  std::deque<BodyPiece> body_;                       // request body pieces waiting for the core
  std::vector<std::function<void()>> queued_sent_;   // in the core's output, not yet being written
  std::vector<std::function<void()>> writing_sent_;  // in the write in flight
  std::vector<std::byte> out_;
  std::array<std::byte, 16384> in_{};
  bool cancelled_ = false, done_ = false, paused_ = false, reading_ = false, writing_ = false;
  bool reused_ = false, received_any_ = false, connected_ = false, connect_timed_out_ = false, resolving_ = false;
  bool head_seen_ = false, keep_alive_ = false, head_submitted_ = false, body_pumped_ = false, write_failed_ = false;
};

class CallHandle final : public UpstreamCall {
 public:
  explicit CallHandle(std::shared_ptr<Op> op) : op_(std::move(op)) {}
  ~CallHandle() override { op_->cancel(); }
  void send_body(std::span<const std::byte> data, bool end, std::function<void()> sent) override {
    op_->add_body(data, end, std::move(sent));
  }
  void send_trailers(Fields trailers, std::function<void()> sent) override {
    op_->add_trailers(std::move(trailers), std::move(sent));
  }
  void pause(bool paused) override { op_->pause(paused); }

 private:
  std::shared_ptr<Op> op_;
};

}  // namespace

Http1Upstream::Http1Upstream() : pool_(std::make_shared<Pool>()) {}

Http1Upstream::~Http1Upstream() { pool_->close_all(); }

void Http1Upstream::close_idle() { pool_->close_all(); }

Http1UpstreamStats Http1Upstream::stats() const {
  Http1UpstreamStats s = pool_->stats;
  s.idle = pool_->idle_count();
  s.lookups = pool_->addresses->lookups();
  return s;
}

std::unique_ptr<UpstreamCall> Http1Upstream::start(const Route& route, UpstreamRequest request,
                                                   const asio::any_io_executor& executor, UpstreamCallback on_event) {
  auto op = std::make_shared<Op>(route, std::move(request), executor, std::move(on_event), pool_);
  op->begin();
  return std::make_unique<CallHandle>(std::move(op));
}

}  // namespace h2push::proxy
