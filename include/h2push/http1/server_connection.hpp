// include/h2push/http1/server_connection.hpp: the sans-IO HTTP/1.1 server endpoint (RFC 9112, RFC 9110).
//
// The ServerConnection owns request parsing, message framing both ways, keep-alive, pipelining (responses leave in
// request order whatever order they are submitted in), 1xx responses, `Expect: 100-continue`, the h2c upgrade and
// the limits against smuggling and oversized heads. It does no I/O and reads no clock: bytes come in through
// receive(), output is pulled with pending_output() and marked sent with consume_output(); timers are the I/O
// layer's, which reports them with read_timeout().
//
//   ServerConnection conn;
//   for (const Event& e : conn.receive(bytes_from_socket)) { ... conn.submit_response(...); }
//   while (auto out = conn.pending_output(); !out.empty()) conn.consume_output(write(socket, out));
//   if (conn.is_closed()) close(socket);
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "h2push/body_source.hpp"
#include "h2push/http1/events.hpp"
#include "h2push/http1/types.hpp"
#include "h2push/result.hpp"

namespace h2push::http1 {
namespace detail {
struct ServerState;  // src/http1/server_state.hpp
}  // namespace detail

struct Options {
  // Head limits (SECURITY.md §18). Past them the request is answered with the status shown and the connection
  // closes.
  std::size_t max_request_line = 8 * 1024;     // 414: request line without its CRLF
  std::size_t max_field_line = 8 * 1024;       // 431: one field line without its CRLF
  std::size_t max_field_section = 64 * 1024;   // 431: all field lines with their line endings
  std::size_t max_fields = 100;                // 431: field lines per request
  std::size_t max_trailer_section = 8 * 1024;  // 431: a chunked body's trailer section (its lines count as fields)
  std::uint64_t max_body_size = 1024 * 1024;   // 413: Content-Length, or the sum of chunk sizes so far
  std::size_t max_chunk_extension = 1024;      // 400: extension octets on one chunk-size line (CVE-2024-22019)
  // RFC 9112 §2.2 lets a recipient accept a bare LF as a line ending in the head. Off by default: an origin that is
  // stricter than the proxies in front of it cannot be desynchronised by line endings. Chunk framing always
  // requires CRLF.
  bool accept_bare_lf = false;
  // Requests reported but not yet fully answered; at this count parsing stops (wants_read() is false) until
  // responses go out. Bounds what a pipelining client makes us hold.
  std::size_t max_pipelined_requests = 16;
  // Input given while parsing is stopped is held up to this size; past it: ProtocolError{input_overflow}.
  std::size_t max_buffered_input = 256 * 1024;
  // Pending output never grows past this through a BodySource: pulling starts once pending output has fallen to
  // half of it (so a slow writer gets large chunks, not a dribble) and stops at it (SECURITY.md §5, CVE-2019-9517).
  std::size_t output_budget = 64 * 1024;
};

// Misuse of the API by the application; never sent to the peer.
enum class Errc : std::uint8_t {
  unknown_request,          // no such request, or its response has already gone out
  invalid_state,            // a second final response, data before the response or after its end, a 1xx after the
                            // final response, or a request the core answered itself (ProtocolError)
  invalid_headers,          // bad :status, a field name that is not a token, CR/LF/NUL in a value, Content-Length
                            // on 1xx/204, or a field the core owns (transfer-encoding, upgrade, keep-alive, ...)
  content_length_mismatch,  // more body than the response's Content-Length, or its end before it
  http10_client,            // a 1xx response to an HTTP/1.0 request (RFC 9110 §15.2)
  not_upgradable,           // accept_h2c_upgrade() on a request that is not a valid h2c upgrade
  connection_closed,        // the connection is closing: nothing more is written
};
std::string_view to_string(Errc errc) noexcept;

// What the read side is doing, for the I/O layer's timers (the core reads no clock).
enum class ReadState : std::uint8_t {
  idle,    // between requests, nothing of the next head received: keep-alive idle timeout
  head,    // part of a request head received: head timeout (read_timeout() answers 408)
  body,    // inside a request body: body gap timeout (read_timeout() answers 408 if not yet answered)
  paused,  // parsing waits for the application (pipeline full, h2c decision): no read timeout
  closed,  // no more input is read
};

// Does the start of a connection look like the HTTP/2 prior-knowledge preface (RFC 9113 §3.4)? Sniff before feeding
// a ServerConnection: `partial` means "a prefix so far, read more".
enum class PrefaceMatch : std::uint8_t { complete, partial, mismatch };
PrefaceMatch match_http2_preface(std::span<const std::byte> first_bytes) noexcept;

// One owner, one thread. The events returned by receive() and read_timeout(), and the spans they hold, stay valid
// until the next receive() or read_timeout(); submit calls made while handling them do not invalidate them.
class ServerConnection {
 public:
  explicit ServerConnection(const Options& options = {});
  ~ServerConnection();
  ServerConnection(ServerConnection&&) noexcept;
  ServerConnection& operator=(ServerConnection&&) noexcept;

