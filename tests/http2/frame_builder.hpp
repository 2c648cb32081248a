// tests/http2/frame_builder.hpp: a fluent builder of raw peer bytes for HTTP/2 tests. It lays frames out by hand
// from the RFC 9113 §4.1/§6 diagrams and never calls the codec under test, so it can also produce what our
// writers refuse to: wrong lengths, reserved bits, frames on the wrong stream, undefined flags.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace h2push::http2::test {

using ByteVector = std::vector<std::byte>;

inline ByteVector bytes_of(std::string_view text) {
  ByteVector out;
  for (const char c : text) out.push_back(static_cast<std::byte>(c));
  return out;
}

// "00 0a ff" or "000aff" (spaces ignored) to bytes; the test's own typo is a programming error.
inline ByteVector from_hex(std::string_view hex) {
  auto nibble = [](char c) -> unsigned {
    if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
    return static_cast<unsigned>(c - 'A' + 10);
  };
  ByteVector out;
  std::optional<unsigned> high;
  for (const char c : hex) {
    if (c == ' ') continue;
    if (high) {
      out.push_back(static_cast<std::byte>((*high << 4) | nibble(c)));
      high.reset();
    } else {
      high = nibble(c);
    }
  }
  return out;
}

class FrameBuilder {
 public:
  // Frame types and flags as raw octets (tests must be able to send anything).
  static constexpr std::uint8_t kData = 0x0, kHeaders = 0x1, kPriority = 0x2, kRstStream = 0x3, kSettings = 0x4,
                                kPushPromise = 0x5, kPing = 0x6, kGoaway = 0x7, kWindowUpdate = 0x8,
                                kContinuation = 0x9, kPriorityUpdate = 0x10;
  static constexpr std::uint8_t kEndStream = 0x1, kAck = 0x1, kEndHeaders = 0x4, kPadded = 0x8, kPriorityFlag = 0x20;

