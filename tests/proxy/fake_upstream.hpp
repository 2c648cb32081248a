// tests/proxy/fake_upstream.hpp: a scripted Upstream for the proxy handler tests. What it answers depends on the
// request's path; it records what it was sent and when its response head went out (steady_clock, the clock the test
// client uses too, so tests compare order, not durations).
#pragma once

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "proxy/upstream.hpp"

namespace h2push::proxy::test {

inline constexpr std::string_view kPageHtml = R"(<!doctype html><html><head>
<link rel="stylesheet" href="/css/site.css"><script src="/js/app.js" defer></script>
</head><body><img src="/img/logo.png"></body></html>)";

// A page whose style sheet and module name more files (levels 2 and 3), and those files' bodies.
inline constexpr std::string_view kDeepPageHtml = R"(<!doctype html><html><head>
<link rel="stylesheet" href="/css/deep.css"><script type="module" src="/js/deep.js"></script>
</head><body><img src="/img/deep.png"></body></html>)";

inline std::string_view deep_asset(std::string_view path) {
  if (path == "/css/deep.css") return "@import \"base.css\";\n@font-face { src: url(/fonts/f.woff2) }\n";
  if (path == "/css/base.css") return "body { background: url(/img/bg.png) }\n";
  if (path == "/js/deep.js") return "import { x } from './dep.js';\n";
  return {};
}

struct FakeLog {
  std::mutex mutex;
  std::vector<UpstreamRequest> requests;
  std::vector<std::string> bodies;  // request bodies received, one per finished upload
  Fields trailers;                  // the last request trailers received
  std::chrono::steady_clock::time_point last_head{};
  int cancelled = 0;
};

class FakeUpstream final : public Upstream {
 public:
  explicit FakeUpstream(std::shared_ptr<FakeLog> log, std::chrono::milliseconds think = std::chrono::milliseconds(150))
      : log_(std::move(log)), think_(think) {}

  std::unique_ptr<UpstreamCall> start(const Route&, UpstreamRequest request, const asio::any_io_executor& executor,
                                      UpstreamCallback on_event) override {
    {
      const std::lock_guard lock(log_->mutex);
      log_->requests.push_back(request);
    }
    auto call = std::make_unique<Call>(log_, executor, std::move(on_event), request.target);
    call->begin(think_);
    return call;
  }

 private:
  struct State {
    std::shared_ptr<FakeLog> log;
    asio::any_io_executor executor;
    UpstreamCallback emit;
    std::string target;
    std::string body;
    bool cancelled = false;
  };

  class Call final : public UpstreamCall {
   public:
    Call(std::shared_ptr<FakeLog> log, asio::any_io_executor executor, UpstreamCallback emit, std::string target)
        : s_(std::make_shared<State>(
              State{std::move(log), std::move(executor), std::move(emit), std::move(target), {}, false})) {}
    ~Call() override {
      s_->cancelled = true;
      const std::lock_guard lock(s_->log->mutex);
      ++s_->log->cancelled;
    }

