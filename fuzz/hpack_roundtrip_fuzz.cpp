// fuzz/hpack_roundtrip_fuzz.cpp: arbitrary header lists through our Encoder, then our Decoder and libnghttp2's.
//
// The input (format in fuzz_input.hpp) picks the encoder's options, header blocks and changes of the peer's
// SETTINGS_HEADER_TABLE_SIZE in between, and how often to replay them on the same connection. Every block must
// decode, with our decoder and with libnghttp2's inflater, to exactly the fields given, and after every block the
// encoder's and decoder's dynamic tables must agree. The Huffman coder is checked on every name and value as well.
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
using h2push::hpack::Decoder;
using h2push::hpack::DecoderOptions;
using h2push::hpack::Encoder;
using h2push::hpack::EncoderOptions;
using h2push::hpack::Header;
using h2push::hpack::HeaderList;

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

std::string hex(std::span<const std::byte> bytes) {
  return hex(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

std::string hex(std::string_view text) {
  return hex(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

[[noreturn]] void fail(const char* what, std::span<const std::uint8_t> input, std::span<const Header> fields,
                       std::span<const std::byte> wire, const HeaderList* decoded = nullptr) {
  std::fprintf(stderr, "hpack_roundtrip: MISMATCH: %s\n  input: %s\n  wire:  %s\n  fields given (hex):\n", what,
               hex(input).c_str(), hex(wire).c_str());
  for (const auto& f : fields) {
    std::fprintf(stderr, "    %s%s: %s\n", f.never_index ? "(never) " : "", hex(f.name).c_str(), hex(f.value).c_str());
  }
  if (decoded != nullptr) {
    std::fprintf(stderr, "  fields decoded (hex):\n");
    for (const auto& f : *decoded) {
      std::fprintf(stderr, "    %s%s: %s\n", f.never_index ? "(never) " : "", hex(f.name).c_str(),
                   hex(f.value).c_str());
    }
  }
  std::abort();
}

// The encoder may send these as never-indexed literals on its own (credentials and short cookies, §7.1.3); any other
// field must come back with the flag it was given.
bool encoder_may_protect(std::string_view name) {
  return name == "authorization" || name == "proxy-authorization" || name == "cookie" || name == "set-cookie";
}

bool same_field(const Header& given, std::string_view name, std::string_view value, bool never_index) {
  if (given.name != name || given.value != value) return false;
  if (given.never_index) return never_index;
  return !never_index || encoder_may_protect(given.name);
}

void check_huffman(std::string_view text, std::vector<std::byte>& coded, std::vector<char>& decoded) {
  coded.resize(h2push::hpack::huffman_encoded_size(text));
  if (h2push::hpack::huffman_encode(text, coded.data()) != coded.size()) {
    std::fprintf(stderr, "huffman_encode wrote other than huffman_encoded_size for %s\n", hex(text).c_str());
    std::abort();
  }
  decoded.resize(h2push::hpack::huffman_decoded_size_bound(coded.size()));
  const auto result = h2push::hpack::huffman_decode(coded, decoded.data());
  if (!result.ok() || std::string_view(decoded.data(), *result) != text) {
    std::fprintf(stderr, "Huffman round trip failed for %s (coded %s)\n", hex(text).c_str(), hex(coded).c_str());
    std::abort();
  }
}

struct Inflater {
  Inflater() {
    if (nghttp2_hd_inflate_new(&raw) != 0) std::abort();
  }
  ~Inflater() { nghttp2_hd_inflate_del(raw); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  nghttp2_hd_inflater* raw = nullptr;
};

// Decodes `wire` with libnghttp2 and compares field by field with `fields`; returns a description of the first
// difference, or nullptr.
const char* nghttp2_disagrees(nghttp2_hd_inflater* inflater, std::span<const std::byte> wire,
                              std::span<const Header> fields) {
  const auto* in = reinterpret_cast<const std::uint8_t*>(wire.data());
  std::size_t left = wire.size();
  std::size_t next = 0;
  for (;;) {
    nghttp2_nv nv{};
    int flags = 0;
    const auto rv = nghttp2_hd_inflate_hd2(inflater, &nv, &flags, in, left, 1);
    if (rv < 0) return "libnghttp2 rejects our encoder's block";
    in += rv;
    left -= static_cast<std::size_t>(rv);
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) != 0) {
      if (next == fields.size()) return "libnghttp2 decodes more fields than given";
      const std::string_view name(reinterpret_cast<const char*>(nv.name), nv.namelen);
      const std::string_view value(reinterpret_cast<const char*>(nv.value), nv.valuelen);
      if (!same_field(fields[next], name, value, (nv.flags & NGHTTP2_NV_FLAG_NO_INDEX) != 0)) {
        return "libnghttp2 decodes a different field";
      }
      ++next;
    }
    if ((flags & NGHTTP2_HD_INFLATE_FINAL) != 0) {
      nghttp2_hd_inflate_end_headers(inflater);
      return next == fields.size() ? nullptr : "libnghttp2 decodes fewer fields than given";
    }
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && left == 0) return "libnghttp2 neither finished nor failed";
  }
}

// One step of the program: a header block, or a change of the peer's table size limit.
struct Step {
  bool settings = false;
  std::uint16_t table_size = 0;  // settings
  std::size_t first_field = 0;   // block: its fields are fields[first_field, first_field + field_count)
  std::size_t field_count = 0;
};

struct Program {
  bool huffman = false;
  std::uint16_t encoder_cap = 0;
  int passes = 1;
  std::vector<Header> fields;  // views into the input
  std::vector<Step> steps;
};

bool parse(Reader& reader, Program& program) {
  const auto config = reader.byte();
  const auto encoder_cap = reader.u16();
  if (!config || !encoder_cap) return false;
  program.huffman = (*config & h2push::fuzz::kConfigHuffman) != 0;
  program.passes = 1 + ((*config & h2push::fuzz::kConfigPassesMask) >> h2push::fuzz::kConfigPassesShift);
  program.encoder_cap = *encoder_cap;
  while (!reader.empty()) {
    const std::uint8_t op = *reader.byte();
    if (op == h2push::fuzz::kSettingsRecord) {
      const auto table_size = reader.u16();
      if (!table_size) break;
      program.steps.push_back({.settings = true, .table_size = *table_size});
      continue;
    }
    Step block{.first_field = program.fields.size()};
    for (std::uint8_t i = 0; i < op && !reader.empty(); ++i) {
      const std::uint8_t flags = *reader.byte();
      std::string_view name;
      if ((flags & h2push::fuzz::kFieldKnownName) != 0) {
        name = h2push::fuzz::kKnownNames[reader.byte().value_or(0) % h2push::fuzz::kKnownNames.size()];
      } else {
        name = reader.string();
      }
      const std::string_view value = reader.string();
      program.fields.push_back({name, value, (flags & h2push::fuzz::kFieldNeverIndex) != 0});
    }
    block.field_count = program.fields.size() - block.first_field;
    program.steps.push_back(block);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  Reader reader(input);
  Program program;
  if (!parse(reader, program)) return 0;

  std::vector<std::byte> huffman_coded;
  std::vector<char> huffman_decoded;
  for (const Header& f : program.fields) {
    check_huffman(f.name, huffman_coded, huffman_decoded);
    check_huffman(f.value, huffman_coded, huffman_decoded);
  }

  Encoder encoder(EncoderOptions{.max_table_size = program.encoder_cap, .huffman = program.huffman});
  Decoder decoder(DecoderOptions{.max_table_size = h2push::hpack::kDefaultTableSize,
                                 .max_header_list_size = std::numeric_limits<std::uint64_t>::max()});
  Inflater inflater;
  HeaderList list;
  std::vector<std::byte> wire;

  // Later passes replay the same steps on the same connection: the tables then wrap around, evict and compact far
  // beyond what one input of at most -max_len octets could insert.
  for (int pass = 0; pass < program.passes; ++pass) {
    for (const Step& step : program.steps) {
      if (step.settings) {
        // The peer (our decoder) sent SETTINGS_HEADER_TABLE_SIZE; we acknowledged it before the next block, so the
        // decoder's new limit is in force when that block arrives.
        encoder.set_peer_max_table_size(step.table_size);
        decoder.set_max_table_size(step.table_size);
        if (nghttp2_hd_inflate_change_table_size(inflater.raw, step.table_size) != 0) std::abort();
        continue;
      }
      const std::span<const Header> fields(program.fields.data() + step.first_field, step.field_count);
      wire.clear();
      encoder.encode(fields, wire);

      if (const auto status = decoder.decode(wire, list); !status.ok()) {
        std::fprintf(stderr, "decoder error: %s\n", std::string(h2push::hpack::to_string(status.error())).c_str());
        fail("our decoder rejects our encoder's block", input, fields, wire);
      }
      if (list.size() != fields.size()) fail("decoded a different number of fields", input, fields, wire, &list);
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (!same_field(fields[i], list[i].name, list[i].value, list[i].never_index)) {
          std::fprintf(stderr, "field %zu differs\n", i);
          fail("decoded a different field", input, fields, wire, &list);
        }
      }
      if (encoder.table_size() != decoder.table_size() || encoder.table_entries() != decoder.table_entries() ||
          encoder.table_capacity() != decoder.table_capacity()) {
        std::fprintf(stderr, "encoder table size %u capacity %u entries %zu; decoder size %u capacity %u entries %zu\n",
                     encoder.table_size(), encoder.table_capacity(), encoder.table_entries(), decoder.table_size(),
                     decoder.table_capacity(), decoder.table_entries());
        fail("encoder and decoder tables differ", input, fields, wire);
      }
      if (encoder.table_capacity() > program.encoder_cap) {
        fail("the encoder's table exceeds its own cap", input, fields, wire);
      }
      if (const char* problem = nghttp2_disagrees(inflater.raw, wire, fields)) fail(problem, input, fields, wire);
    }
  }
  return 0;
}