  // Feeds bytes from the client. Peer errors never fail this call: they become a ProtocolError event with the
  // error response queued. Input arriving while parsing is paused is held; call receive({}) to parse it once
  // wants_read() is true again (has_held_input()). Input after the last request (Connection: close, an error,
  // shutdown(), an accepted upgrade) is ignored.
  std::span<const Event> receive(std::span<const std::byte> bytes);
  // The I/O layer's read timer fired. ReadState::head: 408 and close. ReadState::body: ProtocolError{timeout,
  // body_aborted} (408 unless already answered) and close. ReadState::idle: close quietly once the queued responses
  // are out. Otherwise nothing.
  std::span<const Event> read_timeout();

  // Output in wire order; pulls response bodies while less than Options::output_budget is pending.
  std::span<const std::byte> pending_output();
  // Marks `n` octets of pending_output() as sent.
  void consume_output(std::size_t n);
  bool wants_write() const noexcept;  // output is pending or a body could be pulled now
  bool wants_read() const noexcept;   // read_state() is neither paused nor closed
  bool has_held_input() const noexcept;

  // A 1xx response (103 Early Hints, 100) before the final one. `fields` starts with {":status", "1xx"}; 101 is
  // refused (accept_h2c_upgrade() writes it). Fails with http10_client for an HTTP/1.0 request (never a 1xx to
  // HTTP/1.0), invalid_state after the final response.
  [[nodiscard]] Status<Errc> submit_informational(RequestId id, std::span<const Header> fields);
  // The final response: {":status", "200"} first, then fields (any case; written as given). The core adds the
  // framing: the content-length given is kept and enforced; else `content-length: 0` when end_stream, chunked for
  // HTTP/1.1, or close-delimited for HTTP/1.0. It adds `connection: close` / `keep-alive` as needed; a
  // `connection: close` field asks to close after this response. HEAD, 204 and 304 responses carry no body: body
  // calls for them are accepted and dropped.
  [[nodiscard]] Status<Errc> submit_response(RequestId id, std::span<const Header> fields, bool end_stream);
  // Queues body octets (copied). end_stream: the body is complete (no trailers).
  [[nodiscard]] Status<Errc> send_data(RequestId id, std::span<const std::byte> data, bool end_stream);
  // Hands the rest of the body to a source pulled while output is below the budget. A source that fails, or ends
  // short of the Content-Length, closes the connection (a truncated message can only be signalled so).
  [[nodiscard]] Status<Errc> send_body(RequestId id, std::unique_ptr<BodySource> source);
  // A source returned 0 octets without `end`; it has more now.
  void resume_body(RequestId id);
  // Ends the body with a trailer section once the queued body has gone out. Written only on a chunked response;
  // otherwise dropped (RFC 9110 §6.5.1 lets recipients discard trailers).
  [[nodiscard]] Status<Errc> submit_trailers(RequestId id, std::span<const Header> fields);
  // The application starts reading the body: queues `100 Continue` if the client expects it and it has not been
  // sent (RFC 9110 §10.1.1). A no-op otherwise.
  [[nodiscard]] Status<Errc> accept_body(RequestId id);
  // Accepts the h2c upgrade of request `id` (RequestReceived::h2c_upgrade): queues `101 Switching Protocols` with
  // `connection: Upgrade` and `upgrade: h2c` (after the responses before it) and returns the input received after
  // the request, which belongs to HTTP/2. From then on receive() ignores input: once pending_output() is empty,
  // is_closed() and upgraded() are true and the transport belongs to an http2::Connection, which answers the
  // request on stream 1.
  [[nodiscard]] Result<std::vector<std::byte>, Errc> accept_h2c_upgrade(RequestId id);

  // Graceful close: no new request is read; requests already reported are answered, the last response carries
  // `connection: close`, then is_closed().
  void shutdown();
  // Immediate close: pending output is dropped and is_closed() is true.
  void abort();
  // An IMF-fixdate the core puts in a `date` field of the responses it writes itself (errors, 408). The core reads
  // no clock: the I/O layer refreshes it. Empty: no date field.
  void set_date(std::string_view imf_fixdate);

  ReadState read_state() const noexcept;
  std::size_t outstanding_requests() const noexcept;  // reported and not yet fully queued for output
  bool is_closed() const noexcept;  // no more output will be produced: close once pending_output() is empty
  bool upgraded() const noexcept;   // accept_h2c_upgrade() succeeded

 private:
  std::unique_ptr<detail::ServerState> state_;  // keeps this header std-only; one allocation per connection
};

}  // namespace h2push::http1
