// src/http2/connection_output.cpp: the output side of the Connection: the DATA scheduler, bodies pulled from
// BodySources (copied into the output, or referenced when lent), and handing the output over to the transport.
#include <algorithm>
#include <cassert>
#include <cstring>

#include "h2push/http2/connection.hpp"
#include "http2/connection_state.hpp"

namespace h2push::http2 {
namespace detail {

// RFC 9218 §4: the lowest urgency first; within one urgency, non-incremental streams one after another in id order,
// then incremental ones in turn.
Stream* ConnectionState::pick_stream_to_send() noexcept {
  // Incremental streams take turns: the next one after the last served goes first.
  // (urgency, incremental, !waited, id) in one integer, compared lexicographically (ids take 31 bits).
  const auto rank = [this](const Stream& s) {
    const std::uint32_t id = s.id.value();
    const bool waited = !s.priority.incremental || id > last_incremental;
    return std::uint64_t{s.priority.urgency} << 34 | std::uint64_t{s.priority.incremental} << 33 |
           std::uint64_t{!waited} << 32 | id;
  };
  Stream* best = nullptr;
  std::uint64_t best_rank = 0;
  std::size_t kept = 0;
  for (const std::uint32_t id : senders) {
    Stream* found = streams.find(id);
    if (found == nullptr || found->end_sent) continue;  // closed or ended since: dropped from the list
    senders[kept++] = id;
    Stream& s = *found;
    if (s.held_response.present) continue;
    if (s.state != StreamState::open && s.state != StreamState::half_closed_remote) continue;
    const bool body_left = s.has_body_to_send();
    const bool only_end = !body_left && s.end_submitted && s.source == nullptr;
    if (!only_end && !body_left) continue;
    if (body_left && (s.send_window <= 0 || conn_send_window <= 0)) {
      continue;  // blocked by flow control (an empty body end can still go)
    }
    if (const std::uint64_t r = rank(s); best == nullptr || r < best_rank) {
      best = &s;
      best_rank = r;
    }
  }
  senders.resize(kept);
  return best;
}

// Writes one DATA frame (or the end of a body: an empty END_STREAM DATA or the trailers) for the stream the
// scheduler picks. Returns false when no stream can send.
bool ConnectionState::write_one_data_frame() {
  Stream* picked = pick_stream_to_send();
  if (picked == nullptr) return false;
  Stream& s = *picked;
  if (s.priority.incremental) last_incremental = s.id.value();
  const auto allowed = static_cast<std::size_t>(
      std::max<std::int64_t>(0, std::min({s.send_window, conn_send_window, std::int64_t{peer_max_frame_size}})));
  std::span<const std::byte> data;
  bool body_done = false;
  if (s.body_offset < s.body.size()) {
    const std::size_t n = std::min(allowed, s.body.size() - s.body_offset);
    data = std::span<const std::byte>(s.body).subspan(s.body_offset, n);
    s.body_offset += n;
    if (s.body_offset == s.body.size()) {
      s.body.clear();
      s.body_offset = 0;
      body_done = s.source == nullptr && s.end_submitted;
    }
  } else if (s.source && !s.source_paused && allowed > 0) {
    write_source_data(s, allowed);
    return true;
  } else {
    body_done = true;  // nothing left but the end
  }
  const bool end_with_data = body_done && !s.trailers.present;
  if (!data.empty() || end_with_data) {
    write_data(s.id, {data, end_with_data, std::nullopt}, out);
    s.send_window -= static_cast<std::int64_t>(data.size());
    conn_send_window -= static_cast<std::int64_t>(data.size());
  }
  end_body(s, body_done);
  return true;
}

// Reads the next DATA payload from the stream's BodySource straight into the frame in the output, so each body
// octet is copied once (STYLE.md §5); with Options::reference_bodies the source is first asked to lend its octets,
// so they are not copied at all. The source only sees the room; it must not call into the Connection.
void ConnectionState::write_source_data(Stream& s, std::size_t allowed) {
  if (options.reference_bodies) {
    BodySource::Loan loan;
    if (s.source->borrow(allowed, loan)) {
      write_lent_data(s, allowed, loan);
      return;
    }
  }
  const DataInPlace frame = begin_data(allowed, out);
  const BodySource::Read r = s.source->read(frame.payload);
  if (r.failed) {
    cancel_data(frame, out);
    fail_source(s);
    return;
  }
  const std::size_t n = std::min(r.length, allowed);
  if (!r.end && n == 0) {  // nothing yet: wait for resume_body()
    cancel_data(frame, out);
    s.source_paused = true;
    return;
  }
  if (r.end) {
    s.source.reset();
    s.end_submitted = true;
  }
  const bool end_with_data = r.end && !s.trailers.present;
  if (n > 0 || end_with_data) {
    end_data(s.id, frame, n, end_with_data, out);
    s.send_window -= static_cast<std::int64_t>(n);
    conn_send_window -= static_cast<std::int64_t>(n);
  } else {
    cancel_data(frame, out);
  }
  end_body(s, r.end);
}

// The same DATA frame as write_source_data() would write, from octets the source lent: the frame header goes into
// the output buffer, the payload is a reference recorded at that point (a piece of take_output_pieces()). The
// windows, END_STREAM and trailers are handled exactly as when the octets are copied.
void ConnectionState::write_lent_data(Stream& s, std::size_t allowed, BodySource::Loan& loan) {
  const std::size_t n = loan.bytes.size();
  if (loan.failed || n > allowed) {  // a source lending more than asked has lost octets: the body cannot be met
    fail_source(s);
    return;
  }
  if (!loan.end && n == 0) {
    s.source_paused = true;
    return;
  }
  if (loan.end) {
    s.source.reset();  // the octets stay valid: `loan.owner` keeps them
    s.end_submitted = true;
  }
  const bool end_with_data = loan.end && !s.trailers.present;
  if (n > 0 || end_with_data) {
    write_frame_header(
        {static_cast<std::uint32_t>(n), FrameType::data, end_with_data ? kEndStream : std::uint8_t{0}, s.id}, out);
    if (n >= options.min_reference_size && n > 0) {
      refs.push_back({out.size(), loan.bytes, std::move(loan.owner)});
      ref_pending += n;
    } else {
      out.put(loan.bytes);
    }
    s.send_window -= static_cast<std::int64_t>(n);
    conn_send_window -= static_cast<std::int64_t>(n);
  }
  end_body(s, loan.end);
}

// A body that cannot be produced: RST_STREAM(INTERNAL_ERROR), since what was promised (a Content-Length, the end of
// the message) cannot be met.
void ConnectionState::fail_source(Stream& s) {
  write_rst_stream(s.id, ErrorCode::internal_error, out);
  emit(StreamReset{s.id, ErrorCode::internal_error, false});
  close_stream(s, ClosedHow::reset_by_us);
}

// After a stream's DATA: once its body is done, the trailers (when held) end the stream, else the DATA just
// written carried END_STREAM.
void ConnectionState::end_body(Stream& s, bool body_done) {
  if (!body_done) return;
  if (s.trailers.present) write_held(s, s.trailers, true);
  half_close_local(s);
}

void ConnectionState::fill_output() {
  if (failed) return;
  start_held_pushes();
  // Owned and referenced octets have budgets of their own: referenced ones pin shared memory (a cached file), not
  // the connection's. Without reference_bodies nothing is referenced and only output_budget counts.
  while (owned_pending() < options.output_budget && (ref_pending == 0 || ref_pending < options.reference_budget)) {
    const std::uint32_t active_before = local_active;
    if (!write_one_data_frame()) break;
    if (local_active < active_before) start_held_pushes();  // a pushed stream ended: the next may start (§8.4.2)
  }
}

// Hands the pending output over (take_output(), take_output_pieces()): the buffer and the references become the
// taken ones, kept until output_written() or the next take; what was taken the time before is free again.
void ConnectionState::hand_over() {
  std::swap(out, taken);  // the buffer taken the time before becomes the core's
  out.release();          // ... or the pool's, to be lent to whichever connection writes next
  out_sent = 0;
  taken_refs.clear();
  std::swap(refs, taken_refs);
  ref_pending = 0;
}

// Copies the referenced octets into the output buffer at their places, so that it holds the whole pending output
// contiguously (pending_output(), take_output()), and lets go of their owners. In place, from the last reference
// back, each run of owned octets moving up by the size of the references before it.
void ConnectionState::flatten_references() {
  if (refs.empty()) return;
  const std::size_t old_size = out.size();
  out.extend(ref_pending);
  std::byte* const base = out.at(0, out.size()).data();
  std::size_t shift = ref_pending;
  for (std::size_t i = refs.size(); i-- > 0;) {
    const OutputRef& r = refs[i];
    const std::size_t run_end = i + 1 < refs.size() ? refs[i + 1].at : old_size;
    if (run_end > r.at) std::memmove(base + r.at + shift, base + r.at, run_end - r.at);
    shift -= r.bytes.size();
    std::memcpy(base + r.at + shift, r.bytes.data(), r.bytes.size());
  }
  assert(shift == 0);
  refs.clear();
  ref_pending = 0;
}

}  // namespace detail

std::span<const std::byte> Connection::pending_output() {
  detail::ConnectionState& c = *state_;
  c.fill_output();
  c.flatten_references();
  return c.out.bytes().subspan(c.out_sent);
}

void Connection::consume_output(std::size_t n) {
  detail::ConnectionState& c = *state_;
  c.flatten_references();  // `n` counts octets of the whole output, referenced ones included
  c.out_sent = std::min(c.out.size(), c.out_sent + n);
  if (c.out_sent == c.out.size()) {
    c.out.clear();
    c.out_sent = 0;
  }
}

std::span<const std::byte> Connection::take_output() {
  detail::ConnectionState& c = *state_;
  c.fill_output();
  c.flatten_references();
  if (c.pending_size() == 0) return {};
  const std::size_t sent = c.out_sent;
  c.hand_over();
  return c.taken.bytes().subspan(sent);
}

std::span<const std::span<const std::byte>> Connection::take_output_pieces() {
  detail::ConnectionState& c = *state_;
  c.fill_output();
  if (c.pending_size() == 0) return {};
  // Wire order: the owned run before each reference, the reference, and the owned run after the last one.
  std::vector<std::span<const std::byte>>& pieces = c.taken_pieces;
  pieces.clear();
  const std::span<const std::byte> owned = c.out.bytes();
  std::size_t at = c.out_sent;
  for (const detail::OutputRef& r : c.refs) {
    if (r.at > at) pieces.push_back(owned.subspan(at, r.at - at));
    pieces.push_back(r.bytes);
    at = r.at;
  }
  if (owned.size() > at) pieces.push_back(owned.subspan(at));
  c.hand_over();
  return pieces;
}

void Connection::output_written() noexcept {
  detail::ConnectionState& c = *state_;
  c.taken.release();
  c.taken_refs.clear();  // the owners of the lent octets let go
  c.taken_pieces.clear();
}

std::shared_ptr<OutputPool> make_output_pool(std::size_t max_buffers, std::size_t max_capacity) {
  return std::make_shared<OutputPool>(max_buffers, max_capacity);
}

bool Connection::wants_write() const noexcept {
  const detail::ConnectionState& c = *state_;
  if (c.pending_size() > 0) return true;
  if (c.failed) return false;
  return const_cast<detail::ConnectionState&>(c).pick_stream_to_send() != nullptr;
}

}  // namespace h2push::http2
