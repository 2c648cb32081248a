// fuzz/h2_fuzz_check.hpp: the machinery shared by the h2_server and h2_client fuzz targets: a Connection driven by
// the input (fuzz/h2_fuzz_input.hpp), and the checks made on every octet it writes.
//
// What is asserted (abort() with a report on the first violation):
//  1. Our output is a valid frame sequence. It is cut into frames here (the client magic first, for a client);
//     every frame must pass our own parse_frame() (lengths, flags, padding, ids), respect the peer's
//     SETTINGS_MAX_FRAME_SIZE in force, keep field blocks contiguous (§4.3), and every field block must decode with
//     libnghttp2's HPACK inflater, whose table limit follows the peer's SETTINGS_HEADER_TABLE_SIZE.
//  2. libnghttp2 accepts it. Each frame is also given to an nghttp2 session of the other role, the "shadow", which
//     stands in for the fuzz peer; see Shadow for how it is kept in step and which of its verdicts are excused.
//  3. After a GOAWAY of ours with an error code nothing follows; GOAWAY's last stream id never grows; a client never
//     opens a stream after its GOAWAY, never sends PUSH_PROMISE, and never sends HEADERS or DATA on an even stream.
//     Once a receive() that read the peer's RST_STREAM has returned, nothing but PRIORITY (and RST_STREAM answering
//     a later frame of the peer's on it) goes on that stream (§5.1); once one read its GOAWAY, we open no stream
//     (§6.8: no request, no PUSH_PROMISE).
//  4. Once Connection::failed() is true, no octet is added to the output.
//  5. A receive() call leaves at most max(what was pending before, Options::max_pending_output) + one
//     Options::output_budget + one frame pending, plus a small allowance for the reply to the last frame, the
//     GOAWAY and pushed responses that were waiting for a stream slot (the peer cannot make us buffer more).
#pragma once

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <variant>
#include <vector>

#include "fuzz_input.hpp"
#include "h2_fuzz_input.hpp"
#include "h2push/http2/connection.hpp"
#include "h2push/http2/events.hpp"
#include "http2/frame.hpp"

