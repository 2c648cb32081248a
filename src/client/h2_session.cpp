// src/client/h2_session.cpp
#include "client/h2_session.hpp"

#include <variant>

namespace h2push::client {
namespace {

http2::Options connection_options(const SessionOptions& options) {
  http2::Options o;
  o.role = http2::Role::client;
  o.enable_push = options.enable_push;
  o.initial_window_size = 1U << 20;  // a client reads everything: large windows, few WINDOW_UPDATEs
  o.connection_window_size = 1U << 24;
  return o;
}

Fields copy(std::span<const http2::Header> headers) {
  Fields out;
  for (const http2::Header& h : headers) out.emplace_back(std::string(h.name), std::string(h.value));
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string code_text(http2::ErrorCode code) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "(0x%02x)", static_cast<unsigned>(code));
  return std::string(http2::to_string(code)) + buffer;
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

H2Session::H2Session(SessionListener& listener, const SessionOptions& options, std::string protocol)
    : listener_(listener), options_(options), protocol_(std::move(protocol)), conn_(connection_options(options)) {
  if (options.trace != nullptr) {
    sent_trace_ = std::make_unique<FrameTracer>(true, options.trace, options.start);
    received_trace_ = std::make_unique<FrameTracer>(false, options.trace, options.start);
  }
  (void)conn_.advance(http2::Instant{now_ns()});
}

Result<ExchangeId, std::string> H2Session::start_upgraded(bool head_request) {
  auto id = conn_.start_h2c_upgrade(head_request);
  if (!id) return Unexpected{"cannot start HTTP/2 after the upgrade: " + std::string(to_string(id.error()))};
  open_.insert(id->value());
  return id->value();
}

Result<ExchangeId, std::string> H2Session::submit(const Request& request) {
  std::vector<std::string> names;  // owned lowercase names (HTTP/2 requires them, RFC 9113 §8.2.1)
  names.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) names.push_back(lower(name));
  std::vector<http2::Header> fields = {{":method", request.method},
                                       {":scheme", request.scheme},
                                       {":authority", request.authority},
                                       {":path", request.path}};
  bool has_agent = false;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "host") {  // -H 'host: x': HTTP/2 says it in :authority (RFC 9113 §8.3.1)
      fields[2].value = request.headers[i].second;
      continue;
    }
    has_agent = has_agent || names[i] == "user-agent";
    fields.push_back({names[i], request.headers[i].second});
  }
  if (!has_agent) fields.push_back({"user-agent", "h2push"});
  const bool has_body = !request.body.empty();
  auto id = conn_.submit_request(fields, !has_body);
  limited_ = !id && id.error() == http2::Errc::stream_limit;
  if (!id) return Unexpected{"cannot submit " + request.path + ": " + std::string(to_string(id.error()))};
  if (has_body) {
    auto sent = conn_.send_data(*id, std::as_bytes(std::span(request.body)), true);
    if (!sent) return Unexpected{"cannot send the body: " + std::string(to_string(sent.error()))};
  }
  open_.insert(id->value());
  return id->value();
}

void H2Session::consume_output(std::size_t n) {
  if (sent_trace_) sent_trace_->feed(conn_.pending_output().first(n));
  conn_.consume_output(n);
}

void H2Session::receive(std::span<const std::byte> bytes) {
  if (received_trace_) received_trace_->feed(bytes);
  handle(conn_.advance(http2::Instant{now_ns()}));
  handle(conn_.receive(bytes));
}

void H2Session::receive_eof() {
  eof_ = true;
  if (!open_.empty() && !failure_) failure_ = "the server closed the connection with streams still open";
  const std::set<ExchangeId> left = open_;
  for (ExchangeId id : left) complete(id, "connection closed");
}

void H2Session::complete(ExchangeId id, const std::optional<std::string>& error) {
  if (open_.erase(id) == 0) return;
  limited_ = false;
  listener_.on_complete(id, error);
}

void H2Session::handle(std::span<const http2::Event> events) {
  for (const http2::Event& e : events) {
    if (const auto* i = std::get_if<http2::InformationalReceived>(&e)) {
      const Fields f = copy(i->headers);
      listener_.on_informational(i->stream.value(), std::atoi(f.empty() ? "0" : f.front().second.c_str()), f);
    } else if (const auto* r = std::get_if<http2::ResponseReceived>(&e)) {
      const Fields f = copy(r->headers);
      listener_.on_response(r->stream.value(), std::atoi(f.empty() ? "0" : f.front().second.c_str()), "", f);
      if (r->end_stream) complete(r->stream.value(), std::nullopt);
    } else if (const auto* d = std::get_if<http2::DataReceived>(&e)) {
      if (!d->data.empty()) listener_.on_data(d->stream.value(), d->data);
      if (d->end_stream) complete(d->stream.value(), std::nullopt);
    } else if (const auto* t = std::get_if<http2::TrailersReceived>(&e)) {
      complete(t->stream.value(), std::nullopt);
    } else if (const auto* s = std::get_if<http2::StreamReset>(&e)) {
      if (s->by_peer && s->code == http2::ErrorCode::refused_stream && open_.erase(s->stream.value()) == 1) {
        limited_ = false;
        listener_.on_refused(s->stream.value());
        continue;
      }
      complete(s->stream.value(),
               std::string(s->by_peer ? "reset by the server: " : "reset by us: ") + code_text(s->code));
    } else if (const auto* p = std::get_if<http2::PushPromised>(&e)) {
      Request pushed;
      for (const http2::Header& h : p->request) {
        if (h.name == ":method")
          pushed.method = h.value;
        else if (h.name == ":scheme")
          pushed.scheme = h.value;
        else if (h.name == ":authority")
          pushed.authority = h.value;
        else if (h.name == ":path")
          pushed.path = h.value;
        else
          pushed.headers.emplace_back(std::string(h.name), std::string(h.value));
      }
      open_.insert(p->promised.value());
      listener_.on_push(p->parent.value(), p->promised.value(), pushed);
    } else if (const auto* g = std::get_if<http2::GoawayReceived>(&e)) {
      going_away_ = true;
      if (g->code != http2::ErrorCode::no_error && !failure_) {
        failure_ = "the server sent GOAWAY with " + code_text(g->code) +
                   (g->debug_data.empty() ? "" : ": " + std::string(g->debug_data));
      }
    } else if (const auto* f = std::get_if<http2::ConnectionFailed>(&e)) {
      if (!failure_) {
        failure_ = f->by_peer ? "the server sent GOAWAY with " + code_text(f->code)
                              : "HTTP/2 protocol error (" + code_text(f->code) + "): " + std::string(f->detail);
      }
    }
  }
}

}  // namespace h2push::client
