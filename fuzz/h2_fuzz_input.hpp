// fuzz/h2_fuzz_input.hpp: the input format of the h2_server and h2_client fuzz targets, and a builder for their
// seeds (fuzz/h2_fuzz_seeds.cpp).
//
// An input is a program run against one Connection (server for h2_server, client for h2_client):
//   input   := config:u8 limits:u8 op*
//   op      := chunk | action
//   chunk   := len0 (0x00..0x7F) octets{len0}            octets from the peer, given to one receive() call
//            | len0 (0x80..0xDF) len1 octets{((len0 & 0x7F) << 8) | len1}
//   action  := code (0xE0..0xFF) arg:u8 [string string]  an application call: (code & 0x1F) modulo the number of
//                                                       actions of the target (ServerAction, ClientAction); the
//                                                       odd_header actions read two strings (fuzz_input.hpp)
// The peer's connection preface is not part of the input: h2_server receives the client magic and an empty
// SETTINGS first, h2_client an empty SETTINGS. Records keep libFuzzer's mutations meaningful: a chunk that is cut
// short simply ends with the input, and the peer octets themselves are arbitrary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_input.hpp"

namespace h2push::fuzz {

inline constexpr std::uint8_t kFirstAction = 0xE0;
inline constexpr std::size_t kMaxChunk = 0x5FFF;

// config: Options that change how the Connection behaves.
inline constexpr std::uint8_t kConfigManualWindow = 0x01;  // auto_window_update = false; the consume action credits
inline constexpr std::uint8_t kConfigAuto = 0x02;          // h2_server: every request is answered at once;
                                                           // h2_client: two requests are opened at the start
inline constexpr std::uint8_t kConfigTightOutput = 0x04;   // output_budget 1 KiB, max_pending_output 4 KiB
inline constexpr std::uint8_t kConfigFewStreams = 0x08;    // max_concurrent_streams 2
inline constexpr std::uint8_t kConfigSmallTables = 0x10;   // header_table_size 256, encoder_table_size 64
inline constexpr std::uint8_t kConfigPush = 0x20;          // h2_client: enable_push
inline constexpr std::uint8_t kConfigLargeFrames = 0x40;   // max_frame_size 65536
inline constexpr std::uint8_t kConfigSmallWindows = 0x80;  // initial_window_size 256, connection_window_size 65535

// limits: the attack budgets of Options, made small enough for a short input to reach them.
inline constexpr std::uint8_t kLimitContinuations = 0x01;  // max_continuation_frames 1
inline constexpr std::uint8_t kLimitClosed = 0x02;         // max_closed_streams 2
inline constexpr std::uint8_t kLimitGlitches = 0x04;       // glitch_budget 4, 1 per second
inline constexpr std::uint8_t kLimitResets = 0x08;         // reset_budget 4, 1 per second
inline constexpr std::uint8_t kLimitSettings = 0x10;       // max_settings_entries 2
inline constexpr std::uint8_t kLimitHeaderList = 0x20;     // max_header_list_size 200
inline constexpr std::uint8_t kLimitReserved = 0x40;       // max_reserved_streams 1
inline constexpr std::uint8_t kLimitFieldBlock = 0x80;     // max_field_block_size 300

// What the application does between receive() calls. `arg` picks the stream (among the streams the harness knows,
// modulo their number) and the details; each action's comment in h2_server_fuzz.cpp / h2_client_fuzz.cpp says how.
enum class ServerAction : std::uint8_t {
  drain,          // consume_output() of up to (arg + 1) * 97 octets, all of it for 0xFF
  respond,        // submit_response + send_data (+ trailers), or headers only
  respond_all,    // respond to every request not answered yet
  push,           // submit_push_promise on a request, then (usually) the pushed response
  reset,          // reset_stream
  consume,        // consume() octets of received DATA
  ping,           // ping()
  shutdown,       // shutdown(): GOAWAY, NO_ERROR or an error code
  advance,        // advance() the clock by arg * 37 ms (0xFF: 11 s, past the SETTINGS timeout)
  informational,  // submit_informational (103)
  send_body,      // send_body with a source that may pause or fail
  resume_body,    // resume_body
  set_priority,   // set_priority
  trailers,       // submit_trailers
  more_data,      // send_data on a response given headers only
  odd_header,     // submit_response with a header field read from the input
  count,
};

enum class ClientAction : std::uint8_t {
  drain,          // as for the server
  request,        // submit_request: GET, HEAD, POST or PUT, the latter two with or without a body
  data,           // send_data on an open request
  trailers,       // submit_trailers
  reset,          // reset_stream (a request or a promised stream)
  consume,        // consume()
  ping,           // ping()
  shutdown,       // shutdown()
  advance,        // advance()
  send_body,      // send_body
  resume_body,    // resume_body
  set_priority,   // set_priority
  odd_header,     // submit_request with a header field read from the input
  refuse_pushes,  // reset_stream(CANCEL) on every promised stream
  count,
};

// Builds seeds: peer frames are gathered into a chunk until an action or an explicit chunk() ends it. Field blocks
// are encoded as HPACK literals without indexing (RFC 7541 §6.2.2, new name), so every block stands alone and a
// mutation of one block never breaks the next. Names and values must stay below 127 octets.
class SeedBuilder {
 public:
  using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  SeedBuilder(std::uint8_t config, std::uint8_t limits) : out_{config, limits} {}

