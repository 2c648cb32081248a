// src/http1/body_decoder.cpp
#include "http1/body_decoder.hpp"

#include <algorithm>

#include "http1/chars.hpp"

namespace h2push::http1::detail {

void BodyDecoder::start_content_length(std::uint64_t length) {
  state_ = length == 0 ? State::done : State::length;
  remaining_ = length;
  received_ = 0;
}

void BodyDecoder::start_chunked(std::uint64_t max_body, std::size_t max_extension) {
  state_ = State::size;
  chunk_size_ = 0;
  digits_ = 0;
  extension_ = 0;
  received_ = 0;
  max_body_ = max_body;
  max_extension_ = max_extension;
}

BodyStep BodyDecoder::feed(std::span<const std::byte> in) {
  if (state_ != State::length) return feed_chunked(in);
  BodyStep step;
  const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size()));
  step.data = in.first(take);
  step.consumed = take;
  remaining_ -= take;
  received_ += take;
  if (remaining_ == 0) {
    state_ = State::done;
    step.end = true;
  }
  return step;
}

// chunked-body = *chunk last-chunk trailer-section CRLF; chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF.
// Strict: CRLF only (lenient line endings in chunk framing are a known desync vector), 1-16 hex digits,
// extensions bounded (SECURITY.md §11) and free of controls but otherwise not interpreted.
BodyStep BodyDecoder::feed_chunked(std::span<const std::byte> in) {
  BodyStep step;
  std::size_t pos = 0;
  auto fail = [&](ParseError e) {
    state_ = State::done;
    step.consumed = pos;
    step.error = e;
    return step;
  };
  while (pos < in.size()) {
    const char c = static_cast<char>(in[pos]);
    switch (state_) {
      case State::size: {
        const int v = hex_value(c);
        if (v >= 0) {
          if (++digits_ > 16) return fail(ParseError::chunk_size_overflow);
          chunk_size_ = (chunk_size_ << 4) | static_cast<std::uint64_t>(v);
          ++pos;
          break;
        }
        if (digits_ == 0) return fail(ParseError::invalid_chunk_size);
        if (c == '\r') {
          state_ = State::size_lf;
        } else if (c == ';') {
          state_ = State::extension;
          ++extension_;  // the ';' counts: the limit is on the whole chunk-ext
        } else if (is_ows(c)) {
          state_ = State::size_ws;  // BWS before ';' (RFC 9112 §7.1.1)
          ++extension_;
        } else if (c == '\n') {
          return fail(ParseError::bare_lf);
        } else {
          return fail(ParseError::invalid_chunk_size);
        }
        ++pos;
        break;
      }
      case State::size_ws:
        if (c == ';') {
          state_ = State::extension;
        } else if (!is_ows(c)) {
          return fail(ParseError::invalid_chunk_extension);
        }
        if (++extension_ > max_extension_) return fail(ParseError::chunk_extension_too_long);
        ++pos;
        break;
      case State::extension:
        if (c == '\r') {
          state_ = State::size_lf;
        } else if (c == '\n') {
          return fail(ParseError::bare_lf);
        } else if (!is_field_value_char(c)) {
          return fail(ParseError::invalid_chunk_extension);
        } else if (++extension_ > max_extension_) {
          return fail(ParseError::chunk_extension_too_long);
        }
        ++pos;
        break;
      case State::size_lf:
        if (c != '\n') return fail(ParseError::bare_cr);
        ++pos;
        if (chunk_size_ > max_body_ - received_) {  // received_ <= max_body_ always holds here
          return fail(ParseError::body_too_large);
        }
        if (chunk_size_ == 0) {
          state_ = State::done;
          step.consumed = pos;
          step.end = true;
          return step;
        }
        remaining_ = chunk_size_;
        state_ = State::data;
        break;
      case State::data: {
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size() - pos));
        step.data = in.subspan(pos, take);
        pos += take;
        remaining_ -= take;
        received_ += take;
        if (remaining_ == 0) state_ = State::data_cr;
        step.consumed = pos;
        return step;
      }
      case State::data_cr:
        if (c != '\r') return fail(ParseError::missing_chunk_crlf);
        state_ = State::data_lf;
        ++pos;
        break;
      case State::data_lf:
        if (c != '\n') return fail(ParseError::missing_chunk_crlf);
        state_ = State::size;
        chunk_size_ = 0;
        digits_ = 0;
        extension_ = 0;
        ++pos;
        break;
      case State::length:
      case State::done:
        step.consumed = pos;
        return step;
    }
  }
  step.consumed = pos;
  return step;
}

}  // namespace h2push::http1::detail
