// src/server/mime_types.cpp: the extension table (IANA media type names, WHATWG MIME sniffing and common server
// defaults for the names; the table itself is ours).
#include "server/mime_types.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace h2push::server {
namespace {

struct Entry {
  std::string_view extension;  // lowercase, without the dot
  MimeType type;
};

// Sorted by extension: looked up with a binary search. `Entry{ext, {type, compressible}}`.
constexpr std::array kTable = {
    Entry{"7z", {"application/x-7z-compressed", false}},
    Entry{"aac", {"audio/aac", false}},
    Entry{"apng", {"image/apng", false}},
    Entry{"appcache", {"text/cache-manifest; charset=utf-8", true}},
    Entry{"atom", {"application/atom+xml", true}},
    Entry{"avi", {"video/x-msvideo", false}},
    Entry{"avif", {"image/avif", false}},
    Entry{"bin", {"application/octet-stream", false}},
    Entry{"bmp", {"image/bmp", true}},
    Entry{"br", {"application/x-brotli", false}},
    Entry{"bz2", {"application/x-bzip2", false}},
    Entry{"cjs", {"text/javascript; charset=utf-8", true}},
    Entry{"css", {"text/css; charset=utf-8", true}},
    Entry{"csv", {"text/csv; charset=utf-8", true}},
    Entry{"doc", {"application/msword", false}},
    Entry{"docx", {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", false}},
    Entry{"eot", {"application/vnd.ms-fontobject", true}},
    Entry{"epub", {"application/epub+zip", false}},
    Entry{"flac", {"audio/flac", false}},
    Entry{"geojson", {"application/geo+json", true}},
    Entry{"gif", {"image/gif", false}},
    Entry{"gz", {"application/gzip", false}},
    Entry{"heic", {"image/heic", false}},
    Entry{"htm", {"text/html; charset=utf-8", true}},
    Entry{"html", {"text/html; charset=utf-8", true}},
    Entry{"ico", {"image/vnd.microsoft.icon", true}},
    Entry{"ics", {"text/calendar; charset=utf-8", true}},
    Entry{"jpeg", {"image/jpeg", false}},
    Entry{"jpg", {"image/jpeg", false}},
    Entry{"js", {"text/javascript; charset=utf-8", true}},
    Entry{"json", {"application/json", true}},
    Entry{"jsonld", {"application/ld+json", true}},
    Entry{"jxl", {"image/jxl", false}},
    Entry{"m4a", {"audio/mp4", false}},
    Entry{"m4v", {"video/mp4", false}},
    Entry{"manifest", {"text/cache-manifest; charset=utf-8", true}},
    Entry{"map", {"application/json", true}},
    Entry{"md", {"text/markdown; charset=utf-8", true}},
    Entry{"mid", {"audio/midi", false}},
    Entry{"midi", {"audio/midi", false}},
    Entry{"mjs", {"text/javascript; charset=utf-8", true}},
    Entry{"mov", {"video/quicktime", false}},
    Entry{"mp3", {"audio/mpeg", false}},
    Entry{"mp4", {"video/mp4", false}},
    Entry{"mpeg", {"video/mpeg", false}},
    Entry{"oga", {"audio/ogg", false}},
    Entry{"ogg", {"audio/ogg", false}},
    Entry{"ogv", {"video/ogg", false}},
    Entry{"opus", {"audio/ogg", false}},
    Entry{"otf", {"font/otf", true}},
    Entry{"pdf", {"application/pdf", false}},
    Entry{"png", {"image/png", false}},
    Entry{"rss", {"application/rss+xml", true}},
    Entry{"rtf", {"application/rtf", true}},
    Entry{"svg", {"image/svg+xml", true}},
    Entry{"svgz", {"image/svg+xml", false}},
    Entry{"tar", {"application/x-tar", false}},
    Entry{"tif", {"image/tiff", false}},
    Entry{"tiff", {"image/tiff", false}},
    Entry{"toml", {"application/toml", true}},
    Entry{"ts", {"video/mp2t", false}},
    Entry{"ttf", {"font/ttf", true}},
    Entry{"txt", {"text/plain; charset=utf-8", true}},
    Entry{"vtt", {"text/vtt; charset=utf-8", true}},
    Entry{"wasm", {"application/wasm", true}},
    Entry{"wav", {"audio/wav", false}},
    Entry{"weba", {"audio/webm", false}},
    Entry{"webm", {"video/webm", false}},
    Entry{"webmanifest", {"application/manifest+json", true}},
    Entry{"webp", {"image/webp", false}},
    Entry{"woff", {"font/woff", false}},
    Entry{"woff2", {"font/woff2", false}},
    Entry{"xhtml", {"application/xhtml+xml", true}},
    Entry{"xls", {"application/vnd.ms-excel", false}},
    Entry{"xlsx", {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", false}},
    Entry{"xml", {"application/xml", true}},
    Entry{"yaml", {"application/yaml", true}},
    Entry{"yml", {"application/yaml", true}},
    Entry{"zip", {"application/zip", false}},
};

constexpr bool table_is_sorted() {
  for (std::size_t i = 1; i < kTable.size(); ++i) {
    if (!(kTable[i - 1].extension < kTable[i].extension)) return false;
  }
  return true;
}
static_assert(table_is_sorted(), "kTable must stay sorted for the binary search");

constexpr MimeType kDefault{"application/octet-stream", false};
constexpr std::size_t kMaxExtension = 16;  // longer than any entry: no match possible

}  // namespace

MimeType mime_type_for(std::string_view file_name) noexcept {
  const std::size_t slash = file_name.find_last_of('/');
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  const std::size_t dot = file_name.find_last_of('.');
  // A leading dot makes a hidden name, not an extension (".htaccess"); a trailing one gives none.
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == file_name.size()) return kDefault;
  const std::string_view extension = file_name.substr(dot + 1);
  if (extension.size() > kMaxExtension) return kDefault;

  std::array<char, kMaxExtension> lower{};
  std::transform(extension.begin(), extension.end(), lower.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  const std::string_view key(lower.data(), extension.size());
  const auto it = std::lower_bound(kTable.begin(), kTable.end(), key,
                                   [](const Entry& e, std::string_view k) { return e.extension < k; });
  if (it == kTable.end() || it->extension != key) return kDefault;
  return it->type;
}

}  // namespace h2push::server
