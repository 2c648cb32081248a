// src/proxy/h2c_upstream.cpp
#include "proxy/h2c_upstream.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "h2push/http2/connection.hpp"
#include "proxy/upstream_tls.hpp"

namespace h2push::proxy {
namespace {

class Call;

// Starts `call` again on the hub's connection for its route (a new one when the last went away).
void resubmit(const std::weak_ptr<H2cUpstream::Hub>& hub, const std::shared_ptr<Call>& call);

http2::Instant now() {
  return {std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
              .count()};
}

int status_of(std::span<const hpack::Header> fields) {
  for (const hpack::Header& f : fields) {
    if (f.name != ":status") continue;
    int status = 0;
    std::from_chars(f.value.data(), f.value.data() + f.value.size(), status);
    return status;
  }
  return 0;
}

// The fields without pseudo-header fields, for the Upstream events.
std::vector<hpack::Header> regular(std::span<const hpack::Header> fields) {
  std::vector<hpack::Header> out;
  for (const hpack::Header& f : fields) {
    if (f.name.empty() || f.name.front() != ':') out.push_back(f);
  }
  return out;
}

// One HTTP/2 connection to an origin and the calls it carries. Calls wait in `waiting` while it connects or while
// the upstream's stream limit is reached.
class Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(const asio::any_io_executor& executor, const Route& route, std::weak_ptr<H2cUpstream::Hub> hub)
      : route_(route),
        executor_(executor),
        hub_(std::move(hub)),
        socket_(executor),
        resolver_(executor),
        timer_(executor),
        tick_(executor),
        core_(client_options()) {}

  static http2::Options client_options() {
    http2::Options o;
    o.role = http2::Role::client;
    o.enable_push = false;
    o.auto_window_update = false;  // the response body is credited as the client side takes it
    return o;
  }

  void connect();
  void submit(const std::shared_ptr<Call>& call);
  void check_idle();
  bool usable() const { return !closed_ && !going_away_; }
  // Takes no new requests (it refused a stream): open streams finish, then it closes.
  void retire() {
    going_away_ = true;
    leave_hub();
  }
  void close();
  bool closed() const { return closed_; }

  // For calls.
  http2::Connection& core() { return core_; }
  void forget(http2::StreamId id);
  void flush();
  void consume(http2::StreamId id, std::size_t n) {
    core_.consume(id, n);
    flush();
  }

 private:
  void start_tls();
  void established();
  void open_waiting();
  void read();
  void handle(std::span<const http2::Event> events);
  void handle_events(std::span<const http2::Event> events);
  void fail_all(UpstreamError error, std::string_view detail);
  void arm_tick();
  void leave_hub();

  Route route_;
  asio::any_io_executor executor_;
  std::weak_ptr<H2cUpstream::Hub> hub_;
  asio::ip::tcp::socket socket_;
  std::unique_ptr<TlsStream> tls_;  // h2s://: TLS over socket_ (owned here, so it outlives the handlers holding us)
  asio::ip::tcp::resolver resolver_;
  asio::steady_timer timer_;  // connect timeout, then pool_idle_timeout while no stream is open
  asio::steady_timer tick_;   // the core's next_deadline()
  http2::Connection core_;
  std::map<std::uint32_t, std::weak_ptr<Call>> streams_;
  std::deque<std::weak_ptr<Call>> waiting_;
  std::vector<std::byte> out_;
  std::array<std::byte, 16384> in_{};
  std::uint64_t idle_epoch_ = 0;
  bool connected_ = false, closed_ = false, going_away_ = false, writing_ = false, connect_timed_out_ = false;
  bool handling_ = false;      // inside handle(): no output is pulled until its events are done
  bool session_kept_ = false;  // h2s://: the TLS session was handed to the hub for resumption
};

// The request body of one stream, pulled by the core as the upstream's windows open. Each piece's `sent` runs once
// the core has taken all of it.
struct Piece {
  std::vector<std::byte> data;
  std::size_t taken = 0;
  bool end = false;
  std::function<void()> sent;
};

class Call : public std::enable_shared_from_this<Call> {
 public:
  Call(const Route& route, UpstreamRequest request, const asio::any_io_executor& executor, UpstreamCallback emit,
       std::weak_ptr<H2cUpstream::Hub> hub)
      : route_(route),
        request_(std::move(request)),
        executor_(executor),
        emit_(std::move(emit)),
        timer_(executor),
        hub_(std::move(hub)) {}

  const UpstreamRequest& request() const { return request_; }
  bool done() const { return done_; }

