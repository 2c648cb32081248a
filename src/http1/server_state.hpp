// src/http1/server_state.hpp: the state behind http1::ServerConnection. The read side (server_receive.cpp) turns
// input into events and exchanges; the write side (server_send.cpp) serialises each exchange's response in request
// order. One Exchange per request, from its head until its response is fully queued.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "h2push/body_source.hpp"
#include "h2push/http1/events.hpp"
#include "h2push/http1/server_connection.hpp"
#include "http1/body_decoder.hpp"
#include "http1/request_semantics.hpp"
#include "http1/response_writer.hpp"
#include "http1/section_scanner.hpp"

namespace h2push::http1::detail {

enum class ResponseFraming : std::uint8_t { none, content_length, chunked, close_delimited };

struct Exchange {
  RequestId id;
  Version version = Version::http_1_1;
  bool head_request = false;
  bool keep_alive = false;        // the request allows the connection to persist
  bool expects_continue = false;  // Expect: 100-continue with a body
  bool continue_sent = false;
  bool body_complete = false;  // the request body has been received whole
  bool h2c_candidate = false;
  bool informational_sent = false;
  bool answered_by_core = false;  // a ProtocolError response replaced the application's
  bool final_submitted = false;
  bool end_submitted = false;  // the body's end is known (end_stream, trailers, or the source ended)
  bool complete = false;       // every octet of the response is queued (staged or in the output)
  bool close_after = false;    // the connection closes once this response is written
  ResponseFraming framing = ResponseFraming::none;
  std::uint64_t remaining = 0;  // content_length framing: body octets still owed
  std::unique_ptr<BodySource> source;
  bool source_paused = false;
  Bytes trailers;  // serialised trailer fields, written after the last chunk
  Bytes staged;    // output held until the responses before this one are queued
};

enum class ReadPhase : std::uint8_t { head, body, trailers };

// Event header spans are set once a receive() call is over: the field vector may grow meanwhile.
struct HeaderFixup {
  std::size_t event = 0;
  std::size_t first = 0;
  std::size_t count = 0;
};

struct ServerState {
  explicit ServerState(const Options& o) : options(o) {}

  Options options;

  // Read side.
  ReadPhase phase = ReadPhase::head;
  SectionScanner scanner;
  bool scanning = false;  // a section (head or trailers) is being scanned into sections[sections_used]
  BodyDecoder body;
  BodyFraming body_framing = BodyFraming::none;
  RequestId body_request;  // whose body or trailers are being read
  std::uint64_t next_id = 0;
  bool read_closed = false;                  // input is ignored
  bool no_more_requests = false;             // no further request head is read; close once the queue is written
  std::optional<RequestId> upgrade_pending;  // an h2c candidate awaiting the application's decision
  bool upgraded = false;
  std::vector<std::byte> held;    // input kept while parsing is paused
  std::size_t held_consumed = 0;  // its parsed prefix, dropped at the next receive()

  // Storage for one receive() call's events, reused across calls.
  std::vector<Event> events;
  std::vector<Header> fields;
  std::vector<HeaderFixup> fixups;
  // Copied heads and trailer sections; sealed ones precede sections_used. A deque: growing it moves no string, so
  // views into short (inline-stored) strings stay valid.
  std::deque<std::string> sections;
  std::size_t sections_used = 0;
  std::vector<std::byte> settings;  // decoded HTTP2-Settings of an h2c candidate

  // Write side.
  std::deque<Exchange> exchanges;  // in request order; ids are consecutive
  Bytes out;
  std::size_t out_sent = 0;
  bool write_closed = false;  // nothing more is produced
  std::string date;

  // server_receive.cpp
  std::span<const Event> receive(std::span<const std::byte> bytes);
  std::span<const Event> read_timeout();
  ReadState read_state() const noexcept;
  bool parsing_paused() const noexcept;
  void begin_call();
  std::span<const Event> finish_call();
  std::size_t parse(std::span<const std::byte> in);
  std::string& section();
  void start_section(bool head);
  void on_head(std::string& text);
  void on_trailers(std::string& text);
  void end_body();
  void head_error(ParseError error);
  void body_error(ParseError error);
  void stop_reading();

  // server_send.cpp
  Exchange* find(RequestId id) noexcept;
  // The exchange `id` if the application may still write to it, else the error to return.
  Result<Exchange*, Errc> writable(RequestId id) noexcept;
  Bytes& sink(Exchange& ex);
  void answer_with_error(Exchange& ex, std::uint16_t status);
  void finish_body(Exchange& ex);
  void pull_body(Exchange& ex);
  void fill_output();
  std::size_t pending() const noexcept { return out.size() - out_sent; }
  bool closed() const noexcept { return write_closed || (no_more_requests && exchanges.empty()); }
};

}  // namespace h2push::http1::detail
