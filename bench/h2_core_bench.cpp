// bench/h2_core_bench.cpp: the HTTP/2 core (http2::Connection, server role) against libnghttp2's server session,
// in memory, on the same client bytes.
//
// The client side is produced once, before timing, by a libnghttp2 client session (so that neither server decodes
// its own encoder's output): the connection preface (client magic, SETTINGS with ENABLE_PUSH=0 and a stream window,
// WINDOW_UPDATE opening the connection window), a SETTINGS ACK for the server's SETTINGS, then one GET request block
// per stream, ids 1, 3, 5, ... Both servers answer every request with a 200 response (HEADERS, then the body as
// DATA with END_STREAM) and have all their output drained after each request, so a benchmark iteration is one
// complete exchange on one long-lived connection.
//
// Stream ids only grow and HPACK state carries from block to block, so a script of requests can be replayed only
// on a fresh connection: every kGetScript (kLargeScript) requests, the benchmark opens a new server connection
// outside the timed region (PauseTiming), feeds it the preface and warms it up with the script's first requests
// (kGetWarmup, kLargeWarmup), also untimed and not counted. The timed requests are thus always those of a
// connection in its steady state.
//
// Benchmarks:
//   BM_h2_get_h2push / BM_h2_get_nghttp2                 GET, a 128-octet body (one DATA frame)
//   BM_h2_large_body_h2push / BM_h2_large_body_nghttp2   GET, a 1 MiB body in 16 KiB DATA frames; the client's
//                                                        stream window is 2^31-1 and each request is preceded by a
//                                                        WINDOW_UPDATE returning the previous body's octets to the
//                                                        connection window, so flow control never stalls
// Counters:
//   requests            exchanges per second (benchmark::Counter::kIsRate)
//   allocs_per_request  heap allocations per timed exchange (operator new, and libnghttp2's allocator through a
//                       counting nghttp2_mem); target for h2push's GET: 0. The large-body exchange allocates the
//                       application's BodySource (one std::make_unique per response).
//   out_bytes           octets of server output per exchange (both sides write the same frames; informational)
#include <benchmark/benchmark.h>
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "alloc_counter.hpp"
#include "h2push/http2/connection.hpp"