  void attach(std::shared_ptr<Conn> conn) { conn_ = std::move(conn); }
  const Route& route() const { return route_; }
  const asio::any_io_executor& executor() const { return executor_; }

  // The connection opened our stream.
  void opened(http2::StreamId id) {
    stream_ = id;
    request_done_ = !request_.has_body;
    arm();
  }

  void add_body(std::span<const std::byte> data, bool end, std::function<void()> sent) {
    if (done_) return;
    body_.push_back({{data.begin(), data.end()}, 0, end, std::move(sent)});
    if (stream_ && conn_) {
      conn_->core().resume_body(*stream_);
      conn_->flush();
    }
  }

  // The request's trailers end its body: held by the core before the body source reaches its end piece.
  void add_trailers(Fields trailers, std::function<void()> sent) {
    if (done_) return;
    trailers_ = std::move(trailers);
    body_.push_back({{}, 0, true, std::move(sent)});
    body_attached();
    if (stream_ && conn_) {
      conn_->core().resume_body(*stream_);
      conn_->flush();
    }
  }

  // The stream's body source is installed: the trailers, if any, can be held now.
  void body_attached() {
    if (trailers_.empty() || !stream_ || !conn_ || trailers_held_) return;
    std::vector<hpack::Header> fields;
    for (const auto& [name, value] : trailers_) fields.push_back({name, value});
    trailers_held_ = static_cast<bool>(conn_->core().submit_trailers(*stream_, fields));
  }

  // BodySource::read for our stream.
  BodySource::Read pull(std::span<std::byte> out) {
    BodySource::Read r;
    while (!body_.empty() && r.length < out.size()) {
      Piece& p = body_.front();
      const std::size_t n = std::min(out.size() - r.length, p.data.size() - p.taken);
      std::copy_n(p.data.data() + p.taken, n, out.data() + r.length);
      keep_for_replay({p.data.data() + p.taken, n}, p.taken + n == p.data.size() && p.end);
      p.taken += n;
      r.length += n;
      if (p.taken < p.data.size()) break;
      if (p.sent) asio::post(executor_, std::move(p.sent));
      r.end = p.end;
      body_.pop_front();
      if (r.end) break;
    }
    if (r.end) {
      request_done_ = true;
      asio::post(executor_, [self = shared_from_this()] { self->arm(); });
    }
    return r;
  }

  void pause(bool paused) {
    paused_ = paused;
    if (!paused && unconsumed_ > 0 && stream_ && conn_ && !done_) {
      conn_->consume(*stream_, unconsumed_);
      unconsumed_ = 0;
    }
    arm();
  }

  void on_informational(std::span<const hpack::Header> fields) {
    const std::vector<hpack::Header> rest = regular(fields);
    emit(UpstreamInformational{status_of(fields), rest});
    arm();
  }
  void on_head(std::span<const hpack::Header> fields, bool end) {
    head_seen_ = true;
    const std::vector<hpack::Header> rest = regular(fields);
    emit(UpstreamHead{status_of(fields), rest, "HTTP/2"});
    if (end) return finish();
    arm();
  }
  void on_data(std::span<const std::byte> data, bool end) {
    if (!data.empty()) emit(UpstreamData{data});  // may pause us, or fail us (the client went away)
    if (done_) return;
    if (paused_ && !end) {
      unconsumed_ += data.size();  // credited when the client side resumes
    } else {
      conn_->consume(*stream_, data.size());
    }
    if (end) return finish();
    arm();
  }
  void finish(std::span<const hpack::Header> trailers = {}) {
    if (done_) return;
    done_ = true;
    timer_.cancel();
    if (stream_ && conn_) conn_->forget(*stream_);
    emit(UpstreamEnd{trailers});
  }
  // What the core took of the request body is kept (up to kReplayLimit, until the response head) so that a
  // refused request can be sent again whole.
  static constexpr std::size_t kReplayLimit = 64 * 1024;
  void keep_for_replay(std::span<const std::byte> data, bool end) {
    if (!replayable_ || head_seen_) return;
    if (replay_.size() + data.size() > kReplayLimit) {
      replayable_ = false;
      replay_.clear();
      return;
    }
    replay_.insert(replay_.end(), data.begin(), data.end());
    replay_end_ = replay_end_ || end;
  }
  // Puts what the core took back in front of the body still queued.
  void rewind_body() {
    if (!body_.empty()) {
      Piece& front = body_.front();
      front.data.erase(front.data.begin(), front.data.begin() + static_cast<std::ptrdiff_t>(front.taken));
      front.taken = 0;
    }
    if (!replay_.empty() || replay_end_) body_.push_front({std::move(replay_), 0, replay_end_, nullptr});
    replay_.clear();
    replay_end_ = false;
    request_done_ = false;
  }

