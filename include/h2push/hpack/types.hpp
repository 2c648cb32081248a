// include/h2push/hpack/types.hpp: header fields and decoding errors shared by the HPACK encoder and decoder.
#pragma once

#include <cstdint>
#include <string_view>

namespace h2push::hpack {

// One header field. Names are expected in lowercase (HTTP/2 requires it; the codec does not check).
// `never_index` asks the encoder for a never-indexed literal (RFC 7541 §6.2.3) and is set by the decoder when the
// peer sent one, so that an intermediary can keep the field never-indexed when it forwards it (§7.1.3).
struct Header {
  std::string_view name;
  std::string_view value;
  bool never_index = false;

  friend bool operator==(const Header&, const Header&) = default;
};

// RFC 7541 §4.1 / RFC 9113 §6.5.2: an entry's size, and a header list's, count 32 octets of overhead per field.
inline constexpr std::uint32_t kEntryOverhead = 32;
inline constexpr std::uint32_t kDefaultTableSize = 4096;

// Everything that can be wrong with a header block. All but `header_list_too_large` are fatal: the decoding
// context is lost and in HTTP/2 they become a connection error of type COMPRESSION_ERROR (RFC 9113 §4.3).
enum class DecodeError : std::uint8_t {
  truncated_integer,         // §5.1: the block ended inside an integer
  integer_overflow,          // §5.1: an integer above 2^32-1, or too many continuation octets
  truncated_string,          // §5.2: the string length runs past the end of the block
  huffman_eos,               // §5.2: the EOS symbol appeared inside a Huffman string
  huffman_padding_too_long,  // §5.2: more than 7 bits of padding
  huffman_padding_not_ones,  // §5.2: padding that is not the most significant bits of EOS
  index_zero,                // §6.1: an indexed field or literal name with index 0
  index_out_of_range,        // §2.3.3: an index past the static and dynamic tables
  size_update_too_large,     // §6.3: a dynamic table size update above the limit we allowed
  size_update_not_at_start,  // §4.2: a size update after the first field representation
  size_update_missing,       // §4.2: we lowered the limit below the table's size and the block did not shrink it
  header_list_too_large,     // RFC 9113 §6.5.2: the decoded list exceeds the limit; the block was still decoded
                             // so the context stays in sync, but its fields are dropped (not fatal)
  failed_earlier,            // a previous block failed fatally; the context is unusable
};

// A short, stable description for logs and GOAWAY debug data.
std::string_view to_string(DecodeError error) noexcept;

// True when the decoder's context is lost (everything except header_list_too_large).
constexpr bool is_fatal(DecodeError error) noexcept { return error != DecodeError::header_list_too_large; }

}  // namespace h2push::hpack
