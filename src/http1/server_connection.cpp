// src/http1/server_connection.cpp: the public API of the HTTP/1.1 server core. Reading is in server_receive.cpp,
// output assembly in server_send.cpp; the application's commands are checked and applied here.
#include "h2push/http1/server_connection.hpp"

#include <algorithm>
#include <utility>

#include "http1/server_state.hpp"

namespace h2push::http1 {

using detail::Exchange;
using detail::ResponseFraming;

ServerConnection::ServerConnection(const Options& options) : state_(std::make_unique<detail::ServerState>(options)) {}
ServerConnection::~ServerConnection() = default;
ServerConnection::ServerConnection(ServerConnection&&) noexcept = default;
ServerConnection& ServerConnection::operator=(ServerConnection&&) noexcept = default;

std::span<const Event> ServerConnection::receive(std::span<const std::byte> bytes) { return state_->receive(bytes); }

std::span<const Event> ServerConnection::read_timeout() { return state_->read_timeout(); }

std::span<const std::byte> ServerConnection::pending_output() {
  detail::ServerState& s = *state_;
  s.fill_output();
  return std::span<const std::byte>(s.out).subspan(s.out_sent);
}

void ServerConnection::consume_output(std::size_t n) {
  detail::ServerState& s = *state_;
  s.out_sent = std::min(s.out.size(), s.out_sent + n);
  if (s.out_sent == s.out.size()) {
    s.out.clear();
    s.out_sent = 0;
  } else if (s.out_sent >= s.options.output_budget) {
    // A slow reader: drop the sent prefix so the buffer stays near the budget.
    s.out.erase(s.out.begin(), s.out.begin() + static_cast<std::ptrdiff_t>(s.out_sent));
    s.out_sent = 0;
  }
}

bool ServerConnection::wants_write() const noexcept {
  const detail::ServerState& s = *state_;
  if (s.pending() > 0) return true;
  if (s.write_closed || s.exchanges.empty()) return false;
  const Exchange& ex = s.exchanges.front();
  return !ex.staged.empty() || ex.complete || (ex.source && !ex.source_paused);
}

bool ServerConnection::wants_read() const noexcept {
  const ReadState r = state_->read_state();
  return r != ReadState::paused && r != ReadState::closed;
}

bool ServerConnection::has_held_input() const noexcept { return state_->held.size() > state_->held_consumed; }

Status<Errc> ServerConnection::submit_informational(RequestId id, std::span<const Header> fields) {
  detail::ServerState& s = *state_;
  auto found = s.writable(id);
  if (!found) return Unexpected{found.error()};
  Exchange& ex = **found;
  if (ex.final_submitted) return Unexpected{Errc::invalid_state};
  // RFC 9110 §15.2 (CONFORMANCE EH-H1-01): never a 1xx to an HTTP/1.0 client.
  if (ex.version == Version::http_1_0) return Unexpected{Errc::http10_client};
  auto checked = detail::check_fields(fields, detail::FieldsKind::informational);
  if (!checked) return Unexpected{checked.error()};
  detail::Bytes& o = s.sink(ex);
  detail::write_status_line(o, checked->status);
  detail::write_fields(o, fields);
  detail::append(o, "\r\n");
  ex.informational_sent = true;
  if (checked->status == 100) ex.continue_sent = true;
  return {};
}

Status<Errc> ServerConnection::submit_response(RequestId id, std::span<const Header> fields, bool end_stream) {
  detail::ServerState& s = *state_;
  auto found = s.writable(id);
  if (!found) return Unexpected{found.error()};
  Exchange& ex = **found;
  if (ex.final_submitted) return Unexpected{Errc::invalid_state};
  auto checked = detail::check_fields(fields, detail::FieldsKind::final);
  if (!checked) return Unexpected{checked.error()};

  // RFC 9110 §9.3.2, §15.3.5, §15.4.5 (CONFORMANCE EH-H1-03): HEAD, 204 and 304 responses end at the blank line.
  const bool body_allowed = !ex.head_request && checked->status != 204 && checked->status != 304;
  bool add_zero_length = false;
  if (!body_allowed) {
    ex.framing = ResponseFraming::none;
  } else if (checked->content_length) {
    ex.framing = ResponseFraming::content_length;
    ex.remaining = *checked->content_length;
    if (end_stream && ex.remaining != 0) return Unexpected{Errc::content_length_mismatch};
  } else if (end_stream) {
    ex.framing = ResponseFraming::content_length;
    ex.remaining = 0;
    add_zero_length = true;
  } else if (ex.version == Version::http_1_1) {
    ex.framing = ResponseFraming::chunked;
  } else {
    ex.framing = ResponseFraming::close_delimited;  // RFC 9112 §6.3: HTTP/1.0 has no chunked
  }

  // Close when asked, when the request did not allow persistence, when the body ends with the connection, when
  // the client may still send a body we never asked for (100-continue unanswered, RFC 9110 §10.1.1), or when this
  // is the last response of a connection that reads no more requests.
  const bool last = &ex == &s.exchanges.back();
  const bool body_unknown = ex.expects_continue && !ex.continue_sent && !ex.body_complete;
  const bool close = checked->close || !ex.keep_alive || ex.framing == ResponseFraming::close_delimited ||
                     body_unknown || (s.no_more_requests && last);
  if (close) {
    ex.close_after = true;
    s.no_more_requests = true;
  }
  if (s.upgrade_pending == id) s.upgrade_pending.reset();  // h2c declined: parsing resumes with receive()

  detail::Bytes& o = s.sink(ex);
  detail::write_status_line(o, checked->status);
  detail::write_fields(o, fields);
  if (add_zero_length) detail::write_field(o, "content-length", "0");
  if (ex.framing == ResponseFraming::chunked) detail::write_field(o, "transfer-encoding", "chunked");
  if (close) {
    detail::write_field(o, "connection", "close");
  } else if (ex.version == Version::http_1_0) {
    detail::write_field(o, "connection", "keep-alive");  // RFC 9112 §9.3: HTTP/1.0 persistence is opt-in
  }
  detail::append(o, "\r\n");
  ex.final_submitted = true;
  if (end_stream) s.finish_body(ex);
  return {};
}

namespace {
// The body may be written: the final response is out and its end not yet known.
Status<Errc> body_open(const Exchange& ex) {
  if (!ex.final_submitted || ex.end_submitted || ex.source) return Unexpected{Errc::invalid_state};
  return {};
}
}  // namespace

Status<Errc> ServerConnection::send_data(RequestId id, std::span<const std::byte> data, bool end_stream) {
  detail::ServerState& s = *state_;
  auto found = s.writable(id);
  if (!found) return Unexpected{found.error()};
  Exchange& ex = **found;
  if (auto open = body_open(ex); !open) return open;
  switch (ex.framing) {
    case ResponseFraming::none:
      break;  // HEAD, 204, 304: dropped
    case ResponseFraming::content_length: {
      if (data.size() > ex.remaining || (end_stream && data.size() != ex.remaining)) {
        return Unexpected{Errc::content_length_mismatch};
      }
      detail::Bytes& o = s.sink(ex);
      o.insert(o.end(), data.begin(), data.end());
      ex.remaining -= data.size();
      break;
    }
    case ResponseFraming::chunked:
      if (!data.empty()) {  // a zero-size chunk would end the body
        detail::Bytes& o = s.sink(ex);
        detail::write_chunk_header(o, data.size());
        o.insert(o.end(), data.begin(), data.end());
        detail::append(o, "\r\n");
      }
      break;
    case ResponseFraming::close_delimited: {
      detail::Bytes& o = s.sink(ex);
      o.insert(o.end(), data.begin(), data.end());
      break;
    }
  }
  if (end_stream) s.finish_body(ex);
  return {};
}

Status<Errc> ServerConnection::send_body(RequestId id, std::unique_ptr<BodySource> source) {
  detail::ServerState& s = *state_;
  auto found = s.writable(id);
  if (!found) return Unexpected{found.error()};
  Exchange& ex = **found;
  if (auto open = body_open(ex); !open) return open;
  if (!source) return Unexpected{Errc::invalid_state};
  if (ex.framing == ResponseFraming::none || (ex.framing == ResponseFraming::content_length && ex.remaining == 0)) {
    s.finish_body(ex);  // nothing to pull
    return {};
  }
  ex.source = std::move(source);
  ex.source_paused = false;
  return {};
}

void ServerConnection::resume_body(RequestId id) {
  if (Exchange* ex = state_->find(id)) ex->source_paused = false;
}

Status<Errc> ServerConnection::submit_trailers(RequestId id, std::span<const Header> fields) {
  detail::ServerState& s = *state_;
  auto found = s.writable(id);
  if (!found) return Unexpected{found.error()};
  Exchange& ex = **found;
  if (!ex.final_submitted || ex.end_submitted) return Unexpected{Errc::invalid_state};
  auto checked = detail::check_fields(fields, detail::FieldsKind::trailers);
  if (!checked) return Unexpected{checked.error()};
  if (ex.framing == ResponseFraming::content_length && !ex.source && ex.remaining != 0) {
    return Unexpected{Errc::content_length_mismatch};
  }
  if (ex.framing == ResponseFraming::chunked) {
    for (const Header& f : fields) detail::write_field(ex.trailers, f.name, f.value);
  }
  ex.end_submitted = true;
  if (!ex.source) s.finish_body(ex);  // else when the source ends
  return {};
}

Status<Errc> ServerConnection::accept_body(RequestId id) {
  detail::ServerState& s = *state_;
  auto found = s.writable(id);
  if (!found) return Unexpected{found.error()};
  Exchange& ex = **found;
  if (ex.expects_continue && !ex.continue_sent && !ex.final_submitted && !ex.body_complete) {
    detail::Bytes& o = s.sink(ex);
    detail::write_status_line(o, 100);
    detail::append(o, "\r\n");
    ex.continue_sent = true;
    ex.informational_sent = true;
  }
  return {};
}

Result<std::vector<std::byte>, Errc> ServerConnection::accept_h2c_upgrade(RequestId id) {
  detail::ServerState& s = *state_;
  auto found = s.writable(id);
  if (!found) return Unexpected{found.error()};
  Exchange& ex = **found;
  if (!ex.h2c_candidate || s.upgrade_pending != id) return Unexpected{Errc::not_upgradable};
  if (ex.final_submitted || ex.informational_sent) return Unexpected{Errc::invalid_state};
  // RFC 7540 §3.2 (CONFORMANCE UP-3.2-03).
  detail::Bytes& o = s.sink(ex);
  detail::write_status_line(o, 101);
  detail::write_field(o, "connection", "Upgrade");
  detail::write_field(o, "upgrade", "h2c");
  detail::append(o, "\r\n");
  ex.final_submitted = true;
  ex.end_submitted = true;
  ex.complete = true;
  ex.close_after = true;  // the HTTP/1.1 side ends here; the transport goes on as HTTP/2
  s.upgraded = true;
  s.stop_reading();
  std::vector<std::byte> rest(s.held.begin() + static_cast<std::ptrdiff_t>(s.held_consumed), s.held.end());
  s.held_consumed = s.held.size();
  return rest;
}

void ServerConnection::shutdown() {
  detail::ServerState& s = *state_;
  s.no_more_requests = true;
  if (s.phase == detail::ReadPhase::head) s.stop_reading();  // a body being read may finish
}

void ServerConnection::abort() {
  detail::ServerState& s = *state_;
  s.stop_reading();
  s.write_closed = true;
  s.exchanges.clear();
  s.out.clear();
  s.out_sent = 0;
}

void ServerConnection::set_date(std::string_view imf_fixdate) { state_->date.assign(imf_fixdate); }

ReadState ServerConnection::read_state() const noexcept { return state_->read_state(); }

std::size_t ServerConnection::outstanding_requests() const noexcept { return state_->exchanges.size(); }

bool ServerConnection::is_closed() const noexcept { return state_->closed(); }

bool ServerConnection::upgraded() const noexcept { return state_->upgraded; }

}  // namespace h2push::http1
