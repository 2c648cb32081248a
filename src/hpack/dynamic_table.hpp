// src/hpack/dynamic_table.hpp: the HPACK dynamic table (RFC 7541 §2.3.2, §4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace h2push::hpack::detail {

// Entries live in a ring of descriptors (newest first by index); their octets in one buffer of twice the maximum
// size that is appended to and, when the tail is reached, compacted in one move (amortised O(1) per octet). So a
// name or value is always one contiguous view and inserting allocates nothing once the buffer has grown.
class DynamicTable {
 public:
  explicit DynamicTable(std::uint32_t max_size);

  // Changes the maximum size and evicts the oldest entries until the table fits (0 empties it). §4.3
  void set_max_size(std::uint32_t max_size);

  // Adds an entry, evicting the oldest ones until it fits; one larger than the maximum empties the table and is not
  // added (§4.4). `name` and `value` must not point into this table.
  void insert(std::string_view name, std::string_view value);

  std::size_t entries() const noexcept { return count_; }
  std::uint32_t size() const noexcept { return size_; }
  std::uint32_t max_size() const noexcept { return max_size_; }

  // Entry `index` (1 = newest .. entries()). Views stay valid until the next non-const call.
  std::string_view name(std::size_t index) const noexcept;
  std::string_view value(std::size_t index) const noexcept;

  // Absolute sequence numbers: the first entry ever inserted is 0. The newest entry is inserted_total() - 1, the
  // oldest still present inserted_total() - entries(). The encoder's index uses these to refer to entries.
  std::uint64_t inserted_total() const noexcept { return inserted_; }
  std::size_t index_of_sequence(std::uint64_t sequence) const noexcept {
    return static_cast<std::size_t>(inserted_ - sequence);
  }
  bool holds_sequence(std::uint64_t sequence) const noexcept {
    return sequence < inserted_ && inserted_ - sequence <= count_;
  }

 private:
  struct Entry {
    std::uint32_t offset;  // into bytes_
    std::uint32_t name_length;
    std::uint32_t value_length;
  };

  const Entry& entry(std::size_t index) const noexcept;
  void evict_oldest() noexcept;
  void grow_ring();

  std::vector<Entry> ring_;  // capacity a power of two
  std::size_t head_ = 0;     // slot of the oldest entry
  std::size_t count_ = 0;
  std::vector<char> bytes_;
  std::uint32_t bytes_begin_ = 0;  // octets before this belong to evicted entries
  std::uint32_t bytes_end_ = 0;
  std::uint32_t size_ = 0;
  std::uint32_t max_size_;
  std::uint64_t inserted_ = 0;
};

}  // namespace h2push::hpack::detail
