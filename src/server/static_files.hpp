// src/server/static_files.hpp: the static file handler. Protocol-neutral: the server glue turns a request of
// either protocol into a FileRequest, and the FileResponse into an HTTP/1.1 message or HTTP/2 frames, pulling the
// body from open_body(). Behaviour and options: docs/static-files.md.
//
//   StaticFiles files({.root = "/srv/www"});
//   FileResponse r = files.serve({.method = "GET", .target = "/css/site.css", .accept_encoding = "gzip, br"});
//   write_head(r.status, r.headers);               // lowercase names; add Date (and Server) yourself
//   if (auto body = open_body(r)) pump(*body);     // null when there is no body (HEAD, 304, 204)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "h2push/body_source.hpp"
#include "server/file_body.hpp"
#include "server/file_cache.hpp"
#include "server/inline_vector.hpp"
#include "server/safe_path.hpp"

namespace h2push::server {

// A Cache-Control value for the files a rule matches; the first matching rule wins, else
// StaticOptions::cache_control applies.
struct CacheControlRule {
  // ".css" (starts with '.'): files with that extension, case-insensitive. "/assets/" (starts with '/'): files
  // whose decoded path below the root, with a leading '/', starts with it (case-sensitive). Anything else never
  // matches.
  std::string match{};
  std::string value{};  // e.g. "public, max-age=31536000, immutable"; empty: send no Cache-Control
};

enum class EtagMode : std::uint8_t {
  strong,  // "size-mtime-hash" (the default; mtime has nanosecond resolution)
  weak,    // W/"size-mtime-hash"
  none,    // no ETag: If-None-Match can then only match "*", If-Range only by date
};

struct StaticOptions {
  // Files and paths.
  std::string root = ".";            // document root; opened once by the constructor
  std::string index = "index.html";  // served for "dir/"; a plain file name, empty for none (then 404)
  bool redirect_directories = true;  // "/dir" (a directory) -> 301 to "/dir/"; false: 404
  SymlinkPolicy symlinks = SymlinkPolicy::inside_root;  // follow symlinks only while they stay below the root
  bool hide_dotfiles = true;                            // 404 for any path segment starting with '.' ...
  bool allow_well_known = true;                         // ... except a leading "/.well-known/" (RFC 8615)
  std::size_t max_target_length = 4096;                 // longer request targets get 400
  // Content-Type for files whose extension is unknown or missing (the demo site serves /hello as text/plain).
  std::string default_type = "application/octet-stream";

  // Validators, ranges, caching by clients (RFC 9110 §8.8, §14; RFC 9111).
  EtagMode etag = EtagMode::strong;        // per file version and content coding
  bool last_modified = true;               // send Last-Modified and honour If-Modified-Since / If-Unmodified-Since
  bool ranges = true;                      // honour Range on GET and send "accept-ranges: bytes"
  std::size_t max_ranges = 16;             // more members than this in one Range: ignored, 200 (SECURITY.md §13)
  std::string cache_control = "no-cache";  // default Cache-Control; empty: none
  std::vector<CacheControlRule> cache_control_rules{};  // overrides, first match wins

  // Content codings for compressible types (text, JSON, JS, CSS, SVG, XML, WASM, some fonts; see mime_types.cpp).
  bool gzip = true;                             // on-the-fly gzip
  int gzip_level = 6;                           // zlib level 1..9
  bool brotli = true;                           // on-the-fly brotli
  int brotli_quality = 5;                       // 0..11; 11 is for precompressing, far too slow per request
  int brotli_window = 22;                       // log2 of the window, 10..24
  std::size_t compress_min_size = 1024;         // smaller files are sent as they are
  std::size_t compress_max_size = 1024 * 1024;  // bigger ones too (compressing needs the whole file in memory);
                                                // keep <= cache_max_entry so that results stay cached
  bool precompressed = true;                    // use "x.css.br" / "x.css.gz" when newer than or as new as x.css

  // Small-file cache: file contents and compressed variants, revalidated with fstat() on every request.
  std::size_t cache_max_entry = 1024 * 1024;       // larger files are streamed from disk; 0 disables the cache
  std::size_t cache_max_total = 64 * 1024 * 1024;  // bound on all cached bytes; least recently used go first

