// src/hpack/decoder.cpp: RFC 7541 §6 field representations, decoded in one pass over a complete block.
#include "h2push/hpack/decoder.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include "h2push/hpack/huffman.hpp"
#include "hpack/dynamic_table.hpp"
#include "hpack/header_list_builder.hpp"
#include "hpack/primitives.hpp"
#include "hpack/static_table.hpp"

namespace h2push::hpack {

struct detail::DecoderState {
  explicit DecoderState(const DecoderOptions& options)
      : table(std::min(options.max_table_size, kDefaultTableSize)),
        limit(options.max_table_size),
        max_list_size(options.max_header_list_size),
        smallest_limit(options.max_table_size) {}

  detail::DynamicTable table;
  std::uint32_t limit;  // the largest size the encoder may choose (our SETTINGS_HEADER_TABLE_SIZE)
  std::uint64_t max_list_size;
  std::uint32_t smallest_limit;       // the smallest limit set since the last block
  bool size_update_required = false;  // §4.2: a limit fell below the table's maximum since the last block
  std::optional<DecodeError> failure;
};

namespace {

using detail::decode_integer;
using StringRef = detail::HeaderListBuilder::StringRef;

// One pass over one block. While the list is over its limit, fields are still decoded (literals with incremental
// indexing must reach the table) but their octets are not kept.
class BlockDecoder {
 public:
  BlockDecoder(detail::DecoderState& state, std::span<const std::byte> block, HeaderList& out)
      : state_(state), p_(reinterpret_cast<const std::uint8_t*>(block.data())), end_(p_ + block.size()), out_(out) {}

  Status<DecodeError> run() {
    bool fields_started = false;
    while (p_ != end_) {
      const std::uint8_t first = *p_;
      Status<DecodeError> status;
      if ((first & 0xe0) == 0x20) {
        if (fields_started) return Unexpected{DecodeError::size_update_not_at_start};  // §4.2
        status = size_update();
      } else {
        if (!fields_started) {
          fields_started = true;
          if (auto s = check_required_update(); !s) return s;
        }
        if ((first & 0x80) != 0) {
          status = indexed();  // §6.1
        } else if ((first & 0x40) != 0) {
          status = literal(6, true, false);  // §6.2.1
        } else {
          status = literal(4, false, (first & 0x10) != 0);  // §6.2.2, §6.2.3
        }
      }
      if (!status) return status;
    }
    if (!fields_started) {
      if (auto s = check_required_update(); !s) return s;
    }
    if (too_large_) {
      out_.drop_fields();
      return Unexpected{DecodeError::header_list_too_large};
    }
    out_.finish();
    return {};
  }

 private:
  Status<DecodeError> check_required_update() {
    // §4.2: the block after a cut below the table's maximum must open with a size update; it is checked once the
    // leading updates are over (at the first field or the end of the block).
    if (state_.size_update_required) return Unexpected{DecodeError::size_update_missing};
    state_.smallest_limit = state_.limit;
    return {};
  }

  Status<DecodeError> size_update() {
    auto size = decode_integer(p_, end_, 5);
    if (!size) return Unexpected{size.error()};
    if (*size > state_.limit) return Unexpected{DecodeError::size_update_too_large};  // §6.3
    if (state_.size_update_required) {
      // §4.2: if the limit changed several times since the last block, the first update signals the smallest.
      if (*size > state_.smallest_limit) return Unexpected{DecodeError::size_update_too_large};
      state_.size_update_required = false;
    }
    state_.table.set_max_size(*size);
    return {};
  }

  Status<DecodeError> indexed() {
    auto index = decode_integer(p_, end_, 7);
    if (!index) return Unexpected{index.error()};
    if (*index == 0) return Unexpected{DecodeError::index_zero};  // §6.1
    if (*index <= detail::kStaticTableSize) {
      const detail::StaticEntry& e = detail::static_entry(*index);
      return add_field({e.name.data(), 0, static_cast<std::uint32_t>(e.name.size())},
                       {e.value.data(), 0, static_cast<std::uint32_t>(e.value.size())}, false);
    }
    const std::size_t dynamic = *index - detail::kStaticTableSize;
    if (dynamic > state_.table.entries()) return Unexpected{DecodeError::index_out_of_range};  // §2.3.3
    const StringRef name = copy(state_.table.name(dynamic));
    const StringRef value = copy(state_.table.value(dynamic));
    return add_field(name, value, false);
  }

