// src/client/get.cpp: the fetcher behind `h2push get`: groups URLs by origin (one connection each), picks the
// protocol, drives the session, follows discovery (-a), prints, and writes the HAR file.
#include "client/get.hpp"

#include <algorithm>
#include <cinttypes>
#include <deque>
#include <fstream>
#include <map>
#include <sstream>

#include "client/assets.hpp"
#include "client/fetch.hpp"
#include "client/h1_session.hpp"
#include "client/h2_session.hpp"
#include "client/har.hpp"
#include "client/pump.hpp"

namespace h2push::client {
namespace {

constexpr int kMaxReconnects = 64;  // HTTP/1.1 servers that close after each response
constexpr int kMaxRetries = 8;      // of one request refused by the server

class Fetcher final : public SessionListener {
 public:
  Fetcher(const GetOptions& options, std::FILE* out, std::FILE* err)
      : options_(options), out_(out), err_(err), start_(Clock::now()), wall_start_(std::chrono::system_clock::now()) {}

  int run();

  void on_informational(ExchangeId id, int status, const Fields& headers) override;
  void on_response(ExchangeId id, int status, std::string_view reason, const Fields& headers) override;
  void on_data(ExchangeId id, std::span<const std::byte> data) override;
  void on_complete(ExchangeId id, const std::optional<std::string>& error) override;
  void on_push(ExchangeId parent, ExchangeId promised, const Request& request) override;
  void on_refused(ExchangeId id) override;

 private:
  bool add_page(const std::string& url, const std::string& body, const Fields& headers);
  bool run_origin(const std::string& origin);
  std::optional<std::string> drive(Transport& transport, const std::string& origin, bool& reconnect);
  std::optional<std::string> upgrade(Pump& pump, H1Session& h1, std::unique_ptr<H2Session>& h2,
                                     const std::string& origin);
  void submit_pending(const std::string& origin);
  void submit(std::size_t index);
  Fetch* find(ExchangeId id);
  void ensure(const push::Resource& resource, const Fetch& from, Via via);
  void follow(std::size_t index);
  double ms(Clock::time_point t) const { return std::chrono::duration<double, std::milli>(t - start_).count(); }
  std::string stamp() const;
  bool origin_done(const std::string& origin) const;
  bool open_sink();
  void write_output();
  void close_sink();
  void print_assets();

