// File: huge_pages.cc
#include "util/huge_pages.h"

#include <sys/mman.h>

namespace trawl {
namespace {
constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
}  // namespace

void* MapMemory(size_t* size) {
  if (*size < kHugePage) {
    void* memory = mmap(nullptr, *size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    return memory == MAP_FAILED ? nullptr : memory;
  }
  // Over-map by one huge page, then trim to a 2 MiB-aligned range.
  const size_t rounded = (*size + kHugePage - 1) / kHugePage * kHugePage;
  void* raw = mmap(nullptr, rounded + kHugePage, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto base = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (base + kHugePage - 1) & ~(kHugePage - 1);
  if (aligned > base) munmap(raw, aligned - base);
  const uintptr_t end = base + rounded + kHugePage;
  if (end > aligned + rounded) {
    munmap(reinterpret_cast<void*>(aligned + rounded), end - (aligned + rounded));
  }
  void* memory = reinterpret_cast<void*>(aligned);
  madvise(memory, rounded, MADV_HUGEPAGE);  // advice only: small pages if refused
  *size = rounded;
  return memory;
}

void UnmapMemory(void* memory, size_t size) {
  if (memory != nullptr) munmap(memory, size);
}

void AdviseHugePages(const void* begin, size_t bytes) {
  const auto start = reinterpret_cast<uintptr_t>(begin);
  const uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t end = start + bytes;
  if (end > aligned + kHugePage) {
    madvise(reinterpret_cast<void*>(aligned), (end - aligned) & ~(kHugePage - 1), MADV_HUGEPAGE);
  }
}

}  // namespace trawl
