// include/h2push/http1/client_connection.hpp: the sans-IO HTTP/1.1 client endpoint (RFC 9112, RFC 9110).
//
// The ClientConnection writes requests (keep-alive, pipelining: responses are matched to requests in order) and
// parses responses incrementally: the status line, fields within limits, any number of 1xx informational
// responses (103 Early Hints, 100 Continue) before the final one, 101 for an upgrade the request asked for, and the
// body framed by Content-Length, chunked (with trailers) or the end of the connection; HEAD, 1xx, 204 and 304
// responses have none. It does no I/O and reads no clock; peer errors are events, misuse is a returned error.
//
//   ClientConnection conn;
//   const Header fields[] = {{"host", "example.com"}, {"accept", "*/*"}};
//   auto id = conn.submit_request({.method = "GET", .target = "/", .headers = fields}, {});
//   while (auto out = conn.pending_output(); !out.empty()) conn.consume_output(write(socket, out));
//   for (const ClientEvent& e : conn.receive(bytes_from_socket)) { ... }   // conn.receive_eof() at EOF
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "h2push/http1/events.hpp"
#include "h2push/http1/types.hpp"
#include "h2push/result.hpp"

namespace h2push::http1 {
namespace detail {
struct ClientState;  // src/http1/client_state.hpp
}  // namespace detail

struct ClientOptions {
  // Head limits. Servers send longer lines than clients (Set-Cookie, Link with many preloads), hence the larger
  // defaults than the server's. Past a limit the response fails with head_too_large and the connection closes.
  std::size_t max_status_line = 8 * 1024;
  std::size_t max_field_line = 64 * 1024;
  std::size_t max_field_section = 256 * 1024;
  std::size_t max_fields = 256;
  std::size_t max_trailer_section = 64 * 1024;
  // Chunked bodies: the sum of chunk sizes allowed, and extension octets per chunk-size line.
  std::uint64_t max_body_size = std::uint64_t{1} << 40;
  std::size_t max_chunk_extension = 1024;
  // 1xx responses accepted before one final response; more is a failure (a server cannot keep us waiting forever).
  std::size_t max_informational = 64;
  // RFC 9112 §2.2 lets a recipient accept a bare LF as a line ending in the head. Off: strict like the server.
  bool accept_bare_lf = false;
};

// What is wrong with a response. Each one ends the connection: nothing after it is parsed.
enum class ResponseError : std::uint8_t {
  malformed_status_line,        // RFC 9112 §4: not `HTTP/x.y SP 3DIGIT [SP reason]`
  unsupported_version,          // a version other than HTTP/1.0 and HTTP/1.1
  malformed_head,               // a field line or line ending the server core would refuse too (see `detail`)
  head_too_large,               // a limit of ClientOptions (see `detail`)
  too_many_informational,       // over ClientOptions::max_informational 1xx responses
  unexpected_switch,            // 101 to a request that did not ask to upgrade
  invalid_content_length,       // RFC 9110 §8.6: not 1*DIGIT, or differing values
  content_length_with_chunked,  // RFC 9112 §6.3: both framings present (response splitting)
  invalid_transfer_encoding,    // an empty list or `chunked` not final applied twice
  bad_chunk,                    // chunked framing broken (see `detail`)
  truncated,                    // the connection ended inside a head or a framed body
  unsolicited,                  // octets arrived while no request was outstanding
};
std::string_view to_string(ResponseError error) noexcept;

// Misuse of the API by the application; never sent.
enum class ClientErrc : std::uint8_t {
  invalid_request,       // a method that is not a token, a bad target, a field name that is not a token, CR/LF/NUL in a
                         // value, or a field the core owns (content-length, transfer-encoding)
  connection_closed,     // a response closed the connection (or it failed, or was upgraded): open another one
  upgrade_pending,       // a request asking to upgrade is outstanding: nothing can follow it until its answer
  body_in_progress,      // a streamed request body is not finished: nothing can follow it until send_body(..., true)
  no_body_expected,      // send_body() without a streamed request body in progress
  body_length_mismatch,  // send_body() past the announced Content-Length, or ending short of it
};
std::string_view to_string(ClientErrc errc) noexcept;

// A request head. `headers` are written in order as given (Host first, as RFC 9112 §3.2 asks).
struct RequestHead {
  std::string_view method = "GET";
  std::string_view target = "/";
  std::span<const Header> headers;
  // The request asks for a protocol switch (e.g. `Upgrade: h2c`): a 101 answer ends HTTP/1.1 on this connection
  // (upgraded()), any other answer is an ordinary response.
  bool upgrade = false;
};

// Spans in events stay valid until the next receive() or receive_eof(). Body data points into the input.

// A 1xx response other than a 101 that ended HTTP/1.1 (e.g. 103 Early Hints); a final response follows.
struct InformationalReceived {
  RequestId request;
  std::uint16_t status = 100;
  std::string_view reason;
  std::span<const Header> headers;  // names lowercased, values trimmed, in order
};
// The final response's head (or a 101 that switched protocols: then upgraded() is true and nothing follows).
struct ResponseReceived {
  RequestId request;
  Version version = Version::http_1_1;
  std::uint16_t status = 200;
  std::string_view reason;
  std::span<const Header> headers;
  bool end_stream = false;                      // no body follows (HEAD, 204, 304, Content-Length: 0, 101)
  std::optional<std::uint64_t> content_length;  // the body is Content-Length framed
  bool keep_alive = false;                      // the connection may carry another request after this one
};
// The response to `request` is broken; the connection is finished (is_closed()).
struct ResponseFailed {
  RequestId request;
  ResponseError error = ResponseError::malformed_status_line;
  std::optional<ParseError> detail;  // the parser's finer reason for malformed_head, head_too_large, bad_chunk
};

// DataReceived{request, data, end_stream} and TrailersReceived{request, headers} are those of events.hpp.
using ClientEvent =
    std::variant<InformationalReceived, ResponseReceived, DataReceived, TrailersReceived, ResponseFailed>;

// One owner, one thread.
class ClientConnection {
 public:
  explicit ClientConnection(const ClientOptions& options = {});
  ~ClientConnection();
  ClientConnection(ClientConnection&&) noexcept;
  ClientConnection& operator=(ClientConnection&&) noexcept;

