// fuzz/hpack_decode_fuzz.cpp: differential fuzzing of hpack::Decoder against libnghttp2's inflater.
//
// The input is a sequence of header blocks and table size changes (format in fuzz_input.hpp). Both decoders see the
// same blocks in one shared context. Per block they must both accept with identical header lists (names, values,
// never-indexed flag) and identical dynamic tables, or both reject; after a rejection the context is gone, so the
// run stops. Which error each one reports is not compared: the RFC does not name errors, and libnghttp2 refuses
// some inputs earlier than we do (e.g. string lengths above 65536 before reading the string).
//
// A third decoder with a small header list limit sees the same blocks: a list over its limit must be reported as
// the non-fatal header_list_too_large with the tables still in step, a list within it must decode as without limit,
// and a malformed block must still fail fatally.
#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "h2push/hpack.h"

namespace {

using h2push::fuzz::Reader;
using h2push::hpack::DecodeError;
using h2push::hpack::Decoder;
using h2push::hpack::DecoderOptions;
using h2push::hpack::HeaderList;

// libnghttp2 counts the static table's entries in nghttp2_hd_inflate_get_num_table_entries().
constexpr std::size_t kStaticEntries = 61;

// Small enough that many corpus lists exceed it (RFC 9113 §6.5.2 sizing: name + value + 32 per field).
constexpr std::uint64_t kSmallListLimit = 1024;

struct Field {
  std::string name;
  std::string value;
  bool never_index = false;

  friend bool operator==(const Field&, const Field&) = default;
};

struct Outcome {
  bool ok = true;
  std::vector<Field> fields;
  std::string error;  // when !ok
};

struct Inflater {
  Inflater() {
    if (nghttp2_hd_inflate_new(&raw) != 0) std::abort();
  }
  ~Inflater() { nghttp2_hd_inflate_del(raw); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  nghttp2_hd_inflater* raw = nullptr;
};

// The whole block is given at once with in_final set, so every call either emits a field, finishes or fails.
Outcome inflate(nghttp2_hd_inflater* inflater, std::span<const std::uint8_t> block) {
  Outcome out;
  const std::uint8_t* in = block.data();
  std::size_t left = block.size();
  for (;;) {
    nghttp2_nv nv{};
    int flags = 0;
    const auto rv = nghttp2_hd_inflate_hd2(inflater, &nv, &flags, in, left, 1);
    if (rv < 0) {
      out.ok = false;
      out.error = nghttp2_strerror(static_cast<int>(rv));
      return out;
    }
    in += rv;
    left -= static_cast<std::size_t>(rv);
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) != 0) {
      out.fields.push_back({std::string(reinterpret_cast<const char*>(nv.name), nv.namelen),
                            std::string(reinterpret_cast<const char*>(nv.value), nv.valuelen),
                            (nv.flags & NGHTTP2_NV_FLAG_NO_INDEX) != 0});
    }
    if ((flags & NGHTTP2_HD_INFLATE_FINAL) != 0) {
      nghttp2_hd_inflate_end_headers(inflater);
      return out;
    }
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && left == 0) {
      // Cannot happen with in_final set; treat it as the library's rejection so that it shows up as a divergence.
      out.ok = false;
      out.error = "nghttp2 neither finished nor failed";
      return out;
    }
  }
}

Outcome decode(Decoder& decoder, std::span<const std::uint8_t> block, HeaderList& list) {
  Outcome out;
  const auto status = decoder.decode(std::as_bytes(block), list);
  if (!status.ok()) {
    out.ok = false;
    out.error = std::string(h2push::hpack::to_string(status.error()));
    return out;
  }
  out.fields.reserve(list.size());
  for (const auto& h : list) out.fields.push_back({std::string(h.name), std::string(h.value), h.never_index});
  return out;
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F && c != '\\') {
      out.push_back(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    }
  }
  return out;
}

void print_outcome(const char* who, const Outcome& outcome) {
  if (!outcome.ok) {
    std::fprintf(stderr, "  %s: rejected (%s)\n", who, outcome.error.c_str());
    return;
  }
  std::fprintf(stderr, "  %s: accepted, %zu fields\n", who, outcome.fields.size());
  for (const auto& f : outcome.fields) {
    std::fprintf(stderr, "    %s\"%s\": \"%s\"\n", f.never_index ? "(never) " : "", printable(f.name).c_str(),
                 printable(f.value).c_str());
  }
}

[[noreturn]] void diverged(const char* what, std::span<const std::uint8_t> input, std::size_t block_number,
                           std::span<const std::uint8_t> block, const Outcome& ours, const Outcome& theirs) {
  std::fprintf(stderr, "hpack_decode: DIVERGENCE (%s) at block %zu\n  block: %s\n  input: %s\n", what, block_number,
               hex(block).c_str(), hex(input).c_str());
  print_outcome("h2push ", ours);
  print_outcome("nghttp2", theirs);
  std::abort();
}