  // Any frame. `stream` is the raw 32-bit word, so the reserved bit can be set.
  FrameBuilder& frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream, std::span<const std::byte> payload) {
    return frame_with_length(static_cast<std::uint32_t>(payload.size()), type, flags, stream, payload);
  }
  // A frame whose header announces `length` whatever the payload that follows (for truncation and size tests).
  FrameBuilder& frame_with_length(std::uint32_t length, std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                                  std::span<const std::byte> payload) {
    put24(length);
    put8(type);
    put8(flags);
    put32(stream);
    raw(payload);
    return *this;
  }
  // Only a frame header.
  FrameBuilder& header(std::uint32_t length, std::uint8_t type, std::uint8_t flags, std::uint32_t stream) {
    return frame_with_length(length, type, flags, stream, {});
  }

  FrameBuilder& raw(std::span<const std::byte> b) {
    append(bytes_, b);
    return *this;
  }
  FrameBuilder& raw(std::string_view text) { return raw(bytes_of(text)); }
  FrameBuilder& client_magic() { return raw(std::string_view("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")); }

  // DATA; `pad` adds PADDED, a Pad Length octet and `pad` octets of `pad_octet`.
  FrameBuilder& data(std::uint32_t stream, std::string_view body, std::uint8_t flags = 0,
                     std::optional<std::uint8_t> pad = std::nullopt, std::byte pad_octet = std::byte{0}) {
    return padded(kData, flags, stream, {}, bytes_of(body), pad, pad_octet);
  }
  // HEADERS; `priority` = {dependency word incl. E bit, weight octet} adds the PRIORITY flag and fields.
  FrameBuilder& headers(std::uint32_t stream, std::span<const std::byte> block, std::uint8_t flags = kEndHeaders,
                        std::optional<std::uint8_t> pad = std::nullopt,
                        std::optional<std::pair<std::uint32_t, std::uint8_t>> priority = std::nullopt) {
    ByteVector fields;
    if (priority) {
      flags |= kPriorityFlag;
      append32(fields, priority->first);
      fields.push_back(std::byte{priority->second});
    }
    return padded(kHeaders, flags, stream, fields, block, pad, std::byte{0});
  }
  FrameBuilder& priority(std::uint32_t stream, std::uint32_t dependency_word, std::uint8_t weight_octet) {
    ByteVector p;
    append32(p, dependency_word);
    p.push_back(std::byte{weight_octet});
    return frame(kPriority, 0, stream, p);
  }
  FrameBuilder& rst_stream(std::uint32_t stream, std::uint32_t code) {
    ByteVector p;
    append32(p, code);
    return frame(kRstStream, 0, stream, p);
  }
  FrameBuilder& settings(std::initializer_list<std::pair<std::uint16_t, std::uint32_t>> entries,
                         std::uint32_t stream = 0) {
    ByteVector p;
    for (const auto& [id, value] : entries) {
      p.push_back(static_cast<std::byte>(id >> 8));
      p.push_back(static_cast<std::byte>(id & 0xff));
      append32(p, value);
    }
    return frame(kSettings, 0, stream, p);
  }
  FrameBuilder& settings_ack() { return frame(kSettings, kAck, 0, {}); }
  FrameBuilder& push_promise(std::uint32_t stream, std::uint32_t promised_word, std::span<const std::byte> block,
                             std::uint8_t flags = kEndHeaders, std::optional<std::uint8_t> pad = std::nullopt) {
    ByteVector fields;
    append32(fields, promised_word);
    return padded(kPushPromise, flags, stream, fields, block, pad, std::byte{0});
  }
  FrameBuilder& ping(std::uint64_t opaque, bool ack = false, std::uint32_t stream = 0) {
    ByteVector p;
    append32(p, static_cast<std::uint32_t>(opaque >> 32));
    append32(p, static_cast<std::uint32_t>(opaque));
    return frame(kPing, ack ? kAck : std::uint8_t{0}, stream, p);
  }
  FrameBuilder& goaway(std::uint32_t last_stream_word, std::uint32_t code, std::string_view debug = {},
                       std::uint32_t stream = 0) {
    ByteVector p;
    append32(p, last_stream_word);
    append32(p, code);
    append(p, bytes_of(debug));
    return frame(kGoaway, 0, stream, p);
  }
  FrameBuilder& window_update(std::uint32_t stream, std::uint32_t increment_word) {
    ByteVector p;
    append32(p, increment_word);
    return frame(kWindowUpdate, 0, stream, p);
  }
  FrameBuilder& continuation(std::uint32_t stream, std::span<const std::byte> block, std::uint8_t flags = kEndHeaders) {
    return frame(kContinuation, flags, stream, block);
  }
  FrameBuilder& priority_update(std::uint32_t prioritized_word, std::string_view value, std::uint32_t stream = 0) {
    ByteVector p;
    append32(p, prioritized_word);
    append(p, bytes_of(value));
    return frame(kPriorityUpdate, 0, stream, p);
  }

  const ByteVector& bytes() const { return bytes_; }
  std::span<const std::byte> span() const { return bytes_; }
  std::size_t size() const { return bytes_.size(); }

 private:
  // Octet by octet: GCC 12's -Wstringop-overflow misfires on vector range inserts after push_back.
  static void append(ByteVector& v, std::span<const std::byte> b) {
    for (const std::byte x : b) v.push_back(x);
  }
  static void append32(ByteVector& v, std::uint32_t x) {
    for (int shift = 24; shift >= 0; shift -= 8) v.push_back(static_cast<std::byte>((x >> shift) & 0xff));
  }
  void put8(std::uint8_t x) { bytes_.push_back(std::byte{x}); }
  void put24(std::uint32_t x) {
    put8(static_cast<std::uint8_t>(x >> 16));
    put8(static_cast<std::uint8_t>(x >> 8));
    put8(static_cast<std::uint8_t>(x));
  }
  void put32(std::uint32_t x) { append32(bytes_, x); }

  // [Pad Length] fields body [padding]
  FrameBuilder& padded(std::uint8_t type, std::uint8_t flags, std::uint32_t stream, std::span<const std::byte> fields,
                       std::span<const std::byte> body, std::optional<std::uint8_t> pad, std::byte pad_octet) {
    ByteVector p;
    if (pad) {
      flags |= kPadded;
      p.push_back(std::byte{*pad});
    }
    append(p, fields);
    append(p, body);
    if (pad) p.insert(p.end(), *pad, pad_octet);
    return frame(type, flags, stream, p);
  }

  ByteVector bytes_;
};

}  // namespace h2push::http2::test