  // Queues a request with its whole body (copied). The core owns the framing: it writes `content-length` when the
  // body is not empty or the method is POST, PUT or PATCH. Requests may be pipelined: each is answered in turn.
  // A `connection: close` field makes this the last request. Errors: invalid_request, connection_closed,
  // upgrade_pending.
  [[nodiscard]] Result<RequestId, ClientErrc> submit_request(const RequestHead& head, std::span<const std::byte> body);
  // Queues a request head whose body follows in pieces through send_body(), framed by `content_length` when it is
  // known, else chunked (RFC 9112 §7.1; every HTTP/1.1 server reads chunked requests). Nothing else may be
  // submitted until the body has ended. Errors: those of submit_request(), body_in_progress.
  [[nodiscard]] Result<RequestId, ClientErrc> submit_request_head(const RequestHead& head,
                                                                  std::optional<std::uint64_t> content_length);
  // Queues the next piece of the streamed request body (copied); `end` finishes it (the last chunk when chunked).
  // Errors: no_body_expected; body_length_mismatch when the pieces add up past the Content-Length or end short of
  // it (nothing is queued then: the caller should close the connection, whose request cannot be completed).
  [[nodiscard]] Status<ClientErrc> send_body(std::span<const std::byte> data, bool end);
  // Ends the streamed request body with a trailer section (RFC 9112 §7.1.2): written after the last chunk when the
  // body is chunked; dropped when it is framed by Content-Length (which must then be complete). Errors:
  // no_body_expected, invalid_request (a field that is not a token or has CR/LF/NUL), body_length_mismatch.
  [[nodiscard]] Status<ClientErrc> send_trailers(std::span<const Header> fields);
  bool sending_body() const noexcept;  // a streamed request body has not ended yet

  // Feeds octets from the server. Peer errors never fail the call: they become a ResponseFailed event and the
  // connection is finished. After a 101 switch, the octets that followed it are kept for take_upgrade_input().
  std::span<const ClientEvent> receive(std::span<const std::byte> bytes);
  // The server closed its side: ends a close-delimited body (DataReceived with end_stream), or fails a response
  // in progress (truncated). Outstanding requests without any answer fail with truncated too.
  std::span<const ClientEvent> receive_eof();

  std::span<const std::byte> pending_output() const noexcept;
  void consume_output(std::size_t n);

  std::size_t outstanding() const noexcept;  // requests submitted and not yet fully answered
  // No further request may be submitted (a response said close, a failure, an upgrade, EOF).
  bool is_closed() const noexcept;
  bool upgraded() const noexcept;  // a 101 answered an upgrade request
  // After the switch: the octets received after the 101 head, which belong to the new protocol. Empties them.
  std::vector<std::byte> take_upgrade_input();

 private:
  std::unique_ptr<detail::ClientState> state_;
};

}  // namespace h2push::http1
