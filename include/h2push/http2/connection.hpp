// include/h2push/http2/connection.hpp: the sans-IO HTTP/2 endpoint (RFC 9113), both roles.
//
// The Connection owns framing, HPACK, stream states, flow control, priorities and the attack budgets. It does no
// I/O and reads no clock: bytes come in through receive(), output is pulled with pending_output() and marked sent
// with consume_output(), and time arrives through advance().
//
//   Connection conn({.role = Role::server});
//   for (const Event& e : conn.receive(bytes_from_socket)) { ... conn.submit_response(...); }
//   while (auto out = conn.pending_output(); !out.empty()) conn.consume_output(write(socket, out));
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "h2push/body_source.hpp"
#include "h2push/http2/events.hpp"
#include "h2push/http2/types.hpp"
#include "h2push/result.hpp"

namespace h2push::http2 {
namespace detail {
struct ConnectionState;  // src/http2/connection_state.hpp
}  // namespace detail

enum class Role : std::uint8_t { client, server };

// How submit_response() checks the fields it is given. `validate` (the default): every RFC 9113 §8.2-8.3 rule.
// `trusted`: the caller built every field itself and guarantees those rules (lowercase names, no connection-specific
// fields, values without NUL, CR, LF or leading/trailing whitespace, `:status` first and the only pseudo-header);
// only the leading `:status` is checked. Never for fields that come from outside: a proxy's upstream response, an
// application's own headers.
enum class FieldCheck : std::uint8_t { validate, trusted };

// A point in time given by the caller, in nanoseconds of any monotonic clock.
struct Instant {
  std::int64_t nanoseconds = 0;
  friend auto operator<=>(const Instant&, const Instant&) = default;
};

// Output buffers handed back by the connections of one thread (Connection::output_written()) and lent to the next
// one that writes: a worker's connections then write into a few buffers still in cache instead of one or two cold
// ones each. Not thread-safe: share it only between connections used on the same thread.
class OutputPool;
std::shared_ptr<OutputPool> make_output_pool(std::size_t max_buffers = 16, std::size_t max_capacity = 1 << 20);

struct Options {
  Role role = Role::server;

  // What we advertise in our SETTINGS (RFC 9113 §6.5.2). They bind the peer once it acknowledges them.
  std::uint32_t header_table_size = 4096;          // our HPACK decoder's table
  bool enable_push = false;                        // client: accept PUSH_PROMISE (a server never advertises push)
  std::uint32_t max_concurrent_streams = 100;      // streams the peer may open (pushes included, for a client)
  std::uint32_t initial_window_size = 65535;       // each stream's receive window
  std::uint32_t max_frame_size = 16384;            // largest frame payload we accept
  std::uint32_t max_header_list_size = 64 * 1024;  // name + value + 32 per field; over it: 431 (server)
                                                   // or a reset stream (client)
  // The connection receive window; raised from the protocol's 65535 by a WINDOW_UPDATE in our preface.
  std::uint32_t connection_window_size = 1 << 20;
  // true: DATA counts as consumed when it is reported, and the core sends WINDOW_UPDATEs by itself. false: the
  // application calls consume() once it has used the data, which gives uploads and proxies real backpressure.
  bool auto_window_update = true;
  // Our HPACK encoder's table never exceeds this, whatever the peer allows (SECURITY.md §4).
  std::uint32_t encoder_table_size = 4096;

