// fuzz/fuzz_input.hpp: the byte formats the HPACK fuzz targets read, and writers for their seed corpora.
//
// Both formats are sequences of records so that libFuzzer's byte mutations (insert, erase, copy) keep producing
// well-formed programs: a length that no longer fits is clamped to what remains, and the input simply ends where it
// ends. Lengths use one octet below 0x80 and two octets (15 bits) otherwise.
//
// hpack_decode (differential against libnghttp2's inflater):
//   input   := record*
//   record  := 0xFF size:u16be             our SETTINGS_HEADER_TABLE_SIZE took effect (both decoders)
//            | length bytes{length}        one complete header block; length := len0 (< 0x80)
//                                          | len0 (0x80..0xFE) len1 meaning ((len0 & 0x7F) << 8) | len1
//
// hpack_roundtrip (our encoder, then our decoder and libnghttp2's inflater):
//   input   := config record*
//   config  := flags:u8 cap:u16be          flags bit 0: Huffman on; bits 1-3: passes - 1 (the records are replayed
//                                          that many times on the same connection); cap: EncoderOptions::max_table_size
//   record  := 0xFF size:u16be             the peer's SETTINGS_HEADER_TABLE_SIZE changed (both ends agree)
//            | count:u8 (< 0xFF) field{count}  one header block
//   field   := flags:u8 name string        flags bit 0: never_index; bit 1: name := u8 index into kKnownNames,
//                                          else name := string
//   string  := length bytes{length}
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace h2push::fuzz {

inline constexpr std::uint8_t kSettingsRecord = 0xFF;
inline constexpr std::size_t kMaxShortLength = 0x7F;
inline constexpr std::size_t kMaxLength = 0x7FFF;       // a roundtrip string
inline constexpr std::size_t kMaxBlockLength = 0x7EFF;  // a decode block: its first octet must not be 0xFF
inline constexpr std::uint8_t kFieldNeverIndex = 0x01;
inline constexpr std::uint8_t kFieldKnownName = 0x02;
inline constexpr std::uint8_t kConfigHuffman = 0x01;
inline constexpr std::uint8_t kConfigPassesMask = 0x0E;
inline constexpr int kConfigPassesShift = 1;

// Names the roundtrip target can pick with one octet: the static table's names (RFC 7541 Appendix A), the names the
// encoder treats specially, and a few common ones that are in no table.
inline constexpr std::array<std::string_view, 64> kKnownNames = {
    ":authority",
    ":method",
    ":path",
    ":scheme",
    ":status",
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "accept",
    "access-control-allow-origin",
    "age",
    "allow",
    "authorization",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-range",
    "content-type",
    "cookie",
    "date",
    "etag",
    "expect",
    "expires",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "last-modified",
    "link",
    "location",
    "max-forwards",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "referer",
    "refresh",
    "retry-after",
    "server",
    "set-cookie",
    "strict-transport-security",
    "transfer-encoding",
    "user-agent",
    "vary",
    "via",
    "www-authenticate",
    "x-forwarded-for",
    "x-request-id",
    "upgrade-insecure-requests",
    "sec-fetch-mode",
    "priority",
    "te",
    "alt-svc",
    "x-content-type-options",
    "x-frame-options",
    "grpc-status",
    "",
    "x-custom-header-with-a-rather-long-name-to-cross-the-prefix",
};

// Consumes an input front to back; every read past the end yields nothing and leaves the reader exhausted.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}

  bool empty() const noexcept { return pos_ >= data_.size(); }

  std::optional<std::uint8_t> byte() noexcept {
    if (empty()) return std::nullopt;
    return data_[pos_++];
  }

  std::optional<std::uint16_t> u16() noexcept {
    if (data_.size() - pos_ < 2) {
      pos_ = data_.size();
      return std::nullopt;
    }
    const auto value = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return value;
  }

  // A length whose first octet `first` was already read; the second octet, when needed, is read here.
  std::size_t length_after(std::uint8_t first) noexcept {
    if (first <= kMaxShortLength) return first;
    const auto second = byte().value_or(0);
    return (static_cast<std::size_t>(first & 0x7F) << 8) | second;
  }

  // Up to `n` octets: fewer when the input ends first.
  std::span<const std::uint8_t> bytes(std::size_t n) noexcept {
    const std::size_t take = n < data_.size() - pos_ ? n : data_.size() - pos_;
    const auto out = data_.subspan(pos_, take);
    pos_ += take;
    return out;
  }

  // A `string` of the roundtrip format.
  std::string_view string() noexcept {
    const auto first = byte();
    if (!first) return {};
    const auto view = bytes(length_after(*first));
    return {reinterpret_cast<const char*>(view.data()), view.size()};
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

// Writers for seeds. A length above kMaxLength cannot be written; callers keep seeds small.
inline void put_length(std::vector<std::uint8_t>& out, std::size_t length) {
  if (length <= kMaxShortLength) {
    out.push_back(static_cast<std::uint8_t>(length));
    return;
  }
  out.push_back(static_cast<std::uint8_t>(0x80 | (length >> 8)));
  out.push_back(static_cast<std::uint8_t>(length & 0xFF));
}

inline void put_settings(std::vector<std::uint8_t>& out, std::uint16_t size) {
  out.push_back(kSettingsRecord);
  out.push_back(static_cast<std::uint8_t>(size >> 8));
  out.push_back(static_cast<std::uint8_t>(size & 0xFF));
}

inline void put_string(std::vector<std::uint8_t>& out, std::string_view text) {
  put_length(out, text.size());
  out.insert(out.end(), text.begin(), text.end());
}

// Index of `name` in kKnownNames, if it is there.
inline std::optional<std::uint8_t> known_name_index(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kKnownNames.size(); ++i) {
    if (kKnownNames[i] == name) return static_cast<std::uint8_t>(i);
  }
  return std::nullopt;
}

}  // namespace h2push::fuzz
