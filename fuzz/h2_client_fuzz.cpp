// fuzz/h2_client_fuzz.cpp: our client Connection against arbitrary server octets, with libnghttp2 judging what we
// send. The input format is in h2_fuzz_input.hpp, the checks in h2_fuzz_check.hpp.
//
// The application opens requests (GET, HEAD, POST, PUT; bodies given whole or pulled from a source that may pause or
// fail; trailers), resets them, refuses pushes, consumes DATA, pings, goes away and lets time pass, as the input
// directs. Its bodies match the content-length it declares, so anything libnghttp2 objects to is the Connection's
// doing.
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
using h2push::fuzz::ClientAction;

constexpr std::size_t kMaxStreams = 64;

struct StreamInfo {
  std::uint32_t id = 0;
  bool promised = false;
  bool body_open = false;  // a request whose body may still be sent (no content-length was declared)
  std::uint64_t unconsumed = 0;
};

class ClientHarness final : public h2push::fuzz::Harness {
 public:
  ClientHarness(std::uint8_t config, std::uint8_t limits) : Harness(h2::Role::client, config, limits) {}

 private:
  void start() override {
    if ((config_ & h2push::fuzz::kConfigAuto) == 0) return;
    request(0x00);  // GET
    request(0x46);  // POST with a body
  }

  void on_event(const h2::Event& e) override {
    if (const auto* p = std::get_if<h2::PushPromised>(&e)) {
      add({.id = p->promised.value(), .promised = true});
    } else if (const auto* d = std::get_if<h2::DataReceived>(&e)) {
      if (StreamInfo* s = find(d->stream.value())) s->unconsumed += d->data.size();
    } else if (const auto* reset = std::get_if<h2::StreamReset>(&e)) {
      erase(reset->stream.value());
    }
  }

