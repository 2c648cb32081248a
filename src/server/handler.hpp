// src/server/handler.hpp: what the protocol sessions hand a request to, the same for HTTP/1.1 and HTTP/2.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "h2push/body_source.hpp"
#include "h2push/hpack/types.hpp"
#include "server/inline_vector.hpp"

namespace h2push::server {

enum class Protocol : std::uint8_t { http10, http11, h2, h2c };
std::string_view to_string(Protocol protocol) noexcept;  // "HTTP/1.1", "HTTP/2.0" ... as access logs write them

// A request's head. Views stay valid for the duration of Handler::handle().
struct Request {
  std::string_view method;
  std::string_view scheme;                // "https" or "http"
  std::string_view authority;             // :authority or Host
  std::string_view target;                // the request target: path and query, still percent-encoded
  std::span<const hpack::Header> fields;  // regular fields, lowercase names (pseudo-header fields excluded)
  Protocol protocol = Protocol::h2;
  std::string_view remote;  // peer address, for logs

  // The first value of a field, or an empty view.
  std::string_view field(std::string_view name) const noexcept {
    for (const hpack::Header& f : fields) {
      if (f.name == name) return f.value;
    }
    return {};
  }
};

// A response: status, fields (lowercase names, no connection-specific ones) and an optional body pulled lazily.
struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> fields;
  std::unique_ptr<BodySource> body;             // null: no content
  std::optional<std::uint64_t> content_length;  // when known (also sent as content-length by the handler)
  // True only when every field was built by the server's own code from validated values (SiteHandler's file
  // responses): HTTP/2 then skips checking them again (http2::FieldCheck::trusted). Never for fields from outside.
  bool trusted_fields = false;
  // Fields viewed, not owned: their text is static or held by `keep` (SiteHandler: the open-file cache's entry and
  // the handler's per-thread Date). Sent before `fields`. Valid until the handler is called again on this
  // thread; whoever keeps a response longer calls own_borrowed() first.
  InlineVector<hpack::Header, 14> borrowed{};
  std::shared_ptr<const void> keep{};

  // Moves the borrowed fields into `fields` as copies (before them, keeping the order sent).
  void own_borrowed() {
    if (borrowed.empty()) return;
    std::vector<std::pair<std::string, std::string>> all;
    all.reserve(borrowed.size() + fields.size());
    for (const hpack::Header& f : borrowed) all.emplace_back(std::string(f.name), std::string(f.value));
    for (auto& f : fields) all.push_back(std::move(f));
    fields = std::move(all);
    borrowed.clear();
    keep.reset();
  }
};

class Exchange;  // src/server/exchange.hpp

class Handler {
 public:
  virtual ~Handler() = default;
  // Called on the connection's worker thread; must not block. Also used for the responses of pushes (a synchronous
  // GET whose 200 is worth promising) unless asynchronous_pushes() says otherwise.
  virtual Response handle(const Request& request) = 0;
  // True: requests go to start() instead of handle(), with an Exchange the handler answers through when it likes
  // (a reverse proxy, an application that thinks). The push policy's 103 and pushes are sent before start().
  virtual bool asynchronous() const noexcept { return false; }
  // Called on the connection's worker thread; must not block. The handler keeps `exchange` until it has answered.
  virtual void start(std::shared_ptr<Exchange> exchange) { (void)exchange; }
  // True (with asynchronous()): the policy's pushes are promised at once, without asking handle(), and each promised
  // stream goes to start() as an Exchange whose pushed() is true, answered when the handler has the response (a
  // proxy fetching it from its upstream). A response that is not a storable 200 resets the promised stream.
  virtual bool asynchronous_pushes() const noexcept { return false; }

  // The server is shutting down (on the worker thread): release what would keep the worker's loop alive with no
  // session left, e.g. a reverse proxy's idle upstream connections.
  virtual void shut_down() {}
};

}  // namespace h2push::server
