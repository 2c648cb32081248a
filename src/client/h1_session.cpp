// src/client/h1_session.cpp
#include "client/h1_session.hpp"

#include <chrono>
#include <variant>

namespace h2push::client {
namespace {

Fields copy(std::span<const http1::Header> headers) {
  Fields out;
  for (const http1::Header& h : headers) out.emplace_back(std::string(h.name), std::string(h.value));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string base64url(std::span<const std::byte> bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::byte b : bytes) {
    acc = (acc << 8) | static_cast<std::uint32_t>(b);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 0x3f];
  return out;
}

H1Session::H1Session(SessionListener& listener, const SessionOptions& options)
    : listener_(listener), options_(options) {}

Result<ExchangeId, std::string> H1Session::submit(const Request& request) { return enqueue({0, request, {}, false}); }

Result<ExchangeId, std::string> H1Session::submit_upgrade(const Request& request, std::span<const std::byte> settings) {
  return enqueue({0, request, std::vector<std::byte>(settings.begin(), settings.end()), true});
}

Result<ExchangeId, std::string> H1Session::enqueue(Queued queued) {
  if (!accepts_requests()) return Unexpected{std::string("the HTTP/1.1 connection is closed")};
  queued.id = next_id_++;
  const ExchangeId id = queued.id;
  queue_.push_back(std::move(queued));
  send_next();
  if (failure_) return Unexpected{*failure_};
  return id;
}

std::vector<std::pair<ExchangeId, Request>> H1Session::take_unsent() {
  std::vector<std::pair<ExchangeId, Request>> out;
  for (Queued& q : queue_) out.emplace_back(q.id, std::move(q.request));
  queue_.clear();
  return out;
}

void H1Session::trace_request(const Queued& q, const std::vector<std::pair<std::string, std::string>>& fields) {
  if (options_.trace == nullptr) return;
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - options_.start).count();
  std::fprintf(options_.trace, "[%7.3f] send request head\n          > %s %s HTTP/1.1\n", t, q.request.method.c_str(),
               q.request.path.c_str());
  for (const auto& [name, value] : fields)
    std::fprintf(options_.trace, "          > %s: %s\n", name.c_str(), value.c_str());
  if (!q.request.body.empty()) {
    std::fprintf(options_.trace, "          > content-length: %zu\n          (%zu body octets)\n",
                 q.request.body.size(), q.request.body.size());
  }
}

void H1Session::send_next() {
  if (in_flight_ || queue_.empty() || !accepts_requests()) return;
  Queued q = std::move(queue_.front());
  queue_.pop_front();
  std::vector<std::pair<std::string, std::string>> fields = {{"host", q.request.authority}};
  bool has_agent = false;
  bool has_accept = false;
  for (const auto& [name, value] : q.request.headers) {
    if (iequals(name, "host")) {
      fields.front().second = value;
      continue;
    }
    has_agent = has_agent || iequals(name, "user-agent");
    has_accept = has_accept || iequals(name, "accept");
    fields.emplace_back(name, value);
  }
  if (!has_agent) fields.emplace_back("user-agent", "h2push");
  if (!has_accept) fields.emplace_back("accept", "*/*");
  if (q.upgrade) {  // RFC 7540 §3.2
    fields.emplace_back("connection", "Upgrade, HTTP2-Settings");
    fields.emplace_back("upgrade", "h2c");
    fields.emplace_back("http2-settings", base64url(q.settings));
  }
  std::vector<http1::Header> headers;
  for (const auto& [name, value] : fields) headers.push_back({name, value});
  auto id = conn_.submit_request({q.request.method, q.request.path, headers, q.upgrade},
                                 std::as_bytes(std::span(q.request.body)));
  if (!id) {
    failure_ = "cannot send " + q.request.path + ": " + std::string(to_string(id.error()));
    return;
  }
  trace_request(q, fields);
  in_flight_ = q.id;
}

void H1Session::receive(std::span<const std::byte> bytes) { handle(conn_.receive(bytes)); }

void H1Session::receive_eof() {
  eof_ = true;
  handle(conn_.receive_eof());
  if (in_flight_) finish("connection closed");
}

void H1Session::finish(const std::optional<std::string>& error) {
  if (!in_flight_) return;
  const ExchangeId id = *in_flight_;
  in_flight_.reset();
  listener_.on_complete(id, error);
  send_next();
}

void H1Session::handle(std::span<const http1::ClientEvent> events) {
  auto trace_head = [&](const char* version, int status, std::string_view reason, std::span<const http1::Header> h) {
    if (options_.trace == nullptr) return;
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - options_.start).count();
    std::fprintf(options_.trace, "[%7.3f] recv response head\n          < %s %d %.*s\n", t, version, status,
                 static_cast<int>(reason.size()), reason.data());
    for (const http1::Header& f : h) {
      std::fprintf(options_.trace, "          < %.*s: %.*s\n", static_cast<int>(f.name.size()), f.name.data(),
                   static_cast<int>(f.value.size()), f.value.data());
    }
  };
  for (const http1::ClientEvent& e : events) {
    if (!in_flight_) break;
    const ExchangeId id = *in_flight_;
    if (const auto* i = std::get_if<http1::InformationalReceived>(&e)) {
      trace_head("HTTP/1.1", i->status, i->reason, i->headers);
      listener_.on_informational(id, i->status, copy(i->headers));
    } else if (const auto* r = std::get_if<http1::ResponseReceived>(&e)) {
      trace_head(r->version == http1::Version::http_1_0 ? "HTTP/1.0" : "HTTP/1.1", r->status, r->reason, r->headers);
      if (r->status == 101) {  // upgraded: the exchange continues over HTTP/2 as stream 1
        in_flight_.reset();
        continue;
      }
      listener_.on_response(id, r->status, r->reason, copy(r->headers));
      if (r->end_stream) finish(std::nullopt);
    } else if (const auto* d = std::get_if<http1::DataReceived>(&e)) {
      if (!d->data.empty()) listener_.on_data(id, d->data);
      if (d->end_stream) finish(std::nullopt);
    } else if (std::holds_alternative<http1::TrailersReceived>(e)) {
      finish(std::nullopt);
    } else if (const auto* f = std::get_if<http1::ResponseFailed>(&e)) {
      if (f->error == http1::ResponseError::truncated) {
        failure_ = "the server closed the connection before the end of the response";
      } else {
        failure_ = "malformed HTTP/1.1 response: " + std::string(to_string(f->error)) +
                   (f->detail ? " (" + std::string(http1::to_string(*f->detail)) + ")" : "");
      }
      finish(failure_);
    }
  }
}

}  // namespace h2push::client
