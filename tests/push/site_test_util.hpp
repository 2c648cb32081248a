// tests/push/site_test_util.hpp: SiteSources for the planner's tests (a site in memory whose files can be changed,
// and a directory of the corpus under tests/push/sites/) and a one-line description of planned resources, so that
// tests compare whole ordered lists.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "push/site_plan.hpp"

namespace h2push::push::testing {

// The media type the tests' sources give a path, by extension.
inline std::string media_type_for(std::string_view path) {
  const std::size_t dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  if (ext == "html") return "text/html";
  if (ext == "css") return "text/css";
  if (ext == "js" || ext == "mjs") return "text/javascript";
  if (ext == "json") return "application/json";
  if (ext == "png" || ext == "PNG") return "image/png";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "woff2") return "font/woff2";
  return "application/octet-stream";
}

// A site in memory. Every put() gives the file a new version. Thread-safe; counts reads.
class MemorySite : public SiteSource {
 public:
  void put(const std::string& path, std::string body, std::string type = {}) {
    const std::lock_guard lock(mutex_);
    File& file = files_[path];
    file.body = std::move(body);
    file.type = type.empty() ? media_type_for(path) : std::move(type);
    file.version = "\"v" + std::to_string(++next_version_) + "\"";
  }
  void erase(const std::string& path) {
    const std::lock_guard lock(mutex_);
    files_.erase(path);
  }

  std::optional<FileStat> stat(std::string_view path) override {
    const std::lock_guard lock(mutex_);
    ++stats_;
    const File* file = find(path);
    if (file == nullptr) return std::nullopt;
    return FileStat{file->version, file->body.size(), file->type};
  }
  std::optional<std::string> read(std::string_view path, std::size_t max_bytes) override {
    const std::lock_guard lock(mutex_);
    ++reads_;
    const File* file = find(path);
    if (file == nullptr || file->body.size() > max_bytes) return std::nullopt;
    return file->body;
  }

  std::size_t reads() const { return reads_; }
  std::size_t stats() const { return stats_; }

 private:
  struct File {
    std::string body;
    std::string type;
    std::string version;
  };
  const File* find(std::string_view path) const {
    std::string key(path);
    if (key.ends_with('/')) key += "index.html";
    const auto it = files_.find(key);
    return it == files_.end() ? nullptr : &it->second;
  }

  std::mutex mutex_;
  std::map<std::string, File> files_;
  int next_version_ = 0;
  std::atomic<std::size_t> reads_{0};
  std::atomic<std::size_t> stats_{0};
};

// A directory, read-only: "%20" decoded, ".." refused, "dir/" is "dir/index.html"; the version is size and mtime.
class DirectorySite : public SiteSource {
 public:
  explicit DirectorySite(std::filesystem::path root) : root_(std::move(root)) {}

  std::optional<FileStat> stat(std::string_view path) override {
    const auto file = locate(path);
    struct stat st {};
    if (!file || ::stat(file->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    return FileStat{
        std::to_string(st.st_size) + "-" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec),
        static_cast<std::uint64_t>(st.st_size), media_type_for(file->string())};
  }
  std::optional<std::string> read(std::string_view path, std::size_t max_bytes) override {
    const auto s = stat(path);
    if (!s || s->size > max_bytes) return std::nullopt;
    std::ifstream in(*locate(path), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::optional<std::filesystem::path> locate(std::string_view path) const {
    if (path.empty() || path.front() != '/' || path.find("..") != std::string_view::npos) return std::nullopt;
    std::string decoded;
    for (std::size_t i = 1; i < path.size(); ++i) {
      if (path[i] == '%' && i + 2 < path.size()) {
        decoded.push_back(static_cast<char>(std::stoi(std::string(path.substr(i + 1, 2)), nullptr, 16)));
        i += 2;
      } else {
        decoded.push_back(path[i]);
      }
    }
    if (decoded.empty() || decoded.ends_with('/')) decoded += "index.html";
    return root_ / decoded;
  }

  std::filesystem::path root_;
};

// "/css/a.css style L1 u4 critical crossorigin nopush <link>" (flags only when set).
inline std::string describe(const PlannedResource& p) {
  const Resource& r = p.resource;
  std::string out =
      r.path + " " + std::string(to_string(r.as)) + " L" + std::to_string(r.level) + " u" + std::to_string(p.urgency);
  if (r.critical) out += " critical";
  if (r.crossorigin) out += " crossorigin";
  if (p.nopush) out += " nopush";
  return out + " <" + r.source + ">";
}

inline std::vector<std::string> describe(const PagePlan& plan) {
  std::vector<std::string> out;
  for (const PlannedResource& p : plan.resources) out.push_back(describe(p));
  return out;
}

inline std::vector<std::string> paths(const std::vector<const PlannedResource*>& selected) {
  std::vector<std::string> out;
  for (const PlannedResource* p : selected) out.push_back(p->resource.path);
  return out;
}

}  // namespace h2push::push::testing
