// src/server/static_files.cpp: request routing (method, path, directory), representation choice (identity,
// precompressed sibling, on-the-fly coding), conditionals, ranges, response headers and error pages.
#include "server/static_files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <utility>

#include "server/compression.hpp"
#include "server/mime_types.hpp"
#include "server/static_files_http.hpp"

namespace h2push::server {
namespace {

constexpr std::string_view kAllow = "GET, HEAD";
constexpr std::string_view kHtml = "text/html; charset=utf-8";

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 301:
      return "Moved Permanently";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 412:
      return "Precondition Failed";
    case 416:
      return "Range Not Satisfiable";
    case 501:
      return "Not Implemented";
    default:
      return "Internal Server Error";
  }
}

// The small HTML page of an error or redirect status, built once per status and shared by every response.
std::shared_ptr<const std::string> status_page(int status) {
  static const std::map<int, std::shared_ptr<const std::string>> pages = [] {
    std::map<int, std::shared_ptr<const std::string>> m;
    for (const int s : {301, 400, 403, 404, 405, 412, 416, 500, 501}) {
      const std::string title = std::to_string(s) + " " + std::string(reason_phrase(s));
      m.emplace(s, std::make_shared<const std::string>("<!DOCTYPE html>\n<html><head><title>" + title +
                                                       "</title></head><body><h1>" + title + "</h1></body></html>\n"));
    }
    return m;
  }();
  const auto it = pages.find(status);
  return it != pages.end() ? it->second : pages.at(500);
}

// A field whose value outlives the response (a literal, the options, or r.file's strings): viewed, not copied.
void add(FileResponse& r, std::string_view name, std::string_view value) { r.headers.push_back({name, value, false}); }

// A field whose value is made for this response: kept in r.owned.
void add_owned(FileResponse& r, std::string_view name, std::string value) {
  if (!r.owned) r.owned = std::make_unique<std::deque<std::string>>();
  r.headers.push_back({name, r.owned->emplace_back(std::move(value)), true});
}

// A response whose body is the status page (omitted for HEAD, headers kept).
FileResponse page_response(int status, bool head) {
  FileResponse r;
  r.status = status;
  const auto page = status_page(status);
  add(r, "content-type", kHtml);
  add_owned(r, "content-length", std::to_string(page->size()));
  if (!head) r.body = MemorySlice{page, 0, page->size()};
  return r;
}

int errno_status(int error) noexcept {
  PathError path_error{};
  return path_error_for_errno(error, path_error) ? status_of(path_error) : 500;
}

// RFC 9110 §9.1: methods we know but do not allow on files get 405 with Allow; the rest are not implemented.
FileResponse method_response(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"};
  for (const auto known : kKnown) {
    if (method == known) {
      FileResponse r = page_response(405, false);
      add(r, "allow", kAllow);
      return r;
    }
  }
  return page_response(501, false);
}

bool iends_with(std::string_view s, std::string_view suffix) noexcept {
  if (s.size() < suffix.size()) return false;
  s = s.substr(s.size() - suffix.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(s[i]) != lower(suffix[i])) return false;
  }
  return true;
}

