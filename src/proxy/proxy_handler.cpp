// src/proxy/proxy_handler.cpp
#include "proxy/proxy_handler.hpp"

#include <asio/post.hpp>
#include <cstdio>

#include "proxy/backpressure.hpp"
#include "proxy/push_fetch.hpp"
#include "server/exchange.hpp"
#include "server/site_handler.hpp"

namespace h2push::proxy {
namespace {

// The client's request trailers as they may go upstream (forwardable_trailers()).
Fields forwardable_request_trailers(const server::Fields& trailers) {
  std::vector<hpack::Header> fields;
  fields.reserve(trailers.size());
  for (const auto& [name, value] : trailers) fields.push_back({name, value});
  return forwardable_trailers(fields);
}

void answer_error(server::Exchange& x, int status, std::string_view why) {
  const std::string body = std::to_string(status) + " " + std::string(why) + "\n";
  x.respond_streaming(status, {{"content-type", "text/plain; charset=utf-8"}, {"cache-control", "no-store"}},
                      body.size());
  x.write(std::as_bytes(std::span(body.data(), body.size())), true);
}

// One forwarded request: the client's exchange, the upstream call and what is being learned. Owned by the upstream
// callback and the exchange's callbacks; the cycle through `call` is broken once the exchange is over.
struct Forward : std::enable_shared_from_this<Forward> {
  std::shared_ptr<server::Exchange> exchange;
  std::shared_ptr<ProxySite> site;
  std::size_t route = 0;
  std::unique_ptr<UpstreamCall> call;
  std::optional<PageCapture> page;              // set while a page is being learned
  std::vector<std::string> links;               // the response's Link field values, learned with the page
  std::optional<BodyCapture> asset;             // set while a style sheet or module a page names is being learned
  std::string etag, last_modified, media_type;  // the asset's
  bool paused = false;

