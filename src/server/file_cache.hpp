// src/server/file_cache.hpp: the static handler's two caches. FileCache: a byte-bounded LRU cache of small files and
// of compressed variants, each entry tied to the identity (device, inode, size, mtime, ctime) of the file it was
// made from. OpenFileCache: an entry-bounded LRU cache of files already routed and opened (the open descriptor, its
// stat data and the header values that follow from them), trusted for a fixed validity (docs/static-files.md).
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/lru.hpp"
#include "server/file_body.hpp"

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
      : max_total_(max_total_bytes),
        max_entry_(max_entry_bytes),
        lru_(common::Lru<Entry>::kUnbounded, max_total_bytes) {}
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
    FileIdentity identity;
    std::shared_ptr<const std::string> data;
  };

  const std::size_t max_total_;
  const std::size_t max_entry_;
  mutable std::mutex mutex_;
  common::Lru<Entry> lru_;  // weighed by charge
  Stats stats_;             // entries, bytes and evictions are lru_'s
};

// A request path routed to a regular file below the root and opened there (symlink policy and all), with what the
// handler derives from the file alone. Immutable once made; shared by every response that uses it.
struct RoutedFile {
  std::shared_ptr<const FileHandle> file;  // open read-only
  std::string relative;                    // below the root; the index document's path for "dir/"
  struct stat st {};                       // fstat() of `file` when it was opened
  FileIdentity identity;                   // identity_of(st)
  std::string content_type;                // the Content-Type value
  bool compressible = false;               // worth gzip/br
  std::string etag;                        // of the identity representation; empty when ETags are off
  std::string last_modified;               // IMF-fixdate of st_mtime; empty when Last-Modified is off
  std::string cache_key;                   // FileCache key of the identity representation's bytes
  std::string length_text;                 // st_size in decimal: the Content-Length of a whole 200
  // The identity bytes of a small file (at most kEntryBytesMax), taken from or put into the FileCache when the
  // entry was made, so a request for it needs no second lookup; null for larger files or without the open-file cache.
  std::shared_ptr<const std::string> bytes;
  static constexpr std::size_t kEntryBytesMax = 16 * 1024;
};

// Thread-safe (one mutex; the critical sections are map and list updates, never I/O). Times are nanoseconds of a
// monotonic clock, passed in by the caller, so that tests can move time.
class OpenFileCache {
 public:
  struct Stats {
    std::size_t entries = 0;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;       // absent or expired
    std::uint64_t expirations = 0;  // expired entries dropped by find()
    std::uint64_t evictions = 0;    // least recently used entries dropped to stay under the entry bound
  };

  // At most `max_entries` entries, each trusted for `validity_ns` after it was stored. Either 0 disables the cache.
  OpenFileCache(std::size_t max_entries, std::int64_t validity_ns) noexcept
      : max_entries_(max_entries), validity_ns_(validity_ns), lru_(max_entries) {}
  OpenFileCache(const OpenFileCache&) = delete;
  OpenFileCache& operator=(const OpenFileCache&) = delete;

  bool enabled() const noexcept { return max_entries_ > 0 && validity_ns_ > 0; }

  // The file stored under `key` less than the validity before `now_ns`, or null. An expired entry is removed (and
  // its descriptor closed once no response uses it any more).
  std::shared_ptr<const RoutedFile> find(std::string_view key, std::int64_t now_ns);

  // Stores `file` under `key` (replacing an older entry) as most recently used, trusted until now_ns + validity;
  // the least recently used entry goes when the bound is reached. Does nothing when disabled.
  void insert(std::string key, std::shared_ptr<const RoutedFile> file, std::int64_t now_ns);

  Stats stats() const;

 private:
  struct Entry {
    std::int64_t expires_ns = 0;
    std::shared_ptr<const RoutedFile> file;
  };

  const std::size_t max_entries_;
  const std::int64_t validity_ns_;
  mutable std::mutex mutex_;
  common::Lru<Entry> lru_;
  Stats stats_;  // entries and evictions are lru_'s
};

}  // namespace h2push::server
