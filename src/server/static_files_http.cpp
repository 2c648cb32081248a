// src/server/static_files_http.cpp: HTTP-dates, entity tags, preconditions and ranges.
#include "server/static_files_http.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <limits>

namespace h2push::server {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::int64_t kSecondsPerDay = 86400;

// Days since 1970-01-01 of a proleptic Gregorian date (the era arithmetic of "chrono-compatible low-level date
// algorithms": 400-year eras of 146097 days, years starting in March so the leap day comes last).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

Civil civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr std::array<unsigned, 12> kDaysIn = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDaysIn[m - 1];
}

// Reads exactly `n` digits at `pos` (a space first when `space_pad`, for asctime's " 6").
bool read_digits(std::string_view s, std::size_t& pos, std::size_t n, int& out, bool space_pad = false) noexcept {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (space_pad && i == 0 && c == ' ') continue;
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool read_literal(std::string_view s, std::size_t& pos, std::string_view literal) noexcept {
  if (s.substr(pos, literal.size()) != literal) return false;
  pos += literal.size();
  return true;
}

bool read_month(std::string_view s, std::size_t& pos, int& month) noexcept {
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (s.substr(pos, 3) == kMonths[i]) {
      month = static_cast<int>(i) + 1;
      pos += 3;
      return true;
    }
  }
  return false;
}

bool read_time(std::string_view s, std::size_t& pos, int& h, int& m, int& sec) noexcept {
  return read_digits(s, pos, 2, h) && read_literal(s, pos, ":") && read_digits(s, pos, 2, m) &&
         read_literal(s, pos, ":") && read_digits(s, pos, 2, sec) && h <= 23 && m <= 59 && sec <= 60;
}

std::optional<std::int64_t> to_epoch(std::int64_t year, int month, int day, int h, int m, int sec) noexcept {
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month))) {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * kSecondsPerDay + h * 3600 + m * 60 + std::min(sec, 59);  // a leap second reads as :59
}

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// An entity-tag at the front of `s` (RFC 9110 §8.8.3: [W/] DQUOTE *etagc DQUOTE); consumes it. False if none.
bool take_etag(std::string_view& s, std::string_view& opaque, bool& weak) noexcept {
  weak = s.starts_with("W/");
  std::size_t pos = weak ? 2 : 0;
  if (pos >= s.size() || s[pos] != '"') return false;
  const std::size_t close = s.find('"', pos + 1);
  if (close == std::string_view::npos) return false;
  for (std::size_t i = pos + 1; i < close; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x21 || c == 0x7f) return false;  // etagc = %x21 / %x23-7E / obs-text
  }
  opaque = s.substr(pos, close - pos + 1);
  s.remove_prefix(close + 1);
  return true;
}

bool etags_match(std::string_view a, std::string_view b, bool weak_comparison) noexcept {
  std::string_view oa;
  std::string_view ob;
  bool wa = false;
  bool wb = false;
  if (!take_etag(a, oa, wa) || !take_etag(b, ob, wb)) return false;
  if (!weak_comparison && (wa || wb)) return false;
  return oa == ob;
}

std::uint64_t mix64(std::uint64_t x) noexcept {  // a bijective 64-bit finaliser (xor-shift-multiply)
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

void append_hex(std::string& out, std::uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[16];
  int n = 0;
  do {
    buf[n++] = kHex[v & 0xf];
    v >>= 4;
  } while (v != 0);
  while (n > 0) out.push_back(buf[--n]);
}

// Digits at the front of `s` as an unsigned value, saturating at 2^64-1; false if there is no digit.
bool take_number(std::string_view& s, std::uint64_t& out) noexcept {
  std::size_t i = 0;
  out = 0;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    const auto digit = static_cast<std::uint64_t>(s[i] - '0');
    out = out > (kMax - digit) / 10 ? kMax : out * 10 + digit;
    ++i;
  }
  s.remove_prefix(i);
  return i > 0;
}

}  // namespace

int current_utc_year() noexcept {
  const std::time_t now = std::time(nullptr);
  return static_cast<int>(civil_from_days(static_cast<std::int64_t>(now) / kSecondsPerDay).year);
}

