// src/http1/server_send.cpp: the write side of ServerConnection: responses serialised per exchange, staged until
// the responses before them are queued, bodies pulled within the output budget.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "http1/server_state.hpp"

namespace h2push::http1::detail {
namespace {
constexpr std::size_t kMaxPull = 16 * 1024;  // body octets asked of a source at once (one chunk)
}  // namespace

Exchange* ServerState::find(RequestId id) noexcept {
  if (exchanges.empty() || id < exchanges.front().id) return nullptr;
  const std::uint64_t index = id.value - exchanges.front().id.value;
  if (index >= exchanges.size()) return nullptr;
  return &exchanges[static_cast<std::size_t>(index)];
}

Result<Exchange*, Errc> ServerState::writable(RequestId id) noexcept {
  if (write_closed) return Unexpected{Errc::connection_closed};
  Exchange* ex = find(id);
  if (ex == nullptr) return Unexpected{Errc::unknown_request};
  // An earlier response closes the connection: this one will never be written.
  for (const Exchange& before : exchanges) {
    if (&before == ex) break;
    if (before.close_after) return Unexpected{Errc::connection_closed};
  }
  if (ex->answered_by_core) return Unexpected{Errc::invalid_state};
  return ex;
}

Bytes& ServerState::sink(Exchange& ex) {
  // Straight to the output only when nothing of an earlier response, or of this one, waits.
  return &ex == &exchanges.front() && ex.staged.empty() ? out : ex.staged;
}

void ServerState::answer_with_error(Exchange& ex, std::uint16_t status) {
  ex.answered_by_core = true;
  ex.final_submitted = true;
  ex.end_submitted = true;
  ex.complete = true;
  ex.close_after = true;
  ex.source.reset();
  Bytes& o = sink(ex);
  write_status_line(o, status);
  if (!date.empty()) write_field(o, "date", date);
  write_field(o, "content-length", "0");
  write_field(o, "connection", "close");
  append(o, "\r\n");
}

void ServerState::finish_body(Exchange& ex) {
  ex.end_submitted = true;
  ex.complete = true;
  if (ex.framing != ResponseFraming::chunked) return;
  Bytes& o = sink(ex);
  append(o, "0\r\n");  // RFC 9112 §7.1: last-chunk, trailer-section, CRLF
  o.insert(o.end(), ex.trailers.begin(), ex.trailers.end());
  append(o, "\r\n");
  ex.trailers.clear();
}

void ServerState::pull_body(Exchange& ex) {
  // Only the front exchange pulls, and only while the output is below the budget (SECURITY.md §5, CVE-2019-9517).
  // Pulling starts once half the budget has drained, so a slow writer gets large chunks, not a dribble.
  while (ex.source && !ex.source_paused && pending() <= options.output_budget / 2) {
    std::size_t room = std::clamp<std::size_t>(options.output_budget - pending(), 1, kMaxPull);
    if (ex.framing == ResponseFraming::content_length) {
      room = static_cast<std::size_t>(std::min<std::uint64_t>(room, ex.remaining));
    }
    const bool chunked = ex.framing == ResponseFraming::chunked;
    const std::size_t reserve = chunked ? chunk_header_size(room) : 0;
    const std::size_t base = out.size();
    out.resize(base + reserve + room);
    const BodySource::Read read =
        room == 0 ? BodySource::Read{0, true, false} : ex.source->read(std::span(out.data() + base + reserve, room));
    const std::size_t n = std::min(read.length, room);
    if (read.failed) {
      out.resize(base);
      write_closed = true;  // a message cut short can only be signalled by closing
      return;
    }
    if (chunked && n > 0) {
      std::array<char, 24> header{};
      const auto end = std::to_chars(header.data(), header.data() + header.size(), n, 16).ptr;
      const auto length = static_cast<std::size_t>(end - header.data());
      std::memmove(out.data() + base + length + 2, out.data() + base + reserve, n);
      std::memcpy(out.data() + base, header.data(), length);
      std::memcpy(out.data() + base + length, "\r\n", 2);
      out.resize(base + length + 2 + n);
      append(out, "\r\n");
    } else {
      out.resize(base + n);
    }
    if (ex.framing == ResponseFraming::content_length) ex.remaining -= n;
    const bool length_reached = ex.framing == ResponseFraming::content_length && ex.remaining == 0;
    if (read.end || length_reached) {
      ex.source.reset();
      if (!length_reached && ex.framing == ResponseFraming::content_length) {
        write_closed = true;  // ended short of its Content-Length
        return;
      }
      finish_body(ex);
      return;
    }
    if (n == 0) ex.source_paused = true;  // nothing yet: wait for resume_body()
  }
}

void ServerState::fill_output() {
  while (!write_closed && !exchanges.empty()) {
    Exchange& ex = exchanges.front();
    if (!ex.staged.empty()) {
      out.insert(out.end(), ex.staged.begin(), ex.staged.end());
      ex.staged.clear();
    }
    if (!ex.complete) pull_body(ex);
    if (write_closed || !ex.complete) break;
    const bool close = ex.close_after;
    exchanges.pop_front();
    if (close) write_closed = true;
  }
  if (write_closed) {
    exchanges.clear();  // unanswered requests are dropped with the connection
    read_closed = true;
    no_more_requests = true;
  } else if (exchanges.empty() && no_more_requests) {
    write_closed = true;
  }
}

}  // namespace h2push::http1::detail
