// src/hpack/types.cpp
#include "h2push/hpack/types.hpp"

namespace h2push::hpack {

std::string_view to_string(DecodeError error) noexcept {
  switch (error) {
    case DecodeError::truncated_integer:
      return "HPACK integer truncated by the end of the block";
    case DecodeError::integer_overflow:
      return "HPACK integer above 2^32-1";
    case DecodeError::truncated_string:
      return "HPACK string runs past the end of the block";
    case DecodeError::huffman_eos:
      return "EOS symbol inside a Huffman string";
    case DecodeError::huffman_padding_too_long:
      return "Huffman padding longer than 7 bits";
    case DecodeError::huffman_padding_not_ones:
      return "Huffman padding is not all ones";
    case DecodeError::index_zero:
      return "HPACK index 0";
    case DecodeError::index_out_of_range:
      return "HPACK index past the static and dynamic tables";
    case DecodeError::size_update_too_large:
      return "dynamic table size update above SETTINGS_HEADER_TABLE_SIZE";
    case DecodeError::size_update_not_at_start:
      return "dynamic table size update after a field";
    case DecodeError::size_update_missing:
      return "dynamic table size update required but missing";
    case DecodeError::header_list_too_large:
      return "header list larger than SETTINGS_MAX_HEADER_LIST_SIZE";
    case DecodeError::failed_earlier:
      return "HPACK context lost by an earlier error";
  }
  return "unknown HPACK error";
}

}  // namespace h2push::hpack