  const GetOptions& options_;
  asio::io_context io_;  // one loop for every connection, visited one origin after another
  std::FILE* out_;
  std::FILE* err_;
  Clock::time_point start_;
  std::chrono::system_clock::time_point wall_start_;
  Clock::time_point deadline_;
  std::deque<Fetch> fetches_;                    // stable addresses
  std::map<ExchangeId, std::size_t> exchanges_;  // of the current connection
  Session* session_ = nullptr;
  std::string page_url_;  // -a: the page the assets belong to
  std::size_t skipped_conditional_ = 0;
  bool failed_ = false;
  std::FILE* sink_ = nullptr;  // bodies: stdout, the -o file, or none (-a)
  std::FILE* file_ = nullptr;
  std::size_t pages_ = 0;     // fetches_[0, pages_) are the URLs given, in order
  std::size_t printing_ = 0;  // the first page not yet written whole
};

std::string Fetcher::stamp() const {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "[%7.3f]", std::chrono::duration<double>(Clock::now() - start_).count());
  return buffer;
}

bool Fetcher::add_page(const std::string& url, const std::string& body, const Fields& headers) {
  auto target = parse_target(url);
  if (!target) {
    std::fprintf(err_, "h2push get: %s\n", target.error().c_str());
    return false;
  }
  Fetch f;
  f.target = *target;
  f.request.method = body.empty() ? "GET" : "POST";
  f.request.scheme = target->tls ? "https" : "http";
  f.request.authority = target->authority;
  f.request.path = target->path;
  f.request.headers = headers;
  f.request.body = body;
  f.destination = "document";
  fetches_.push_back(std::move(f));
  return true;
}

Fetch* Fetcher::find(ExchangeId id) {
  const auto it = exchanges_.find(id);
  return it == exchanges_.end() ? nullptr : &fetches_[it->second];
}

void Fetcher::submit(std::size_t index) {
  Fetch& f = fetches_[index];
  f.submitted = true;
  f.started = Clock::now();
  f.protocol = std::string(session_->protocol());
  auto id = session_->submit(f.request);
  if (!id && session_->at_stream_limit()) {
    f.submitted = false;  // submitted again when an exchange completes
    return;
  }
  if (!id) {
    f.done = true;
    f.error = id.error();
    return;
  }
  f.exchange = *id;
  exchanges_[*id] = index;
}

void Fetcher::submit_pending(const std::string& origin) {
  for (std::size_t i = 0; i < fetches_.size() && session_->accepts_requests(); ++i) {
    if (fetches_[i].submitted || fetches_[i].target.origin() != origin) continue;
    submit(i);
    if (!fetches_[i].submitted) return;  // at the peer's stream limit
  }
}

bool Fetcher::origin_done(const std::string& origin) const {
  for (const Fetch& f : fetches_) {
    if (f.target.origin() == origin && !f.done) return false;
  }
  return true;
}

void Fetcher::on_informational(ExchangeId id, int status, const Fields& headers) {
  Fetch* f = find(id);
  if (f == nullptr) return;
  f->informational.push_back(headers);
  if (status != 103) return;
  std::string links;
  for (const auto& [name, value] : headers) {
    if (name == "link") links += (links.empty() ? "" : ", ") + value;
  }
  std::fprintf(err_, "%s 103 Early Hints for %s: %s\n", stamp().c_str(), f->request.path.c_str(),
               links.empty() ? "(no Link)" : links.c_str());
  if (!options_.assets) return;
  const Fetch from = *f;
  for (const push::Resource& r : hinted_assets(headers, from.target.url())) ensure(r, from, Via::hinted);
}

void Fetcher::on_response(ExchangeId id, int status, std::string_view reason, const Fields& headers) {
  Fetch* f = find(id);
  if (f == nullptr) return;
  f->status = status;
  f->reason = std::string(reason);
  f->response_at = Clock::now();
  for (const auto& h : headers) {
    if (!h.first.starts_with(":")) f->headers.push_back(h);
  }
  if (f->via == Via::page) write_output();
}

void Fetcher::on_data(ExchangeId id, std::span<const std::byte> data) {
  Fetch* f = find(id);
  if (f == nullptr) return;
  f->size += data.size();
  if (f->via == Via::page || options_.assets) {
    f->body.append(reinterpret_cast<const char*>(data.data()), data.size());
    if (f->via == Via::page) write_output();
  }
}

void Fetcher::on_complete(ExchangeId id, const std::optional<std::string>& error) {
  Fetch* f = find(id);
  if (f == nullptr) return;
  f->done = true;
  f->ended = Clock::now();
  f->error = error;
  if (error) {
    // A connection failure is reported once, by run_origin(), not once per exchange it ended.
    if (session_ == nullptr || !session_->failure()) {
      std::fprintf(err_, "%s %s: %s\n", stamp().c_str(), f->request.path.c_str(), error->c_str());
    }
    failed_ = failed_ || f->via != Via::pushed;  // a refused push is the client's business, not a failure
  }
  if (f->via == Via::page) write_output();
  if (options_.assets && !error) follow(exchanges_[id]);
  if (session_ != nullptr) submit_pending(f->target.origin());
}

// RFC 9113 §8.7: a stream refused (REFUSED_STREAM, or above the last stream of a GOAWAY) was not processed and
// may be retried, on this connection or a new one.
void Fetcher::on_refused(ExchangeId id) {
  Fetch* f = find(id);
  if (f == nullptr) return;
  if (f->via == Via::pushed || ++f->retries > kMaxRetries) {
    on_complete(id, std::string("refused by the server"));
    return;
  }
  exchanges_.erase(id);
  f->submitted = false;
  f->exchange.reset();
  if (session_ != nullptr) submit_pending(f->target.origin());
}

void Fetcher::on_push(ExchangeId parent, ExchangeId promised, const Request& request) {
  std::fprintf(err_, "%s push promised %s (stream %u, on stream %u)\n", stamp().c_str(), request.path.c_str(), promised,
               parent);
  Fetch f;
  const Fetch* from = find(parent);
  f.target = from != nullptr ? from->target : Target{};
  f.target.path = request.path;
  f.request = request;
  f.via = Via::pushed;
  f.level = from != nullptr ? from->level + 1 : 1;
  f.submitted = true;
  f.exchange = promised;
  f.protocol = std::string(session_->protocol());
  f.started = Clock::now();
  fetches_.push_back(std::move(f));
  exchanges_[promised] = fetches_.size() - 1;
}

void Fetcher::ensure(const push::Resource& resource, const Fetch& from, Via via) {
  for (std::size_t i = 0; i < fetches_.size(); ++i) {
    Fetch& f = fetches_[i];
    if (f.target.origin() == from.target.origin() && f.request.path == resource.path) {
      f.discovered = true;
      if (f.destination.empty()) f.destination = std::string(push::to_string(resource.as));
      if (f.via == Via::pushed) f.level = resource.level;
      follow(i);
      return;
    }
  }
  Fetch f;
  f.target = from.target;
  f.target.path = resource.path;
  f.request.scheme = from.request.scheme;
  f.request.authority = from.request.authority;
  f.request.path = resource.path;
  f.via = via;
  f.level = resource.level;
  f.destination = std::string(push::to_string(resource.as));
  f.discovered = true;
  fetches_.push_back(std::move(f));
  if (session_ != nullptr && session_->accepts_requests()) submit(fetches_.size() - 1);
}

void Fetcher::follow(std::size_t index) {
  Fetch& f = fetches_[index];
  if (f.followed || !f.done || f.error) return;
  if (f.via == Via::pushed && !f.discovered) return;  // a push is read once something names it
  f.followed = true;
  const Fetch copy = f;
  for (const push::Resource& r : discover_assets(copy, page_url_, skipped_conditional_)) {
    ensure(r, copy, Via::requested);
  }
}

std::optional<std::string> Fetcher::upgrade(Pump& pump, H1Session& h1, std::unique_ptr<H2Session>& h2,
                                            const std::string& origin) {
  // RFC 7540 §3.2: the first request goes as HTTP/1.1 with Upgrade: h2c; stream 1 carries its response.
  std::size_t first = fetches_.size();
  for (std::size_t i = 0; i < fetches_.size(); ++i) {
    if (!fetches_[i].submitted && fetches_[i].target.origin() == origin) {
      first = i;
      break;
    }
  }
  if (first == fetches_.size()) return std::nullopt;
  Fetch& f = fetches_[first];
  f.submitted = true;
  f.started = Clock::now();
  f.protocol = "h2c";
  auto id = h1.submit_upgrade(f.request, h2->upgrade_settings());
  if (!id) return id.error();
  exchanges_[*id] = first;
  session_ = &h1;
  auto failure = pump.run(
      h1, [&] { return h1.upgraded() || h1.outstanding() == 0; }, deadline_);
  if (failure) return failure;
  if (!h1.upgraded()) {
    f.protocol = "http/1.1";
    if (options_.verbose) std::fprintf(err_, "%s the server did not upgrade; staying on HTTP/1.1\n", stamp().c_str());
    h2.reset();
    return std::nullopt;
  }
  if (options_.verbose) std::fprintf(err_, "%s 101 Switching Protocols: now HTTP/2 (h2c)\n", stamp().c_str());
  exchanges_.clear();
  session_ = h2.get();
  auto started = h2->start_upgraded(f.request.method == "HEAD");
  if (!started) return started.error();
  exchanges_[*started] = first;
  // What followed the 101 is HTTP/2 already (the server's preface, maybe the response): fed once mapped.
  const std::vector<std::byte> leftover = h1.take_upgrade_input();
  if (!leftover.empty()) h2->receive(leftover);
  return std::nullopt;
}

std::optional<std::string> Fetcher::drive(Transport& transport, const std::string& origin, bool& reconnect) {
  SessionOptions so;
  so.enable_push = !options_.no_push;
  so.trace = options_.verbose ? err_ : nullptr;
  so.start = start_;
  const std::string alpn = transport.alpn();
  std::unique_ptr<Session> session;
  std::unique_ptr<H2Session> h2;
  H1Session* h1 = nullptr;
  Pump pump(transport.io(), transport);
  if (transport.tls()) {
    if (options_.verbose)
      std::fprintf(err_, "%s TLS established, ALPN: %s\n", stamp().c_str(), alpn.empty() ? "(none)" : alpn.c_str());
    if (alpn == "h2" && !options_.http11) {
      session = std::make_unique<H2Session>(*this, so, "h2");
    } else if (options_.prior_knowledge) {
      return "ALPN mismatch: the server did not select h2 (it chose " + (alpn.empty() ? "nothing" : alpn) + ")";
    } else if (alpn == "http/1.1" || alpn.empty()) {
      auto s = std::make_unique<H1Session>(*this, so);
      h1 = s.get();
      session = std::move(s);
    } else {
      return "ALPN mismatch: the server chose " + alpn + ", which we did not offer";
    }
  } else if (options_.prior_knowledge && !options_.http11) {
    session = std::make_unique<H2Session>(*this, so, "h2c");
  } else {
    auto s = std::make_unique<H1Session>(*this, so);
    h1 = s.get();
    session = std::move(s);
    if (options_.upgrade && !options_.http11) {
      h2 = std::make_unique<H2Session>(*this, so, "h2c");
      if (auto failure = upgrade(pump, *h1, h2, origin)) return failure;
      if (h2) session = std::move(h2), h1 = nullptr;
    }
  }
  session_ = session.get();
  submit_pending(origin);
  auto failure = pump.run(
      *session, [&] { return origin_done(origin); }, deadline_);
  if (!failure && !origin_done(origin)) {
    // The server closed the connection (Connection: close, HTTP/1.0) or went away (GOAWAY): requests it never
    // processed go on a new connection.
    if (h1 != nullptr) {
      for (auto& [id, request] : h1->take_unsent()) {
        if (Fetch* f = find(id)) f->submitted = false;
      }
    }
    const bool unsent = std::any_of(fetches_.begin(), fetches_.end(),
                                    [&](const Fetch& f) { return f.target.origin() == origin && !f.submitted; });
    if (unsent && session->outstanding() == 0) {
      reconnect = true;
    } else {
      failure = "the server closed the connection before the responses were complete";
    }
  }
  pump.finish(*session, std::min(deadline_, Clock::now() + std::chrono::milliseconds(500)));
  session_ = nullptr;
  exchanges_.clear();
  return failure;
}

bool Fetcher::run_origin(const std::string& origin) {
  const Target* target = nullptr;
  for (const Fetch& f : fetches_) {
    if (f.target.origin() == origin) target = &f.target;
  }
  ConnectOptions co;
  co.verify = !options_.insecure;
  co.ca_file = options_.ca_file;
  if (options_.http11) {
    co.alpn = {"http/1.1"};
  } else {
    co.alpn = {"h2", "http/1.1"};
  }
  for (int attempt = 0; attempt <= kMaxReconnects; ++attempt) {
    auto transport = Transport::connect(io_, *target, co, deadline_);
    if (!transport) {
      std::fprintf(err_, "h2push get: %s\n", transport.error().c_str());
      return false;
    }
    if (options_.verbose) std::fprintf(err_, "%s connected to %s\n", stamp().c_str(), origin.c_str());
    bool reconnect = false;
    auto failure = drive(**transport, origin, reconnect);
    if (failure) {
      std::fprintf(err_, "h2push get: %s: %s\n", origin.c_str(), failure->c_str());
      for (Fetch& f : fetches_) {
        if (f.target.origin() == origin && !f.done) {
          f.done = true;
          f.error = *failure;
        }
      }
      return false;
    }
    if (!reconnect) return true;
  }
  std::fprintf(err_, "h2push get: %s: the server kept closing the connection\n", origin.c_str());
  return false;
}

int Fetcher::run() {
  deadline_ = start_ + std::chrono::milliseconds(static_cast<std::int64_t>(options_.timeout_seconds * 1000));
  std::string body;
  if (options_.data) {
    body = *options_.data;
    if (body.starts_with("@")) {
      std::ifstream in(body.substr(1), std::ios::binary);
      if (!in) {
        std::fprintf(err_, "h2push get: -d: cannot read %s\n", body.substr(1).c_str());
        return 2;
      }
      std::ostringstream all;
      all << in.rdbuf();
      body = all.str();
    }
  }
  Fields headers;
  for (const std::string& h : options_.headers) {
    const std::size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      std::fprintf(err_, "h2push get: -H wants 'name: value', got '%s'\n", h.c_str());
      return 2;
    }
    std::string value = h.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    headers.emplace_back(h.substr(0, colon), value);
  }
  for (const std::string& url : options_.urls) {
    if (!add_page(url, body, headers)) return 2;
  }
  if (fetches_.empty()) {
    std::fprintf(err_, "h2push get: no URL\n");
    return 2;
  }
  page_url_ = fetches_.front().target.url();
  pages_ = fetches_.size();
  if (!open_sink()) return 1;
  std::vector<std::string> origins;
  for (const Fetch& f : fetches_) {
    if (std::find(origins.begin(), origins.end(), f.target.origin()) == origins.end()) {
      origins.push_back(f.target.origin());
    }
  }
  bool ok = true;
  for (const std::string& origin : origins) ok = run_origin(origin) && ok;
  close_sink();
  if (options_.assets) print_assets();
  if (!options_.har_file.empty()) {
    if (auto written = write_har(options_.har_file, fetches_, wall_start_, start_); !written) {
      std::fprintf(err_, "h2push get: --har: %s\n", written.error().c_str());
      return 1;
    }
  }
  return ok && !failed_ ? 0 : 1;
}

