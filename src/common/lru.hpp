// src/common/lru.hpp: a map from string keys to values that drops its least recently used entries to stay within a
// bound on their count and, optionally, on the sum of their weights (e.g. bytes). Looked up by std::string_view
// without building a string. Header-only, standard library only. Not thread-safe: its users hold their own lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace h2push::common {

template <class Value>
class Lru {
 public:
  static constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max();

  // At most `max_entries` entries whose weights sum to at most `max_weight`. `max_entries` 0 stores nothing.
  explicit Lru(std::size_t max_entries, std::size_t max_weight = kUnbounded) noexcept
      : max_entries_(max_entries), max_weight_(max_weight) {}
  // Not copyable or movable: the index views into the keys the entries own.
  Lru(const Lru&) = delete;
  Lru& operator=(const Lru&) = delete;

  // Whether an entry of `weight` can be stored at all.
  bool fits(std::size_t weight) const noexcept { return max_entries_ > 0 && weight <= max_weight_; }

  // The value under `key`, made the most recently used; null when absent. The pointer stays valid until that entry
  // is erased, replaced or evicted.
  Value* find(std::string_view key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    if (it->second != order_.begin()) order_.splice(order_.begin(), order_, it->second);
    return &it->second->value;
  }

  // The value under `key` without changing the order; null when absent.
  const Value* peek(std::string_view key) const {
    const auto it = index_.find(key);
    return it == index_.end() ? nullptr : &it->second->value;
  }

  // Stores `value` under `key` as the most recently used entry, replacing the one already there; before that, the
  // least recently used entries are evicted until the new one fits within both bounds. Returns the stored value, or
  // null, changing nothing, when !fits(weight).
  Value* put(std::string key, Value value, std::size_t weight = 0) {
    if (!fits(weight)) return nullptr;
    erase(key);
    while (!order_.empty() && (order_.size() >= max_entries_ || weight > max_weight_ - weight_)) {
      drop(std::prev(order_.end()));
      ++evictions_;
    }
    order_.push_front(Entry{std::move(key), std::move(value), weight});
    index_.emplace(order_.front().key, order_.begin());
    weight_ += weight;
    return &order_.front().value;
  }

  // Removes the entry under `key`; false when there is none. Not counted as an eviction.
  bool erase(std::string_view key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return false;
    drop(it->second);
    return true;
  }

  // Calls f(const std::string& key, Value& value) for every entry, most recently used first; the order is unchanged.
  // `f` must not add or remove entries.
  template <class F>
  void for_each(F&& f) {
    for (Entry& e : order_) f(std::as_const(e.key), e.value);
  }

  std::size_t size() const noexcept { return order_.size(); }
  std::size_t weight() const noexcept { return weight_; }          // the sum of the entries' weights
  std::uint64_t evictions() const noexcept { return evictions_; }  // entries dropped by put() to stay in bounds

 private:
  struct Entry {
    std::string key;
    Value value;
    std::size_t weight = 0;
  };
  using List = std::list<Entry>;

  void drop(typename List::iterator it) {
    index_.erase(std::string_view(it->key));
    weight_ -= it->weight;
    order_.erase(it);
  }

  std::size_t max_entries_;
  std::size_t max_weight_;
  std::size_t weight_ = 0;
  std::uint64_t evictions_ = 0;
  List order_;                                                           // front: most recently used
  std::unordered_map<std::string_view, typename List::iterator> index_;  // keys view into the entries' own strings
};

}  // namespace h2push::common
