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
  Entry* entry = lru_.find(key);
  if (entry == nullptr) {
    ++stats_.misses;
    return nullptr;
  }
  if (entry->identity != identity) {
    ++stats_.misses;
    ++stats_.invalidations;
    lru_.erase(key);
    return nullptr;
  }
  ++stats_.hits;
  return entry->data;
}

bool FileCache::insert(std::string key, const FileIdentity& identity, std::shared_ptr<const std::string> data) {
  if (!data || !accepts(data->size())) return false;
  const std::size_t charge = data->size() + key.size();
  if (charge > max_total_) return false;

  std::lock_guard lock(mutex_);
  return lru_.put(std::move(key), Entry{identity, std::move(data)}, charge) != nullptr;
}

FileCache::Stats FileCache::stats() const {
  std::lock_guard lock(mutex_);
  Stats out = stats_;
  out.entries = lru_.size();
  out.bytes = lru_.weight();
  out.evictions = lru_.evictions();
  return out;
}

std::shared_ptr<const RoutedFile> OpenFileCache::find(std::string_view key, std::int64_t now_ns) {
  if (!enabled()) return nullptr;
  std::shared_ptr<const RoutedFile> expired;  // released after the lock: it may close the descriptor
  std::lock_guard lock(mutex_);
  Entry* entry = lru_.find(key);
  if (entry == nullptr) {
    ++stats_.misses;
    return nullptr;
  }
  if (now_ns >= entry->expires_ns) {
    ++stats_.misses;
    ++stats_.expirations;
    expired = std::move(entry->file);
    lru_.erase(key);
    return nullptr;
  }
  ++stats_.hits;
  return entry->file;
}

void OpenFileCache::insert(std::string key, std::shared_ptr<const RoutedFile> file, std::int64_t now_ns) {
  if (!enabled() || !file) return;
  std::lock_guard lock(mutex_);
  lru_.put(std::move(key), Entry{now_ns + validity_ns_, std::move(file)});
}

OpenFileCache::Stats OpenFileCache::stats() const {
  std::lock_guard lock(mutex_);
  Stats out = stats_;
  out.entries = lru_.size();
  out.evictions = lru_.evictions();
  return out;
}

}  // namespace h2push::server
