// src/http1/client_connection.cpp: the API of ClientConnection and the request writer.
#include "h2push/http1/client_connection.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include "http1/chars.hpp"
#include "http1/client_state.hpp"

namespace h2push::http1 {

std::string_view to_string(ResponseError error) noexcept {
  switch (error) {
    case ResponseError::malformed_status_line:
      return "malformed status line";
    case ResponseError::unsupported_version:
      return "unsupported HTTP version";
    case ResponseError::malformed_head:
      return "malformed response head";
    case ResponseError::head_too_large:
      return "response head too large";
    case ResponseError::too_many_informational:
      return "too many 1xx responses";
    case ResponseError::unexpected_switch:
      return "101 Switching Protocols without an upgrade request";
    case ResponseError::invalid_content_length:
      return "invalid Content-Length";
    case ResponseError::content_length_with_chunked:
      return "both Content-Length and Transfer-Encoding";
    case ResponseError::invalid_transfer_encoding:
      return "invalid Transfer-Encoding";
    case ResponseError::bad_chunk:
      return "malformed chunked body";
    case ResponseError::truncated:
      return "connection closed before the end of the response";
    case ResponseError::unsolicited:
      return "data received with no request outstanding";
  }
  return "unknown response error";
}

std::string_view to_string(ClientErrc errc) noexcept {
  switch (errc) {
    case ClientErrc::invalid_request:
      return "invalid request";
    case ClientErrc::connection_closed:
      return "connection closed";
    case ClientErrc::upgrade_pending:
      return "an upgrade request is outstanding";
    case ClientErrc::body_in_progress:
      return "a streamed request body is not finished";
    case ClientErrc::no_body_expected:
      return "no streamed request body in progress";
    case ClientErrc::body_length_mismatch:
      return "the request body does not match its Content-Length";
  }
  return "unknown error";
}

namespace {

using detail::iequals;

// RFC 9112 §3.2: origin-form, absolute-form or asterisk-form; VCHAR without '#'.
bool valid_target(std::string_view target) {
  if (target.empty()) return false;
  for (char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '#') return false;
  }
  return true;
}

bool valid_field(const Header& h) {
  if (!detail::is_token(h.name)) return false;
  if (iequals(h.name, "content-length") || iequals(h.name, "transfer-encoding")) return false;  // ours
  for (char c : h.value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

void put(std::vector<std::byte>& out, std::string_view s) {
  const auto* p = reinterpret_cast<const std::byte*>(s.data());
  out.insert(out.end(), p, p + s.size());
}

bool asks_to_close(std::span<const Header> headers) {
  bool close = false;
  for (const Header& h : headers) {
    if (!iequals(h.name, "connection")) continue;
    detail::for_each_list_member(h.value, [&](std::string_view token) { close = close || iequals(token, "close"); });
  }
  return close;
}

}  // namespace

ClientConnection::ClientConnection(const ClientOptions& options)
    : state_(std::make_unique<detail::ClientState>(options)) {
  state_->start_head();
}
ClientConnection::~ClientConnection() = default;
ClientConnection::ClientConnection(ClientConnection&&) noexcept = default;
ClientConnection& ClientConnection::operator=(ClientConnection&&) noexcept = default;

namespace {

// Checks that a request may be queued now and writes its request line and fields, without the blank line.
Status<ClientErrc> write_head(detail::ClientState& c, const RequestHead& head) {
  if (c.no_more_requests || c.finished) return Unexpected{ClientErrc::connection_closed};
  if (c.body_open) return Unexpected{ClientErrc::body_in_progress};
  if (!c.pending.empty() && c.pending.back().upgrade) return Unexpected{ClientErrc::upgrade_pending};
  if (!detail::is_token(head.method) || !valid_target(head.target)) return Unexpected{ClientErrc::invalid_request};
  for (const Header& h : head.headers) {
    if (!valid_field(h)) return Unexpected{ClientErrc::invalid_request};
  }
  std::vector<std::byte>& out = c.out;
  put(out, head.method);
  put(out, " ");
  put(out, head.target);
  put(out, " HTTP/1.1\r\n");
  for (const Header& h : head.headers) {
    put(out, h.name);
    put(out, ": ");
    put(out, h.value);
    put(out, "\r\n");
  }
  return {};
}

RequestId queue(detail::ClientState& c, const RequestHead& head) {
  const RequestId id{c.next_id++};
  c.pending.push_back({id, head.method == "HEAD", head.upgrade, 0});
  if (asks_to_close(head.headers)) c.no_more_requests = true;
  return id;
}

}  // namespace

Result<RequestId, ClientErrc> ClientConnection::submit_request(const RequestHead& head,
                                                               std::span<const std::byte> body) {
  detail::ClientState& c = *state_;
  if (auto written = write_head(c, head); !written) return Unexpected{written.error()};
  std::vector<std::byte>& out = c.out;
  // RFC 9110 §8.6: a user agent sends Content-Length for a body, and SHOULD for POST/PUT without one.
  if (!body.empty() || head.method == "POST" || head.method == "PUT" || head.method == "PATCH") {
    put(out, "content-length: ");
    put(out, std::to_string(body.size()));
    put(out, "\r\n");
  }
  put(out, "\r\n");
  out.insert(out.end(), body.begin(), body.end());
  return queue(c, head);
}

Result<RequestId, ClientErrc> ClientConnection::submit_request_head(const RequestHead& head,
                                                                    std::optional<std::uint64_t> content_length) {
  detail::ClientState& c = *state_;
  if (auto written = write_head(c, head); !written) return Unexpected{written.error()};
  if (content_length) {
    put(c.out, "content-length: ");
    put(c.out, std::to_string(*content_length));
    put(c.out, "\r\n\r\n");
  } else {
    put(c.out, "transfer-encoding: chunked\r\n\r\n");
  }
  c.body_open = true;
  c.body_chunked = !content_length;
  c.body_left = content_length.value_or(0);
  return queue(c, head);
}

Status<ClientErrc> ClientConnection::send_body(std::span<const std::byte> data, bool end) {
  detail::ClientState& c = *state_;
  if (!c.body_open) return Unexpected{ClientErrc::no_body_expected};
  if (!c.body_chunked) {
    if (data.size() > c.body_left || (end && data.size() != c.body_left)) {
      return Unexpected{ClientErrc::body_length_mismatch};
    }
    c.body_left -= data.size();
    c.out.insert(c.out.end(), data.begin(), data.end());
  } else {
    if (!data.empty()) {
      char size[20];
      const auto r = std::to_chars(size, size + sizeof size, data.size(), 16);
      put(c.out, std::string_view(size, static_cast<std::size_t>(r.ptr - size)));
      put(c.out, "\r\n");
      c.out.insert(c.out.end(), data.begin(), data.end());
      put(c.out, "\r\n");
    }
    if (end) put(c.out, "0\r\n\r\n");
  }
  if (end) c.body_open = false;
  return {};
}

Status<ClientErrc> ClientConnection::send_trailers(std::span<const Header> fields) {
  detail::ClientState& c = *state_;
  if (!c.body_open) return Unexpected{ClientErrc::no_body_expected};
  if (!c.body_chunked) return send_body({}, true);
  for (const Header& h : fields) {
    if (!valid_field(h)) return Unexpected{ClientErrc::invalid_request};
  }
  put(c.out, "0\r\n");
  for (const Header& h : fields) {
    put(c.out, h.name);
    put(c.out, ": ");
    put(c.out, h.value);
    put(c.out, "\r\n");
  }
  put(c.out, "\r\n");
  c.body_open = false;
  return {};
}

bool ClientConnection::sending_body() const noexcept { return state_->body_open; }

std::span<const ClientEvent> ClientConnection::receive(std::span<const std::byte> bytes) {
  detail::ClientState& c = *state_;
  c.begin_call();
  if (c.upgraded) {
    c.upgrade_input.insert(c.upgrade_input.end(), bytes.begin(), bytes.end());
  } else if (!c.finished) {
    c.parse(bytes);
  }
  return c.finish_call();
}

std::span<const ClientEvent> ClientConnection::receive_eof() {
  detail::ClientState& c = *state_;
  c.begin_call();
  c.eof();
  return c.finish_call();
}

std::span<const std::byte> ClientConnection::pending_output() const noexcept {
  return std::span<const std::byte>(state_->out).subspan(state_->out_sent);
}

void ClientConnection::consume_output(std::size_t n) {
  detail::ClientState& c = *state_;
  c.out_sent += std::min(n, c.out.size() - c.out_sent);
  if (c.out_sent == c.out.size()) {
    c.out.clear();
    c.out_sent = 0;
  }
}

std::size_t ClientConnection::outstanding() const noexcept { return state_->pending.size(); }
bool ClientConnection::is_closed() const noexcept { return state_->no_more_requests || state_->finished; }
bool ClientConnection::upgraded() const noexcept { return state_->upgraded; }

std::vector<std::byte> ClientConnection::take_upgrade_input() {
  std::vector<std::byte> out = std::move(state_->upgrade_input);
  state_->upgrade_input.clear();
  return out;
}

}  // namespace h2push::http1
