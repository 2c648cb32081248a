// src/hpack/encoder.cpp: RFC 7541 encoder with hash-chained lookups into the dynamic table.
#include "h2push/hpack/encoder.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "h2push/hpack/huffman.hpp"
#include "hpack/dynamic_table.hpp"
#include "hpack/primitives.hpp"
#include "hpack/static_table.hpp"

namespace h2push::hpack {
namespace {

// Static table indices of names the encoder treats specially.
enum StaticName : std::uint32_t {
  kPath = 4,
  kAge = 21,
  kAuthorization = 23,
  kContentLength = 28,
  kCookie = 32,
  kEtag = 34,
  kIfModifiedSince = 40,
  kIfNoneMatch = 41,
  kLastModified = 44,
  kLocation = 46,
  kProxyAuthorization = 49,
  kSetCookie = 55,
};

std::uint64_t hash_octets(std::string_view s, std::uint64_t seed) noexcept {
  constexpr std::uint64_t kMultiplier = 0x9e3779b97f4a7c15ull;
  std::uint64_t h = seed ^ (s.size() * kMultiplier);
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    h = (h ^ word) * kMultiplier;
    h ^= h >> 29;
  }
  std::uint64_t tail = 0;
  for (std::size_t shift = 0; i < s.size(); ++i, shift += 8) {
    tail |= std::uint64_t{static_cast<std::uint8_t>(s[i])} << shift;
  }
  h = (h ^ tail) * kMultiplier;
  return h ^ (h >> 32);
}

// Chains of dynamic table entries by hash of name+value and of name, newest first. Links are absolute sequence
// numbers (plus one; 0 ends a chain), so evicted entries need no unlinking: a walk stops at the first sequence
// the table no longer holds, since everything after it in the chain is older still.
class TableIndex {
 public:
  void reset(std::uint32_t max_size) {
    const std::size_t max_entries = max_size / kEntryOverhead + 1;
    const std::size_t slots = std::bit_ceil(std::max<std::size_t>(max_entries, 8));
    slot_mask_ = slots - 1;
    bucket_mask_ = slots * 2 - 1;
    field_buckets_.assign(slots * 2, 0);
    name_buckets_.assign(slots * 2, 0);
    links_.assign(slots, {});
  }

  void add(std::uint64_t sequence, std::uint64_t field_hash, std::uint64_t name_hash) noexcept {
    Link& link = links_[sequence & slot_mask_];
    link.field_hash = field_hash;
    link.name_hash = name_hash;
    std::uint64_t& field_head = field_buckets_[field_hash & bucket_mask_];
    std::uint64_t& name_head = name_buckets_[name_hash & bucket_mask_];
    link.next_field = field_head;
    link.next_name = name_head;
    field_head = sequence + 1;
    name_head = sequence + 1;
  }

  struct Match {
    std::size_t field_index = 0;  // dynamic index (1 = newest) of name+value, 0 if none
    std::size_t name_index = 0;   // dynamic index of the name, 0 if none
  };

  Match find(const detail::DynamicTable& table, std::string_view name, std::string_view value, std::uint64_t field_hash,
             std::uint64_t name_hash, bool want_field) const noexcept {
    Match match;
    if (want_field) {
      for (std::uint64_t link = field_buckets_[field_hash & bucket_mask_]; link != 0;) {
        const std::uint64_t sequence = link - 1;
        if (!table.holds_sequence(sequence)) break;
        const Link& l = links_[sequence & slot_mask_];
        const std::size_t index = table.index_of_sequence(sequence);
        if (l.field_hash == field_hash && table.name(index) == name && table.value(index) == value) {
          match.field_index = index;
          match.name_index = index;
          return match;
        }
        link = l.next_field;
      }
    }
    for (std::uint64_t link = name_buckets_[name_hash & bucket_mask_]; link != 0;) {
      const std::uint64_t sequence = link - 1;
      if (!table.holds_sequence(sequence)) break;
      const Link& l = links_[sequence & slot_mask_];
      const std::size_t index = table.index_of_sequence(sequence);
      if (l.name_hash == name_hash && table.name(index) == name) {
        match.name_index = index;
        return match;
      }
      link = l.next_name;
    }
    return match;
  }

