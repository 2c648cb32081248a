// src/client/pageload_loader.cpp
#include "client/pageload_loader.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <memory>
#include <vector>

#include "client/assets.hpp"
#include "client/h1_session.hpp"
#include "client/h2_session.hpp"
#include "client/pump.hpp"

namespace h2push::client {
namespace {

constexpr int kMaxConnects = 64;          // per load: HTTP/1.1 servers that close after each response
constexpr long kMaxLoopTurns = 50000000;  // a bound on the event loop; the deadline ends it long before
constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

struct Item {
  Fetch f;
  int round_trip = 0;        // on the critical path: the page is 1
  std::size_t conn = kNone;  // the connection it went on
  bool cached = false;       // fresh in the cache: never requested
  bool revalidated = false;  // a 304 answered If-None-Match: the cached body stands
  bool needed() const { return f.via != Via::pushed || f.discovered; }
};

class Loader;

// One connection: its listener forwards to the loader with the connection's index, as exchange ids are per session.
struct Conn final : SessionListener {
  Conn(Loader& l, std::size_t i) : loader(l), index(i) {}
  void on_informational(ExchangeId id, int status, const Fields& headers) override;
  void on_response(ExchangeId id, int status, std::string_view reason, const Fields& headers) override;
  void on_data(ExchangeId id, std::span<const std::byte> data) override;
  void on_complete(ExchangeId id, const std::optional<std::string>& error) override;
  void on_push(ExchangeId parent, ExchangeId promised, const Request& request) override;

  Loader& loader;
  std::size_t index;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<Session> session;
  std::unique_ptr<Pump> pump;  // destroyed first: it cancels the transport's operations
  std::map<ExchangeId, std::size_t> exchanges;
  bool finished = false;
  // h1 over TLS: the handshake runs beside the other connections; its result lands here (shared: the handler may
  // outlive the connection).
  std::shared_ptr<std::optional<std::error_code>> handshake;
  bool ready() const { return handshake == nullptr || (handshake->has_value() && !**handshake); }
};

std::optional<long> max_age(const std::string& cache_control) {
  const std::size_t at = cache_control.find("max-age=");
  if (at == std::string::npos) return std::nullopt;
  long value = 0;
  const char* begin = cache_control.data() + at + 8;
  const auto [end, ec] = std::from_chars(begin, cache_control.data() + cache_control.size(), value);
  if (ec != std::errc() || end == begin) return std::nullopt;
  return value;
}

class Loader {
 public:
  Loader(const LoadOptions& options, Visit& visit) : options_(options), visit_(visit) {}
  LoadResult run(std::deque<Fetch>* fetches);

  void informational(Conn& c, ExchangeId id, int status, const Fields& headers);
  void response(Conn& c, ExchangeId id, int status, const Fields& headers);
  void data(Conn& c, ExchangeId id, std::span<const std::byte> bytes);
  void complete(Conn& c, ExchangeId id, const std::optional<std::string>& error);
  void push(Conn& c, ExchangeId parent, ExchangeId promised, const Request& request);

 private:
  Item* find(Conn& c, ExchangeId id) {
    const auto it = c.exchanges.find(id);
    return it == c.exchanges.end() ? nullptr : &items_[it->second];
  }
  bool multiplexed() const { return options_.mode != LoadMode::h1; }
  std::optional<std::string> open_connection();
  void submit_pending();
  bool submit(std::size_t index, Conn& c);
  void prepare(std::size_t index);
  void ensure(const push::Resource& resource, std::size_t from, Via via, int round_trip);
  void follow(std::size_t index);
  void remember(const Item& item);
  void take_cookies(const Fields& headers);
  bool loaded() const;
  std::optional<std::string> turn();
  void close_all();
  LoadResult result() const;
  double ms(Clock::time_point t) const { return std::chrono::duration<double, std::milli>(t - start_).count(); }

