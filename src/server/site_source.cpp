// src/server/site_source.cpp
#include "server/site_source.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "server/compression.hpp"
#include "server/static_files_http.hpp"

namespace h2push::server {
namespace {

push::FileStat stat_of(const StaticFiles::FileInfo& info) {
  push::FileStat out;
  out.version = info.etag.empty() ? make_etag(info.identity, ContentCoding::identity, false) : info.etag;
  out.size = info.identity.size;
  out.media_type = media_type_of(info.content_type);
  return out;
}

}  // namespace

std::string media_type_of(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && (content_type.back() == ' ' || content_type.back() == '\t')) {
    content_type.remove_suffix(1);
  }
  std::string out(content_type);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<push::FileStat> StaticSiteSource::stat(std::string_view path) {
  auto info = files_->locate(path);
  if (!info) return std::nullopt;
  return stat_of(*info);
}

std::optional<std::string> StaticSiteSource::read(std::string_view path, std::size_t max_bytes) {
  auto info = files_->locate(path);
  if (!info || info->identity.size > max_bytes) return std::nullopt;
  std::string data(static_cast<std::size_t>(info->identity.size), '\0');
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pread(info->file.get(), data.data() + done, data.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    done += static_cast<std::size_t>(n);
  }
  struct stat after {};
  if (::fstat(info->file.get(), &after) != 0 || identity_of(after) != info->identity) return std::nullopt;
  return data;
}

}  // namespace h2push::server