  // Limits against abuse (SECURITY.md). Past any of them: GOAWAY(ENHANCE_YOUR_CALM) unless stated.
  std::uint32_t max_continuation_frames = 16;       // per field block (§2)
  std::uint32_t max_field_block_size = 256 * 1024;  // compressed octets of one field block (§2)
  std::uint32_t max_settings_entries = 32;          // per SETTINGS frame (§5)
  std::uint32_t max_reserved_streams = 64;          // client: promises not yet answered; more are refused
  std::uint32_t max_closed_streams = 256;           // closed streams remembered to judge late frames (RFC 9113 §5.1)
  // Token buckets refilled with the time given to advance(): RST_STREAMs received (§1, rapid reset) and
  // peer-provoked errors or useless frames, such as empty DATA or stream errors ("glitches", §1, §5).
  std::uint32_t reset_budget = 1000;
  std::uint32_t resets_per_second = 33;
  std::uint32_t glitch_budget = 1000;
  std::uint32_t glitches_per_second = 330;
  // DATA is cut only while less than this much output is pending (a slow reader costs no memory).
  std::size_t output_budget = 64 * 1024;
  // true: a BodySource that lends its octets (BodySource::borrow(), e.g. a cached file) is not copied; its DATA
  // payloads are referenced in the output and handed out as pieces of their own by take_output_pieces(), the owners
  // held until output_written(). The octets on the wire are the same either way. false (the default): every body
  // is copied into the output buffer, as before. For a transport that can write a gather list (cleartext writev);
  // one that needs contiguous octets (TLS) gains nothing.
  bool reference_bodies = false;
  // With reference_bodies: DATA is cut only while less than this many referenced octets are pending, besides
  // output_budget for the owned ones (frame headers included). They pin shared memory (a cached file), not the
  // connection's own, so the bound is higher: few large socket writes without per-connection buffers.
  std::size_t reference_budget = 512 * 1024;
  // With reference_bodies: a lent payload shorter than this is copied after all (and its owner let go at once): a
  // piece of its own in the gather list costs the transport more than copying a few octets.
  std::size_t min_reference_size = 4096;
  // Output the peer makes us queue without reading it (PING and SETTINGS ACKs, resets): past this, ENHANCE_YOUR_CALM.
  std::size_t max_pending_output = 1024 * 1024;
  // Our SETTINGS unacknowledged for this long (measured through advance()): SETTINGS_TIMEOUT (§6.5.3).
  std::int64_t settings_timeout_ns = 10'000'000'000;
  // shutdown_gracefully(): the longest wait between the first GOAWAY and the final one when the peer does not
  // answer our PING (measured through advance()).
  std::int64_t shutdown_notice_timeout_ns = 1'000'000'000;
  // Where output buffers come from and go back to (make_output_pool()); null: each connection keeps its own two.
  std::shared_ptr<OutputPool> output_pool{};
};

// Misuse of the API by the application; never sent to the peer.
enum class Errc : std::uint8_t {
  wrong_role,       // e.g. a server submitting a request
  unknown_stream,   // no such stream, or it is closed
  invalid_state,    // e.g. a response twice, data before headers, anything after the end of the stream
  invalid_headers,  // the fields break RFC 9113 §8.2-8.3 (e.g. an uppercase name, a missing pseudo-header)
  push_disabled,    // the peer disabled push, or its stream limit is 0
  stream_limit,     // the peer's MAX_CONCURRENT_STREAMS is reached; retry after a stream closes
  stream_ids_exhausted,
  going_away,         // GOAWAY was sent or received: no new streams
  connection_failed,  // the connection has failed
};
std::string_view to_string(Errc errc) noexcept;

// Bodies are pulled from a BodySource (include/h2push/body_source.hpp) as the flow-control windows open.
using h2push::BodySource;

// One owner, one thread. The events returned by receive() or advance(), and the spans they hold, stay valid until
// the next receive() or advance(): submit calls made while handling them do not invalidate them. DATA payloads and
// GOAWAY debug data point into the input, so keep the input until its events are handled. Events produced between
// those calls (a BodySource failing inside pending_output()) are reported by the next one.
class Connection {
 public:
  explicit Connection(const Options& options = {});
  ~Connection();
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;

  // Feeds bytes from the peer. Peer errors never fail this call: they become StreamReset / ConnectionFailed events
  // with RST_STREAM / GOAWAY queued. After a connection error further input is ignored.
  std::span<const Event> receive(std::span<const std::byte> bytes);