namespace h2push::fuzz {

namespace h2 = ::h2push::http2;

// ---- reporting

// The last frames and calls, printed with a violation. Entries are plain values; text is made only on failure.
struct TraceEntry {
  char who = ' ';  // 'P' a peer frame, 'O' a frame of ours, 'A' an application call, 'S' the shadow's mirror call
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::uint32_t stream = 0;
  std::uint32_t length = 0;
  std::int64_t result = 0;
};

struct Context {
  const char* target = "";
  std::span<const std::uint8_t> input;
  std::array<TraceEntry, 48> trace{};
  std::size_t traced = 0;
};

inline Context& context() {
  static Context c;
  return c;
}

void print_trace_entry(const TraceEntry& e);

// H2_FUZZ_VERBOSE=1 prints every entry as it is traced (to read what a seed or a reproducer does).
inline bool verbose() {
  static const bool on = std::getenv("H2_FUZZ_VERBOSE") != nullptr;
  return on;
}

inline void trace(const TraceEntry& e) {
  Context& c = context();
  c.trace[c.traced++ % c.trace.size()] = e;
  if (verbose()) print_trace_entry(e);
}

inline std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

inline void print_trace_entry(const TraceEntry& e) {
  if (e.who == 'A' || e.who == 'S') {
    std::fprintf(stderr, "    %c call %u stream %u arg %u -> %lld\n", e.who, e.type, e.stream, e.length,
                 static_cast<long long>(e.result));
  } else {
    const auto name = h2::to_string(static_cast<h2::FrameType>(e.type));
    std::fprintf(stderr, "    %c %.*s(0x%x) flags 0x%02x stream %u length %u\n", e.who, static_cast<int>(name.size()),
                 name.data(), e.type, e.flags, e.stream, e.length);
  }
}

[[noreturn]] inline void violation(std::string_view what) {
  Context& c = context();
  std::fprintf(stderr, "%s: VIOLATION: %.*s\n  last frames and calls (P peer, O ours, A application, S shadow):\n",
               c.target, static_cast<int>(what.size()), what.data());
  const std::size_t n = std::min(c.traced, c.trace.size());
  for (std::size_t i = c.traced - n; i < c.traced; ++i) print_trace_entry(c.trace[i % c.trace.size()]);
  std::fprintf(stderr, "  input: %s\n", hex(c.input).c_str());
  std::abort();
}

// ---- frames

struct RawHeader {
  std::uint32_t length = 0;
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::uint32_t stream = 0;  // the reserved bit included
};

inline RawHeader raw_header(std::span<const std::uint8_t> b) {
  return {(std::uint32_t{b[0]} << 16) | (std::uint32_t{b[1]} << 8) | b[2], b[3], b[4],
          (std::uint32_t{b[5]} << 24) | (std::uint32_t{b[6]} << 16) | (std::uint32_t{b[7]} << 8) | b[8]};
}

inline std::uint32_t read_u32(std::span<const std::uint8_t> b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

// Cuts a byte stream into whole frames (header and payload). The spans it returns stay valid until the next push().
class FrameSplitter {
 public:
  void push(std::span<const std::uint8_t> bytes) {
    if (pos_ > 0 && pos_ == buffer_.size()) {
      buffer_.clear();
      pos_ = 0;
    } else if (pos_ > 65536) {
      buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(pos_));
      pos_ = 0;
    }
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  }
  // Skips `n` octets (a preface) once they are there; false while they are not.
  std::optional<std::span<const std::uint8_t>> take_prefix(std::size_t n) {
    if (buffer_.size() - pos_ < n) return std::nullopt;
    const auto out = std::span<const std::uint8_t>(buffer_).subspan(pos_, n);
    pos_ += n;
    return out;
  }
  std::optional<std::span<const std::uint8_t>> next() {
    const std::size_t left = buffer_.size() - pos_;
    if (left < h2::kFrameHeaderSize) return std::nullopt;
    const auto all = std::span<const std::uint8_t>(buffer_).subspan(pos_);
    const std::size_t size = h2::kFrameHeaderSize + raw_header(all).length;
    if (left < size) return std::nullopt;
    pos_ += size;
    return all.first(size);
  }
  std::size_t buffered() const noexcept { return buffer_.size() - pos_; }

 private:
  std::vector<std::uint8_t> buffer_;
  std::size_t pos_ = 0;
};

inline h2::FrameHeader frame_header(const RawHeader& r) {
  return {r.length, static_cast<h2::FrameType>(r.type), r.flags, h2::StreamId(r.stream)};
}

inline std::span<const std::byte> payload_of(std::span<const std::uint8_t> frame) {
  return std::as_bytes(frame.subspan(h2::kFrameHeaderSize));
}

inline nghttp2_nv make_nv(std::string_view name, std::string_view value) {
  // libnghttp2 takes non-const pointers but does not write through them.
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

inline std::vector<nghttp2_nv> make_nva(std::span<const h2::Header> fields) {
  std::vector<nghttp2_nv> nva;
  nva.reserve(fields.size());
  for (const h2::Header& h : fields) nva.push_back(make_nv(h.name, h.value));
  return nva;
}

// RFC 9110 §5.1, §5.5: a token name and a field value without control characters. Stricter than what RFC 9113
// §8.2.1 makes malformed (which we check), and what libnghttp2 checks.
inline bool strict_field(std::string_view name, std::string_view value) {
  static constexpr std::string_view kTokenSpecials = "!#$%&'*+-.^_`|~";
  for (const char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || kTokenSpecials.find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) return false;
  }
  return !name.empty();
}

// ---- the shadow: libnghttp2 in the fuzz peer's role
//
// The shadow reads our output and judges it as the peer would, so it must know what the peer did. It is kept in
// step synchronously: after each receive() of ours, the peer frames of that chunk are mirrored into it (in wire
// order) as if the shadow had sent them, then our new output is fed to it. So the shadow has always "sent" exactly
// what we have received, and received exactly what we have queued. Mirrored: SETTINGS (its local settings take
// effect on our ACK, as ours do on its ACK), WINDOW_UPDATE (it runs without automatic window updates, so its receive
// windows are exactly those the peer opened), RST_STREAM, new request streams (h2_server: the shadow opens stream N
// with the decoded request when we reported it, else a placeholder GET, which is more permissive), the end of a
// response (h2_client: the shadow "sends" an empty END_STREAM response), promises (h2_client). What the shadow sends
// itself goes nowhere. Our SETTINGS_MAX_CONCURRENT_STREAMS is raised to 2^31-1 in the copy it reads: it limits the
// shadow's own new streams, and a shadow that queued a mirrored stream would fall out of step.
//
// The rule for its verdicts (nghttp2_session_mem_recv() < 0, on_invalid_frame_recv, error_callback2, and any
// RST_STREAM or GOAWAY it sends of its own accord: libnghttp2 reports a stream-level flow-control or stream-state
// error only by resetting the stream): every verdict is our bug, except
//   - NGHTTP2_ERR_HTTP_HEADER, and the RST_STREAM(PROTOCOL_ERROR) that follows it, on a stream where the
//     application sent a header field from the input that RFC 9113 §8.2.1 allows but RFC 9110's token and
//     field-value grammar does not (libnghttp2 checks the latter): the Connection validates only what RFC 9113
//     makes malformed;
//   - verdicts on frames the shadow cannot place because the mirror itself failed (a promise libnghttp2 refused to
//     reserve, e.g. on a parent we had reset): such frames are not fed to it (OutputChecker::hide_stream()), and
//     those on our side are still checked by our own rules.
class Shadow {
 public:
  struct Verdict {
    int lib_error = 0;
    std::int32_t stream = -1;  // -1 when the verdict names no frame
    int frame_type = -1;
    std::string message;
    std::uint32_t sent_reset = 0xffffffff;  // the error code of the RST_STREAM it sent, when that is the verdict
  };

