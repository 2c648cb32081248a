// src/http2/field_validation.hpp: the HTTP/2 rules for a header section (RFC 9113 §8.1-§8.3, RFC 9218 §5), applied
// to what we receive (a violation makes the message malformed) and to what the application asks us to send.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "h2push/http2/events.hpp"

namespace h2push::http2::detail {

enum class SectionKind : std::uint8_t {
  request,       // a request's header section
  push_request,  // the request in a PUSH_PROMISE: also GET/HEAD without content (§8.4)
  response,      // a response's header section, 1xx included
  trailers,      // a trailer section: no pseudo-header fields (§8.1)
};

// What the checks learned on the way, for the state machine.
struct SectionInfo {
  std::string_view error;  // empty when the section is valid: otherwise why it is malformed
  std::string_view method;
  int status = 0;  // responses: 100..599
  std::optional<std::uint64_t> content_length;
  std::optional<Priority> priority;  // requests: the `priority` header (RFC 9218 §5), when present and valid
  bool ok() const noexcept { return error.empty(); }
};

SectionInfo check_section(std::span<const Header> fields, SectionKind kind) noexcept;

// RFC 9218 §4: parses a Priority field value ("u=1, i"); members that are unknown or invalid keep their defaults.
Priority parse_priority(std::string_view value, Priority base = {}) noexcept;

}  // namespace h2push::http2::detail
