// src/hpack/static_table.cpp: RFC 7541 Appendix A and a compile-time hash index over its names.
#include "hpack/static_table.hpp"

#include <array>

namespace h2push::hpack::detail {
namespace {

// Index 0 is unused so that entry i is kEntries[i].
constexpr std::array<StaticEntry, kStaticTableSize + 1> kEntries{{
    {"", ""},
    {":authority", ""},
    {":method", "GET"},
    {":method", "POST"},
    {":path", "/"},
    {":path", "/index.html"},
    {":scheme", "http"},
    {":scheme", "https"},
    {":status", "200"},
    {":status", "204"},
    {":status", "206"},
    {":status", "304"},
    {":status", "400"},
    {":status", "404"},
    {":status", "500"},
    {"accept-charset", ""},
    {"accept-encoding", "gzip, deflate"},
    {"accept-language", ""},
    {"accept-ranges", ""},
    {"accept", ""},
    {"access-control-allow-origin", ""},
    {"age", ""},
    {"allow", ""},
    {"authorization", ""},
    {"cache-control", ""},
    {"content-disposition", ""},
    {"content-encoding", ""},
    {"content-language", ""},
    {"content-length", ""},
    {"content-location", ""},
    {"content-range", ""},
    {"content-type", ""},
    {"cookie", ""},
    {"date", ""},
    {"etag", ""},
    {"expect", ""},
    {"expires", ""},
    {"from", ""},
    {"host", ""},
    {"if-match", ""},
    {"if-modified-since", ""},
    {"if-none-match", ""},
    {"if-range", ""},
    {"if-unmodified-since", ""},
    {"last-modified", ""},
    {"link", ""},
    {"location", ""},
    {"max-forwards", ""},
    {"proxy-authenticate", ""},
    {"proxy-authorization", ""},
    {"range", ""},
    {"referer", ""},
    {"refresh", ""},
    {"retry-after", ""},
    {"server", ""},
    {"set-cookie", ""},
    {"strict-transport-security", ""},
    {"transfer-encoding", ""},
    {"user-agent", ""},
    {"vary", ""},
    {"via", ""},
    {"www-authenticate", ""},
}};

// Length and three characters tell the 52 names apart well enough for a few probes at most, without reading the
// whole name (the compare that follows does).
constexpr std::uint32_t hash_name(std::string_view name) noexcept {
  const auto at = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<std::uint8_t>(name[i])); };
  const auto n = static_cast<std::uint32_t>(name.size());
  return n * 0x9e37u + at(0) * 31u + at(name.size() - 1) * 7u + at(name.size() / 2) * 131u;
}

constexpr std::size_t kSlots = 256;  // open addressing, load factor ~0.2

// Slot -> first static index of a name (0: empty).
constexpr std::array<std::uint8_t, kSlots> make_name_index() {
  std::array<std::uint8_t, kSlots> slots{};
  for (std::uint32_t i = 1; i <= kStaticTableSize; ++i) {
    if (kEntries[i].name == kEntries[i - 1].name) continue;  // same name as the previous entry
    std::size_t slot = hash_name(kEntries[i].name) % kSlots;
    while (slots[slot] != 0) slot = (slot + 1) % kSlots;
    slots[slot] = static_cast<std::uint8_t>(i);
  }
  return slots;
}

constexpr auto kNameIndex = make_name_index();

}  // namespace

const StaticEntry& static_entry(std::uint32_t index) noexcept { return kEntries[index]; }

StaticMatch find_static(std::string_view name, std::string_view value) noexcept {
  if (name.empty() || name.size() > 27) return {};  // the longest static name is 27 octets
  std::size_t slot = hash_name(name) % kSlots;
  for (;; slot = (slot + 1) % kSlots) {
    const std::uint8_t first = kNameIndex[slot];
    if (first == 0) return {};
    if (kEntries[first].name != name) continue;
    for (std::uint32_t i = first; i <= kStaticTableSize && kEntries[i].name == name; ++i) {
      if (kEntries[i].value == value) return {i, true};
    }
    return {first, false};
  }
}

}  // namespace h2push::hpack::detail
