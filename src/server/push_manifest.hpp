// src/server/push_manifest.hpp: the push manifest (config key `push.manifest`, a TOML file) and the [[push.link]]
// tables of the configuration, turned into the planner's push::Manifest. The format is in docs/push.md:
//
//   [[page]]
//   path = "/index.html"                      # or a prefix ending in '*': "/blog/*"
//   add = [{ href = "/css/late.css", as = "style", critical = true },
//          { href = "/fonts/x.woff2", as = "font", nopush = true }]
//   remove = ["/img/gallery/*"]               # paths, or prefixes ending in '*'
//   nopush = ["/img/hero.png"]
//   order = ["/fonts/x.woff2", "/css/late.css"]
//
// Errors are values (toml++'s exceptions stop in push_manifest.cpp) and name the file, line and key, as the
// configuration's do: "push.toml:7: key 'page[1].add[0].as': expected one of ..., got \"sound\"".
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "h2push/result.hpp"
#include "push/resource.hpp"
#include "push/site_plan.hpp"
#include "server/config.hpp"

namespace h2push::server {

// Parses a manifest held in memory; `source_name` prefixes error messages.
[[nodiscard]] Result<push::Manifest, ConfigError> parse_push_manifest(std::string_view text,
                                                                      std::string_view source_name = "<string>");
// Reads and parses a manifest file (at most 4 MiB).
[[nodiscard]] Result<push::Manifest, ConfigError> read_push_manifest(const std::filesystem::path& path);

// One rule per [[push.link]] table (validated by the configuration already): add the asset to the page, and mark it
// nopush when asked.
push::Manifest manifest_from_links(const std::vector<PushLink>& links);

// What `serve` hands the planner: the manifest file's rules (none when push.manifest is empty), then the
// [[push.link]] rules. The error is ConfigError::to_string().
[[nodiscard]] Result<push::Manifest, std::string> load_push_manifest(const PushConfig& push);

// The destination for a manifest or [[push.link]] `as`: a push::Destination name ("style", "module_script", ...) or
// a Fetch destination the configuration accepts ("audio", "video", "track", "embed", "object" give other); empty:
// guessed from the extension of `href` (.css style, .js/.mjs script, fonts, images, .json/.wasm fetch, .html
// document, else other). Nullopt for an unknown name.
std::optional<push::Destination> destination_for(std::string_view as, std::string_view href);

}  // namespace h2push::server
