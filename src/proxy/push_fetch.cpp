// src/proxy/push_fetch.cpp
#include "proxy/push_fetch.hpp"

#include <asio/post.hpp>
#include <cstdio>
#include <string>

#include "proxy/backpressure.hpp"
#include "proxy/proxy_handler.hpp"
#include "server/exchange.hpp"

namespace h2push::proxy {
namespace {

// One pushed response being fetched. Owned by the upstream call's callback (and the exchange's on_gone); the cycle
// through `call` is broken by finish().
struct PushFetch : std::enable_shared_from_this<PushFetch> {
  std::shared_ptr<server::Exchange> exchange;
  std::shared_ptr<ProxySite> site;
  std::size_t route = 0;
  std::unique_ptr<UpstreamCall> call;
  bool paused = false;

  void on_event(const UpstreamEvent& event);
  void on_head(const UpstreamHead& head);
  void on_data(std::span<const std::byte> data);
  void finish() {
    asio::post(exchange->executor(), [self = shared_from_this()] { self->call.reset(); });
  }
};

void PushFetch::on_event(const UpstreamEvent& event) {
  server::Exchange& x = *exchange;
  if (const auto* head = std::get_if<UpstreamHead>(&event)) {
    on_head(*head);
  } else if (const auto* data = std::get_if<UpstreamData>(&event)) {
    on_data(data->data);
  } else if (std::holds_alternative<UpstreamEnd>(event)) {
    x.write({}, true);
    finish();
  } else if (const auto* failed = std::get_if<UpstreamFailed>(&event)) {
    std::fprintf(stderr, "h2push proxy: push GET %s -> %s: %s%s%.*s\n", std::string(x.request().target).c_str(),
                 to_string(site->routes()[route].upstream).c_str(), std::string(to_string(failed->error)).c_str(),
                 failed->detail.empty() ? "" : ": ", static_cast<int>(failed->detail.size()), failed->detail.data());
    x.abort();  // before the head: RST_STREAM(CANCEL); after it: the body is cut, RST_STREAM(INTERNAL_ERROR)
    finish();
  }
  // A 1xx is dropped: a promised stream takes none (RFC 9113 §8.4).
}

void PushFetch::on_head(const UpstreamHead& head) {
  server::Exchange& x = *exchange;
  const server::Request& request = x.request();
  LearnedPlans& learned = site->learned(route);
  if (head.status == 404 || head.status == 410) {
    learned.forget_asset(route, request.authority, request.target);  // gone: not promised again
  } else if (head.status == 200) {
    learned.observe_asset(route, request.authority, request.target, field_value(head.fields, "etag"),
                          field_value(head.fields, "last-modified"), content_length_value(head.fields),
                          field_value(head.fields, "content-type"));
  }
  // Anything but a storable 200 is refused by the exchange, which resets the promised stream (CANCEL).
  if (!x.respond_streaming(head.status, client_response_fields(head.fields, head.protocol))) finish();
}

void PushFetch::on_data(std::span<const std::byte> data) {
  server::Exchange& x = *exchange;
  if (!x.write(data, false)) return;
  pause_while_client_is_slow(x, *this);
}

// A route with a static_root: the pushed asset from disk, answered at once (or cancelled, 404 forgetting it).
void serve_from_disk(server::Exchange& x, server::Handler& files, LearnedPlans& learned, std::size_t route) {
  server::Response response = files.handle(x.request());
  if (response.status == 404 || response.status == 410) {
    learned.forget_asset(route, x.request().authority, x.request().target);
  }
  x.respond(std::move(response));  // anything but a storable 200 resets the promised stream (CANCEL)
}

}  // namespace

UpstreamRequest push_upstream_request(const server::Request& promised) {
  UpstreamRequest up;
  up.method = "GET";
  up.target = std::string(promised.target);
  up.authority = std::string(promised.authority);
  const ClientSide client{promised.remote, promised.scheme, promised.authority, server::to_string(promised.protocol)};
  up.fields = upstream_request_fields(promised.fields, client);
  std::erase_if(up.fields, [](const auto& f) { return f.first == "cookie" || f.first == "authorization"; });
  return up;
}

void start_push_fetch(std::shared_ptr<server::Exchange> x, std::shared_ptr<ProxySite> site, Upstream& upstream) {
  const server::Request& request = x->request();
  const auto route = select_route(site->routes(), request.authority, request.target);
  if (!route) {
    x->abort();  // no upstream for it: RST_STREAM(CANCEL), the client fetches it itself
    return;
  }
  if (server::Handler* files = site->push_files(*route)) {
    serve_from_disk(*x, *files, site->learned(*route), *route);
    return;
  }
  auto fetch = std::make_shared<PushFetch>();
  fetch->exchange = x;
  fetch->site = std::move(site);
  fetch->route = *route;
  fetch->call = upstream.start(fetch->site->routes()[*route], push_upstream_request(request), x->executor(),
                               [fetch](const UpstreamEvent& e) { fetch->on_event(e); });
  x->on_gone([weak = std::weak_ptr(fetch)] {
    if (const auto f = weak.lock()) f->finish();  // the client refused the push: cancel the fetch
  });
}

}  // namespace h2push::proxy
