#include "core/pages.h"

#include <cstdint>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace postlab {

#if defined(__linux__)

void* allocate_pages(std::size_t bytes) {
  if (bytes < kLargePage) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    return p;
  }
  // Map one large page more than asked, keep the aligned part, and give back the two ends.
  const std::size_t span = bytes + kLargePage;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + kLargePage - 1) & ~(std::uintptr_t{kLargePage} - 1);
  if (aligned > start) munmap(raw, aligned - start);
  const std::uintptr_t end = start + span, used_end = aligned + bytes;
  if (end > used_end) munmap(reinterpret_cast<void*>(used_end), end - used_end);
  void* block = reinterpret_cast<void*>(aligned);
#if defined(MADV_HUGEPAGE)
  madvise(block, bytes, MADV_HUGEPAGE);  // a hint: without huge pages the block still works
#endif
  return block;
}

void free_pages(void* block, std::size_t bytes) noexcept {
  if (block) munmap(block, bytes);
}

#else

void* allocate_pages(std::size_t bytes) {
  return ::operator new(bytes, std::align_val_t(4096));  // value-initialised by the caller's use
}

void free_pages(void* block, std::size_t) noexcept { ::operator delete(block, std::align_val_t(4096)); }

#endif

}  // namespace postlab
