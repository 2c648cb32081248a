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

// How the planner reaches the site, by URL path ("/css/main.css", percent-encoded as in a request, no query: the
// planner strips a resource's query before asking). A directory path ("/", "/docs/") names its index document the
// way the server would serve it. Implementations must be safe to call from several threads at once.
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
  // An exact path ("/index.html"; "/" and "/index.html" name the same page, likewise "/d/" and "/d/index.html") or
  // a prefix ending in '*' ("/blog/*").
  std::string page;
  // Appended to the page's level-1 resources (level 1, source "manifest" when empty; never conditional) before the
  // levels below are followed, so what an added style sheet or module names is found too. An added path that
  // discovery also finds is merged into the discovered entry (merge_occurrence). Marked nopush below.
  std::vector<Resource> add;
  std::vector<std::string> nopush;  // paths of `add` (or discovered ones) to hint but never push; "/img/*" prefixes
  std::vector<std::string> remove;  // paths dropped from the plan (what they name stays); "/img/*" prefixes
  std::vector<std::string> order;   // these paths first, in this order, before the policy's ranking of the rest
  friend bool operator==(const ManifestRule&, const ManifestRule&) = default;
};

struct Manifest {
  std::vector<ManifestRule> rules;  // every rule whose `page` matches applies, in order
  friend bool operator==(const Manifest&, const Manifest&) = default;
};

// Every budget that cuts discovery short sets PagePlan::truncated.
struct PlanOptions {
  int max_depth = 4;                       // deepest level kept (1 = what the HTML names); files at it are not parsed
  std::size_t max_resources = 64;          // resources kept per page; discovery stops taking new paths at 4 times it
  std::size_t max_file_bytes = 1 << 20;    // CSS / JS / HTML files larger than this are not parsed (still planned)
  std::size_t max_parsed_bytes = 4 << 20;  // total octets parsed for one page
  std::size_t max_cached_pages = 1024;     // plans kept (least recently used dropped); 0: none
};

// One resource of a page's plan.
struct PlannedResource {
  Resource resource;    // path, destination, critical, crossorigin, level, source
  FileStat stat;        // as seen when the plan was made
  bool nopush = false;  // hint it, never push it (manifest, Link `nopush`)
  // RFC 9218 urgency for its pushed response, always below the page's default (3) so the HTML is not delayed:
  // 4 for render-blocking resources, 5 for the other style sheets, fonts and scripts (module scripts and their
  // imports, deferred and async classic scripts), 6 for the rest (images never starve CSS).
  std::uint8_t urgency = 6;
  friend bool operator==(const PlannedResource&, const PlannedResource&) = default;
};

// What a page needs, ranked: manifest `order` first; then render-blocking (stylesheets, fonts referenced by
// critical CSS, classic sync scripts; urgency 4), then the other style sheets, fonts and scripts (module scripts and
// their static imports, deferred classic scripts; urgency 5), then the rest (images, fetches; urgency 6), each group
// in discovery order (level, then document order). Conditional resources (srcset candidates, lazy images, dynamic
// imports) and paths the source cannot serve are never in it; the page itself is never in it.
struct PagePlan {
  std::string page;                        // the page's path as asked, without query or fragment
  std::vector<PlannedResource> resources;  // ranked
  bool truncated = false;                  // a PlanOptions budget cut discovery short
  std::size_t files_parsed = 0;            // the page and the style sheets and modules read
  std::size_t bytes_parsed = 0;            // their octets
  std::size_t conditional = 0;             // resources found but left out as conditional
  std::size_t unservable = 0;              // resources found but left out because the source cannot serve them
};

class SitePlanner {
 public:
  SitePlanner(std::shared_ptr<SiteSource> source, PlanOptions options = {}, Manifest manifest = {});
  ~SitePlanner();
  SitePlanner(const SitePlanner&) = delete;
  SitePlanner& operator=(const SitePlanner&) = delete;

  // The plan of the HTML page at `page_path` (a request target; its query and fragment are ignored), nullptr when it
  // is not servable HTML (media type text/html). Cached per path: a cached plan is reused (the same shared_ptr)
  // while every file it stat()ed still has the version it had (the page, every style sheet and module read, every
  // planned resource, and paths found unservable; re-checked with stat() on each call); otherwise the page is
  // discovered again. Thread-safe: the lock is never held during I/O; two threads missing at once may both plan.
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
// (path + version) and `refused` paths (promised streams this client reset), until limits.max_count is reached. A
// resource that would take the pushed bytes past limits.max_bytes is skipped and later, smaller ones still count.
std::vector<const PlannedResource*> select_pushes(const PagePlan& plan, const CacheDigest& digest,
                                                  const SelectLimits& limits,
                                                  const std::vector<std::string>& refused = {});

// The resources of `plan` to name in a 103 Early Hints: in plan order, those with a preload form
// (format_link() is not nullopt), skipping digest entries, up to limits.max_count (bytes are not limited). Nopush
// resources are hinted like the others.
std::vector<const PlannedResource*> select_hints(const PagePlan& plan, const CacheDigest& digest,
                                                 const SelectLimits& limits);

}  // namespace h2push::push
