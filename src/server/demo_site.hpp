// src/server/demo_site.hpp: the built-in demo site, embedded in the binary and served when no DIR is given.
//
// The site lives in src/server/demo_site/ (text files) plus the pictures, icon and font that
// src/server/demo_site_tools/ generates at build time; docs/demo-site.md describes it. The server does not serve
// from memory: it extracts the files into a directory and serves that with its normal static-file code, so ETags,
// Last-Modified, ranges and compression behave exactly as for any other site.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "h2push/result.hpp"

namespace h2push::server {

struct EmbeddedFile {
  std::string_view path;            // relative, '/'-separated, no leading '/': "css/main.css"
  std::span<const std::byte> data;  // the file's exact bytes
};

// Every file of the demo site, sorted by path; the spans point into static storage and live as long as the program.
std::span<const EmbeddedFile> demo_site_files();

// The modification time given to every extracted file: SOURCE_DATE_EPOCH when it was set at build time, else the
// time the embedding step last ran (that is, when a file of the site last changed). Fixed for a given binary, so
// validators (ETag, Last-Modified) stay the same across restarts and caches stay warm between lab runs.
std::chrono::sys_seconds demo_site_modified_time() noexcept;

// Writes every file of demo_site_files() under `dir` (created if missing, subdirectories too), overwriting files
// of the same name and leaving any other file alone, then sets each file's mtime to demo_site_modified_time().
// Returns the absolute path of `dir`, or a message naming the path and the operating system's reason when a
// directory cannot be created or a file cannot be written (earlier files may then already be written).
[[nodiscard]] Result<std::filesystem::path, std::string> extract_demo_site(const std::filesystem::path& dir);

// The file served for `path` ("index.html", "css/main.css"), or nullptr when there is none.
const EmbeddedFile* find_demo_site_file(std::string_view path) noexcept;

}  // namespace h2push::server
