// src/http2/connection_state.hpp: what a Connection holds. Shared by connection.cpp (the API and the output side)
// and connection_receive.cpp (the input side).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "h2push/hpack/decoder.hpp"
#include "h2push/hpack/encoder.hpp"
#include "h2push/hpack/header_list.hpp"
#include "h2push/http2/connection.hpp"
#include "http2/frame.hpp"
#include "http2/frame_reader.hpp"
#include "http2/stream_table.hpp"

namespace h2push::http2::detail {

// The opaque data of the PING a graceful shutdown sends (Connection::shutdown_gracefully()): "h2pushGA".
inline constexpr std::array<std::byte, 8> kShutdownPingData{std::byte{'h'}, std::byte{'2'}, std::byte{'p'},
                                                            std::byte{'u'}, std::byte{'s'}, std::byte{'h'},
                                                            std::byte{'G'}, std::byte{'A'}};

// RFC 9113 §5.1.
enum class StreamState : std::uint8_t {
  idle,
  reserved_local,
  reserved_remote,
  open,
  half_closed_local,
  half_closed_remote,
  closed,
};

// A header section kept until it can be encoded: HPACK blocks must be encoded in wire order, so trailers and
// pushed responses waiting for a stream slot are encoded only when they are written.
struct HeldFields {
  std::vector<std::pair<std::string, std::string>> fields;
  bool present = false;
  void clear() noexcept {
    fields.clear();
    present = false;
  }
  void hold(std::span<const Header> in) {
    fields.clear();
    for (const Header& h : in) fields.emplace_back(h.name, h.value);
    present = true;
  }
};

// The part of a stream's record that is plain values: a fresh stream starts from StreamValues{}, assigned in one go
// by Stream::reuse() (trivially copyable, so that is a copy of a few dozen octets).
struct StreamValues {
  StreamId id;
  StreamState state = StreamState::idle;
  bool pushed = false;            // even-numbered: promised by the server
  bool counts_as_active = false;  // holds one of a MAX_CONCURRENT_STREAMS slot (ours or the peer's)

  // Flow control (§5.2, §6.9), windows in 64 bits: they may go negative after a SETTINGS change (§6.9.2).
  std::int64_t send_window = 0;
  std::int64_t recv_window = 0;       // what the peer may still send
  std::uint32_t recv_unreturned = 0;  // consumed octets not yet given back with WINDOW_UPDATE
  std::uint64_t unconsumed = 0;       // delivered DATA octets the application has not consume()d yet

  // Inbound message.
  bool headers_received = false;  // request headers (server) or final response headers (client)
  bool body_forbidden = false;    // client: the response to HEAD, or a 204/304
  std::optional<std::uint64_t> content_length;
  std::uint64_t data_received = 0;

  // Outbound message.
  bool sent_request_head = false;  // client: the request was HEAD (its response carries no body)
  bool final_headers_sent = false;
  bool end_submitted = false;  // the application has given the whole message (body end or trailers)
  bool end_sent = false;
  std::size_t body_offset = 0;  // of `body` (Stream)
  bool source_paused = false;
  bool held_response_end = false;
  Priority priority;
};
static_assert(std::is_trivially_copyable_v<StreamValues>);

struct Stream : StreamValues {
  // Makes this pooled record a fresh stream `stream_id`, keeping the capacity of its buffers (StreamTable).
  void reuse(std::uint32_t stream_id) {
    static_cast<StreamValues&>(*this) = StreamValues{};
    id = StreamId(stream_id);
    body.clear();
    source.reset();
    trailers.clear();
    held_response.clear();
  }

  std::vector<std::byte> body;         // queued by send_data()
  std::unique_ptr<BodySource> source;  // or pulled from here
  HeldFields trailers;
  HeldFields held_response;  // a pushed response waiting for a slot in the client's stream limit

  bool has_body_to_send() const noexcept { return body_offset < body.size() || (source && !source_paused); }
};

// A DATA payload lent by a BodySource (BodySource::borrow()), referenced rather than copied: its octets follow
// those of the output buffer before `at` in wire order.
struct OutputRef {
  std::size_t at = 0;
  std::span<const std::byte> bytes;
  std::shared_ptr<const void> owner;  // keeps `bytes` valid
};

// How a stream we no longer keep was closed, to judge frames that arrive late (§5.1).
enum class ClosedHow : std::uint8_t { normally, reset_by_us, reset_by_peer };

// A token bucket refilled by advance() (SECURITY.md §1).
struct Budget {
  std::uint32_t capacity = 0;
  std::uint32_t per_second = 0;
  double tokens = 0;
  // Spends one token; false when the bucket was empty.
  bool spend() noexcept {
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }
  void refill(std::int64_t elapsed_ns) noexcept {
    tokens += static_cast<double>(per_second) * static_cast<double>(elapsed_ns) / 1e9;
    if (tokens > capacity) tokens = capacity;
  }
};

struct ConnectionState {
  explicit ConnectionState(const Options& o);

