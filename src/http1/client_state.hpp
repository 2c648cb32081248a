// src/http1/client_state.hpp: what a ClientConnection holds. Shared by client_connection.cpp (the API and the
// request writer) and client_receive.cpp (the response parser).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "h2push/http1/client_connection.hpp"
#include "http1/body_decoder.hpp"
#include "http1/section_scanner.hpp"

namespace h2push::http1::detail {

// A request waiting for (the rest of) its response, oldest first.
struct PendingRequest {
  RequestId id;
  bool head = false;     // HEAD: the response has no body (RFC 9112 §6.3 rule 1)
  bool upgrade = false;  // a 101 switches protocols
  std::size_t informational = 0;
};

enum class ReadPhase : std::uint8_t { head, body, close_delimited, trailers, done };

struct ClientState {
  explicit ClientState(const ClientOptions& o) : options(o) {}

  // ---- the read side (client_receive.cpp)
  void begin_call();
  std::span<const ClientEvent> finish_call();
  void parse(std::span<const std::byte> in);
  std::size_t parse_head(std::span<const std::byte> in);
  std::size_t parse_body(std::span<const std::byte> in);
  std::size_t parse_trailers(std::span<const std::byte> in);
  void on_head(std::string& text);
  void start_head();
  void fail(ResponseError error, std::optional<ParseError> detail = std::nullopt);
  void finish_response();
  void eof();
  std::string& section() { return sections[sections_used]; }
  std::vector<Header>& next_fields();

  ClientOptions options;
  std::uint64_t next_id = 0;
  std::deque<PendingRequest> pending;
  bool no_more_requests = false;  // `connection: close` sent or received, EOF, a failure, an upgrade
  bool finished = false;          // no more input is parsed
  bool upgraded = false;
  std::vector<std::byte> upgrade_input;

  // The response being read.
  ReadPhase phase = ReadPhase::head;
  bool scanning = false;  // a section is being scanned into section()
  SectionScanner scanner;
  BodyDecoder body;
  bool chunked = false;  // the body is chunked (else Content-Length framed)
  bool keep_alive = false;

  // Events of the current call and the storage their views point into. Deques keep elements in place as they grow.
  std::vector<ClientEvent> events;
  std::deque<std::string> sections;  // [sections_used] is the one being scanned
  std::size_t sections_used = 0;
  std::deque<std::vector<Header>> field_lists;
  std::size_t field_lists_used = 0;

  // A request body being streamed (submit_request_head): its framing and what is left of a Content-Length.
  bool body_open = false;
  bool body_chunked = false;
  std::uint64_t body_left = 0;

  // Output.
  std::vector<std::byte> out;
  std::size_t out_sent = 0;
};

}  // namespace h2push::http1::detail