  // The upstream reset our stream. RFC 9113 §8.7: REFUSED_STREAM (sent, or implied by a GOAWAY whose last stream
  // is below ours) means it was not processed: retried once on a new connection while nothing of the response
  // came and the request body taken so far is still held (at most kReplayLimit octets: see keep_for_replay()).
  void on_reset(http2::ErrorCode code, bool by_peer) {
    if (done_) return;
    const bool refused = by_peer && code == http2::ErrorCode::refused_stream;
    if (refused && !retried_ && !head_seen_ && replayable_ && conn_) {
      retried_ = true;
      rewind_body();
      timer_.cancel();
      ++timer_epoch_;
      conn_->retire();
      conn_->forget(*stream_);
      conn_.reset();
      stream_.reset();
      trailers_held_ = false;
      resubmit(hub_, shared_from_this());
      return;
    }
    fail(UpstreamError::reset,
         refused   ? "stream refused by the upstream (REFUSED_STREAM)"
         : by_peer ? "stream reset by the upstream"
                   : "stream error",
         false);
  }
  void fail(UpstreamError error, std::string_view detail, bool reset_stream) {
    if (done_) return;
    done_ = true;
    timer_.cancel();
    if (stream_ && conn_) {
      if (unconsumed_ > 0) conn_->core().consume(*stream_, unconsumed_);  // the connection window is shared
      unconsumed_ = 0;
      if (reset_stream) (void)conn_->core().reset_stream(*stream_, http2::ErrorCode::cancel);
      conn_->forget(*stream_);
      conn_->flush();
    }
    body_.clear();
    emit(UpstreamFailed{error, detail});
  }
  void cancel() {
    emit_ = nullptr;
    fail(UpstreamError::reset, "cancelled", true);
  }

 private:
  void emit(const UpstreamEvent& event) {
    if (emit_) emit_(event);
  }

  // The response timeout runs while the request is sent and the client is not pausing us: until the head, then
  // between reads of the body.
  void arm() {
    const std::uint64_t epoch = ++timer_epoch_;
    timer_.cancel();
    if (done_ || !stream_ || !request_done_ || paused_) return;
    timer_.expires_after(route_.response_timeout);
    timer_.async_wait([self = shared_from_this(), epoch](std::error_code ec) {
      if (ec || epoch != self->timer_epoch_) return;
      self->fail(UpstreamError::response_timeout,
                 self->head_seen_ ? "the response body stalled" : "no response head in time", true);
    });
  }

  Route route_;
  UpstreamRequest request_;
  asio::any_io_executor executor_;
  UpstreamCallback emit_;
  asio::steady_timer timer_;
  std::uint64_t timer_epoch_ = 0;
  std::shared_ptr<Conn> conn_;
  std::optional<http2::StreamId> stream_;
  std::deque<Piece> body_;
  Fields trailers_;  // the request's, when it has some
  std::weak_ptr<H2cUpstream::Hub> hub_;
  std::size_t unconsumed_ = 0;
  bool done_ = false, paused_ = false, head_seen_ = false, request_done_ = false;
  std::vector<std::byte> replay_;  // the request body octets the core took, while they fit in kReplayLimit
  bool replay_end_ = false;        // ... and its end
  bool replayable_ = true;         // replay_ holds all the core took: a refused request can be sent again
  bool retried_ = false;           // refused once already
  bool trailers_held_ = false;     // submitted to the current stream
};

class CallSource final : public BodySource {
 public:
  explicit CallSource(std::weak_ptr<Call> call) : call_(std::move(call)) {}
  Read read(std::span<std::byte> out) override {
    const auto call = call_.lock();
    if (call == nullptr) return {0, false, true};
    return call->pull(out);
  }

 private:
  std::weak_ptr<Call> call_;
};

}  // namespace

struct H2cUpstream::Hub {
  std::map<std::string, std::shared_ptr<Conn>> conns;  // by tls_pool_key(): the one new requests go to
  UpstreamTls tls;                                     // h2s://: contexts and sessions
  H2cUpstreamStats stats;
  bool closed = false;
};

