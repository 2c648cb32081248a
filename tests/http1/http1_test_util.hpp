// tests/http1/http1_test_util.hpp: helpers for the HTTP/1.1 core tests: byte views, an event recorder that copies
// what events point at, output draining, and a small response parser playing the client.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "h2push/body_source.hpp"
#include "h2push/http1/server_connection.hpp"

namespace h2push::http1::testing {

inline std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }
inline std::string text(std::span<const std::byte> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

using Fields = std::vector<std::pair<std::string, std::string>>;

inline Fields copy_fields(std::span<const Header> headers) {
  Fields out;
  for (const Header& h : headers) out.emplace_back(std::string(h.name), std::string(h.value));
  return out;
}

struct OwnedRequest {
  RequestId id;
  Version version = Version::http_1_1;
  std::string method;
  std::string target;
  Fields headers;
  bool end_stream = false;
  std::optional<std::uint64_t> content_length;
  bool keep_alive = false;
  bool expects_continue = false;
  bool h2c_upgrade = false;
  std::string http2_settings;
};

// Copies everything the events point at, so tests may look at it after later calls.
struct Recorder {
  std::vector<OwnedRequest> requests;
  std::map<std::uint64_t, std::string> bodies;
  std::map<std::uint64_t, bool> ended;
  std::map<std::uint64_t, Fields> trailers;
  std::vector<ProtocolError> errors;
  std::size_t events = 0;

  void add(std::span<const Event> list) {
    for (const Event& e : list) {
      ++events;
      if (const auto* r = std::get_if<RequestReceived>(&e)) {
        OwnedRequest o;
        o.id = r->request;
        o.version = r->version;
        o.method = std::string(r->method);
        o.target = std::string(r->target);
        o.headers = copy_fields(r->headers);
        o.end_stream = r->end_stream;
        o.content_length = r->content_length;
        o.keep_alive = r->keep_alive;
        o.expects_continue = r->expects_continue;
        o.h2c_upgrade = r->h2c_upgrade;
        o.http2_settings = text(r->http2_settings);
        if (r->end_stream) ended[r->request.value] = true;
        requests.push_back(std::move(o));
      } else if (const auto* d = std::get_if<DataReceived>(&e)) {
        EXPECT_FALSE(ended[d->request.value]) << "data after the end of the body";
        bodies[d->request.value] += text(d->data);
        if (d->end_stream) ended[d->request.value] = true;
      } else if (const auto* t = std::get_if<TrailersReceived>(&e)) {
        EXPECT_FALSE(ended[t->request.value]) << "trailers after the end of the body";
        trailers[t->request.value] = copy_fields(t->headers);
        ended[t->request.value] = true;
      } else if (const auto* p = std::get_if<ProtocolError>(&e)) {
        errors.push_back(*p);
      }
    }
  }
};

// Feeds `input` in one call and records the events.
inline void feed(ServerConnection& conn, std::string_view input, Recorder& rec) { rec.add(conn.receive(bytes(input))); }

// Feeds `input` in pieces of `piece` octets, each from its own buffer (so nothing may point into an earlier one).
inline void feed_split(ServerConnection& conn, std::string_view input, std::size_t piece, Recorder& rec) {
  for (std::size_t at = 0; at < input.size(); at += piece) {
    const std::string part(input.substr(at, piece));
    rec.add(conn.receive(bytes(part)));
  }
}

// Takes all pending output, `step` octets at a time.
inline std::string drain(ServerConnection& conn, std::size_t step = SIZE_MAX) {
  std::string all;
  for (auto out = conn.pending_output(); !out.empty(); out = conn.pending_output()) {
    const std::size_t n = std::min(step, out.size());
    all += text(out.first(n));
    conn.consume_output(n);
  }
  return all;
}

inline Status<Errc> respond(ServerConnection& conn, RequestId id, std::string_view status, std::string_view body,
                            std::vector<Header> extra = {}) {
  std::vector<Header> fields{{":status", status}};
  fields.insert(fields.end(), extra.begin(), extra.end());
  const std::string length = std::to_string(body.size());
  fields.push_back({"content-length", length});
  auto st = conn.submit_response(id, fields, body.empty());
  if (!st || body.empty()) return st;
  return conn.send_data(id, bytes(body), true);
}

// One response as a client would read it.
struct Response {
  int status = 0;
  Fields headers;
  std::string body;
  bool chunked = false;
  Fields trailers;
  std::string field(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      std::string lower;
      for (char c : n) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == name) return v;
    }
    return {};
  }
};

