// tests/http2/connection_pump.hpp: helpers for end-to-end tests of Connection: events copied into owned records
// (event spans die with the next call), a tap that lists the frames one side wrote, deterministic bodies, and a
// pump that joins a client and a server Connection in memory.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "h2push/http2/connection.hpp"
#include "h2push/http2/events.hpp"

namespace h2push::http2::test {

using Fields = std::vector<std::pair<std::string, std::string>>;

inline Fields owned(std::span<const Header> headers) {
  Fields out;
  for (const Header& h : headers) out.emplace_back(std::string(h.name), std::string(h.value));
  return out;
}

// Header views of `fields` for the submit_* calls; valid while `fields` lives.
inline std::vector<Header> views(const Fields& fields) {
  std::vector<Header> out;
  for (const auto& [name, value] : fields) out.push_back({name, value});
  return out;
}

inline std::optional<std::string> field(const Fields& fields, std::string_view name) {
  for (const auto& [n, v] : fields) {
    if (n == name) return v;
  }
  return std::nullopt;
}

// A deterministic body of `n` octets: a different sequence for every seed, so bodies cannot be confused.
inline std::string pattern(std::uint32_t seed, std::size_t n) {
  std::string out(n, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (char& c : out) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 16);
  }
  return out;
}

inline std::span<const std::byte> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

enum class Kind : std::uint8_t {
  request,
  informational,
  response,
  trailers,
  data,
  reset,
  push_promised,
  settings,
  settings_ack,
  ping_ack,
  goaway,
  priority_updated,
  failed,
};

// One event with everything it points to copied.
struct Recorded {
  Kind kind = Kind::settings;
  std::uint32_t stream = 0;    // the event's stream; GOAWAY: last stream; PushPromised: the parent
  std::uint32_t promised = 0;  // PushPromised
  Fields fields;               // headers, or the promised request
  std::string data;            // DATA octets, GOAWAY debug data, ConnectionFailed detail
  std::uint32_t flow_controlled = 0;
  bool end_stream = false;
  ErrorCode code = ErrorCode::no_error;
  bool by_peer = false;
  std::size_t batch = 0;  // set by the pumps: which receive() call of its side reported it, from 1
};

inline Recorded record(const Event& event) {
  Recorded r;
  std::visit(
      [&r](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, RequestReceived> || std::is_same_v<E, ResponseReceived>) {
          r.kind = std::is_same_v<E, RequestReceived> ? Kind::request : Kind::response;
          r.stream = e.stream.value();
          r.fields = owned(e.headers);
          r.end_stream = e.end_stream;
        } else if constexpr (std::is_same_v<E, InformationalReceived> || std::is_same_v<E, TrailersReceived>) {
          r.kind = std::is_same_v<E, InformationalReceived> ? Kind::informational : Kind::trailers;
          r.stream = e.stream.value();
          r.fields = owned(e.headers);
          r.end_stream = std::is_same_v<E, TrailersReceived>;
        } else if constexpr (std::is_same_v<E, DataReceived>) {
          r.kind = Kind::data;
          r.stream = e.stream.value();
          r.data.assign(reinterpret_cast<const char*>(e.data.data()), e.data.size());
          r.flow_controlled = e.flow_controlled_length;
          r.end_stream = e.end_stream;
        } else if constexpr (std::is_same_v<E, StreamReset>) {
          r.kind = Kind::reset;
          r.stream = e.stream.value();
          r.code = e.code;
          r.by_peer = e.by_peer;
        } else if constexpr (std::is_same_v<E, PushPromised>) {
          r.kind = Kind::push_promised;
          r.stream = e.parent.value();
          r.promised = e.promised.value();
          r.fields = owned(e.request);
        } else if constexpr (std::is_same_v<E, SettingsReceived>) {
          r.kind = Kind::settings;
        } else if constexpr (std::is_same_v<E, SettingsAcknowledged>) {
          r.kind = Kind::settings_ack;
        } else if constexpr (std::is_same_v<E, PingAcknowledged>) {
          r.kind = Kind::ping_ack;
          r.data.assign(reinterpret_cast<const char*>(e.opaque_data.data()), e.opaque_data.size());
        } else if constexpr (std::is_same_v<E, GoawayReceived>) {
          r.kind = Kind::goaway;
          r.stream = e.last_stream.value();
          r.data.assign(e.debug_data);
          r.code = e.code;
        } else if constexpr (std::is_same_v<E, PriorityUpdated>) {
          r.kind = Kind::priority_updated;
          r.stream = e.stream.value();
        } else {
          static_assert(std::is_same_v<E, ConnectionFailed>);
          r.kind = Kind::failed;
          r.data.assign(e.detail);
          r.code = e.code;
          r.by_peer = e.by_peer;
        }
      },
      event);
  return r;
}

using Log = std::vector<Recorded>;

// The concatenated DATA of one stream.
inline std::string body_of(const Log& log, std::uint32_t stream) {
  std::string out;
  for (const Recorded& r : log) {
    if (r.kind == Kind::data && r.stream == stream) out += r.data;
  }
  return out;
}

// The first record of `kind` on `stream`, or nullptr.
inline const Recorded* find_event(const Log& log, Kind kind, std::uint32_t stream) {
  for (const Recorded& r : log) {
    if (r.kind == kind && r.stream == stream) return &r;
  }
  return nullptr;
}

inline std::size_t count_kind(const Log& log, Kind kind) {
  return static_cast<std::size_t>(
      std::count_if(log.begin(), log.end(), [kind](const Recorded& r) { return r.kind == kind; }));
}

// True when the stream's message ended (END_STREAM on DATA, headers or trailers).
inline bool stream_ended(const Log& log, std::uint32_t stream) {
  return std::any_of(log.begin(), log.end(), [stream](const Recorded& r) {
    return r.stream == stream && r.end_stream &&
           (r.kind == Kind::data || r.kind == Kind::request || r.kind == Kind::response || r.kind == Kind::trailers);
  });
}

