// fuzz/h2_server_fuzz.cpp: our server Connection against arbitrary client octets, with libnghttp2 judging what we
// send. The input format is in h2_fuzz_input.hpp, the checks in h2_fuzz_check.hpp.
//
// The application answers requests as the input directs (or at once with kConfigAuto): responses with bodies given
// whole or pulled from a source that may pause or fail, trailers, 103s, pushes, resets, consume(), pings, GOAWAY,
// time passing. It keeps to what HTTP allows of an application (no body for HEAD, 204 or 304, a content-length only
// when it matches), so that anything libnghttp2 objects to is the Connection's doing.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "h2_fuzz_check.hpp"

namespace {

namespace h2 = h2push::http2;
using h2push::fuzz::ServerAction;

constexpr std::size_t kMaxStreams = 64;

struct StreamInfo {
  std::uint32_t id = 0;
  bool pushed = false;
  bool no_body = false;    // HEAD request, or a 204/304 response: no DATA may be sent
  bool connect = false;    // CONNECT: no content-length in a 2xx response
  bool answered = false;   // a final response was submitted
  bool body_open = false;  // the response's headers went without END_STREAM and without content-length
  std::uint64_t unconsumed = 0;
};

class ServerHarness final : public h2push::fuzz::Harness {
 public:
  ServerHarness(std::uint8_t config, std::uint8_t limits) : Harness(h2::Role::server, config, limits) {}

 private:
  void on_event(const h2::Event& e) override {
    if (const auto* r = std::get_if<h2::RequestReceived>(&e)) {
      StreamInfo info{.id = r->stream.value()};
      for (const h2::Header& h : r->headers) {
        if (h.name == ":method") {
          info.no_body = h.value == "HEAD";
          info.connect = h.value == "CONNECT";
        }
      }
      add(info);
      if ((config_ & h2push::fuzz::kConfigAuto) != 0) {
        respond(*find(info.id), static_cast<std::uint8_t>(info.id * 37));
      }
    } else if (const auto* d = std::get_if<h2::DataReceived>(&e)) {
      if (StreamInfo* s = find(d->stream.value())) s->unconsumed += d->data.size();
    } else if (const auto* reset = std::get_if<h2::StreamReset>(&e)) {
      erase(reset->stream.value());
    }
  }

