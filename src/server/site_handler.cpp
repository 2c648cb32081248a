// src/server/site_handler.cpp
#include "server/site_handler.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>
#include <iterator>

namespace h2push::server {

const std::string& http_date() {
  thread_local std::string cached;
  thread_local std::time_t cached_at = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached_at || cached.empty()) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[40];
    const std::size_t n = std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached.assign(buffer, n);
    cached_at = now;
  }
  return cached;
}

Response SiteHandler::handle(const Request& request) {
  FileRequest file_request;
  file_request.method = request.method;
  file_request.target = request.target;
  // One pass over the request's fields for the seven the file handler reads (the first of each, as field() would).
  std::string_view* filled[9] = {};
  std::size_t filled_count = 0;
  for (const hpack::Header& f : request.fields) {
    std::string_view* slot = nullptr;
    switch (f.name.size()) {
      case 5:
        if (f.name == "range") slot = &file_request.range;
        break;
      case 8:
        if (f.name == "if-match") {
          slot = &file_request.if_match;
        } else if (f.name == "if-range") {
          slot = &file_request.if_range;
        }
        break;
      case 13:
        if (f.name == "if-none-match") slot = &file_request.if_none_match;
        break;
      case 15:
        if (f.name == "accept-encoding") slot = &file_request.accept_encoding;
        break;
      case 17:
        if (f.name == "if-modified-since") slot = &file_request.if_modified_since;
        break;
      case 19:
        if (f.name == "if-unmodified-since") slot = &file_request.if_unmodified_since;
        break;
      default:
        break;
    }
    if (slot == nullptr || std::find(filled, filled + filled_count, slot) != filled + filled_count) continue;
    *slot = f.value;  // the first field of that name, even if empty, as Request::field() finds it
    if (filled_count < std::size(filled)) filled[filled_count++] = slot;
  }
  FileResponse file = files_->serve(file_request);

  Response response;
  response.status = file.status;
  response.borrowed.push_back({"server", "h2push"});
  response.borrowed.push_back({"date", http_date()});
  for (const ResponseHeader& h : file.headers) {
    if (h.name == "content-length") {
      std::uint64_t length = 0;
      std::from_chars(h.value.data(), h.value.data() + h.value.size(), length);
      response.content_length = length;
    }
    if (h.owned) {
      response.fields.emplace_back(h.name, h.value);  // made for this response: copied (not the usual 200)
    } else {
      response.borrowed.push_back({h.name, h.value});  // the routed file's, the options' or static text
    }
  }
  response.keep = std::move(file.file);
  response.body = open_body(std::move(file.body));
  // A file's 200, 206 and 304 carry only fields StaticFiles builds from the file, its MIME table and the validated
  // configuration (cache.*): nothing of the request's. Others (a 301's location) are checked as usual.
  response.trusted_fields = file.status == 200 || file.status == 206 || file.status == 304;
  return response;
}

}  // namespace h2push::server
