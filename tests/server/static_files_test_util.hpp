// tests/server/static_files_test_util.hpp: a temporary document root and helpers shared by the static file tests.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "server/static_files.hpp"

namespace h2push::server::testing {

// A fresh directory under $TMPDIR, removed with everything in it (symlinks are removed, not followed).
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "h2push-static-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

  // Writes `contents` to `relative` (parents created), replacing the file's data in place.
  void write(const std::string& relative, std::string_view contents) const {
    const auto file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  }
  void mkdir(const std::string& relative) const { std::filesystem::create_directories(path_ / relative); }
  void symlink(const std::string& target, const std::string& relative) const {
    std::filesystem::create_symlink(target, path_ / relative);
  }
  // Sets the modification time of `relative` to `seconds` since the epoch (plus `nanoseconds`).
  void set_mtime(const std::string& relative, std::int64_t seconds, long nanoseconds = 0) const {
    const std::array<timespec, 2> times{timespec{seconds, nanoseconds}, timespec{seconds, nanoseconds}};
    ::utimensat(AT_FDCWD, (path_ / relative).c_str(), times.data(), 0);
  }

 private:
  std::filesystem::path path_;
};

// Reads the whole body of `r` through open_body() with a small buffer (empty if it has none).
inline std::string read_body(const FileResponse& r, std::size_t chunk = 4096) {
  std::string out;
  auto source = open_body(r);
  if (!source) return out;
  std::string buffer(chunk, '\0');
  for (int guard = 0; guard < 1'000'000; ++guard) {
    const auto read = source->read(std::as_writable_bytes(std::span<char>(buffer)));
    out.append(buffer.data(), read.length);
    if (read.end || read.failed) break;
  }
  return out;
}

inline FileRequest get(std::string_view target) { return FileRequest{.method = "GET", .target = target}; }

// The header's value, or "<none>" so that expectations print clearly.
inline std::string header_or_none(const FileResponse& r, std::string_view name) {
  const auto v = r.header(name);
  return v ? std::string(*v) : std::string("<none>");
}

}  // namespace h2push::server::testing