  explicit Shadow(h2::Role role) : role_(role) {
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_option* option = nullptr;
    if (nghttp2_session_callbacks_new(&callbacks) != 0 || nghttp2_option_new(&option) != 0) std::abort();
    nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks, on_invalid_frame);
    nghttp2_session_callbacks_set_error_callback2(callbacks, on_error);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, on_frame_send);
    nghttp2_option_set_no_auto_window_update(option, 1);
    nghttp2_option_set_peer_max_concurrent_streams(option, 0x7fffffff);
    nghttp2_option_set_max_reserved_remote_streams(option, 0x7fffffff);
    nghttp2_option_set_max_outbound_ack(option, 1 << 20);
    nghttp2_option_set_max_settings(option, 1 << 16);
    nghttp2_option_set_max_continuations(option, 1 << 20);
    nghttp2_option_set_stream_reset_rate_limit(option, 1ULL << 40, 1ULL << 40);
    nghttp2_option_set_max_send_header_block_length(option, 1 << 24);
    const int rv = role == h2::Role::client ? nghttp2_session_client_new2(&session_, callbacks, this, option)
                                            : nghttp2_session_server_new2(&session_, callbacks, this, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(callbacks);
    if (rv != 0) std::abort();
  }
  ~Shadow() { nghttp2_session_del(session_); }
  Shadow(const Shadow&) = delete;
  Shadow& operator=(const Shadow&) = delete;

  h2::Role role() const noexcept { return role_; }
  std::vector<Verdict>& verdicts() noexcept { return verdicts_; }

  // The peer's SETTINGS. False when libnghttp2 would not send them (its ACK must then not reach it).
  bool settings(std::span<const h2::Setting> entries) {
    std::vector<nghttp2_settings_entry> iv;
    for (const h2::Setting& s : entries) {
      // Ids whose value only matters to the peer's own sending, or that libnghttp2 validates differently
      // (ENABLE_CONNECT_PROTOCOL; ENABLE_PUSH from a server), are left out.
      if (s.id == h2::SettingId::enable_connect_protocol) continue;
      if (s.id == h2::SettingId::enable_push && role_ == h2::Role::server) continue;
      iv.push_back({static_cast<std::int32_t>(s.id), s.value});
    }
    const int rv = nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, iv.data(), iv.size());
    trace({'S', 1, 0, 0, static_cast<std::uint32_t>(iv.size()), rv});
    flush();
    return rv == 0;
  }

  // h2_server: the peer opened request stream `id` (END_STREAM is always set: the shadow never sends a body).
  bool open_request(std::uint32_t id, std::span<const nghttp2_nv> nva) {
    if (nghttp2_session_set_next_stream_id(session_, static_cast<std::int32_t>(id)) != 0) return false;
    const std::int32_t rv = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), nullptr, nullptr);
    flush();
    trace({'S', 2, 0, id, 0, rv});
    return rv == static_cast<std::int32_t>(id) && knows(id);
  }

  // h2_client: the peer promised `promised` on `parent`.
  bool promise(std::uint32_t parent, std::uint32_t promised, std::span<const nghttp2_nv> nva) {
    if (nghttp2_session_set_next_stream_id(session_, static_cast<std::int32_t>(promised)) != 0) return false;
    const std::int32_t rv = nghttp2_submit_push_promise(session_, NGHTTP2_FLAG_NONE, static_cast<std::int32_t>(parent),
                                                        nva.data(), nva.size(), nullptr);
    flush();
    trace({'S', 3, 0, promised, parent, rv});
    return rv == static_cast<std::int32_t>(promised) && knows(promised);
  }

  // h2_client: the peer ended its response on `id`.
  void end_response(std::uint32_t id) {
    if (!knows(id)) return;
    const nghttp2_nv status = make_nv(":status", "200");
    const int rv = nghttp2_submit_response(session_, static_cast<std::int32_t>(id), &status, 1, nullptr);
    flush();
    trace({'S', 4, 0, id, 0, rv});
  }

  void reset(std::uint32_t id, std::uint32_t code) {
    own_resets_.push_back(id);
    const int rv = nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, static_cast<std::int32_t>(id), code);
    flush();
    trace({'S', 5, 0, id, code, rv});
  }

  void window_update(std::uint32_t id, std::uint32_t increment) {
    const int rv = nghttp2_submit_window_update(session_, NGHTTP2_FLAG_NONE, static_cast<std::int32_t>(id),
                                                static_cast<std::int32_t>(increment));
    flush();
    trace({'S', 6, 0, id, increment, rv});
  }

  bool knows(std::uint32_t id) {
    return nghttp2_session_find_stream(session_, static_cast<std::int32_t>(id)) != nullptr;
  }

  // Our output.
  void feed(std::span<const std::uint8_t> bytes) {
    const auto rv = nghttp2_session_mem_recv(session_, bytes.data(), bytes.size());
    if (rv < 0) {
      verdicts_.push_back({static_cast<int>(rv), -1, -1, "nghttp2_session_mem_recv failed"});
    } else if (static_cast<std::size_t>(rv) != bytes.size()) {
      verdicts_.push_back({0, -1, -1, "nghttp2_session_mem_recv did not take everything"});
    }
    flush();
  }

 private:
  // What the shadow sends goes nowhere; sending it moves its state on (streams open when their HEADERS go).
  void flush() {
    for (;;) {
      const std::uint8_t* data = nullptr;
      const auto n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) {
        verdicts_.push_back({static_cast<int>(n), -1, -1, "nghttp2_session_mem_send failed"});
        return;
      }
      if (n == 0) return;
    }
  }

  static int on_invalid_frame(nghttp2_session*, const nghttp2_frame* frame, int lib_error, void* user_data) {
    auto& self = *static_cast<Shadow*>(user_data);
    self.verdicts_.push_back({lib_error, frame->hd.stream_id, frame->hd.type, "on_invalid_frame_recv"});
    return 0;
  }
  // Some verdicts have no callback of their own: a stream-level flow-control or state error only makes libnghttp2
  // send RST_STREAM. Every RST_STREAM or GOAWAY it sends, but those it was told to send, is a verdict.
  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    auto& self = *static_cast<Shadow*>(user_data);
    if (frame->hd.type == NGHTTP2_RST_STREAM) {
      const auto id = static_cast<std::uint32_t>(frame->hd.stream_id);
      if (const auto it = std::find(self.own_resets_.begin(), self.own_resets_.end(), id);
          it != self.own_resets_.end()) {
        self.own_resets_.erase(it);
        return 0;
      }
      self.verdicts_.push_back(
          {0, frame->hd.stream_id, NGHTTP2_RST_STREAM,
           std::string("it sends RST_STREAM ") + nghttp2_http2_strerror(frame->rst_stream.error_code),
           frame->rst_stream.error_code});
    } else if (frame->hd.type == NGHTTP2_GOAWAY) {
      self.verdicts_.push_back(
          {0, -1, NGHTTP2_GOAWAY, std::string("it sends GOAWAY ") + nghttp2_http2_strerror(frame->goaway.error_code)});
    }
    return 0;
  }
  static int on_error(nghttp2_session*, int lib_error, const char* msg, std::size_t len, void* user_data) {
    auto& self = *static_cast<Shadow*>(user_data);
    // Some messages name the stream ("..., stream: 3, ..."); keep it, the excuses are per stream.
    const std::string message(msg, len);
    std::int32_t stream = -1;
    if (const auto at = message.find("stream: "); at != std::string::npos) {
      stream = static_cast<std::int32_t>(std::strtol(message.c_str() + at + 8, nullptr, 10));
    }
    self.verdicts_.push_back({lib_error, stream, -1, message});
    return 0;
  }

  h2::Role role_;
  nghttp2_session* session_ = nullptr;
  std::vector<Verdict> verdicts_;
  std::vector<std::uint32_t> own_resets_;  // mirrored RST_STREAMs not sent yet
};

