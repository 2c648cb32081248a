// fuzz/http1_server_fuzz.cpp: our HTTP/1.1 server parser against arbitrary client octets.
//
// The same input goes to two ServerConnections: one receives it whole, the other in pieces whose sizes come from a
// small generator seeded by the input. The application answers every request at once (a 103 first when allowed, a
// 100 Continue when the client expects one), so the pipeline never stalls. Both must report the same events (body
// octets compared as one stream per request) and write the same octets: a parser whose result depends on where the
// TCP segments happened to end could be desynchronised by a peer that controls the segmentation (request
// smuggling). Each event is also checked against what RFC 9112 lets it hold.
//
// Input: config:u8 seed:u8 octets*
//   config bit 0: Options::accept_bare_lf; bit 1: small head and body limits (the 4xx paths); bit 2: answer with a
//   body pulled in pieces (send_data per piece) rather than at once.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "h2push/http1/events.hpp"
#include "h2push/http1/server_connection.hpp"
#include "http1_fuzz_common.hpp"

namespace {

namespace h1 = h2push::http1;
using h2push::fuzz::h1::expect_same;
using h2push::fuzz::h1::fail;
using h2push::fuzz::h1::is_tchar;
using h2push::fuzz::h1::Pieces;
using h2push::fuzz::h1::without_continue;

constexpr std::uint8_t kBareLf = 0x01;
constexpr std::uint8_t kSmallLimits = 0x02;
constexpr std::uint8_t kPiecewiseBody = 0x04;
constexpr int kMaxRounds = 4096;  // receive({}) calls after one piece of input: far more than any input needs

void check_request(const h1::RequestReceived& r) {
  if (r.method.empty()) fail("empty method", r.target);
  for (char c : r.method) {
    if (!is_tchar(c)) fail("bad method", r.method);
  }
  if (r.target.empty()) fail("empty target", r.method);
  for (char c : r.target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) fail("control or space in the target", r.target);
  }
  std::size_t lengths = 0;
  bool chunked = false;
  for (const h1::Header& h : r.headers) {
    lengths += h.name == "content-length" ? 1 : 0;
    chunked = chunked || h.name == "transfer-encoding";
  }
  // Smuggling rules (RFC 9112 §6.3): never both framings, never two lengths that reached the application.
  if (chunked && r.content_length) fail("chunked and content-length", r.target);
  if (lengths > 1) fail("several content-length fields reported", r.target);
  if (r.end_stream && r.content_length && *r.content_length != 0) fail("end_stream with a body length", r.target);
}

// The server's events in a transcript (http1_fuzz_common.hpp).
class Transcript : public h2push::fuzz::h1::Transcript {
 public:
  void event(const h1::Event& e) {
    if (const auto* r = std::get_if<h1::RequestReceived>(&e)) {
      check_request(*r);
      line("request " + std::to_string(r->request.value) + " " + std::string(r->method) + " " + std::string(r->target) +
           (r->version == h1::Version::http_1_0 ? " 1.0" : " 1.1") + (r->end_stream ? " end" : "") +
           (r->keep_alive ? " keep" : "") + (r->expects_continue ? " continue" : "") + (r->h2c_upgrade ? " h2c" : "") +
           " cl=" + (r->content_length ? std::to_string(*r->content_length) : "-"));
      fields(r->headers);
    } else if (const auto* d = std::get_if<h1::DataReceived>(&e)) {
      data(*d);
    } else if (const auto* t = std::get_if<h1::TrailersReceived>(&e)) {
      trailers(*t);
    } else if (const auto* p = std::get_if<h1::ProtocolError>(&e)) {
      // The status, not the finer reason: when input crosses two limits in one stretch (a long field line in a too
      // large section), which one is named depends on where it was cut; the answer is the same.
      line("error " + std::to_string(p->request.value) + " " + std::to_string(p->status) +
           (p->body_aborted ? " aborted" : ""));
    }
  }
  void refused(const char* what) { line(std::string("refused ") + what); }
};

class Client {
 public:
  explicit Client(std::uint8_t config) : conn_(options(config)), piecewise_((config & kPiecewiseBody) != 0) {}

