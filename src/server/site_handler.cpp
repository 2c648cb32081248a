// src/server/site_handler.cpp
#include "server/site_handler.hpp"

#include <charconv>
#include <chrono>
#include <ctime>
#include <iterator>
#include <string_view>
#include <utility>

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
  // One pass over the request's fields for the seven the file handler reads; the first of each name wins, even if
  // empty, as Request::field() finds it.
  using Slot = std::string_view FileRequest::*;
  static constexpr std::pair<std::string_view, Slot> kRead[] = {
      {"range", &FileRequest::range},
      {"if-match", &FileRequest::if_match},
      {"if-range", &FileRequest::if_range},
      {"if-none-match", &FileRequest::if_none_match},
      {"accept-encoding", &FileRequest::accept_encoding},
      {"if-modified-since", &FileRequest::if_modified_since},
      {"if-unmodified-since", &FileRequest::if_unmodified_since},
  };
  unsigned seen = 0;
  for (const hpack::Header& f : request.fields) {
    for (unsigned i = 0; i < std::size(kRead); ++i) {
      if ((seen & (1u << i)) != 0 || f.name != kRead[i].first) continue;
      file_request.*kRead[i].second = f.value;
      seen |= 1u << i;
      break;
    }
  }
  FileResponse file = files_->serve(file_request, *open_files_);

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