// ---- the peer's frames, as the shadow must learn them

struct PeerFrame {
  h2::FrameHeader header;
  bool valid = false;                 // parse_frame() accepted it
  std::vector<h2::Setting> settings;  // SETTINGS without ACK
  std::uint32_t value = 0;            // WINDOW_UPDATE increment, RST_STREAM code
  bool block_done = false;            // this frame completes a field block
  h2::FrameType block_type = h2::FrameType::headers;
  std::uint32_t block_stream = 0;
  std::uint32_t promised = 0;     // PUSH_PROMISE blocks
  bool block_end_stream = false;  // HEADERS blocks
};

class PeerTracker {
 public:
  explicit PeerTracker(std::size_t preface) : preface_(preface) {}

  // The frames `chunk` completes, in wire order; valid until the next call.
  std::span<const PeerFrame> take(std::span<const std::uint8_t> chunk) {
    frames_.clear();
    splitter_.push(chunk);
    if (preface_ > 0) {
      if (!splitter_.take_prefix(preface_)) return frames_;
      preface_ = 0;
    }
    while (auto frame = splitter_.next()) {
      const RawHeader raw = raw_header(*frame);
      trace({'P', raw.type, raw.flags, raw.stream & h2::StreamId::kMaxValue, raw.length, 0});
      PeerFrame& f = frames_.emplace_back();
      f.header = frame_header(raw);
      auto parsed = h2::parse_frame(f.header, payload_of(*frame));
      f.valid = parsed.ok();
      if (block_.active &&
          (f.header.type != h2::FrameType::continuation || f.header.stream_id.value() != block_.stream)) {
        block_.active = false;  // the Connection fails here (§4.3)
      }
      if (!f.valid) continue;
      std::visit(
          [&](const auto& p) {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, h2::SettingsFrame>) {
              if (!p.ack) f.settings.assign(p.settings.begin(), p.settings.end());
            } else if constexpr (std::is_same_v<T, h2::WindowUpdateFrame>) {
              f.value = p.window_size_increment;
            } else if constexpr (std::is_same_v<T, h2::RstStreamFrame>) {
              f.value = static_cast<std::uint32_t>(p.error_code);
            } else if constexpr (std::is_same_v<T, h2::HeadersFrame>) {
              block_ = {true, h2::FrameType::headers, f.header.stream_id.value(), 0, p.end_stream};
              if (p.end_headers) complete(f);
            } else if constexpr (std::is_same_v<T, h2::PushPromiseFrame>) {
              block_ = {true, h2::FrameType::push_promise, f.header.stream_id.value(), p.promised_stream_id.value(),
                        false};
              if (p.end_headers) complete(f);
            } else if constexpr (std::is_same_v<T, h2::ContinuationFrame>) {
              if (block_.active && p.end_headers) complete(f);
            }
          },
          *parsed);
    }
    return frames_;
  }

 private:
  void complete(PeerFrame& f) {
    f.block_done = true;
    f.block_type = block_.type;
    f.block_stream = block_.stream;
    f.promised = block_.promised;
    f.block_end_stream = block_.end_stream;
    block_.active = false;
  }

  struct Block {
    bool active = false;
    h2::FrameType type = h2::FrameType::headers;
    std::uint32_t stream = 0;
    std::uint32_t promised = 0;
    bool end_stream = false;
  };

  std::size_t preface_;
  FrameSplitter splitter_;
  Block block_;
  std::vector<PeerFrame> frames_;
};

