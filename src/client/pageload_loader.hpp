// src/client/pageload_loader.hpp: one browser-like load of a page for the page-load lab: fetch the HTML, discover
// what it needs level by level with the -a discovery code (assets.hpp), request each resource as soon as it is
// discovered, and stop when every discovered resource has arrived. Modes: h1 (HTTP/1.1, up to 6 connections), h2
// (one connection, no push, 103s ignored), push (ENABLE_PUSH=1, pushes matched to needs), hints (103 Link preloads
// requested at once). A Visit carries the cache and cookies from one load to the next (--warm).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "client/fetch.hpp"
#include "client/pageload_report.hpp"
#include "client/transport.hpp"

namespace h2push::client {

enum class LoadMode : std::uint8_t { h1, h2, push, hints };
const char* to_string(LoadMode mode);
bool parse_load_mode(std::string_view name, LoadMode& mode);

// What a browser keeps between visits: responses with validators or freshness, and cookies.
struct Visit {
  struct Cached {
    std::string etag;                 // for If-None-Match ("" when none)
    Clock::time_point fresh_until{};  // not requested again before this
    Fields headers;                   // content-type: discovery reads it
    std::string body;                 // discovery reads it again on a later visit
  };
  std::map<std::string, Cached> cache;         // by path
  std::map<std::string, std::string> cookies;  // name -> value
};

struct LoadOptions {
  Target target;  // the page's URL (TLS SNI and verification are for its host)
  LoadMode mode = LoadMode::h2;
  ConnectOptions connect;      // connect_host/connect_port: the relay
  bool h2c = true;             // http:// URLs: HTTP/2 with prior knowledge (h2, push, hints modes)
  int max_h1_connections = 6;  // per origin, like a browser
  Clock::time_point deadline;
};

// One load. `visit`: the cache and cookies used and updated (nullptr: a cold load keeping nothing). `fetches`
// (optional) receives what was fetched, for the HAR writer; bodies are dropped.
LoadResult load_page(const LoadOptions& options, Visit* visit, std::deque<Fetch>* fetches);

}  // namespace h2push::client