std::string format_http_date(std::int64_t unix_seconds) {
  if (unix_seconds < 0) unix_seconds = 0;
  const std::int64_t days = unix_seconds / kSecondsPerDay;
  const std::int64_t rem = unix_seconds % kSecondsPerDay;
  const Civil c = civil_from_days(days);
  const auto weekday = static_cast<std::size_t>((days + 4) % 7);  // 1970-01-01 was a Thursday
  if (c.year > 9999) {  // not IMF-fixdate's four digits: the general (slow) path
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02d:%02d:%02d GMT", kDays[weekday].data(), c.day,
                  kMonths[c.month - 1].data(), static_cast<long long>(c.year), static_cast<int>(rem / 3600),
                  static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
    return buf;
  }
  // Written by hand: this runs on every response (Last-Modified), and snprintf costs more than the rest of it.
  std::string out = "Www, DD Mmm YYYY hh:mm:ss GMT";
  const auto two = [&out](std::size_t at, unsigned v) {
    out[at] = static_cast<char>('0' + v / 10);
    out[at + 1] = static_cast<char>('0' + v % 10);
  };
  out.replace(0, 3, kDays[weekday]);
  two(5, c.day);
  out.replace(8, 3, kMonths[c.month - 1]);
  const auto year = static_cast<unsigned>(c.year);
  two(12, year / 100);
  two(14, year % 100);
  two(17, static_cast<unsigned>(rem / 3600));
  two(20, static_cast<unsigned>(rem / 60 % 60));
  two(23, static_cast<unsigned>(rem % 60));
  return out;
}

std::optional<std::int64_t> parse_http_date(std::string_view s, int now_year) noexcept {
  int day = 0;
  int month = 0;
  int year = 0;
  int h = 0;
  int m = 0;
  int sec = 0;
  std::size_t pos = 0;
  const std::size_t comma = s.find(',');
  if (comma == 3) {  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    pos = 5;
    if (s.size() != 29 || s[4] != ' ' || !read_digits(s, pos, 2, day) || !read_literal(s, pos, " ") ||
        !read_month(s, pos, month) || !read_literal(s, pos, " ") || !read_digits(s, pos, 4, year) ||
        !read_literal(s, pos, " ") || !read_time(s, pos, h, m, sec) || !read_literal(s, pos, " GMT")) {
      return std::nullopt;
    }
    bool known_day = false;
    for (const auto d : kDays) known_day = known_day || s.substr(0, 3) == d;
    if (!known_day) return std::nullopt;
    return to_epoch(year, month, day, h, m, sec);
  }
  if (comma != std::string_view::npos) {  // rfc850-date: "Sunday, 06-Nov-94 08:49:37 GMT"
    bool known_day = false;
    for (const auto d : kLongDays) known_day = known_day || s.substr(0, comma) == d;
    pos = comma + 1;
    if (!known_day || !read_literal(s, pos, " ") || !read_digits(s, pos, 2, day) || !read_literal(s, pos, "-") ||
        !read_month(s, pos, month) || !read_literal(s, pos, "-") || !read_digits(s, pos, 2, year) ||
        !read_literal(s, pos, " ") || !read_time(s, pos, h, m, sec) || !read_literal(s, pos, " GMT") ||
        pos != s.size()) {
      return std::nullopt;
    }
    // RFC 9110 §5.6.7: a year that looks more than 50 years ahead belongs to the previous century; so the
    // year is taken within (now - 50, now + 50].
    int full = now_year / 100 * 100 + year;
    if (full > now_year + 50) full -= 100;
    if (full <= now_year - 50) full += 100;
    return to_epoch(full, month, day, h, m, sec);
  }
  // asctime-date: "Sun Nov  6 08:49:37 1994"
  bool known_day = false;
  for (const auto d : kDays) known_day = known_day || s.substr(0, 3) == d;
  pos = 3;
  if (!known_day || s.size() != 24 || !read_literal(s, pos, " ") || !read_month(s, pos, month) ||
      !read_literal(s, pos, " ") || !read_digits(s, pos, 2, day, true) || !read_literal(s, pos, " ") ||
      !read_time(s, pos, h, m, sec) || !read_literal(s, pos, " ") || !read_digits(s, pos, 4, year)) {
    return std::nullopt;
  }
  return to_epoch(year, month, day, h, m, sec);
}

std::string make_etag(const FileIdentity& identity, ContentCoding coding, bool weak) {
  std::string out;
  out.reserve(48);
  if (weak) out += "W/";
  out.push_back('"');
  append_hex(out, identity.size);
  out.push_back('-');
  append_hex(out, static_cast<std::uint64_t>(identity.mtime_ns));
  out.push_back('-');
  append_hex(out, mix64(identity.inode ^ mix64(identity.device)) & 0xffffffffU);
  // RFC 9110 §8.8.3: each content coding is another representation and needs its own tag.
  if (coding == ContentCoding::gzip) out += "-gz";
  if (coding == ContentCoding::br) out += "-br";
  out.push_back('"');
  return out;
}