// ---- our output

class OutputChecker {
 public:
  OutputChecker(h2::Role role, Shadow& shadow) : role_(role), shadow_(shadow) {
    if (nghttp2_hd_inflate_new(&inflater_) != 0) std::abort();
  }
  ~OutputChecker() { nghttp2_hd_inflate_del(inflater_); }
  OutputChecker(const OutputChecker&) = delete;
  OutputChecker& operator=(const OutputChecker&) = delete;

  // The peer's SETTINGS frames in order; our n-th SETTINGS ACK applies the n-th. `mirrored`: the shadow has them.
  void peer_settings(std::vector<h2::Setting> settings, bool mirrored) {
    pending_settings_.push_back({std::move(settings), mirrored});
  }
  // Frames on `stream` are not given to the shadow (it could not learn of the stream).
  void hide_stream(std::uint32_t stream) { hidden_.insert(stream); }
  // NGHTTP2_ERR_HTTP_HEADER on `stream` is excused (see Shadow).
  void excuse_header(std::uint32_t stream) { excused_header_.insert(stream); }
  // The peer's RST_STREAM and GOAWAY, told once the receive() that read them has returned: from then on nothing
  // may be sent on the stream but PRIORITY (§5.1 closed), and no new stream may be opened (§6.8).
  void peer_reset(std::uint32_t stream) { reset_by_peer_.insert(stream); }
  void peer_goaway() { goaway_received_ = true; }

  std::uint32_t peer_max_frame_size() const noexcept { return peer_max_frame_size_; }