  // ---- the input side (connection_receive.cpp)
  void receive(std::span<const std::byte> bytes);
  void on_frame(const FrameView& frame);
  void on_data(const FrameHeader& h, const DataFrame& f);
  void on_headers(const FrameHeader& h, const HeadersFrame& f);
  void on_push_promise(const FrameHeader& h, const PushPromiseFrame& f);
  void on_continuation(const FrameHeader& h, const ContinuationFrame& f);
  void on_field_block_complete();
  void on_request_block(Stream* s, StreamId id, const hpack::HeaderList& list, bool too_large);
  void on_response_block(Stream* s, StreamId id, const hpack::HeaderList& list, bool too_large);
  void on_promise_block(Stream* parent, StreamId parent_id, StreamId promised, const hpack::HeaderList& list,
                        bool too_large);
  void on_rst_stream(const FrameHeader& h, const RstStreamFrame& f);
  void on_settings(const FrameHeader& h, const SettingsFrame& f);
  bool apply_peer_settings(const SettingsList& settings);  // false after a connection error
  void on_ping(const PingFrame& f);
  void on_goaway(const GoawayFrame& f);
  void on_window_update(const FrameHeader& h, const WindowUpdateFrame& f);
  void on_priority(const FrameHeader& h, const PriorityFrame& f);
  void on_priority_update(const PriorityUpdateFrame& f);
  void apply_local_settings();
  void data_consumed(Stream* s, std::uint32_t n);
  bool check_message_end(Stream& s);
  // A frame for a stream the map does not hold: idle (never opened) or closed (and how, if remembered).
  std::optional<ClosedHow> closed_how(StreamId id) const noexcept;
  bool is_idle(StreamId id) const noexcept;

  // ---- events
  // Starts receive() or advance(): the previous call's events are dropped, those produced in between (by
  // pending_output() or submit calls) come first.
  void begin_call() {
    events.clear();
    lists_used = 0;
    events.insert(events.end(), deferred.begin(), deferred.end());
    deferred.clear();
    in_call = true;
  }
  void end_call() noexcept { in_call = false; }
  void emit(Event e) { (in_call ? events : deferred).push_back(std::move(e)); }

  // ---- errors
  void connection_error(ErrorCode code, std::string_view detail);
  void stream_error(StreamId id, ErrorCode code);  // RST_STREAM + StreamReset event
  // GOAWAY(last processed stream, NO_ERROR): no new streams; the second step of a graceful shutdown, if pending.
  void send_goaway(std::span<const std::byte> debug_data);
  bool glitch();  // spends a glitch token; false after a connection error

  // ---- the output side (connection.cpp, connection_output.cpp)
  void queue_preface();
  void write_field_block(StreamId id, std::span<const Header> fields, bool end_stream);
  void write_held(Stream& s, HeldFields& held, bool end_stream);
  void send_window_update(StreamId id, std::uint32_t increment);
  void fill_output();
  bool write_one_data_frame();
  void write_source_data(Stream& s, std::size_t allowed);
  void write_lent_data(Stream& s, std::size_t allowed, BodySource::Loan& loan);
  void fail_source(Stream& s);
  void end_body(Stream& s, bool body_done);
  void flatten_references();
  void hand_over();
  Stream* pick_stream_to_send() noexcept;
  // A stream whose final HEADERS went out (or were submitted, for a promised stream) becomes a candidate for DATA.
  void add_sender(const Stream& s) {
    if (!s.end_sent) senders.push_back(s.id.value());
  }
  void start_held_pushes();
  std::size_t owned_pending() const noexcept { return out.size() - out_sent; }
  std::size_t pending_size() const noexcept { return owned_pending() + ref_pending; }
  bool over_output_cap();

  // ---- streams
  Stream& create_stream(StreamId id);
  Stream* find(StreamId id) noexcept;
  void close_stream(Stream& s, ClosedHow how);
  void remember_closed(StreamId id, ClosedHow how);  // bounded by Options::max_closed_streams
  void half_close_local(Stream& s);
  void half_close_remote(Stream& s);
  void set_active(Stream& s, bool active);
  hpack::HeaderList& next_list();  // storage for one field-block event of this receive()

  Options options;
  Role role;
  FrameReader reader;
  hpack::Decoder decoder;
  hpack::Encoder encoder;

  // Settings in force.
  std::uint32_t peer_max_concurrent = 0xffffffff;  // §6.5.2: unlimited until the peer says otherwise
  std::uint32_t peer_initial_window = kDefaultInitialWindowSize;
  std::uint32_t peer_max_frame_size = kDefaultMaxFrameSize;
  std::uint32_t peer_max_header_list = 0xffffffff;
  bool peer_enable_push = true;                                    // a server learns this from the client
  std::uint32_t local_initial_window = kDefaultInitialWindowSize;  // ours, once acknowledged
  bool local_push_enabled_acked = false;   // client: our ENABLE_PUSH took effect (when options.enable_push)
  bool local_push_disabled_acked = false;  // client: our ENABLE_PUSH=0 took effect
  int settings_unacked = 0;
  std::optional<Instant> settings_sent_at;