namespace {

// Queues `call` on the hub's connection for its route, opening one when there is none or it went away.
void enqueue(const std::shared_ptr<H2cUpstream::Hub>& hub, const std::shared_ptr<Call>& call) {
  std::shared_ptr<Conn>& conn = hub->conns[tls_pool_key(call->route())];
  const bool fresh = conn == nullptr || !conn->usable();
  if (fresh) {
    conn = std::make_shared<Conn>(call->executor(), call->route(), hub);
    ++hub->stats.connections_opened;
  }
  const std::shared_ptr<Conn> target = conn;
  // Events never come from inside start(): the stream opens from a posted handler.
  asio::post(call->executor(), [target, call, fresh] {
    if (fresh) target->connect();
    target->submit(call);
  });
}

void Conn::connect() {
  timer_.expires_after(route_.connect_timeout);
  timer_.async_wait([self = shared_from_this()](std::error_code ec) {
    if (ec || self->connected_ || self->closed_) return;
    self->connect_timed_out_ = true;
    self->resolver_.cancel();
    std::error_code ignored;
    self->socket_.close(ignored);
  });
  resolver_.async_resolve(
      route_.upstream.host, std::to_string(route_.upstream.port),
      [self = shared_from_this()](std::error_code ec, const asio::ip::tcp::resolver::results_type& results) {
        if (self->closed_) return;
        if (ec) {
          return self->fail_all(
              self->connect_timed_out_ ? UpstreamError::connect_timeout : UpstreamError::connect_refused, ec.message());
        }
        asio::async_connect(self->socket_, results, [self](std::error_code e, const asio::ip::tcp::endpoint&) {
          if (self->closed_) return;
          if (e) {
            return self->fail_all(
                self->connect_timed_out_ ? UpstreamError::connect_timeout : UpstreamError::connect_refused,
                e.message());
          }
          std::error_code ignored;
          self->socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
          if (self->route_.upstream.tls) return self->start_tls();
          self->established();
        });
      });
}

// h2s://: the TLS handshake under the connect timeout, which must agree on h2 (ALPN).
void Conn::start_tls() {
  const auto hub = hub_.lock();
  if (hub == nullptr) return fail_all(UpstreamError::reset, "shutting down");
  auto stream = hub->tls.wrap(socket_, route_, tls_pool_key(route_));
  if (!stream) return fail_all(UpstreamError::tls_failed, stream.error());
  tls_ = std::move(*stream);
  tls_->async_handshake(asio::ssl::stream_base::client, [self = shared_from_this()](std::error_code ec) {
    if (self->closed_) return;
    if (ec && self->connect_timed_out_) return self->fail_all(UpstreamError::connect_timeout, ec.message());
    if (ec) {
      return self->fail_all(UpstreamError::tls_failed,
                            UpstreamTls::failure(self->tls_->native_handle(), self->route_.upstream_tls_verify, ec));
    }
    const unsigned char* alpn = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(self->tls_->native_handle(), &alpn, &length);
    if (std::string_view(reinterpret_cast<const char*>(alpn), alpn == nullptr ? 0 : length) != "h2") {
      return self->fail_all(UpstreamError::tls_failed, "the upstream did not agree to HTTP/2 (ALPN h2)");
    }
    self->established();
  });
}

void Conn::established() {
  connected_ = true;
  timer_.cancel();
  open_waiting();
  read();
  flush();
  check_idle();  // every call may have gone while it connected
}

void Conn::submit(const std::shared_ptr<Call>& call) {
  call->attach(shared_from_this());
  waiting_.push_back(call);
  if (connected_) {
    ++idle_epoch_;  // the timer is the idle one now (while connecting it is the connect timeout)
    timer_.cancel();
    open_waiting();
    flush();
  }
}

// Opens streams for the waiting calls, as far as the upstream's stream limit allows.
void Conn::open_waiting() {
  while (!waiting_.empty() && !closed_) {
    const auto call = waiting_.front().lock();
    if (call == nullptr || call->done()) {
      waiting_.pop_front();
      continue;
    }
    const UpstreamRequest& r = call->request();
    std::vector<std::string> names;  // lowercased field names, which `fields` views
    names.reserve(r.fields.size());
    std::vector<hpack::Header> fields = {{":method", r.method},
                                         {":scheme", route_.upstream.tls ? "https" : "http"},
                                         {":authority", r.authority.empty() ? route_.upstream.host : r.authority},
                                         {":path", r.target}};
    for (const auto& [name, value] : r.fields) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
      if (lower == "host" || lower == "connection" || lower == "transfer-encoding") continue;
      names.push_back(std::move(lower));
      fields.push_back({names.back(), value});
    }
    auto id = core_.submit_request(fields, !r.has_body);
    if (!id && id.error() == http2::Errc::stream_limit) return;  // retried when a stream closes
    waiting_.pop_front();
    if (!id) {
      call->fail(UpstreamError::malformed, to_string(id.error()), false);
      continue;
    }
    streams_[id->value()] = call;
    call->opened(*id);
    if (r.has_body) {
      (void)core_.send_body(*id, std::make_unique<CallSource>(call));
      call->body_attached();
    }
  }
}

