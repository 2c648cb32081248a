// tests/http2/nghttp2_peer.hpp: libnghttp2 as the reference peer of interop tests. An nghttp2_session (either role)
// that records what it receives (header blocks with their category, bodies, frames, stream closes) and every error
// it reports, and a pump that joins it in memory with one of our Connections.
#pragma once

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "h2push/http2/connection.hpp"
#include "http2/connection_pump.hpp"

namespace h2push::http2::test {

struct NgBlock {
  nghttp2_headers_category category = NGHTTP2_HCAT_HEADERS;
  Fields fields;
};

struct NgStream {
  std::vector<NgBlock> blocks;  // HEADERS received on the stream, in order
  Fields promised_request;      // client: the request of the PUSH_PROMISE that reserved this stream
  std::string body;
  bool end_stream_received = false;
  bool closed = false;
  std::uint32_t close_code = 0;
};

// A frame nghttp2 received or sent.
struct NgFrame {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::int32_t stream = 0;
  std::uint32_t code = 0;        // RST_STREAM, GOAWAY
  std::int32_t promised = 0;     // PUSH_PROMISE
  std::int32_t last_stream = 0;  // GOAWAY
  std::int32_t increment = 0;    // WINDOW_UPDATE
};

// A body served by a data provider, with optional trailers.
struct NgBody {
  std::string data;
  std::size_t offset = 0;
  std::optional<Fields> trailers;
};

inline std::vector<nghttp2_nv> make_nv(const Fields& fields) {
  std::vector<nghttp2_nv> nv;
  for (const auto& [name, value] : fields) {
    nv.push_back({const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(name.data())),
                  const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(value.data())), name.size(),
                  value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  return nv;
}

class NgPeer {
 public:
  enum class Role : std::uint8_t { client, server };

  // `settings` go out in nghttp2's connection preface (the application's duty with nghttp2).
  NgPeer(Role role, const std::vector<nghttp2_settings_entry>& settings, bool auto_window_update = true) : role_(role) {
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &NgPeer::on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, &NgPeer::on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &NgPeer::on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &NgPeer::on_frame_recv);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, &NgPeer::on_frame_send);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &NgPeer::on_stream_close);
    nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks, &NgPeer::on_invalid_frame);
    nghttp2_session_callbacks_set_on_frame_not_send_callback(callbacks, &NgPeer::on_frame_not_send);
    nghttp2_session_callbacks_set_error_callback2(callbacks, &NgPeer::on_error);
    nghttp2_session_callbacks_set_select_padding_callback(callbacks, &NgPeer::select_padding);
    nghttp2_option* option = nullptr;
    nghttp2_option_new(&option);
    nghttp2_option_set_no_auto_window_update(option, auto_window_update ? 0 : 1);
    const int rv = role == Role::client ? nghttp2_session_client_new2(&session, callbacks, this, option)
                                        : nghttp2_session_server_new2(&session, callbacks, this, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(callbacks);
    check(rv, "session_new");
    check(nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings.data(), settings.size()), "submit_settings");
  }
  ~NgPeer() { nghttp2_session_del(session); }
  NgPeer(const NgPeer&) = delete;
  NgPeer& operator=(const NgPeer&) = delete;

  // Client: a request, with a body (and trailers) when `body` is set. Returns the stream id.
  std::int32_t request(const Fields& fields, std::optional<NgBody> body = std::nullopt) {
    const std::vector<nghttp2_nv> nv = make_nv(fields);
    nghttp2_data_provider provider = provider_for(std::move(body));
    const std::int32_t id = nghttp2_submit_request(session, nullptr, nv.data(), nv.size(),
                                                   provider.read_callback ? &provider : nullptr, nullptr);
    check(id, "submit_request");
    return id;
  }

  // Server: the response, with a body (and trailers) when `body` is set.
  void respond(std::int32_t stream, const Fields& fields, std::optional<NgBody> body = std::nullopt) {
    const std::vector<nghttp2_nv> nv = make_nv(fields);
    nghttp2_data_provider provider = provider_for(std::move(body));
    check(nghttp2_submit_response(session, stream, nv.data(), nv.size(), provider.read_callback ? &provider : nullptr),
          "submit_response");
  }

  // Server: a header block without END_STREAM, e.g. a 103.
  void headers(std::int32_t stream, const Fields& fields) {
    const std::vector<nghttp2_nv> nv = make_nv(fields);
    check(nghttp2_submit_headers(session, NGHTTP2_FLAG_NONE, stream, nullptr, nv.data(), nv.size(), nullptr),
          "submit_headers");
  }

  // Server: promises `request` on `parent`; returns the promised stream id (negative: nghttp2's error).
  std::int32_t push(std::int32_t parent, const Fields& request) {
    const std::vector<nghttp2_nv> nv = make_nv(request);
    return nghttp2_submit_push_promise(session, NGHTTP2_FLAG_NONE, parent, nv.data(), nv.size(), nullptr);
  }

  std::size_t count_received(std::uint8_t type, std::optional<std::int32_t> stream = std::nullopt) const {
    return count(received, type, stream);
  }
  std::size_t count_sent(std::uint8_t type, std::optional<std::int32_t> stream = std::nullopt) const {
    return count(sent, type, stream);
  }

  // The status of the first header block on `stream` with that status class, e.g. ":status" of the final response.
  std::string status(std::int32_t stream, std::size_t block = 0) const {
    const auto it = streams.find(stream);
    if (it == streams.end() || block >= it->second.blocks.size()) return {};
    return field(it->second.blocks[block].fields, ":status").value_or("");
  }

  nghttp2_session* session = nullptr;
  std::map<std::int32_t, NgStream> streams;
  std::vector<NgFrame> received;
  std::vector<NgFrame> sent;
  std::vector<std::string> errors;  // anything nghttp2 complained about, and GOAWAYs with an error code
  // Called after every frame nghttp2 received (the stream's state is already updated).
  std::function<void(const nghttp2_frame&)> on_frame;
  // Server: called when a request is complete (END_STREAM received).
  std::function<void(std::int32_t stream)> on_request;
  // Padding octets added to every DATA and HEADERS frame that has room for them (RFC 9113 §6.1).
  std::size_t padding = 0;

 private:
  void check(long rv, const char* what) {
    if (rv < 0) errors.push_back(std::string(what) + ": " + nghttp2_strerror(static_cast<int>(rv)));
  }

  static std::size_t count(const std::vector<NgFrame>& frames, std::uint8_t type, std::optional<std::int32_t> stream) {
    return static_cast<std::size_t>(std::count_if(frames.begin(), frames.end(), [&](const NgFrame& f) {
      return f.type == type && (!stream || f.stream == *stream);
    }));
  }

  nghttp2_data_provider provider_for(std::optional<NgBody> body) {
    nghttp2_data_provider provider{};
    if (!body) return provider;
    bodies_.push_back(std::make_unique<NgBody>(std::move(*body)));
    provider.source.ptr = bodies_.back().get();
    provider.read_callback = &NgPeer::read_body;
    return provider;
  }

  static ssize_t read_body(nghttp2_session* session, std::int32_t stream, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source* source, void* user_data) {
    auto& body = *static_cast<NgBody*>(source->ptr);
    const std::size_t n = std::min(length, body.data.size() - body.offset);
    std::copy_n(body.data.data() + body.offset, n, reinterpret_cast<char*>(buf));
    body.offset += n;
    if (body.offset == body.data.size()) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (body.trailers) {
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
        const std::vector<nghttp2_nv> nv = make_nv(*body.trailers);
        static_cast<NgPeer*>(user_data)->check(nghttp2_submit_trailer(session, stream, nv.data(), nv.size()),
                                               "submit_trailer");
      }
    }
    return static_cast<ssize_t>(n);
  }

  static NgFrame describe(const nghttp2_frame& frame) {
    NgFrame f;
    f.type = frame.hd.type;
    f.flags = frame.hd.flags;
    f.stream = frame.hd.stream_id;
    if (frame.hd.type == NGHTTP2_RST_STREAM) f.code = frame.rst_stream.error_code;
    if (frame.hd.type == NGHTTP2_GOAWAY) {
      f.code = frame.goaway.error_code;
      f.last_stream = frame.goaway.last_stream_id;
    }
    if (frame.hd.type == NGHTTP2_PUSH_PROMISE) f.promised = frame.push_promise.promised_stream_id;
    if (frame.hd.type == NGHTTP2_WINDOW_UPDATE) f.increment = frame.window_update.window_size_increment;
    return f;
  }

  static ssize_t select_padding(nghttp2_session*, const nghttp2_frame* frame, std::size_t max_payload,
                                void* user_data) {
    const std::size_t padded = frame->hd.length + static_cast<NgPeer*>(user_data)->padding;
    return static_cast<ssize_t>(std::min(padded, max_payload));
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    auto& self = *static_cast<NgPeer*>(user_data);
    if (frame->hd.type == NGHTTP2_HEADERS) self.streams[frame->hd.stream_id].blocks.push_back({frame->headers.cat, {}});
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t name_length,
                       const std::uint8_t* value, std::size_t value_length, std::uint8_t, void* user_data) {
    auto& self = *static_cast<NgPeer*>(user_data);
    std::pair<std::string, std::string> f{std::string(reinterpret_cast<const char*>(name), name_length),
                                          std::string(reinterpret_cast<const char*>(value), value_length)};
    if (frame->hd.type == NGHTTP2_PUSH_PROMISE) {
      self.streams[frame->push_promise.promised_stream_id].promised_request.push_back(std::move(f));
    } else {
      self.streams[frame->hd.stream_id].blocks.back().fields.push_back(std::move(f));
    }
    return 0;
  }

  static int on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t stream, const std::uint8_t* data,
                           std::size_t length, void* user_data) {
    static_cast<NgPeer*>(user_data)->streams[stream].body.append(reinterpret_cast<const char*>(data), length);
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    auto& self = *static_cast<NgPeer*>(user_data);
    self.received.push_back(describe(*frame));
    if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR) {
      self.errors.push_back("received GOAWAY " + std::to_string(frame->goaway.error_code));
    }
    const bool ends = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                      (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if (ends) self.streams[frame->hd.stream_id].end_stream_received = true;
    if (self.on_frame) self.on_frame(*frame);
    if (ends && self.role_ == Role::server && self.on_request) self.on_request(frame->hd.stream_id);
    return 0;
  }

  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    auto& self = *static_cast<NgPeer*>(user_data);
    self.sent.push_back(describe(*frame));
    if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR) {
      self.errors.push_back("sent GOAWAY " + std::to_string(frame->goaway.error_code));
    }
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t stream, std::uint32_t code, void* user_data) {
    NgStream& s = static_cast<NgPeer*>(user_data)->streams[stream];
    s.closed = true;
    s.close_code = code;
    return 0;
  }

  static int on_invalid_frame(nghttp2_session*, const nghttp2_frame* frame, int error, void* user_data) {
    static_cast<NgPeer*>(user_data)->errors.push_back("invalid frame type " + std::to_string(frame->hd.type) +
                                                      " on stream " + std::to_string(frame->hd.stream_id) + ": " +
                                                      nghttp2_strerror(error));
    return 0;
  }

  static int on_frame_not_send(nghttp2_session*, const nghttp2_frame* frame, int error, void* user_data) {
    static_cast<NgPeer*>(user_data)->errors.push_back("frame type " + std::to_string(frame->hd.type) +
                                                      " not sent: " + nghttp2_strerror(error));
    return 0;
  }

  static int on_error(nghttp2_session*, int, const char* message, std::size_t length, void* user_data) {
    static_cast<NgPeer*>(user_data)->errors.push_back("error: " + std::string(message, length));
    return 0;
  }

  Role role_;
  std::vector<std::unique_ptr<NgBody>> bodies_;  // data providers' sources, alive as long as the session
};

