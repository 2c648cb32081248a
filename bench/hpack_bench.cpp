// bench/hpack_bench.cpp: HPACK throughput of h2push against libnghttp2 on the hpack-test-case corpus, and the heap
// allocations of our decoder.
//
// Decode: every story of the corpus's nghttp2 folder (the same wire bytes for both decoders), one fresh decoding
// context per story, all stories in one benchmark iteration. Encode: every raw-data story, one fresh encoder per
// story (4096-octet table, Huffman when shorter, as both libraries default to). Counters:
//   headers           fields decoded or encoded per second (benchmark::Counter::kIsRate)
//   compressed_bytes  encode: octets of all header blocks of one pass (lower is better)
//   allocs            heap allocations per iteration (operator new, replaced by alloc_counter.cpp; libnghttp2
//                     via its counting nghttp2_mem)
//   allocs_per_header allocations per field decoded; the _steady benchmarks keep one context and one HeaderList
//                     for the whole run, so this is the per-field cost once warm (target: 0).
#include <benchmark/benchmark.h>
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alloc_counter.hpp"
#include "h2push/hpack.h"
#include "support/hpack_corpus.hpp"

namespace {

using benchmark::Counter;
using h2push::bench::heap_allocations;
using h2push::hpack::Decoder;
using h2push::hpack::Encoder;
using h2push::hpack::Header;
using h2push::hpack::HeaderList;
using h2push::testing::Story;

const std::vector<Story>& wire_stories() {
  static const std::vector<Story> stories = h2push::testing::load_folder("nghttp2");
  return stories;
}

const std::vector<Story>& raw_stories() {
  static const std::vector<Story> stories = h2push::testing::load_folder("raw-data");
  return stories;
}

std::size_t count_headers(const std::vector<Story>& stories) {
  std::size_t n = 0;
  for (const auto& story : stories) {
    for (const auto& c : story.cases) n += c.headers.size();
  }
  return n;
}

const std::uint8_t* octets(const std::vector<std::byte>& bytes) {
  return reinterpret_cast<const std::uint8_t*>(bytes.data());
}

// Both decoders touch every decoded name and value the same way, so neither's output can be optimised away.
struct Sink {
  std::uint64_t octets = 0;
  void take(std::size_t name_length, std::size_t value_length) { octets += name_length + value_length; }
  ~Sink() { benchmark::DoNotOptimize(octets); }
};

bool same_list(const HeaderList& list, const h2push::testing::HeaderPairs& expected) {
  if (list.size() != expected.size()) return false;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].name != expected[i].first || list[i].value != expected[i].second) return false;
  }
  return true;
}

// One header block through libnghttp2's inflater, calling on_field(nv) per field; returns the number of fields, or
// -1 on an error.
template <class OnField>
long inflate_block(nghttp2_hd_inflater* inflater, const std::vector<std::byte>& wire, OnField&& on_field) {
  const std::uint8_t* in = octets(wire);
  std::size_t left = wire.size();
  long fields = 0;
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    const auto rv = nghttp2_hd_inflate_hd2(inflater, &nv, &flags, in, left, 1);
    if (rv < 0) return -1;
    in += rv;
    left -= static_cast<std::size_t>(rv);
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) != 0) {
      on_field(nv);
      ++fields;
    }
    if ((flags & NGHTTP2_HD_INFLATE_FINAL) != 0) {
      nghttp2_hd_inflate_end_headers(inflater);
      return fields;
    }
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && left == 0) return -1;
  }
}

long inflate_block(nghttp2_hd_inflater* inflater, const std::vector<std::byte>& wire, Sink& sink) {
  return inflate_block(inflater, wire, [&sink](const nghttp2_nv& nv) { sink.take(nv.namelen, nv.valuelen); });
}

