// src/http1/body_decoder.hpp: decodes a Content-Length or chunked message body (RFC 9112 §6.2, §7.1) piece by
// piece, pointing into the input. Used for request bodies now and response bodies by a client later. The trailer
// section after the last chunk is left to SectionScanner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "h2push/http1/types.hpp"

namespace h2push::http1::detail {

struct BodyStep {
  std::size_t consumed = 0;         // input octets used
  std::span<const std::byte> data;  // body octets found, inside the input (at most one run per step)
  bool end = false;                 // Content-Length: the body is complete; chunked: the last-chunk line was read
                                    // and the trailer section follows
  std::optional<ParseError> error;  // the decoder is unusable after an error
};

class BodyDecoder {
 public:
  void start_content_length(std::uint64_t length);
  // max_body: the sum of chunk sizes allowed (413 past it); max_extension: extension octets per chunk-size line.
  void start_chunked(std::uint64_t max_body, std::size_t max_extension);
  // Decodes from `in`; returns after each data run, at the end, or when `in` is used up.
  BodyStep feed(std::span<const std::byte> in);
  std::uint64_t received() const noexcept { return received_; }  // body octets so far

 private:
  enum class State : std::uint8_t { length, size, size_ws, extension, size_lf, data, data_cr, data_lf, done };
  BodyStep feed_chunked(std::span<const std::byte> in);

  State state_ = State::done;
  std::uint64_t remaining_ = 0;  // octets left in the body (Content-Length) or in the current chunk
  std::uint64_t chunk_size_ = 0;
  std::size_t digits_ = 0;
  std::size_t extension_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t max_body_ = 0;
  std::size_t max_extension_ = 0;
};

}  // namespace h2push::http1::detail