bool Fetcher::open_sink() {
  if (!options_.output_file.empty()) {
    file_ = std::fopen(options_.output_file.c_str(), "wb");
    if (file_ == nullptr) {
      std::fprintf(err_, "h2push get: -o: cannot write %s\n", options_.output_file.c_str());
      return false;
    }
    sink_ = file_;
  } else {
    sink_ = options_.assets ? nullptr : out_;  // -a prints its table instead of bodies
  }
  return true;
}

// Writes the pages' heads (-i) and bodies in command-line order as they arrive: the page at the front streams, the
// ones behind it wait in memory. Bodies are kept whole only for -a, whose discovery reads them.
void Fetcher::write_output() {
  for (; printing_ < pages_; ++printing_) {
    Fetch& f = fetches_[printing_];
    if (f.status != 0 && !f.head_written && sink_ != nullptr && options_.include) {
      std::fprintf(sink_, "%s %d%s%s\n", f.protocol == "http/1.1" ? "HTTP/1.1" : "HTTP/2", f.status,
                   f.reason.empty() ? "" : " ", f.reason.c_str());
      for (const auto& [name, value] : f.headers) std::fprintf(sink_, "%s: %s\n", name.c_str(), value.c_str());
      std::fprintf(sink_, "\n");
    }
    f.head_written = f.head_written || f.status != 0;
    if (sink_ != nullptr && f.written < f.body.size()) {
      std::fwrite(f.body.data() + f.written, 1, f.body.size() - f.written, sink_);
    }
    f.written = f.body.size();
    if (!options_.assets) {
      f.body.clear();
      f.written = 0;
    }
    if (!f.done) return;
  }
}

