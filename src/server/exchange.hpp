// src/server/exchange.hpp: one request/response exchange handed to an asynchronous Handler (a proxy, a slow app):
// the same for HTTP/1.1 and HTTP/2. The handler answers when it likes, sends 1xx responses first, streams the
// response body as it arrives, reads the request body with backpressure and learns when the client went away.
//
//   bool start(std::shared_ptr<Exchange> x) override {
//     x->on_body([x](std::span<const std::byte> chunk, bool end) { upload(chunk); x->consume(chunk.size()); });
//     x->on_gone([] { cancel_upstream(); });
//     ... later, on the worker thread: x->inform(103, links); x->respond_streaming(200, fields); x->write(b, end);
//     return true;
//   }
//
// Threading: everything on the connection's worker thread (post to executor() from elsewhere). Lifetime: the
// handler owns the exchange (the session only observes it); it keeps the connection alive until it is released.
// Callbacks may capture the exchange: it drops on_body's after the last chunk, and all of them when the client goes
// or the connection closes, which breaks such cycles.
// Releasing it before the response is complete aborts it: no response yet gives 500, a started body is cut (HTTP/2:
// RST_STREAM; HTTP/1.1: the connection closes, the only way to signal a truncated message).
//
// Pushes (Handler::asynchronous_pushes()): the session promises a planned resource at once and hands the promised
// stream to start() as an exchange whose pushed() is true and whose request() is the promised GET. It takes no 1xx;
// its response must be a 200 the client may store (pushable_response(), src/server/session_push.hpp), anything else
// resets the promised stream with RST_STREAM(CANCEL) ("not needed, fetch it yourself"), as do abort() and releasing
// it before the response. A body cut after the head is RST_STREAM(INTERNAL_ERROR), as for any response.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <asio/any_io_executor.hpp>

#include "h2push/body_source.hpp"
#include "server/handler.hpp"
#include "server/session_push.hpp"

namespace h2push::server {

using Fields = std::vector<std::pair<std::string, std::string>>;

// What an exchange asks of its session; implemented by ProtocolSession. `key` names the request (HTTP/1.1 request
// id, HTTP/2 stream id). Every call may write: the session flushes its output afterwards.
class ExchangeSink {
 public:
  // A 1xx response (fields start with :status). False when the stream or request is gone or it is refused.
  virtual bool exchange_inform(std::uint64_t key, std::span<const hpack::Header> fields) = 0;
  // The final response; `body` null: no content. False when the stream or request is gone.
  virtual bool exchange_respond(std::uint64_t key, std::span<const hpack::Header> fields,
                                std::unique_ptr<BodySource> body) = 0;
  virtual void exchange_resume(std::uint64_t key) = 0;  // a body source has more now
  // Ends the response body with a trailer section once the body source ends (HTTP/1.1: only when chunked).
  virtual bool exchange_trailers(std::uint64_t key, std::span<const hpack::Header> fields) = 0;
  virtual void exchange_consume(std::uint64_t key, std::size_t n) = 0;  // request body octets used
  virtual void exchange_want_body(std::uint64_t key) = 0;               // HTTP/1.1: send 100 Continue if expected
  virtual void exchange_abort(std::uint64_t key) = 0;                   // reset the stream / close the connection
  virtual void exchange_cancel(std::uint64_t key) = 0;  // HTTP/2: RST_STREAM(CANCEL), a push given up before its head
  virtual void exchange_log(const Request& request, int status, std::uint64_t length,
                            std::chrono::steady_clock::duration took, std::string_view suffix) = 0;

 protected:
  ~ExchangeSink() = default;
};

class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  using BodyCallback = std::function<void(std::span<const std::byte> chunk, bool end)>;

  // Made by the session. `request_has_body`: the request announced content (HTTP/1.1 framing, HTTP/2 no
  // END_STREAM on its HEADERS). `pushed`: a promised stream (HTTP/2 server push).
  Exchange(ExchangeSink* sink, std::shared_ptr<void> keep_alive, std::uint64_t key, const Request& request,
           asio::any_io_executor executor, bool request_has_body, bool pushed = false);
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  const Request& request() const noexcept { return view_; }
  const asio::any_io_executor& executor() const noexcept { return executor_; }
  // The client is still there and the final response is not complete.
  bool open() const noexcept { return sink_ != nullptr && !complete(); }
  bool responded() const noexcept { return responded_; }
  // A promised stream: the response to a push the session already promised (see the top of this file).
  bool pushed() const noexcept { return pushed_; }

