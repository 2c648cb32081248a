// src/server/file_cache.hpp: a byte-bounded LRU cache of small files and of compressed variants, each entry tied
// to the identity (device, inode, size, mtime, ctime) of the file it was made from.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace h2push::server {

// What must stay equal for cached bytes to still be the file's bytes. Checked against a fresh fstat() on every
// request: a rewrite (size or mtime), a replacement by rename (inode) or an in-place edit that restored the mtime
// (ctime) all miss.
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;  // nanoseconds since the epoch
  std::int64_t ctime_ns = 0;

  bool operator==(const FileIdentity&) const = default;
};

// The identity recorded in `st`.
FileIdentity identity_of(const struct stat& st) noexcept;

// Thread-safe (one mutex; the critical sections are map and list updates, never I/O or compression).
class FileCache {
 public:
  struct Stats {
    std::size_t entries = 0;
    std::size_t bytes = 0;  // charged bytes: data plus key
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;         // absent, or present but stale
    std::uint64_t invalidations = 0;  // stale entries dropped by find()
    std::uint64_t evictions = 0;      // entries dropped to stay under the byte bound
  };

  // `max_total_bytes` bounds the sum of charged bytes; an entry whose data exceeds `max_entry_bytes` is never
  // stored. Either bound 0 disables the cache.
  FileCache(std::size_t max_total_bytes, std::size_t max_entry_bytes) noexcept
      : max_total_(max_total_bytes), max_entry_(max_entry_bytes) {}
  FileCache(const FileCache&) = delete;
  FileCache& operator=(const FileCache&) = delete;

  // The data stored under `key` for exactly `identity`, or null. A stale entry (other identity) is removed.
  std::shared_ptr<const std::string> find(std::string_view key, const FileIdentity& identity);

  // Stores `data` under `key` (replacing an older entry) as most recently used, evicting least recently used
  // entries as needed. Returns false, storing nothing, when the entry is too big or the cache is disabled.
  bool insert(std::string key, const FileIdentity& identity, std::shared_ptr<const std::string> data);

  // Whether data of `size` octets may be stored at all (lets callers skip reading a file they could not keep).
  bool accepts(std::size_t size) const noexcept { return max_total_ > 0 && size <= max_entry_ && size <= max_total_; }

  Stats stats() const;

 private:
  struct Entry {
    std::string key;
    FileIdentity identity;
    std::shared_ptr<const std::string> data;
    std::size_t charge = 0;
  };
  using List = std::list<Entry>;

  void erase_locked(List::iterator it);

  const std::size_t max_total_;
  const std::size_t max_entry_;
  mutable std::mutex mutex_;
  List lru_;                                                  // front: most recently used
  std::unordered_map<std::string_view, List::iterator> map_;  // keys view into the entries' own strings
  Stats stats_;
};

}  // namespace h2push::server
