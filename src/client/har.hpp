// src/client/har.hpp: a HAR 1.2 file (http://www.softwareishard.com/blog/har-12-spec/) of what `h2push get` fetched,
// one page (the first URL) and one entry per fetch, which Chrome DevTools (Network > Import HAR) opens.
#pragma once

#include <chrono>
#include <deque>
#include <string>

#include "client/fetch.hpp"
#include "h2push/result.hpp"

namespace h2push::client {

// Writes `path`; errors name the file.
[[nodiscard]] Status<std::string> write_har(const std::string& path, const std::deque<Fetch>& fetches,
                                            std::chrono::system_clock::time_point wall_start, Clock::time_point start);

}  // namespace h2push::client