namespace {

using benchmark::Counter;
using h2push::bench::heap_allocations;
namespace http2 = h2push::http2;

constexpr std::size_t kSmallBody = 128;
constexpr std::size_t kLargeBody = std::size_t{1} << 20;
constexpr std::size_t kGetScript = 16384;  // requests per connection in the GET benchmarks (ids 1..32767)
constexpr std::size_t kLargeScript = 256;  // requests per connection in the large-body benchmarks
// Untimed requests at the start of every connection. For GET, more than the closed-stream ring holds
// (Options::max_closed_streams = 256), so that the ring's growth is not timed.
constexpr std::size_t kGetWarmup = 512;
constexpr std::size_t kLargeWarmup = 16;
constexpr std::uint32_t kMaxWindow = 0x7fffffff;
constexpr std::uint32_t kConnectionWindow = 64u << 20;  // the client's connection window after its preface

// The first `size` octets of one shared body (at most kLargeBody).
std::span<const std::byte> body_bytes(std::size_t size) {
  static const std::vector<std::byte> body = [] {
    std::vector<std::byte> b(kLargeBody);
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::byte>('a' + i % 26);
    return b;
  }();
  return std::span<const std::byte>(body).first(size);
}

// ---- the client script

void append(std::vector<std::byte>& out, const std::uint8_t* data, std::size_t n) {
  const auto* p = reinterpret_cast<const std::byte*>(data);
  out.insert(out.end(), p, p + n);
}

void append_frame_header(std::vector<std::byte>& out, std::uint32_t length, std::uint8_t type, std::uint8_t flags,
                         std::uint32_t stream) {
  const std::uint8_t h[9] = {static_cast<std::uint8_t>(length >> 16),
                             static_cast<std::uint8_t>(length >> 8),
                             static_cast<std::uint8_t>(length),
                             type,
                             flags,
                             static_cast<std::uint8_t>(stream >> 24),
                             static_cast<std::uint8_t>(stream >> 16),
                             static_cast<std::uint8_t>(stream >> 8),
                             static_cast<std::uint8_t>(stream)};
  append(out, h, sizeof h);
}

void append_window_update(std::vector<std::byte>& out, std::uint32_t increment) {
  append_frame_header(out, 4, NGHTTP2_WINDOW_UPDATE, 0, 0);
  const std::uint8_t v[4] = {static_cast<std::uint8_t>(increment >> 24), static_cast<std::uint8_t>(increment >> 16),
                             static_cast<std::uint8_t>(increment >> 8), static_cast<std::uint8_t>(increment)};
  append(out, v, sizeof v);
}

struct ClientScript {
  std::vector<std::byte> preface;
  std::vector<std::byte> bytes;   // all request chunks back to back
  std::vector<std::size_t> ends;  // ends[i]: end of request i's chunk in `bytes`
  std::size_t requests() const noexcept { return ends.size(); }
  std::span<const std::byte> request(std::size_t i) const noexcept {
    const std::size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::span<const std::byte>(bytes).subspan(begin, ends[i] - begin);
  }
};

nghttp2_nv make_nv(std::string_view name, std::string_view value) {
  // libnghttp2 takes non-const pointers but does not write through them.
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

bool drain_client(nghttp2_session* client, std::vector<std::byte>& out) {
  for (;;) {
    const std::uint8_t* data = nullptr;
    const auto n = nghttp2_session_mem_send(client, &data);
    if (n < 0) return false;
    if (n == 0) return true;
    append(out, data, static_cast<std::size_t>(n));
  }
}

// `requests` GET requests from a libnghttp2 client, each chunk preceded by a connection WINDOW_UPDATE of
// `credit_per_request` octets when that is not 0.
ClientScript make_script(std::size_t requests, std::uint32_t credit_per_request) {
  ClientScript script;
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_option* option = nullptr;
  nghttp2_session* client = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0 || nghttp2_option_new(&option) != 0) std::abort();
  // It never hears the server, so its requests must not wait for the server's SETTINGS.
  nghttp2_option_set_peer_max_concurrent_streams(option, 0xffffffffu);
  if (nghttp2_session_client_new2(&client, callbacks, nullptr, option) != 0) std::abort();
  const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                             {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kMaxWindow}};
  if (nghttp2_submit_settings(client, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0 ||
      nghttp2_session_set_local_window_size(client, NGHTTP2_FLAG_NONE, 0,
                                            static_cast<std::int32_t>(kConnectionWindow)) != 0 ||
      !drain_client(client, script.preface)) {
    std::abort();
  }
  append_frame_header(script.preface, 0, NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0);  // the server's SETTINGS
  std::string path;
  for (std::size_t i = 0; i < requests; ++i) {
    if (credit_per_request != 0) append_window_update(script.bytes, credit_per_request);
    path = "/static/app/chunk-" + std::to_string(i * 7919 % 100000) + ".js";
    const nghttp2_nv nva[] = {
        make_nv(":method", "GET"),
        make_nv(":scheme", "https"),
        make_nv(":authority", "www.example.com"),
        make_nv(":path", path),
        make_nv("user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"),
        make_nv("accept", "*/*"),
        make_nv("accept-language", "en-US,en;q=0.5"),
        make_nv("accept-encoding", "gzip, deflate, br"),
        make_nv("referer", "https://www.example.com/"),
    };
    if (nghttp2_submit_request(client, nullptr, nva, std::size(nva), nullptr, nullptr) < 0 ||
        !drain_client(client, script.bytes)) {
      std::abort();
    }
    script.ends.push_back(script.bytes.size());
  }
  nghttp2_session_del(client);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
  return script;
}

const ClientScript& get_script() {
  static const ClientScript script = make_script(kGetScript, 0);
  return script;
}

const ClientScript& large_script() {
  static const ClientScript script = make_script(kLargeScript, static_cast<std::uint32_t>(kLargeBody));
  return script;
}

// The response both servers send. content-length lets the checking client verify the body.
struct ResponseHead {
  std::string length;
  explicit ResponseHead(std::size_t body) : length(std::to_string(body)) {}
};

// ---- checking: a libnghttp2 client that replays the script's requests reads a server's answers

// Feeds `server_output` to a fresh libnghttp2 client that sent the script's first `requests` requests, and checks
// that each got a 200 and exactly `body` octets, with nothing reported invalid.
class ResponseChecker {
 public:
  ResponseChecker(std::size_t requests, std::size_t body) : expected_body_(body), received_(requests, 0) {
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_option* option = nullptr;
    if (nghttp2_session_callbacks_new(&callbacks) != 0 || nghttp2_option_new(&option) != 0) std::abort();
    nghttp2_option_set_peer_max_concurrent_streams(option, 0xffffffffu);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_close);
    nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks, on_invalid);
    if (nghttp2_session_client_new2(&session_, callbacks, this, option) != 0) std::abort();
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(callbacks);
    const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                               {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kMaxWindow}};
    std::vector<std::byte> ignored;
    if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0 ||
        nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                              static_cast<std::int32_t>(kConnectionWindow)) != 0) {
      std::abort();
    }
    const nghttp2_nv nva[] = {make_nv(":method", "GET"), make_nv(":scheme", "https"),
                              make_nv(":authority", "www.example.com"), make_nv(":path", "/")};
    for (std::size_t i = 0; i < requests; ++i) {
      if (nghttp2_submit_request(session_, nullptr, nva, std::size(nva), nullptr, nullptr) < 0) std::abort();
    }
    if (!drain_client(session_, ignored)) std::abort();
  }
  ~ResponseChecker() { nghttp2_session_del(session_); }
  ResponseChecker(const ResponseChecker&) = delete;
  ResponseChecker& operator=(const ResponseChecker&) = delete;

  // Empty when all is well, else what went wrong.
  std::string check(std::span<const std::byte> server_output) {
    const auto n = nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(server_output.data()),
                                            server_output.size());
    if (n < 0) return std::string("nghttp2_session_mem_recv: ") + nghttp2_strerror(static_cast<int>(n));
    if (!problem_.empty()) return problem_;
    for (std::size_t i = 0; i < received_.size(); ++i) {
      if (received_[i] != expected_body_ || statuses_ok_ <= i || closed_ok_ <= i) {
        return "stream " + std::to_string(2 * i + 1) + ": " + std::to_string(received_[i]) + " body octets, " +
               std::to_string(statuses_ok_) + " 200s, " + std::to_string(closed_ok_) + " clean closes";
      }
    }
    return {};
  }

 private:
  static ResponseChecker& self(void* user_data) { return *static_cast<ResponseChecker*>(user_data); }
  static int on_header(nghttp2_session*, const nghttp2_frame*, const std::uint8_t* name, std::size_t namelen,
                       const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void* user_data) {
    const std::string_view n(reinterpret_cast<const char*>(name), namelen);
    const std::string_view v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":status" && v == "200") ++self(user_data).statuses_ok_;
    return 0;
  }
  static int on_data(nghttp2_session*, std::uint8_t, std::int32_t stream_id, const std::uint8_t*, std::size_t len,
                     void* user_data) {
    auto& c = self(user_data);
    const auto index = static_cast<std::size_t>(stream_id - 1) / 2;
    if (index < c.received_.size()) c.received_[index] += len;
    return 0;
  }
  static int on_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code, void* user_data) {
    auto& c = self(user_data);
    if (error_code == NGHTTP2_NO_ERROR) {
      ++c.closed_ok_;
    } else {
      c.problem_ = "stream " + std::to_string(stream_id) + " closed with error " + std::to_string(error_code);
    }
    return 0;
  }
  static int on_invalid(nghttp2_session*, const nghttp2_frame* frame, int lib_error_code, void* user_data) {
    self(user_data).problem_ =
        "invalid frame of type " + std::to_string(frame->hd.type) + ": " + nghttp2_strerror(lib_error_code);
    return 0;
  }

  nghttp2_session* session_ = nullptr;
  std::size_t expected_body_;
  std::vector<std::size_t> received_;
  std::size_t statuses_ok_ = 0;
  std::size_t closed_ok_ = 0;
  std::string problem_;
};

