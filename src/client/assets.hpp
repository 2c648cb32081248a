// src/client/assets.hpp: what a fetched resource makes a browser fetch next (-a), with the discovery code of
// src/push: HTML -> its level-1 resources and inline CSS/modules; CSS -> imports, fonts, images; module JS ->
// imports (and fetch() of literals, resolved against the page).
#pragma once

#include <string>
#include <vector>

#include "client/fetch.hpp"
#include "push/resource.hpp"

namespace h2push::client {

// The same-origin resources `fetch` (complete, 2xx) names, at fetch.level + 1. `page_url` is the URL of the page
// that led to it (fetch() literals resolve against it). Conditional resources (srcset candidates, lazy images, media
// alternatives) are left out, as a browser fetches at most one of them: `skipped` counts them.
std::vector<push::Resource> discover_assets(const Fetch& fetch, const std::string& page_url, std::size_t& skipped);

// Link: rel=preload / modulepreload targets of a 103's fields, same-origin with `page_url`.
std::vector<push::Resource> hinted_assets(const Fields& fields, const std::string& page_url);

}  // namespace h2push::client