  void on_event(const UpstreamEvent& event);
  void on_head(const UpstreamHead& head);
  void on_data(std::span<const std::byte> data);
  void learn_after_flush();  // what the whole response taught, once its last octets are on their way
  void finish();             // drops the upstream call outside of its callback
};

void Forward::on_event(const UpstreamEvent& event) {
  server::Exchange& x = *exchange;
  if (const auto* info = std::get_if<UpstreamInformational>(&event)) {
    x.inform(info->status, end_to_end_fields(info->fields));
  } else if (const auto* head = std::get_if<UpstreamHead>(&event)) {
    on_head(*head);
  } else if (const auto* data = std::get_if<UpstreamData>(&event)) {
    on_data(data->data);
  } else if (const auto* end = std::get_if<UpstreamEnd>(&event)) {
    const Fields trailers = forwardable_trailers(end->trailers);
    if (trailers.empty() || !x.write_trailers(trailers)) x.write({}, true);
    learn_after_flush();
    finish();
  } else if (const auto* failed = std::get_if<UpstreamFailed>(&event)) {
    std::fprintf(stderr, "h2push proxy: %s %s -> %s: %s%s%.*s\n", std::string(x.request().method).c_str(),
                 std::string(x.request().target).c_str(), to_string(site->routes()[route].upstream).c_str(),
                 std::string(to_string(failed->error)).c_str(), failed->detail.empty() ? "" : ": ",
                 static_cast<int>(failed->detail.size()), failed->detail.data());
    if (x.responded()) {
      x.abort();  // the head is out: only cutting the body tells the client
    } else {
      answer_error(x, status_for(failed->error),
                   failed->error == UpstreamError::connect_timeout || failed->error == UpstreamError::response_timeout
                       ? "Gateway Timeout"
                       : "Bad Gateway");
    }
    finish();
  }
}

void Forward::on_head(const UpstreamHead& head) {
  server::Exchange& x = *exchange;
  const Route& r = site->routes()[route];
  if (head.status > 599) {
    // RFC 9110 §15: codes past 599 are invalid, to be processed as a 5xx; HTTP/2 cannot carry them at all.
    std::fprintf(stderr, "h2push proxy: %s %s -> %s: invalid status %d\n", std::string(x.request().method).c_str(),
                 std::string(x.request().target).c_str(), to_string(r.upstream).c_str(), head.status);
    answer_error(x, 502, "Bad Gateway");
    finish();
    return;
  }
  const std::string cache_control = joined_values(head.fields, "cache-control");  // outlives `facts`, which views it
  const ResponseFacts facts{x.request().method, head.status, field_value(head.fields, "content-type"), cache_control,
                            field_value(head.fields, "content-encoding")};
  LearnedPlans& learned = site->learned(route);
  if (r.learn && may_learn(facts)) {
    page.emplace(learned.options().max_capture_bytes);
    for (const hpack::Header& f : head.fields) {
      if (f.name == "link") links.emplace_back(f.value);
    }
  } else if (r.learn && x.request().method == "GET" && head.status == 200) {
    const std::string_view type = field_value(head.fields, "content-type");
    if (type.substr(0, 9) == "text/html") {
      learned.forget(route, x.request().authority, x.request().target);  // no-store, private or encoded: never learned
    } else {
      etag = field_value(head.fields, "etag");
      last_modified = field_value(head.fields, "last-modified");
      media_type = type;
      learned.observe_asset(route, x.request().authority, x.request().target, etag, last_modified,
                            content_length_value(head.fields), type);
      if (may_learn_asset(facts) && learned.wants_body(route, x.request().authority, x.request().target)) {
        asset.emplace(learned.options().max_capture_bytes);
      }
    }
  }
  server::Fields fields = client_response_fields(head.fields, head.protocol);
  x.respond_streaming(head.status, std::move(fields));
}

void Forward::on_data(std::span<const std::byte> data) {
  server::Exchange& x = *exchange;
  if (!x.write(data, false)) return;  // forwarded first: learning never holds the client's bytes back
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  if (page && page->append(text)) {
    // The head has passed: its style sheets and modules may be asked for before the page ends. Parsed after the
    // flush of this chunk, which is already posted.
    asio::post(x.executor(), [self = shared_from_this()] {
      const server::Request& request = self->exchange->request();
      self->site->learned(self->route).expect(self->route, request.authority, request.target, self->page->head());
    });
  }
  if (asset) asset->append(text);
  pause_while_client_is_slow(x, *this);
}

void Forward::learn_after_flush() {
  if (!page && !asset) return;
  // Posted after the flush of the last octets, so the parsing does not delay them.
  asio::post(exchange->executor(), [self = shared_from_this()] {
    LearnedPlans& learned = self->site->learned(self->route);
    const std::string_view target = self->exchange->request().target;
    const std::string_view host = self->exchange->request().authority;
    if (self->page && (self->page->complete() || self->page->head_seen())) {
      // A page longer than the capture is learned from its head alone.
      const std::vector<std::string_view> values(self->links.begin(), self->links.end());
      learned.learn(self->route, host, target, self->page->text(), values);
    }
    if (self->asset && !self->asset->overflowed()) {
      learned.learn_asset(self->route, host, target, self->etag, self->last_modified, self->media_type,
                          self->asset->text());
    }
  });
}

void Forward::finish() {
  asio::post(exchange->executor(), [self = shared_from_this()] { self->call.reset(); });
}

}  // namespace

ProxySite::ProxySite(std::vector<Route> routes, const LearnOptions& learn) : routes_(std::move(routes)) {
  for (const Route& r : routes_) {
    LearnOptions o = learn;
    o.max_pages = r.max_learned_pages;
    o.max_assets = r.max_learned_assets;
    learned_.push_back(std::make_shared<LearnedPlans>(o));
    push_files_.emplace_back();
    if (r.static_root.empty()) continue;
    server::StaticOptions files;
    files.root = r.static_root;
    auto static_files = std::make_shared<server::StaticFiles>(std::move(files));
    if (!static_files->ready() && error_.empty()) {
      error_ = "static_root " + r.static_root + ": " + static_files->error();
    }
    push_files_.back() = std::make_shared<server::SiteHandler>(std::move(static_files));
  }
}

server::PlanLookup ProxySite::plan_lookup() const {
  return [routes = routes_, learned = learned_](std::string_view host,
                                                std::string_view path) -> std::shared_ptr<const push::PagePlan> {
    const auto route = select_route(routes, host, path);  // the route that will answer the page
    if (!route || !routes[*route].learn) return nullptr;
    return learned[*route]->plan(*route, host, path);
  };
}

ProxyHandler::ProxyHandler(std::shared_ptr<ProxySite> site, std::shared_ptr<Upstream> upstream)
    : site_(std::move(site)), upstream_(std::move(upstream)) {}

server::Response ProxyHandler::handle(const server::Request&) {
  server::Response r;
  r.status = 404;
  return r;
}

void ProxyHandler::start(std::shared_ptr<server::Exchange> x) {
  if (x->pushed()) {
    start_push_fetch(std::move(x), site_, *upstream_);
    return;
  }
  const server::Request& request = x->request();
  const auto route = select_route(site_->routes(), request.authority, request.target);
  if (!route) {
    answer_error(*x, 404, "Not Found");
    return;
  }
  auto forward = std::make_shared<Forward>();
  forward->exchange = x;
  forward->site = site_;
  forward->route = *route;

  UpstreamRequest up;
  up.method = std::string(request.method);
  up.target = std::string(request.target);
  up.authority = std::string(request.authority);
  const ClientSide client{request.remote, request.scheme, request.authority, server::to_string(request.protocol)};
  up.fields = upstream_request_fields(request.fields, client);
  up.has_body = x->request_has_body();
  forward->call = upstream_->start(site_->routes()[*route], std::move(up), x->executor(),
                                   [forward](const UpstreamEvent& e) { forward->on_event(e); });
  if (x->request_has_body()) {
    x->on_body([weak = std::weak_ptr(forward)](std::span<const std::byte> chunk, bool end) {
      const auto f = weak.lock();
      if (f == nullptr || f->call == nullptr) return;
      const Fields trailers = end ? forwardable_request_trailers(f->exchange->request_trailers()) : Fields{};
      f->call->send_body(chunk, end && trailers.empty(), [weak, n = chunk.size()] {
        if (const auto g = weak.lock()) g->exchange->consume(n);
      });
      if (!trailers.empty()) f->call->send_trailers(trailers, [] {});
    });
  }
  x->on_gone([weak = std::weak_ptr(forward)] {
    if (const auto f = weak.lock()) f->finish();  // cancels the upstream exchange
  });
}

}  // namespace h2push::proxy
