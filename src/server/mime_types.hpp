// src/server/mime_types.hpp: media types of static files by file-name extension (RFC 9110 §8.3).
#pragma once

#include <string_view>

namespace h2push::server {

// What the static file handler needs to know about a media type.
struct MimeType {
  std::string_view content_type;  // the Content-Type value; text types carry "; charset=utf-8"
  bool compressible = false;      // worth gzip/br: text, JSON, XML, SVG, JS, WASM, fonts without own compression
};

// The type for `file_name` (a name or a path; only the part after the last '.' of the last segment counts, matched
// case-insensitively). Unknown or missing extensions give "application/octet-stream", not compressible. The views
// point into static storage.
MimeType mime_type_for(std::string_view file_name) noexcept;

}  // namespace h2push::server