// Joins one of our Connections (`ours`) with an nghttp2 peer (`ng`) in memory.
class InteropPump {
 public:
  // `ours` takes `options`'s role; nghttp2 plays the other one.
  InteropPump(const Options& options, const std::vector<nghttp2_settings_entry>& ng_settings,
              bool ng_auto_window_update = true)
      : ours(options, options.role == Role::client ? kClientPreface.size() : 0),
        ng(options.role == Role::client ? NgPeer::Role::server : NgPeer::Role::client, ng_settings,
           ng_auto_window_update),
        ng_sent(options.role == Role::client ? 0 : kClientPreface.size()) {}

  Side ours;
  NgPeer ng;
  FrameTap ng_sent;                                                 // what nghttp2 wrote, cut into frames by our tap
  std::size_t max_chunk = std::numeric_limits<std::size_t>::max();  // octets per receive() of ours

  bool to_ng() {
    const std::span<const std::byte> out = ours.conn.pending_output();
    if (out.empty()) return false;
    const std::vector<std::byte> chunk(out.begin(), out.end());
    ours.conn.consume_output(chunk.size());
    ours.sent.feed(chunk);
    const ssize_t rv =
        nghttp2_session_mem_recv(ng.session, reinterpret_cast<const std::uint8_t*>(chunk.data()), chunk.size());
    if (rv != static_cast<ssize_t>(chunk.size())) {
      ng.errors.push_back(std::string("mem_recv: ") + nghttp2_strerror(static_cast<int>(rv)));
    }
    return true;
  }