  asio::io_context io_;  // first: outlives the connections
  const LoadOptions& options_;
  Visit& visit_;
  std::deque<Item> items_;  // stable addresses; items_[0] is the page
  std::vector<std::unique_ptr<Conn>> conns_;
  Clock::time_point start_;
  std::string page_url_;
  std::size_t skipped_ = 0;
  int connects_ = 0;
};

void Conn::on_informational(ExchangeId id, int status, const Fields& headers) {
  loader.informational(*this, id, status, headers);
}
void Conn::on_response(ExchangeId id, int status, std::string_view, const Fields& headers) {
  loader.response(*this, id, status, headers);
}
void Conn::on_data(ExchangeId id, std::span<const std::byte> data) { loader.data(*this, id, data); }
void Conn::on_complete(ExchangeId id, const std::optional<std::string>& error) { loader.complete(*this, id, error); }
void Conn::on_push(ExchangeId parent, ExchangeId promised, const Request& request) {
  loader.push(*this, parent, promised, request);
}

std::optional<std::string> Loader::open_connection() {
  if (++connects_ > kMaxConnects) return std::string("the server kept closing the connection");
  ConnectOptions co = options_.connect;
  co.alpn = multiplexed() ? std::vector<std::string>{"h2"} : std::vector<std::string>{"http/1.1"};
  co.defer_tls_handshake = !multiplexed();
  auto transport = Transport::connect(io_, options_.target, co, options_.deadline);
  if (!transport) return transport.error();
  auto c = std::make_unique<Conn>(*this, conns_.size());
  SessionOptions so;
  so.enable_push = options_.mode == LoadMode::push;
  so.start = start_;
  const std::string alpn = (*transport)->alpn();
  if (!multiplexed()) {
    c->session = std::make_unique<H1Session>(*c, so);
  } else if ((*transport)->tls()) {
    if (alpn != "h2") return "the server did not negotiate h2 (ALPN: " + (alpn.empty() ? "none" : alpn) + ")";
    c->session = std::make_unique<H2Session>(*c, so, "h2");
  } else if (options_.h2c) {
    c->session = std::make_unique<H2Session>(*c, so, "h2c");
  } else {
    return std::string("HTTP/2 modes over http:// need prior knowledge (h2c)");
  }
  c->transport = std::move(*transport);
  if (co.defer_tls_handshake && c->transport->tls()) {
    c->handshake = std::make_shared<std::optional<std::error_code>>();
    c->transport->async_handshake([state = c->handshake](const std::error_code& ec) { *state = ec; });
  }
  c->pump = std::make_unique<Pump>(io_, *c->transport);
  conns_.push_back(std::move(c));
  return std::nullopt;
}

// Before a request goes out: the cache answers a fresh entry, or adds If-None-Match to a stale one; cookies go along.
void Loader::prepare(std::size_t index) {
  Item& item = items_[index];
  const auto it = visit_.cache.find(item.f.request.path);
  if (it != visit_.cache.end()) {
    if (Clock::now() < it->second.fresh_until) {
      item.cached = true;
      item.f.done = true;
      item.f.status = 200;
      item.f.headers = it->second.headers;
      item.f.body = it->second.body;
      item.f.started = item.f.response_at = item.f.ended = Clock::now();
      return;
    }
    if (!it->second.etag.empty()) item.f.request.headers.emplace_back("if-none-match", it->second.etag);
  }
  if (!visit_.cookies.empty()) {
    std::string cookie;
    for (const auto& [name, value] : visit_.cookies) cookie += (cookie.empty() ? "" : "; ") + name + "=" + value;
    item.f.request.headers.emplace_back("cookie", cookie);
  }
}

bool Loader::submit(std::size_t index, Conn& c) {
  Item& item = items_[index];
  item.f.started = Clock::now();
  item.f.protocol = std::string(c.session->protocol());
  auto id = c.session->submit(item.f.request);
  if (!id) {
    if (c.session->at_stream_limit()) return false;
    item.f.submitted = item.f.done = true;
    item.f.error = id.error();
    return true;
  }
  item.f.submitted = true;
  item.f.exchange = *id;
  item.conn = c.index;
  c.exchanges[*id] = index;
  return true;
}

// h2, push, hints: everything on the one connection. h1: one request per idle connection, a new connection while
// fewer than max_h1_connections are open.
void Loader::submit_pending() {
  auto opening = std::count_if(conns_.begin(), conns_.end(), [](const auto& c) { return !c->finished && !c->ready(); });
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (items_[i].f.submitted || items_[i].f.done) continue;
    Conn* target = nullptr;
    for (auto& c : conns_) {
      if (c->finished || !c->ready() || !c->session->accepts_requests()) continue;
      if (multiplexed() || c->session->outstanding() == 0) {
        target = c.get();
        break;
      }
    }
    if (target == nullptr && opening > 0) {
      --opening;  // it goes on a connection still in its handshake
      continue;
    }
    if (target == nullptr) {
      const auto open = std::count_if(conns_.begin(), conns_.end(), [](const auto& c) { return !c->finished; });
      const int limit = multiplexed() ? 1 : options_.max_h1_connections;
      if (open >= limit) return;
      if (auto failure = open_connection()) {
        items_[i].f.done = true;
        items_[i].f.error = failure;
        continue;
      }
      target = conns_.back().get();
    }
    if (!submit(i, *target)) return;
  }
}

void Loader::ensure(const push::Resource& resource, std::size_t from, Via via, int round_trip) {
  for (std::size_t i = 0; i < items_.size(); ++i) {
    Item& item = items_[i];
    if (item.f.request.path != resource.path) continue;
    const bool first_need = !item.f.discovered && item.f.via == Via::pushed;
    if (first_need) item.f.level = resource.level;
    item.f.discovered = true;
    if (first_need && item.f.done) remember(item);  // a push enters the cache once the page uses it
    if (item.f.destination.empty()) item.f.destination = std::string(push::to_string(resource.as));
    follow(i);
    return;
  }
  Item item;
  const Fetch& parent = items_[from].f;
  item.f.target = parent.target;
  item.f.target.path = resource.path;
  item.f.request.scheme = parent.request.scheme;
  item.f.request.authority = parent.request.authority;
  item.f.request.path = resource.path;
  item.f.via = via;
  item.f.level = resource.level > 0 ? resource.level : parent.level + 1;
  item.f.destination = std::string(push::to_string(resource.as));
  item.f.discovered = true;
  item.round_trip = round_trip;
  items_.push_back(std::move(item));
  const std::size_t index = items_.size() - 1;
  prepare(index);
  if (items_[index].cached) {
    items_[index].round_trip = items_[from].round_trip;  // no trip: the cache had it
    follow(index);
    return;
  }
  submit_pending();
}

void Loader::follow(std::size_t index) {
  Item& item = items_[index];
  if (item.f.followed || !item.f.done || item.f.error || !item.needed()) return;
  item.f.followed = true;
  Fetch copy = item.f;
  if (item.revalidated) copy.status = 200;  // the cached body stands
  const int next = item.round_trip + 1;
  for (const push::Resource& r : discover_assets(copy, page_url_, skipped_)) ensure(r, index, Via::requested, next);
}

void Loader::take_cookies(const Fields& headers) {
  for (const auto& [name, value] : headers) {
    if (name != "set-cookie") continue;
    const std::string pair = value.substr(0, value.find(';'));
    const std::size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    visit_.cookies[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
}

void Loader::remember(const Item& item) {
  if (item.cached || item.f.error || !item.needed()) return;
  if (item.revalidated) {
    auto& entry = visit_.cache[item.f.request.path];
    if (auto age = max_age(item.f.header("cache-control")))
      entry.fresh_until = item.f.ended + std::chrono::seconds(*age);
    return;
  }
  if (item.f.status != 200) return;
  const std::string cc = item.f.header("cache-control");
  const std::string etag = item.f.header("etag");
  const auto age = max_age(cc);
  if (cc.find("no-store") != std::string::npos || (etag.empty() && !age)) return;
  Visit::Cached entry;
  entry.etag = etag;
  const bool no_cache = cc.find("no-cache") != std::string::npos;
  entry.fresh_until = age && !no_cache ? item.f.ended + std::chrono::seconds(*age) : item.f.ended;
  entry.headers = item.f.headers;
  entry.body = item.f.body;
  visit_.cache[item.f.request.path] = std::move(entry);
}

void Loader::informational(Conn& c, ExchangeId id, int status, const Fields& headers) {
  Item* item = find(c, id);
  if (item == nullptr) return;
  item->f.informational.push_back(headers);
  if (status != 103 || options_.mode != LoadMode::hints || item != &items_.front()) return;
  const int next = item->round_trip + 1;
  for (const push::Resource& r : hinted_assets(headers, page_url_)) ensure(r, 0, Via::hinted, next);
}

void Loader::response(Conn& c, ExchangeId id, int status, const Fields& headers) {
  Item* item = find(c, id);
  if (item == nullptr) return;
  item->f.status = status;
  item->f.response_at = Clock::now();
  for (const auto& h : headers) {
    if (!h.first.starts_with(":")) item->f.headers.push_back(h);
  }
  take_cookies(item->f.headers);
  if (status == 304) {
    const auto it = visit_.cache.find(item->f.request.path);
    if (it != visit_.cache.end()) {
      item->revalidated = true;
      item->f.body = it->second.body;
      item->f.headers = it->second.headers;
    }
  }
}

void Loader::data(Conn& c, ExchangeId id, std::span<const std::byte> bytes) {
  Item* item = find(c, id);
  if (item == nullptr) return;
  item->f.size += bytes.size();
  item->f.body.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

void Loader::complete(Conn& c, ExchangeId id, const std::optional<std::string>& error) {
  const auto it = c.exchanges.find(id);
  if (it == c.exchanges.end()) return;
  const std::size_t index = it->second;
  Item& item = items_[index];
  item.f.done = true;
  item.f.ended = Clock::now();
  item.f.error = error;
  remember(item);
  follow(index);
  submit_pending();
}

void Loader::push(Conn& c, ExchangeId parent, ExchangeId promised, const Request& request) {
  Item item;
  const Item* from = find(c, parent);
  item.f.target = from != nullptr ? from->f.target : options_.target;
  item.f.target.path = request.path;
  item.f.request = request;
  item.f.via = Via::pushed;
  item.f.level = from != nullptr ? from->f.level + 1 : 1;
  item.f.submitted = true;
  item.f.exchange = promised;
  item.f.protocol = std::string(c.session->protocol());
  item.f.started = Clock::now();
  item.round_trip = from != nullptr ? from->round_trip : 1;  // arrives with its parent
  item.conn = c.index;
  items_.push_back(std::move(item));
  c.exchanges[promised] = items_.size() - 1;
}

bool Loader::loaded() const {
  return std::all_of(items_.begin(), items_.end(), [](const Item& i) { return !i.needed() || i.f.done; });
}

// One turn of the event loop: every connection handles what completed and starts its next read and write; new
// requests go out; then the io_context runs one handler. A connection the server closed gives its unanswered
// requests back (they go on another one).
std::optional<std::string> Loader::turn() {
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t n = 0; n < conns_.size(); ++n) {
      Conn& c = *conns_[n];
      if (c.finished || (c.handshake && !c.handshake->has_value())) continue;
      if (c.handshake && **c.handshake) return c.transport->handshake_failure(**c.handshake);
      if (auto failure = c.pump->step(*c.session)) return failure;
      if (!c.pump->finished(*c.session)) continue;
      c.finished = true;
      for (auto& [id, index] : c.exchanges) {
        Item& item = items_[index];
        if (item.f.done) continue;
        if (item.f.via == Via::pushed) {
          item.f.done = true;
          item.f.error = "connection closed";
        } else {
          item.f.submitted = false;
          item.f.exchange.reset();
          item.f.headers.clear();
          item.f.body.clear();
          item.f.size = 0;
        }
      }
      c.exchanges.clear();
    }
    if (pass == 0) submit_pending();
  }
  for (const Item& item : items_) {
    if (item.f.error && item.needed() && item.f.via != Via::pushed) return item.f.request.path + ": " + *item.f.error;
  }
  return std::nullopt;
}

void Loader::close_all() {
  const Clock::time_point until = std::min(options_.deadline, Clock::now() + std::chrono::milliseconds(200));
  for (auto& c : conns_) {
    if (!c->finished && c->ready()) c->pump->finish(*c->session, until);
    if (c->handshake && !c->handshake->has_value()) {
      // A handshake still running references the transport: let it complete (aborted) before it goes.
      c->transport->close();
      const auto state = c->handshake;
      run_until(
          io_, [&] { return state->has_value(); }, Clock::now() + std::chrono::seconds(1));
    }
  }
  conns_.clear();
}

LoadResult Loader::result() const {
  LoadResult r;
  r.ok = true;
  r.connections = static_cast<std::uint64_t>(connects_);
  const Item& page = items_.front();
  r.ttfb_ms = ms(page.f.response_at);
  for (const Item& item : items_) {
    const Fetch& f = item.f;
    if (item.needed()) {
      r.load_ms = std::max(r.load_ms, ms(f.ended));
      r.round_trips = std::max(r.round_trips, item.round_trip);
    }
    if (f.submitted && f.via != Via::pushed) ++r.requests;
    r.bytes += f.size;
    if (f.via == Via::pushed) (item.needed() ? r.pushed_bytes_used : r.pushed_bytes_wasted) += f.size;
    if (!f.submitted && !item.cached) continue;
    ResourceTiming t;
    t.path = f.request.path;
    t.level = f.level;
    t.arrival = f.via == Via::pushed ? Arrival::pushed : f.via == Via::hinted ? Arrival::hinted : Arrival::requested;
    t.start_ms = ms(f.started);
    t.first_byte_ms = f.status != 0 ? ms(f.response_at) : t.start_ms;
    t.end_ms = f.done ? ms(f.ended) : t.start_ms;
    t.bytes = f.size;
    t.status = item.revalidated ? 304 : f.status;
    t.used = item.needed();
    r.resources.push_back(std::move(t));
  }
  std::stable_sort(r.resources.begin(), r.resources.end(),
                   [](const ResourceTiming& a, const ResourceTiming& b) { return a.start_ms < b.start_ms; });
  return r;
}

LoadResult Loader::run(std::deque<Fetch>* fetches) {
  start_ = Clock::now();
  page_url_ = options_.target.url();
  Item page;
  page.f.target = options_.target;
  page.f.request.scheme = options_.target.tls ? "https" : "http";
  page.f.request.authority = options_.target.authority;
  page.f.request.path = options_.target.path;
  page.f.destination = "document";
  page.round_trip = 1;
  items_.push_back(std::move(page));
  prepare(0);
  std::optional<std::string> failure;
  if (!items_.front().cached) failure = open_connection();
  if (!failure) submit_pending();
  for (long i = 0; !failure && i < kMaxLoopTurns; ++i) {
    failure = turn();
    if (failure || loaded()) break;
    if (Clock::now() >= options_.deadline) {
      failure = "timed out loading the page";
      break;
    }
    io_.restart();
    io_.run_one_until(options_.deadline);
  }
  LoadResult r;
  if (!failure && !loaded()) failure = "the load did not finish";
  if (failure) {
    r.error = *failure;
  } else {
    r = result();
  }
  close_all();
  if (fetches != nullptr) {
    fetches->clear();
    for (Item& item : items_) {
      item.f.body.clear();
      fetches->push_back(std::move(item.f));
    }
  }
  return r;
}

}  // namespace

const char* to_string(LoadMode mode) {
  switch (mode) {
    case LoadMode::h1:
      return "h1";
    case LoadMode::h2:
      return "h2";
    case LoadMode::push:
      return "push";
    case LoadMode::hints:
      return "hints";
  }
  return "?";
}

bool parse_load_mode(std::string_view name, LoadMode& mode) {
  for (const LoadMode m : {LoadMode::h1, LoadMode::h2, LoadMode::push, LoadMode::hints}) {
    if (name == to_string(m)) {
      mode = m;
      return true;
    }
  }
  return false;
}

LoadResult load_page(const LoadOptions& options, Visit* visit, std::deque<Fetch>* fetches) {
  Visit scratch;
  Loader loader(options, visit != nullptr ? *visit : scratch);
  return loader.run(fetches);
}

}  // namespace h2push::client
