// src/server/session_push.hpp: what a session keeps to carry out push decisions: requests kept past the handler
// call (think time), bodies that count what they sent, and the per-connection record of pushes and refusals.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "h2push/body_source.hpp"
#include "server/handler.hpp"

namespace h2push::server {

// A request whose views must outlive the core's buffers: the page's response delayed by think time.
class OwnedRequest {
 public:
  explicit OwnedRequest(const Request& r)
      : method_(r.method),
        scheme_(r.scheme),
        authority_(r.authority),
        target_(r.target),
        remote_(r.remote),
        protocol_(r.protocol) {
    names_values_.reserve(r.fields.size());
    for (const hpack::Header& f : r.fields) names_values_.emplace_back(std::string(f.name), std::string(f.value));
    for (const auto& [name, value] : names_values_) fields_.push_back({name, value});
  }
  OwnedRequest(const OwnedRequest&) = delete;
  OwnedRequest& operator=(const OwnedRequest&) = delete;

  Request view() const {
    Request r;
    r.method = method_;
    r.scheme = scheme_;
    r.authority = authority_;
    r.target = target_;
    r.fields = fields_;
    r.protocol = protocol_;
    r.remote = remote_;
    return r;
  }

 private:
  std::string method_, scheme_, authority_, target_, remote_;
  Protocol protocol_;
  std::vector<std::pair<std::string, std::string>> names_values_;
  std::vector<hpack::Header> fields_;
};

// Whether a response may answer a push (RFC 9113 §8.4, RFC 9111 §3): a 200 the client may store and reuse for its own
// request: no `Cache-Control: no-store` or `private`, and no `Vary` on anything but Accept-Encoding (the only
// request field a PUSH_PROMISE carries besides the URL, so the client could not match the rest).
inline bool pushable_response(int status, const std::vector<std::pair<std::string, std::string>>& fields) {
  if (status != 200) return false;
  const auto lower = [](std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    return text;
  };
  for (const auto& [name, value] : fields) {
    const std::string v = lower(value);
    if (name == "cache-control" &&
        (v.find("no-store") != std::string::npos || v.find("private") != std::string::npos)) {
      return false;
    }
    if (name != "vary") continue;
    for (std::size_t start = 0; start <= v.size();) {
      const std::size_t comma = std::min(v.find(',', start), v.size());
      std::string_view item = std::string_view(v).substr(start, comma - start);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (!item.empty() && item != "accept-encoding") return false;
      start = comma + 1;
    }
  }
  return true;
}

// How much of a pushed body has been produced, and whether all of it.
struct BodyProgress {
  std::uint64_t sent = 0;
  bool done = false;
};

// Passes a body through, recording its progress for the session to read when the push is refused.
class CountingBody final : public BodySource {
 public:
  CountingBody(std::unique_ptr<BodySource> inner, std::shared_ptr<BodyProgress> progress)
      : inner_(std::move(inner)), progress_(std::move(progress)) {}
  Read read(std::span<std::byte> out) override {
    const Read r = inner_->read(out);
    progress_->sent += r.length;
    progress_->done = progress_->done || r.end || r.failed;
    return r;
  }
  bool borrow(std::size_t max, Loan& loan) override {
    if (!inner_->borrow(max, loan)) return false;
    progress_->sent += loan.bytes.size();
    progress_->done = progress_->done || loan.end || loan.failed;
    return true;
  }

 private:
  std::unique_ptr<BodySource> inner_;
  std::shared_ptr<BodyProgress> progress_;
};

// One connection's pushes: promised streams still open, paths the client refused, and the counters logged when the
// connection ends (and summed by the worker).
struct PushRecord {
  struct Promise {
    std::string path;
    std::shared_ptr<BodyProgress> progress;
  };
  std::unordered_map<std::uint32_t, Promise> open;  // by promised stream id
  std::vector<std::string> refused_paths;
  std::uint64_t pushes = 0;
  std::uint64_t pushed_bytes = 0;  // body octets of pushes queued, refused ones included
  std::uint64_t refused = 0;
  std::uint64_t refused_bytes = 0;  // body octets of refused pushes already produced when the reset came
  std::uint64_t hints = 0;          // 103 responses sent

  // Remembers a promise; forgets finished ones past a few dozen, so a long connection does not grow the map.
  void on_promise(std::uint32_t id, std::string path, std::shared_ptr<BodyProgress> progress) {
    if (open.size() >= 64) std::erase_if(open, [](const auto& entry) { return entry.second.progress->done; });
    open.emplace(id, Promise{std::move(path), std::move(progress)});
    ++pushes;
  }

  // The client reset promised stream `id` (CANCEL, REFUSED_STREAM...): never push that path to it again. Returns
  // the path and the body octets produced before the reset, or nullopt for a stream that is not a known push.
  std::optional<std::pair<std::string, std::uint64_t>> on_reset(std::uint32_t id) {
    const auto it = open.find(id);
    if (it == open.end()) return std::nullopt;
    ++refused;
    const std::uint64_t sent = it->second.progress->sent;
    refused_bytes += sent;
    refused_paths.push_back(it->second.path);
    std::pair<std::string, std::uint64_t> result{std::move(it->second.path), sent};
    open.erase(it);
    return result;
  }
};

// A worker's (or the server's) sum of its connections' push records.
struct PushTotals {
  std::uint64_t pushes = 0;
  std::uint64_t pushed_bytes = 0;
  std::uint64_t refused = 0;
  std::uint64_t refused_bytes = 0;
  std::uint64_t hints = 0;

  void add(const PushRecord& r) {
    pushes += r.pushes;
    pushed_bytes += r.pushed_bytes;
    refused += r.refused;
    refused_bytes += r.refused_bytes;
    hints += r.hints;
  }
  void add(const PushTotals& t) {
    pushes += t.pushes;
    pushed_bytes += t.pushed_bytes;
    refused += t.refused;
    refused_bytes += t.refused_bytes;
    hints += t.hints;
  }
};

}  // namespace h2push::server
