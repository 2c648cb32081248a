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
  // `files` is shared by every worker (StaticFiles is thread-safe).
  explicit SiteHandler(std::shared_ptr<StaticFiles> files) : files_(std::move(files)) {}
  Response handle(const Request& request) override;

 private:
  std::shared_ptr<StaticFiles> files_;
};

}  // namespace h2push::server
