// Memory for the trace's big append-only stores, taken from the system in whole pages. Blocks of
// kLargePage bytes or more are aligned to a large page and offered to the kernel as transparent huge
// pages (Linux madvise), so a growing trace takes one page fault per 2 MiB instead of one per 4 KiB:
// on virtual machines a fault costs microseconds, and a long run touches hundreds of MiB.
#pragma once
#include <cstddef>

namespace postlab {

inline constexpr std::size_t kLargePage = std::size_t{2} << 20;

// Page-aligned raw memory (the caller constructs what it keeps there); throws std::bad_alloc when
// the system has none.
void* allocate_pages(std::size_t bytes);
void free_pages(void* block, std::size_t bytes) noexcept;

}  // namespace postlab