  // A 1xx response before the final one (103 Early Hints, 100). 101 is refused. False if not sent (HTTP/1.0
  // client, closed stream, after the final response, a pushed exchange).
  bool inform(int status, const Fields& fields);
  // The final response with a body pulled from response.body: a source returning 0 octets without `end` means
  // "nothing yet"; call resume() when it has more.
  bool respond(Response response);
  // The final response whose body the handler pushes with write(). content_length: when known.
  bool respond_streaming(int status, Fields fields, std::optional<std::uint64_t> content_length = std::nullopt);
  // Body octets of a streamed response (copied); end: the body is complete. False when the client is gone.
  bool write(std::span<const std::byte> data, bool end);
  // Ends a streamed response body with a trailer section (names lower-case, no pseudo-header fields): HTTP/2
  // trailers; HTTP/1.1 a chunked trailer section, dropped when the response is framed by Content-Length (RFC 9110
  // §6.5.1 lets recipients discard trailers). False when the client is gone or the fields are refused (the body
  // then ends without them).
  bool write_trailers(const Fields& fields);
  // Octets written and not yet taken by the protocol core (flow control, a slow client): stop producing past a
  // budget of your own and wait for on_drain.
  std::size_t buffered() const noexcept;
  // Called (posted to the executor) once the streamed body's buffer is empty after a write.
  void on_drain(std::function<void()> callback);
  // The body source given to respond() has more octets now.
  void resume();
  // Gives up: RST_STREAM(INTERNAL_ERROR) on HTTP/2; on HTTP/1.1 the connection closes (after a 502 when no
  // response was sent, so the error reaches the client). A push without its head yet: RST_STREAM(CANCEL).
  void abort();

  // Called once if the client goes away (stream reset, connection closed, request body broken) before the final
  // response is complete. Not called after abort().
  void on_gone(std::function<void()> callback);

  // The request body, chunk by chunk; the last call has end = true (for a request without a body, a single empty
  // end chunk). Chunks that arrived earlier are delivered (posted) at once. The client is held back (HTTP/2 flow
  // control, HTTP/1.1 no more reads) until consume() gives the octets back.
  void on_body(BodyCallback callback);
  void consume(std::size_t n);
  bool request_has_body() const noexcept { return has_body_; }
  // The request's trailer section (HTTP/2 trailers, HTTP/1.1 chunked trailer section), complete once on_body() got
  // its end chunk; empty when there was none.
  const Fields& request_trailers() const noexcept { return request_trailers_; }

  // The session's side (src/server/session.hpp).
  void session_body(std::span<const std::byte> chunk, bool end);  // request body input
  void session_trailers(std::span<const hpack::Header> fields);   // the request's trailers (the body end follows)
  void session_gone();                                            // the client went away
  void session_detach() noexcept;                                 // the session closes: no more calls to it
  std::size_t session_unconsumed() const noexcept { return unconsumed_; }
  void session_set_push(std::string set_cookie, std::string log_suffix);

 private:
  struct Streamed;
  class TrackedBody;
  bool complete() const noexcept { return complete_ || (body_done_ != nullptr && *body_done_); }
  bool submit_final(int status, Fields& fields, std::unique_ptr<BodySource> body, std::uint64_t length);
  void deliver_held();
  bool cancel_push(int status);  // resets a promised stream (CANCEL) and logs it; returns false

  ExchangeSink* sink_;
  std::shared_ptr<void> keep_alive_;
  std::uint64_t key_;
  OwnedRequest owned_;
  Request view_;
  asio::any_io_executor executor_;
  std::chrono::steady_clock::time_point started_;
  std::string set_cookie_, log_suffix_;
  bool has_body_;
  bool pushed_;
  bool responded_ = false;
  bool complete_ = false;  // the final response and all of its body are queued (or it failed)
  bool body_ended_ = false;
  std::shared_ptr<Streamed> streamed_;  // respond_streaming()'s buffer, shared with the core's body source
  std::shared_ptr<bool> body_done_;     // set by the body source once it ended or failed
  std::function<void()> on_gone_;
  BodyCallback on_body_;
  std::vector<std::byte> held_;  // request body received before on_body()
  bool held_end_ = false;
  bool delivering_ = false;     // a posted delivery of held_ is pending
  std::size_t unconsumed_ = 0;  // request body octets received and not given back with consume()
  Fields request_trailers_;
};

}  // namespace h2push::server
