// src/client/frame_printer.hpp: prints HTTP/2 frames as `h2push get -v` shows them, in nghttp's style: one line per
// frame with a timestamp relative to the start, then its fields (SETTINGS entries, decoded header fields, promised
// stream, error codes, window increments). It reads the byte streams themselves, so it shows what went over the wire.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "h2push/hpack/decoder.hpp"
#include "http2/frame_reader.hpp"

namespace h2push::client {

// One direction of one connection. Decodes field blocks with its own HPACK decoder, which sees the same blocks in
// the same order as the real decoder, so its table stays in step.
class FrameTracer {
 public:
  // `sent`: our bytes (starting with the client magic); otherwise the server's.
  FrameTracer(bool sent, std::FILE* out, std::chrono::steady_clock::time_point start);

  // Traces the frames completed by `bytes`. A framing error stops the trace with one line saying so.
  void feed(std::span<const std::byte> bytes);

 private:
  void print(const http2::FrameView& frame);
  void print_fields(std::span<const std::byte> block);
  std::string stamp() const;

  bool sent_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  http2::FrameReader reader_;
  hpack::Decoder decoder_;
  std::vector<std::byte> block_;  // a field block spread over CONTINUATION frames
  bool failed_ = false;
};

}  // namespace h2push::client