  // Output in wire order. Cuts DATA frames from queued bodies while less than Options::output_budget is pending.
  // With Options::reference_bodies, the referenced payloads are copied in here, so the span is the whole output.
  std::span<const std::byte> pending_output();
  // Marks `n` octets of pending_output() as sent.
  void consume_output(std::size_t n);
  // pending_output() and consume_output() of all of it in one, without a copy: the core hands over its buffer and
  // writes later output into a second one. The octets stay valid and unchanged until output_written() or the next
  // take_output() (any other call may be made meanwhile), so a transport can write them while the core goes on. Empty:
  // nothing pending.
  std::span<const std::byte> take_output();
  // take_output() as a gather list: the pending output as pieces in wire order, handed over like take_output()'s
  // buffer. With Options::reference_bodies, each DATA payload a BodySource lent is a piece of its own pointing at the
  // source's octets (whose owners the core holds), and the frames between them are pieces of the core's buffer;
  // without it, at most one piece. The list and the octets stay valid and unchanged until output_written() or the
  // next take_output() / take_output_pieces(). Empty: nothing pending.
  std::span<const std::span<const std::byte>> take_output_pieces();
  // The transport has written everything take_output() or take_output_pieces() handed out: the owners of lent
  // octets are let go, and with Options::output_pool the buffer goes back to the pool at once (the spans are invalid
  // from now on).
  void output_written() noexcept;
  bool wants_write() const noexcept;  // output is pending or DATA could be cut now

  // Client: opens a stream with a request. Fails with stream_limit while the peer's MAX_CONCURRENT_STREAMS is
  // reached, going_away after GOAWAY, invalid_headers for fields RFC 9113 §8.3.1 forbids.
  [[nodiscard]] Result<StreamId, Errc> submit_request(std::span<const Header> fields, bool end_stream);
  // Server: the final response (a 1xx here is refused: use submit_informational). On a promised stream it starts
  // the push; the HEADERS wait while the client's stream limit is reached (RFC 9113 §8.4.2).
  // `check`: see FieldCheck (a trusted section is not validated again).
  [[nodiscard]] Status<Errc> submit_response(StreamId id, std::span<const Header> fields, bool end_stream,
                                             FieldCheck check = FieldCheck::validate);
  // Server: a 1xx response such as 103 Early Hints, before the final one. Never on a promised stream.
  [[nodiscard]] Status<Errc> submit_informational(StreamId id, std::span<const Header> fields);
  // Server: promises a push on `parent` (open or half-closed (remote)); `request` is a GET or HEAD with :method,
  // :scheme, :authority and :path. Fails with push_disabled when the client has disabled push.
  [[nodiscard]] Result<StreamId, Errc> submit_push_promise(StreamId parent, std::span<const Header> request);
  // Queues body octets (copied). end_stream: nothing follows (no trailers).
  [[nodiscard]] Status<Errc> send_data(StreamId id, std::span<const std::byte> data, bool end_stream);
  // Hands the rest of the body to a source pulled as windows open. Replaces send_data for this stream.
  [[nodiscard]] Status<Errc> send_body(StreamId id, std::unique_ptr<BodySource> source);
  // A source returned 0 octets; it has more now.
  void resume_body(StreamId id);
  // Ends the stream with a trailer section once the queued body has gone out.
  [[nodiscard]] Status<Errc> submit_trailers(StreamId id, std::span<const Header> fields);
  // Resets a stream: RST_STREAM(code), nothing more is sent on it.
  [[nodiscard]] Status<Errc> reset_stream(StreamId id, ErrorCode code);
  // The application used `n` octets of a stream's DATA (see Options::auto_window_update). Octets never delivered
  // are not credited: `n` is capped by what DataReceived reported and was not yet consumed.
  void consume(StreamId id, std::size_t n);
  // Sends PING; its answer is reported as PingAcknowledged.
  void ping(std::span<const std::byte, 8> opaque_data);
  // Sets a stream's RFC 9218 priority for our DATA scheduling (a server applies the request's `priority` header
  // and PRIORITY_UPDATE frames by itself).
  void set_priority(StreamId id, Priority priority);
  // GOAWAY with the last stream we processed: no new streams; open ones may finish. An error code other than
  // no_error makes it a connection error: nothing more is sent but the GOAWAY.
  void shutdown(ErrorCode code = ErrorCode::no_error, std::string_view debug_data = {});
  // Graceful shutdown in two steps (RFC 9113 §6.8, H2-6.8-04): GOAWAY(Last-Stream-ID 2^31-1, NO_ERROR) and a
  // PING now; streams the peer opens meanwhile are still processed. The final GOAWAY, with the last stream
  // processed, follows the PING's ACK or Options::shutdown_notice_timeout_ns (via advance()), whichever comes first;
  // shutdown() sends it at once. The ACK of that PING is not reported as PingAcknowledged. No effect after a GOAWAY.
  void shutdown_gracefully();