  void act(std::uint8_t code, std::uint8_t arg, h2push::fuzz::Reader& reader) override {
    const auto action = static_cast<ServerAction>(code % static_cast<std::uint8_t>(ServerAction::count));
    StreamInfo* s = streams_.empty() ? nullptr : &streams_[arg % streams_.size()];
    switch (action) {
      case ServerAction::drain:
        drain(arg == 0xFF ? SIZE_MAX : (std::size_t{arg} + 1) * 97);
        break;
      case ServerAction::respond:
        if (StreamInfo* u = unanswered(arg)) respond(*u, arg);
        break;
      case ServerAction::respond_all:
        for (std::size_t i = 0; i < streams_.size(); ++i) {
          if (!streams_[i].answered) respond(streams_[i], static_cast<std::uint8_t>(arg + i));
        }
        break;
      case ServerAction::push:
        if (s != nullptr && !s->pushed) push(*s, arg);
        break;
      case ServerAction::reset:
        if (s != nullptr) {
          reset(s->id, arg);
          erase(s->id);
        }
        break;
      case ServerAction::consume:
        if (s != nullptr && s->unconsumed > 0) s->unconsumed -= consume(s->id, s->unconsumed, arg);
        break;
      case ServerAction::ping:
        ping(arg);
        break;
      case ServerAction::shutdown:
        shutdown(arg);
        break;
      case ServerAction::advance:
        advance(arg);
        break;
      case ServerAction::informational:
        if (StreamInfo* u = unanswered(arg)) {
          const h2::Header fields[] = {{":status", "103"}, {"link", "</style.css>; rel=preload; as=style"}};
          app(9, u->id, arg, conn_.submit_informational(h2::StreamId(u->id), fields).ok());
        }
        break;
      case ServerAction::send_body:
        if (s != nullptr && s->body_open && !s->no_body) {
          const bool ok =
              conn_
                  .send_body(h2::StreamId(s->id), std::make_unique<h2push::fuzz::FuzzSource>(
                                                      std::size_t{arg} * 293, (arg & 0x03) * 1000u,
                                                      (arg & 0xC0) == 0xC0, (arg & 0x20) != 0 ? 4000 : SIZE_MAX))
                  .ok();
          app(10, s->id, arg, ok);
          if (ok) s->body_open = false;
        }
        break;
      case ServerAction::resume_body:
        if (s != nullptr) {
          conn_.resume_body(h2::StreamId(s->id));
          app(11, s->id, arg, true);
        }
        break;
      case ServerAction::set_priority:
        if (s != nullptr) {
          conn_.set_priority(h2::StreamId(s->id), {static_cast<std::uint8_t>(arg & 7), (arg & 8) != 0});
          app(12, s->id, arg, true);
        }
        break;
      case ServerAction::trailers:
        if (s != nullptr && s->body_open) {
          const h2::Header fields[] = {{"x-checksum", "0123456789"}};
          const bool ok = conn_.submit_trailers(h2::StreamId(s->id), fields).ok();
          app(13, s->id, arg, ok);
          if (ok) s->body_open = false;
        }
        break;
      case ServerAction::more_data:
        if (s != nullptr && s->body_open && !s->no_body) {
          const bool end = (arg & 1) != 0;
          const bool ok = conn_.send_data(h2::StreamId(s->id), body(std::size_t{arg} * 131), end).ok();
          app(14, s->id, arg, ok);
          if (ok && end) s->body_open = false;
        }
        break;
      case ServerAction::odd_header: {
        const std::string name(reader.string());
        const std::string value(reader.string());
        // A content-length would have to match the (empty) body: the application's business, not the Connection's.
        if (name == "content-length") break;
        if (StreamInfo* u = unanswered(arg)) {
          const h2::Header fields[] = {{":status", "200"}, {name, value}};
          const bool ok = conn_.submit_response(h2::StreamId(u->id), fields, true).ok();
          app(15, u->id, arg, ok);
          if (ok) {
            u->answered = true;
            if (!h2push::fuzz::strict_field(name, value)) checker_.excuse_header(u->id);
          }
        }
        break;
      }
      case ServerAction::count:
        break;
    }
  }

  void mirror(const h2push::fuzz::PeerFrame& f, std::span<const h2::Event> events) override {
    if (!f.valid) return;
    switch (f.header.type) {
      case h2::FrameType::window_update:
        shadow_.window_update(f.header.stream_id.value(), f.value);
        break;
      case h2::FrameType::rst_stream:
        shadow_.reset(f.header.stream_id.value(), f.value);
        break;
      default:
        break;
    }
    // A new request stream: the shadow opens it, with the request we decoded if we reported one.
    if (f.block_done && f.block_type == h2::FrameType::headers && (f.block_stream & 1U) == 1U &&
        f.block_stream > last_mirrored_) {
      last_mirrored_ = f.block_stream;
      std::vector<nghttp2_nv> nva;
      for (const h2::Event& e : events) {
        const auto* r = std::get_if<h2::RequestReceived>(&e);
        if (r != nullptr && r->stream.value() == f.block_stream) nva = h2push::fuzz::make_nva(r->headers);
      }
      if (nva.empty()) {
        nva = {h2push::fuzz::make_nv(":method", "GET"), h2push::fuzz::make_nv(":scheme", "https"),
               h2push::fuzz::make_nv(":authority", "example.com"), h2push::fuzz::make_nv(":path", "/")};
      }
      shadow_.open_request(f.block_stream, nva);
    }
  }

