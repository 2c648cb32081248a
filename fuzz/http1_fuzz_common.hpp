// fuzz/http1_fuzz_common.hpp: what the HTTP/1.1 fuzz targets (http1_server, http1_client) share: the checks every
// parsed field must pass, a transcript of events in which piece boundaries no longer show, the generator of piece
// sizes, and the whole-versus-split comparison.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "h2push/http1/events.hpp"

namespace h2push::fuzz::h1 {

inline const char* target_name = "http1";

[[noreturn]] inline void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "%s: %s: %.*s\n", target_name, what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline bool is_tchar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if ((u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A field as the parsers report it: a lower-case token name, a value without CR, LF, NUL or surrounding whitespace.
inline void check_field(const http1::Header& h) {
  if (h.name.empty()) fail("empty field name", h.value);
  for (char c : h.name) {
    if (!is_tchar(c) || (c >= 'A' && c <= 'Z')) fail("bad field name", h.name);
  }
  for (char c : h.value) {
    if (c == '\r' || c == '\n' || c == '\0') fail("CR, LF or NUL in a value", h.name);
  }
  if (!h.value.empty() &&
      (h.value.front() == ' ' || h.value.front() == '\t' || h.value.back() == ' ' || h.value.back() == '\t')) {
    fail("value not trimmed", h.value);
  }
}

// What a connection reported, one line per event, with the body octets of a request or response as one run
// whatever the pieces they came in.
class Transcript {
 public:
  void line(const std::string& s) {
    text_ += '\n';
    text_ += s;
    last_key_.clear();
  }
  void fields(std::span<const http1::Header> headers) {
    for (const http1::Header& h : headers) {
      check_field(h);
      line("  " + std::string(h.name) + ": " + std::string(h.value));
    }
  }
  void data(const http1::DataReceived& d) {
    const std::string key = "data " + std::to_string(d.request.value) + ":";
    if (last_key_ != key) {
      line(key);
      last_key_ = key;
    }
    text_.append(reinterpret_cast<const char*>(d.data.data()), d.data.size());
    if (d.end_stream) line("end " + std::to_string(d.request.value));
  }
  void trailers(const http1::TrailersReceived& t) {
    line("trailers " + std::to_string(t.request.value));
    fields(t.headers);
  }
  const std::string& text() const noexcept { return text_; }

 private:
  std::string text_;
  std::string last_key_;  // the run the next body octets continue, if any
};

// Piece sizes from a seed: mostly 1-7 octets (splitting inside tokens, CRLFs and chunk sizes), now and then a few
// hundred.
class Pieces {
 public:
  explicit Pieces(std::uint8_t seed) : state_(0x9E3779B9u ^ seed) {}
  std::size_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return (state_ & 7) == 0 ? 64 + (state_ >> 8) % 512 : 1 + (state_ >> 8) % 7;
  }

 private:
  std::uint32_t state_;
};

// Aborts with both sides printed when a connection fed whole and one fed in pieces disagree.
inline void expect_same(const char* what, const std::string& whole, const std::string& split) {
  if (whole == split) return;
  std::fprintf(stderr, "MISMATCH in %s\n--- whole:\n%s\n--- split:\n%s\n", what, whole.c_str(), split.c_str());
  std::abort();
}

// `output` without its 100 (Continue) responses: a server may omit one when some of the content has already
// arrived (RFC 9110 §10.1.1), so whether it is sent depends on where the input was cut.
inline std::string without_continue(std::string output) {
  constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  for (std::size_t at = output.find(kContinue); at != std::string::npos; at = output.find(kContinue, at)) {
    output.erase(at, kContinue.size());
  }
  return output;
}

}  // namespace h2push::fuzz::h1
