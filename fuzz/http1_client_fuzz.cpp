// fuzz/http1_client_fuzz.cpp: our HTTP/1.1 client parser against arbitrary server octets. The reverse proxy reads
// every upstream response with it, so an application (or whatever answers in its place) controls this input.
//
// Two ClientConnections submit the same pipelined requests; the server's octets go to one whole and to the other in
// pieces from a seeded generator, then both see the end of the connection. Both must report the same events (body
// octets compared as one run per response): a response whose framing depends on segment boundaries could make the
// proxy hand one client's bytes to another (response splitting). Each event is checked against RFC 9112/9110: a
// 1xx other than 101 only as informational, final statuses of three digits, 200 or more (101 only to an upgrade), token
// field names in lower case with trimmed values, never Content-Length with chunked on a response with a body, no body
// for HEAD, 204 or 304, and responses in request order.
//
// Input: config:u8 seed:u8 octets*
//   config bits 0-1: number of pipelined requests - 1; bit 2: the second request is HEAD; bit 3: the last request
//   asks to upgrade (h2c); bit 4: ClientOptions::accept_bare_lf; bit 5: small head limits and at most 2 1xx.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "h2push/http1/client_connection.hpp"
#include "http1_fuzz_common.hpp"

namespace {

namespace h1 = h2push::http1;
using h2push::fuzz::h1::expect_same;
using h2push::fuzz::h1::fail;
using h2push::fuzz::h1::Pieces;

constexpr std::uint8_t kHeadSecond = 0x04;
constexpr std::uint8_t kUpgradeLast = 0x08;
constexpr std::uint8_t kBareLf = 0x10;
constexpr std::uint8_t kSmallLimits = 0x20;

struct Sent {
  std::uint64_t id = 0;
  bool head = false;
  bool upgrade = false;
};

class Client {
 public:
  explicit Client(std::uint8_t config) : conn_(options(config)) {
    const std::size_t count = (config & 0x03) + 1u;
    static constexpr h1::Header kFields[] = {{"host", "app.test"}, {"accept", "*/*"}};
    for (std::size_t i = 0; i < count; ++i) {
      const bool head = i == 1 && (config & kHeadSecond) != 0;
      const bool upgrade = i + 1 == count && (config & kUpgradeLast) != 0;
      const h1::RequestHead request{
          .method = head ? "HEAD" : "GET", .target = "/r", .headers = kFields, .upgrade = upgrade};
      const auto id = conn_.submit_request(request, {});
      if (!id) fail("a request was refused", to_string(id.error()));
      sent_.push_back({id->value, head, upgrade});
    }
  }

  void feed(std::span<const std::byte> bytes) { handle(conn_.receive(bytes)); }
  void end() { handle(conn_.receive_eof()); }
  const std::string& transcript() const noexcept { return transcript_.text(); }

 private:
  static h1::ClientOptions options(std::uint8_t config) {
    h1::ClientOptions o;
    o.accept_bare_lf = (config & kBareLf) != 0;
    if ((config & kSmallLimits) != 0) {
      o.max_status_line = 40;
      o.max_field_line = 48;
      o.max_field_section = 200;
      o.max_fields = 5;
      o.max_trailer_section = 60;
      o.max_chunk_extension = 8;
      o.max_informational = 2;
    }
    return o;
  }

  // The request the next final response answers; responses come in request order.
  const Sent& current(std::uint64_t id) {
    if (answered_ >= sent_.size() || sent_[answered_].id != id) fail("a response out of order", std::to_string(id));
    return sent_[answered_];
  }

  void handle(std::span<const h1::ClientEvent> events) {
    for (const h1::ClientEvent& e : events) {
      if (const auto* info = std::get_if<h1::InformationalReceived>(&e)) {
        current(info->request.value);
        if (info->status < 100 || info->status > 199 || info->status == 101) fail("a bad 1xx", info->reason);
        transcript_.line("1xx " + std::to_string(info->request.value) + " " + std::to_string(info->status));
        transcript_.fields(info->headers);
      } else if (const auto* r = std::get_if<h1::ResponseReceived>(&e)) {
        response(*r);
      } else if (const auto* d = std::get_if<h1::DataReceived>(&e)) {
        if (!d->data.empty() && no_body_) fail("body octets for a response that has none", "");
        transcript_.data(*d);
        if (d->end_stream) ++answered_;
      } else if (const auto* t = std::get_if<h1::TrailersReceived>(&e)) {
        transcript_.trailers(*t);
        ++answered_;
      } else if (const auto* f = std::get_if<h1::ResponseFailed>(&e)) {
        // The kind only: when a head crosses two limits in one stretch (a long line in a too large section), which
        // one the detail names depends on where the input was cut; the outcome is the same.
        transcript_.line("failed " + std::to_string(f->request.value) + " " + std::string(to_string(f->error)));
        if (!conn_.is_closed()) fail("a failure left the connection open", to_string(f->error));
      }
    }
  }

  void response(const h1::ResponseReceived& r) {
    const Sent& request = current(r.request.value);
    if (r.status == 101) {
      if (!request.upgrade) fail("101 to a request that did not upgrade", r.reason);
    } else if (r.status < 200 || r.status > 999) {  // 3DIGIT (RFC 9112 §4); what 600-999 means is the caller's call
      fail("a bad final status", std::to_string(r.status));
    }
    no_body_ = request.head || r.status == 204 || r.status == 304 || r.status == 101;
    // Framing fields of a response without a body frame nothing (RFC 9112 §6.3): only a body's framing must be one.
    bool chunked = false;
    for (const h1::Header& h : r.headers) chunked = chunked || h.name == "transfer-encoding";
    if (chunked && r.content_length && !no_body_) fail("chunked and content-length", r.reason);
    if (no_body_ && !r.end_stream) fail("a response that has no body does not end", std::to_string(r.status));
    if (r.end_stream && r.content_length && *r.content_length != 0 && !no_body_) {
      fail("end_stream with a body length", std::to_string(*r.content_length));
    }
    transcript_.line("response " + std::to_string(r.request.value) + " " + std::to_string(r.status) +
                     (r.version == h1::Version::http_1_0 ? " 1.0" : " 1.1") + (r.end_stream ? " end" : "") +
                     (r.keep_alive ? " keep" : "") +
                     " cl=" + (r.content_length ? std::to_string(*r.content_length) : "-"));
    transcript_.fields(r.headers);
    if (r.end_stream) ++answered_;
  }

  h1::ClientConnection conn_;
  std::vector<Sent> sent_;
  std::size_t answered_ = 0;  // responses complete so far
  bool no_body_ = false;      // the response in progress may carry no body octets
  h2push::fuzz::h1::Transcript transcript_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  h2push::fuzz::h1::target_name = "http1_client";
  const std::uint8_t config = data[0];
  Pieces pieces(data[1]);
  const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data + 2), size - 2);

  Client whole(config);
  whole.feed(input);
  whole.end();

  Client split(config);
  for (std::size_t at = 0; at < input.size();) {
    const std::size_t n = std::min(pieces.next(), input.size() - at);
    split.feed(input.subspan(at, n));
    at += n;
  }
  split.end();

  expect_same("events", whole.transcript(), split.transcript());
  return 0;
}