// ---- our server

// A body handed to the core piecewise, as windows open (large-body benchmark): like libnghttp2's data provider,
// it copies from the shared body into the buffer it is given.
class SpanSource final : public http2::BodySource {
 public:
  explicit SpanSource(std::span<const std::byte> body) : left_(body) {}
  Read read(std::span<std::byte> out) override {
    const std::size_t n = std::min(out.size(), left_.size());
    std::memcpy(out.data(), left_.data(), n);
    left_ = left_.subspan(n);
    return {n, left_.empty(), false};
  }

 private:
  std::span<const std::byte> left_;
};

class OurServer {
 public:
  OurServer(std::size_t body, bool pull_body) : body_(body_bytes(body)), pull_body_(pull_body), head_(body) {}

  // A fresh connection that has read the script's preface.
  bool start(const ClientScript& script) {
    conn_ = http2::Connection(http2::Options{.role = http2::Role::server});
    return feed(script.preface);
  }

  // One request chunk in, every response octet out. False on any failure. Not inlined, for profiles.
  [[gnu::noinline]] bool feed(std::span<const std::byte> bytes) {
    for (const http2::Event& e : conn_.receive(bytes)) {
      if (const auto* request = std::get_if<http2::RequestReceived>(&e)) {
        for (const http2::Header& h : request->headers) {
          if (h.name == ":path") path_octets_ += h.value.size();
        }
        const http2::Header fields[] = {
            {":status", "200"}, {"content-type", "application/javascript"}, {"content-length", head_.length}};
        if (!conn_.submit_response(request->stream, fields, false)) return false;
        if (pull_body_) {
          if (!conn_.send_body(request->stream, std::make_unique<SpanSource>(body_))) return false;
        } else if (!conn_.send_data(request->stream, body_, true)) {
          return false;
        }
      } else if (std::holds_alternative<http2::ConnectionFailed>(e) || std::holds_alternative<http2::StreamReset>(e)) {
        return false;
      }
    }
    for (auto out = conn_.pending_output(); !out.empty(); out = conn_.pending_output()) {
      if (capture_ != nullptr) capture_->insert(capture_->end(), out.begin(), out.end());
      out_octets_ += out.size();
      conn_.consume_output(out.size());
    }
    return true;
  }

