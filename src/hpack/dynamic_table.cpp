// src/hpack/dynamic_table.cpp
#include "hpack/dynamic_table.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "h2push/hpack/types.hpp"

namespace h2push::hpack::detail {
namespace {

// memcpy that accepts the null pointers of empty views.
void copy_octets(char* to, const char* from, std::size_t n) noexcept {
  if (n != 0) std::memcpy(to, from, n);
}

}  // namespace

DynamicTable::DynamicTable(std::uint32_t max_size) : ring_(16), max_size_(max_size) {}

const DynamicTable::Entry& DynamicTable::entry(std::size_t index) const noexcept {
  assert(index >= 1 && index <= count_);
  return ring_[(head_ + count_ - index) & (ring_.size() - 1)];
}

std::string_view DynamicTable::name(std::size_t index) const noexcept {
  const Entry& e = entry(index);
  return {bytes_.data() + e.offset, e.name_length};
}

std::string_view DynamicTable::value(std::size_t index) const noexcept {
  const Entry& e = entry(index);
  return {bytes_.data() + e.offset + e.name_length, e.value_length};
}

void DynamicTable::evict_oldest() noexcept {
  assert(count_ > 0);
  const Entry& oldest = ring_[head_];
  size_ -= oldest.name_length + oldest.value_length + kEntryOverhead;
  bytes_begin_ = oldest.offset + oldest.name_length + oldest.value_length;
  head_ = (head_ + 1) & (ring_.size() - 1);
  --count_;
  if (count_ == 0) bytes_begin_ = bytes_end_ = 0;
}

void DynamicTable::set_max_size(std::uint32_t max_size) {
  max_size_ = max_size;
  while (size_ > max_size_) evict_oldest();
}

void DynamicTable::grow_ring() {
  std::vector<Entry> bigger(ring_.size() * 2);
  for (std::size_t i = 0; i < count_; ++i) bigger[i] = ring_[(head_ + i) & (ring_.size() - 1)];
  ring_ = std::move(bigger);
  head_ = 0;
}

void DynamicTable::insert(std::string_view name, std::string_view value) {
  const std::uint64_t entry_size = std::uint64_t{name.size()} + value.size() + kEntryOverhead;
  ++inserted_;  // an entry too large to keep is still "inserted": it empties the table (§4.4)
  if (entry_size > max_size_) {
    while (count_ > 0) evict_oldest();
    // Keep sequence numbers meaningful: nothing older than this insertion remains.
    return;
  }
  while (size_ + entry_size > max_size_) evict_oldest();

  const auto length = static_cast<std::uint32_t>(name.size() + value.size());
  if (bytes_end_ + length > bytes_.size()) {
    // Live octets plus the new entry never exceed the maximum size, so a buffer of twice the maximum always has
    // room after moving the live octets to the front; that move is paid for by the octets appended since the last.
    const std::uint32_t live = bytes_end_ - bytes_begin_;
    if (bytes_.size() < 2 * std::size_t{max_size_}) {
      std::vector<char> bigger(std::max<std::size_t>(2 * std::size_t{max_size_}, 256));
      copy_octets(bigger.data(), bytes_.data() + bytes_begin_, live);
      bytes_ = std::move(bigger);
    } else {
      if (live != 0) std::memmove(bytes_.data(), bytes_.data() + bytes_begin_, live);
    }
    for (std::size_t i = 0; i < count_; ++i) ring_[(head_ + i) & (ring_.size() - 1)].offset -= bytes_begin_;
    bytes_begin_ = 0;
    bytes_end_ = live;
  }
  if (count_ == ring_.size()) grow_ring();
  copy_octets(bytes_.data() + bytes_end_, name.data(), name.size());
  copy_octets(bytes_.data() + bytes_end_ + name.size(), value.data(), value.size());
  ring_[(head_ + count_) & (ring_.size() - 1)] = {bytes_end_, static_cast<std::uint32_t>(name.size()),
                                                  static_cast<std::uint32_t>(value.size())};
  bytes_end_ += length;
  ++count_;
  size_ += static_cast<std::uint32_t>(entry_size);
}

}  // namespace h2push::hpack::detail