// libnghttp2 decodes every story of `stories` to its listed headers (so that both decoders do the same work).
bool nghttp2_decodes_correctly(const std::vector<Story>& stories) {
  for (const auto& story : stories) {
    nghttp2_hd_inflater* inflater = nullptr;
    if (nghttp2_hd_inflate_new(&inflater) != 0) return false;
    bool ok = true;
    for (const auto& c : story.cases) {
      if (c.header_table_size) nghttp2_hd_inflate_change_table_size(inflater, *c.header_table_size);
      std::size_t next = 0;
      const auto fields = inflate_block(inflater, c.wire, [&](const nghttp2_nv& nv) {
        const std::string_view name(reinterpret_cast<const char*>(nv.name), nv.namelen);
        const std::string_view value(reinterpret_cast<const char*>(nv.value), nv.valuelen);
        ok = ok && next < c.headers.size() && c.headers[next].first == name && c.headers[next].second == value;
        ++next;
      });
      ok = ok && fields >= 0 && static_cast<std::size_t>(fields) == c.headers.size();
      if (!ok) break;
    }
    nghttp2_hd_inflate_del(inflater);
    if (!ok) return false;
  }
  return true;
}

void set_decode_counters(benchmark::State& state, std::size_t headers_per_pass, std::uint64_t allocations) {
  const auto headers = static_cast<double>(headers_per_pass) * static_cast<double>(state.iterations());
  state.counters["headers"] = Counter(headers, Counter::kIsRate);
  state.counters["allocs"] = Counter(static_cast<double>(allocations), Counter::kAvgIterations);
  state.counters["allocs_per_header"] = Counter(headers > 0 ? static_cast<double>(allocations) / headers : 0.0);
}

// Our decoder, one fresh Decoder per story, one HeaderList reused throughout.
void BM_hpack_decode_h2push(benchmark::State& state) {
  const auto& stories = wire_stories();
  HeaderList list;
  for (const auto& story : stories) {  // the output must be right before its speed matters
    Decoder decoder;
    for (const auto& c : story.cases) {
      if (c.header_table_size) decoder.set_max_table_size(*c.header_table_size);
      if (!decoder.decode(c.wire, list).ok() || !same_list(list, c.headers)) {
        state.SkipWithError(("h2push decodes " + story.name + " wrongly").c_str());
        return;
      }
    }
  }
  Sink sink;
  const auto allocations_before = heap_allocations();
  for (auto _ : state) {
    for (const auto& story : stories) {
      Decoder decoder;
      for (const auto& c : story.cases) {
        if (c.header_table_size) decoder.set_max_table_size(*c.header_table_size);
        if (!decoder.decode(c.wire, list).ok()) {
          state.SkipWithError("decode failed");
          return;
        }
        for (const Header& h : list) sink.take(h.name.size(), h.value.size());
      }
    }
  }
  set_decode_counters(state, count_headers(stories), heap_allocations() - allocations_before);
}
BENCHMARK(BM_hpack_decode_h2push)->Unit(benchmark::kMillisecond);

// libnghttp2's inflater on the same bytes, one fresh inflater per story.
void BM_hpack_decode_nghttp2(benchmark::State& state) {
  const auto& stories = wire_stories();
  if (!nghttp2_decodes_correctly(stories)) {
    state.SkipWithError("nghttp2 decodes the corpus wrongly");
    return;
  }
  Sink sink;
  for (auto _ : state) {
    for (const auto& story : stories) {
      nghttp2_hd_inflater* inflater = nullptr;
      if (nghttp2_hd_inflate_new(&inflater) != 0) {
        state.SkipWithError("nghttp2_hd_inflate_new failed");
        return;
      }
      for (const auto& c : story.cases) {
        if (c.header_table_size) nghttp2_hd_inflate_change_table_size(inflater, *c.header_table_size);
        if (inflate_block(inflater, c.wire, sink) < 0) {
          nghttp2_hd_inflate_del(inflater);
          state.SkipWithError("nghttp2 decode failed");
          return;
        }
      }
      nghttp2_hd_inflate_del(inflater);
    }
  }
  // The default nghttp2_mem is not counted here: see BM_hpack_decode_nghttp2_steady for its allocations.
  const auto headers = static_cast<double>(count_headers(stories)) * static_cast<double>(state.iterations());
  state.counters["headers"] = Counter(headers, Counter::kIsRate);
}
BENCHMARK(BM_hpack_decode_nghttp2)->Unit(benchmark::kMillisecond);

