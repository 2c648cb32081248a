// src/proxy/backpressure.hpp: holding an upstream back while its client is slow, for everything that streams an
// upstream response into a server::Exchange (a forwarded request, a push fetch).
#pragma once

#include <memory>

#include "proxy/proxy_handler.hpp"
#include "proxy/upstream.hpp"
#include "server/exchange.hpp"

namespace h2push::proxy {

// Called after a chunk was written to `x`: once more than ProxyHandler::kMaxBuffered octets wait for the client,
// pauses `relay.call` and resumes it when they have drained. `Relay` derives from std::enable_shared_from_this and
// has `std::unique_ptr<UpstreamCall> call` (null once the call is over: then nothing is paused or resumed) and
// `bool paused`. The drain callback holds the relay weakly.
template <class Relay>
void pause_while_client_is_slow(server::Exchange& x, Relay& relay) {
  if (x.buffered() <= ProxyHandler::kMaxBuffered || relay.paused || relay.call == nullptr) return;
  relay.paused = true;
  relay.call->pause(true);
  x.on_drain([weak = relay.weak_from_this()] {
    const auto self = weak.lock();
    if (self == nullptr || self->call == nullptr) return;
    self->paused = false;
    self->call->pause(false);
  });
}

}  // namespace h2push::proxy
