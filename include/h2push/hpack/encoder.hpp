// include/h2push/hpack/encoder.hpp: HPACK encoder (RFC 7541).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "h2push/hpack/types.hpp"

namespace h2push::hpack {

struct EncoderOptions {
  // Our own cap on the dynamic table the encoder uses: it uses min(this, the peer's SETTINGS_HEADER_TABLE_SIZE).
  std::uint32_t max_table_size = kDefaultTableSize;
  // Huffman-code a string when that makes it strictly shorter. Off: always raw octets.
  bool huffman = true;
};

// Encodes header blocks of one direction of one connection. Single-threaded; keeps the dynamic table between blocks.
//
// Strategy: a field already in the static or dynamic table is sent as an index. Otherwise it is sent as a literal
// whose name is an index when possible, and added to the dynamic table unless its entry would take over 3/4 of the
// table, it is a `content-length`, or it is a field usually unique to one message (`:path`, `age`, `etag`,
// `if-modified-since`, `if-none-match`, `last-modified`, `location`) not seen among the last 64 such fields.
// `authorization`, `proxy-authorization`, `set-cookie`, `cookie` values shorter than 20 octets and fields with
// `never_index` are sent as never-indexed literals (§7.1.3). docs/hpack.md has the measurements behind this.
// A block equal to the previous one, when that one changed nothing (no table insertion, no size update), is copied
// from a memo of its octets instead of being encoded again.
class Encoder {
 public:
  explicit Encoder(const EncoderOptions& options = {});
  ~Encoder();
  Encoder(Encoder&&) noexcept;
  Encoder& operator=(Encoder&&) noexcept;

  // Appends one header block for `fields` to `out`, starting with any pending table size updates.
  void encode(std::span<const Header> fields, std::vector<std::byte>& out);

  // The peer's SETTINGS_HEADER_TABLE_SIZE changed. The table's maximum becomes min(size, options.max_table_size),
  // signalled by size updates at the start of the next block: the smallest value reached, then the final one (§4.2).
  void set_peer_max_table_size(std::uint32_t size);

  std::uint32_t table_capacity() const noexcept;  // the maximum in force
  std::uint32_t table_size() const noexcept;      // octets in use, RFC 7541 §4.1 sizing
  std::size_t table_entries() const noexcept;
  // Blocks copied from the memo of the previous unchanged-table block instead of being looked up field by field
  // (a block equal to the last one that changed nothing in the encoder encodes to the same octets).
  std::uint64_t memo_hits() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace h2push::hpack
