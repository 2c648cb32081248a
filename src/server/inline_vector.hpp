// src/server/inline_vector.hpp: a vector of at most N trivially copyable elements stored inline, for the short
// field lists of a response (no allocation per response).
#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <type_traits>

namespace h2push::server {

template <class T, std::size_t N>
class InlineVector {
  static_assert(std::is_trivially_copyable_v<T>, "elements are copied as they are");

 public:
  using value_type = T;

  // Throws std::length_error past N (a programming error: callers size N for the most fields they add).
  void push_back(const T& value) {
    if (size_ == N) throw std::length_error("InlineVector: capacity exceeded");
    items_[size_++] = value;
  }
  void clear() noexcept { size_ = 0; }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  static constexpr std::size_t capacity() noexcept { return N; }
  T& operator[](std::size_t i) noexcept { return items_[i]; }
  const T& operator[](std::size_t i) const noexcept { return items_[i]; }
  T* begin() noexcept { return items_.data(); }
  T* end() noexcept { return items_.data() + size_; }
  const T* begin() const noexcept { return items_.data(); }
  const T* end() const noexcept { return items_.data() + size_; }
  const T* data() const noexcept { return items_.data(); }

 private:
  std::array<T, N> items_{};
  std::size_t size_ = 0;
};

}  // namespace h2push::server
