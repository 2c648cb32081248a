// src/client/fetch.hpp: one resource `h2push get` fetches, with how it came and when; shared by the fetcher, the
// asset discovery (-a) and the HAR writer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/session.hpp"
#include "client/transport.hpp"

namespace h2push::client {

enum class Via : std::uint8_t {
  page,       // named on the command line
  requested,  // discovered (-a) and requested
  hinted,     // named in a 103 Early Hints Link header, then requested
  pushed,     // promised by the server (PUSH_PROMISE)
};
const char* to_string(Via via);

struct Fetch {
  Target target;
  Request request;
  Via via = Via::page;
  int level = 0;            // discovery level: 0 for the pages, 1 for what a page names, ...
  std::string destination;  // style, script, module_script, font, image, fetch, ... ("document" for pages)
  std::string protocol;     // h2, h2c, http/1.1
  bool submitted = false;
  int retries = 0;  // times the server refused it (REFUSED_STREAM, GOAWAY)
  std::optional<ExchangeId> exchange;
  bool followed = false;    // -a: its own references were followed
  bool discovered = false;  // -a: some page or resource named it (a push nobody named was wasted)

  int status = 0;
  std::string reason;  // HTTP/1.1 reason phrase
  Fields headers;
  std::vector<Fields> informational;
  std::string body;        // pages: until written out; everything with -a (discovery reads it)
  std::uint64_t size = 0;  // body octets received
  bool head_written = false;
  std::size_t written = 0;  // octets of `body` written out
  bool done = false;
  std::optional<std::string> error;

  Clock::time_point started{};
  Clock::time_point response_at{};
  Clock::time_point ended{};

  std::string header(std::string_view name) const;  // first value, "" when absent
};

}  // namespace h2push::client
