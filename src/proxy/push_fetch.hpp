// src/proxy/push_fetch.hpp: the responses of pushes through the proxy. The server promises a learned asset at once
// (before the upstream has answered the page) and hands the promised stream to ProxyHandler::start() as a pushed
// Exchange; this fetches it from the route's upstream through the same Upstream (pool) as any request and streams
// head and body into the promised stream with backpressure. What the upstream gets: see push_upstream_request().
// A fetch that fails before the head (refused, timeout, reset), or whose answer is not a storable 200, resets the
// promised stream with RST_STREAM(CANCEL) (server::Exchange does); a 404 or 410 also forgets the asset from the
// learned plans of the route and host; a body cut after the head is RST_STREAM(INTERNAL_ERROR).
#pragma once

#include <memory>

#include "proxy/upstream.hpp"
#include "server/handler.hpp"

namespace h2push::server {
class Exchange;
}

namespace h2push::proxy {

class ProxySite;

// The upstream request for a promised one: GET of the promised path with the client's authority as Host, the
// promised request's fields (Accept-Encoding, as in the PUSH_PROMISE) and the forwarding fields of a normal request
// (Via, X-Forwarded-For/-Proto/-Host, Forwarded). No Cookie, Authorization or other client field: plans are learned
// from every client's pages, so a push must not carry this client's credentials to a URL it did not ask for, and the
// pushed response must be one that does not depend on them (only storable, shared responses are pushed).
UpstreamRequest push_upstream_request(const server::Request& promised);

// Answers the pushed `exchange` (exchange->pushed()) from its route's upstream, or from its static_root when it has
// one (served as `h2push serve` would with default options), or resets it when no route matches.
void start_push_fetch(std::shared_ptr<server::Exchange> exchange, std::shared_ptr<ProxySite> site, Upstream& upstream);

}  // namespace h2push::proxy