// `capped` decodes the blocks `reference` (no list limit) decoded; `ours` is the reference's outcome for this block
// and `list_size` its list's size.
void check_capped(Decoder& capped, HeaderList& capped_list, std::span<const std::uint8_t> block, const Outcome& ours,
                  const Decoder& reference, std::uint64_t list_size, std::span<const std::uint8_t> input,
                  std::size_t block_number) {
  const auto status = capped.decode(std::as_bytes(block), capped_list);
  const char* problem = nullptr;
  if (!ours.ok) {
    if (status.ok() || !h2push::hpack::is_fatal(status.error())) problem = "a malformed block passed the list limit";
  } else if (list_size <= kSmallListLimit) {
    if (!status.ok()) {
      problem = "a list within the limit failed";
    } else {
      std::vector<Field> fields;
      for (const auto& h : capped_list) fields.push_back({std::string(h.name), std::string(h.value), h.never_index});
      if (fields != ours.fields) problem = "a list within the limit decoded differently";
    }
  } else if (status.ok() || status.error() != DecodeError::header_list_too_large) {
    problem = "a list over the limit was not reported as header_list_too_large";
  } else if (capped.failed() || !capped_list.empty() || capped_list.list_size() != list_size) {
    problem = "after header_list_too_large: decoder failed, fields kept or list_size() not counted";
  }
  if (problem == nullptr && ours.ok &&
      (capped.table_size() != reference.table_size() || capped.table_entries() != reference.table_entries() ||
       capped.table_capacity() != reference.table_capacity())) {
    problem = "the list limit changed the dynamic table";
  }
  if (problem != nullptr) {
    std::fprintf(stderr,
                 "hpack_decode: LIST LIMIT (%s) at block %zu, list size %llu, limit %llu\n  block: %s\n  input: %s\n",
                 problem, block_number, static_cast<unsigned long long>(list_size),
                 static_cast<unsigned long long>(kSmallListLimit), hex(block).c_str(), hex(input).c_str());
    if (!status.ok())
      std::fprintf(stderr, "  capped decoder: %s\n", std::string(h2push::hpack::to_string(status.error())).c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  // libnghttp2's inflater has no header list limit; ours must not drop lists either, or every large list differs.
  Decoder decoder(DecoderOptions{.max_table_size = h2push::hpack::kDefaultTableSize,
                                 .max_header_list_size = std::numeric_limits<std::uint64_t>::max()});
  Inflater inflater;
  Decoder capped(
      DecoderOptions{.max_table_size = h2push::hpack::kDefaultTableSize, .max_header_list_size = kSmallListLimit});
  HeaderList list;
  HeaderList capped_list;
  Reader reader(input);
  std::size_t block_number = 0;
  while (!reader.empty()) {
    const std::uint8_t first = *reader.byte();
    if (first == h2push::fuzz::kSettingsRecord) {
      const auto table_size = reader.u16();
      if (!table_size) break;
      // Our SETTINGS_HEADER_TABLE_SIZE was acknowledged: both decoders now allow tables up to this size.
      decoder.set_max_table_size(*table_size);
      capped.set_max_table_size(*table_size);
      if (nghttp2_hd_inflate_change_table_size(inflater.raw, *table_size) != 0) std::abort();
      continue;
    }
    const auto block = reader.bytes(reader.length_after(first));
    const Outcome ours = decode(decoder, block, list);
    const Outcome theirs = inflate(inflater.raw, block);
    check_capped(capped, capped_list, block, ours, decoder, list.list_size(), input, block_number);
    if (ours.ok != theirs.ok) diverged("one accepts, one rejects", input, block_number, block, ours, theirs);
    if (!ours.ok) {
      // A fatal error latches (STYLE.md §1: the context is lost after its first error).
      if (!decoder.failed()) diverged("decoder not latched after an error", input, block_number, block, ours, theirs);
      if (decoder.decode({}, list).ok())
        diverged("decode after a failure succeeded", input, block_number, block, ours, theirs);
      break;
    }
    if (ours.fields != theirs.fields) diverged("different header lists", input, block_number, block, ours, theirs);
    const bool same_table =
        decoder.table_size() == nghttp2_hd_inflate_get_dynamic_table_size(inflater.raw) &&
        decoder.table_capacity() == nghttp2_hd_inflate_get_max_dynamic_table_size(inflater.raw) &&
        decoder.table_entries() + kStaticEntries == nghttp2_hd_inflate_get_num_table_entries(inflater.raw);
    if (!same_table) {
      std::fprintf(stderr,
                   "  tables: h2push size %u capacity %u entries %zu; nghttp2 size %zu capacity %zu entries %zu\n",
                   decoder.table_size(), decoder.table_capacity(), decoder.table_entries(),
                   nghttp2_hd_inflate_get_dynamic_table_size(inflater.raw),
                   nghttp2_hd_inflate_get_max_dynamic_table_size(inflater.raw),
                   nghttp2_hd_inflate_get_num_table_entries(inflater.raw) - kStaticEntries);
      diverged("different dynamic tables", input, block_number, block, ours, theirs);
    }
    ++block_number;
  }
  return 0;
}
