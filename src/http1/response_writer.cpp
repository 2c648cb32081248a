// src/http1/response_writer.cpp
#include "http1/response_writer.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <initializer_list>

#include "http1/chars.hpp"

namespace h2push::http1::detail {
namespace {

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (iequals(name, n)) return true;
  }
  return false;
}

// Fields the core writes itself, or that mean something only hop by hop (RFC 9110 §7.6.1).
bool core_owned(std::string_view name) {
  return is_one_of(name, {"transfer-encoding", "upgrade", "keep-alive", "proxy-connection"});
}

bool forbidden_in_trailers(std::string_view name) {
  // RFC 9110 §6.5.1: framing, routing and connection fields cannot be trailers.
  return is_one_of(name, {"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade",
                          "proxy-connection", "te", "trailer", "host", "content-type", "content-encoding"});
}

bool valid_value(std::string_view value) {
  for (char c : value) {
    if (!is_field_value_char(c)) return false;
  }
  return true;
}

}  // namespace

Result<CheckedFields, Errc> check_fields(std::span<const Header> fields, FieldsKind kind) {
  CheckedFields checked;
  std::size_t first = 0;
  if (kind != FieldsKind::trailers) {
    if (fields.empty() || fields[0].name != ":status") return Unexpected{Errc::invalid_headers};
    const std::string_view s = fields[0].value;
    if (s.size() != 3 || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2])) {
      return Unexpected{Errc::invalid_headers};
    }
    checked.status = static_cast<std::uint16_t>((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
    if (kind == FieldsKind::informational && (checked.status < 100 || checked.status > 199 || checked.status == 101)) {
      return Unexpected{Errc::invalid_headers};
    }
    if (kind == FieldsKind::final && (checked.status < 200 || checked.status > 599)) {
      return Unexpected{Errc::invalid_headers};
    }
    first = 1;
  }
  for (const Header& f : fields.subspan(first)) {
    if (!is_token(f.name) || !valid_value(f.value)) return Unexpected{Errc::invalid_headers};
    if (kind == FieldsKind::trailers) {
      if (forbidden_in_trailers(f.name)) return Unexpected{Errc::invalid_headers};
      continue;
    }
    if (core_owned(f.name)) return Unexpected{Errc::invalid_headers};
    if (iequals(f.name, "connection")) {
      if (kind == FieldsKind::informational) return Unexpected{Errc::invalid_headers};
      bool only_close = true;
      for_each_list_member(f.value,
                           [&](std::string_view token) { only_close = only_close && iequals(token, "close"); });
      if (!only_close) return Unexpected{Errc::invalid_headers};
      checked.close = true;
    } else if (iequals(f.name, "content-length")) {
      // RFC 9110 §8.6 (CONFORMANCE HS-8.6-01): never on 1xx or 204.
      if (kind == FieldsKind::informational || checked.status == 204 || checked.content_length) {
        return Unexpected{Errc::invalid_headers};
      }
      std::uint64_t n = 0;
      if (!parse_decimal(f.value, n)) return Unexpected{Errc::invalid_headers};
      checked.content_length = n;
    }
  }
  return checked;
}

void append(Bytes& out, std::string_view text) {
  const std::size_t at = out.size();
  out.resize(at + text.size());
  if (!text.empty()) std::memcpy(out.data() + at, text.data(), text.size());
}

void write_status_line(Bytes& out, std::uint16_t status) {
  // RFC 9112 §2.3: we answer with our highest version, HTTP/1.1, whatever the request's 1.x minor version.
  std::array<char, 3> code{};
  code[0] = static_cast<char>('0' + status / 100 % 10);
  code[1] = static_cast<char>('0' + status / 10 % 10);
  code[2] = static_cast<char>('0' + status % 10);
  append(out, "HTTP/1.1 ");
  append(out, std::string_view(code.data(), code.size()));
  append(out, " ");  // status-line keeps this SP even when the reason phrase is empty
  append(out, reason_phrase(status));
  append(out, "\r\n");
}

void write_field(Bytes& out, std::string_view name, std::string_view value) {
  append(out, name);
  append(out, ": ");
  append(out, value);
  append(out, "\r\n");
}

void write_fields(Bytes& out, std::span<const Header> fields) {
  for (const Header& f : fields) {
    if (f.name == ":status" || iequals(f.name, "connection")) continue;
    write_field(out, f.name, f.value);
  }
}

std::size_t chunk_header_size(std::size_t size) noexcept {
  std::size_t digits = 1;
  while (size >>= 4) ++digits;
  return digits + 2;
}

std::size_t write_chunk_header(Bytes& out, std::size_t size) {
  std::array<char, 20> buf{};
  const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), size, 16);
  append(out, std::string_view(buf.data(), static_cast<std::size_t>(result.ptr - buf.data())));
  append(out, "\r\n");
  return static_cast<std::size_t>(result.ptr - buf.data()) + 2;
}

}  // namespace h2push::http1::detail
