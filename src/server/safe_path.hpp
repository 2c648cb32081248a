// src/server/safe_path.hpp: turning a request target into a file below the document root, and nothing else
// (SECURITY.md §12). Two stages, both needed:
//   1. parse_request_path(): percent-decodes once, rejects what could name something else than a plain file path
//      (encoded '/' or '\', NUL and control octets, invalid or overlong UTF-8, "." and ".." segments, dotfiles);
//   2. DocumentRoot::open(): opens the relative path below a directory fd with openat2(RESOLVE_BENEATH) so that no
//      symlink, however planted, can lead outside the root; a fallback covers kernels without openat2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "h2push/result.hpp"
#include "server/file_body.hpp"

namespace h2push::server {

// Why a target cannot be served, as the HTTP status it maps to.
enum class PathError : std::uint8_t {
  bad_request,  // 400: not origin-form, control octets, bad %-escape, invalid UTF-8, "."/".." segment, too long
  forbidden,    // 403: a symlink leading outside the root (or any symlink when refused), no permission
  not_found,    // 404: encoded '/' or '\', hidden dotfile, missing file
};

// The HTTP status code of `error` (400, 403 or 404).
int status_of(PathError error) noexcept;

struct PathPolicy {
  bool hide_dotfiles = true;      // a segment starting with '.' gives 404 ...
  bool allow_well_known = true;   // ... except a first segment ".well-known" (RFC 8615)
  std::size_t max_length = 4096;  // octets in the whole target, query included; longer gives 400
};

// A validated path relative to the document root.
struct RequestPath {
  std::string relative{};       // decoded segments joined by '/': no leading '/', no empty, "." or ".." segment,
                                // no NUL or control octet, valid UTF-8; "" names the root itself
  bool trailing_slash = false;  // the target's path ended with '/' (directory form)
  std::string_view query{};     // the raw query after '?' (into the target), empty if none
  bool has_query = false;       // the target contained '?'
};

// Parses an origin-form request target ("/path?query", still percent-encoded). Decoding happens exactly once, so
// "%252e" stays the three characters "%2e". Empty segments ("//") are merged. Returns the path or the error.
Result<RequestPath, PathError> parse_request_path(std::string_view target, const PathPolicy& policy);

namespace detail {
// parse_request_path() without its one-pass shortcut for plain targets ("/css/site.css"): what the shortcut must
// agree with (tests compare the two).
Result<RequestPath, PathError> parse_request_path_general(std::string_view target, const PathPolicy& policy);
}  // namespace detail

// Percent-encodes `relative` for a URI path (pchar and '/' kept), e.g. for a redirect's Location. Pure function.
std::string encode_path(std::string_view relative);

enum class SymlinkPolicy : std::uint8_t {
  refuse,       // no symlink anywhere on the path (403)
  inside_root,  // symlinks are followed while resolution stays below the root; absolute targets and any ".." that
                // climbs above the root give 403
};

// How DocumentRoot::open resolves; `automatic` is openat2 and, if the kernel lacks it, the fallback. The others
// exist so tests can exercise both.
enum class ResolveMethod : std::uint8_t { automatic, openat2, fallback };

// The document root, held open as a directory fd: every file is opened relative to it, so replacing the root's
// path after start-up changes nothing. Thread-safe (const member functions only).
class DocumentRoot {
 public:
  DocumentRoot() = default;

  // Opens the directory `path`. Returns the root, or errno (ENOENT, ENOTDIR, EACCES, ...).
  static Result<DocumentRoot, int> open_directory(const std::string& path);

  bool valid() const noexcept { return fd_.valid(); }

  // Opens `relative` (as produced by parse_request_path; "" is the root itself) read-only, non-blocking (a FIFO
  // cannot hang the worker), close-on-exec, without acquiring a controlling terminal. Returns the fd or errno:
  // ENOENT/ENOTDIR (missing), EXDEV (would leave the root), ELOOP (symlink refused), EACCES, others.
  Result<FileHandle, int> open(std::string_view relative, SymlinkPolicy symlinks,
                               ResolveMethod method = ResolveMethod::automatic) const;

 private:
  Result<FileHandle, int> open_with_openat2(std::string_view relative, SymlinkPolicy symlinks) const;
  Result<FileHandle, int> open_fallback(std::string_view relative, SymlinkPolicy symlinks) const;

  FileHandle fd_;
  std::string real_path_;  // realpath() of the root, for the fallback's check of where a file really is
};

// Maps an errno from DocumentRoot::open to the client-visible error: ENOENT, ENOTDIR and ENAMETOOLONG give
// not_found; EXDEV, ELOOP, EACCES and EPERM give forbidden. Any other value is a server error (500): the function
// returns false and leaves `out` alone.
bool path_error_for_errno(int error, PathError& out) noexcept;

}  // namespace h2push::server