  void capture(std::vector<std::byte>* into) noexcept { capture_ = into; }
  std::uint64_t out_octets() const noexcept { return out_octets_; }
  ~OurServer() { benchmark::DoNotOptimize(path_octets_); }

 private:
  http2::Connection conn_{http2::Options{.role = http2::Role::server}};
  std::span<const std::byte> body_;
  bool pull_body_;
  ResponseHead head_;
  std::vector<std::byte>* capture_ = nullptr;
  std::uint64_t out_octets_ = 0;
  std::uint64_t path_octets_ = 0;
};

// ---- libnghttp2's server

class NghttpServer {
 public:
  explicit NghttpServer(std::size_t body) : body_(body_bytes(body)), head_(body) {
    if (nghttp2_session_callbacks_new(&callbacks_) != 0) std::abort();
    nghttp2_session_callbacks_set_on_header_callback(callbacks_, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks_, on_frame_recv);
    response_ = {make_nv(":status", "200"), make_nv("content-type", "application/javascript"),
                 make_nv("content-length", head_.length)};
  }
  ~NghttpServer() {
    if (session_ != nullptr) nghttp2_session_del(session_);
    nghttp2_session_callbacks_del(callbacks_);
    benchmark::DoNotOptimize(path_octets_);
  }
  NghttpServer(const NghttpServer&) = delete;
  NghttpServer& operator=(const NghttpServer&) = delete;

