// bench/alloc_counter.hpp: counts the heap allocations of a benchmark binary.
//
// alloc_counter.cpp replaces the global operator new/delete (every form) with versions that count each allocation
// and otherwise call malloc/free, and offers an nghttp2_mem that counts libnghttp2's allocations the same way. Link
// it into a benchmark binary through the h2push_bench_alloc object library (bench/CMakeLists.txt); an object
// library, not a static one, so that the replacement is always linked in.
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <cstdint>

namespace h2push::bench {

// Allocations counted since the process started (operator new in every form, and counting_nghttp2_mem()).
std::uint64_t heap_allocations() noexcept;

// An allocator for nghttp2_session_*_new3() / nghttp2_hd_*_new2() that counts its malloc, calloc and realloc
// calls into heap_allocations(). Static storage; valid for the whole run.
nghttp2_mem* counting_nghttp2_mem() noexcept;

}  // namespace h2push::bench
