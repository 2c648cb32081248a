// src/http2/connection.cpp: the Connection's API, its streams and its output side (HEADERS blocks, the DATA
// scheduler, flow control of what we send). The input side is in connection_receive.cpp.
#include "h2push/http2/connection.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "http2/connection_state.hpp"
#include "http2/field_validation.hpp"

namespace h2push::http2 {
namespace detail {

ConnectionState::ConnectionState(const Options& o)
    : options(o),
      role(o.role),
      reader({.max_frame_size = kDefaultMaxFrameSize,
              .preface = o.role == Role::server ? PeerPreface::magic_then_settings : PeerPreface::settings}),
      decoder({.max_table_size = kDefaultHeaderTableSize, .max_header_list_size = o.max_header_list_size}),
      encoder({.max_table_size = o.encoder_table_size}),
      out(o.output_pool.get()),
      taken(o.output_pool.get()) {
  resets = {o.reset_budget, o.resets_per_second, static_cast<double>(o.reset_budget)};
  glitches = {o.glitch_budget, o.glitches_per_second, static_cast<double>(o.glitch_budget)};
  conn_recv_target = std::max<std::uint32_t>(o.connection_window_size, kDefaultInitialWindowSize);
  if (role == Role::server) options.enable_push = false;  // §6.5.2: a server never advertises push
  queue_preface();
}

// §3.4: the client magic (client only), our SETTINGS, and a WINDOW_UPDATE opening the connection window.
void ConnectionState::queue_preface() {
  if (role == Role::client) {
    out.put({reinterpret_cast<const std::byte*>(kClientPreface.data()), kClientPreface.size()});
  }
  std::vector<Setting> settings;
  if (options.header_table_size != kDefaultHeaderTableSize) {
    settings.push_back({SettingId::header_table_size, options.header_table_size});
  }
  if (role == Role::client) settings.push_back({SettingId::enable_push, options.enable_push ? 1U : 0U});
  settings.push_back({SettingId::max_concurrent_streams, options.max_concurrent_streams});
  if (options.initial_window_size != kDefaultInitialWindowSize) {
    settings.push_back({SettingId::initial_window_size, options.initial_window_size});
  }
  if (options.max_frame_size != kDefaultMaxFrameSize) {
    settings.push_back({SettingId::max_frame_size, options.max_frame_size});
  }
  settings.push_back({SettingId::max_header_list_size, options.max_header_list_size});
  settings.push_back({SettingId::no_rfc7540_priorities, 1});  // RFC 9218 §2.1
  write_settings(settings, out);
  settings_unacked = 1;
  if (conn_recv_target > kDefaultInitialWindowSize) {
    write_window_update(StreamId::connection(), conn_recv_target - kDefaultInitialWindowSize, out);
    conn_recv_window = conn_recv_target;
  }
}

Stream& ConnectionState::create_stream(StreamId id) {
  assert(streams.find(id.value()) == nullptr);
  Stream& s = streams.emplace(id.value());
  s.send_window = peer_initial_window;
  // Until our SETTINGS are acknowledged the peer may still use the default window (§6.9.3).
  s.recv_window =
      settings_unacked > 0 ? std::max(options.initial_window_size, local_initial_window) : local_initial_window;
  return s;
}

Stream* ConnectionState::find(StreamId id) noexcept { return streams.find(id.value()); }

void ConnectionState::set_active(Stream& s, bool active) {
  if (s.counts_as_active == active) return;
  s.counts_as_active = active;
  const bool local = (role == Role::client) == s.id.is_client_initiated();
  std::uint32_t& counter = local ? local_active : peer_active;
  counter = active ? counter + 1 : counter - 1;
}

void ConnectionState::close_stream(Stream& s, ClosedHow how) {
  set_active(s, false);
  if (s.state == StreamState::reserved_remote && reserved_remote > 0) --reserved_remote;
  if (s.state == StreamState::reserved_local) --reserved_local_streams;
  // The record stays pooled until a new stream reuses it: the body source goes now, so that what it holds (an open
  // file, a cached buffer) is not kept by a closed stream. Octets it lent are held by the output, not by it.
  s.source.reset();
  const StreamId id = s.id;
  streams.erase(id.value());
  remember_closed(id, how);
}

void ConnectionState::remember_closed(StreamId id, ClosedHow how) {
  const std::size_t capacity = options.max_closed_streams;
  if (capacity == 0) return;
  if (recently_closed.size() < capacity) {
    recently_closed.emplace_back(id.value(), how);
  } else {
    recently_closed[closed_next] = {id.value(), how};
  }
  closed_next = (closed_next + 1) % capacity;
}

void ConnectionState::half_close_local(Stream& s) {
  s.end_sent = true;
  if (s.state == StreamState::open) {
    s.state = StreamState::half_closed_local;
  } else if (s.state == StreamState::half_closed_remote) {
    close_stream(s, ClosedHow::normally);
  }
}

void ConnectionState::half_close_remote(Stream& s) {
  if (s.state == StreamState::open) {
    s.state = StreamState::half_closed_remote;
    if (s.recv_unreturned > 0) s.recv_unreturned = 0;  // no more WINDOW_UPDATE for this stream
  } else if (s.state == StreamState::half_closed_local) {
    close_stream(s, ClosedHow::normally);
  }
}

hpack::HeaderList& ConnectionState::next_list() {
  if (lists_used == lists.size()) lists.emplace_back();
  return lists[lists_used++];
}

void ConnectionState::connection_error(ErrorCode code, std::string_view detail) {
  if (failed) return;
  failed = true;
  failure_detail.assign(detail);
  // §5.4.1: GOAWAY with the last stream we processed; nothing else is sent after it.
  write_goaway({StreamId(last_processed_peer_stream),
                code,
                {reinterpret_cast<const std::byte*>(failure_detail.data()), failure_detail.size()}},
               out);
  goaway_sent = true;
  emit(ConnectionFailed{code, failure_detail, false});
}

void ConnectionState::send_goaway(std::span<const std::byte> debug_data) {
  write_goaway({StreamId(last_processed_peer_stream), ErrorCode::no_error, debug_data}, out);
  goaway_sent = true;
  shutdown_notice_sent = false;
}

void ConnectionState::stream_error(StreamId id, ErrorCode code) {
  write_rst_stream(id, code, out);
  if (Stream* s = find(id)) close_stream(*s, ClosedHow::reset_by_us);
  emit(StreamReset{id, code, false});
  glitch();
}

bool ConnectionState::glitch() {
  if (failed) return false;
  if (!glitches.spend()) {
    connection_error(ErrorCode::enhance_your_calm, "too many peer errors or useless frames");
    return false;
  }
  return true;
}

// Referenced DATA does not count: it is body we chose to send (bounded by reference_budget), not output the peer
// provoked.
bool ConnectionState::over_output_cap() {
  if (owned_pending() <= options.max_pending_output) return false;
  connection_error(ErrorCode::enhance_your_calm, "peer does not read its frames");
  return true;
}

void ConnectionState::send_window_update(StreamId id, std::uint32_t increment) {
  write_window_update(id, increment, out);
}

void ConnectionState::data_consumed(Stream* s, std::uint32_t n) {
  if (n == 0 || failed) return;
  conn_recv_unreturned += n;
  if (conn_recv_unreturned >= conn_recv_target / 2) {
    send_window_update(StreamId::connection(), conn_recv_unreturned);
    conn_recv_window += conn_recv_unreturned;
    conn_recv_unreturned = 0;
  }
  if (s == nullptr || s->state == StreamState::half_closed_remote || s->state == StreamState::closed) return;
  s->recv_unreturned += n;
  if (s->recv_unreturned >= std::max<std::uint32_t>(local_initial_window / 2, 1)) {
    send_window_update(s->id, s->recv_unreturned);
    s->recv_window += s->recv_unreturned;
    s->recv_unreturned = 0;
  }
}

// Encodes a header section and writes it as HEADERS (or PUSH_PROMISE) plus CONTINUATIONs within the peer's
// MAX_FRAME_SIZE (§4.3). HPACK blocks are encoded in wire order, so this runs when the frames are queued.
static void write_block(ConnectionState& c, FrameType type, StreamId id, StreamId promised,
                        std::span<const Header> fields, bool end_stream) {
  std::vector<std::byte>& block = c.scratch;
  block.clear();
  c.encoder.encode(fields, block);
  const std::size_t max = c.peer_max_frame_size - (type == FrameType::push_promise ? 4 : 0);
  std::size_t first = std::min(block.size(), max);
  const std::span<const std::byte> all(block);
  if (type == FrameType::push_promise) {
    write_push_promise(id, {promised, all.first(first), first == block.size(), std::nullopt}, c.out);
  } else {
    write_headers(id, {all.first(first), end_stream, first == block.size(), std::nullopt, std::nullopt}, c.out);
  }
  for (std::size_t at = first; at < block.size();) {
    const std::size_t n = std::min<std::size_t>(block.size() - at, c.peer_max_frame_size);
    write_continuation(id, {all.subspan(at, n), at + n == block.size()}, c.out);
    at += n;
  }
}

void ConnectionState::write_field_block(StreamId id, std::span<const Header> fields, bool end_stream) {
  write_block(*this, FrameType::headers, id, StreamId(), fields, end_stream);
}

void ConnectionState::write_held(Stream& s, HeldFields& held, bool end_stream) {
  send_fields.clear();
  for (const auto& [name, value] : held.fields) send_fields.push_back({name, value});
  write_field_block(s.id, send_fields, end_stream);
  held.present = false;
  held.fields.clear();
}

// §8.4.2: a pushed response starts (its HEADERS go out) only while the client's stream limit has room.
void ConnectionState::start_held_pushes() {
  // Most calls find no promised stream at all: no scan of the stream table then.
  if (role != Role::server || reserved_local_streams == 0 || local_active >= peer_max_concurrent) return;
  std::vector<std::uint32_t> ready;
  streams.for_each([&](Stream& s) {
    if (s.state == StreamState::reserved_local && s.held_response.present) ready.push_back(s.id.value());
  });
  std::sort(ready.begin(), ready.end());
  for (const std::uint32_t id : ready) {
    if (local_active >= peer_max_concurrent) break;
    Stream& s = *streams.find(id);
    s.state = StreamState::half_closed_remote;
    --reserved_local_streams;
    set_active(s, true);
    const bool end = s.held_response_end;
    write_held(s, s.held_response, end);
    if (end) {
      half_close_local(s);
    }
  }
}

}  // namespace detail

using detail::ClosedHow;
using detail::SectionKind;
using detail::Stream;
using detail::StreamState;

std::string_view to_string(Errc errc) noexcept {
  switch (errc) {
    case Errc::wrong_role:
      return "not allowed in this role";
    case Errc::unknown_stream:
      return "unknown or closed stream";
    case Errc::invalid_state:
      return "not allowed in the stream's state";
    case Errc::invalid_headers:
      return "header fields break RFC 9113 section 8";
    case Errc::push_disabled:
      return "the peer does not accept pushes";
    case Errc::stream_limit:
      return "the peer's stream limit is reached";
    case Errc::stream_ids_exhausted:
      return "stream ids exhausted";
    case Errc::going_away:
      return "the connection is going away";
    case Errc::connection_failed:
      return "the connection has failed";
  }
  return "unknown error";
}

Connection::Connection(const Options& options) : state_(std::make_unique<detail::ConnectionState>(options)) {}
Connection::~Connection() = default;
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;

std::span<const Event> Connection::receive(std::span<const std::byte> bytes) {
  state_->receive(bytes);
  return state_->events;
}

Result<StreamId, Errc> Connection::submit_request(std::span<const Header> fields, bool end_stream) {
  detail::ConnectionState& c = *state_;
  if (c.role != Role::client) return Unexpected{Errc::wrong_role};
  if (c.failed) return Unexpected{Errc::connection_failed};
  if (c.goaway_sent || c.goaway_received) return Unexpected{Errc::going_away};
  const detail::SectionInfo info = detail::check_section(fields, SectionKind::request);
  if (!info.ok()) return Unexpected{Errc::invalid_headers};
  if (c.local_active >= c.peer_max_concurrent) return Unexpected{Errc::stream_limit};
  const std::uint64_t next = c.last_local_stream == 0 ? 1 : std::uint64_t{c.last_local_stream} + 2;
  if (next > StreamId::kMaxValue) return Unexpected{Errc::stream_ids_exhausted};
  const StreamId id(static_cast<std::uint32_t>(next));
  c.last_local_stream = id.value();
  Stream& s = c.create_stream(id);
  s.state = StreamState::open;
  s.sent_request_head = info.method == "HEAD";
  s.final_headers_sent = true;
  c.set_active(s, true);
  c.write_field_block(id, fields, end_stream);
  if (end_stream) {
    s.end_submitted = true;
    c.half_close_local(s);
  } else {
    c.add_sender(s);
  }
  return id;
}

// The stream the application may still send on, or an error.
static Result<Stream*, Errc> sending_stream(detail::ConnectionState& c, StreamId id) {
  if (c.failed) return Unexpected{Errc::connection_failed};
  Stream* s = c.find(id);
  if (s == nullptr) return Unexpected{Errc::unknown_stream};
  if (s->end_submitted || s->end_sent) return Unexpected{Errc::invalid_state};
  return s;
}

// The status of a final response's fields: all of RFC 9113 §8.2-8.3 checked, or (trusted fields) only a leading
// three-digit `:status`. 0 when invalid.
static int response_status(std::span<const Header> fields, FieldCheck check) noexcept {
  if (check == FieldCheck::validate) {
    const detail::SectionInfo info = detail::check_section(fields, SectionKind::response);
    return info.ok() ? info.status : 0;
  }
  if (fields.empty() || fields[0].name != ":status" || fields[0].value.size() != 3) return 0;
  int status = 0;
  for (const char c : fields[0].value) {
    if (c < '0' || c > '9') return 0;
    status = status * 10 + (c - '0');
  }
  return status;
}

Status<Errc> Connection::submit_response(StreamId id, std::span<const Header> fields, bool end_stream,
                                         FieldCheck check) {
  detail::ConnectionState& c = *state_;
  if (c.role != Role::server) return Unexpected{Errc::wrong_role};
  auto found = sending_stream(c, id);
  if (!found) return Unexpected{found.error()};
  Stream& s = **found;
  if (s.final_headers_sent) return Unexpected{Errc::invalid_state};
  if (s.state != StreamState::open && s.state != StreamState::half_closed_remote &&
      s.state != StreamState::reserved_local) {
    return Unexpected{Errc::invalid_state};
  }
  if (response_status(fields, check) < 200) return Unexpected{Errc::invalid_headers};
  s.final_headers_sent = true;
  if (end_stream) {
    s.end_submitted = true;
  } else {
    c.add_sender(s);
  }
  if (s.state == StreamState::reserved_local) {
    s.held_response.hold(fields);
    s.held_response_end = end_stream;
    c.start_held_pushes();
    return {};
  }
  c.write_field_block(id, fields, end_stream);
  if (end_stream) c.half_close_local(s);
  return {};
}

Status<Errc> Connection::submit_informational(StreamId id, std::span<const Header> fields) {
  detail::ConnectionState& c = *state_;
  if (c.role != Role::server) return Unexpected{Errc::wrong_role};
  auto found = sending_stream(c, id);
  if (!found) return Unexpected{found.error()};
  Stream& s = **found;
  if (s.final_headers_sent || (s.state != StreamState::open && s.state != StreamState::half_closed_remote)) {
    return Unexpected{Errc::invalid_state};
  }
  const detail::SectionInfo info = detail::check_section(fields, SectionKind::response);
  if (!info.ok() || info.status >= 200 || info.status == 101) return Unexpected{Errc::invalid_headers};
  c.write_field_block(id, fields, false);  // §8.1: an interim response never ends the stream
  return {};
}

Result<StreamId, Errc> Connection::submit_push_promise(StreamId parent, std::span<const Header> request) {
  detail::ConnectionState& c = *state_;
  if (c.role != Role::server) return Unexpected{Errc::wrong_role};
  if (c.failed) return Unexpected{Errc::connection_failed};
  if (!c.peer_enable_push) return Unexpected{Errc::push_disabled};  // §6.5.2, H2-6.6-06
  // §8.4: a client's MAX_CONCURRENT_STREAMS of 0 disables push; the promised response could never start.
  if (c.peer_max_concurrent == 0) return Unexpected{Errc::push_disabled};
  if (c.goaway_received) return Unexpected{Errc::going_away};  // §6.8
  Stream* p = c.find(parent);
  // §6.6: only on a client-initiated stream that is open or half-closed (remote) for us.
  if (p == nullptr || !parent.is_client_initiated() ||
      (p->state != StreamState::open && p->state != StreamState::half_closed_remote)) {
    return Unexpected{Errc::invalid_state};
  }
  if (!detail::check_section(request, SectionKind::push_request).ok()) return Unexpected{Errc::invalid_headers};
  const std::uint64_t next = c.last_local_stream == 0 ? 2 : std::uint64_t{c.last_local_stream} + 2;
  if (next > StreamId::kMaxValue) return Unexpected{Errc::stream_ids_exhausted};
  const StreamId promised(static_cast<std::uint32_t>(next));
  c.last_local_stream = promised.value();
  Stream& s = c.create_stream(promised);
  s.state = StreamState::reserved_local;
  ++c.reserved_local_streams;
  s.pushed = true;
  s.priority = p->priority;
  write_block(c, FrameType::push_promise, parent, promised, request, false);
  return promised;
}

Status<Errc> Connection::send_data(StreamId id, std::span<const std::byte> data, bool end_stream) {
  auto found = sending_stream(*state_, id);
  if (!found) return Unexpected{found.error()};
  Stream& s = **found;
  if (!s.final_headers_sent || s.source) return Unexpected{Errc::invalid_state};
  s.body.insert(s.body.end(), data.begin(), data.end());
  if (end_stream) s.end_submitted = true;
  return {};
}

Status<Errc> Connection::send_body(StreamId id, std::unique_ptr<BodySource> source) {
  auto found = sending_stream(*state_, id);
  if (!found) return Unexpected{found.error()};
  Stream& s = **found;
  if (!s.final_headers_sent || s.source || source == nullptr) return Unexpected{Errc::invalid_state};
  s.source = std::move(source);
  s.source_paused = false;
  return {};
}

void Connection::resume_body(StreamId id) {
  if (Stream* s = state_->find(id)) s->source_paused = false;
}

Status<Errc> Connection::submit_trailers(StreamId id, std::span<const Header> fields) {
  auto found = sending_stream(*state_, id);
  if (!found) return Unexpected{found.error()};
  Stream& s = **found;
  if (!s.final_headers_sent) return Unexpected{Errc::invalid_state};
  if (!detail::check_section(fields, SectionKind::trailers).ok()) return Unexpected{Errc::invalid_headers};
  s.trailers.hold(fields);
  s.end_submitted = true;
  return {};
}

Status<Errc> Connection::reset_stream(StreamId id, ErrorCode code) {
  detail::ConnectionState& c = *state_;
  if (c.failed) return Unexpected{Errc::connection_failed};
  Stream* s = c.find(id);
  if (s == nullptr) return Unexpected{Errc::unknown_stream};
  write_rst_stream(id, code, c.out);
  c.close_stream(*s, ClosedHow::reset_by_us);
  return {};
}

void Connection::consume(StreamId id, std::size_t n) {
  detail::ConnectionState& c = *state_;
  Stream* s = c.find(id);
  std::uint64_t credit = std::min<std::uint64_t>(n, c.conn_unconsumed);
  if (s != nullptr) {
    credit = std::min(credit, s->unconsumed);
    s->unconsumed -= credit;
  }
  c.conn_unconsumed -= credit;
  c.data_consumed(s, static_cast<std::uint32_t>(credit));
}

void Connection::ping(std::span<const std::byte, 8> opaque_data) {
  if (state_->failed) return;
  PingFrame frame;
  std::copy(opaque_data.begin(), opaque_data.end(), frame.opaque_data.begin());
  write_ping(frame, state_->out);
}

void Connection::set_priority(StreamId id, Priority priority) {
  if (Stream* s = state_->find(id)) s->priority = priority;
}

void Connection::shutdown(ErrorCode code, std::string_view debug_data) {
  detail::ConnectionState& c = *state_;
  if (c.failed) return;
  if (code != ErrorCode::no_error) {
    c.connection_error(code, debug_data);
    return;
  }
  c.send_goaway({reinterpret_cast<const std::byte*>(debug_data.data()), debug_data.size()});
}

void Connection::shutdown_gracefully() {
  detail::ConnectionState& c = *state_;
  if (c.failed || c.goaway_sent || c.shutdown_notice_sent) return;
  // RFC 9113 §6.8 (H2-6.8-04): Last-Stream-ID 2^31-1 announces the end without refusing streams in flight; the
  // PING's round trip tells when the peer has seen it.
  write_goaway({StreamId(StreamId::kMaxValue), ErrorCode::no_error, {}}, c.out);
  write_ping({detail::kShutdownPingData, false}, c.out);
  c.shutdown_notice_sent = true;
  c.shutdown_ping_sent = true;
  c.shutdown_notice_at = c.now;
}

Result<std::span<const Event>, Errc> Connection::accept_h2c_upgrade(std::span<const std::byte> settings_payload,
                                                                    std::span<const Header> request) {
  detail::ConnectionState& c = *state_;
  if (c.role != Role::server) return Unexpected{Errc::wrong_role};
  if (c.received_any || c.last_peer_stream != 0 || c.failed) return Unexpected{Errc::invalid_state};
  // RFC 7540 §3.2.1: HTTP2-Settings carries a SETTINGS payload; a bad one means no upgrade.
  if (settings_payload.size() % SettingsList::kEntrySize != 0) return Unexpected{Errc::invalid_headers};
  const FrameHeader header{static_cast<std::uint32_t>(settings_payload.size()), FrameType::settings, 0, StreamId()};
  auto settings = parse_settings(header, settings_payload);
  if (!settings) return Unexpected{Errc::invalid_headers};
  const detail::SectionInfo info = detail::check_section(request, SectionKind::request);
  if (!info.ok() || (info.content_length && *info.content_length != 0)) return Unexpected{Errc::invalid_headers};

  c.begin_call();
  if (c.apply_peer_settings(settings->settings)) {
    c.upgrade_request.hold(request);
    c.upgrade_fields.clear();
    for (const auto& [name, value] : c.upgrade_request.fields) c.upgrade_fields.push_back({name, value});
    // RFC 7540 §3.2: the upgraded request is stream 1, half-closed (remote) for the server.
    const StreamId id(1);
    Stream& s = c.create_stream(id);
    s.state = StreamState::half_closed_remote;
    s.headers_received = true;
    if (info.priority) s.priority = *info.priority;
    c.set_active(s, true);
    c.last_peer_stream = 1;
    c.last_processed_peer_stream = 1;
    c.emit(RequestReceived{id, c.upgrade_fields, true});
  }
  c.end_call();
  return std::span<const Event>(c.events);
}

std::span<const Event> Connection::advance(Instant now) {
  detail::ConnectionState& c = *state_;
  c.begin_call();
  if (c.now) {
    const std::int64_t elapsed = now.nanoseconds - c.now->nanoseconds;
    if (elapsed > 0) {
      c.resets.refill(elapsed);
      c.glitches.refill(elapsed);
    }
  }
  c.now = now;
  if (c.settings_unacked > 0 && !c.settings_sent_at) c.settings_sent_at = now;
  if (c.settings_unacked > 0 && now.nanoseconds - c.settings_sent_at->nanoseconds > c.options.settings_timeout_ns) {
    c.connection_error(ErrorCode::settings_timeout, "SETTINGS not acknowledged in time");  // §6.5.3
  }
  if (c.shutdown_notice_sent && !c.failed) {
    if (!c.shutdown_notice_at) c.shutdown_notice_at = now;
    if (now.nanoseconds - c.shutdown_notice_at->nanoseconds >= c.options.shutdown_notice_timeout_ns) c.send_goaway({});
  }
  c.end_call();
  return c.events;
}

std::optional<Instant> Connection::next_deadline() const noexcept {
  const detail::ConnectionState& c = *state_;
  if (c.failed) return std::nullopt;
  std::optional<Instant> deadline;
  if (c.settings_unacked > 0 && c.settings_sent_at) {
    deadline = Instant{c.settings_sent_at->nanoseconds + c.options.settings_timeout_ns};
  }
  if (c.shutdown_notice_sent && c.shutdown_notice_at) {
    const Instant notice{c.shutdown_notice_at->nanoseconds + c.options.shutdown_notice_timeout_ns};
    if (!deadline || notice < *deadline) deadline = notice;
  }
  return deadline;
}

Role Connection::role() const noexcept { return state_->role; }
bool Connection::peer_accepts_push() const noexcept {
  const detail::ConnectionState& c = *state_;
  return c.role == Role::server && c.peer_enable_push && c.peer_max_concurrent > 0 && !c.goaway_received && !c.failed;
}
bool Connection::settings_ack_pending() const noexcept { return state_->settings_unacked > 0; }
bool Connection::failed() const noexcept { return state_->failed; }
bool Connection::is_closed() const noexcept {
  const detail::ConnectionState& c = *state_;
  // Every stream still in the table counts, reserved (promised) ones included: their responses are still owed.
  return c.failed || ((c.goaway_sent || c.goaway_received) && c.streams.size() == 0);
}
std::size_t Connection::active_streams() const noexcept { return state_->local_active + state_->peer_active; }
std::int64_t Connection::connection_send_window() const noexcept { return state_->conn_send_window; }
std::int64_t Connection::stream_send_window(StreamId id) const noexcept {
  const Stream* s = state_->streams.find(id.value());
  return s == nullptr ? 0 : s->send_window;
}

}  // namespace h2push::http2