  // Server, h2c upgrade (RFC 7540 §3.2): call before any receive() once the HTTP/1.1 layer has sent
  // `101 Switching Protocols`. `settings_payload` is the decoded HTTP2-Settings value, applied as the client's
  // SETTINGS (the 101 acknowledges them); `request` is the upgraded request in HTTP/2 form (pseudo-header fields
  // first, connection-specific fields removed); it must have no content. It becomes stream 1, half-closed (remote),
  // reported as RequestReceived. Then receive() expects the client's connection preface.
  // Fails with invalid_state after receive(), invalid_headers for a bad request or settings payload.
  [[nodiscard]] Result<std::span<const Event>, Errc> accept_h2c_upgrade(std::span<const std::byte> settings_payload,
                                                                        std::span<const Header> request);

  // Client, h2c upgrade (RFC 7540 §3.2): the payload of our preface SETTINGS frame, for the HTTP2-Settings header
  // field (base64url-encoded by the caller) of the HTTP/1.1 upgrade request. Empty after any output was consumed.
  std::vector<std::byte> h2c_settings_payload() const;
  // Client, h2c upgrade: the server answered the HTTP/1.1 upgrade request with 101. That request becomes stream 1,
  // half-closed (local); its response arrives as events on stream 1. Call before any receive() and before sending
  // any output: the preface queued at construction goes out after the 101. `head_request`: the request was HEAD,
  // so its response has no content. Fails with wrong_role for a server, invalid_state after receive() or a request.
  [[nodiscard]] Result<StreamId, Errc> start_h2c_upgrade(bool head_request = false);

  // Time: refills the attack budgets, checks the SETTINGS timeout, ends a graceful shutdown's wait. Call it before
  // receive() and whenever next_deadline() passes. Returns events like receive() (e.g.
  // ConnectionFailed{SETTINGS_TIMEOUT}).
  std::span<const Event> advance(Instant now);
  std::optional<Instant> next_deadline() const noexcept;

  Role role() const noexcept;
  bool peer_accepts_push() const noexcept;     // server: the client allows pushes
  bool settings_ack_pending() const noexcept;  // our SETTINGS not yet acknowledged
  bool failed() const noexcept;                // a connection error happened (ours or the peer's)
  // Failed, or going away with no stream left (promised ones included): close the transport once drained.
  bool is_closed() const noexcept;
  std::size_t active_streams() const noexcept;  // open and half-closed streams
  std::int64_t connection_send_window() const noexcept;
  std::int64_t stream_send_window(StreamId id) const noexcept;  // 0 for an unknown stream

 private:
  std::unique_ptr<detail::ConnectionState> state_;  // keeps this header std-only; one allocation per connection
};

}  // namespace h2push::http2