  // A response to `s`: arg bits 0-1 the status, 2-5 the body size, 6 a content-length, 7 trailers; bits 4 and 5
  // both set: headers only (the body follows through other actions).
  void respond(StreamInfo& s, std::uint8_t arg) {
    static constexpr std::string_view kStatus[] = {"200", "404", "204", "304"};
    const std::string_view status = kStatus[arg & 3];
    const bool no_body = s.no_body || status == "204" || status == "304";
    const bool headers_only = (arg & 0x30) == 0x30 && !no_body;
    const std::size_t size = no_body || headers_only ? 0 : static_cast<std::size_t>((arg >> 2) & 0x0F) * 211;
    const bool trailers = (arg & 0x80) != 0 && !no_body && !headers_only;
    const bool with_length = (arg & 0x40) != 0 && !trailers && !headers_only && !s.connect && !s.no_body;
    const std::string length = std::to_string(size);
    std::vector<h2::Header> fields = {{":status", status}, {"content-type", "text/plain"}};
    if (with_length) fields.push_back({"content-length", length});
    const bool end = size == 0 && !trailers && !headers_only;
    const bool ok = conn_.submit_response(h2::StreamId(s.id), fields, end).ok();
    app(1, s.id, arg, ok);
    if (!ok) return;
    s.answered = true;
    if (s.pushed) count_held_response();
    s.no_body = no_body;
    s.body_open = headers_only;
    if (size > 0) app(1, s.id, 0x100, conn_.send_data(h2::StreamId(s.id), body(size), !trailers).ok());
    if (trailers) {
      const h2::Header t[] = {{"x-trailer", "done"}};
      app(1, s.id, 0x200, conn_.submit_trailers(h2::StreamId(s.id), t).ok());
    }
  }

  void push(const StreamInfo& parent, std::uint8_t arg) {
    const std::string path = "/pushed/" + std::to_string(arg) + ".css";
    const h2::Header request[] = {{":method", (arg & 0x40) != 0 ? "HEAD" : "GET"},
                                  {":scheme", "https"},
                                  {":authority", "example.com"},
                                  {":path", path}};
    const auto promised = conn_.submit_push_promise(h2::StreamId(parent.id), request);
    app(3, parent.id, arg, promised.ok());
    if (!promised) return;
    StreamInfo info{.id = promised->value(), .pushed = true, .no_body = (arg & 0x40) != 0};
    add(info);
    if ((arg & 0x80) == 0) respond(*find(info.id), static_cast<std::uint8_t>(arg & 0x3C));
  }

  std::span<const std::byte> body(std::size_t size) {
    if (body_.size() < size) body_.assign(size, std::byte{'x'});
    return std::span<const std::byte>(body_).first(size);
  }

  StreamInfo* unanswered(std::uint8_t arg) {
    std::size_t n = 0;
    for (const StreamInfo& s : streams_) n += s.answered ? 0 : 1;
    if (n == 0) return nullptr;
    std::size_t k = arg % n;
    for (StreamInfo& s : streams_) {
      if (!s.answered && k-- == 0) return &s;
    }
    return nullptr;
  }

  void add(const StreamInfo& info) {
    if (streams_.size() == kMaxStreams) streams_.erase(streams_.begin());
    streams_.push_back(info);
  }
  StreamInfo* find(std::uint32_t id) {
    for (StreamInfo& s : streams_) {
      if (s.id == id) return &s;
    }
    return nullptr;
  }
  void erase(std::uint32_t id) {
    std::erase_if(streams_, [id](const StreamInfo& s) { return s.id == id; });
  }

  std::vector<StreamInfo> streams_;
  std::vector<std::byte> body_;
  std::uint32_t last_mirrored_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  h2push::fuzz::Context& context = h2push::fuzz::context();
  context.target = "h2_server";
  context.input = {data, size};
  context.traced = 0;
  h2push::fuzz::Reader reader({data, size});
  const std::uint8_t config = reader.byte().value_or(0);
  const std::uint8_t limits = reader.byte().value_or(0);
  ServerHarness harness(config, limits);
  harness.run(reader);
  return 0;
}