  // Connection windows.
  std::int64_t conn_send_window = kDefaultInitialWindowSize;
  std::int64_t conn_recv_window = kDefaultInitialWindowSize;
  std::uint32_t conn_recv_unreturned = 0;
  std::uint64_t conn_unconsumed = 0;  // delivered DATA octets not consume()d yet, closed streams' included
  std::uint32_t conn_recv_target = kDefaultInitialWindowSize;

  // Streams.
  StreamTable<Stream> streams;
  // A ring of the last Options::max_closed_streams closed streams; `closed_next` is where the next one goes. A ring
  // rather than a deque: cycling a deque allocates a node every few dozen closes (STYLE.md §5: no steady-state
  // allocation per stream).
  std::vector<std::pair<std::uint32_t, ClosedHow>> recently_closed;
  std::size_t closed_next = 0;
  std::uint32_t last_peer_stream = 0;            // highest id the peer opened (or we accepted as promised, client)
  std::uint32_t last_local_stream = 0;           // highest id we opened or promised
  std::uint32_t last_processed_peer_stream = 0;  // for GOAWAY
  std::uint32_t peer_active = 0;                 // peer-initiated streams holding a slot of our limit
  std::uint32_t local_active = 0;                // our streams holding a slot of the peer's limit
  std::uint32_t reserved_remote = 0;             // client: promises not yet answered
  std::uint32_t reserved_local_streams = 0;      // server: promised streams whose response has not started
  std::uint32_t last_incremental = 0;            // the incremental stream served last (RFC 9218 round robin)
  // The streams the scheduler looks at, in the order they were added: every stream with its final HEADERS sent and
  // its end not, plus streams closed or ended since the last pick, which that pick drops. So a pick costs the
  // streams that still send, not every stream record of the connection.
  std::vector<std::uint32_t> senders;
  // RFC 9218 §7 (PR-7-01): PRIORITY_UPDATE field values for client streams not open yet, applied when they open;
  // with the active streams they stay within our MAX_CONCURRENT_STREAMS (PR-7.1-04).
  std::vector<std::pair<std::uint32_t, std::string>> early_priorities;

  // A field block being reassembled (§4.3, §6.10).
  struct FieldBlock {
    bool active = false;
    FrameType type = FrameType::headers;
    StreamId stream;
    StreamId promised;
    bool end_stream = false;
    bool self_dependent = false;  // HEADERS whose RFC 7540 priority names its own stream
    std::uint32_t continuations = 0;
    std::vector<std::byte> bytes;
  } block;

  // Going away.
  bool goaway_sent = false;
  bool goaway_received = false;
  std::uint32_t goaway_last_stream = 0x7fffffff;  // from the peer's GOAWAY
  // shutdown_gracefully(): GOAWAY(2^31-1) and our PING are out, the final GOAWAY is not (§6.8).
  bool shutdown_notice_sent = false;
  bool shutdown_ping_sent = false;  // its ACK is ours, not the application's
  std::optional<Instant> shutdown_notice_at;
  bool failed = false;
  std::string failure_detail;

  // Budgets.
  Budget resets;
  Budget glitches;
  std::optional<Instant> now;

  // Output.
  Output out;
  std::size_t out_sent = 0;
  Output taken;  // the buffer the last take_output() handed out; swapped back into `out` by the next one
  // Options::reference_bodies: lent DATA payloads pending, in wire order, with their octets (all past out_sent:
  // anything that consumes output flattens them first), and those handed out with `taken`.
  std::vector<OutputRef> refs;
  std::size_t ref_pending = 0;
  std::vector<OutputRef> taken_refs;
  std::vector<std::span<const std::byte>> taken_pieces;  // what take_output_pieces() returned
  std::vector<std::byte> scratch;                        // a field block being encoded (write_block)
  std::vector<Header> send_fields;                       // held fields as Header views

  // The upgraded request of an h2c upgrade (accept_h2c_upgrade): owned here, viewed by its event.
  HeldFields upgrade_request;
  std::vector<Header> upgrade_fields;
  bool received_any = false;

  // Events of the current receive(); their spans point into the storage below.
  std::vector<Event> events;
  std::vector<Event> deferred;  // produced outside receive()/advance(), reported by the next of them
  bool in_call = false;
  std::vector<hpack::HeaderList> lists;  // one per field-block event in this call, reused
  std::size_t lists_used = 0;
  std::vector<std::byte> debug_copy;
};

}  // namespace h2push::http2::detail