  SeedBuilder& frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                     const std::vector<std::uint8_t>& payload) {
    put24(pending_, static_cast<std::uint32_t>(payload.size()));
    pending_.push_back(type);
    pending_.push_back(flags);
    put32(pending_, stream);
    pending_.insert(pending_.end(), payload.begin(), payload.end());
    return *this;
  }
  SeedBuilder& settings(std::initializer_list<std::pair<std::uint16_t, std::uint32_t>> entries) {
    std::vector<std::uint8_t> p;
    for (const auto& [id, value] : entries) {
      p.push_back(static_cast<std::uint8_t>(id >> 8));
      p.push_back(static_cast<std::uint8_t>(id));
      put32(p, value);
    }
    return frame(0x4, 0, 0, p);
  }
  SeedBuilder& settings_ack() { return frame(0x4, 0x1, 0, {}); }
  SeedBuilder& headers(std::uint32_t stream, Fields fields, bool end_stream, std::uint8_t extra_flags = 0) {
    return frame(0x1, static_cast<std::uint8_t>((end_stream ? 0x1 : 0) | 0x4 | extra_flags), stream, block(fields));
  }
  // HEADERS whose block is split over a CONTINUATION.
  SeedBuilder& headers_continued(std::uint32_t stream, Fields fields, bool end_stream) {
    const std::vector<std::uint8_t> b = block(fields);
    const std::size_t half = b.size() / 2;
    frame(0x1, end_stream ? 0x1 : 0, stream, {b.begin(), b.begin() + static_cast<std::ptrdiff_t>(half)});
    return frame(0x9, 0x4, stream, {b.begin() + static_cast<std::ptrdiff_t>(half), b.end()});
  }
  // HEADERS with padding and the RFC 7540 priority fields.
  SeedBuilder& headers_padded(std::uint32_t stream, Fields fields, bool end_stream) {
    std::vector<std::uint8_t> p = {3, 0, 0, 0, 0, 15};  // pad length 3, dependency 0, weight 16
    const std::vector<std::uint8_t> b = block(fields);
    p.insert(p.end(), b.begin(), b.end());
    p.insert(p.end(), 3, 0);
    return frame(0x1, static_cast<std::uint8_t>((end_stream ? 0x1 : 0) | 0x4 | 0x8 | 0x20), stream, p);
  }
  SeedBuilder& push_promise(std::uint32_t stream, std::uint32_t promised, Fields fields) {
    std::vector<std::uint8_t> p;
    put32(p, promised);
    const std::vector<std::uint8_t> b = block(fields);
    p.insert(p.end(), b.begin(), b.end());
    return frame(0x5, 0x4, stream, p);
  }
  SeedBuilder& data(std::uint32_t stream, std::string_view text, bool end_stream, std::uint8_t padding = 0) {
    std::vector<std::uint8_t> p;
    if (padding > 0) p.push_back(padding);
    p.insert(p.end(), text.begin(), text.end());
    p.insert(p.end(), padding, 0);
    return frame(0x0, static_cast<std::uint8_t>((end_stream ? 0x1 : 0) | (padding > 0 ? 0x8 : 0)), stream, p);
  }
  SeedBuilder& window_update(std::uint32_t stream, std::uint32_t increment) {
    std::vector<std::uint8_t> p;
    put32(p, increment);
    return frame(0x8, 0, stream, p);
  }
  SeedBuilder& ping(bool ack) { return frame(0x6, ack ? 0x1 : 0, 0, {1, 2, 3, 4, 5, 6, 7, 8}); }
  SeedBuilder& rst_stream(std::uint32_t stream, std::uint32_t code) {
    std::vector<std::uint8_t> p;
    put32(p, code);
    return frame(0x3, 0, stream, p);
  }
  SeedBuilder& goaway(std::uint32_t last_stream, std::uint32_t code) {
    std::vector<std::uint8_t> p;
    put32(p, last_stream);
    put32(p, code);
    return frame(0x7, 0, 0, p);
  }
  SeedBuilder& priority(std::uint32_t stream, std::uint32_t dependency) {
    std::vector<std::uint8_t> p;
    put32(p, dependency);
    p.push_back(200);
    return frame(0x2, 0, stream, p);
  }
  SeedBuilder& priority_update(std::uint32_t stream, std::string_view value) {
    std::vector<std::uint8_t> p;
    put32(p, stream);
    p.insert(p.end(), value.begin(), value.end());
    return frame(0x10, 0, 0, p);
  }

