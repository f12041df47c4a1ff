//===- Allocator.h - Buffers of compiled code, kept for reuse ---*- C++ -*-===//
//
// Compiled models allocate every intermediate buffer through the runtime
// (the allocate/deallocate services of kiln/abi.h). Freed blocks are kept
// by size class and handed out again, so that a model run in a loop stops
// paying for malloc's mmap/munmap of large blocks: page faults and the
// kernel's zeroing of fresh pages on every run.
//
// Every block is plain aligned_alloc memory: a block that leaves the
// allocator (a model's result, adopted by a kiln_tensor) is freed later
// with free(), like any other.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_ALLOCATOR_H
#define KILN_RUNTIME_ALLOCATOR_H

#include <cstddef>
#include <cstdint>

namespace kiln::rt {

/// The allocate service: `size` bytes aligned to `alignment` (a power of
/// two; 0 means the default of 64 bytes); null when out of memory. The
/// block may be bigger than asked (its size class).
void *cachedAllocate(uint64_t size, uint64_t alignment);

/// The deallocate service: returns a block to the cache, or to the system
/// when the cache is full. Pointers the allocator did not hand out (or
/// already released to a caller) go to free(); null is ignored.
void cachedDeallocate(void *block);

/// The block leaves the allocator: whoever holds it now frees it with free().
void releaseToCaller(void *block);

/// Frees every cached block (not the ones in use).
void trimCache();

/// Caps the bytes kept in the cache (0: keep nothing); trims to the new cap.
/// The default is KILN_CACHE_LIMIT_MB megabytes, else kDefaultCacheLimitMB.
void setCacheLimit(size_t bytes);
size_t cacheLimit();
constexpr size_t kDefaultCacheLimitMB = 1024;

/// The cap in bytes a KILN_CACHE_LIMIT_MB value asks for: a decimal number
/// of megabytes (0 turns caching off); the default when null or malformed.
size_t cacheLimitFromText(const char *text);

/// The size class a request of `size` bytes is served from.
size_t sizeClass(size_t size);

struct AllocatorStats {
  size_t cachedBytes = 0; ///< held in the cache, free for reuse
  size_t cachedBlocks = 0;
  size_t liveBlocks = 0; ///< handed out and not yet returned or released
  uint64_t reused = 0;   ///< allocations served from the cache
  uint64_t fresh = 0;    ///< allocations served by the system
};
AllocatorStats allocatorStats();

/// Open models, counted so that closing the last one trims the cache.
void modelOpened();
void modelClosed();

} // namespace kiln::rt

#endif // KILN_RUNTIME_ALLOCATOR_H
