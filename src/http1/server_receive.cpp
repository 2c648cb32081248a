// src/http1/server_receive.cpp: the read side of ServerConnection: heads, bodies and trailers become events, each
// request an Exchange; malformed input becomes a ProtocolError and an error response.
#include <utility>

#include "http1/field_parser.hpp"
#include "http1/server_state.hpp"

namespace h2push::http1::detail {

void ServerState::begin_call() {
  events.clear();
  fields.clear();
  fixups.clear();
  // The sections of the last call are released; a section still being scanned moves to the front.
  if (scanning && sections_used != 0) std::swap(sections[0], sections[sections_used]);
  sections_used = 0;
  if (held_consumed > 0) {
    held.erase(held.begin(), held.begin() + static_cast<std::ptrdiff_t>(held_consumed));
    held_consumed = 0;
  }
}

std::span<const Event> ServerState::finish_call() {
  for (const HeaderFixup& f : fixups) {
    const std::span<const Header> headers = std::span<const Header>(fields).subspan(f.first, f.count);
    if (auto* request = std::get_if<RequestReceived>(&events[f.event])) request->headers = headers;
    if (auto* trailers = std::get_if<TrailersReceived>(&events[f.event])) trailers->headers = headers;
  }
  return events;
}

std::span<const Event> ServerState::receive(std::span<const std::byte> bytes) {
  begin_call();
  if (read_closed || upgraded) return finish_call();
  std::span<const std::byte> in = bytes;
  const bool from_held = !held.empty();
  if (from_held) {
    held.insert(held.end(), bytes.begin(), bytes.end());
    in = held;
  }
  const std::size_t used = parse(in);
  if (from_held) {
    held_consumed = used;  // events may point into `held`: it is trimmed at the next call
  } else if (used < in.size() && !read_closed) {
    held.assign(in.begin() + static_cast<std::ptrdiff_t>(used), in.end());
  }
  if (!read_closed && held.size() - held_consumed > options.max_buffered_input) {
    // The caller kept reading although wants_read() was false.
    events.push_back(ProtocolError{RequestId{next_id}, 0, ParseError::input_overflow, false});
    stop_reading();
  }
  if (read_closed) held_consumed = held.size();
  return finish_call();
}

std::span<const Event> ServerState::read_timeout() {
  begin_call();
  switch (read_state()) {
    case ReadState::idle:
      stop_reading();
      break;
    case ReadState::head:
      head_error(ParseError::timeout);
      break;
    case ReadState::body:
      body_error(ParseError::timeout);
      break;
    case ReadState::paused:
    case ReadState::closed:
      break;
  }
  return finish_call();
}

ReadState ServerState::read_state() const noexcept {
  if (upgraded || read_closed) return ReadState::closed;
  if (phase != ReadPhase::head) return ReadState::body;
  if (scanning) return sections[sections_used].empty() ? ReadState::idle : ReadState::head;
  if (no_more_requests) return ReadState::closed;
  if (parsing_paused()) return ReadState::paused;
  return ReadState::idle;
}

bool ServerState::parsing_paused() const noexcept {
  return upgrade_pending.has_value() || exchanges.size() >= options.max_pipelined_requests;
}

std::string& ServerState::section() { return sections[sections_used]; }

void ServerState::start_section(bool head) {
  if (sections.size() <= sections_used) sections.resize(sections_used + 1);
  section().clear();
  SectionLimits limits;
  limits.has_start_line = head;
  limits.max_start_line = options.max_request_line;
  limits.max_field_line = options.max_field_line;
  limits.max_fields_size = head ? options.max_field_section : options.max_trailer_section;
  limits.max_fields = options.max_fields;
  limits.accept_bare_lf = options.accept_bare_lf;
  limits.fields_too_large = head ? ParseError::field_section_too_large : ParseError::trailer_section_too_large;
  scanner.start(limits);
  scanning = true;
}

std::size_t ServerState::parse(std::span<const std::byte> in) {
  std::size_t pos = 0;
  while (!read_closed) {
    if (phase == ReadPhase::body) {
      if (pos == in.size()) break;
      const BodyStep step = body.feed(in.subspan(pos));
      pos += step.consumed;
      if (step.error) {
        body_error(*step.error);
        break;
      }
      if (body_framing == BodyFraming::content_length) {
        if (!step.data.empty() || step.end) events.push_back(DataReceived{body_request, step.data, step.end});
        if (step.end) end_body();
      } else {
        if (!step.data.empty()) events.push_back(DataReceived{body_request, step.data, false});
        if (step.end) {
          phase = ReadPhase::trailers;
          start_section(false);
        }
      }
      if (step.consumed == 0 && !step.end) break;  // cannot happen; guards the loop
      continue;
    }
    if (!scanning) {  // between requests
      if (no_more_requests) {
        // RFC 9112 §9.6: after a "close" request no further request is processed.
        stop_reading();
        break;
      }
      if (parsing_paused() || pos == in.size()) break;
      start_section(true);
    }
    if (pos == in.size()) break;
    const ScanResult scan = scanner.feed(in.subspan(pos), section());
    pos += scan.consumed;
    if (scan.error) {
      if (phase == ReadPhase::trailers) {
        body_error(*scan.error);
      } else {
        head_error(*scan.error);
      }
      break;
    }
    if (!scan.complete) break;
    scanning = false;
    std::string& text = section();
    ++sections_used;  // sealed: views into it live until the next call
    if (phase == ReadPhase::trailers) {
      on_trailers(text);
    } else {
      on_head(text);
    }
  }
  return pos;
}

void ServerState::on_head(std::string& text) {
  const std::size_t first = fields.size();
  auto start = parse_section(text, true, fields);
  if (!start) return head_error(start.error());
  auto line = parse_request_line(*start);
  if (!line) return head_error(line.error());
  const std::span<const Header> headers = std::span<const Header>(fields).subspan(first);
  auto info = analyze_request(*line, headers, options.max_body_size, settings);
  if (!info) return head_error(info.error());

  const RequestId id{next_id++};
  Exchange& ex = exchanges.emplace_back();
  ex.id = id;
  ex.version = line->version;
  ex.head_request = line->method == "HEAD";
  ex.keep_alive = info->keep_alive;
  ex.expects_continue = info->expects_continue;
  ex.h2c_candidate = info->h2c_upgrade;
  ex.body_complete = info->framing == BodyFraming::none;

  RequestReceived event;
  event.request = id;
  event.version = line->version;
  event.method = line->method;
  event.target = line->target;
  event.end_stream = info->framing == BodyFraming::none;
  if (info->framing == BodyFraming::content_length) event.content_length = info->content_length;
  event.keep_alive = info->keep_alive;
  event.expects_continue = info->expects_continue;
  event.h2c_upgrade = info->h2c_upgrade;
  if (info->h2c_upgrade) {
    event.http2_settings = settings;  // parsing pauses after this request: `settings` stays as is
    upgrade_pending = id;
  }
  fixups.push_back(HeaderFixup{events.size(), first, fields.size() - first});
  events.push_back(event);

  if (!info->keep_alive) no_more_requests = true;
  body_framing = info->framing;
  body_request = id;
  if (info->framing == BodyFraming::content_length) {
    body.start_content_length(info->content_length);
    phase = ReadPhase::body;
  } else if (info->framing == BodyFraming::chunked) {
    body.start_chunked(options.max_body_size, options.max_chunk_extension);
    phase = ReadPhase::body;
  }
}

void ServerState::on_trailers(std::string& text) {
  const std::size_t first = fields.size();
  auto parsed = parse_section(text, false, fields);
  if (!parsed) return body_error(parsed.error());
  const std::size_t count = fields.size() - first;
  if (count == 0) {
    events.push_back(DataReceived{body_request, {}, true});
  } else {
    fixups.push_back(HeaderFixup{events.size(), first, count});
    events.push_back(TrailersReceived{body_request, {}});
  }
  end_body();
}

void ServerState::end_body() {
  if (Exchange* ex = find(body_request)) ex->body_complete = true;
  phase = ReadPhase::head;
}

void ServerState::stop_reading() {
  read_closed = true;
  no_more_requests = true;
  scanning = false;
  upgrade_pending.reset();
}

void ServerState::head_error(ParseError error) {
  const RequestId id{next_id++};
  const std::uint16_t status = status_for(error);
  events.push_back(ProtocolError{id, status, error, false});
  stop_reading();
  Exchange& ex = exchanges.emplace_back();
  ex.id = id;
  ex.body_complete = true;
  answer_with_error(ex, status);
}

void ServerState::body_error(ParseError error) {
  const std::uint16_t status = status_for(error);
  events.push_back(ProtocolError{body_request, status, error, true});
  stop_reading();
  phase = ReadPhase::head;
  if (Exchange* ex = find(body_request)) {
    if (!ex->final_submitted) {
      answer_with_error(*ex, status);
    } else {
      ex->close_after = true;  // the application's response stands; nothing may follow it
    }
  }
}

}  // namespace h2push::http1::detail
