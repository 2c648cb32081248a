// src/server/demo_site.cpp: extraction of the embedded demo site; the file table itself is generated at build time
// (demo_site_data.cpp, written by src/server/demo_site_tools/embed.cpp).
#include "server/demo_site.hpp"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <system_error>

namespace h2push::server {
namespace {

namespace fs = std::filesystem;

Unexpected<std::string> failure(std::string_view what, const fs::path& path, const std::error_code& ec) {
  return Unexpected{std::string(what) + " " + path.string() + ": " + ec.message()};
}

// Embedded paths are ours, but a path that could escape `dir` must never be written.
bool is_safe_relative(std::string_view path) noexcept {
  if (path.empty() || path.front() == '/') return false;
  const fs::path relative{path};
  return std::none_of(relative.begin(), relative.end(), [](const fs::path& part) { return part == ".."; });
}

}  // namespace

const EmbeddedFile* find_demo_site_file(std::string_view path) noexcept {
  const std::span<const EmbeddedFile> files = demo_site_files();
  const auto it = std::lower_bound(files.begin(), files.end(), path,
                                   [](const EmbeddedFile& file, std::string_view key) { return file.path < key; });
  return it != files.end() && it->path == path ? &*it : nullptr;
}

Result<fs::path, std::string> extract_demo_site(const fs::path& dir) {
  std::error_code ec;
  const fs::path root = fs::absolute(dir, ec);
  if (ec) return failure("cannot resolve", dir, ec);
  fs::create_directories(root, ec);
  if (ec) return failure("cannot create directory", root, ec);

  const auto mtime = fs::file_time_type::clock::from_sys(demo_site_modified_time());
  for (const EmbeddedFile& file : demo_site_files()) {
    if (!is_safe_relative(file.path)) {
      return Unexpected{"refusing to extract the unsafe path " + std::string(file.path)};
    }
    const fs::path target = root / fs::path(file.path);
    fs::create_directories(target.parent_path(), ec);
    if (ec) return failure("cannot create directory", target.parent_path(), ec);
    {
      std::ofstream out(target, std::ios::binary | std::ios::trunc);
      if (!out.is_open()) return failure("cannot open", target, std::error_code(errno, std::generic_category()));
      out.write(reinterpret_cast<const char*>(file.data.data()), static_cast<std::streamsize>(file.data.size()));
      out.close();
      if (!out) {
        return failure("cannot write", target, std::make_error_code(std::errc::io_error));
      }
    }
    fs::last_write_time(target, mtime, ec);
    if (ec) return failure("cannot set the modification time of", target, ec);
  }
  return root;
}

}  // namespace h2push::server
