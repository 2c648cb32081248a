// include/h2push/hpack/header_list.hpp: caller-owned, reusable storage for a decoded header block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "h2push/hpack/types.hpp"

namespace h2push::hpack {

namespace detail {
class HeaderListBuilder;
}  // namespace detail

// The fields of one decoded block, in wire order. Names and values are views into storage owned by this object;
// they stay valid until the next decode into it (or clear()); moving the list keeps them valid. Reusing one HeaderList
// across blocks means decoding allocates nothing once its storage has grown to the largest block seen.
class HeaderList {
 public:
  std::span<const Header> fields() const noexcept { return fields_; }
  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  const Header& operator[](std::size_t i) const noexcept { return fields_[i]; }
  auto begin() const noexcept { return fields_.cbegin(); }
  auto end() const noexcept { return fields_.cend(); }

  // Sum of name + value + 32 over all fields (RFC 9113 §6.5.2), counted even when the list was dropped.
  std::uint64_t list_size() const noexcept { return list_size_; }

  void clear() noexcept {
    bytes_size_ = 0;
    slots_.clear();
    fields_.clear();
    list_size_ = 0;
  }

 private:
  friend class detail::HeaderListBuilder;
  // Where a field's octets are: in bytes_ at an offset, or (for static table strings) at a static address.
  struct Slot {
    const char* static_name;  // nullptr: the name is in bytes_ at name_offset
    const char* static_value;
    std::uint32_t name_offset;
    std::uint32_t name_length;
    std::uint32_t value_offset;
    std::uint32_t value_length;
    bool never_index;
  };

  // Decoded octets. Grown by doubling and never zero-filled: Huffman strings are decoded straight into it.
  std::unique_ptr<char[]> bytes_;
  std::size_t bytes_size_ = 0;
  std::size_t bytes_capacity_ = 0;
  std::vector<Slot> slots_;
  std::vector<Header> fields_;
  std::uint64_t list_size_ = 0;
};

}  // namespace h2push::hpack
