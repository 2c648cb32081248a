// src/http2/stream_table.hpp: the streams of one connection, by id, without an allocation per stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace h2push::http2::detail {

// A pool of stream records with an open-addressing index from stream id to record. Records are reused after a
// stream closes, buffers and all, so a connection that has seen its peak number of concurrent streams allocates
// nothing more for new ones. Pointers to records stay valid until the record is erased.
template <class Record>
class StreamTable {
 public:
  Record* find(std::uint32_t id) noexcept {
    if (slots_.empty() || id == 0) return nullptr;
    for (std::size_t i = home(id);; i = (i + 1) & mask_) {
      if (slots_[i].id == id) return pool_[slots_[i].index].get();
      if (slots_[i].id == 0) return nullptr;
    }
  }
  const Record* find(std::uint32_t id) const noexcept { return const_cast<StreamTable*>(this)->find(id); }

  // Adds a record for `id` (not present yet), built by Record::reuse(id) on a pooled or new record.
  Record& emplace(std::uint32_t id) {
    if ((live_ + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 16 : slots_.size() * 2);
    std::uint32_t index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      index = static_cast<std::uint32_t>(pool_.size());
      pool_.push_back(std::make_unique<Record>());
      in_use_.push_back(false);
    }
    in_use_[index] = true;
    pool_[index]->reuse(id);
    insert_slot(id, index);
    ++live_;
    return *pool_[index];
  }

  void erase(std::uint32_t id) noexcept {
    if (slots_.empty()) return;
    std::size_t i = home(id);
    while (slots_[i].id != id) {
      if (slots_[i].id == 0) return;
      i = (i + 1) & mask_;
    }
    in_use_[slots_[i].index] = false;
    free_.push_back(slots_[i].index);
    --live_;
    // Backward-shift deletion keeps every probe sequence unbroken without tombstones.
    for (std::size_t j = i;;) {
      slots_[i] = {};
      for (;;) {
        j = (j + 1) & mask_;
        if (slots_[j].id == 0) return;
        const std::size_t k = home(slots_[j].id);
        const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) break;
      }
      slots_[i] = slots_[j];
      i = j;
    }
  }

  // Calls f(Record&) for every live record, in no particular order. f must not add or erase records.
  template <class F>
  void for_each(F&& f) {
    for (std::size_t i = 0; i < pool_.size(); ++i) {
      if (in_use_[i]) f(*pool_[i]);
    }
  }

  std::size_t size() const noexcept { return live_; }

 private:
  struct Slot {
    std::uint32_t id = 0;  // 0: empty (stream 0 is never a stream)
    std::uint32_t index = 0;
  };

  std::size_t home(std::uint32_t id) const noexcept { return (id * 2654435761u) >> shift_; }

  void insert_slot(std::uint32_t id, std::uint32_t index) noexcept {
    std::size_t i = home(id);
    while (slots_[i].id != 0) i = (i + 1) & mask_;
    slots_[i] = {id, index};
  }

  void rehash(std::size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, {});
    mask_ = capacity - 1;
    shift_ = 32;
    for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
    for (const Slot& s : old) {
      if (s.id != 0) insert_slot(s.id, s.index);
    }
  }

  std::vector<std::unique_ptr<Record>> pool_;
  std::vector<bool> in_use_;
  std::vector<std::uint32_t> free_;
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  int shift_ = 32;
  std::size_t live_ = 0;
};

}  // namespace h2push::http2::detail