  void take(std::span<const std::byte> bytes) {
    splitter_.push({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
    if (!magic_checked_) {
      if (role_ == h2::Role::client) {
        const auto magic = splitter_.take_prefix(h2::kClientPreface.size());
        if (!magic) return;
        if (!std::equal(magic->begin(), magic->end(), h2::kClientPreface.begin(),
                        [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); })) {
          violation("our client preface is not the client magic");
        }
        shadow_.feed(*magic);
        judge_shadow();
      }
      magic_checked_ = true;
    }
    while (auto frame = splitter_.next()) on_frame(*frame);
  }

  void finish() {
    if (splitter_.buffered() != 0) violation("our output ends inside a frame");
    if (block_stream_ != 0) violation("our output ends inside a field block");
  }

 private:
  struct PendingSettings {
    std::vector<h2::Setting> settings;
    bool mirrored = false;
  };

  void on_frame(std::span<const std::uint8_t> frame) {
    const RawHeader raw = raw_header(frame);
    const h2::FrameHeader h = frame_header(raw);
    const std::uint32_t stream = h.stream_id.value();
    trace({'O', raw.type, raw.flags, stream, raw.length, 0});
    ++frames_;
    if (error_goaway_) violation("a frame after our GOAWAY with an error code");
    if ((raw.stream & 0x80000000u) != 0) violation("the reserved bit of the stream id is set");
    if (frames_ == 1 && (h.type != h2::FrameType::settings || h.has(h2::kAck))) {
      violation("our first frame is not SETTINGS (§3.4)");
    }
    if (raw.length > peer_max_frame_size_) violation("a frame larger than the peer's SETTINGS_MAX_FRAME_SIZE");
    // §4.3: a field block is HEADERS or PUSH_PROMISE, then CONTINUATIONs of the same stream, nothing in between.
    if (block_stream_ != 0 && (h.type != h2::FrameType::continuation || stream != block_stream_)) {
      violation("a frame inside our field block");
    }
    if (block_stream_ == 0 && h.type == h2::FrameType::continuation) violation("CONTINUATION outside a field block");
    // RST_STREAM is allowed: it is the prescribed answer (STREAM_CLOSED, §5.1, §6.1) to a frame the peer sends on
    // the stream after resetting it.
    if (stream != 0 && h.type != h2::FrameType::priority && h.type != h2::FrameType::rst_stream &&
        reset_by_peer_.count(stream) != 0) {
      violation("a frame on a stream after the peer reset it");
    }
    auto parsed = h2::parse_frame(h, payload_of(frame));
    if (!parsed) {
      const auto kind = h2::to_string(parsed.error().kind);
      violation("our frame does not parse: " + std::string(kind));
    }
    std::visit([&](const auto& p) { check(h, p); }, *parsed);

    bool feed = true;
    if (h.type == h2::FrameType::settings && h.has(h2::kAck) && !ack_mirrored_) feed = false;
    if (stream != 0 && hidden_.count(stream) != 0) {
      // Only frames that carry no field block can be left out without desynchronising the shadow's HPACK context.
      if (h.type == h2::FrameType::headers || h.type == h2::FrameType::continuation ||
          h.type == h2::FrameType::push_promise || h.type == h2::FrameType::data) {
        violation("HEADERS, CONTINUATION, PUSH_PROMISE or DATA on a stream the peer never opened");
      }
      feed = false;
    }
    if (!feed) return;
    if (h.type == h2::FrameType::settings && !h.has(h2::kAck)) {
      // Raise our MAX_CONCURRENT_STREAMS in the shadow's copy (see Shadow).
      patched_.assign(frame.begin(), frame.end());
      for (std::size_t at = h2::kFrameHeaderSize; at + 6 <= patched_.size(); at += 6) {
        if (patched_[at] == 0 && patched_[at + 1] == 3) {
          patched_[at + 2] = 0x7f;
          patched_[at + 3] = patched_[at + 4] = patched_[at + 5] = 0xff;
        }
      }
      shadow_.feed(patched_);
    } else {
      shadow_.feed(frame);
    }
    judge_shadow();
  }

  void check(const h2::FrameHeader& h, const h2::SettingsFrame& f) {
    if (!f.ack) {
      if (frames_ != 1) violation("SETTINGS after our preface (we never change our settings)");
      return;
    }
    if (pending_settings_.empty()) violation("a SETTINGS ACK for no SETTINGS of the peer");
    const PendingSettings applied = std::move(pending_settings_.front());
    pending_settings_.erase(pending_settings_.begin());
    ack_mirrored_ = applied.mirrored;
    for (const h2::Setting s : applied.settings) {
      if (s.id == h2::SettingId::max_frame_size) peer_max_frame_size_ = s.value;
      if (s.id == h2::SettingId::header_table_size) {
        // §6.5.2: our encoder may use up to this; the peer's decoder now accepts no more.
        if (nghttp2_hd_inflate_change_table_size(inflater_, s.value) != 0) std::abort();
      }
    }
    (void)h;
  }
  void check(const h2::FrameHeader& h, const h2::HeadersFrame& f) {
    const std::uint32_t stream = h.stream_id.value();
    if (role_ == h2::Role::client) {
      if (h.stream_id.is_server_initiated()) violation("our client sent HEADERS on an even stream");
      if (stream > last_opened_) {
        if (goaway_sent_) violation("our client opened a stream after its GOAWAY");
        if (goaway_received_) violation("our client opened a stream after the server's GOAWAY");
        last_opened_ = stream;
      }
    }
    start_block(stream, f.fragment, f.end_headers);
  }
  void check(const h2::FrameHeader& h, const h2::PushPromiseFrame& f) {
    if (role_ == h2::Role::client) violation("our client sent PUSH_PROMISE");
    if (goaway_received_) violation("a PUSH_PROMISE after the client's GOAWAY");
    if (f.promised_stream_id.value() <= last_promised_) violation("a promised stream id that does not grow");
    last_promised_ = f.promised_stream_id.value();
    start_block(h.stream_id.value(), f.fragment, f.end_headers);
  }
  void check(const h2::FrameHeader&, const h2::ContinuationFrame& f) {
    block_.insert(block_.end(), f.fragment.begin(), f.fragment.end());
    if (f.end_headers) end_block();
  }
  void check(const h2::FrameHeader& h, const h2::DataFrame&) {
    if (role_ == h2::Role::client && h.stream_id.is_server_initiated()) {
      violation("our client sent DATA on an even stream");
    }
  }
  void check(const h2::FrameHeader&, const h2::GoawayFrame& f) {
    // §6.8: "Endpoints MUST NOT increase the value they send in the last stream identifier".
    if (goaway_sent_ && f.last_stream_id.value() > goaway_last_) violation("GOAWAY's last stream id grew");
    goaway_sent_ = true;
    goaway_last_ = f.last_stream_id.value();
    if (f.error_code != h2::ErrorCode::no_error) error_goaway_ = true;
  }
  template <class Other>
  void check(const h2::FrameHeader&, const Other&) {}

  void start_block(std::uint32_t stream, std::span<const std::byte> fragment, bool end_headers) {
    block_.assign(fragment.begin(), fragment.end());
    block_stream_ = stream;
    if (end_headers) end_block();
  }

  // The whole block must decode with libnghttp2's inflater (RFC 7541, and the table limit the peer set).
  void end_block() {
    block_stream_ = 0;
    const auto* in = reinterpret_cast<const std::uint8_t*>(block_.data());
    std::size_t left = block_.size();
    for (;;) {
      nghttp2_nv nv{};
      int flags = 0;
      const auto rv = nghttp2_hd_inflate_hd2(inflater_, &nv, &flags, in, left, 1);
      if (rv < 0) violation(std::string("our field block does not decode: ") + nghttp2_strerror(static_cast<int>(rv)));
      in += rv;
      left -= static_cast<std::size_t>(rv);
      if ((flags & NGHTTP2_HD_INFLATE_FINAL) != 0) {
        nghttp2_hd_inflate_end_headers(inflater_);
        return;
      }
      if ((flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && left == 0) violation("our field block ends early");
    }
  }

  void judge_shadow() {
    for (const Shadow::Verdict& v : shadow_.verdicts()) {
      // An odd header field of the application's (see Shadow): libnghttp2 reports it and resets the stream.
      if ((v.lib_error == NGHTTP2_ERR_HTTP_HEADER || v.sent_reset == NGHTTP2_PROTOCOL_ERROR) && v.stream > 0 &&
          excused_header_.count(static_cast<std::uint32_t>(v.stream)) != 0) {
        continue;
      }
      violation("libnghttp2 rejects our output: " + v.message + " (" + nghttp2_strerror(v.lib_error) +
                (v.stream >= 0 ? ", stream " + std::to_string(v.stream) : std::string()) +
                (v.frame_type >= 0 ? ", frame type " + std::to_string(v.frame_type) : std::string()) + ")");
    }
    shadow_.verdicts().clear();
  }

  h2::Role role_;
  Shadow& shadow_;
  nghttp2_hd_inflater* inflater_ = nullptr;
  FrameSplitter splitter_;
  bool magic_checked_ = false;
  std::size_t frames_ = 0;
  std::vector<PendingSettings> pending_settings_;
  bool ack_mirrored_ = true;
  std::uint32_t peer_max_frame_size_ = h2::kDefaultMaxFrameSize;
  std::uint32_t block_stream_ = 0;
  std::vector<std::byte> block_;
  std::uint32_t last_opened_ = 0;
  std::uint32_t last_promised_ = 0;
  bool goaway_sent_ = false;
  std::uint32_t goaway_last_ = 0;
  bool error_goaway_ = false;
  std::unordered_set<std::uint32_t> hidden_;
  std::unordered_set<std::uint32_t> excused_header_;
  std::unordered_set<std::uint32_t> reset_by_peer_;
  bool goaway_received_ = false;
  std::vector<std::uint8_t> patched_;
};

// ---- the application side

// A body produced piecewise; it may pause (return nothing until resumed) and may fail.
class FuzzSource final : public h2::BodySource {
 public:
  FuzzSource(std::size_t length, std::size_t pause_after, bool fail, std::size_t max_read)
      : left_(length), pause_after_(pause_after), fail_(fail), max_read_(max_read) {}
  Read read(std::span<std::byte> out) override {
    if (fail_ && left_ < 64) return {0, false, true};
    if (pause_after_ != 0 && given_ >= pause_after_) {
      pause_after_ = 0;  // once: the harness resumes it with resume_body
      return {0, false, false};
    }
    const std::size_t n = std::min({out.size(), left_, max_read_});
    std::fill_n(out.begin(), n, std::byte{'b'});
    left_ -= n;
    given_ += n;
    return {n, left_ == 0 && !fail_, false};
  }

 private:
  std::size_t left_;
  std::size_t pause_after_;
  bool fail_;
  std::size_t max_read_;
  std::size_t given_ = 0;
};

inline h2::Options make_options(h2::Role role, std::uint8_t config, std::uint8_t limits) {
  h2::Options o;
  o.role = role;
  o.auto_window_update = (config & kConfigManualWindow) == 0;
  if ((config & kConfigTightOutput) != 0) {
    o.output_budget = 1024;
    o.max_pending_output = 4096;
  }
  if ((config & kConfigFewStreams) != 0) o.max_concurrent_streams = 2;
  if ((config & kConfigSmallTables) != 0) {
    o.header_table_size = 256;
    o.encoder_table_size = 64;
  }
  o.enable_push = (config & kConfigPush) != 0;
  if ((config & kConfigLargeFrames) != 0) o.max_frame_size = 65536;
  if ((config & kConfigSmallWindows) != 0) {
    o.initial_window_size = 256;
    o.connection_window_size = 65535;
  }
  if ((limits & kLimitContinuations) != 0) o.max_continuation_frames = 1;
  if ((limits & kLimitClosed) != 0) o.max_closed_streams = 2;
  if ((limits & kLimitGlitches) != 0) {
    o.glitch_budget = 4;
    o.glitches_per_second = 1;
  }
  if ((limits & kLimitResets) != 0) {
    o.reset_budget = 4;
    o.resets_per_second = 1;
  }
  if ((limits & kLimitSettings) != 0) o.max_settings_entries = 2;
  if ((limits & kLimitHeaderList) != 0) o.max_header_list_size = 200;
  if ((limits & kLimitReserved) != 0) o.max_reserved_streams = 1;
  if ((limits & kLimitFieldBlock) != 0) o.max_field_block_size = 300;
  return o;
}

// Runs one input against one Connection; the role-specific harness reacts to events, acts, and mirrors.
class Harness {
 public:
  Harness(h2::Role role, std::uint8_t config, std::uint8_t limits)
      : options_(make_options(role, config, limits)),
        config_(config),
        conn_(options_),
        shadow_(role == h2::Role::server ? h2::Role::client : h2::Role::server),
        checker_(role, shadow_),
        peer_(role == h2::Role::server ? h2::kClientPreface.size() : 0) {}
  virtual ~Harness() = default;
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  void run(Reader& reader) {
    // The peer's preface: its SETTINGS (after the client magic, from a client), mirrored like any SETTINGS.
    std::vector<std::uint8_t> preface;
    if (options_.role == h2::Role::server) preface.assign(h2::kClientPreface.begin(), h2::kClientPreface.end());
    preface.insert(preface.end(), {0, 0, 0, 4, 0, 0, 0, 0, 0});
    sync();
    start();
    sync();
    receive(preface);
    while (!reader.empty()) {
      const std::uint8_t op = *reader.byte();
      if (op < kFirstAction) {
        receive(reader.bytes(reader.length_after(op)));
      } else {
        act(static_cast<std::uint8_t>(op & 0x1F), reader.byte().value_or(0), reader);
        sync();
      }
    }
    finish();
  }

 protected:
  virtual void start() {}
  virtual void on_event(const h2::Event& e) = 0;
  virtual void act(std::uint8_t action, std::uint8_t arg, Reader& reader) = 0;
  // Mirrors one peer frame into the shadow; `events` are those of the receive() that read it.
  virtual void mirror(const PeerFrame& f, std::span<const h2::Event> events) = 0;

  void app(std::uint8_t call, std::uint32_t stream, std::uint32_t arg, bool ok) {
    trace({'A', call, 0, stream, arg, ok ? 0 : 1});
  }

  void drain(std::size_t n) {
    const auto out = conn_.pending_output();
    feed(out);
    const std::size_t k = std::min(n, out.size());
    conn_.consume_output(k);
    consumed_ += k;
    sync();
  }

  void advance_by(std::int64_t ns) {
    now_ += ns;
    handle(conn_.advance(h2::Instant{now_}));
    sync();
  }

  // Actions both roles share; the caller forgets a stream it reset, and takes back the octets consume() credited.
  void reset(std::uint32_t id, std::uint8_t arg) {
    const auto ok = conn_.reset_stream(h2::StreamId(id), static_cast<h2::ErrorCode>(arg >> 3));
    app(4, id, arg, ok.ok());
  }
  std::uint64_t consume(std::uint32_t id, std::uint64_t unconsumed, std::uint8_t arg) {
    const std::uint64_t n = arg >= 0x80 ? unconsumed : std::min<std::uint64_t>(unconsumed, arg * 8 + 1);
    conn_.consume(h2::StreamId(id), static_cast<std::size_t>(n));
    app(5, id, static_cast<std::uint32_t>(n), true);
    return n;
  }
  void ping(std::uint8_t arg) {
    std::array<std::byte, 8> opaque;
    opaque.fill(std::byte{arg});
    conn_.ping(opaque);
    app(6, 0, arg, true);
  }
  void shutdown(std::uint8_t arg) {
    if (arg < 0xC0) {
      conn_.shutdown(h2::ErrorCode::no_error, "bye");
    } else {
      conn_.shutdown(static_cast<h2::ErrorCode>(arg & 0x0F), "fuzz");
    }
    app(7, 0, arg, true);
  }
  void advance(std::uint8_t arg) { advance_by(arg == 0xFF ? 11'000'000'000 : std::int64_t{arg} * 37'000'000); }

  // The pushed responses the server queued: each may wait for a stream slot and go out inside a later receive().
  void count_held_response() { held_allowance_ += 128; }

  void sync() { feed(conn_.pending_output()); }

  h2::Options options_;
  std::uint8_t config_;
  h2::Connection conn_;
  Shadow shadow_;
  OutputChecker checker_;

 private:
  void handle(std::span<const h2::Event> events) {
    for (const h2::Event& e : events) on_event(e);
  }

  void receive(std::span<const std::uint8_t> chunk) {
    sync();
    const std::size_t before = last_pending_;
    const std::span<const PeerFrame> frames = peer_.take(chunk);
    const std::span<const h2::Event> events = conn_.receive(std::as_bytes(chunk));
    for (const PeerFrame& f : frames) {
      if (f.valid && f.header.type == h2::FrameType::settings && !f.header.has(h2::kAck)) {
        checker_.peer_settings(f.settings, shadow_.settings(f.settings));
      } else {
        mirror(f, events);
      }
    }
    sync();
    for (const PeerFrame& f : frames) {
      if (!f.valid) continue;
      if (f.header.type == h2::FrameType::rst_stream) checker_.peer_reset(f.header.stream_id.value());
      if (f.header.type == h2::FrameType::goaway) checker_.peer_goaway();
    }
    // Check 5: what the peer made us queue.
    const std::size_t bound = std::max(before, options_.max_pending_output) + options_.output_budget +
                              h2::kFrameHeaderSize + checker_.peer_max_frame_size() + 1024 + held_allowance_;
    if (last_pending_ > bound) {
      violation("receive() left " + std::to_string(last_pending_) + " octets pending, more than " +
                std::to_string(bound));
    }
    handle(events);
    sync();
  }

  void feed(std::span<const std::byte> out) {
    const std::size_t queued = consumed_ + out.size();
    if (queued < fed_) violation("the pending output shrank without consume_output()");
    checker_.take(out.subspan(fed_ - consumed_));
    fed_ = queued;
    last_pending_ = out.size();
    // Check 4.
    if (conn_.failed()) {
      if (!queued_at_failure_) queued_at_failure_ = queued;
      if (queued != *queued_at_failure_) violation("output was added after the connection failed");
    }
  }

  void finish() {
    for (int i = 0; i < 10000; ++i) {
      const auto out = conn_.pending_output();
      feed(out);
      if (out.empty()) break;
      conn_.consume_output(out.size());
      consumed_ += out.size();
    }
    checker_.finish();
  }

  PeerTracker peer_;
  std::size_t consumed_ = 0;  // octets of output consumed so far
  std::size_t fed_ = 0;       // octets of output given to the checker so far
  std::size_t last_pending_ = 0;
  std::optional<std::size_t> queued_at_failure_;
  std::size_t held_allowance_ = 0;
  std::int64_t now_ = 0;
};

}  // namespace h2push::fuzz