// A frame seen on the wire, with the one 32-bit field tests ask about.
struct FrameSeen {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::uint32_t stream = 0;
  std::uint32_t length = 0;
  std::uint32_t value = 0;  // RST_STREAM, GOAWAY: error code; WINDOW_UPDATE: increment; PUSH_PROMISE: promised id
  std::size_t offset = 0;   // of the frame header in everything the side wrote
};

inline constexpr std::uint8_t kTypeData = 0x0, kTypeHeaders = 0x1, kTypeRstStream = 0x3, kTypeSettings = 0x4,
                              kTypePushPromise = 0x5, kTypeGoaway = 0x7, kTypeWindowUpdate = 0x8;

// Cuts one direction of a connection into frames, independently of the code under test. Written from the RFC
// 9113 §4.1 layout; `skip` octets (the client magic) come first.
class FrameTap {
 public:
  explicit FrameTap(std::size_t skip = 0) : skip_(skip) {}

  void feed(std::span<const std::byte> bytes) {
    for (const std::byte b : bytes) {
      ++total_;
      if (skip_ > 0) {
        --skip_;
        continue;
      }
      buffer_.push_back(static_cast<std::uint8_t>(b));
      if (buffer_.size() < 9) continue;
      const std::uint32_t length = (std::uint32_t{buffer_[0]} << 16) | (std::uint32_t{buffer_[1]} << 8) | buffer_[2];
      if (buffer_.size() < 9 + length) continue;
      FrameSeen f;
      f.length = length;
      f.type = buffer_[3];
      f.flags = buffer_[4];
      f.stream = word(5) & 0x7fffffffu;
      if (f.type == kTypeRstStream || f.type == kTypeWindowUpdate || f.type == kTypePushPromise) {
        f.value = length >= 4 ? word(9) & 0x7fffffffu : 0;
        if (f.type == kTypeRstStream) f.value = word(9);
      } else if (f.type == kTypeGoaway && length >= 8) {
        f.value = word(13);
      }
      f.offset = total_ - 9 - length;
      frames.push_back(f);
      buffer_.clear();
    }
  }
  std::size_t total() const { return total_; }

  std::size_t count(std::uint8_t type, std::optional<std::uint32_t> stream = std::nullopt,
                    std::size_t from_index = 0) const {
    std::size_t n = 0;
    for (std::size_t i = from_index; i < frames.size(); ++i) {
      if (frames[i].type == type && (!stream || frames[i].stream == *stream)) ++n;
    }
    return n;
  }

  std::vector<FrameSeen> frames;

 private:
  std::uint32_t word(std::size_t at) const {
    return (std::uint32_t{buffer_[at]} << 24) | (std::uint32_t{buffer_[at + 1]} << 16) |
           (std::uint32_t{buffer_[at + 2]} << 8) | buffer_[at + 3];
  }
  std::size_t skip_;
  std::size_t total_ = 0;
  std::vector<std::uint8_t> buffer_;
};

// One end of the pump: the connection, what it reported, what it wrote.
struct Side {
  Side(const Options& options, std::size_t skip) : conn(options), sent(skip) {}
  Connection conn;
  Log log;
  std::size_t receives = 0;  // receive() calls so far: the batch of the events being handled
  FrameTap sent;
  // Called for every event after the whole input was received, so it may call the connection.
  std::function<void(const Recorded&)> on_event;
};

inline Options client_options() { return Options{.role = Role::client}; }
inline Options server_options() { return Options{.role = Role::server}; }
inline Options with_role(Options options, Role role) {
  options.role = role;
  return options;
}

// Joins a client and a server Connection in memory.
class Pump {
 public:
  explicit Pump(const Options& client_opts = client_options(), const Options& server_opts = server_options())
      : client(with_role(client_opts, Role::client), kClientPreface.size()),
        server(with_role(server_opts, Role::server), 0) {}

  Side client;
  Side server;
  std::size_t max_chunk = std::numeric_limits<std::size_t>::max();  // octets moved per transfer
  bool take = false;  // move all output with take_output() (ignores max_chunk) instead of pending/consume_output()

  // Moves output from `from` to `to` once; false when `from` had nothing to send.
  bool transfer(Side& from, Side& to) {
    std::vector<std::byte> chunk;
    if (take) {
      const std::span<const std::byte> out = from.conn.take_output();
      if (out.empty()) return false;
      chunk.assign(out.begin(), out.end());
      from.conn.output_written();  // as a transport does once its write is done (gives the buffer to the pool)
    } else {
      const std::span<const std::byte> out = from.conn.pending_output();
      if (out.empty()) return false;
      const std::size_t n = std::min(out.size(), max_chunk);
      chunk.assign(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
      from.conn.consume_output(n);
    }
    from.sent.feed(chunk);
    std::vector<Recorded> got;
    ++to.receives;
    for (const Event& e : to.conn.receive(chunk)) {
      got.push_back(record(e));
      got.back().batch = to.receives;
    }
    for (const Recorded& r : got) {
      to.log.push_back(r);
      if (to.on_event) to.on_event(r);
    }
    return true;
  }

  // Moves bytes both ways until both sides are quiet. Returns the number of transfers, or -1 when `max_rounds`
  // passed first.
  int run(int max_rounds = 200000) {
    int moved = 0;
    for (int round = 0; round < max_rounds; ++round) {
      const bool a = transfer(client, server);
      const bool b = transfer(server, client);
      if (!a && !b) return moved;
      moved += (a ? 1 : 0) + (b ? 1 : 0);
    }
    return -1;
  }
};

}  // namespace h2push::http2::test
