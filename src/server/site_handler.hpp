// src/server/site_handler.hpp: the server's request handler: static files from one document root.
#pragma once

#include <memory>
#include <string>

#include "server/handler.hpp"
#include "server/static_files.hpp"

namespace h2push::server {

// The current time as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 §5.6.7), refreshed once a second
// per thread.
const std::string& http_date();

class SiteHandler final : public Handler {
 public:
  // `files` is shared by every worker (StaticFiles is thread-safe); the open-file cache is this handler's own (one
  // handler per worker thread).
  explicit SiteHandler(std::shared_ptr<StaticFiles> files)
      : files_(std::move(files)), open_files_(files_->make_open_file_cache()) {}
  Response handle(const Request& request) override;

 private:
  std::shared_ptr<StaticFiles> files_;
  std::unique_ptr<OpenFileCache> open_files_;
};

}  // namespace h2push::server