void Fetcher::close_sink() {
  write_output();
  if (file_ != nullptr && std::fclose(file_) != 0) {
    std::fprintf(err_, "h2push get: -o: cannot write %s\n", options_.output_file.c_str());
    failed_ = true;
  }
  file_ = nullptr;
  std::fflush(out_);
}

void Fetcher::print_assets() {
  std::size_t counts[4] = {0, 0, 0, 0};
  std::size_t unused_pushes = 0;
  std::fprintf(out_, "%-10s %6s %9s %9s %9s %5s  %s\n", "via", "status", "bytes", "start_ms", "end_ms", "level",
               "path");
  for (const Fetch& f : fetches_) {
    if (f.via == Via::pushed && !f.discovered) {
      ++unused_pushes;
      continue;
    }
    ++counts[static_cast<int>(f.via)];
    std::fprintf(out_, "%-10s %6d %9" PRIu64 " %9.1f %9.1f %5d  %s%s\n", to_string(f.via), f.status, f.size,
                 ms(f.started), f.done ? ms(f.ended) : -1.0, f.level, f.request.path.c_str(),
                 f.error ? (" (" + *f.error + ")").c_str() : "");
  }
  for (const Fetch& f : fetches_) {
    if (f.via == Via::pushed && !f.discovered) {
      std::fprintf(out_, "%-10s %6d %9" PRIu64 " %9.1f %9.1f %5s  %s (pushed, never named by the page)\n", "unused",
                   f.status, f.size, ms(f.started), f.done ? ms(f.ended) : -1.0, "-", f.request.path.c_str());
    }
  }
  std::fprintf(out_,
               "assets: %zu pushed, %zu hinted, %zu requested; unused pushes: %zu; conditional references skipped: "
               "%zu\n",
               counts[static_cast<int>(Via::pushed)], counts[static_cast<int>(Via::hinted)],
               counts[static_cast<int>(Via::requested)], unused_pushes, skipped_conditional_);
  std::fflush(out_);
}

}  // namespace

int run_get(const GetOptions& options, std::FILE* out, std::FILE* err) {
  if (options.http11 && (options.prior_knowledge || options.upgrade)) {
    std::fprintf(err, "h2push get: --http1.1 excludes --h2c and --upgrade\n");
    return 2;
  }
  if (options.prior_knowledge && options.upgrade) {
    std::fprintf(err, "h2push get: --h2c and --upgrade exclude each other\n");
    return 2;
  }
  Fetcher fetcher(options, out, err);
  return fetcher.run();
}

}  // namespace h2push::client
