// src/http2/output.hpp: the buffer frames are written into (write_* in frame.hpp), in wire order.
//
// One contiguous, growable buffer: the Connection hands it out as a single span (pending_output()) and clears it
// once it has all been consumed, so its capacity is reused and steady-state writing allocates nothing. Unlike a
// std::vector, growing leaves the new octets uninitialised: extend() gives room that the caller fills at once
// (frame headers, or a BodySource reading a DATA payload in place), and nothing is ever zeroed only to be
// overwritten. The 16 KiB block chain of STYLE.md §5 can replace it behind the same members.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace h2push::http2 {

class Output;

// See make_output_pool() in connection.hpp: a LIFO of free buffers, so the one lent next is the one given back last.
class OutputPool {
 public:
  OutputPool(std::size_t max_buffers, std::size_t max_capacity)
      : max_buffers_(max_buffers), max_capacity_(max_capacity) {
    free_.reserve(max_buffers_);  // give() never allocates
  }

  // Keeps `data` (of `capacity` octets) for the next borrower, or frees it when the pool is full or it is too big.
  void give(std::unique_ptr<std::byte[]> data, std::size_t capacity) noexcept {
    if (data == nullptr || free_.size() >= max_buffers_ || capacity > max_capacity_) return;
    free_.push_back({std::move(data), capacity});
  }
  // The buffer given back last, or none (capacity 0).
  std::pair<std::unique_ptr<std::byte[]>, std::size_t> take() noexcept {
    if (free_.empty()) return {nullptr, 0};
    auto out = std::move(free_.back());
    free_.pop_back();
    return out;
  }
  std::size_t size() const noexcept { return free_.size(); }

 private:
  std::size_t max_buffers_;
  std::size_t max_capacity_;
  std::vector<std::pair<std::unique_ptr<std::byte[]>, std::size_t>> free_;
};

class Output {
 public:
  Output() = default;
  // A buffer that borrows its storage from `pool` when it has none, and gives it back with release().
  explicit Output(OutputPool* pool) noexcept : pool_(pool) {}
  Output(const Output& other) { put(other.bytes()); }
  Output& operator=(const Output& other) {
    if (this != &other) {
      clear();
      put(other.bytes());
    }
    return *this;
  }
  Output(Output&& other) noexcept
      : data_(std::move(other.data_)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)),
        pool_(other.pool_) {}
  Output& operator=(Output&& other) noexcept {
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    pool_ = other.pool_;
    return *this;
  }
  ~Output() = default;

  std::span<const std::byte> bytes() const noexcept { return {data_.get(), size_}; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  void clear() noexcept { size_ = 0; }  // keeps the capacity
  // Empties the buffer and gives its storage back to the pool (with none, keeps it, like clear()).
  void release() noexcept {
    size_ = 0;
    if (pool_ == nullptr || data_ == nullptr) return;
    pool_->give(std::move(data_), std::exchange(capacity_, 0));
  }
  void reserve(std::size_t n) {
    if (n > capacity_) grow(n);
  }

  // Appends `n` uninitialised octets and returns them for the caller to fill. The span, like any pointer into the
  // buffer, stays valid until the next call that appends.
  std::span<std::byte> extend(std::size_t n) {
    if (capacity_ - size_ < n) grow(size_ + n);
    std::byte* at = data_.get() + size_;
    size_ += n;
    return {at, n};
  }
  // Drops everything past the first `n` octets (n <= size()): takes back unused room given by extend().
  void truncate(std::size_t n) noexcept {
    assert(n <= size_);
    size_ = n;
  }
  // The octets at [offset, offset + n), to patch what was written before (e.g. a frame header's length).
  std::span<std::byte> at(std::size_t offset, std::size_t n) noexcept {
    assert(offset + n <= size_);
    return {data_.get() + offset, n};
  }

  void put_u8(std::uint8_t v) { extend(1)[0] = std::byte{v}; }
  void put_u16(std::uint16_t v) {
    const std::span<std::byte> p = extend(2);
    p[0] = std::byte(v >> 8);
    p[1] = std::byte(v & 0xff);
  }
  void put_u24(std::uint32_t v) {
    assert(v <= 0xffffff);
    const std::span<std::byte> p = extend(3);
    p[0] = std::byte((v >> 16) & 0xff);
    p[1] = std::byte((v >> 8) & 0xff);
    p[2] = std::byte(v & 0xff);
  }
  void put_u32(std::uint32_t v) {
    const std::span<std::byte> p = extend(4);
    p[0] = std::byte(v >> 24);
    p[1] = std::byte((v >> 16) & 0xff);
    p[2] = std::byte((v >> 8) & 0xff);
    p[3] = std::byte(v & 0xff);
  }
  void put(std::span<const std::byte> b) {
    if (b.empty()) return;  // memcpy needs valid pointers even for 0 octets
    std::memcpy(extend(b.size()).data(), b.data(), b.size());
  }
  void put_zeros(std::size_t n) {
    if (n == 0) return;
    std::memset(extend(n).data(), 0, n);
  }

 private:
  // At least doubles, so that appending is amortised O(1); the first buffer holds a few small frames.
  void grow(std::size_t needed) {
    if (capacity_ == 0 && pool_ != nullptr) {
      auto [data, capacity] = pool_->take();
      data_ = std::move(data);
      capacity_ = capacity;
      if (capacity_ >= needed) return;
    }
    std::size_t capacity = capacity_ < 256 ? 256 : capacity_ * 2;
    if (capacity < needed) capacity = needed;
    auto data = std::make_unique_for_overwrite<std::byte[]>(capacity);
    if (size_ > 0) std::memcpy(data.get(), data_.get(), size_);
    data_ = std::move(data);
    capacity_ = capacity;
  }

  std::unique_ptr<std::byte[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  OutputPool* pool_ = nullptr;  // owned by the connection's options
};

}  // namespace h2push::http2
