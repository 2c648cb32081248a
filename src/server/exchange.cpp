// src/server/exchange.cpp
#include "server/exchange.hpp"

#include <algorithm>
#include <cstring>

#include <asio/post.hpp>

namespace h2push::server {

// The buffer of a streamed response body: written by the handler, read by the protocol core.
struct Exchange::Streamed {
  std::vector<std::byte> data;
  std::size_t offset = 0;  // octets of `data` already read by the core
  bool end = false;
  bool failed = false;
  std::function<void()> on_drain;
  asio::any_io_executor executor;

  std::size_t size() const noexcept { return data.size() - offset; }
};

// Passes a body source through and records when it is over, so the exchange knows its response is complete.
class Exchange::TrackedBody final : public BodySource {
 public:
  TrackedBody(std::unique_ptr<BodySource> inner, std::shared_ptr<bool> done)
      : inner_(std::move(inner)), done_(std::move(done)) {}
  Read read(std::span<std::byte> out) override {
    const Read r = inner_->read(out);
    if (r.end || r.failed) *done_ = true;
    return r;
  }
  bool borrow(std::size_t max, Loan& loan) override {
    if (!inner_->borrow(max, loan)) return false;
    if (loan.end || loan.failed) *done_ = true;
    return true;
  }

 private:
  std::unique_ptr<BodySource> inner_;
  std::shared_ptr<bool> done_;
};

namespace {

class StreamedSource final : public BodySource {
 public:
  explicit StreamedSource(std::shared_ptr<void> state, std::function<Read(std::span<std::byte>)> read)
      : state_(std::move(state)), read_(std::move(read)) {}
  Read read(std::span<std::byte> out) override { return read_(out); }