  void feed(std::span<const std::byte> bytes) {
    handle(conn_.receive(bytes));
    for (int round = 0; round < kMaxRounds && conn_.wants_read() && conn_.has_held_input(); ++round) {
      handle(conn_.receive({}));
    }
    drain();
  }
  const Transcript& transcript() const noexcept { return transcript_; }
  const std::string& output() const noexcept { return output_; }

 private:
  static h1::Options options(std::uint8_t config) {
    h1::Options o;
    o.accept_bare_lf = (config & kBareLf) != 0;
    if ((config & kSmallLimits) != 0) {
      o.max_request_line = 64;
      o.max_field_line = 48;
      o.max_field_section = 256;
      o.max_fields = 6;
      o.max_trailer_section = 64;
      o.max_body_size = 100;
      o.max_chunk_extension = 8;
      o.max_pipelined_requests = 2;
    }
    return o;
  }

  // A request is answered once its body is complete, so that a broken body is always found before the answer,
  // whatever the pieces: when the answer comes first the core sends it instead of the error (events.hpp).
  void handle(std::span<const h1::Event> events) {
    for (const h1::Event& e : events) {
      transcript_.event(e);
      if (const auto* r = std::get_if<h1::RequestReceived>(&e)) {
        if (r->expects_continue) note("continue", conn_.accept_body(r->request).ok());
        if (r->end_stream)
          answer(r->request, r->version);
        else
          versions_.emplace_back(r->request.value, r->version);
      } else if (const auto* d = std::get_if<h1::DataReceived>(&e)) {
        if (d->end_stream) answer(d->request, take_version(d->request));
      } else if (const auto* t = std::get_if<h1::TrailersReceived>(&e)) {
        answer(t->request, take_version(t->request));
      }
    }
    drain();
  }

  h1::Version take_version(h1::RequestId id) {
    for (auto it = versions_.begin(); it != versions_.end(); ++it) {
      if (it->first == id.value) {
        const h1::Version v = it->second;
        versions_.erase(it);
        return v;
      }
    }
    fail("body end of an unknown request", std::to_string(id.value));
  }

  // A refused submit is not an error of the core (the connection may be closing after a later request's error),
  // but both connections must refuse the same ones.
  void note(const char* what, bool ok) {
    if (!ok) transcript_.refused(what);
  }

  void answer(h1::RequestId id, h1::Version version) {
    if (version == h1::Version::http_1_1) {
      const h1::Header hints[] = {{":status", "103"}, {"link", "</a.css>; rel=preload; as=style"}};
      note("103", conn_.submit_informational(id, hints).ok());
    }
    const std::string body = "body of request " + std::to_string(id.value);
    const h1::Header fields[] = {{":status", "200"}, {"content-type", "text/plain"}};
    const bool ok = conn_.submit_response(id, fields, false).ok();
    note("response", ok);
    if (!ok) return;
    const auto* data = reinterpret_cast<const std::byte*>(body.data());
    const std::size_t step = piecewise_ ? 5 : body.size();
    for (std::size_t at = 0; at < body.size(); at += step) {
      const std::size_t n = std::min(step, body.size() - at);
      note("data", conn_.send_data(id, {data + at, n}, at + n == body.size()).ok());
    }
  }

  void drain() {
    for (int round = 0; round < kMaxRounds; ++round) {
      const auto out = conn_.pending_output();
      if (out.empty()) return;
      output_.append(reinterpret_cast<const char*>(out.data()), out.size());
      conn_.consume_output(out.size());
    }
  }

  h1::ServerConnection conn_;
  bool piecewise_;
  std::vector<std::pair<std::uint64_t, h1::Version>> versions_;  // requests whose body is still coming
  Transcript transcript_;
  std::string output_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  h2push::fuzz::h1::target_name = "http1_server";
  const std::uint8_t config = data[0];
  Pieces pieces(data[1]);
  const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data + 2), size - 2);

  Client whole(config);
  whole.feed(input);

  Client split(config);
  for (std::size_t at = 0; at < input.size();) {
    const std::size_t n = std::min(pieces.next(), input.size() - at);
    split.feed(input.subspan(at, n));
    at += n;
  }

  expect_same("events", whole.transcript().text(), split.transcript().text());
  expect_same("output", without_continue(whole.output()), without_continue(split.output()));
  return 0;
}