  // Ends the current chunk: the frames gathered so far go to one receive() call.
  SeedBuilder& chunk() {
    for (std::size_t at = 0; at < pending_.size(); at += kMaxChunk) put_chunk(at, kMaxChunk);
    pending_.clear();
    return *this;
  }
  // Ends the current chunk as several receive() calls of `size` octets each (frames split anywhere).
  SeedBuilder& split(std::size_t size) {
    for (std::size_t at = 0; at < pending_.size(); at += size) put_chunk(at, size);
    pending_.clear();
    return *this;
  }
  template <class Action>
  SeedBuilder& action(Action a, std::uint8_t arg) {
    chunk();
    out_.push_back(static_cast<std::uint8_t>(kFirstAction | static_cast<std::uint8_t>(a)));
    out_.push_back(arg);
    return *this;
  }
  template <class Action>
  SeedBuilder& odd_header(Action a, std::uint8_t arg, std::string_view name, std::string_view value) {
    action(a, arg);
    put_string(out_, name);
    put_string(out_, value);
    return *this;
  }

  std::vector<std::uint8_t> bytes() {
    chunk();
    return out_;
  }

 private:
  static void put24(std::vector<std::uint8_t>& out, std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
  }
  static void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 24));
    put24(out, v);
  }
  static std::vector<std::uint8_t> block(Fields fields) {
    std::vector<std::uint8_t> b;
    for (const auto& [name, value] : fields) {
      b.push_back(0x00);  // literal without indexing, new name
      b.push_back(static_cast<std::uint8_t>(name.size()));
      b.insert(b.end(), name.begin(), name.end());
      b.push_back(static_cast<std::uint8_t>(value.size()));
      b.insert(b.end(), value.begin(), value.end());
    }
    return b;
  }
  void put_chunk(std::size_t at, std::size_t size) {
    const std::size_t n = std::min(size, pending_.size() - at);
    if (n <= kMaxShortLength) {
      out_.push_back(static_cast<std::uint8_t>(n));
    } else {
      out_.push_back(static_cast<std::uint8_t>(0x80 | (n >> 8)));
      out_.push_back(static_cast<std::uint8_t>(n & 0xFF));
    }
    out_.insert(out_.end(), pending_.begin() + static_cast<std::ptrdiff_t>(at),
                pending_.begin() + static_cast<std::ptrdiff_t>(at + n));
  }

  std::vector<std::uint8_t> out_;
  std::vector<std::uint8_t> pending_;
};

}  // namespace h2push::fuzz