 private:
  std::shared_ptr<void> state_;
  std::function<Read(std::span<std::byte>)> read_;
};

BodySource::Read read_streamed(auto& s, std::span<std::byte> out) {
  BodySource::Read r;
  if (s.failed && s.size() == 0) {  // what was written goes out first
    r.failed = true;
    return r;
  }
  const std::size_t n = std::min(out.size(), s.size());
  if (n != 0) std::memcpy(out.data(), s.data.data() + s.offset, n);
  s.offset += n;
  r.length = n;
  if (s.size() == 0) {
    s.data.clear();
    s.offset = 0;
    r.end = s.end && !s.failed;
    if (s.on_drain && !s.end) asio::post(s.executor, std::exchange(s.on_drain, nullptr));
  }
  return r;
}

}  // namespace

Exchange::Exchange(ExchangeSink* sink, std::shared_ptr<void> keep_alive, std::uint64_t key, const Request& request,
                   asio::any_io_executor executor, bool request_has_body, bool pushed)
    : sink_(sink),
      keep_alive_(std::move(keep_alive)),
      key_(key),
      owned_(request),
      view_(owned_.view()),
      executor_(std::move(executor)),
      started_(std::chrono::steady_clock::now()),
      has_body_(request_has_body),
      pushed_(pushed),
      body_ended_(!request_has_body),
      held_end_(!request_has_body) {}

Exchange::~Exchange() {
  if (sink_ == nullptr) return;
  if (unconsumed_ != 0) sink_->exchange_consume(key_, unconsumed_);
  if (!responded_ && !complete_) {
    if (pushed_) {
      (void)cancel_push(500);
      return;
    }
    Fields fields{{"content-length", "0"}};
    (void)submit_final(500, fields, nullptr, 0);
  } else if (streamed_ != nullptr && !streamed_->end && !complete()) {
    streamed_->failed = true;  // the producer is gone: the body cannot be finished
    sink_->exchange_resume(key_);
  }
}

void Exchange::session_set_push(std::string set_cookie, std::string log_suffix) {
  set_cookie_ = std::move(set_cookie);
  log_suffix_ = std::move(log_suffix);
}

bool Exchange::inform(int status, const Fields& fields) {
  if (!open() || responded_ || pushed_ || status < 100 || status > 199 || status == 101) return false;
  const std::string code = std::to_string(status);
  std::vector<hpack::Header> headers{{":status", code}};
  for (const auto& [name, value] : fields) headers.push_back({name, value});
  return sink_->exchange_inform(key_, headers);
}

bool Exchange::submit_final(int status, Fields& fields, std::unique_ptr<BodySource> body, std::uint64_t length) {
  if (!set_cookie_.empty() && status < 400) fields.emplace_back("set-cookie", set_cookie_);
  const std::string code = std::to_string(status);
  std::vector<hpack::Header> headers{{":status", code}};
  for (const auto& [name, value] : fields) headers.push_back({name, value});
  if (view_.method == "HEAD") body.reset();
  responded_ = true;
  if (body == nullptr) {
    complete_ = true;
  } else {
    body_done_ = std::make_shared<bool>(false);
    body = std::make_unique<TrackedBody>(std::move(body), body_done_);
  }
  const bool ok = sink_->exchange_respond(key_, headers, std::move(body));
  if (!ok) complete_ = true;
  sink_->exchange_log(view_, status, length, std::chrono::steady_clock::now() - started_, log_suffix_);
  return ok;
}

bool Exchange::cancel_push(int status) {
  sink_->exchange_cancel(key_);
  complete_ = true;
  on_gone_ = nullptr;
  sink_->exchange_log(view_, status, 0, std::chrono::steady_clock::now() - started_, "push-cancelled");
  return false;
}

bool Exchange::respond(Response response) {
  if (!open() || responded_ || response.status < 200 || response.status > 999) return false;
  response.own_borrowed();  // the exchange's field list owns its text
  if (pushed_ && !pushable_response(response.status, response.fields)) return cancel_push(response.status);
  return submit_final(response.status, response.fields, std::move(response.body), response.content_length.value_or(0));
}

bool Exchange::respond_streaming(int status, Fields fields, std::optional<std::uint64_t> content_length) {
  if (!open() || responded_ || status < 200 || status > 999) return false;
  if (pushed_ && !pushable_response(status, fields)) return cancel_push(status);
  if (content_length) fields.emplace_back("content-length", std::to_string(*content_length));
  streamed_ = std::make_shared<Streamed>();
  streamed_->executor = executor_;
  auto source = std::make_unique<StreamedSource>(
      streamed_, [s = streamed_.get()](std::span<std::byte> out) { return read_streamed(*s, out); });
  return submit_final(status, fields, std::move(source), content_length.value_or(0));
}

bool Exchange::write(std::span<const std::byte> data, bool end) {
  if (!open() || streamed_ == nullptr || streamed_->end) return false;
  streamed_->data.insert(streamed_->data.end(), data.begin(), data.end());
  streamed_->end = end;
  sink_->exchange_resume(key_);
  return true;
}

bool Exchange::write_trailers(const Fields& fields) {
  if (!open() || streamed_ == nullptr || streamed_->end) return false;
  std::vector<hpack::Header> headers;
  headers.reserve(fields.size());
  for (const auto& [name, value] : fields) headers.push_back({name, value});
  const bool ok = headers.empty() || sink_->exchange_trailers(key_, headers);
  streamed_->end = true;  // the core writes the held trailers when the body source ends
  sink_->exchange_resume(key_);
  return ok;
}

std::size_t Exchange::buffered() const noexcept { return streamed_ == nullptr ? 0 : streamed_->size(); }

void Exchange::on_drain(std::function<void()> callback) {
  if (streamed_ == nullptr) return;
  if (streamed_->size() == 0) {
    asio::post(executor_, std::move(callback));
    return;
  }
  streamed_->on_drain = std::move(callback);
}

void Exchange::resume() {
  if (open()) sink_->exchange_resume(key_);
}

void Exchange::abort() {
  if (!open()) return;
  on_gone_ = nullptr;  // not called after abort()
  if (!responded_ && pushed_) {
    (void)cancel_push(502);
    return;
  }
  if (!responded_) {
    Fields fields{{"content-length", "0"}};
    (void)submit_final(502, fields, nullptr, 0);
  } else if (streamed_ != nullptr) {
    // The core writes what is buffered, then meets the failure: HTTP/2 resets the stream, HTTP/1.1 closes.
    streamed_->failed = true;
    sink_->exchange_resume(key_);
  } else {
    sink_->exchange_abort(key_);
  }
  complete_ = true;
}

void Exchange::on_gone(std::function<void()> callback) { on_gone_ = std::move(callback); }

void Exchange::on_body(BodyCallback callback) {
  on_body_ = std::move(callback);
  if (sink_ != nullptr) sink_->exchange_want_body(key_);
  if (!held_.empty() || held_end_) deliver_held();
}

void Exchange::deliver_held() {
  if (delivering_) return;
  delivering_ = true;
  asio::post(executor_, [weak = weak_from_this()] {
    const auto self = weak.lock();
    if (self == nullptr) return;
    self->delivering_ = false;
    if (!self->on_body_ || (self->held_.empty() && !self->held_end_)) return;
    const std::vector<std::byte> chunk = std::move(self->held_);
    self->held_.clear();
    const bool end = std::exchange(self->held_end_, false);
    const BodyCallback callback = end ? std::exchange(self->on_body_, nullptr) : self->on_body_;
    callback(chunk, end);
  });
}

void Exchange::consume(std::size_t n) {
  n = std::min(n, unconsumed_);
  unconsumed_ -= n;
  if (n != 0 && sink_ != nullptr) sink_->exchange_consume(key_, n);
}

void Exchange::session_body(std::span<const std::byte> chunk, bool end) {
  if (body_ended_) return;
  body_ended_ = end;
  unconsumed_ += chunk.size();
  if (on_body_ && !delivering_ && held_.empty()) {
    if (!end) return on_body_(chunk, end);
    const BodyCallback last = std::exchange(on_body_, nullptr);  // a callback holding the exchange lets it go
    last(chunk, end);
    return;
  }
  held_.insert(held_.end(), chunk.begin(), chunk.end());
  held_end_ = end;
  if (on_body_) deliver_held();
}

void Exchange::session_trailers(std::span<const hpack::Header> fields) {
  if (body_ended_) return;
  for (const hpack::Header& f : fields) request_trailers_.emplace_back(f.name, f.value);
}

void Exchange::session_gone() {
  const bool notify = open();
  const std::function<void()> gone = std::exchange(on_gone_, nullptr);
  session_detach();
  if (notify && gone) gone();
}

void Exchange::session_detach() noexcept {
  sink_ = nullptr;
  // Callbacks may hold the exchange itself: dropping them breaks that cycle.
  on_gone_ = nullptr;
  on_body_ = nullptr;
  if (streamed_ != nullptr) streamed_->on_drain = nullptr;
  keep_alive_.reset();
}

}  // namespace h2push::server
