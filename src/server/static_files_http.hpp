// src/server/static_files_http.hpp: the HTTP pieces of the static file handler that need no file: HTTP-dates,
// entity tags, conditional requests (RFC 9110 §13) and byte ranges (RFC 9110 §14). Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/compression.hpp"
#include "server/file_cache.hpp"

namespace h2push::server {

// RFC 9110 §5.6.7 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT". Times before 1970 print as the epoch.
std::string format_http_date(std::int64_t unix_seconds);

// The current year (UTC) from the system clock: rfc850-date's two-digit years are read relative to it.
int current_utc_year() noexcept;

// Parses an HTTP-date in any of the three formats a recipient must accept (IMF-fixdate, rfc850-date, asctime-date;
// RFC 9110 §5.6.7) into seconds since the epoch; nullopt if it is none of them. Two-digit rfc850 years more than
// 50 years ahead of `now_year` are taken from the previous century.
std::optional<std::int64_t> parse_http_date(std::string_view value, int now_year = current_utc_year()) noexcept;

// Our entity tag (RFC 9110 §8.8.3) for a file version and its content coding: quoted, built from the size, the
// mtime in nanoseconds and a hash of device and inode (the inode number itself is not disclosed), e.g.
// "\"1f4-17a0c0ffee000000-9c3e01ab-br\"". `weak` prefixes "W/".
std::string make_etag(const FileIdentity& identity, ContentCoding coding, bool weak);

// Whether an If-Match / If-None-Match value matches `etag` (empty: the resource has none). "*" matches any
// existing representation. `weak_comparison`: RFC 9110 §8.8.3.2 weak (If-None-Match) or strong (If-Match, where a
// W/ tag on either side never matches). A malformed member ends the list; members before it still count.
bool etag_list_matches(std::string_view header, std::string_view etag, bool weak_comparison) noexcept;

// The conditional request headers (empty: absent).
struct Conditions {
  std::string_view if_match{};
  std::string_view if_none_match{};
  std::string_view if_modified_since{};
  std::string_view if_unmodified_since{};
};

enum class Precondition : std::uint8_t {
  pass,          // serve normally
  not_modified,  // 304
  failed,        // 412
};

// RFC 9110 §13.2.2 steps 1-4 for a resource whose unconditional answer would be 2xx: If-Match (strong), else
// If-Unmodified-Since; then If-None-Match (weak; a match is 304 for GET/HEAD, 412 otherwise), else
// If-Modified-Since (GET/HEAD only). `etag` empty or `last_modified` nullopt: that validator does not exist.
// Invalid dates are ignored.
Precondition evaluate_preconditions(const Conditions& conditions, std::string_view etag,
                                    std::optional<std::int64_t> last_modified, bool get_or_head,
                                    int now_year = current_utc_year()) noexcept;

// RFC 9110 §13.1.5: whether If-Range lets the Range apply: an entity tag must equal `etag` by strong comparison
// (weak tags never match), a date must equal `last_modified` exactly. Anything else means "send it all".
bool if_range_matches(std::string_view if_range, std::string_view etag, std::optional<std::int64_t> last_modified,
                      int now_year = current_utc_year()) noexcept;

// One satisfiable byte range, already clamped to the representation.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t length = 0;
};

enum class RangeOutcome : std::uint8_t {
  full,           // ignore Range: 200 with everything (absent, other unit, invalid, several ranges, too many)
  partial,        // 206 with `range`
  unsatisfiable,  // 416 with "Content-Range: bytes */size"
};

struct RangeDecision {
  RangeOutcome outcome = RangeOutcome::full;
  ByteRange range{};
};

// Evaluates a Range value against a representation of `size` octets (RFC 9110 §14.1.2, §14.2). Strict syntax:
// unit "bytes" (case-insensitive), members "a-b", "a-" or "-n" of digits with OWS around commas; numbers too big
// for 64 bits saturate (a first-pos is then past any end, a last-pos or suffix is clamped). last < first makes the
// whole set invalid (full). A single satisfiable member gives partial; a set where no member is satisfiable gives
// unsatisfiable; several members of which some are satisfiable, or more than `max_ranges`, give full (we send no
// multipart/byteranges). Never fails.
RangeDecision evaluate_range(std::string_view range, std::uint64_t size, std::size_t max_ranges = 16) noexcept;

}  // namespace h2push::server
