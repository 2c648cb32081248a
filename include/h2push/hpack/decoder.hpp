// include/h2push/hpack/decoder.hpp: HPACK decoder (RFC 7541).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "h2push/hpack/header_list.hpp"
#include "h2push/hpack/types.hpp"
#include "h2push/result.hpp"

namespace h2push::hpack {
namespace detail {
struct DecoderState;
}  // namespace detail

struct DecoderOptions {
  // The SETTINGS_HEADER_TABLE_SIZE we advertise: the peer's encoder may not size the table above it (§6.3).
  std::uint32_t max_table_size = kDefaultTableSize;
  // RFC 9113 §6.5.2 (name + value + 32 per field). A larger list is decoded (to keep the context in sync) and then
  // reported as DecodeError::header_list_too_large, which is not fatal.
  std::uint64_t max_header_list_size = 64 * 1024;
};

// Decodes header blocks of one direction of one connection. Single-threaded; keeps the dynamic table between blocks.
class Decoder {
 public:
  explicit Decoder(const DecoderOptions& options = {});
  ~Decoder();
  Decoder(Decoder&&) noexcept;
  Decoder& operator=(Decoder&&) noexcept;

  // Decodes one complete header block (HEADERS/PUSH_PROMISE plus CONTINUATIONs, reassembled) into `out`, which is
  // cleared first. On a fatal error the decoder latches it: every later call fails with DecodeError::failed_earlier.
  // On header_list_too_large `out` is left empty and the decoder remains usable.
  [[nodiscard]] Status<DecodeError> decode(std::span<const std::byte> block, HeaderList& out);

  // A new SETTINGS_HEADER_TABLE_SIZE of ours took effect (the peer acknowledged it). If it is below the table's
  // current maximum, the next block must begin with a size update that brings it down (§4.2).
  void set_max_table_size(std::uint32_t max_table_size);

  std::uint32_t max_table_size() const noexcept;  // the limit we allow
  std::uint32_t table_capacity() const noexcept;  // the maximum the peer's encoder chose (≤ the limit)
  std::uint32_t table_size() const noexcept;      // octets in use, RFC 7541 §4.1 sizing
  std::size_t table_entries() const noexcept;
  bool failed() const noexcept;

 private:
  std::unique_ptr<detail::DecoderState> state_;
};

}  // namespace h2push::hpack
