// src/push/cache_digest.hpp: what a client already holds, carried in a cookie it sends back: a Golomb-Rice coded
// set of 24-bit hashes of (path, ETag). Compact (about 3 octets per entry for a page's assets), with a false
// positive rate of about entries / 2^24; a changed file (new ETag) hashes differently, so it is pushed again. The
// server writes the cookie, but nothing here trusts it: a bogus or oversized value decodes to an empty set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace h2push::push {

class CacheDigest {
 public:
  static constexpr std::string_view kCookieName = "h2push-digest";
  static constexpr int kHashBits = 24;
  static constexpr std::size_t kMaxEntries = 512;       // past this, entries with the lowest hashes are dropped
  static constexpr std::size_t kMaxCookieBytes = 2048;  // longer cookie values are ignored

  CacheDigest() = default;

  // Decodes a cookie value (base64url of the coded set). Anything malformed gives an empty digest.
  static CacheDigest from_cookie_value(std::string_view value);
  // Finds the digest in a Cookie header value ("a=b; h2push-digest=...; c=d"); empty when absent or bogus.
  static CacheDigest from_cookie_header(std::string_view cookie_header);

  // The 24-bit hash of one representation: the same path with another ETag is another entry.
  static std::uint32_t key(std::string_view path, std::string_view etag) noexcept;

  bool contains(std::string_view path, std::string_view etag) const noexcept;
  void insert(std::string_view path, std::string_view etag);
  std::size_t size() const noexcept { return keys_.size(); }
  bool empty() const noexcept { return keys_.empty(); }

  // The cookie value (base64url, no padding): a version octet, the Rice parameter, the count (16 bits), then the
  // sorted keys' gaps, Rice coded.
  std::string to_cookie_value() const;
  // A Set-Cookie header value carrying the digest for the whole site.
  std::string set_cookie_header(std::uint32_t max_age_seconds = 30 * 24 * 3600) const;

  friend bool operator==(const CacheDigest&, const CacheDigest&) = default;

 private:
  std::vector<std::uint32_t> keys_;  // sorted, unique
};

}  // namespace h2push::push
