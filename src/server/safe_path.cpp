// src/server/safe_path.cpp: request-target validation and opening files below the document root.
#include "server/safe_path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>

namespace h2push::server {
namespace {

constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
constexpr int kOpenat2Retries = 4;  // EAGAIN: a rename raced the RESOLVE_BENEATH walk

// Set once openat2 turned out to be missing (old kernel, seccomp filter): from then on the fallback is used.
std::atomic<bool> g_openat2_missing{false};

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_control(unsigned char c) noexcept { return c < 0x20 || c == 0x7f; }

// RFC 3629 §4: rejects overlong forms (the "%c0%ae" trick), surrogates and code points above U+10FFFF.
bool is_valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t extra = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
    } else if (c == 0xe0) {
      extra = 2;
      lo = 0xa0;
    } else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) {
      extra = 2;
    } else if (c == 0xed) {
      extra = 2;
      hi = 0x9f;
    } else if (c == 0xf0) {
      extra = 3;
      lo = 0x90;
    } else if (c >= 0xf1 && c <= 0xf3) {
      extra = 3;
    } else if (c == 0xf4) {
      extra = 3;
      hi = 0x8f;
    } else {
      return false;  // 0x80..0xc1 (continuation or overlong lead), 0xf5..0xff
    }
    if (s.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      const unsigned char min = k == 1 ? lo : 0x80;
      const unsigned char max = k == 1 ? hi : 0xbf;
      if (cc < min || cc > max) return false;
    }
    i += extra + 1;
  }
  return true;
}

// RFC 3986 pchar (unreserved, sub-delims, ':' and '@') and '/': left as they are in an encoded path.
bool keep_in_path(unsigned char c) noexcept {
  constexpr std::string_view kKept = "-._~!$&'()*+,;=:@/";
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != 0 && kKept.find(static_cast<char>(c)) != std::string_view::npos;
}

