// src/server/site_source.hpp: the push planner's view of the static site (push::SiteSource over StaticFiles), so
// that the planner sees exactly what the server serves: the same document root, path rules, symlink policy and index
// document, the same media types, and as a file's version the same ETag the server sends for its identity
// representation (the cache digest compares path + version, so they must agree).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "push/site_plan.hpp"
#include "server/static_files.hpp"

namespace h2push::server {

// Thread-safe: StaticFiles::locate() is const and every call opens its own file descriptor.
class StaticSiteSource : public push::SiteSource {
 public:
  explicit StaticSiteSource(std::shared_ptr<const StaticFiles> files) : files_(std::move(files)) {}

  // version: the ETag serve() sends for the unencoded representation (with EtagMode::none, which sends no ETag, a
  // strong tag made the same way, so that versions still change with the file); size: the file's size; media_type:
  // the Content-Type without parameters, lower case.
  std::optional<push::FileStat> stat(std::string_view path) override;
  // The file's bytes, read through the descriptor that was stat()ed; nullopt when larger than max_bytes, not
  // servable, or changed while being read.
  std::optional<std::string> read(std::string_view path, std::size_t max_bytes) override;

 private:
  std::shared_ptr<const StaticFiles> files_;
};

// "Text/HTML; charset=utf-8" -> "text/html".
std::string media_type_of(std::string_view content_type);

}  // namespace h2push::server
