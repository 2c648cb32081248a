// tests/server/async_test_handler.hpp: an asynchronous Handler for the session tests: it answers after a timer,
// streams a body in pieces after a 103, echoes a POST body, drops or holds exchanges, and counts clients gone.
#pragma once

#include <asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "server/exchange.hpp"
#include "server/handler.hpp"

namespace h2push::server::test {

struct AsyncCounters {
  std::atomic<int> gone{0};        // on_gone callbacks
  std::atomic<int> started{0};     // exchanges started
  std::atomic<int> sync_calls{0};  // handle() calls
};

inline std::span<const std::byte> bytes_of(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

class AsyncTestHandler final : public Handler {
 public:
  explicit AsyncTestHandler(std::shared_ptr<AsyncCounters> counters) : counters_(std::move(counters)) {}

  Response handle(const Request&) override {
    ++counters_->sync_calls;
    Response r;
    r.status = 404;
    return r;
  }
  bool asynchronous() const noexcept override { return true; }

  void start(std::shared_ptr<Exchange> x) override {
    ++counters_->started;
    const std::string path(x->request().target.substr(0, x->request().target.find('?')));
    if (path == "/delay") {
      after(x, std::chrono::milliseconds(150), [](Exchange& e) {
        Response r;
        r.fields = {{"content-type", "text/plain"}, {"content-length", "4"}};
        r.content_length = 4;
        r.body = std::make_unique<Text>("late");
        e.respond(std::move(r));
      });
    } else if (path == "/stream") {
      x->inform(103, {{"link", "</a.css>; rel=preload; as=style"}});
      x->respond_streaming(200, {{"content-type", "text/plain"}});
      stream_piece(x, 0);
    } else if (path == "/echo") {
      auto body = std::make_shared<std::string>();
      x->on_body([x, body](std::span<const std::byte> chunk, bool end) {
        body->append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
        x->consume(chunk.size());
        if (end) x->respond_streaming(200, {}, body->size()), x->write(bytes_of(*body), true);
      });
    } else if (path == "/echo-slow") {  // gives each chunk back 5 ms later: the session must hold the client back
      auto body = std::make_shared<std::string>();
      x->on_body([x, body](std::span<const std::byte> chunk, bool end) {
        body->append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
        after(x, std::chrono::milliseconds(5), [n = chunk.size(), end, body](Exchange& e) {
          e.consume(n);
          if (end) e.respond_streaming(200, {}, body->size()), e.write(bytes_of(*body), true);
        });
      });
    } else if (path == "/now") {  // everything in one turn, before the session writes anything
      x->inform(103, {{"link", "</b.css>; rel=preload; as=style"}});
      x->respond_streaming(200, {{"content-type", "text/plain"}});
      x->write(bytes_of("ok"), false);
      x->write({}, true);
    } else if (path == "/later") {  // the same from a timer
      after(x, std::chrono::milliseconds(20), [](Exchange& e) {
        e.inform(103, {{"link", "</b.css>; rel=preload; as=style"}});
        e.respond_streaming(200, {{"content-type", "text/plain"}});
        e.write(bytes_of("ok"), false);
        e.write({}, true);
      });
    } else if (path == "/hold") {
      auto timer = std::make_shared<asio::steady_timer>(x->executor());
      x->on_gone([c = counters_, weak = std::weak_ptr(timer)] {
        ++c->gone;
        if (auto t = weak.lock()) t->cancel();
      });
      timer->expires_after(std::chrono::seconds(5));  // the test ends long before
      timer->async_wait([x, timer](std::error_code ec) {
        if (!ec) x->abort();
      });
    } else if (path == "/abort") {
      x->respond_streaming(200, {{"content-type", "text/plain"}});
      x->write(bytes_of("partial"), false);
      after(x, std::chrono::milliseconds(50), [](Exchange& e) { e.abort(); });
    }
    // "/drop" and anything else: the exchange is released unanswered, which answers 500.
  }

 private:
  class Text final : public BodySource {
   public:
    explicit Text(std::string text) : text_(std::move(text)) {}
    Read read(std::span<std::byte> out) override {
      const std::size_t n = std::min(out.size(), text_.size() - offset_);
      std::memcpy(out.data(), text_.data() + offset_, n);
      offset_ += n;
      return {n, offset_ == text_.size(), false};
    }

   private:
    std::string text_;
    std::size_t offset_ = 0;
  };

  template <class F>
  static void after(const std::shared_ptr<Exchange>& x, std::chrono::milliseconds delay, F f) {
    auto timer = std::make_shared<asio::steady_timer>(x->executor());
    timer->expires_after(delay);
    timer->async_wait([x, timer, f](std::error_code ec) {
      if (!ec) f(*x);
    });
  }

  static void stream_piece(const std::shared_ptr<Exchange>& x, int i) {
    after(x, std::chrono::milliseconds(30), [x, i](Exchange& e) {
      const std::string piece = "piece" + std::to_string(i) + ";";
      if (!e.write(bytes_of(piece), i == 2)) return;
      if (i < 2) stream_piece(x, i + 1);
    });
  }

  std::shared_ptr<AsyncCounters> counters_;
};

}  // namespace h2push::server::test