void Conn::forget(http2::StreamId id) {
  streams_.erase(id.value());
  asio::post(executor_, [self = shared_from_this()] {
    self->open_waiting();
    self->flush();
    self->check_idle();
  });
}

void Conn::flush() {
  if (writing_ || closed_ || !connected_ || handling_) return;
  const std::span<const std::byte> out = core_.pending_output();
  if (out.empty()) {
    if (core_.is_closed()) close();
    return;
  }
  out_.assign(out.begin(), out.end());
  core_.consume_output(out.size());
  writing_ = true;
  write_all(tls_.get(), socket_, asio::buffer(out_), [self = shared_from_this()](std::error_code ec, std::size_t) {
    self->writing_ = false;
    if (self->closed_) return;
    if (ec) return self->fail_all(UpstreamError::reset, ec.message());
    self->flush();
  });
  arm_tick();
}

void Conn::read() {
  read_some(tls_.get(), socket_, asio::buffer(in_), [self = shared_from_this()](std::error_code error, std::size_t n) {
    const std::error_code ec = plain_eof(error);
    if (self->closed_) return;
    if (!ec && self->tls_ && !self->session_kept_) {  // TLS 1.3 tickets come before the upstream's first frames
      if (const auto hub = self->hub_.lock())
        hub->tls.remember(self->tls_->native_handle(), tls_pool_key(self->route_));
      self->session_kept_ = true;
    }
    if (ec) return self->fail_all(UpstreamError::reset, ec == asio::error::eof ? "the upstream closed" : ec.message());
    self->handle(self->core_.advance(now()));
    self->handle(self->core_.receive({self->in_.data(), n}));
    if (self->closed_) return;
    self->open_waiting();
    self->flush();
    self->read();
  });
}

void Conn::handle(std::span<const http2::Event> events) {
  handling_ = true;
  handle_events(events);
  handling_ = false;
}

void Conn::handle_events(std::span<const http2::Event> events) {
  for (const http2::Event& e : events) {
    if (closed_) return;
    auto call_of = [&](http2::StreamId id) -> std::shared_ptr<Call> {
      const auto it = streams_.find(id.value());
      return it == streams_.end() ? nullptr : it->second.lock();
    };
    if (const auto* info = std::get_if<http2::InformationalReceived>(&e)) {
      if (const auto c = call_of(info->stream)) c->on_informational(info->headers);
    } else if (const auto* head = std::get_if<http2::ResponseReceived>(&e)) {
      if (const auto c = call_of(head->stream)) c->on_head(head->headers, head->end_stream);
    } else if (const auto* data = std::get_if<http2::DataReceived>(&e)) {
      if (const auto c = call_of(data->stream)) {
        c->on_data(data->data, data->end_stream);
      } else {
        core_.consume(data->stream, data->data.size());  // a stream we gave up on: keep the connection window open
      }
    } else if (const auto* trailers = std::get_if<http2::TrailersReceived>(&e)) {
      if (const auto c = call_of(trailers->stream)) c->finish(trailers->headers);
    } else if (const auto* reset = std::get_if<http2::StreamReset>(&e)) {
      if (const auto c = call_of(reset->stream)) c->on_reset(reset->code, reset->by_peer);
    } else if (std::holds_alternative<http2::GoawayReceived>(e)) {
      going_away_ = true;  // open streams may finish; new requests go to a new connection
      leave_hub();
    } else if (const auto* failed = std::get_if<http2::ConnectionFailed>(&e)) {
      fail_all(UpstreamError::reset, failed->detail.empty() ? "HTTP/2 connection error" : failed->detail);
      return;
    }
  }
}

void Conn::fail_all(UpstreamError error, std::string_view detail) {
  const std::string why(detail);  // may view the core's input, which close() does not free but calls may
  std::vector<std::shared_ptr<Call>> calls;
  for (auto& [id, weak] : streams_) {
    if (auto c = weak.lock()) calls.push_back(std::move(c));
  }
  for (auto& weak : waiting_) {
    if (auto c = weak.lock()) calls.push_back(std::move(c));
  }
  streams_.clear();
  waiting_.clear();
  close();
  for (const auto& c : calls) c->fail(error, why, false);
}

