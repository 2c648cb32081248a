// src/server/file_cache.cpp: the LRU caches behind StaticFiles.
#include "server/file_cache.hpp"

#include <utility>

namespace h2push::server {
namespace {

std::int64_t to_ns(const struct timespec& t) noexcept {
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + static_cast<std::int64_t>(t.tv_nsec);
}

}  // namespace

FileIdentity identity_of(const struct stat& st) noexcept {
  return {.device = static_cast<std::uint64_t>(st.st_dev),
          .inode = static_cast<std::uint64_t>(st.st_ino),
          .size = static_cast<std::uint64_t>(st.st_size),
          .mtime_ns = to_ns(st.st_mtim),
          .ctime_ns = to_ns(st.st_ctim)};
}

std::shared_ptr<const std::string> FileCache::find(std::string_view key, const FileIdentity& identity) {
  std::lock_guard lock(mutex_);
  const auto it = map_.find(key);
  if (it == map_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  if (it->second->identity != identity) {
    ++stats_.misses;
    ++stats_.invalidations;
    erase_locked(it->second);
    return nullptr;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, it->second);
  return lru_.front().data;
}

bool FileCache::insert(std::string key, const FileIdentity& identity, std::shared_ptr<const std::string> data) {
  if (!data || !accepts(data->size())) return false;
  const std::size_t charge = data->size() + key.size();
  if (charge > max_total_) return false;

  std::lock_guard lock(mutex_);
  if (const auto it = map_.find(key); it != map_.end()) erase_locked(it->second);
  while (!lru_.empty() && stats_.bytes + charge > max_total_) {
    erase_locked(std::prev(lru_.end()));
    ++stats_.evictions;
  }
  lru_.push_front(Entry{std::move(key), identity, std::move(data), charge});
  map_.emplace(lru_.front().key, lru_.begin());
  stats_.bytes += charge;
  stats_.entries = lru_.size();
  return true;
}

FileCache::Stats FileCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void FileCache::erase_locked(List::iterator it) {
  map_.erase(it->key);
  stats_.bytes -= it->charge;
  lru_.erase(it);
  stats_.entries = lru_.size();
}

std::shared_ptr<const RoutedFile> OpenFileCache::find(std::string_view key, std::int64_t now_ns) {
  if (!enabled()) return nullptr;
  std::shared_ptr<const RoutedFile> expired;  // released after the lock: it may close the descriptor
  std::lock_guard lock(mutex_);
  const auto it = map_.find(key);
  if (it == map_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  if (now_ns >= it->second->expires_ns) {
    ++stats_.misses;
    ++stats_.expirations;
    expired = std::move(it->second->file);
    erase_locked(it->second);
    return nullptr;
  }
  ++stats_.hits;
  if (it->second != lru_.begin()) lru_.splice(lru_.begin(), lru_, it->second);
  return lru_.front().file;
}

void OpenFileCache::insert(std::string key, std::shared_ptr<const RoutedFile> file, std::int64_t now_ns) {
  if (!enabled() || !file) return;
  std::lock_guard lock(mutex_);
  if (const auto it = map_.find(key); it != map_.end()) erase_locked(it->second);
  while (!lru_.empty() && lru_.size() >= max_entries_) {
    erase_locked(std::prev(lru_.end()));
    ++stats_.evictions;
  }
  lru_.push_front(Entry{std::move(key), now_ns + validity_ns_, std::move(file)});
  map_.emplace(lru_.front().key, lru_.begin());
  stats_.entries = lru_.size();
}

OpenFileCache::Stats OpenFileCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void OpenFileCache::erase_locked(List::iterator it) {
  map_.erase(it->key);
  lru_.erase(it);
  stats_.entries = lru_.size();
}

}  // namespace h2push::server
