// src/http2/connection_receive.cpp: the Connection's input side: frames in, state transitions, events out, and the
// connection-error vs stream-error decisions of RFC 9113 (cited beside each one; ids from CONFORMANCE.md).
#include <algorithm>

#include "http2/connection_state.hpp"
#include "http2/field_validation.hpp"

namespace h2push::http2::detail {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

void ConnectionState::receive(std::span<const std::byte> bytes) {
  begin_call();
  received_any = true;
  const std::uint32_t active_before = local_active;
  while (!failed) {
    auto r = reader.read(bytes);
    if (!r) {
      connection_error(r.error().code, to_string(r.error().kind));  // bad preface (§3.4) or oversized frame (§4.2)
      break;
    }
    if (!r->has_value()) break;
    on_frame(**r);
    over_output_cap();  // SECURITY.md §5: judged per frame, so one large input cannot queue more than the cap
  }
  // §8.4.2: a reset pushed stream frees a slot of the client's limit; a waiting push starts now, so that
  // wants_write() sees its HEADERS.
  if (!failed && local_active < active_before) start_held_pushes();
  over_output_cap();
  end_call();
}

bool ConnectionState::is_idle(StreamId id) const noexcept {
  const bool peer_initiated = (role == Role::server) == id.is_client_initiated();
  return id.value() > (peer_initiated ? last_peer_stream : last_local_stream);
}

std::optional<ClosedHow> ConnectionState::closed_how(StreamId id) const noexcept {
  // Newest first: the ring's newest entry sits just before closed_next.
  const std::size_t n = recently_closed.size();
  for (std::size_t k = 1; k <= n; ++k) {
    const auto& [closed_id, how] = recently_closed[(closed_next + n - k) % n];
    if (closed_id == id.value()) return how;
  }
  return std::nullopt;
}

// §6.8 (H2-6.8-05): a stream the peer opened after our GOAWAY was never processed; its late frames are dropped,
// though DATA is still charged to the connection window and field blocks are still decoded.
static bool above_our_goaway(const ConnectionState& c, StreamId id) noexcept {
  const bool peer_initiated = (c.role == Role::server) == id.is_client_initiated();
  return c.goaway_sent && peer_initiated && id.value() > c.last_processed_peer_stream;
}

void ConnectionState::on_frame(const FrameView& frame) {
  const FrameHeader& h = frame.header;
  // §4.3, §6.10 (H2-4.3-01, H2-6.10-01, H2-5.5-01): a field block is HEADERS/PUSH_PROMISE plus CONTINUATIONs on
  // the same stream, back to back.
  if (block.active && (h.type != FrameType::continuation || h.stream_id != block.stream)) {
    connection_error(ErrorCode::protocol_error, "frame inside a field block");
    return;
  }
  if (!block.active && h.type == FrameType::continuation) {
    connection_error(ErrorCode::protocol_error, "CONTINUATION without a field block");
    return;
  }
  auto parsed = parse_frame(h, frame.payload);
  if (!parsed) {
    const FrameError& e = parsed.error();
    // A stream-scoped error on an idle stream becomes a connection error (§5.4 allows it): §6.4 forbids RST_STREAM
    // on an idle stream, and a WINDOW_UPDATE there is a connection error anyway (H2-5.1-01). PRIORITY of the wrong
    // length or depending on itself is the other case (H2-6.3-02, H2-5.3-02).
    if (e.scope == ErrorScope::stream && !is_idle(h.stream_id)) {
      if (find(h.stream_id) != nullptr) {
        stream_error(h.stream_id, e.code);
      } else {
        glitch();  // closed: §5.1 lets us send nothing but PRIORITY on it, so the frame is dropped (H2-5.4-02)
      }
    } else {
      connection_error(e.code, to_string(e.kind));
    }
    return;
  }
  std::visit(
      Overloaded{
          [&](const DataFrame& f) { on_data(h, f); }, [&](const HeadersFrame& f) { on_headers(h, f); },
          [&](const PriorityFrame& f) { on_priority(h, f); }, [&](const RstStreamFrame& f) { on_rst_stream(h, f); },
          [&](const SettingsFrame& f) { on_settings(h, f); }, [&](const PushPromiseFrame& f) { on_push_promise(h, f); },
          [&](const PingFrame& f) { on_ping(f); }, [&](const GoawayFrame& f) { on_goaway(f); },
          [&](const WindowUpdateFrame& f) { on_window_update(h, f); },
          [&](const ContinuationFrame& f) { on_continuation(h, f); },
          [&](const PriorityUpdateFrame& f) { on_priority_update(f); },
          [&](const UnknownFrame&) {},  // §5.5 (H2-4.1-01): ignored
      },
      *parsed);
}

void ConnectionState::on_data(const FrameHeader& h, const DataFrame& f) {
  const StreamId id = h.stream_id;
  const std::uint32_t charged = flow_controlled_length(f);
  // §6.9 (H2-5.2-05): every DATA frame is charged to the connection window, whatever its stream.
  if (charged > conn_recv_window) {
    connection_error(ErrorCode::flow_control_error, "DATA beyond the connection window");  // H2-5.2-06
    return;
  }
  conn_recv_window -= charged;
  Stream* s = find(id);
  auto discard = [&] { data_consumed(nullptr, charged); };  // octets no one will consume go back at once
  if (s == nullptr) {
    if (is_idle(id)) {
      connection_error(ErrorCode::protocol_error, "DATA on an idle stream");  // H2-5.1-01
      return;
    }
    discard();
    const auto how = closed_how(id);
    // H2-5.1-08: late frames after our reset are ignored; so are those of streams above our GOAWAY (H2-6.8-05).
    if (how == ClosedHow::reset_by_us || above_our_goaway(*this, id)) return;
    if (how == ClosedHow::reset_by_peer) {
      stream_error(id, ErrorCode::stream_closed);  // §5.1 closed, H2-5.1-09
    } else {
      connection_error(ErrorCode::stream_closed, "DATA on a closed stream");  // H2-5.1-09
    }
    return;
  }
  if (s->state == StreamState::reserved_local || s->state == StreamState::reserved_remote) {
    connection_error(ErrorCode::protocol_error, "DATA on a reserved stream");  // H2-5.1-03, H2-5.1-04
    return;
  }
  if (s->state == StreamState::half_closed_remote) {
    discard();
    stream_error(id, ErrorCode::stream_closed);  // H2-5.1-06, H2-6.1-02
    return;
  }
  if (charged > s->recv_window) {
    discard();
    stream_error(id, ErrorCode::flow_control_error);  // H2-5.2-06
    return;
  }
  s->recv_window -= charged;
  // §8.1 (H2-8.1-03): DATA before the header section, or a body where none may be (H2-8.1.1-01).
  s->data_received += f.data.size();
  if (!s->headers_received || (s->body_forbidden && !f.data.empty()) ||
      (s->content_length && s->data_received > *s->content_length)) {
    discard();
    stream_error(id, ErrorCode::protocol_error);
    return;
  }
  if (f.data.empty() && !f.end_stream && !glitch()) return;               // SECURITY.md §5: empty DATA flood
  data_consumed(s, charged - static_cast<std::uint32_t>(f.data.size()));  // padding is ours to give back
  emit(DataReceived{id, f.data, charged, f.end_stream});
  if (options.auto_window_update) {
    data_consumed(s, static_cast<std::uint32_t>(f.data.size()));
  } else {
    s->unconsumed += f.data.size();
    conn_unconsumed += f.data.size();
  }
  if (f.end_stream && check_message_end(*s)) half_close_remote(*s);
}

// §8.1.1 (H2-8.1.1-01): content-length must match the DATA received.
bool ConnectionState::check_message_end(Stream& s) {
  if (s.content_length && !s.body_forbidden && *s.content_length != s.data_received) {
    stream_error(s.id, ErrorCode::protocol_error);
    return false;
  }
  return true;
}

void ConnectionState::on_headers(const FrameHeader& h, const HeadersFrame& f) {
  if (f.fragment.size() > options.max_field_block_size) {
    connection_error(ErrorCode::enhance_your_calm, "field block too large");  // SECURITY.md §2
    return;
  }
  block.active = true;
  block.type = FrameType::headers;
  block.stream = h.stream_id;
  block.end_stream = f.end_stream;
  block.continuations = 0;
  block.self_dependent = f.priority && f.priority->dependency == h.stream_id;  // RFC 7540 §5.3.1, H2-5.3-02
  block.bytes.assign(f.fragment.begin(), f.fragment.end());
  if (f.end_headers) on_field_block_complete();
}

void ConnectionState::on_push_promise(const FrameHeader& h, const PushPromiseFrame& f) {
  if (role == Role::server) {
    connection_error(ErrorCode::protocol_error, "PUSH_PROMISE from a client");  // §8.4, H2-8.4-04
    return;
  }
  if (f.fragment.size() > options.max_field_block_size) {
    connection_error(ErrorCode::enhance_your_calm, "field block too large");
    return;
  }
  block.active = true;
  block.type = FrameType::push_promise;
  block.stream = h.stream_id;
  block.promised = f.promised_stream_id;
  block.end_stream = false;
  block.continuations = 0;
  block.self_dependent = false;
  block.bytes.assign(f.fragment.begin(), f.fragment.end());
  if (f.end_headers) on_field_block_complete();
}

void ConnectionState::on_continuation(const FrameHeader&, const ContinuationFrame& f) {
  // SECURITY.md §2 (H2-6.10-02): bounded count and size, then GOAWAY: the HPACK state cannot be kept cheaply.
  if (++block.continuations > options.max_continuation_frames ||
      block.bytes.size() + f.fragment.size() > options.max_field_block_size) {
    connection_error(ErrorCode::enhance_your_calm, "too many CONTINUATION frames");
    return;
  }
  if (f.fragment.empty() && !f.end_headers && !glitch()) return;
  block.bytes.insert(block.bytes.end(), f.fragment.begin(), f.fragment.end());
  if (f.end_headers) on_field_block_complete();
}

void ConnectionState::on_field_block_complete() {
  block.active = false;
  hpack::HeaderList& list = next_list();
  // §4.3 (H2-4.3-02): every block is decoded, whatever the stream's fate, to keep the HPACK context in sync.
  const auto status = decoder.decode(block.bytes, list);
  bool too_large = false;
  if (!status) {
    if (hpack::is_fatal(status.error())) {
      connection_error(ErrorCode::compression_error, hpack::to_string(status.error()));  // H2-4.3-03
      return;
    }
    too_large = true;
  }
  if (block.type == FrameType::push_promise) {
    on_promise_block(find(block.stream), block.stream, block.promised, list, too_large);
  } else if (role == Role::server) {
    on_request_block(find(block.stream), block.stream, list, too_large);
  } else {
    on_response_block(find(block.stream), block.stream, list, too_large);
  }
}

// A HEADERS block for a stream the map does not hold and that is not new: judge it by how the stream closed.
static void on_block_for_closed_stream(ConnectionState& c, StreamId id) {
  const auto how = c.closed_how(id);
  if (how == ClosedHow::reset_by_us || above_our_goaway(c, id)) return;  // H2-5.1-08, H2-6.8-05: decoded, ignored
  if (how == ClosedHow::reset_by_peer) {
    c.stream_error(id, ErrorCode::stream_closed);  // §5.1 closed
  } else if (how == ClosedHow::normally) {
    c.connection_error(ErrorCode::stream_closed, "HEADERS on a closed stream");  // H2-5.1-09
  } else {
    c.connection_error(ErrorCode::protocol_error, "HEADERS on a stream id that was skipped");  // H2-5.1.1-02
  }
}

// RFC 9218 §7 (PR-7-01): the PRIORITY_UPDATE kept for the stream `id` opens, if any. Those kept for lower ids are
// dropped: opening `id` closed them (§5.1.1).
static std::optional<std::string> take_early_priority(ConnectionState& c, StreamId id) {
  std::optional<std::string> found;
  std::erase_if(c.early_priorities, [&](std::pair<std::uint32_t, std::string>& e) {
    if (e.first == id.value()) found = std::move(e.second);
    return e.first <= id.value();
  });
  return found;
}

// A trailer section on a stream whose header section arrived (§8.1).
static void on_trailers(ConnectionState& c, Stream& s, const hpack::HeaderList& list) {
  if (!c.block.end_stream || !check_section(list.fields(), SectionKind::trailers).ok()) {
    c.stream_error(s.id, ErrorCode::protocol_error);  // H2-8.1-03, H2-8.1-04: malformed
    return;
  }
  c.emit(TrailersReceived{s.id, list.fields()});
  if (c.check_message_end(s)) c.half_close_remote(s);
}

void ConnectionState::on_request_block(Stream* s, StreamId id, const hpack::HeaderList& list, bool too_large) {
  if (s == nullptr) {
    if (id.is_server_initiated()) {
      connection_error(ErrorCode::protocol_error, "HEADERS on a server stream id");  // H2-5.1.1-01
      return;
    }
    if (!is_idle(id)) {
      on_block_for_closed_stream(*this, id);
      return;
    }
    last_peer_stream = id.value();  // §5.1.1: opening N closes the idle streams below N (H2-5.1.1-03)
    const std::optional<std::string> early_priority = take_early_priority(*this, id);
    if (goaway_sent) return;  // §6.8: above our GOAWAY's last stream: decoded, not processed
    const SectionInfo info = check_section(list.fields(), SectionKind::request);
    // A list over max_header_list_size arrives empty: it is answered with 431 below, not judged malformed.
    if ((!info.ok() && !too_large) || block.self_dependent) {
      remember_closed(id, ClosedHow::reset_by_us);
      stream_error(id, ErrorCode::protocol_error);  // §8.1.1 malformed (H2-8.1.1-02), H2-5.3-02
      return;
    }
    if (peer_active >= options.max_concurrent_streams) {
      remember_closed(id, ClosedHow::reset_by_us);
      stream_error(id, ErrorCode::refused_stream);  // §5.1.2 (H2-5.1.2-02)
      return;
    }
    Stream& ns = create_stream(id);
    ns.state = StreamState::open;
    ns.headers_received = true;
    ns.content_length = info.content_length;
    if (info.priority) ns.priority = *info.priority;
    if (early_priority) ns.priority = parse_priority(*early_priority, ns.priority);  // the update wins (PR-7-01)
    set_active(ns, true);
    last_processed_peer_stream = id.value();
    if (too_large) {
      // RFC 9113 §10.5.1 / RFC 6585: answer 431 without handing the request to the application; a body that
      // would follow is cut short with RST_STREAM(NO_ERROR) after the complete response (§8.1).
      const Header status[] = {{":status", "431"}};
      write_field_block(id, status, true);
      if (!block.end_stream) write_rst_stream(id, ErrorCode::no_error, out);
      close_stream(ns, block.end_stream ? ClosedHow::normally : ClosedHow::reset_by_us);
      return;
    }
    emit(RequestReceived{id, list.fields(), block.end_stream});
    if (block.end_stream && check_message_end(ns)) half_close_remote(ns);
    return;
  }
  switch (s->state) {
    case StreamState::open:
    case StreamState::half_closed_local:
      on_trailers(*this, *s, list);
      return;
    case StreamState::half_closed_remote:
      stream_error(id, ErrorCode::stream_closed);  // H2-5.1-06
      return;
    default:
      connection_error(ErrorCode::protocol_error, "HEADERS on a reserved stream");  // H2-5.1-03
      return;
  }
}

void ConnectionState::on_response_block(Stream* s, StreamId id, const hpack::HeaderList& list, bool too_large) {
  if (s == nullptr) {
    if (is_idle(id)) {
      // H2-5.1-01, H2-5.1-02: a response for a request never sent, or a push never promised.
      connection_error(ErrorCode::protocol_error, "HEADERS on an idle stream");
      return;
    }
    on_block_for_closed_stream(*this, id);
    return;
  }
  if (s->state == StreamState::half_closed_remote) {
    stream_error(id, ErrorCode::stream_closed);  // H2-5.1-06
    return;
  }
  if (s->state == StreamState::reserved_remote) {
    // §8.4.2: the pushed response starts; it counts against our stream limit (H2-8.4-07).
    if (peer_active >= options.max_concurrent_streams) {
      stream_error(id, ErrorCode::refused_stream);
      return;
    }
    --reserved_remote;
    s->state = StreamState::half_closed_local;
    set_active(*s, true);
  }
  if (too_large) {
    stream_error(id, ErrorCode::enhance_your_calm);  // a response we cannot hold (SECURITY.md §3)
    return;
  }
  if (s->headers_received) {
    on_trailers(*this, *s, list);
    return;
  }
  const SectionInfo info = check_section(list.fields(), SectionKind::response);
  if (!info.ok() || block.self_dependent) {
    stream_error(id, ErrorCode::protocol_error);  // H2-8.1.1-02, H2-8.3.2-01
    return;
  }
  if (info.status < 200) {
    if (block.end_stream) {
      stream_error(id, ErrorCode::protocol_error);  // H2-8.1-02: an interim response cannot end the stream
      return;
    }
    emit(InformationalReceived{id, list.fields()});  // H2-8.1-01: any number before the final one
    return;
  }
  s->headers_received = true;
  s->content_length = info.content_length;
  s->body_forbidden = s->sent_request_head || info.status == 204 || info.status == 304;
  emit(ResponseReceived{id, list.fields(), block.end_stream});
  if (block.end_stream && check_message_end(*s)) half_close_remote(*s);
}

void ConnectionState::on_promise_block(Stream* parent, StreamId parent_id, StreamId promised,
                                       const hpack::HeaderList& list, bool too_large) {
  // §6.6 (H2-6.6-05): after our ENABLE_PUSH=0 took effect a promise is a connection error.
  if (!options.enable_push && local_push_disabled_acked) {
    connection_error(ErrorCode::protocol_error, "PUSH_PROMISE after push was disabled");
    return;
  }
  // §6.6 (H2-6.6-04): the promised stream must be idle: even (checked by the parser) and new.
  if (!is_idle(promised)) {
    connection_error(ErrorCode::protocol_error, "PUSH_PROMISE for a stream that is not idle");
    return;
  }
  bool refuse = false;
  ErrorCode refuse_code = ErrorCode::cancel;
  if (parent == nullptr || (parent->state != StreamState::open && parent->state != StreamState::half_closed_local)) {
    // H2-6.6-03: only a stream we reset may still carry a promise; it is reserved, then refused.
    if (parent != nullptr || closed_how(parent_id) != ClosedHow::reset_by_us) {
      connection_error(ErrorCode::protocol_error, "PUSH_PROMISE on a stream that is not open");
      return;
    }
    refuse = true;
  }
  last_peer_stream = promised.value();
  const SectionInfo info = check_section(list.fields(), SectionKind::push_request);
  if (!refuse && goaway_sent) {
    refuse = true;  // §6.8 (H2-6.8-03): above the Last-Stream-ID of our GOAWAY, which must never grow
    refuse_code = ErrorCode::refused_stream;
  } else if (!refuse && !options.enable_push) {
    refuse = true;  // our ENABLE_PUSH=0 is not acknowledged yet
    refuse_code = ErrorCode::refused_stream;
  } else if (!refuse && (!info.ok() || too_large)) {
    refuse = true;  // H2-8.4-02: an unsafe, incomplete or invalid promised request
    refuse_code = too_large ? ErrorCode::enhance_your_calm : ErrorCode::protocol_error;
  } else if (!refuse && reserved_remote >= options.max_reserved_streams) {
    refuse = true;  // H2-8.4-10
    refuse_code = ErrorCode::refused_stream;
  }
  if (refuse) {
    remember_closed(promised, ClosedHow::reset_by_us);
    write_rst_stream(promised, refuse_code, out);
    if (refuse_code != ErrorCode::cancel && refuse_code != ErrorCode::refused_stream) {
      emit(StreamReset{promised, refuse_code, false});
    }
    return;
  }
  Stream& s = create_stream(promised);
  s.state = StreamState::reserved_remote;
  s.pushed = true;
  s.sent_request_head = info.method == "HEAD";
  s.end_sent = true;  // the client never sends on a pushed stream (H2-8.4-08)
  ++reserved_remote;
  last_processed_peer_stream = promised.value();  // §6.8 (H2-6.8-03): a client's GOAWAY counts accepted pushes
  emit(PushPromised{parent_id, promised, list.fields()});
}

void ConnectionState::on_rst_stream(const FrameHeader& h, const RstStreamFrame& f) {
  const StreamId id = h.stream_id;
  Stream* s = find(id);
  if (s == nullptr) {
    if (is_idle(id)) connection_error(ErrorCode::protocol_error, "RST_STREAM on an idle stream");  // H2-6.4-01
    return;  // H2-5.1-07: a closed stream's late RST_STREAM is accepted
  }
  // SECURITY.md §1 (CVE-2023-44487): resets spend a budget refilled over time.
  if (!resets.spend()) {
    connection_error(ErrorCode::enhance_your_calm, "too many RST_STREAM frames");
    return;
  }
  emit(StreamReset{id, f.error_code, true});
  close_stream(*s, ClosedHow::reset_by_peer);  // H2-6.4-02: nothing more is sent on it (a push stops at once)
}

void ConnectionState::on_settings(const FrameHeader&, const SettingsFrame& f) {
  if (f.ack) {
    if (settings_unacked == 0) return;  // an unsolicited ACK changes nothing
    --settings_unacked;
    settings_sent_at.reset();
    apply_local_settings();
    emit(SettingsAcknowledged{});
    return;
  }
  if (f.settings.size() > options.max_settings_entries) {
    connection_error(ErrorCode::enhance_your_calm, "too many SETTINGS entries");  // SECURITY.md §5
    return;
  }
  // §6.5.3 (H2-6.5.3-01): in order, the last duplicate winning, then ACK at once.
  if (!apply_peer_settings(f.settings)) return;
  write_settings_ack(out);
  emit(SettingsReceived{});
}

// The peer's settings, applied in order (§6.5.3). Shared by SETTINGS frames and the h2c HTTP2-Settings header.
bool ConnectionState::apply_peer_settings(const SettingsList& settings) {
  for (const Setting setting : settings) {
    switch (setting.id) {
      case SettingId::header_table_size:
        encoder.set_peer_max_table_size(setting.value);
        break;
      case SettingId::enable_push:
        if (role == Role::client && setting.value != 0) {
          connection_error(ErrorCode::protocol_error, "server sent ENABLE_PUSH=1");  // H2-6.5.2-02
          return false;
        }
        peer_enable_push = setting.value == 1;
        break;
      case SettingId::max_concurrent_streams:
        peer_max_concurrent = setting.value;
        break;
      case SettingId::initial_window_size: {
        // §6.9.2 (H2-6.9.2-01, -02): shift every stream's send window; they may go negative.
        const std::int64_t delta = std::int64_t{setting.value} - peer_initial_window;
        bool overflow = false;
        streams.for_each([&](Stream& s) {
          s.send_window += delta;
          overflow = overflow || s.send_window > kMaxWindowSize;
        });
        if (overflow) {
          connection_error(ErrorCode::flow_control_error, "INITIAL_WINDOW_SIZE overflows a stream window");
          return false;
        }
        peer_initial_window = setting.value;
        break;
      }
      case SettingId::max_frame_size:
        peer_max_frame_size = setting.value;
        break;
      case SettingId::max_header_list_size:
        peer_max_header_list = setting.value;
        break;
      default:
        break;  // §6.5.2 (H2-6.5.2-07): unknown settings are ignored
    }
  }
  return true;
}

// Our SETTINGS took effect: the peer has acknowledged them.
void ConnectionState::apply_local_settings() {
  decoder.set_max_table_size(options.header_table_size);  // H2-4.3-04
  reader.set_max_frame_size(options.max_frame_size);
  const std::uint32_t assumed = std::max(options.initial_window_size, local_initial_window);
  if (options.initial_window_size < assumed) {
    // Streams opened before the ACK were given the larger of the two windows (§6.9.3).
    streams.for_each([&](Stream& s) { s.recv_window -= assumed - options.initial_window_size; });
  }
  local_initial_window = options.initial_window_size;
  // Octets consumed under the larger window were held back against its larger WINDOW_UPDATE threshold. The peer's
  // window just shrank by the same SETTINGS and may now be empty: return them, or the stream could stall for good.
  const std::uint32_t threshold = std::max<std::uint32_t>(local_initial_window / 2, 1);
  streams.for_each([&](Stream& s) {
    if (s.recv_unreturned < threshold) return;
    send_window_update(s.id, s.recv_unreturned);
    s.recv_window += s.recv_unreturned;
    s.recv_unreturned = 0;
  });
  if (role == Role::client && !options.enable_push) local_push_disabled_acked = true;
}

void ConnectionState::on_ping(const PingFrame& f) {
  if (f.ack) {
    if (shutdown_ping_sent && f.opaque_data == kShutdownPingData) {
      shutdown_ping_sent = false;
      if (shutdown_notice_sent) send_goaway({});  // §6.8: the peer has seen our first GOAWAY, the final one follows
      return;
    }
    emit(PingAcknowledged{f.opaque_data});
    return;
  }
  write_ping({f.opaque_data, true}, out);  // H2-6.7-01: the same 8 octets back
}

void ConnectionState::on_goaway(const GoawayFrame& f) {
  goaway_received = true;
  goaway_last_stream = std::min(goaway_last_stream, f.last_stream_id.value());
  const std::string_view debug(reinterpret_cast<const char*>(f.debug_data.data()), f.debug_data.size());
  emit(GoawayReceived{f.last_stream_id, f.error_code, debug});
  // §6.8: our streams above Last-Stream-ID were not processed and may be retried elsewhere.
  std::vector<std::uint32_t> refused;
  streams.for_each([&](Stream& s) {
    const bool ours = (role == Role::client) == s.id.is_client_initiated();
    if (ours && s.id.value() > goaway_last_stream) refused.push_back(s.id.value());
  });
  std::sort(refused.begin(), refused.end());
  for (const std::uint32_t id : refused) {
    emit(StreamReset{StreamId(id), ErrorCode::refused_stream, true});
    close_stream(*streams.find(id), ClosedHow::reset_by_peer);
  }
  if (f.error_code != ErrorCode::no_error) {
    failed = true;
    failure_detail.assign(debug);
    emit(ConnectionFailed{f.error_code, failure_detail, true});
  }
}

void ConnectionState::on_window_update(const FrameHeader& h, const WindowUpdateFrame& f) {
  if (h.stream_id.is_connection()) {
    conn_send_window += f.window_size_increment;
    if (conn_send_window > kMaxWindowSize) {
      connection_error(ErrorCode::flow_control_error, "connection window above 2^31-1");  // H2-6.9.1-01
    }
    return;
  }
  Stream* s = find(h.stream_id);
  if (s == nullptr) {
    if (is_idle(h.stream_id)) {
      connection_error(ErrorCode::protocol_error, "WINDOW_UPDATE on an idle stream");  // H2-5.1-01
    }
    return;  // H2-6.9-02, H2-5.1-07: closed streams' late updates are ignored
  }
  if (s->state == StreamState::reserved_remote) {
    connection_error(ErrorCode::protocol_error, "WINDOW_UPDATE on a reserved (remote) stream");  // H2-5.1-04
    return;
  }
  s->send_window += f.window_size_increment;
  if (s->send_window > kMaxWindowSize) stream_error(h.stream_id, ErrorCode::flow_control_error);  // H2-6.9.1-01
}

void ConnectionState::on_priority(const FrameHeader& h, const PriorityFrame&) {
  // §5.3.2 (H2-5.3-01, H2-6.3-03): parsed for framing (the parser rejects a self-dependency), then ignored; no
  // state is kept for the stream, whatever its state. On an idle stream it is pure churn (SECURITY.md §5, 9513):
  // a glitch.
  if (is_idle(h.stream_id)) glitch();
}

void ConnectionState::on_priority_update(const PriorityUpdateFrame& f) {
  if (role != Role::server) return;
  Stream* s = find(f.prioritized_stream_id);
  if (s == nullptr) {
    const StreamId id = f.prioritized_stream_id;
    if (!id.is_client_initiated() || !is_idle(id)) return;  // RFC 9218 §7.1: a closed stream's update changes nothing
    // PR-7-01: kept until the stream opens (the latest update wins); PR-7.1-04: within our stream limit.
    for (auto& [kept_id, value] : early_priorities) {
      if (kept_id == id.value()) {
        value.assign(f.field_value);
        return;
      }
    }
    if (early_priorities.size() + peer_active >= options.max_concurrent_streams) {
      connection_error(ErrorCode::protocol_error, "PRIORITY_UPDATE for more idle streams than the stream limit");
      return;
    }
    early_priorities.emplace_back(id.value(), std::string(f.field_value));
    return;
  }
  s->priority = parse_priority(f.field_value, s->priority);
  emit(PriorityUpdated{s->id, s->priority});
}

}  // namespace h2push::http2::detail
