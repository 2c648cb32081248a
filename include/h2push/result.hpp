// include/h2push/result.hpp: Result<T, E> and Status<E>, a small std::expected for C++20.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace h2push {

// Wraps an error value so that Result<T, E> can be built from it even when T and E convert into each other.
template <class E>
struct Unexpected {
  E error;
};
template <class E>
Unexpected(E) -> Unexpected<E>;

// Either a value of type T or an error of type E. Accessing the wrong alternative is a programming error (assert).
template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}                    // NOLINT: implicit by design
  Result(Unexpected<E> error) : data_(std::in_place_index<1>, std::move(error.error)) {}  // NOLINT

  bool ok() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(data_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(data_));
  }
  const E& error() const {
    assert(!ok());
    return std::get<1>(data_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, E> data_;
};

// Success or an error of type E.
template <class E>
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Unexpected<E> error) : ok_(false), error_(std::move(error.error)) {}  // NOLINT: implicit by design

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const E& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  bool ok_ = true;
  E error_{};
};

}  // namespace h2push