// Octets a plain path is made of: letters, digits, '-', '_', '~', '.' and '/'.
constexpr std::array<bool, 256> kPlainPathOctets = [] {
  std::array<bool, 256> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (const char c : std::string_view("-_~./")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

// The common target, such as "/css/site.css" or "/docs/", in one pass: plain octets only (so no query, no '%' to
// decode, nothing to refuse), no empty segment and no segment starting with '.' (so no dot segment and no dot
// file). Its relative path is the target without its leading and trailing '/'. Anything else returns false and
// takes the general path below, which gives the same answer for these targets.
bool parse_plain_path(std::string_view target, RequestPath& out) {
  if (target.size() < 1 || target.front() != '/') return false;
  char previous = '/';
  for (std::size_t i = 1; i < target.size(); ++i) {
    const char c = target[i];
    if (!kPlainPathOctets[static_cast<unsigned char>(c)]) return false;
    if (previous == '/' && (c == '/' || c == '.')) return false;
    previous = c;
  }
  out.trailing_slash = target.back() == '/';
  const std::size_t end = target.size() - (out.trailing_slash && target.size() > 1 ? 1 : 0);
  out.relative.assign(target.data() + 1, end - 1);
  return true;
}

}  // namespace

int status_of(PathError error) noexcept {
  switch (error) {
    case PathError::bad_request:
      return 400;
    case PathError::forbidden:
      return 403;
    case PathError::not_found:
      return 404;
  }
  return 500;
}

Result<RequestPath, PathError> parse_request_path(std::string_view target, const PathPolicy& policy) {
  if (target.size() <= policy.max_length) {
    if (RequestPath plain; parse_plain_path(target, plain)) return plain;
  }
  return detail::parse_request_path_general(target, policy);
}

Result<RequestPath, PathError> detail::parse_request_path_general(std::string_view target, const PathPolicy& policy) {
  // RFC 9112 §3.2.1 origin-form only: absolute-form, authority-form and "*" are the glue's business.
  if (target.empty() || target.front() != '/' || target.size() > policy.max_length) {
    return Unexpected{PathError::bad_request};
  }
  for (const char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (is_control(u) || u == ' ') return Unexpected{PathError::bad_request};
  }

  RequestPath out;
  std::string_view raw_path = target;
  if (const std::size_t q = target.find('?'); q != std::string_view::npos) {
    raw_path = target.substr(0, q);
    out.query = target.substr(q + 1);
    out.has_query = true;
  }
  // A raw '\' is not a URI character and is a separator on other systems; '#' never reaches a server.
  if (raw_path.find_first_of("\\#") != std::string_view::npos) return Unexpected{PathError::bad_request};

  // Decode exactly once. An encoded separator would make the file system see another path than the one the
  // segments were checked on, so %2F and %5C are refused outright (Apache's AllowEncodedSlashes Off: 404).
  // Without a '%' (most requests) the decoded path is the raw one: viewed, not copied.
  std::string decoded_octets;
  std::string_view decoded = raw_path;
  if (raw_path.find('%') != std::string_view::npos) {
    decoded_octets.reserve(raw_path.size());
    for (std::size_t i = 0; i < raw_path.size(); ++i) {
      const char c = raw_path[i];
      if (c != '%') {
        decoded_octets.push_back(c);
        continue;
      }
      const int hi = i + 2 < raw_path.size() ? hex_value(raw_path[i + 1]) : -1;
      const int lo = hi >= 0 ? hex_value(raw_path[i + 2]) : -1;
      if (lo < 0) return Unexpected{PathError::bad_request};
      const auto value = static_cast<unsigned char>(hi * 16 + lo);
      if (is_control(value)) return Unexpected{PathError::bad_request};  // %00 and friends
      if (value == '/' || value == '\\') return Unexpected{PathError::not_found};
      decoded_octets.push_back(static_cast<char>(value));
      i += 2;
    }
    decoded = decoded_octets;
  }
  if (!is_valid_utf8(decoded)) return Unexpected{PathError::bad_request};

  out.trailing_slash = decoded.back() == '/';
  out.relative.reserve(decoded.size());
  std::size_t index = 0;
  std::size_t start = 1;
  while (start <= decoded.size()) {
    std::size_t end = decoded.find('/', start);
    if (end == std::string_view::npos) end = decoded.size();
    const std::string_view segment = decoded.substr(start, end - start);
    start = end + 1;
    if (segment.empty()) continue;
    // Browsers remove dot segments before sending (RFC 3986 §5.2.4), so one that arrives, raw or encoded, is an
    // attempt: refused rather than resolved, which leaves nothing to clamp.
    if (segment == "." || segment == "..") return Unexpected{PathError::bad_request};
    if (segment.front() == '.' && policy.hide_dotfiles &&
        !(policy.allow_well_known && index == 0 && segment == ".well-known")) {
      return Unexpected{PathError::not_found};
    }
    if (!out.relative.empty()) out.relative.push_back('/');
    out.relative.append(segment);
    ++index;
  }
  return out;
}

std::string encode_path(std::string_view relative) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(relative.size());
  for (const char c : relative) {
    const auto u = static_cast<unsigned char>(c);
    if (keep_in_path(u)) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  return out;
}

bool path_error_for_errno(int error, PathError& out) noexcept {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:
      out = PathError::not_found;
      return true;
    case EXDEV:
    case ELOOP:
    case EACCES:
    case EPERM:
      out = PathError::forbidden;
      return true;
    default:
      return false;
  }
}

Result<DocumentRoot, int> DocumentRoot::open_directory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Unexpected{errno};
  DocumentRoot root;
  root.fd_ = FileHandle(fd);
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) return Unexpected{errno};
  root.real_path_ = real;
  std::free(real);  // NOLINT: realpath() allocates with malloc
  return root;
}

Result<FileHandle, int> DocumentRoot::open(std::string_view relative, SymlinkPolicy symlinks,
                                           ResolveMethod method) const {
  if (!fd_.valid()) return Unexpected{EBADF};
  // Defence in depth for callers that skipped parse_request_path(): no absolute path, no ".." segment. (openat2
  // refuses both anyway; the fallback's O_NOFOLLOW walk relies on it.)
  if (relative.starts_with('/') || relative == ".." || relative.starts_with("../") || relative.ends_with("/..") ||
      relative.find("/../") != std::string_view::npos) {
    return Unexpected{EXDEV};
  }
  if (method == ResolveMethod::fallback ||
      (method == ResolveMethod::automatic && g_openat2_missing.load(std::memory_order_relaxed))) {
    return open_fallback(relative, symlinks);
  }
  auto opened = open_with_openat2(relative, symlinks);
  if (opened.ok() || method != ResolveMethod::automatic) return opened;
  // ENOSYS: no openat2 here, remember it. EPERM: a seccomp filter may say so too, but so may a real refusal,
  // which the fallback then reports again; not remembered.
  if (opened.error() == ENOSYS) g_openat2_missing.store(true, std::memory_order_relaxed);
  if (opened.error() == ENOSYS || opened.error() == EPERM) return open_fallback(relative, symlinks);
  return opened;
}

