// src/http1/response_writer.hpp: checks the fields an application submits and serialises HTTP/1.1 response heads,
// chunk framing and trailer sections (RFC 9112 §4, §7.1). The framing decisions are the connection's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "h2push/http1/server_connection.hpp"
#include "h2push/result.hpp"

namespace h2push::http1::detail {

using Bytes = std::vector<std::byte>;

enum class FieldsKind : std::uint8_t { informational, final, trailers };

struct CheckedFields {
  std::uint16_t status = 0;                     // from ":status" (0 for trailers)
  std::optional<std::uint64_t> content_length;  // final responses only
  bool close = false;                           // `connection: close` was given
};

// Refuses (Errc::invalid_headers): a missing or misplaced ":status", a status outside the kind's range (1xx but not
// 101 for informational, 200-599 for final), other pseudo-fields, names that are not tokens, values with controls
// (CR, LF, NUL: response splitting), fields the core owns (transfer-encoding, upgrade, keep-alive,
// proxy-connection; connection other than "close"), Content-Length that is not 1*DIGIT, repeated, or on 1xx/204,
// and framing or hop-by-hop fields in trailers.
Result<CheckedFields, Errc> check_fields(std::span<const Header> fields, FieldsKind kind);

void append(Bytes& out, std::string_view text);
// "HTTP/1.1 <status> <reason>\r\n"
void write_status_line(Bytes& out, std::uint16_t status);
// "name: value\r\n"
void write_field(Bytes& out, std::string_view name, std::string_view value);
// Every field but ":status" and `connection` (the core writes its own connection field).
void write_fields(Bytes& out, std::span<const Header> fields);
// "<hex size>\r\n"; returns the octets written.
std::size_t write_chunk_header(Bytes& out, std::size_t size);
// Octets write_chunk_header() uses for `size`.
std::size_t chunk_header_size(std::size_t size) noexcept;

}  // namespace h2push::http1::detail