void Conn::arm_tick() {
  const auto deadline = core_.next_deadline();
  if (!deadline) return;
  const auto wait = std::chrono::nanoseconds(std::max<std::int64_t>(0, deadline->nanoseconds - now().nanoseconds));
  tick_.expires_after(wait);
  tick_.async_wait([self = shared_from_this()](std::error_code ec) {
    if (ec || self->closed_) return;
    self->handle(self->core_.advance(now()));
    self->flush();
  });
}

// No stream open and none waiting: close after the route's pool_idle_timeout (at once when shutting down).
void Conn::check_idle() {
  if (closed_ || !streams_.empty() || !waiting_.empty()) return;
  const auto hub = hub_.lock();
  if (hub == nullptr || hub->closed || going_away_) return close();
  if (!connected_) return;  // the connect timeout runs; connect() checks again
  const std::uint64_t epoch = ++idle_epoch_;
  timer_.expires_after(route_.pool_idle_timeout);
  timer_.async_wait([self = shared_from_this(), epoch](std::error_code ec) {
    if (ec || epoch != self->idle_epoch_ || !self->streams_.empty() || !self->waiting_.empty()) return;
    self->core_.shutdown();
    self->flush();
    self->close();
  });
}

void Conn::close() {
  if (closed_) return;
  closed_ = true;
  std::error_code ignored;
  timer_.cancel();
  tick_.cancel();
  resolver_.cancel();
  socket_.close(ignored);
  leave_hub();
}

void Conn::leave_hub() {
  const auto hub = hub_.lock();
  if (hub == nullptr) return;
  const auto it = hub->conns.find(tls_pool_key(route_));
  if (it != hub->conns.end() && it->second.get() == this) hub->conns.erase(it);
}

class CallHandle final : public UpstreamCall {
 public:
  explicit CallHandle(std::shared_ptr<Call> call) : call_(std::move(call)) {}
  ~CallHandle() override { call_->cancel(); }
  void send_body(std::span<const std::byte> data, bool end, std::function<void()> sent) override {
    call_->add_body(data, end, std::move(sent));
  }
  void send_trailers(Fields trailers, std::function<void()> sent) override {
    call_->add_trailers(std::move(trailers), std::move(sent));
  }
  void pause(bool paused) override { call_->pause(paused); }

 private:
  std::shared_ptr<Call> call_;
};

}  // namespace

H2cUpstream::H2cUpstream() : hub_(std::make_shared<Hub>()) {}

H2cUpstream::~H2cUpstream() { close_idle(); }

void H2cUpstream::close_idle() {
  hub_->closed = true;
  const std::map<std::string, std::shared_ptr<Conn>> conns = hub_->conns;  // closing edits the map
  for (const auto& [origin, conn] : conns) conn->check_idle();             // busy ones close after their last stream
}

H2cUpstreamStats H2cUpstream::stats() const {
  H2cUpstreamStats s = hub_->stats;
  s.connections_open = hub_->conns.size();
  return s;
}

namespace {

void resubmit(const std::weak_ptr<H2cUpstream::Hub>& weak_hub, const std::shared_ptr<Call>& call) {
  const auto hub = weak_hub.lock();
  if (hub == nullptr) return call->fail(UpstreamError::reset, "shutting down", false);
  ++hub->stats.retries;
  enqueue(hub, call);
}

}  // namespace

std::unique_ptr<UpstreamCall> H2cUpstream::start(const Route& route, UpstreamRequest request,
                                                 const asio::any_io_executor& executor, UpstreamCallback on_event) {
  auto call = std::make_shared<Call>(route, std::move(request), executor, std::move(on_event), hub_);
  enqueue(hub_, call);
  return std::make_unique<CallHandle>(std::move(call));
}

std::unique_ptr<UpstreamCall> SchemeUpstream::start(const Route& route, UpstreamRequest request,
                                                    const asio::any_io_executor& executor, UpstreamCallback on_event) {
  if (route.upstream.h2) return h2c_.start(route, std::move(request), executor, std::move(on_event));
  return http1_.start(route, std::move(request), executor, std::move(on_event));
}

void SchemeUpstream::close_idle() {
  http1_.close_idle();
  h2c_.close_idle();
}

}  // namespace h2push::proxy