Result<FileHandle, int> DocumentRoot::open_with_openat2(std::string_view relative, SymlinkPolicy symlinks) const {
  const std::string path = relative.empty() ? std::string(".") : std::string(relative);
  open_how how{};
  how.flags = static_cast<std::uint64_t>(kOpenFlags);
  // RESOLVE_BENEATH: the kernel refuses (EXDEV) any step above the root, absolute symlinks included, at every
  // stage of resolution, so no check-then-open race exists. Magic links (/proc/self/fd/N) are never followed.
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  if (symlinks == SymlinkPolicy::refuse) how.resolve |= RESOLVE_NO_SYMLINKS;
  for (int attempt = 0;; ++attempt) {
    const long fd = ::syscall(SYS_openat2, fd_.get(), path.c_str(), &how, sizeof how);
    if (fd >= 0) return FileHandle(static_cast<int>(fd));
    const int error = errno;
    if (error == EINTR || (error == EAGAIN && attempt < kOpenat2Retries)) continue;
    return Unexpected{error};
  }
}

Result<FileHandle, int> DocumentRoot::open_fallback(std::string_view relative, SymlinkPolicy symlinks) const {
  if (symlinks == SymlinkPolicy::refuse) {
    // Walk one segment at a time with O_NOFOLLOW: a symlink anywhere gives ELOOP. The segments hold no "." or
    // ".." (parse_request_path), so the walk cannot climb.
    FileHandle dir;
    int at = fd_.get();
    if (relative.empty()) relative = ".";
    while (true) {
      const std::size_t slash = relative.find('/');
      const std::string segment(relative.substr(0, slash));
      const bool last = slash == std::string_view::npos;
      const int flags = last ? (kOpenFlags | O_NOFOLLOW) : (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      const int fd = ::openat(at, segment.c_str(), flags);
      if (fd < 0) {
        const int error = errno;
        // O_DIRECTORY | O_NOFOLLOW on a symlink reports ENOTDIR: tell a refused link from a plain file.
        struct stat st {};
        if (error == ENOTDIR && ::fstatat(at, segment.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
          return Unexpected{ELOOP};
        }
        return Unexpected{error};
      }
      if (last) return FileHandle(fd);
      dir = FileHandle(fd);
      at = dir.get();
      relative.remove_prefix(slash + 1);
    }
  }

  // Symlinks allowed: let the kernel resolve, then ask it where the opened file really is and refuse anything
  // outside the root. The check is on the open file itself, so a symlink swapped in meanwhile gains nothing.
  const std::string path = relative.empty() ? std::string(".") : std::string(relative);
  const int fd = ::openat(fd_.get(), path.c_str(), kOpenFlags);
  if (fd < 0) return Unexpected{errno};
  FileHandle file(fd);
  std::array<char, 64> link{};
  std::snprintf(link.data(), link.size(), "/proc/self/fd/%d", fd);
  std::string where(PATH_MAX + 1, '\0');
  const ssize_t n = ::readlink(link.data(), where.data(), where.size());
  if (n <= 0 || static_cast<std::size_t>(n) >= where.size()) return Unexpected{EXDEV};  // cannot verify: refuse
  where.resize(static_cast<std::size_t>(n));
  const bool inside = real_path_ == "/" || where == real_path_ ||
                      (where.size() > real_path_.size() && where.compare(0, real_path_.size(), real_path_) == 0 &&
                       where[real_path_.size()] == '/');
  if (!inside) return Unexpected{EXDEV};
  return file;
}

}  // namespace h2push::server
