// src/http2/frame_reader.cpp: preface check and frame cutting; see frame_reader.hpp for the memory rules.
#include "http2/frame_reader.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace h2push::http2 {

PrefaceMatch match_client_preface(std::span<const std::byte> bytes) noexcept {
  const std::size_t n = std::min(bytes.size(), kClientPreface.size());
  if (n > 0 && std::memcmp(bytes.data(), kClientPreface.data(), n) != 0) return PrefaceMatch::mismatch;
  return n == kClientPreface.size() ? PrefaceMatch::complete : PrefaceMatch::partial;
}

FrameReader::FrameReader(const FrameReaderOptions& options) noexcept
    : max_frame_size_(options.max_frame_size),
      magic_left_(options.preface == PeerPreface::magic_then_settings ? kClientPreface.size() : 0),
      expect_settings_(options.preface != PeerPreface::none) {
  assert(max_frame_size_ >= kDefaultMaxFrameSize && max_frame_size_ <= kMaxAllowedFrameSize);
}

void FrameReader::set_max_frame_size(std::uint32_t size) noexcept {
  assert(size >= kDefaultMaxFrameSize && size <= kMaxAllowedFrameSize);
  max_frame_size_ = size;
}

Unexpected<FrameError> FrameReader::fail(FrameErrorKind kind, ErrorCode code) noexcept {
  error_ = FrameError{kind, code, ErrorScope::connection, {}};
  return Unexpected{*error_};
}

Result<std::optional<FrameView>, FrameError> FrameReader::read(std::span<const std::byte>& input) {
  using NoFrame = std::optional<FrameView>;
  if (error_) return Unexpected{*error_};

  if (magic_left_ > 0) {
    const std::size_t n = std::min(input.size(), magic_left_);
    const std::size_t matched = kClientPreface.size() - magic_left_;
    // §3.4: a preface that does not match is a connection error of type PROTOCOL_ERROR.
    if (n > 0 && std::memcmp(input.data(), kClientPreface.data() + matched, n) != 0) {
      return fail(FrameErrorKind::bad_preface, ErrorCode::protocol_error);
    }
    magic_left_ -= n;
    input = input.subspan(n);
    if (magic_left_ > 0) return NoFrame{};
  }

  if (!header_) {
    if (header_fill_ == 0 && input.size() >= kFrameHeaderSize) {
      header_ = parse_frame_header(input.first<kFrameHeaderSize>());
      input = input.subspan(kFrameHeaderSize);
    } else {
      const std::size_t n = std::min(input.size(), kFrameHeaderSize - header_fill_);
      std::copy_n(input.begin(), n, header_bytes_.begin() + static_cast<std::ptrdiff_t>(header_fill_));
      header_fill_ += n;
      input = input.subspan(n);
      if (header_fill_ < kFrameHeaderSize) return NoFrame{};
      header_fill_ = 0;
      header_ = parse_frame_header(header_bytes_);
    }
    if (expect_settings_) {
      // §3.4: "The server connection preface consists of a potentially empty SETTINGS frame" that "MUST be the
      // first frame", and the client's SETTINGS follows its magic; an ACK acknowledges nothing yet, so it cannot be
      // that frame. Otherwise PROTOCOL_ERROR.
      if (header_->type != FrameType::settings || header_->has(kAck)) {
        return fail(FrameErrorKind::bad_preface, ErrorCode::protocol_error);
      }
      expect_settings_ = false;
    }
    // §4.2: "An endpoint MUST send an error code of FRAME_SIZE_ERROR if a frame exceeds the size defined in
    // SETTINGS_MAX_FRAME_SIZE". Judged before reading any payload, so nothing oversized is ever buffered.
    if (header_->length > max_frame_size_) return fail(FrameErrorKind::frame_too_large, ErrorCode::frame_size_error);
  }

  const FrameHeader header = *header_;
  if (payload_fill_ == 0 && input.size() >= header.length) {
    // Zero copy: the whole payload is in this input.
    const auto payload = input.first(header.length);
    input = input.subspan(header.length);
    header_.reset();
    return NoFrame{FrameView{header, payload}};
  }

  std::vector<std::byte>& buffer = buffers_[current_];
  if (payload_fill_ == 0) buffer.resize(header.length);
  const std::size_t n = std::min(input.size(), header.length - payload_fill_);
  std::copy_n(input.begin(), n, buffer.begin() + static_cast<std::ptrdiff_t>(payload_fill_));
  payload_fill_ += n;
  input = input.subspan(n);
  if (payload_fill_ < header.length) return NoFrame{};

  payload_fill_ = 0;
  header_.reset();
  current_ ^= 1U;  // keep this payload intact while the next split frame is assembled in the other buffer
  return NoFrame{FrameView{header, std::span<const std::byte>(buffer.data(), header.length)}};
}

}  // namespace h2push::http2