// The nghttp2 folder's stories as one long stream for a single long-lived context: each story's first block starts
// with two size updates, to 0 (empties the table) and back to 4096, so every story again meets the empty table it
// was encoded against, and the stream can be replayed from the start forever.
struct SteadyStream {
  std::vector<std::vector<std::byte>> blocks;
  std::size_t headers = 0;
};

const SteadyStream& steady_stream() {
  static const SteadyStream stream = [] {
    SteadyStream s;
    static constexpr std::byte kResetTable[] = {std::byte{0x20}, std::byte{0x3f}, std::byte{0xe1}, std::byte{0x1f}};
    for (const auto& story : wire_stories()) {
      bool first = true;
      for (const auto& c : story.cases) {
        if (c.header_table_size) break;  // table size changes would not replay; the nghttp2 folder has none
        std::vector<std::byte> block;
        if (first) block.assign(std::begin(kResetTable), std::end(kResetTable));
        block.insert(block.end(), c.wire.begin(), c.wire.end());
        s.blocks.push_back(std::move(block));
        s.headers += c.headers.size();
        first = false;
      }
    }
    return s;
  }();
  return stream;
}

// Our decoder in its steady state: one Decoder and one HeaderList, warmed up by one pass before timing.
void BM_hpack_decode_h2push_steady(benchmark::State& state) {
  const auto& stream = steady_stream();
  Decoder decoder;
  HeaderList list;
  Sink sink;
  for (const auto& block : stream.blocks) {
    if (!decoder.decode(block, list).ok()) {
      state.SkipWithError("warm-up decode failed");
      return;
    }
  }
  const auto allocations_before = heap_allocations();
  for (auto _ : state) {
    for (const auto& block : stream.blocks) {
      if (!decoder.decode(block, list).ok()) {
        state.SkipWithError("decode failed");
        return;
      }
      for (const Header& h : list) sink.take(h.name.size(), h.value.size());
    }
  }
  set_decode_counters(state, stream.headers, heap_allocations() - allocations_before);
}
BENCHMARK(BM_hpack_decode_h2push_steady)->Unit(benchmark::kMillisecond);

// libnghttp2's inflater in the same steady state, its allocations counted through a custom nghttp2_mem.
void BM_hpack_decode_nghttp2_steady(benchmark::State& state) {
  const auto& stream = steady_stream();
  nghttp2_hd_inflater* inflater = nullptr;
  if (nghttp2_hd_inflate_new2(&inflater, h2push::bench::counting_nghttp2_mem()) != 0) {
    state.SkipWithError("nghttp2_hd_inflate_new2 failed");
    return;
  }
  Sink sink;
  for (const auto& block : stream.blocks) {
    if (inflate_block(inflater, block, sink) < 0) {
      nghttp2_hd_inflate_del(inflater);
      state.SkipWithError("warm-up decode failed");
      return;
    }
  }
  const auto allocations_before = heap_allocations();
  for (auto _ : state) {
    for (const auto& block : stream.blocks) {
      if (inflate_block(inflater, block, sink) < 0) {
        state.SkipWithError("decode failed");
        break;
      }
    }
  }
  set_decode_counters(state, stream.headers, heap_allocations() - allocations_before);
  nghttp2_hd_inflate_del(inflater);
}
BENCHMARK(BM_hpack_decode_nghttp2_steady)->Unit(benchmark::kMillisecond);

// The raw-data stories as the inputs both encoders take: our Header spans and libnghttp2's nghttp2_nv arrays.
struct EncodeCorpus {
  std::vector<std::vector<std::vector<Header>>> ours;  // story, case, field
  std::vector<std::vector<std::vector<nghttp2_nv>>> theirs;
  std::size_t headers = 0;
  std::size_t max_block_bound = 0;  // nghttp2_hd_deflate_bound() of the largest case
};