  void act(std::uint8_t code, std::uint8_t arg, h2push::fuzz::Reader& reader) override {
    const auto action = static_cast<ClientAction>(code % static_cast<std::uint8_t>(ClientAction::count));
    StreamInfo* s = streams_.empty() ? nullptr : &streams_[arg % streams_.size()];
    switch (action) {
      case ClientAction::drain:
        drain(arg == 0xFF ? SIZE_MAX : (std::size_t{arg} + 1) * 97);
        break;
      case ClientAction::request:
        request(arg);
        break;
      case ClientAction::data:
        if (s != nullptr && s->body_open) {
          const bool end = (arg & 1) != 0;
          const bool ok = conn_.send_data(h2::StreamId(s->id), body(std::size_t{arg} * 131), end).ok();
          app(2, s->id, arg, ok);
          if (ok && end) s->body_open = false;
        }
        break;
      case ClientAction::trailers:
        if (s != nullptr && s->body_open) {
          const h2::Header fields[] = {{"x-checksum", "0123456789"}};
          const bool ok = conn_.submit_trailers(h2::StreamId(s->id), fields).ok();
          app(3, s->id, arg, ok);
          if (ok) s->body_open = false;
        }
        break;
      case ClientAction::reset:
        if (s != nullptr) {
          reset(s->id, arg);
          erase(s->id);
        }
        break;
      case ClientAction::consume:
        if (s != nullptr && s->unconsumed > 0) s->unconsumed -= consume(s->id, s->unconsumed, arg);
        break;
      case ClientAction::ping:
        ping(arg);
        break;
      case ClientAction::shutdown:
        shutdown(arg);
        break;
      case ClientAction::advance:
        advance(arg);
        break;
      case ClientAction::send_body:
        if (s != nullptr && s->body_open) {
          const bool ok =
              conn_
                  .send_body(h2::StreamId(s->id), std::make_unique<h2push::fuzz::FuzzSource>(
                                                      std::size_t{arg} * 293, (arg & 0x03) * 1000u,
                                                      (arg & 0xC0) == 0xC0, (arg & 0x20) != 0 ? 4000 : SIZE_MAX))
                  .ok();
          app(9, s->id, arg, ok);
          if (ok) s->body_open = false;
        }
        break;
      case ClientAction::resume_body:
        if (s != nullptr) {
          conn_.resume_body(h2::StreamId(s->id));
          app(10, s->id, arg, true);
        }
        break;
      case ClientAction::set_priority:
        if (s != nullptr) {
          conn_.set_priority(h2::StreamId(s->id), {static_cast<std::uint8_t>(arg & 7), (arg & 8) != 0});
          app(11, s->id, arg, true);
        }
        break;
      case ClientAction::odd_header: {
        const std::string name(reader.string());
        const std::string value(reader.string());
        // A content-length would have to match the (empty) body: the application's business, not the Connection's.
        if (name == "content-length") break;
        const h2::Header fields[] = {
            {":method", "GET"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", "/odd"}, {name, value}};
        const auto id = conn_.submit_request(fields, true);
        app(12, id ? id->value() : 0, arg, id.ok());
        if (id) {
          add({.id = id->value()});
          if (!h2push::fuzz::strict_field(name, value)) checker_.excuse_header(id->value());
        }
        break;
      }
      case ClientAction::refuse_pushes:
        for (std::size_t i = 0; i < streams_.size();) {
          if (streams_[i].promised) {
            app(13, streams_[i].id, arg, conn_.reset_stream(h2::StreamId(streams_[i].id), h2::ErrorCode::cancel).ok());
            streams_.erase(streams_.begin() + static_cast<std::ptrdiff_t>(i));
          } else {
            ++i;
          }
        }
        break;
      case ClientAction::count:
        break;
    }
  }

  void mirror(const h2push::fuzz::PeerFrame& f, std::span<const h2::Event> events) override {
    if (!f.valid) return;
    const std::uint32_t stream = f.header.stream_id.value();
    switch (f.header.type) {
      case h2::FrameType::window_update:
        shadow_.window_update(stream, f.value);
        break;
      case h2::FrameType::rst_stream:
        shadow_.reset(stream, f.value);
        break;
      case h2::FrameType::data:
        if (f.header.has(h2::kEndStream) && (stream & 1U) == 1U) shadow_.end_response(stream);
        break;
      default:
        break;
    }
    if (!f.block_done) return;
    if (f.block_type == h2::FrameType::headers) {
      if (f.block_end_stream && (f.block_stream & 1U) == 1U) shadow_.end_response(f.block_stream);
      return;
    }
    // A promise: the shadow reserves the stream, with the request we decoded if we reported one.
    std::vector<nghttp2_nv> nva;
    for (const h2::Event& e : events) {
      const auto* p = std::get_if<h2::PushPromised>(&e);
      if (p != nullptr && p->promised.value() == f.promised) nva = h2push::fuzz::make_nva(p->request);
    }
    if (nva.empty()) {
      nva = {h2push::fuzz::make_nv(":method", "GET"), h2push::fuzz::make_nv(":scheme", "https"),
             h2push::fuzz::make_nv(":authority", "example.com"), h2push::fuzz::make_nv(":path", "/pushed")};
    }
    if (!shadow_.promise(f.block_stream, f.promised, nva)) checker_.hide_stream(f.promised);
  }

  // arg bits 0-1: GET, HEAD, POST, PUT. POST/PUT: bit 6 a whole body with its content-length, else the body stays
  // open for the data, send_body and trailers actions; bits 2-5 the body size; bit 7 a priority header.
  void request(std::uint8_t arg) {
    static constexpr std::string_view kMethods[] = {"GET", "HEAD", "POST", "PUT"};
    const std::string_view method = kMethods[arg & 3];
    const bool has_body = (arg & 2) != 0;
    const bool whole = has_body && (arg & 0x40) != 0;
    const std::size_t size = whole ? static_cast<std::size_t>((arg >> 2) & 0x0F) * 173 + 1 : 0;
    const std::string path = "/r/" + std::to_string(arg);
    const std::string length = std::to_string(size);
    std::vector<h2::Header> fields = {
        {":method", method}, {":scheme", "https"}, {":authority", "example.com"}, {":path", path}};
    if (whole) fields.push_back({"content-length", length});
    if ((arg & 0x80) != 0) fields.push_back({"priority", "u=1, i"});
    const auto id = conn_.submit_request(fields, !has_body);
    app(1, id ? id->value() : 0, arg, id.ok());
    if (!id) return;
    add({.id = id->value(), .body_open = has_body && !whole});
    if (whole) app(1, id->value(), 0x100, conn_.send_data(*id, body(size), true).ok());
  }

  std::span<const std::byte> body(std::size_t size) {
    if (body_.size() < size) body_.assign(size, std::byte{'y'});
    return std::span<const std::byte>(body_).first(size);
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
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  h2push::fuzz::Context& context = h2push::fuzz::context();
  context.target = "h2_client";
  context.input = {data, size};
  context.traced = 0;
  h2push::fuzz::Reader reader({data, size});
  const std::uint8_t config = reader.byte().value_or(0);
  const std::uint8_t limits = reader.byte().value_or(0);
  ClientHarness harness(config, limits);
  harness.run(reader);
  return 0;
}