  // Open-file cache: a request path's routed and opened file (descriptor, stat data, ETag, Last-Modified, type) is
  // reused for this long without touching the file system, so a change on disk is seen only once its entry expires;
  // the path and symlink checks are those made when it was opened. 0 (the library's default) turns it off; the
  // server's default (static.open_file_cache_validity) is 1 s.
  std::chrono::milliseconds open_file_cache_validity{0};
  std::size_t open_file_cache_entries = 1000;  // open descriptors kept at most (least recently used go); 0: off
  // Monotonic nanoseconds for the open-file cache's validity; null: CLOCK_MONOTONIC_COARSE. For tests.
  std::int64_t (*clock_ns)() noexcept = nullptr;
};

// One request, as far as the handler cares. Views must stay valid during serve(); absent headers are empty.
// Repeated header lines must be joined with ", " by the caller (RFC 9110 §5.3).
struct FileRequest {
  std::string_view method{};  // "GET", "HEAD"; case-sensitive
  std::string_view target{};  // origin-form "/path?query", still percent-encoded (HTTP/2: :path)
  std::string_view if_match{};
  std::string_view if_none_match{};
  std::string_view if_modified_since{};
  std::string_view if_unmodified_since{};
  std::string_view if_range{};
  std::string_view range{};
  std::string_view accept_encoding{};
};

// One response header field. Both are views: the name a string literal; the value a literal, a string of the
// StaticFiles' options, of the routed file (FileResponse::file), or of FileResponse::owned (`owned` true: made for
// this response alone, e.g. a Content-Range).
struct ResponseHeader {
  std::string_view name{};  // lowercase
  std::string_view value{};
  bool owned = false;
};

// The answer: a status, header fields and a body. Never a Date, Server or connection-specific field: the glue adds
// those. When there is a body, content-length equals its length; for HEAD the headers are those of GET and the
// body is empty (std::monostate). The header values stay valid while the response and its StaticFiles live (a file
// response holds the routed file its ETag, Last-Modified, Content-Type and length come from: no copy, no
// allocation for a plain 200).
struct FileResponse {
  int status = 500;
  InlineVector<ResponseHeader, 12> headers{};
  ResponseBody body{};
  std::shared_ptr<const RoutedFile> file{};          // what borrowed values view (null for error pages)
  std::unique_ptr<std::deque<std::string>> owned{};  // values made for this response (stable addresses)

  // The value of the first header called `name` (lowercase), if any.
  std::optional<std::string_view> header(std::string_view name) const noexcept;
};

// Serves files below one document root. Thread-safe: serve() may run on several threads at once (the cache has
// its own lock; everything else is read-only after construction). Never throws across its API except
// std::bad_alloc; file errors become 403/404/500 responses.
class StaticFiles {
 public:
  // Opens options.root. On failure (missing root, bad index name) ready() is false and serve() answers 500.
  explicit StaticFiles(StaticOptions options);
  ~StaticFiles();
  StaticFiles(StaticFiles&&) noexcept;
  StaticFiles& operator=(StaticFiles&&) noexcept;

  bool ready() const noexcept { return root_.valid() && error_.empty(); }
  const std::string& error() const noexcept { return error_; }  // why not ready, for the log
  const StaticOptions& options() const noexcept { return options_; }
  FileCache::Stats cache_stats() const { return cache_ ? cache_->stats() : FileCache::Stats{}; }
  OpenFileCache::Stats open_file_cache_stats() const {
    return open_files_ ? open_files_->stats() : OpenFileCache::Stats{};
  }

  // The response to `request`; see docs/static-files.md for every status it can produce (200, 206, 301, 304, 400,
  // 403, 404, 405, 412, 416, 500, 501).
  FileResponse serve(const FileRequest& request);
  // The same with another open-file cache than this instance's own: a worker thread's (make_open_file_cache()), so
  // that the threads share no lock and no reference count on the way to a cached file.
  FileResponse serve(const FileRequest& request, OpenFileCache& open_files);
  // An empty open-file cache with this instance's bounds (open_file_cache_entries, open_file_cache_validity).
  std::unique_ptr<OpenFileCache> make_open_file_cache() const;

  // The file serve() would answer a GET of `target` with (same path rules, symlink policy and index document for
  // "dir/"), and what its identity response carries; nullopt whenever serve() would answer with an error or a
  // redirect. For the push planner's SiteSource (src/server/site_source.hpp); touches neither the cache nor stats.
  struct FileInfo {
    FileHandle file;           // open read-only, for reading the bytes of exactly this version
    std::string relative;      // below the root; the index document's path for a directory
    FileIdentity identity;     // device, inode, size, mtime, ctime
    std::string content_type;  // the Content-Type serve() sends ("text/css; charset=utf-8")
    std::string etag;          // the ETag of the identity (not compressed) representation; "" with EtagMode::none
  };
  std::optional<FileInfo> locate(std::string_view target) const;

 private:
  FileResponse serve_file(const FileRequest& request, std::shared_ptr<const RoutedFile> routed, bool head);
  std::int64_t now_ns() const noexcept;
  std::string_view cache_control_for(std::string_view relative) const noexcept;

  StaticOptions options_;
  DocumentRoot root_;
  std::string error_;
  std::unique_ptr<FileCache> cache_;
  std::unique_ptr<OpenFileCache> open_files_;
};

// A BodySource for the response's body, or null when it has none. The source shares ownership of the buffer or
// the open file, so it may outlive both the response and the StaticFiles. File bodies are read with pread() as they
// are pulled, each read at most the size of the caller's buffer.
std::unique_ptr<BodySource> open_body(const FileResponse& response);
// The same, taking the body over (no reference count copied).
std::unique_ptr<BodySource> open_body(ResponseBody&& body);

}  // namespace h2push::server