nghttp2_nv to_nv(const std::string& name, const std::string& value) {
  // libnghttp2 takes non-const pointers but does not write through them.
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

const EncodeCorpus& encode_corpus() {
  static const EncodeCorpus corpus = [] {
    EncodeCorpus e;
    nghttp2_hd_deflater* deflater = nullptr;
    if (nghttp2_hd_deflate_new(&deflater, h2push::hpack::kDefaultTableSize) != 0) std::abort();
    for (const auto& story : raw_stories()) {
      auto& ours = e.ours.emplace_back();
      auto& theirs = e.theirs.emplace_back();
      for (const auto& c : story.cases) {
        auto& fields = ours.emplace_back();
        auto& nva = theirs.emplace_back();
        for (const auto& [name, value] : c.headers) {
          fields.push_back({name, value, false});
          nva.push_back(to_nv(name, value));
        }
        e.headers += fields.size();
        e.max_block_bound = std::max(e.max_block_bound, nghttp2_hd_deflate_bound(deflater, nva.data(), nva.size()));
      }
    }
    nghttp2_hd_deflate_del(deflater);
    return e;
  }();
  return corpus;
}

// Our encoder, one fresh Encoder per story; its output is checked with our decoder before timing.
void BM_hpack_encode_h2push(benchmark::State& state) {
  const auto& corpus = encode_corpus();
  std::vector<std::byte> out;
  HeaderList list;
  for (const auto& story : corpus.ours) {
    Encoder encoder;
    Decoder decoder;
    for (const auto& fields : story) {
      out.clear();
      encoder.encode(fields, out);
      bool same = decoder.decode(out, list).ok() && list.size() == fields.size();
      for (std::size_t i = 0; same && i < fields.size(); ++i) {
        same = list[i].name == fields[i].name && list[i].value == fields[i].value;
      }
      if (!same) {
        state.SkipWithError("h2push's encoder output does not decode to its input");
        return;
      }
    }
  }
  std::size_t compressed = 0;
  const auto allocations_before = heap_allocations();
  for (auto _ : state) {
    compressed = 0;
    for (const auto& story : corpus.ours) {
      Encoder encoder;
      for (const auto& fields : story) {
        out.clear();
        encoder.encode(fields, out);
        compressed += out.size();
      }
    }
    benchmark::DoNotOptimize(out.data());
  }
  const auto allocations = heap_allocations() - allocations_before;
  const auto headers = static_cast<double>(corpus.headers) * static_cast<double>(state.iterations());
  state.counters["headers"] = Counter(headers, Counter::kIsRate);
  state.counters["compressed_bytes"] = Counter(static_cast<double>(compressed));
  state.counters["allocs"] = Counter(static_cast<double>(allocations), Counter::kAvgIterations);
}
BENCHMARK(BM_hpack_encode_h2push)->Unit(benchmark::kMillisecond);

// libnghttp2's deflater, one fresh deflater (4096-octet table) per story.
void BM_hpack_encode_nghttp2(benchmark::State& state) {
  const auto& corpus = encode_corpus();
  std::vector<std::uint8_t> out(corpus.max_block_bound);
  std::size_t compressed = 0;
  for (auto _ : state) {
    compressed = 0;
    for (const auto& story : corpus.theirs) {
      nghttp2_hd_deflater* deflater = nullptr;
      if (nghttp2_hd_deflate_new(&deflater, h2push::hpack::kDefaultTableSize) != 0) {
        state.SkipWithError("nghttp2_hd_deflate_new failed");
        return;
      }
      for (const auto& nva : story) {
        const auto rv = nghttp2_hd_deflate_hd(deflater, out.data(), out.size(), nva.data(), nva.size());
        if (rv < 0) {
          nghttp2_hd_deflate_del(deflater);
          state.SkipWithError("nghttp2_hd_deflate_hd failed");
          return;
        }
        compressed += static_cast<std::size_t>(rv);
      }
      nghttp2_hd_deflate_del(deflater);
    }
    benchmark::DoNotOptimize(out.data());
  }
  const auto headers = static_cast<double>(corpus.headers) * static_cast<double>(state.iterations());
  state.counters["headers"] = Counter(headers, Counter::kIsRate);
  state.counters["compressed_bytes"] = Counter(static_cast<double>(compressed));
}
BENCHMARK(BM_hpack_encode_nghttp2)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