 private:
  struct Link {
    std::uint64_t field_hash = 0;
    std::uint64_t name_hash = 0;
    std::uint64_t next_field = 0;
    std::uint64_t next_name = 0;
  };
  std::vector<std::uint64_t> field_buckets_;
  std::vector<std::uint64_t> name_buckets_;
  std::vector<Link> links_;
  std::size_t slot_mask_ = 0;
  std::size_t bucket_mask_ = 0;
};

// a[0, n) == b[0, n), inline: the memo below compares a dozen short strings per block, where a call to memcmp per
// string costs more than the comparison itself. Words of eight octets, the last one overlapping the one before.
[[gnu::always_inline]] inline bool same_octets(const char* a, const char* b, std::size_t n) noexcept {
  const auto load64 = [](const char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
  };
  const auto load32 = [](const char* p) {
    std::uint32_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
  };
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if (load64(a + i) != load64(b + i)) return false;
    }
    return load64(a + n - 8) == load64(b + n - 8);
  }
  if (n >= 4) return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// The octets of the last header block whose encoding changed nothing in the encoder (every field an index or a
// literal left out of the table), with a copy of its fields and the encoder's generation then. A block of equal
// fields at the same generation has exactly those octets: a server's responses for one resource repeat the same
// block, and copying it costs less than looking every field up again. Any change of the table or of the recent ring
// moves the generation on, so the memo can never hand out octets whose indices have shifted.
class BlockMemo {
 public:
  bool matches(std::span<const Header> fields, std::uint64_t generation) const noexcept {
    if (!valid_ || generation != generation_ || fields.size() != shapes_.size()) return false;
    for (std::size_t i = 0; i < fields.size(); ++i) {  // the shapes first: a changed length costs no octet compare
      const Header& f = fields[i];
      const Shape& shape = shapes_[i];
      if (f.name.size() != shape.name_size || f.value.size() != shape.value_size || f.never_index != shape.never_index)
        return false;
    }
    const char* text = text_.data();
    for (const Header& f : fields) {
      if (!same_octets(f.name.data(), text, f.name.size())) return false;
      text += f.name.size();
      if (!same_octets(f.value.data(), text, f.value.size())) return false;
      text += f.value.size();
    }
    return true;
  }

  std::span<const std::byte> octets() const noexcept { return octets_; }

  void store(std::span<const Header> fields, std::span<const std::byte> octets, std::uint64_t generation) {
    valid_ = true;
    generation_ = generation;
    shapes_.clear();
    text_.clear();
    for (const Header& f : fields) {
      shapes_.push_back(
          {static_cast<std::uint32_t>(f.name.size()), static_cast<std::uint32_t>(f.value.size()), f.never_index});
      text_.append(f.name).append(f.value);
    }
    octets_.assign(octets.begin(), octets.end());
  }

  void clear() noexcept { valid_ = false; }

 private:
  struct Shape {
    std::uint32_t name_size;
    std::uint32_t value_size;
    bool never_index;
  };
  bool valid_ = false;
  std::uint64_t generation_ = 0;
  std::vector<Shape> shapes_;
  std::string text_;  // the names and values, back to back
  std::vector<std::byte> octets_;
};

constexpr std::uint64_t kNameSeed = 0x243f6a8885a308d3ull;

}  // namespace

struct Encoder::State {
  explicit State(const EncoderOptions& o) : options(o), table(kDefaultTableSize) {
    index.reset(kDefaultTableSize);
    // The peer's decoder starts at the protocol default (4096); a smaller cap of ours must be announced.
    if (options.max_table_size < kDefaultTableSize) request_size(options.max_table_size);
  }

  void request_size(std::uint32_t size) {
    if (!update_pending) {
      update_pending = true;
      update_min = size;
    }
    update_min = std::min(update_min, size);
    update_final = size;
  }

