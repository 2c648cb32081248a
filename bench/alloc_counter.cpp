// bench/alloc_counter.cpp: the counting operator new/delete and nghttp2_mem of alloc_counter.hpp.
#include "alloc_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<std::uint64_t> g_heap_allocations{0};

void count() noexcept { g_heap_allocations.fetch_add(1, std::memory_order_relaxed); }

void* counted_malloc(std::size_t size) noexcept {
  count();
  return std::malloc(size == 0 ? 1 : size);
}

void* counted_aligned_alloc(std::size_t size, std::align_val_t alignment) noexcept {
  count();
  const auto align = static_cast<std::size_t>(alignment);
  const std::size_t rounded = (size + align - 1) / align * align;  // aligned_alloc wants a multiple
  return std::aligned_alloc(align, rounded == 0 ? align : rounded);
}

// Out of line so that the compiler does not pair a free() it can see with an operator new it can see and warn
// (-Wmismatched-new-delete): the replaced operator new below does allocate with malloc.
[[gnu::noinline]] void release(void* p) noexcept { std::free(p); }

void* nghttp2_counted_malloc(std::size_t size, void*) { return counted_malloc(size); }
void nghttp2_counted_free(void* p, void*) { std::free(p); }
void* nghttp2_counted_calloc(std::size_t n, std::size_t size, void*) {
  count();
  return std::calloc(n, size);
}
void* nghttp2_counted_realloc(void* p, std::size_t size, void*) {
  count();
  return std::realloc(p, size);
}

nghttp2_mem g_nghttp2_mem = {nullptr, nghttp2_counted_malloc, nghttp2_counted_free, nghttp2_counted_calloc,
                             nghttp2_counted_realloc};

}  // namespace

namespace h2push::bench {

std::uint64_t heap_allocations() noexcept { return g_heap_allocations.load(std::memory_order_relaxed); }

nghttp2_mem* counting_nghttp2_mem() noexcept { return &g_nghttp2_mem; }

}  // namespace h2push::bench

// Every C++ heap allocation of the process goes through these, so a benchmark can count its own.
void* operator new(std::size_t size) {
  if (void* p = counted_malloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = counted_malloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted_malloc(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted_malloc(size); }
void* operator new(std::size_t size, std::align_val_t alignment) {
  if (void* p = counted_aligned_alloc(size, alignment)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  if (void* p = counted_aligned_alloc(size, alignment)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }
