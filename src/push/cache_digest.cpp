// src/push/cache_digest.cpp
#include "push/cache_digest.hpp"

#include <algorithm>
#include <array>
#include <bit>

namespace h2push::push {
namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(const std::vector<std::uint8_t>& in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const std::uint8_t b : in) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

bool unbase64url(std::string_view in, std::vector<std::uint8_t>& out) {
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : in) {
    const std::size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  return true;
}

class BitWriter {
 public:
  void put(std::uint32_t value, int count) {
    for (int i = count - 1; i >= 0; --i) put_bit((value >> i) & 1u);
  }
  void put_bit(std::uint32_t bit) {
    if (used_ == 0) bytes_.push_back(0);
    if (bit != 0) bytes_.back() = static_cast<std::uint8_t>(bytes_.back() | (0x80u >> used_));
    used_ = (used_ + 1) % 8;
  }
  std::vector<std::uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
  int used_ = 0;
};

class BitReader {
 public:
  BitReader(const std::vector<std::uint8_t>& bytes, std::size_t start) : bytes_(bytes), position_(start * 8) {}
  bool get_bit(std::uint32_t& bit) {
    if (position_ >= bytes_.size() * 8) return false;
    bit = (static_cast<std::uint32_t>(bytes_[position_ / 8]) >> (7 - position_ % 8)) & 1u;
    ++position_;
    return true;
  }
  bool get(int count, std::uint32_t& value) {
    value = 0;
    for (int i = 0; i < count; ++i) {
      std::uint32_t bit = 0;
      if (!get_bit(bit)) return false;
      value = (value << 1) | bit;
    }
    return true;
  }

 private:
  const std::vector<std::uint8_t>& bytes_;
  std::size_t position_;
};

// The Rice parameter that suits n keys spread over 2^kHashBits: about log2 of the mean gap.
int rice_parameter(std::size_t n) {
  if (n == 0) return 0;
  const std::uint64_t mean_gap = (std::uint64_t{1} << CacheDigest::kHashBits) / n;
  return mean_gap <= 1 ? 0 : static_cast<int>(std::bit_width(mean_gap) - 1);
}

}  // namespace

std::uint32_t CacheDigest::key(std::string_view path, std::string_view etag) noexcept {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a over path, a separator, etag
  auto mix = [&h](std::string_view s) {
    for (const char c : s) h = (h ^ static_cast<std::uint8_t>(c)) * 1099511628211ull;
  };
  mix(path);
  h = (h ^ 0xffu) * 1099511628211ull;
  mix(etag);
  h ^= h >> 29;
  return static_cast<std::uint32_t>(h & ((1u << kHashBits) - 1));
}

bool CacheDigest::contains(std::string_view path, std::string_view etag) const noexcept {
  return std::binary_search(keys_.begin(), keys_.end(), key(path, etag));
}

void CacheDigest::insert(std::string_view path, std::string_view etag) {
  const std::uint32_t k = key(path, etag);
  const auto at = std::lower_bound(keys_.begin(), keys_.end(), k);
  if (at != keys_.end() && *at == k) return;
  keys_.insert(at, k);
  if (keys_.size() > kMaxEntries) keys_.erase(keys_.begin());
}

std::string CacheDigest::to_cookie_value() const {
  BitWriter w;
  const int k = rice_parameter(keys_.size());
  w.put(kVersion, 8);
  w.put(static_cast<std::uint32_t>(k), 8);
  w.put(static_cast<std::uint32_t>(keys_.size()), 16);
  std::uint32_t previous = 0;
  for (const std::uint32_t key : keys_) {
    const std::uint32_t gap = key - previous;  // sorted: the first gap is the first key itself
    previous = key;
    for (std::uint32_t q = gap >> k; q > 0; --q) w.put_bit(1);  // quotient in unary
    w.put_bit(0);
    w.put(gap & ((1u << k) - 1), k);
  }
  return base64url(w.bytes());
}

CacheDigest CacheDigest::from_cookie_value(std::string_view value) {
  CacheDigest digest;
  if (value.size() > kMaxCookieBytes) return digest;
  std::vector<std::uint8_t> bytes;
  if (!unbase64url(value, bytes) || bytes.size() < 4 || bytes[0] != kVersion) return digest;
  const int k = bytes[1];
  const std::size_t n = (std::size_t{bytes[2]} << 8) | bytes[3];
  if (k > kHashBits || n > kMaxEntries) return digest;
  BitReader r(bytes, 4);
  std::vector<std::uint32_t> keys;
  keys.reserve(n);
  std::uint64_t current = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t quotient = 0;
    for (std::uint32_t bit = 1; bit != 0;) {
      if (!r.get_bit(bit)) return digest;
      if (bit != 0 && ++quotient > (std::uint64_t{1} << kHashBits)) return digest;  // longer than any gap
    }
    std::uint32_t remainder = 0;
    if (!r.get(k, remainder)) return digest;
    const std::uint64_t gap = (quotient << k) | remainder;
    if (i > 0 && gap == 0) return digest;  // keys are unique
    current += gap;
    if (current >= (std::uint64_t{1} << kHashBits)) return digest;
    keys.push_back(static_cast<std::uint32_t>(current));
  }
  digest.keys_ = std::move(keys);
  return digest;
}

CacheDigest CacheDigest::from_cookie_header(std::string_view header) {
  while (!header.empty()) {
    const std::size_t semicolon = header.find(';');
    std::string_view pair = header.substr(0, semicolon);
    header = semicolon == std::string_view::npos ? std::string_view{} : header.substr(semicolon + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == kCookieName) {
      std::string_view value = pair.substr(eq + 1);
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      return from_cookie_value(value);
    }
  }
  return {};
}

std::string CacheDigest::set_cookie_header(std::uint32_t max_age_seconds) const {
  return std::string(kCookieName) + "=" + to_cookie_value() + "; Path=/; Max-Age=" + std::to_string(max_age_seconds) +
         "; SameSite=Lax";
}

}  // namespace h2push::push