  Status<DecodeError> literal(int prefix_bits, bool incremental, bool never_index) {
    auto index = decode_integer(p_, end_, prefix_bits);
    if (!index) return Unexpected{index.error()};
    StringRef name;
    if (*index == 0) {
      auto s = read_string();
      if (!s) return Unexpected{s.error()};
      name = *s;
    } else if (*index <= detail::kStaticTableSize) {
      const std::string_view n = detail::static_entry(*index).name;
      name = {n.data(), 0, static_cast<std::uint32_t>(n.size())};
    } else {
      const std::size_t dynamic = *index - detail::kStaticTableSize;
      if (dynamic > state_.table.entries()) return Unexpected{DecodeError::index_out_of_range};
      name = copy(state_.table.name(dynamic));  // copied: inserting may evict the entry it came from (§4.4)
    }
    auto value = read_string();
    if (!value) return Unexpected{value.error()};
    if (incremental) state_.table.insert(out_.view(name), out_.view(*value));
    return add_field(name, *value, never_index);
  }

  // Records a field. Once the list is over its limit every field is dropped at the end, so octets are discarded
  // as soon as they have been used: memory stays bounded by the limit plus one field.
  Status<DecodeError> add_field(const StringRef& name, const StringRef& value, bool never_index) {
    const std::uint64_t field_size = std::uint64_t{name.length} + value.length + kEntryOverhead;
    out_.add_list_size(field_size);
    list_size_ += field_size;
    if (list_size_ > state_.max_list_size) too_large_ = true;
    if (too_large_) {
      out_.truncate(0);
      return {};
    }
    out_.add_field(name, value, never_index);
    return {};
  }

  StringRef copy(std::string_view s) {
    out_.reserve(s.size());
    if (!s.empty()) std::memcpy(out_.write_pointer(), s.data(), s.size());
    const StringRef ref{nullptr, out_.size(), static_cast<std::uint32_t>(s.size())};
    out_.commit(s.size());
    return ref;
  }

  // §5.2: H bit, 7-bit prefix length, octets (Huffman-decoded straight into the list's storage).
  Result<StringRef, DecodeError> read_string() {
    if (p_ == end_) return Unexpected{DecodeError::truncated_string};
    const bool huffman = (*p_ & 0x80) != 0;
    auto length = decode_integer(p_, end_, 7);
    if (!length) return Unexpected{length.error()};
    if (*length > static_cast<std::size_t>(end_ - p_)) return Unexpected{DecodeError::truncated_string};
    const auto* octets = reinterpret_cast<const std::byte*>(p_);
    p_ += *length;
    if (!huffman) return copy({reinterpret_cast<const char*>(octets), *length});
    out_.reserve(huffman_decoded_size_bound(*length));
    auto decoded = huffman_decode({octets, *length}, out_.write_pointer());
    if (!decoded) return Unexpected{decoded.error()};
    const StringRef ref{nullptr, out_.size(), static_cast<std::uint32_t>(*decoded)};
    out_.commit(*decoded);
    return ref;
  }

  detail::DecoderState& state_;
  const std::uint8_t* p_;
  const std::uint8_t* const end_;
  detail::HeaderListBuilder out_;
  std::uint64_t list_size_ = 0;
  bool too_large_ = false;
};

}  // namespace

Decoder::Decoder(const DecoderOptions& options) : state_(std::make_unique<detail::DecoderState>(options)) {}
Decoder::~Decoder() = default;
Decoder::Decoder(Decoder&&) noexcept = default;
Decoder& Decoder::operator=(Decoder&&) noexcept = default;

Status<DecodeError> Decoder::decode(std::span<const std::byte> block, HeaderList& out) {
  if (state_->failure) {
    out.clear();
    return Unexpected{DecodeError::failed_earlier};
  }
  auto status = BlockDecoder(*state_, block, out).run();
  if (!status && is_fatal(status.error())) {
    state_->failure = status.error();
    out.clear();
  }
  return status;
}

void Decoder::set_max_table_size(std::uint32_t max_table_size) {
  detail::DecoderState& s = *state_;
  s.limit = max_table_size;
  s.smallest_limit = std::min(s.smallest_limit, max_table_size);
  if (s.smallest_limit < s.table.max_size()) s.size_update_required = true;
}

std::uint32_t Decoder::max_table_size() const noexcept { return state_->limit; }
std::uint32_t Decoder::table_capacity() const noexcept { return state_->table.max_size(); }
std::uint32_t Decoder::table_size() const noexcept { return state_->table.size(); }
std::size_t Decoder::table_entries() const noexcept { return state_->table.entries(); }
bool Decoder::failed() const noexcept { return state_->failure.has_value(); }

}  // namespace h2push::hpack
