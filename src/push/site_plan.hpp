// src/push/site_plan.hpp: what a page of a site needs, all levels deep, ranked for pushing and hinting, cached per
// file version. The planner reads files through a SiteSource (the server's static files, a directory for
// `h2push discover`, a proxy's learned pages), follows HTML -> CSS -> @import / fonts / images and HTML -> module JS
// -> imports level by level within a budget, applies the manifest, and ranks the result. Selection for one client
// (cache digest, limits) is a pure function of the plan. No sockets, clocks or threads of its own; plan() is safe to
// call from several worker threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "push/cache_digest.hpp"
#include "push/resource.hpp"

namespace h2push::push {

// A file as the planner sees it: what `stat` tells without reading it.
struct FileStat {
  std::string version;     // changes whenever the file does: the server's ETag (so digests match what it sends)
  std::uint64_t size = 0;  // identity body octets
  std::string media_type;  // "text/html", "text/css", "text/javascript" ... (no parameters, lower case)
  friend bool operator==(const FileStat&, const FileStat&) = default;
};

// How the planner reaches the site, by URL path ("/css/main.css", percent-encoded as in a request, no query). A
// directory path ("/", "/docs/") names its index document the way the server would serve it. Implementations
// must be safe to call from several threads at once.
class SiteSource {
 public:
  virtual ~SiteSource() = default;
  // nullopt when the path is not servable (missing, forbidden, outside the root).
  virtual std::optional<FileStat> stat(std::string_view path) = 0;
  // The identity body, nullopt when not servable or larger than `max_bytes`.
  virtual std::optional<std::string> read(std::string_view path, std::size_t max_bytes) = 0;
};

// One entry of the manifest: what to change in the plan of the pages `page` names.
struct ManifestRule {
  // An exact path ("/index.html"; "/" and "/index.html" name the same page) or a prefix ending in '*' ("/blog/*").
  std::string page;
  std::vector<Resource> add;        // appended after discovery (level 1, source "manifest"); marked nopush below
  std::vector<std::string> nopush;  // paths of `add` (or discovered ones) to hint but never push
  std::vector<std::string> remove;  // paths dropped from the plan
  std::vector<std::string> order;   // these paths first, in this order, before the policy's ranking of the rest
  friend bool operator==(const ManifestRule&, const ManifestRule&) = default;
};

struct Manifest {
  std::vector<ManifestRule> rules;  // every rule whose `page` matches applies, in order
  friend bool operator==(const Manifest&, const Manifest&) = default;
};

struct PlanOptions {
  int max_depth = 4;                       // discovery levels followed (1 = what the HTML names)
  std::size_t max_resources = 64;          // resources kept per page
  std::size_t max_file_bytes = 1 << 20;    // CSS / JS / HTML files larger than this are not parsed
  std::size_t max_parsed_bytes = 4 << 20;  // total octets parsed for one page
  std::size_t max_cached_pages = 1024;     // plans kept (least recently used dropped)
};

// One resource of a page's plan.
struct PlannedResource {
  Resource resource;        // path, destination, critical, crossorigin, level, source
  FileStat stat;            // as seen when the plan was made
  bool nopush = false;      // hint it, never push it (manifest, Link `nopush`)
  // RFC 9218 urgency for its pushed response, always below the page's default (3) so the HTML is not delayed:
  // 4 for render-blocking resources, 5 for module scripts, 6 for the rest (images never starve CSS).
  std::uint8_t urgency = 6;
  friend bool operator==(const PlannedResource&, const PlannedResource&) = default;
};

// What a page needs, ranked: manifest `order` first; then render-blocking (stylesheets, fonts referenced by
// critical CSS, classic sync scripts), module scripts and their static imports, then the rest (images, fetches),
// each group in discovery order (level, then document order). Conditional resources (srcset candidates, lazy images,
// dynamic imports) and paths the source cannot serve are never in it; the page itself is never in it.
struct PagePlan {
  std::string page;                        // the page's path as asked
  std::vector<PlannedResource> resources;  // ranked
  bool truncated = false;                  // a PlanOptions budget cut discovery short
  std::size_t files_parsed = 0;
};

class SitePlanner {
 public:
  SitePlanner(std::shared_ptr<SiteSource> source, PlanOptions options = {}, Manifest manifest = {});
  ~SitePlanner();
  SitePlanner(const SitePlanner&) = delete;
  SitePlanner& operator=(const SitePlanner&) = delete;

  // The plan of the HTML page at `page_path`, nullptr when it is not servable HTML. Cached: a cached plan is reused
  // while every file it read still has the version it had (re-checked with stat() on each call); otherwise the page
  // is discovered again. Thread-safe.
  std::shared_ptr<const PagePlan> plan(std::string_view page_path);

  const PlanOptions& options() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Limits for one response's pushes or hints.
struct SelectLimits {
  std::size_t max_count = 16;
  std::uint64_t max_bytes = 1 << 20;  // pushes only: sum of FileStat::size
};

// The resources of `plan` to push to a client holding `digest`: in plan order, skipping nopush ones, digest entries
// (path + version) and `refused` paths (promised streams this client reset), until a limit is reached.
std::vector<const PlannedResource*> select_pushes(const PagePlan& plan, const CacheDigest& digest,
                                                  const SelectLimits& limits,
                                                  const std::vector<std::string>& refused = {});

// The resources of `plan` to name in a 103 Early Hints: in plan order, those with a preload form
// (preload_link_value() is not nullopt), skipping digest entries, up to limits.max_count (bytes are not limited).
std::vector<const PlannedResource*> select_hints(const PagePlan& plan, const CacheDigest& digest,
                                                 const SelectLimits& limits);

}  // namespace h2push::push
