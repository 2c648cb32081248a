// src/proxy/http1_upstream.cpp
#include "proxy/http1_upstream.hpp"

#include <array>
#include <map>
#include <string>
#include <vector>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "h2push/http1/client_connection.hpp"

namespace h2push::proxy {
namespace {

struct Connection {
  explicit Connection(const asio::any_io_executor& executor) : socket(executor) {}
  asio::ip::tcp::socket socket;
  http1::ClientConnection core;
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

}  // namespace

struct Http1Upstream::Pool {
  std::size_t max_idle = 16;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle;  // by origin, most recent last

  std::unique_ptr<Connection> take(const std::string& origin) {
    auto& list = idle[origin];
    while (!list.empty()) {
      std::unique_ptr<Connection> c = std::move(list.back());
      list.pop_back();
      if (c->socket.is_open() && !c->core.is_closed()) return c;
    }
    return nullptr;
  }
  void give(const std::string& origin, std::unique_ptr<Connection> c) {
    auto& list = idle[origin];
    if (list.size() >= max_idle) list.erase(list.begin());
    list.push_back(std::move(c));
  }
};

namespace {

// One forwarded exchange. Kept alive by its pending operations and by its CallHandle; after cancel() it emits
// nothing.
class Op : public std::enable_shared_from_this<Op> {
 public:
  Op(const Route& route, UpstreamRequest request, const asio::any_io_executor& executor, UpstreamCallback emit,
     std::shared_ptr<Http1Upstream::Pool> pool, const Http1UpstreamOptions& options)
      : route_(route),
        request_(std::move(request)),
        executor_(executor),
        emit_(std::move(emit)),
        pool_(std::move(pool)),
        options_(options),
        origin_(to_string(route.upstream)),
        timer_(executor),
        resolver_(executor) {}

  void begin() {
    if (!request_.has_body) asio::post(executor_, [self = shared_from_this()] { self->dispatch(); });
  }

  void add_body(std::span<const std::byte> data, bool end, std::function<void()> sent) {
    if (cancelled_ || done_) return;
    body_.insert(body_.end(), data.begin(), data.end());
    if (body_.size() > options_.max_request_body) return fail(UpstreamError::too_large, "request body over the limit");
    asio::post(executor_, std::move(sent));
    if (end) dispatch();
  }

  void cancel() {
    cancelled_ = true;
    emit_ = nullptr;
    close();
  }

  void pause(bool paused) {
    paused_ = paused;
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
    conn_ = std::make_unique<Connection>(executor_);
    timer_.expires_after(route_.connect_timeout);
    timer_.async_wait([self = shared_from_this()](std::error_code ec) {
      if (ec || self->connected_) return;
      self->connect_timed_out_ = true;
      self->resolver_.cancel();
      if (self->conn_) self->conn_->socket.close();
    });
    resolver_.async_resolve(
        route_.upstream.host, std::to_string(route_.upstream.port),
        [self = shared_from_this()](std::error_code ec, const asio::ip::tcp::resolver::results_type& results) {
          if (self->cancelled_ || self->done_) return;
          if (ec) return self->fail_connect(ec);
          asio::async_connect(self->conn_->socket, results, [self](std::error_code e, const asio::ip::tcp::endpoint&) {
            if (self->cancelled_ || self->done_) return;
            if (e) return self->fail_connect(e);
            self->connected_ = true;
            self->timer_.cancel();
            self->send();
          });
        });
  }

  void fail_connect(std::error_code ec) {
    fail(connect_timed_out_ ? UpstreamError::connect_timeout : UpstreamError::connect_refused, ec.message());
  }

  void send() {
    std::vector<hpack::Header> headers;
    headers.push_back({"host", request_.authority.empty() ? std::string_view(origin_).substr(7)
                                                          : std::string_view(request_.authority)});
    for (const auto& [name, value] : request_.fields) {
      if (name != "host" && name != "content-length") headers.push_back({name, value});
    }
    const http1::RequestHead head{request_.method, request_.target, headers, false};
    auto id = conn_->core.submit_request(head, body_);
    if (!id) {
      if (reused_) return retry_fresh();
      return fail(UpstreamError::malformed, "the request cannot be written");
    }
    connected_ = true;
    timer_.expires_after(route_.response_timeout);
    timer_.async_wait([self = shared_from_this()](std::error_code ec) {
      if (!ec && !self->head_seen_) self->fail(UpstreamError::response_timeout, "no response head in time");
    });
    write();
    read();
  }

  void write() {
    if (writing_ || !conn_) return;
    const std::span<const std::byte> out = conn_->core.pending_output();
    if (out.empty()) return;
    out_.assign(out.begin(), out.end());
    conn_->core.consume_output(out.size());
    writing_ = true;
    asio::async_write(conn_->socket, asio::buffer(out_), [self = shared_from_this()](std::error_code ec, std::size_t) {
      self->writing_ = false;
      if (self->cancelled_ || self->done_) return;
      if (ec) return self->on_error(ec);
      self->write();
    });
  }