  void apply_size(std::uint32_t size) {
    ++generation;
    table.set_max_size(size);
    // Rebuild the chains for the new capacity from the entries that remain, oldest first.
    index.reset(size);
    const std::uint64_t newest = table.inserted_total();
    for (std::size_t i = table.entries(); i >= 1; --i) {
      add_to_index(newest - i, table.name(i), table.value(i));
    }
  }

  void add_to_index(std::uint64_t sequence, std::string_view name, std::string_view value) {
    const std::uint64_t name_hash = hash_octets(name, kNameSeed);
    index.add(sequence, hash_octets(value, name_hash), name_hash);
  }

  // §5.2: a string, Huffman-coded when that is strictly shorter. The code is written speculatively after a
  // one-octet length prefix and moved in the rare case its length needs more octets.
  std::byte* put_string(std::byte* out, std::string_view s) const {
    if (options.huffman && !s.empty()) {
      const std::size_t coded = huffman_encode_if_shorter(s, out + 1);
      if (coded != 0) {
        if (coded < 127) {
          *out = static_cast<std::byte>(0x80 | coded);
          return out + 1 + coded;
        }
        std::byte prefix[detail::kMaxIntegerOctets];
        const auto prefix_length =
            static_cast<std::size_t>(detail::put_integer(prefix, static_cast<std::uint32_t>(coded), 7, 0x80) - prefix);
        std::memmove(out + prefix_length, out + 1, coded);
        std::memcpy(out, prefix, prefix_length);
        return out + prefix_length + coded;
      }
    }
    out = detail::put_integer(out, static_cast<std::uint32_t>(s.size()), 7, 0x00);
    if (!s.empty()) std::memcpy(out, s.data(), s.size());
    return out + s.size();
  }

  std::byte* encode_field(std::byte* out, const Header& field) {
    const detail::StaticMatch static_match = detail::find_static(field.name, field.value);
    const bool sensitive = field.never_index || static_match.index == kAuthorization ||
                           static_match.index == kProxyAuthorization || static_match.index == kSetCookie ||
                           (static_match.index == kCookie && field.value.size() < 20);
    if (static_match.value_matches && !sensitive) return detail::put_integer(out, static_match.index, 7, 0x80);

    const std::uint64_t name_hash = hash_octets(field.name, kNameSeed);
    const std::uint64_t field_hash = hash_octets(field.value, name_hash);
    const TableIndex::Match dynamic =
        table.entries() == 0 ? TableIndex::Match{}
                             : index.find(table, field.name, field.value, field_hash, name_hash, !sensitive);
    if (dynamic.field_index != 0) {
      return detail::put_integer(out, static_cast<std::uint32_t>(detail::kStaticTableSize + dynamic.field_index), 7,
                                 0x80);
    }
    std::uint32_t name_index = static_match.index;
    if (name_index == 0 && dynamic.name_index != 0) {
      name_index = static_cast<std::uint32_t>(detail::kStaticTableSize + dynamic.name_index);
    }

    const bool index_it = !sensitive && worth_indexing(static_match.index, field, field_hash);
    if (sensitive) {
      out = detail::put_integer(out, name_index, 4, 0x10);  // §6.2.3 never indexed
    } else if (index_it) {
      out = detail::put_integer(out, name_index, 6, 0x40);  // §6.2.1 incremental indexing
    } else {
      out = detail::put_integer(out, name_index, 4, 0x00);  // §6.2.2 without indexing
    }
    if (name_index == 0) out = put_string(out, field.name);
    out = put_string(out, field.value);

    if (index_it) {
      ++generation;
      table.insert(field.name, field.value);
      if (table.entries() != 0) add_to_index(table.inserted_total() - 1, field.name, field.value);
    }
    return out;
  }

