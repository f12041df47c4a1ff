//===- Allocator.cpp - Buffers of compiled code, kept for reuse -----------===//
//
// One process-wide cache behind a mutex: a map of the blocks handed out
// (block -> size class) and a LIFO list of free blocks per size class, the
// most recently freed first (its pages are the likeliest still in cache).
// A model run allocates a few hundred buffers at most, so one lock costs
// nothing next to the work between allocations; the point is that a block
// of a size the model asked for before comes back without a system call.
//
// Classes: multiples of 64 bytes up to 1 KiB, then four per power of two
// (at most 25% more than asked). The cache holds at most cacheLimit()
// bytes; a block freed beyond that goes back to the system.
//
//===----------------------------------------------------------------------===//

#include "Allocator.h"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

using namespace kiln::rt;

namespace {

constexpr size_t kAlignment = 64;
/// Requests above this are refused rather than overflow a class size.
constexpr size_t kMaxRequest = size_t(1) << 48;

size_t limitFromEnvironment() {
  return cacheLimitFromText(std::getenv("KILN_CACHE_LIMIT_MB"));
}

class Cache {
public:
  void *allocate(size_t size, size_t alignment) {
    if (alignment == 0)
      alignment = kAlignment;
    if ((alignment & (alignment - 1)) || size > kMaxRequest)
      return nullptr;
    if (alignment > kAlignment) {
      // Rare (nothing Kiln emits asks for it): served and freed uncached.
      return std::aligned_alloc(alignment,
                                (size + alignment - 1) / alignment * alignment);
    }
    size_t bytes = sizeClass(size);
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = freeBlocks.find(bytes);
      if (it != freeBlocks.end() && !it->second.empty()) {
        void *block = it->second.back();
        it->second.pop_back();
        cachedBytes -= bytes;
        --cachedBlocks;
        ++reused;
        live[block] = bytes;
        return block;
      }
    }
    void *block = std::aligned_alloc(kAlignment, bytes);
    if (!block) {
      // The cache may be what stands between us and the memory.
      trim();
      block = std::aligned_alloc(kAlignment, bytes);
      if (!block)
        return nullptr;
    }
    std::lock_guard<std::mutex> lock(mutex);
    ++fresh;
    // Assigned, not inserted: an entry for this address left by a block that
    // escaped without releaseToCaller must not keep its old size.
    live[block] = bytes;
    return block;
  }

  void deallocate(void *block) {
    if (!block)
      return;
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = live.find(block);
      if (it != live.end()) {
        size_t bytes = it->second;
        live.erase(it);
        if (cachedBytes + bytes <= limit) {
          freeBlocks[bytes].push_back(block);
          cachedBytes += bytes;
          ++cachedBlocks;
          return;
        }
      }
    }
    std::free(block);
  }

  void release(void *block) {
    std::lock_guard<std::mutex> lock(mutex);
    live.erase(block);
  }

  void trim() {
    std::unordered_map<size_t, std::vector<void *>> dropped;
    {
      std::lock_guard<std::mutex> lock(mutex);
      dropped.swap(freeBlocks);
      cachedBytes = 0;
      cachedBlocks = 0;
    }
    for (auto &entry : dropped)
      for (void *block : entry.second)
        std::free(block);
  }

  void setLimit(size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      limit = bytes;
      if (cachedBytes <= limit)
        return;
    }
    trim();
  }

  size_t getLimit() {
    std::lock_guard<std::mutex> lock(mutex);
    return limit;
  }

  AllocatorStats stats() {
    std::lock_guard<std::mutex> lock(mutex);
    AllocatorStats s;
    s.cachedBytes = cachedBytes;
    s.cachedBlocks = cachedBlocks;
    s.liveBlocks = live.size();
    s.reused = reused;
    s.fresh = fresh;
    return s;
  }

private:
  std::mutex mutex;
  std::unordered_map<void *, size_t> live;
  std::unordered_map<size_t, std::vector<void *>> freeBlocks;
  size_t cachedBytes = 0, cachedBlocks = 0;
  size_t limit = limitFromEnvironment();
  uint64_t reused = 0, fresh = 0;
};

/// Never destroyed: compiled code may free a block while other static
/// objects are torn down at exit. Only the cached blocks go at exit.
Cache &cache() {
  static Cache *instance = new Cache;
  return *instance;
}

struct TrimAtExit {
  TrimAtExit() { cache(); }
  ~TrimAtExit() { cache().trim(); }
} trimAtExit;

std::atomic<long> openModels{0};

} // namespace

size_t kiln::rt::cacheLimitFromText(const char *text) {
  // A malformed value must not turn the cache off (or up) by surprise.
  size_t fallback = kDefaultCacheLimitMB << 20;
  if (!text || *text < '0' || *text > '9')
    return fallback;
  char *end = nullptr;
  errno = 0;
  unsigned long long mb = std::strtoull(text, &end, 10);
  if (errno || *end || mb > (kMaxRequest >> 20))
    return fallback;
  return (size_t)mb << 20;
}

size_t kiln::rt::sizeClass(size_t size) {
  if (size <= 1024)
    return size == 0 ? kAlignment
                     : (size + kAlignment - 1) / kAlignment * kAlignment;
  // Four classes per power of two: round up to a quarter of the highest
  // power of two at or below size.
  size_t power = size_t(1) << (63 - __builtin_clzll((unsigned long long)size));
  size_t step = power / 4;
  return (size + step - 1) / step * step;
}

void *kiln::rt::cachedAllocate(uint64_t size, uint64_t alignment) {
  return cache().allocate((size_t)size, (size_t)alignment);
}

void kiln::rt::cachedDeallocate(void *block) { cache().deallocate(block); }

void kiln::rt::releaseToCaller(void *block) {
  if (block)
    cache().release(block);
}

void kiln::rt::trimCache() { cache().trim(); }

void kiln::rt::setCacheLimit(size_t bytes) { cache().setLimit(bytes); }

size_t kiln::rt::cacheLimit() { return cache().getLimit(); }

AllocatorStats kiln::rt::allocatorStats() { return cache().stats(); }

void kiln::rt::modelOpened() { ++openModels; }

void kiln::rt::modelClosed() {
  if (--openModels == 0)
    trimCache();
}