  bool to_ours() {
    std::vector<std::byte> bytes;
    for (int i = 0; i < 100000; ++i) {
      const std::uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(ng.session, &data);
      if (n < 0) ng.errors.push_back(std::string("mem_send: ") + nghttp2_strerror(static_cast<int>(n)));
      if (n <= 0) break;
      const auto* first = reinterpret_cast<const std::byte*>(data);
      bytes.insert(bytes.end(), first, first + n);
    }
    if (bytes.empty()) return false;
    ng_sent.feed(bytes);
    for (std::size_t at = 0; at < bytes.size();) {
      const std::size_t n = std::min(max_chunk, bytes.size() - at);
      std::vector<Recorded> got;
      ++ours.receives;
      for (const Event& e : ours.conn.receive(std::span<const std::byte>(bytes).subspan(at, n))) {
        got.push_back(record(e));
        got.back().batch = ours.receives;
      }
      at += n;
      for (const Recorded& r : got) {
        ours.log.push_back(r);
        if (ours.on_event) ours.on_event(r);
      }
    }
    return true;
  }

  // Moves bytes both ways until both sides are quiet. Returns the number of transfers, or -1 when `max_rounds`
  // passed first.
  int run(int max_rounds = 100000) {
    int moved = 0;
    for (int round = 0; round < max_rounds; ++round) {
      const bool a = to_ng();
      const bool b = to_ours();
      if (!a && !b) return moved;
      moved += (a ? 1 : 0) + (b ? 1 : 0);
    }
    return -1;
  }
};

}  // namespace h2push::http2::test