  // Whether a literal should enter the dynamic table. Entries over 3/4 of the table would flush it; content-length
  // values seldom repeat; fields that are usually unique to one message (paths, validators, dates of last change)
  // are indexed only once they have been seen recently, so that a repeated one still ends up as a one-octet index.
  bool worth_indexing(std::uint32_t static_name, const Header& field, std::uint64_t field_hash) noexcept {
    const std::uint64_t size = std::uint64_t{field.name.size()} + field.value.size() + kEntryOverhead;
    if (size * 4 > std::uint64_t{table.max_size()} * 3) return false;
    switch (static_name) {
      case kContentLength:
        return false;
      case kPath:
      case kAge:
      case kEtag:
      case kIfModifiedSince:
      case kIfNoneMatch:
      case kLastModified:
      case kLocation:
        return seen_recently(field_hash);
      default:
        return true;
    }
  }

  // True when `field_hash` is among the last kRecent remembered; remembers it otherwise.
  bool seen_recently(std::uint64_t field_hash) noexcept {
    for (const std::uint64_t h : recent) {
      if (h == field_hash) return true;
    }
    recent[recent_next++ % kRecent] = field_hash;
    ++generation;
    return false;
  }

  EncoderOptions options;
  // Counts every change of what encoding depends on besides the fields (the dynamic table, its size, the recent
  // ring): equal fields encoded at an equal generation give equal octets.
  std::uint64_t generation = 0;
  BlockMemo memo;
  std::uint64_t memo_hits = 0;
  detail::DynamicTable table;
  TableIndex index;
  static constexpr std::size_t kRecent = 64;
  std::array<std::uint64_t, kRecent> recent{};
  std::size_t recent_next = 0;
  bool update_pending = false;
  std::uint32_t update_min = 0;
  std::uint32_t update_final = 0;
};

Encoder::Encoder(const EncoderOptions& options) : state_(std::make_unique<State>(options)) {}
Encoder::~Encoder() = default;
Encoder::Encoder(Encoder&&) noexcept = default;
Encoder& Encoder::operator=(Encoder&&) noexcept = default;

void Encoder::encode(std::span<const Header> fields, std::vector<std::byte>& out) {
  State& s = *state_;
  if (!s.update_pending && s.memo.matches(fields, s.generation)) {
    const std::span<const std::byte> memo = s.memo.octets();
    out.insert(out.end(), memo.begin(), memo.end());
    ++s.memo_hits;
    return;
  }
  // Worst case per field: representation and two length integers, octets never longer than raw; a speculative
  // Huffman code may run 5 octets past a string's own room (put_string).
  std::size_t bound = 2 * detail::kMaxIntegerOctets + 8;
  for (const Header& f : fields) bound += f.name.size() + f.value.size() + 3 * detail::kMaxIntegerOctets;
  const std::size_t start = out.size();
  out.resize(start + bound);
  std::byte* p = out.data() + start;

  if (s.update_pending) {  // §4.2: the smallest size reached, then the final one
    s.update_pending = false;
    if (s.update_min < s.update_final) {
      p = detail::put_integer(p, s.update_min, 5, 0x20);
      s.apply_size(s.update_min);
    }
    p = detail::put_integer(p, s.update_final, 5, 0x20);
    s.apply_size(s.update_final);
  }
  const std::uint64_t generation = s.generation;
  const std::byte* const fields_start = p;
  for (const Header& f : fields) p = s.encode_field(p, f);
  if (s.generation == generation) {
    s.memo.store(fields, std::span(fields_start, p), generation);
  } else {
    s.memo.clear();
  }
  out.resize(static_cast<std::size_t>(p - out.data()));
}

void Encoder::set_peer_max_table_size(std::uint32_t size) {
  State& s = *state_;
  const std::uint32_t effective = std::min(size, s.options.max_table_size);
  if (!s.update_pending && effective == s.table.max_size()) return;
  s.request_size(effective);
}

std::uint32_t Encoder::table_capacity() const noexcept {
  return state_->update_pending ? state_->update_final : state_->table.max_size();
}
std::uint32_t Encoder::table_size() const noexcept { return state_->table.size(); }
std::size_t Encoder::table_entries() const noexcept { return state_->table.entries(); }
std::uint64_t Encoder::memo_hits() const noexcept { return state_->memo_hits; }

}  // namespace h2push::hpack