bool etag_list_matches(std::string_view header, std::string_view etag, bool weak_comparison) noexcept {
  header = trim(header);
  if (header == "*") return true;  // the representation exists: we only get here for files we have
  if (etag.empty()) return false;
  while (!header.empty()) {
    while (!header.empty() && (is_ows(header.front()) || header.front() == ',')) header.remove_prefix(1);
    if (header.empty()) break;
    const std::string_view member_start = header;
    std::string_view opaque;
    bool weak = false;
    if (!take_etag(header, opaque, weak)) return false;
    const std::string_view member = member_start.substr(0, member_start.size() - header.size());
    if (etags_match(member, etag, weak_comparison)) return true;
  }
  return false;
}

Precondition evaluate_preconditions(const Conditions& c, std::string_view etag,
                                    std::optional<std::int64_t> last_modified, bool get_or_head,
                                    int now_year) noexcept {
  // Step 1/2: If-Match, else If-Unmodified-Since.
  if (!c.if_match.empty()) {
    if (!etag_list_matches(c.if_match, etag, false)) return Precondition::failed;
  } else if (!c.if_unmodified_since.empty() && last_modified) {
    const auto date = parse_http_date(trim(c.if_unmodified_since), now_year);
    if (date && *last_modified > *date) return Precondition::failed;
  }
  // Step 3/4: If-None-Match, else If-Modified-Since (RFC 9110 §13.1.3: ignored when If-None-Match is present).
  if (!c.if_none_match.empty()) {
    if (etag_list_matches(c.if_none_match, etag, true)) {
      return get_or_head ? Precondition::not_modified : Precondition::failed;
    }
  } else if (get_or_head && !c.if_modified_since.empty() && last_modified) {
    const auto date = parse_http_date(trim(c.if_modified_since), now_year);
    if (date && *last_modified <= *date) return Precondition::not_modified;
  }
  return Precondition::pass;
}

bool if_range_matches(std::string_view if_range, std::string_view etag, std::optional<std::int64_t> last_modified,
                      int now_year) noexcept {
  if_range = trim(if_range);
  if (if_range.starts_with("\"") || if_range.starts_with("W/")) {
    std::string_view rest = if_range;
    std::string_view opaque;
    bool weak = false;
    if (!take_etag(rest, opaque, weak) || !trim(rest).empty()) return false;
    return !etag.empty() && etags_match(if_range, etag, false);
  }
  const auto date = parse_http_date(if_range, now_year);
  return date && last_modified && *date == *last_modified;
}

RangeDecision evaluate_range(std::string_view range, std::uint64_t size, std::size_t max_ranges) noexcept {
  constexpr RangeDecision kFull{};
  range = trim(range);
  if (range.size() < 6) return kFull;
  for (std::size_t i = 0; i < 5; ++i) {
    const char c = range[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != "bytes"[i]) return kFull;  // another unit: RFC 9110 §14.2 says ignore
  }
  if (range[5] != '=') return kFull;  // ranges-specifier = range-unit "=" range-set: no OWS around "="
  std::string_view s = range.substr(6);

  std::size_t members = 0;
  std::size_t satisfiable = 0;
  ByteRange chosen;
  while (true) {
    // RFC 9110 §5.6.1: empty list elements are allowed and skipped.
    while (!s.empty() && (is_ows(s.front()) || s.front() == ',')) s.remove_prefix(1);
    if (s.empty()) break;
    if (++members > max_ranges) return kFull;
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    ByteRange r;
    bool ok = false;
    if (s.front() == '-') {  // suffix-range "-n": the last n octets
      s.remove_prefix(1);
      if (!take_number(s, last)) return kFull;
      ok = last > 0 && size > 0;
      r = {size - std::min(last, size), std::min(last, size)};
    } else {
      if (!take_number(s, first) || s.empty() || s.front() != '-') return kFull;
      s.remove_prefix(1);
      const bool has_last = take_number(s, last);
      if (has_last && last < first) return kFull;  // §14.1.1: invalid, so the whole set is
      ok = first < size;
      if (ok) r = {first, (has_last ? std::min(last, size - 1) : size - 1) - first + 1};
    }
    s = trim(s);
    if (!s.empty() && s.front() != ',') return kFull;
    if (ok) {
      ++satisfiable;
      chosen = r;
    }
  }
  if (members == 0) return kFull;
  if (satisfiable == 0) return {RangeOutcome::unsatisfiable, {}};
  if (members > 1) return kFull;  // no multipart/byteranges: the whole representation answers every range
  return {RangeOutcome::partial, chosen};
}

}  // namespace h2push::server
