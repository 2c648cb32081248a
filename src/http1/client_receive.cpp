// src/http1/client_receive.cpp: the read side of ClientConnection: status lines, fields, 1xx, body framing
// (RFC 9112 §6.3), chunked bodies with trailers and close-delimited bodies become events.
#include <utility>

#include "http1/chars.hpp"
#include "http1/client_state.hpp"
#include "http1/field_parser.hpp"

namespace h2push::http1::detail {
namespace {

struct StatusLine {
  Version version = Version::http_1_1;
  std::uint16_t status = 0;
  std::string_view reason;
};

// RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]. A missing SP after the code is
// accepted (the reason phrase is optional and some servers drop the separator with it).
Result<StatusLine, ResponseError> parse_status_line(std::string_view line) {
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || !is_digit(line[5]) || line[6] != '.' || !is_digit(line[7]) ||
      line[8] != ' ') {
    return Unexpected{ResponseError::malformed_status_line};
  }
  StatusLine out;
  if (line[5] == '1' && line[7] == '1') {
    out.version = Version::http_1_1;
  } else if (line[5] == '1' && line[7] == '0') {
    out.version = Version::http_1_0;
  } else {
    return Unexpected{ResponseError::unsupported_version};
  }
  const std::string_view code = line.substr(9, 3);
  for (char c : code) {
    if (!is_digit(c)) return Unexpected{ResponseError::malformed_status_line};
  }
  out.status = static_cast<std::uint16_t>((code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0'));
  if (out.status < 100) return Unexpected{ResponseError::malformed_status_line};
  if (line.size() > 12) {
    if (line[12] != ' ') return Unexpected{ResponseError::malformed_status_line};
    out.reason = line.substr(13);
  }
  return out;
}

bool is_size_error(ParseError e) {
  return e == ParseError::request_line_too_long || e == ParseError::field_line_too_long ||
         e == ParseError::field_section_too_large || e == ParseError::too_many_fields ||
         e == ParseError::trailer_section_too_large;
}

enum class Framing : std::uint8_t { none, length, chunked, close };

struct FramingInfo {
  Framing framing = Framing::close;
  std::optional<std::uint64_t> length;
  bool keep_alive = false;
};

// RFC 9112 §6.3 for a final response to a request that is not HEAD; §9.3 for persistence.
Result<FramingInfo, ResponseError> analyze_response(const StatusLine& sl, std::span<const Header> headers,
                                                    bool no_body) {
  FramingInfo info;
  bool close = false;
  bool keep_alive_token = false;
  bool has_te = false;
  bool chunked_final = false;
  bool te_error = false;
  int chunked_count = 0;
  std::optional<std::uint64_t> length;
  bool length_error = false;
  for (const Header& h : headers) {
    if (h.name == "connection") {
      for_each_list_member(h.value, [&](std::string_view t) {
        close = close || iequals(t, "close");
        keep_alive_token = keep_alive_token || iequals(t, "keep-alive");
      });
    } else if (h.name == "transfer-encoding") {
      has_te = true;
      bool any = false;
      for_each_list_member(h.value, [&](std::string_view t) {
        any = true;
        chunked_final = iequals(t, "chunked");
        if (chunked_final) ++chunked_count;
      });
      te_error = te_error || !any;
    } else if (h.name == "content-length") {
      // RFC 9110 §8.6: a list of identical values may be taken as one; anything else is an error.
      for_each_list_member(h.value, [&](std::string_view t) {
        std::uint64_t v = 0;
        if (!parse_decimal(t, v) || (length && *length != v)) length_error = true;
        length = v;
      });
      if (trim_ows(h.value).empty()) length_error = true;
    }
  }
  info.keep_alive = !close && (sl.version == Version::http_1_1 || keep_alive_token);
  if (!length_error) info.length = length;
  if (no_body) {
    info.framing = Framing::none;
    return info;
  }
  if (has_te) {
    if (length) return Unexpected{ResponseError::content_length_with_chunked};  // §6.3 rule 3: splitting
    if (te_error || chunked_count > 1 || (chunked_count == 1 && !chunked_final)) {
      return Unexpected{ResponseError::invalid_transfer_encoding};
    }
    info.framing = chunked_final ? Framing::chunked : Framing::close;  // §6.3 rule 4: other codings run to close
  } else if (length_error) {
    return Unexpected{ResponseError::invalid_content_length};  // §6.3 rule 5
  } else if (length) {
    info.framing = *length == 0 ? Framing::none : Framing::length;
  } else {
    info.framing = Framing::close;  // §6.3 rule 8
  }
  if (info.framing == Framing::close) info.keep_alive = false;
  return info;
}

}  // namespace

void ClientState::begin_call() {
  events.clear();
  // The sections of the last call are released; a section still being scanned moves to the front.
  if (scanning && sections_used != 0) std::swap(sections[0], sections[sections_used]);
  sections_used = 0;
  field_lists_used = 0;
}

std::span<const ClientEvent> ClientState::finish_call() { return events; }

std::vector<Header>& ClientState::next_fields() {
  if (field_lists_used == field_lists.size()) field_lists.emplace_back();
  std::vector<Header>& list = field_lists[field_lists_used++];
  list.clear();
  return list;
}

void ClientState::start_head() {
  while (sections.size() <= sections_used) sections.emplace_back();
  section().clear();
  SectionLimits limits;
  limits.has_start_line = true;
  limits.max_start_line = options.max_status_line;
  limits.max_field_line = options.max_field_line;
  limits.max_fields_size = options.max_field_section;
  limits.max_fields = options.max_fields;
  limits.accept_bare_lf = options.accept_bare_lf;
  scanner.start(limits);
  scanning = true;
  phase = ReadPhase::head;
}

void ClientState::fail(ResponseError error, std::optional<ParseError> detail) {
  const RequestId id = pending.empty() ? RequestId{next_id} : pending.front().id;
  events.push_back(ResponseFailed{id, error, detail});
  finished = true;
  no_more_requests = true;
  scanning = false;
  phase = ReadPhase::done;
}

void ClientState::finish_response() {
  pending.pop_front();
  if (!keep_alive) {
    no_more_requests = true;
    finished = true;  // RFC 9112 §9.6: nothing after the last response is read
    scanning = false;
    phase = ReadPhase::done;
    return;
  }
  start_head();
}

void ClientState::parse(std::span<const std::byte> in) {
  while (!in.empty() && !finished) {
    std::size_t used = 0;
    switch (phase) {
      case ReadPhase::head:
        if (pending.empty()) {
          fail(ResponseError::unsolicited);
          return;
        }
        used = parse_head(in);
        break;
      case ReadPhase::body:
        used = parse_body(in);
        break;
      case ReadPhase::close_delimited:
        events.push_back(DataReceived{pending.front().id, in, false});
        used = in.size();
        break;
      case ReadPhase::trailers:
        used = parse_trailers(in);
        break;
      case ReadPhase::done:
        return;
    }
    in = in.subspan(used);
    if (upgraded) {
      upgrade_input.assign(in.begin(), in.end());  // the new protocol's first octets
      return;
    }
  }
}

std::size_t ClientState::parse_head(std::span<const std::byte> in) {
  const ScanResult r = scanner.feed(in, section());
  if (r.error) {
    fail(is_size_error(*r.error) ? ResponseError::head_too_large : ResponseError::malformed_head, *r.error);
    return r.consumed;
  }
  if (r.complete) on_head(section());
  return r.consumed;
}

void ClientState::on_head(std::string& text) {
  scanning = false;
  std::vector<Header>& fields = next_fields();
  auto start = parse_section(text, true, fields);
  if (!start) return fail(ResponseError::malformed_head, start.error());
  auto sl = parse_status_line(*start);
  if (!sl) return fail(sl.error());
  ++sections_used;
  PendingRequest& req = pending.front();
  if (sl->status == 101) {
    if (!req.upgrade) return fail(ResponseError::unexpected_switch);
    events.push_back(ResponseReceived{req.id, sl->version, 101, sl->reason, fields, true, std::nullopt, false});
    pending.pop_front();
    upgraded = true;
    finished = true;
    no_more_requests = true;
    phase = ReadPhase::done;
    return;
  }
  if (sl->status < 200) {
    if (++req.informational > options.max_informational) return fail(ResponseError::too_many_informational);
    events.push_back(InformationalReceived{req.id, sl->status, sl->reason, fields});
    start_head();
    return;
  }
  const bool no_body = req.head || sl->status == 204 || sl->status == 304;
  auto info = analyze_response(*sl, fields, no_body);
  if (!info) return fail(info.error());
  keep_alive = info->keep_alive;
  const bool end = info->framing == Framing::none;
  events.push_back(
      ResponseReceived{req.id, sl->version, sl->status, sl->reason, fields, end, info->length, info->keep_alive});
  switch (info->framing) {
    case Framing::none:
      finish_response();
      return;
    case Framing::length:
      body.start_content_length(*info->length);
      chunked = false;
      phase = ReadPhase::body;
      return;
    case Framing::chunked:
      body.start_chunked(options.max_body_size, options.max_chunk_extension);
      chunked = true;
      phase = ReadPhase::body;
      return;
    case Framing::close:
      phase = ReadPhase::close_delimited;
      return;
  }
}

std::size_t ClientState::parse_body(std::span<const std::byte> in) {
  const BodyStep step = body.feed(in);
  const RequestId id = pending.front().id;
  if (step.error) {
    fail(ResponseError::bad_chunk, *step.error);
    return step.consumed;
  }
  if (step.end && !chunked) {
    events.push_back(DataReceived{id, step.data, true});
    finish_response();
    return step.consumed;
  }
  if (!step.data.empty()) events.push_back(DataReceived{id, step.data, false});
  if (step.end) {  // chunked: the last chunk was read, the trailer section follows
    while (sections.size() <= sections_used) sections.emplace_back();
    section().clear();
    SectionLimits limits;
    limits.has_start_line = false;
    limits.max_field_line = options.max_field_line;
    limits.max_fields_size = options.max_trailer_section;
    limits.max_fields = options.max_fields;
    limits.accept_bare_lf = options.accept_bare_lf;
    limits.fields_too_large = ParseError::trailer_section_too_large;
    scanner.start(limits);
    scanning = true;
    phase = ReadPhase::trailers;
  }
  return step.consumed;
}

std::size_t ClientState::parse_trailers(std::span<const std::byte> in) {
  const ScanResult r = scanner.feed(in, section());
  if (r.error) {
    fail(is_size_error(*r.error) ? ResponseError::head_too_large : ResponseError::bad_chunk, *r.error);
    return r.consumed;
  }
  if (!r.complete) return r.consumed;
  scanning = false;
  std::vector<Header>& fields = next_fields();
  auto parsed = parse_section(section(), false, fields);
  if (!parsed) {
    fail(ResponseError::bad_chunk, parsed.error());
    return r.consumed;
  }
  ++sections_used;
  const RequestId id = pending.front().id;
  if (fields.empty()) {
    events.push_back(DataReceived{id, {}, true});
  } else {
    events.push_back(TrailersReceived{id, fields});
  }
  finish_response();
  return r.consumed;
}

void ClientState::eof() {
  if (finished) {
    no_more_requests = true;
    return;
  }
  if (phase == ReadPhase::close_delimited) {
    events.push_back(DataReceived{pending.front().id, {}, true});
    pending.pop_front();
    finished = true;
    no_more_requests = true;
    phase = ReadPhase::done;
    return;
  }
  if (!pending.empty()) {
    fail(ResponseError::truncated);
    return;
  }
  finished = true;
  no_more_requests = true;
  scanning = false;
  phase = ReadPhase::done;
}

}  // namespace h2push::http1::detail
