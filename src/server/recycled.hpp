// src/server/recycled.hpp: class-specific operator new/delete that keep freed blocks of one class on a per-thread
// free list, for objects made and dropped once per response (body sources): a burst of responses then costs no
// trip through malloc's slower paths. Bounded: past kMaxFree blocks per thread, freeing goes to the global delete.
#pragma once

#include <cstddef>
#include <new>

// Under AddressSanitizer every block goes to the global new/delete, so a use after free is still caught.
#if defined(__SANITIZE_ADDRESS__)
#define H2PUSH_RECYCLE_BLOCKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define H2PUSH_RECYCLE_BLOCKS 0
#endif
#endif
#ifndef H2PUSH_RECYCLE_BLOCKS
#define H2PUSH_RECYCLE_BLOCKS 1
#endif

namespace h2push::server {

template <class T>
class Recycled {
 public:
  // False under AddressSanitizer: blocks are not kept.
  static constexpr bool kRecycles = H2PUSH_RECYCLE_BLOCKS != 0;

  static void* operator new(std::size_t size) {
    static_assert(sizeof(T) >= sizeof(Block), "a freed object holds the list's link");
    FreeList& list = free_list();
    if (size == sizeof(T) && list.head != nullptr) {
      Block* block = list.head;
      list.head = block->next;
      --list.count;
      return block;
    }
    return ::operator new(size);
  }
  static void operator delete(void* p, std::size_t size) noexcept {
    if (p == nullptr) return;
    FreeList& list = free_list();
    if (size == sizeof(T) && list.count < kMaxFree) {
      list.head = new (p) Block{list.head};
      ++list.count;
      return;
    }
    ::operator delete(p, size);
  }

 private:
  static constexpr std::size_t kMaxFree = H2PUSH_RECYCLE_BLOCKS ? 256 : 0;
  struct Block {
    Block* next;
  };
  struct FreeList {
    Block* head = nullptr;
    std::size_t count = 0;
    FreeList() = default;
    FreeList(const FreeList&) = delete;
    FreeList& operator=(const FreeList&) = delete;
    ~FreeList() {
      while (head != nullptr) {
        Block* next = head->next;
        ::operator delete(static_cast<void*>(head), sizeof(T));
        head = next;
      }
    }
  };
  static FreeList& free_list() noexcept {
    thread_local FreeList list;
    return list;
  }
};

}  // namespace h2push::server
