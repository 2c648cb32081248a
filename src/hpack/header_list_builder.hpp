// src/hpack/header_list_builder.hpp: how the decoder fills a HeaderList without allocating per field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "h2push/hpack/header_list.hpp"

namespace h2push::hpack::detail {

class HeaderListBuilder {
 public:
  explicit HeaderListBuilder(HeaderList& list) : list_(list) { list_.clear(); }

  // Room for `n` more octets at write_pointer().
  void reserve(std::size_t n) {
    const std::size_t needed = list_.bytes_size_ + n;
    if (needed <= list_.bytes_capacity_) return;
    std::size_t capacity = list_.bytes_capacity_ == 0 ? 1024 : list_.bytes_capacity_ * 2;
    while (capacity < needed) capacity *= 2;
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (list_.bytes_size_ != 0) std::memcpy(bigger.get(), list_.bytes_.get(), list_.bytes_size_);
    list_.bytes_ = std::move(bigger);
    list_.bytes_capacity_ = capacity;
  }
  char* write_pointer() noexcept { return list_.bytes_.get() + list_.bytes_size_; }
  std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(list_.bytes_size_); }
  void commit(std::size_t n) noexcept { list_.bytes_size_ += n; }
  void truncate(std::uint32_t size) noexcept { list_.bytes_size_ = size; }
  const char* data(std::uint32_t offset) const noexcept { return list_.bytes_.get() + offset; }

  // A string of a field: static octets, or octets of this list at an offset.
  struct StringRef {
    const char* static_octets = nullptr;
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
  };
  void add_field(const StringRef& name, const StringRef& value, bool never_index) {
    list_.slots_.push_back(
        {name.static_octets, value.static_octets, name.offset, name.length, value.offset, value.length, never_index});
  }
  std::string_view view(const StringRef& s) const noexcept {
    return {s.static_octets != nullptr ? s.static_octets : list_.bytes_.get() + s.offset, s.length};
  }
  void add_list_size(std::uint64_t n) noexcept { list_.list_size_ += n; }

  // Turns slots into views once no more octets will be appended (appending may move the octets).
  void finish() {
    list_.fields_.clear();
    list_.fields_.reserve(list_.slots_.size());
    const char* base = list_.bytes_.get();
    for (const HeaderList::Slot& s : list_.slots_) {
      list_.fields_.push_back({{s.static_name != nullptr ? s.static_name : base + s.name_offset, s.name_length},
                               {s.static_value != nullptr ? s.static_value : base + s.value_offset, s.value_length},
                               s.never_index});
    }
  }

  // Drops every field but keeps list_size(), for a list over its limit.
  void drop_fields() noexcept {
    list_.slots_.clear();
    list_.fields_.clear();
    list_.bytes_size_ = 0;
  }

 private:
  HeaderList& list_;
};

}  // namespace h2push::hpack::detail