// Reads the whole of a small file (bounded by the cache and compression limits) and checks that it did not change
// meanwhile, so cached bytes always belong to the identity they are stored under. Null on error or change.
std::shared_ptr<const std::string> read_small_file(const FileHandle& file, const FileIdentity& identity) {
  auto data = std::make_shared<std::string>(identity.size, '\0');
  std::size_t done = 0;
  while (done < data->size()) {
    const ssize_t n = ::pread(file.get(), data->data() + done, data->size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return nullptr;
    done += static_cast<std::size_t>(n);
  }
  struct stat after {};
  if (::fstat(file.get(), &after) != 0 || identity_of(after) != identity) return nullptr;
  return data;
}

// The selected representation of the file: its coding and where its bytes are.
struct Representation {
  ContentCoding coding = ContentCoding::identity;
  FileIdentity identity{};  // of the file holding these bytes (the sibling for a precompressed variant)
  std::uint64_t length = 0;
  std::shared_ptr<const std::string> memory{};  // compressed on the fly, or (later) from the cache
  std::shared_ptr<const FileHandle> file{};     // otherwise read from this file
  std::string cache_key{};                      // where the file's bytes are cached; empty: the routed file's key
};

std::string cache_key(std::string_view relative, ContentCoding coding) {
  std::string key(relative);
  key.push_back('\n');  // cannot occur in a path: parse_request_path refuses control octets
  key.append(coding_name(coding));
  return key;
}

// The sibling "relative.br" / ".gz" if it is a regular file at least as new as the original (`gzip -k` keeps the
// original's mtime; a stale sibling left after an edit is older). Opened like any file: same symlink rules.
std::optional<Representation> precompressed_sibling(const DocumentRoot& root, SymlinkPolicy symlinks,
                                                    const std::string& relative, ContentCoding coding,
                                                    const struct stat& original) {
  const std::string sibling = relative + (coding == ContentCoding::br ? ".br" : ".gz");
  auto opened = root.open(sibling, symlinks);
  if (!opened) return std::nullopt;
  struct stat st {};
  if (::fstat(opened->get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  const bool not_older =
      st.st_mtim.tv_sec > original.st_mtim.tv_sec ||
      (st.st_mtim.tv_sec == original.st_mtim.tv_sec && st.st_mtim.tv_nsec >= original.st_mtim.tv_nsec);
  if (!not_older) return std::nullopt;
  return Representation{.coding = coding,
                        .identity = identity_of(st),
                        .length = static_cast<std::uint64_t>(st.st_size),
                        .memory = nullptr,
                        .file = std::make_shared<const FileHandle>(std::move(*opened)),
                        .cache_key = cache_key(sibling, ContentCoding::identity)};
}

// The file compressed with `coding`, from the cache (path + coding, tied to the original's identity, so a changed
// file misses) or made now and cached. Null if the file cannot be read consistently or the encoder fails.
std::shared_ptr<const std::string> compressed_variant(FileCache& cache, const StaticOptions& options,
                                                      const std::string& relative, const FileHandle& file,
                                                      const FileIdentity& identity, ContentCoding coding) {
  const std::string key = cache_key(relative, coding);
  if (auto hit = cache.find(key, identity)) return hit;
  std::shared_ptr<const std::string> plain = cache.find(cache_key(relative, ContentCoding::identity), identity);
  if (!plain) plain = read_small_file(file, identity);
  if (!plain) return nullptr;
  auto out = coding == ContentCoding::br ? brotli_compress(*plain, options.brotli_quality, options.brotli_window)
                                         : gzip_compress(*plain, options.gzip_level);
  if (!out) return nullptr;
  auto data = std::make_shared<const std::string>(std::move(*out));
  cache.insert(key, identity, data);  // also when it did not shrink the file: the verdict is cached with it
  return data;
}

// A target routed to a regular file below the root, or why not: an error status, or 301 with its Location.
struct Routed {
  std::string relative;
  FileHandle file;
  struct stat st {};
};
struct NotRouted {
  int status = 500;
  std::string location{};  // 301 only
};

Result<RequestPath, PathError> parse_path(const StaticOptions& options, std::string_view target) {
  const PathPolicy policy{.hide_dotfiles = options.hide_dotfiles,
                          .allow_well_known = options.allow_well_known,
                          .max_length = options.max_target_length};
  return parse_request_path(target, policy);
}

// How serve() maps a checked request path to a file: symlink policy, directories (redirect without the trailing
// slash, else the index document), regular files only.
Result<Routed, NotRouted> route(const DocumentRoot& root, const StaticOptions& options, const RequestPath& path) {
  auto opened = root.open(path.relative, options.symlinks);
  if (!opened) return Unexpected{NotRouted{errno_status(opened.error())}};
  Routed out{path.relative, std::move(*opened), {}};
  if (::fstat(out.file.get(), &out.st) != 0) return Unexpected{NotRouted{500}};

  if (S_ISDIR(out.st.st_mode)) {
    if (!path.trailing_slash) {
      if (!options.redirect_directories) return Unexpected{NotRouted{404}};
      // Built from the checked segments, re-encoded: never "//host" (an open redirect), never a raw octet.
      // (Appended piece by piece: GCC 12 warns falsely (-Wrestrict) about "/" + std::string once inlined here.)
      std::string location(1, '/');
      location.append(encode_path(out.relative)).push_back('/');
      if (path.has_query) location.append(1, '?').append(path.query);
      return Unexpected{NotRouted{301, std::move(location)}};
    }
    if (options.index.empty()) return Unexpected{NotRouted{404}};
    out.relative = out.relative.empty() ? options.index : out.relative + "/" + options.index;
    auto index = root.open(out.relative, options.symlinks);
    if (!index) return Unexpected{NotRouted{errno_status(index.error())}};
    out.file = std::move(*index);
    if (::fstat(out.file.get(), &out.st) != 0) return Unexpected{NotRouted{500}};
  } else if (path.trailing_slash) {
    return Unexpected{NotRouted{404}};  // "/file.html/" names nothing
  }
  // SECURITY.md §12: only regular files; a FIFO, socket or device under the root is refused.
  if (!S_ISREG(out.st.st_mode)) return Unexpected{NotRouted{403}};
  return out;
}

MimeType content_type_for(const StaticOptions& options, std::string_view relative) {
  MimeType mime = mime_type_for(relative);
  if (mime.content_type == "application/octet-stream") {
    mime = {options.default_type, options.default_type.starts_with("text/")};
  }
  return mime;
}

// What serve() needs of a routed file, computed once per opening (and kept by the open-file cache).
std::shared_ptr<RoutedFile> make_routed_file(Routed&& routed, const StaticOptions& options) {
  auto out = std::make_shared<RoutedFile>();
  out->st = routed.st;
  out->identity = identity_of(routed.st);
  const MimeType mime = content_type_for(options, routed.relative);
  out->content_type = std::string(mime.content_type);
  out->compressible = mime.compressible;
  if (options.etag != EtagMode::none) {
    out->etag = make_etag(out->identity, ContentCoding::identity, options.etag == EtagMode::weak);
  }
  if (options.last_modified) out->last_modified = format_http_date(routed.st.st_mtim.tv_sec);
  out->cache_key = cache_key(routed.relative, ContentCoding::identity);
  out->length_text = std::to_string(out->identity.size);
  out->file = std::make_shared<const FileHandle>(std::move(routed.file));
  out->relative = std::move(routed.relative);
  return out;
}

// An open-file cache entry of a small file also holds its bytes (RoutedFile::bytes), from the small-file cache or
// read now (and cached), checked against the identity recorded at opening like any cached bytes.
void attach_bytes(RoutedFile& file, FileCache& cache) {
  if (file.identity.size > RoutedFile::kEntryBytesMax || !cache.accepts(file.identity.size)) return;
  file.bytes = cache.find(file.cache_key, file.identity);
  if (file.bytes) return;
  file.bytes = read_small_file(*file.file, file.identity);
  if (file.bytes) cache.insert(file.cache_key, file.identity, file.bytes);
}

std::int64_t coarse_monotonic_ns() noexcept {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

}  // namespace

std::optional<std::string_view> FileResponse::header(std::string_view name) const noexcept {
  for (const auto& h : headers) {
    if (h.name == name) return std::string_view(h.value);
  }
  return std::nullopt;
}

StaticFiles::StaticFiles(StaticOptions options)
    : options_(std::move(options)),
      cache_(std::make_unique<FileCache>(options_.cache_max_total, options_.cache_max_entry)),
      open_files_(make_open_file_cache()) {
  const std::string_view index = options_.index;
  if (index.find('/') != std::string_view::npos || index.find('\0') != std::string_view::npos ||
      (!index.empty() && index.front() == '.')) {
    error_ = "index must be a plain file name: '" + options_.index + "'";
    return;
  }
  auto root = DocumentRoot::open_directory(options_.root);
  if (!root) {
    error_ = "cannot open document root '" + options_.root + "': errno " + std::to_string(root.error());
    return;
  }
  root_ = std::move(*root);
}

StaticFiles::~StaticFiles() = default;
StaticFiles::StaticFiles(StaticFiles&&) noexcept = default;
StaticFiles& StaticFiles::operator=(StaticFiles&&) noexcept = default;

std::unique_ptr<OpenFileCache> StaticFiles::make_open_file_cache() const {
  return std::make_unique<OpenFileCache>(
      options_.open_file_cache_entries,
      std::chrono::duration_cast<std::chrono::nanoseconds>(options_.open_file_cache_validity).count());
}

FileResponse StaticFiles::serve(const FileRequest& request) { return serve(request, *open_files_); }

FileResponse StaticFiles::serve(const FileRequest& request, OpenFileCache& open_files) {
  const bool head = request.method == "HEAD";
  if (!head && request.method != "GET") return method_response(request.method);
  if (!ready()) return page_response(500, head);
  auto parsed = parse_path(options_, request.target);
  if (!parsed) return page_response(status_of(parsed.error()), head);

  // The open-file cache is keyed by the checked path (plus '/' for the directory form, which routes to the index
  // document): only a request that would route to the same file through the same checks can reach an entry.
  std::shared_ptr<const RoutedFile> file;
  std::string slash_key;  // the directory form's key; the plain form's is the path itself, viewed, not copied
  std::string_view key = parsed->relative;
  std::int64_t now = 0;
  if (open_files.enabled()) {
    if (parsed->trailing_slash) {
      slash_key.append(parsed->relative).push_back('/');
      key = slash_key;
    }
    now = now_ns();
    file = open_files.find(key, now);
  }
  if (!file) {
    auto routed = route(root_, options_, *parsed);
    if (!routed) {
      FileResponse r = page_response(routed.error().status, head);
      if (routed.error().status == 301) add_owned(r, "location", std::move(routed.error().location));
      return r;
    }
    auto made = make_routed_file(std::move(*routed), options_);
    if (open_files.enabled()) {
      attach_bytes(*made, *cache_);  // reused by every request until the entry expires
      open_files.insert(std::string(key), made, now);
    }
    file = std::move(made);
  }
  return serve_file(request, std::move(file), head);
}

std::int64_t StaticFiles::now_ns() const noexcept {
  return options_.clock_ns != nullptr ? options_.clock_ns() : coarse_monotonic_ns();
}

std::optional<StaticFiles::FileInfo> StaticFiles::locate(std::string_view target) const {
  if (!ready()) return std::nullopt;
  auto parsed = parse_path(options_, target);
  if (!parsed) return std::nullopt;
  auto routed = route(root_, options_, *parsed);
  if (!routed) return std::nullopt;
  FileInfo info;
  info.identity = identity_of(routed->st);
  info.content_type = std::string(content_type_for(options_, routed->relative).content_type);
  if (options_.etag != EtagMode::none) {
    info.etag = make_etag(info.identity, ContentCoding::identity, options_.etag == EtagMode::weak);
  }
  info.relative = std::move(routed->relative);
  info.file = std::move(routed->file);
  return info;
}

FileResponse StaticFiles::serve_file(const FileRequest& request, std::shared_ptr<const RoutedFile> routed, bool head) {
  const RoutedFile& file = *routed;
  const std::string& relative = file.relative;
  const struct stat& st = file.st;
  const FileIdentity& identity = file.identity;
  const bool on_the_fly = identity.size >= options_.compress_min_size && identity.size <= options_.compress_max_size;
  // RFC 9110 §12.5.5: Vary whenever the coding could depend on Accept-Encoding, on every variant and status.
  const bool vary = file.compressible && (options_.precompressed || ((options_.gzip || options_.brotli) && on_the_fly));

  Representation rep{.coding = ContentCoding::identity,
                     .identity = identity,
                     .length = identity.size,
                     .memory = nullptr,
                     .file = nullptr,  // the routed file's (file.file), not copied: one reference count less
                     .cache_key = {}};
  const auto rep_file = [&]() -> const std::shared_ptr<const FileHandle>& { return rep.file ? rep.file : file.file; };
  if (vary) {
    const CodingPreference preference = parse_accept_encoding(request.accept_encoding);
    for (std::size_t i = 0; i < preference.count; ++i) {
      const ContentCoding coding = preference.order[i];
      if (options_.precompressed) {
        if (auto sibling = precompressed_sibling(root_, options_.symlinks, relative, coding, st)) {
          rep = std::move(*sibling);
          break;
        }
      }
      const bool enabled = coding == ContentCoding::br ? options_.brotli : options_.gzip;
      if (enabled && on_the_fly) {
        auto data = compressed_variant(*cache_, options_, relative, *rep_file(), identity, coding);
        // A coding that does not shrink the file is not worth the client's CPU: identity instead.
        if (data && data->size() < identity.size) {
          rep.coding = coding;
          rep.length = data->size();
          rep.memory = std::move(data);
          break;
        }
      }
    }
  }

  // The identity representation's ETag was made with the routed file; another representation needs its own.
  std::string other_etag;
  if (options_.etag != EtagMode::none && (rep.coding != ContentCoding::identity || rep.identity != identity)) {
    other_etag = make_etag(rep.identity, rep.coding, options_.etag == EtagMode::weak);
  }
  const std::string_view etag = other_etag.empty() ? std::string_view(file.etag) : std::string_view(other_etag);
  const std::optional<std::int64_t> last_modified =
      options_.last_modified ? std::optional<std::int64_t>(st.st_mtim.tv_sec) : std::nullopt;
  const std::string_view cache_control = cache_control_for(relative);
  // The year only resolves two-digit years in obsolete date formats: read the clock only for a request with a date.
  const bool dated =
      !request.if_modified_since.empty() || !request.if_unmodified_since.empty() || !request.if_range.empty();
  const int year = dated ? current_utc_year() : 0;

  FileResponse r;
  r.file = routed;  // the values viewed below (type, ETag, dates, length) belong to it
  const auto add_cache_headers = [&](bool with_last_modified) {
    if (!other_etag.empty()) {
      add_owned(r, "etag", other_etag);
    } else if (!etag.empty()) {
      add(r, "etag", etag);
    }
    if (with_last_modified && last_modified) add(r, "last-modified", file.last_modified);
    if (!cache_control.empty()) add(r, "cache-control", cache_control);
    if (vary) add(r, "vary", "accept-encoding");
  };

  const Conditions conditions{.if_match = request.if_match,
                              .if_none_match = request.if_none_match,
                              .if_modified_since = request.if_modified_since,
                              .if_unmodified_since = request.if_unmodified_since};
  switch (evaluate_preconditions(conditions, etag, last_modified, /*get_or_head=*/true, year)) {
    case Precondition::not_modified:
      // RFC 9110 §15.4.5: no content, no representation metadata beyond the validators and cache fields.
      r.status = 304;
      add_cache_headers(/*with_last_modified=*/etag.empty());
      return r;
    case Precondition::failed:
      return page_response(412, head);
    case Precondition::pass:
      break;
  }

  // RFC 9110 §14.2: Range only on GET; If-Range that does not match means "send it all".
  RangeDecision range;
  if (!head && options_.ranges && !request.range.empty() &&
      (request.if_range.empty() || if_range_matches(request.if_range, etag, last_modified, year))) {
    range = evaluate_range(request.range, rep.length, options_.max_ranges);
  }
  if (range.outcome == RangeOutcome::unsatisfiable) {
    r = page_response(416, head);
    add_owned(r, "content-range", "bytes */" + std::to_string(rep.length));
    if (vary) add(r, "vary", "accept-encoding");
    return r;
  }
  ByteRange slice{0, rep.length};
  if (range.outcome == RangeOutcome::partial) slice = range.range;

  r.status = range.outcome == RangeOutcome::partial ? 206 : 200;
  add(r, "content-type", file.content_type);
  if (slice.length == identity.size) {
    add(r, "content-length", file.length_text);
  } else {
    add_owned(r, "content-length", std::to_string(slice.length));
  }
  if (r.status == 206) {
    add_owned(r, "content-range",
              "bytes " + std::to_string(slice.first) + "-" + std::to_string(slice.first + slice.length - 1) + "/" +
                  std::to_string(rep.length));
  }
  if (rep.coding != ContentCoding::identity) add(r, "content-encoding", coding_name(rep.coding));
  add_cache_headers(/*with_last_modified=*/true);
  if (options_.ranges) add(r, "accept-ranges", "bytes");
  if (head) return r;

  // The body: bytes already in memory, small files through the cache, the rest streamed from the open file.
  // The routed file's own bytes, owned through the routed file: its reference count, not the bytes' (which the
  // FileCache and other workers' entries share), is the one a response touches.
  if (!rep.memory && rep.cache_key.empty() && file.bytes)
    rep.memory = std::shared_ptr<const std::string>(routed, file.bytes.get());
  if (!rep.memory && cache_->accepts(rep.length)) {
    const std::string& key = rep.cache_key.empty() ? file.cache_key : rep.cache_key;
    rep.memory = cache_->find(key, rep.identity);
    if (!rep.memory) {
      rep.memory = read_small_file(*rep_file(), rep.identity);
      if (rep.memory) cache_->insert(key, rep.identity, rep.memory);
    }
  }
  if (rep.memory) {
    r.body = MemorySlice{std::move(rep.memory), static_cast<std::size_t>(slice.first),
                         static_cast<std::size_t>(slice.length)};
  } else {
    r.body = FileSlice{rep_file(), slice.first, slice.length};
  }
  return r;
}

std::string_view StaticFiles::cache_control_for(std::string_view relative) const noexcept {
  for (const auto& rule : options_.cache_control_rules) {
    const std::string_view match = rule.match;
    if (match.size() > 1 && match.front() == '.') {
      if (iends_with(relative, match)) return rule.value;
    } else if (!match.empty() && match.front() == '/') {
      // Compare "/" + relative with the prefix without building the string.
      const std::string_view rest = match.substr(1);
      if (relative.substr(0, rest.size()) == rest) return rule.value;
    }
  }
  return options_.cache_control;
}

std::unique_ptr<BodySource> open_body(const FileResponse& response) {
  if (const auto* memory = std::get_if<MemorySlice>(&response.body)) {
    return std::make_unique<MemoryBodySource>(*memory);
  }
  if (const auto* file = std::get_if<FileSlice>(&response.body)) return std::make_unique<FileBodySource>(*file);
  return nullptr;
}

std::unique_ptr<BodySource> open_body(ResponseBody&& body) {
  if (auto* memory = std::get_if<MemorySlice>(&body)) return std::make_unique<MemoryBodySource>(std::move(*memory));
  if (auto* file = std::get_if<FileSlice>(&body)) return std::make_unique<FileBodySource>(std::move(*file));
  return nullptr;
}

}  // namespace h2push::server