// Splits `wire` into responses (1xx included). `no_body[i]`: the i-th final response answers a HEAD request.
// A response without Content-Length or chunked framing runs to the end of `wire`. Fails the test on bad framing.
inline std::vector<Response> parse_responses(std::string_view wire, std::vector<bool> no_body = {}) {
  std::vector<Response> out;
  std::size_t finals = 0;
  while (!wire.empty()) {
    const std::size_t head_end = wire.find("\r\n\r\n");
    if (head_end == std::string_view::npos) {
      ADD_FAILURE() << "incomplete head: " << wire;
      return out;
    }
    std::string_view head = wire.substr(0, head_end + 2);
    wire.remove_prefix(head_end + 4);
    Response r;
    const std::size_t eol = head.find("\r\n");
    const std::string_view status_line = head.substr(0, eol);
    EXPECT_EQ(status_line.substr(0, 9), "HTTP/1.1 ") << status_line;
    r.status = std::stoi(std::string(status_line.substr(9, 3)));
    head.remove_prefix(eol + 2);
    while (!head.empty()) {
      const std::size_t e = head.find("\r\n");
      const std::string_view line = head.substr(0, e);
      const std::size_t colon = line.find(':');
      r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 2)));
      head.remove_prefix(e + 2);
    }
    if (r.status >= 200) {
      const bool head_request = finals < no_body.size() && no_body[finals];
      ++finals;
      const std::string length = r.field("content-length");
      if (head_request || r.status == 204 || r.status == 304) {
      } else if (r.field("transfer-encoding") == "chunked") {
        r.chunked = true;
        while (true) {
          const std::size_t e = wire.find("\r\n");
          const std::size_t size = std::stoul(std::string(wire.substr(0, e)), nullptr, 16);
          wire.remove_prefix(e + 2);
          if (size == 0) break;
          r.body += std::string(wire.substr(0, size));
          EXPECT_EQ(wire.substr(size, 2), "\r\n");
          wire.remove_prefix(size + 2);
        }
        while (true) {
          const std::size_t e = wire.find("\r\n");
          const std::string_view line = wire.substr(0, e);
          wire.remove_prefix(e + 2);
          if (line.empty()) break;
          const std::size_t colon = line.find(':');
          r.trailers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 2)));
        }
      } else if (!length.empty()) {
        const std::size_t n = std::stoul(length);
        EXPECT_LE(n, wire.size());
        r.body = std::string(wire.substr(0, n));
        wire.remove_prefix(std::min(n, wire.size()));
      } else {
        r.body = std::string(wire);
        wire = {};
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

// A body produced in pieces of `piece` octets; can pause (returns 0) every `pause_every` reads, or fail.
class StringSource : public BodySource {
 public:
  explicit StringSource(std::string data, std::size_t piece = SIZE_MAX, std::size_t* reads = nullptr)
      : data_(std::move(data)), piece_(piece), reads_(reads) {}
  Read read(std::span<std::byte> out) override {
    if (reads_ != nullptr) ++*reads_;
    if (fail_at_ != SIZE_MAX && at_ >= fail_at_) return Read{0, false, true};
    if (pause_ && !paused_once_) {
      paused_once_ = true;
      return Read{0, false, false};
    }
    if (at_ == data_.size()) return Read{0, true, false};
    const std::size_t n = std::min({out.size(), piece_, data_.size() - at_});
    std::memcpy(out.data(), data_.data() + at_, n);
    at_ += n;
    return Read{n, at_ == data_.size() && end_with_data_, false};
  }
  StringSource& fail_at(std::size_t at) {
    fail_at_ = at;
    return *this;
  }
  StringSource& pause_once() {
    pause_ = true;
    return *this;
  }
  StringSource& separate_end() {  // the end comes in a read of its own
    end_with_data_ = false;
    return *this;
  }

 private:
  std::string data_;
  std::size_t piece_;
  std::size_t* reads_;
  std::size_t at_ = 0;
  std::size_t fail_at_ = SIZE_MAX;
  bool pause_ = false;
  bool paused_once_ = false;
  bool end_with_data_ = true;
};

}  // namespace h2push::http1::testing