  bool start(const ClientScript& script) {
    if (session_ != nullptr) nghttp2_session_del(session_);
    session_ = nullptr;
    if (nghttp2_session_server_new3(&session_, callbacks_, this, nullptr, h2push::bench::counting_nghttp2_mem()) != 0) {
      return false;
    }
    // What our server advertises by default.
    const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
                                               {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, 65536}};
    if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0 ||
        nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, 1 << 20) != 0) {
      return false;
    }
    return feed(script.preface);
  }

  [[gnu::noinline]] bool feed(std::span<const std::byte> bytes) {
    const auto n =
        nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    if (n < 0 || static_cast<std::size_t>(n) != bytes.size() || failed_) return false;
    for (;;) {
      const std::uint8_t* data = nullptr;
      const auto sent = nghttp2_session_mem_send(session_, &data);
      if (sent < 0) return false;
      if (sent == 0) break;
      if (capture_ != nullptr) append(*capture_, data, static_cast<std::size_t>(sent));
      out_octets_ += static_cast<std::uint64_t>(sent);
    }
    return true;
  }

  void capture(std::vector<std::byte>* into) noexcept { capture_ = into; }
  std::uint64_t out_octets() const noexcept { return out_octets_; }

 private:
  static NghttpServer& self(void* user_data) { return *static_cast<NghttpServer*>(user_data); }

  static int on_header(nghttp2_session*, const nghttp2_frame*, const std::uint8_t* name, std::size_t namelen,
                       const std::uint8_t*, std::size_t valuelen, std::uint8_t, void* user_data) {
    if (namelen == 5 && std::memcmp(name, ":path", 5) == 0) self(user_data).path_octets_ += valuelen;
    return 0;
  }

  static int on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    auto& s = self(user_data);
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
      s.cursor_ = s.body_;
      nghttp2_data_provider provider{};
      provider.source.ptr = &s;
      provider.read_callback = read_body;
      if (nghttp2_submit_response(session, frame->hd.stream_id, s.response_.data(), s.response_.size(), &provider) !=
          0) {
        s.failed_ = true;
      }
    } else if (frame->hd.type == NGHTTP2_RST_STREAM || frame->hd.type == NGHTTP2_GOAWAY) {
      s.failed_ = true;
    }
    return 0;
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* data_flags, nghttp2_data_source* source, void*) {
    auto& s = *static_cast<NghttpServer*>(source->ptr);
    const std::size_t n = std::min(length, s.cursor_.size());
    std::memcpy(buf, s.cursor_.data(), n);
    s.cursor_ = s.cursor_.subspan(n);
    if (s.cursor_.empty()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  nghttp2_session_callbacks* callbacks_ = nullptr;
  nghttp2_session* session_ = nullptr;
  std::span<const std::byte> body_;
  std::span<const std::byte> cursor_;  // what is left of the body being sent (one response at a time)
  ResponseHead head_;
  std::array<nghttp2_nv, 3> response_{};
  std::vector<std::byte>* capture_ = nullptr;
  std::uint64_t out_octets_ = 0;
  std::uint64_t path_octets_ = 0;
  bool failed_ = false;
};

// ---- the benchmark loop, shared by both servers

// Checks the server's answers to the script's first requests with a libnghttp2 client.
template <class Server>
std::string check_server(Server& server, const ClientScript& script, std::size_t body) {
  constexpr std::size_t kChecked = 8;
  std::vector<std::byte> output;
  server.capture(&output);
  bool ok = server.start(script);
  for (std::size_t i = 0; ok && i < kChecked; ++i) ok = server.feed(script.request(i));
  server.capture(nullptr);
  if (!ok) return "the server failed on the script";
  ResponseChecker checker(kChecked, body);
  return checker.check(output);
}

template <class Server>
void run_exchanges(benchmark::State& state, Server& server, const ClientScript& script, std::size_t body,
                   std::size_t warmup) {
  if (const std::string problem = check_server(server, script, body); !problem.empty()) {
    state.SkipWithError(problem.c_str());
    return;
  }
  std::size_t next = script.requests();  // the first iteration opens a connection
  std::uint64_t allocations = 0;
  std::uint64_t allocations_at = heap_allocations();
  std::uint64_t out_before = 0;
  std::uint64_t out_timed = 0;
  for (auto _ : state) {
    if (next == script.requests()) {
      allocations += heap_allocations() - allocations_at;
      out_timed += server.out_octets() - out_before;
      state.PauseTiming();
      bool ok = server.start(script);
      for (next = 0; ok && next < warmup; ++next) ok = server.feed(script.request(next));
      if (!ok) {
        state.SkipWithError("the server failed during warm-up");
        break;
      }
      out_before = server.out_octets();
      allocations_at = heap_allocations();
      state.ResumeTiming();
    }
    if (!server.feed(script.request(next++))) {
      state.SkipWithError("the server failed");
      break;
    }
  }
  allocations += heap_allocations() - allocations_at;
  out_timed += server.out_octets() - out_before;
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["requests"] = Counter(iterations, Counter::kIsRate);
  state.counters["allocs_per_request"] = Counter(iterations > 0 ? static_cast<double>(allocations) / iterations : 0);
  state.counters["out_bytes"] = Counter(iterations > 0 ? static_cast<double>(out_timed) / iterations : 0);
  state.SetBytesProcessed(static_cast<std::int64_t>(body) * state.iterations());
}

void BM_h2_get_h2push(benchmark::State& state) {
  OurServer server(kSmallBody, false);
  run_exchanges(state, server, get_script(), kSmallBody, kGetWarmup);
}
BENCHMARK(BM_h2_get_h2push);

void BM_h2_get_nghttp2(benchmark::State& state) {
  NghttpServer server(kSmallBody);
  run_exchanges(state, server, get_script(), kSmallBody, kGetWarmup);
}
BENCHMARK(BM_h2_get_nghttp2);

void BM_h2_large_body_h2push(benchmark::State& state) {
  OurServer server(kLargeBody, true);
  run_exchanges(state, server, large_script(), kLargeBody, kLargeWarmup);
}
BENCHMARK(BM_h2_large_body_h2push)->Unit(benchmark::kMicrosecond);

void BM_h2_large_body_nghttp2(benchmark::State& state) {
  NghttpServer server(kLargeBody);
  run_exchanges(state, server, large_script(), kLargeBody, kLargeWarmup);
}
BENCHMARK(BM_h2_large_body_nghttp2)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