  void read() {
    if (reading_ || paused_ || done_ || cancelled_ || !conn_) return;
    reading_ = true;
    conn_->socket.async_read_some(asio::buffer(in_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
      self->reading_ = false;
      if (self->cancelled_ || self->done_) return;
      if (ec == asio::error::eof) {
        if (self->reused_ && !self->received_any_) return self->retry_fresh();
        self->handle(self->conn_->core.receive_eof());
      } else if (ec) {
        return self->on_error(ec);
      } else {
        self->received_any_ = true;
        self->handle(self->conn_->core.receive({self->in_.data(), n}));
      }
      self->read();
    });
  }

  // A reused keep-alive connection the upstream had closed meanwhile: one retry on a fresh one.
  void retry_fresh() {
    reused_ = false;
    conn_.reset();
    connect();
  }

  void on_error(std::error_code ec) {
    if (reused_ && !received_any_) return retry_fresh();
    fail(UpstreamError::reset, ec.message());
  }

  void handle(std::span<const http1::ClientEvent> events) {
    // A failure closes the connection, which owns `events`: stop at once, before touching the next one.
    for (const http1::ClientEvent& e : events) {
      if (const auto* info = std::get_if<http1::InformationalReceived>(&e)) {
        emit(UpstreamInformational{info->status, info->headers});
      } else if (const auto* r = std::get_if<http1::ResponseReceived>(&e)) {
        head_seen_ = true;
        keep_alive_ = r->keep_alive;
        timer_.cancel();
        emit(UpstreamHead{r->status, r->headers, r->version == http1::Version::http_1_0 ? "HTTP/1.0" : "HTTP/1.1"});
        if (r->end_stream) finish();
      } else if (const auto* d = std::get_if<http1::DataReceived>(&e)) {
        if (!d->data.empty()) emit(UpstreamData{d->data});
        if (d->end_stream) finish();
      } else if (std::holds_alternative<http1::TrailersReceived>(e)) {
        finish();
      } else if (const auto* failed = std::get_if<http1::ResponseFailed>(&e)) {
        fail(error_of(failed->error), http1::to_string(failed->error));
      }
      if (done_ || cancelled_) return;
    }
  }

  void emit(const UpstreamEvent& event) {
    if (emit_) emit_(event);
  }

  void finish() {
    done_ = true;
    timer_.cancel();
    if (keep_alive_ && conn_ && !conn_->core.is_closed() && conn_->core.outstanding() == 0 && !writing_) {
      pool_->give(origin_, std::move(conn_));
    } else {
      close();
    }
    emit(UpstreamEnd{});
  }

  void fail(UpstreamError error, std::string_view detail) {
    if (done_) return;
    done_ = true;
    close();
    emit(UpstreamFailed{error, detail});
  }

  void close() {
    timer_.cancel();
    resolver_.cancel();
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
  Http1UpstreamOptions options_;
  std::string origin_;
  asio::steady_timer timer_;
  asio::ip::tcp::resolver resolver_;
  std::unique_ptr<Connection> conn_;
  std::vector<std::byte> body_;
  std::vector<std::byte> out_;
  std::array<std::byte, 16384> in_{};
  bool cancelled_ = false, done_ = false, paused_ = false, reading_ = false, writing_ = false;
  bool reused_ = false, received_any_ = false, connected_ = false, connect_timed_out_ = false;
  bool head_seen_ = false, keep_alive_ = false;
};

class CallHandle final : public UpstreamCall {
 public:
  explicit CallHandle(std::shared_ptr<Op> op) : op_(std::move(op)) {}
  ~CallHandle() override { op_->cancel(); }
  void send_body(std::span<const std::byte> data, bool end, std::function<void()> sent) override {
    op_->add_body(data, end, std::move(sent));
  }
  void pause(bool paused) override { op_->pause(paused); }

 private:
  std::shared_ptr<Op> op_;
};

}  // namespace

Http1Upstream::Http1Upstream(Http1UpstreamOptions options) : options_(options), pool_(std::make_shared<Pool>()) {
  pool_->max_idle = options.max_idle_per_origin;
}

Http1Upstream::~Http1Upstream() = default;

std::unique_ptr<UpstreamCall> Http1Upstream::start(const Route& route, UpstreamRequest request,
                                                   const asio::any_io_executor& executor, UpstreamCallback on_event) {
  auto op = std::make_shared<Op>(route, std::move(request), executor, std::move(on_event), pool_, options_);
  op->begin();
  return std::make_unique<CallHandle>(std::move(op));
}

}  // namespace h2push::proxy