    void begin(std::chrono::milliseconds think) {
      const std::string path = s_->target.substr(0, s_->target.find('?'));
      if (path == "/echo") return;  // answers once the body is complete
      if (path == "/refused")
        return later(std::chrono::milliseconds(0), [](State& s) { fail(s, UpstreamError::connect_refused); });
      if (path == "/timeout")
        return later(std::chrono::milliseconds(20), [](State& s) { fail(s, UpstreamError::response_timeout); });
      if (path == "/reset-mid") {
        return later(std::chrono::milliseconds(0), [](State& s) {
          head(s, 200, {{"content-type", "text/plain"}});
          data(s, "part");
          fail(s, UpstreamError::reset);
        });
      }
      if (path == "/status-805") {  // a status HTTP does not define (RFC 9110 §15: treat it as a 5xx)
        return later(std::chrono::milliseconds(0), [](State& s) {
          head(s, 805, {{"content-type", "text/plain"}});
          data(s, "odd");
          s.emit(UpstreamEnd{});
        });
      }
      if (path == "/trailers") {  // gRPC-style: status in the trailers, with fields that must not travel
        return later(std::chrono::milliseconds(0), [](State& s) {
          head(s, 200, {{"content-type", "application/grpc"}});
          data(s, "grpc-body");
          const hpack::Header trailers[] = {{"grpc-status", "0"},
                                            {"grpc-message", "fine"},
                                            {"content-length", "999"},
                                            {"set-cookie", "a=b"},
                                            {"transfer-encoding", "x"},
                                            {"content-type", "text/evil"},
                                            {"connection", "x-trailer-hop"},
                                            {"x-trailer-hop", "1"}};
          s.emit(UpstreamEnd{trailers});
        });
      }
      if (path == "/early") {
        return later(std::chrono::milliseconds(0), [](State& s) {
          const hpack::Header info[] = {{"link", "</app-said.css>; rel=preload; as=style"}};
          s.emit(UpstreamInformational{103, info});
          head(s, 200, {{"content-type", "text/plain"}, {"connection", "x-hop"}, {"x-hop", "1"}});
          data(s, "ok");
          s.emit(UpstreamEnd{});
        });
      }
      if (path == "/css/site.css") {
        return later(std::chrono::milliseconds(0), [](State& s) {
          head(s, 200, {{"content-type", "text/css"}, {"etag", "\"css-v1\""}, {"content-length", "8"}});
          data(s, "body{} /");
          s.emit(UpstreamEnd{});
        });
      }
      if (const std::string_view body = deep_asset(path); !body.empty()) {
        return later(std::chrono::milliseconds(0), [path, body](State& s) {
          const bool css = path.ends_with(".css");
          head(s, 200, {{"content-type", css ? "text/css" : "text/javascript"}, {"etag", "\"" + path + "-1\""}});
          data(s, body);
          s.emit(UpstreamEnd{});
        });
      }
      if (path == "/huge") {  // longer than the capture: a sheet in its head, an image after 1.2 MiB of body
        return later(std::chrono::milliseconds(0), [](State& s) {
          head(s, 200, {{"content-type", "text/html"}});
          data(s, "<!doctype html><head><link rel=stylesheet href=/css/huge.css></head><body>");
          const std::string filler(64 * 1024, 'x');
          for (int i = 0; i < 20; ++i) data(s, filler);
          data(s, "<img src=/img/late.png></body>");
          s.emit(UpstreamEnd{});
        });
      }
      if (path == "/deep" || path == "/missing") {
        return later(std::chrono::milliseconds(0), [status = path == "/deep" ? 200 : 404](State& s) {
          head(s, status, {{"content-type", "text/html"}});
          data(s, kDeepPageHtml);
          s.emit(UpstreamEnd{});
        });
      }
      const bool no_store = path == "/nostore";
      later(think, [no_store](State& s) {
        head(s, 200,
             {{"content-type", "text/html; charset=utf-8"}, {"cache-control", no_store ? "no-store" : "max-age=0"}});
        const std::string_view html = kPageHtml;
        data(s, html.substr(0, 40));
        data(s, html.substr(40));
        s.emit(UpstreamEnd{});
      });
    }

    void send_body(std::span<const std::byte> bytes, bool end, std::function<void()> sent) override {
      s_->body.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      asio::post(s_->executor, std::move(sent));
      if (!end) return;
      {
        const std::lock_guard lock(s_->log->mutex);
        s_->log->bodies.push_back(s_->body);
      }
      later(std::chrono::milliseconds(0), [](State& s) {
        head(s, 200, {{"content-type", "application/octet-stream"}});
        data(s, s.body);
        s.emit(UpstreamEnd{});
      });
    }
    void send_trailers(Fields trailers, std::function<void()> sent) override {
      {
        const std::lock_guard lock(s_->log->mutex);
        s_->log->trailers = trailers;
      }
      send_body({}, true, std::move(sent));
    }
    void pause(bool) override {}

   private:
    template <class F>
    void later(std::chrono::milliseconds delay, F f) {
      auto timer = std::make_shared<asio::steady_timer>(s_->executor);
      timer->expires_after(delay);
      timer->async_wait([weak = std::weak_ptr(s_), timer, f](std::error_code ec) {
        const auto s = weak.lock();
        if (!ec && s != nullptr && !s->cancelled) f(*s);
      });
    }
    static void head(State& s, int status, std::vector<hpack::Header> fields) {
      {
        const std::lock_guard lock(s.log->mutex);
        s.log->last_head = std::chrono::steady_clock::now();
      }
      s.emit(UpstreamHead{status, fields, "HTTP/1.1"});
    }
    static void data(State& s, std::string_view text) {
      s.emit(UpstreamData{std::as_bytes(std::span(text.data(), text.size()))});
    }
    static void fail(State& s, UpstreamError e) { s.emit(UpstreamFailed{e, "scripted"}); }

    std::shared_ptr<State> s_;
  };

  std::shared_ptr<FakeLog> log_;
  std::chrono::milliseconds think_;
};

}  // namespace h2push::proxy::test
