// src/http2/frame_reader.hpp: cuts an arbitrary byte stream into HTTP/2 frames (RFC 9113 §4.1, §4.2) and checks
// the peer's connection preface (§3.4). It looks at frame headers only; payloads go to the parse_* functions of
// frame.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "h2push/http2/types.hpp"
#include "h2push/result.hpp"
#include "http2/frame.hpp"

namespace h2push::http2 {

// A whole frame: its header and `header.length` payload octets.
struct FrameView {
  FrameHeader header;
  std::span<const std::byte> payload;
};

enum class PrefaceMatch : std::uint8_t {
  complete,  // the 24 octets of kClientPreface are all there
  partial,   // `bytes` is a proper prefix of kClientPreface (empty input included): wait for more
  mismatch,  // not the client preface
};

// Compares the start of `bytes` with the client connection preface without consuming anything, e.g. for a
// cleartext server telling prior-knowledge HTTP/2 (§3.3) from HTTP/1.1.
PrefaceMatch match_client_preface(std::span<const std::byte> bytes) noexcept;

// Which connection preface (§3.4) the reader expects from the peer before its first frame.
enum class PeerPreface : std::uint8_t {
  none,                 // no check: a stream that is already past the preface (tests, tracing)
  settings,             // a client reading a server: the first frame must be a SETTINGS frame without ACK
  magic_then_settings,  // a server reading a client (also after an h2c upgrade): kClientPreface, then SETTINGS
};

struct FrameReaderOptions {
  // Our SETTINGS_MAX_FRAME_SIZE in force, 16384..2^24-1 (§6.5.2). Raise it with set_max_frame_size() only once
  // the peer has acknowledged the SETTINGS that announced it.
  std::uint32_t max_frame_size = kDefaultMaxFrameSize;
  PeerPreface preface = PeerPreface::none;
};

// Incremental frame reader. Feed it chunks of any size; it hands out one whole frame per read() call.
//
// Memory: between calls it holds at most a partial frame header (< 9 octets) and, for a frame that did not lie
// whole in one input, its payload so far (<= max_frame_size octets). It keeps one more payload buffer so that a
// frame it assembled stays valid while the next one is being assembled (lifetime rule below); both grow on demand
// and are reused, so steady-state reading does not allocate.
//
// Payload lifetime: a frame that lies whole in `input` is not copied; its payload points into `input` and lives
// as long as that memory. A frame split across inputs is assembled in the reader (it can only be the first frame
// completed from an input); its payload stays valid until the reader begins to assemble the next split frame but
// one. In particular, every frame obtained from one input (calling read() until it returns std::nullopt) stays
// valid until read() has been called once with the following input.
class FrameReader {
 public:
  explicit FrameReader(const FrameReaderOptions& options = {}) noexcept;

  // Consumes octets from the front of `input` (advancing it) until one frame is complete, and returns it; or
  // returns std::nullopt once `input` is exhausted without completing a frame (all of it has been taken).
  // Errors are connection errors and latch: this and every later call return the same FrameError.
  //   bad_preface      (PROTOCOL_ERROR, §3.4): wrong client magic, or a first frame that is not SETTINGS (or is a
  //                    SETTINGS ACK) when options.preface asks for one;
  //   frame_too_large  (FRAME_SIZE_ERROR, §4.2): a length above max_frame_size(), reported as soon as the header
  //                    is complete, before any of the payload is read. §4.2 would let an oversized DATA frame be a
  //                    stream error, but skipping it would mean accepting a payload we never allowed, so every
  //                    type is treated as a connection error.
  [[nodiscard]] Result<std::optional<FrameView>, FrameError> read(std::span<const std::byte>& input);

  // Applies a new local SETTINGS_MAX_FRAME_SIZE (once ACKed); checked against frame headers completed from now
  // on. Precondition: 16384..2^24-1.
  void set_max_frame_size(std::uint32_t size) noexcept;
  std::uint32_t max_frame_size() const noexcept { return max_frame_size_; }

  bool failed() const noexcept { return error_.has_value(); }
  // Octets of the incomplete preface or frame consumed so far (header included); 0 at a frame boundary.
  std::size_t pending_octets() const noexcept {
    return (magic_left_ > 0 ? kClientPreface.size() - magic_left_ : 0) + (header_ ? kFrameHeaderSize : header_fill_) +
           payload_fill_;
  }

 private:
  Unexpected<FrameError> fail(FrameErrorKind kind, ErrorCode code) noexcept;

  std::uint32_t max_frame_size_;
  std::size_t magic_left_ = 0;    // client magic octets still expected
  bool expect_settings_ = false;  // the next frame must be the preface SETTINGS
  std::array<std::byte, kFrameHeaderSize> header_bytes_{};
  std::size_t header_fill_ = 0;
  std::optional<FrameHeader> header_;  // set once the current frame's header is complete
  std::array<std::vector<std::byte>, 2> buffers_;
  std::size_t current_ = 0;  // the buffer that assembles the next split payload
  std::size_t payload_fill_ = 0;
  std::optional<FrameError> error_;
};

}  // namespace h2push::http2
