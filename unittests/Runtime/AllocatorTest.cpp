//===- AllocatorTest.cpp - The runtime's caching allocator ----------------===//
//
// The allocator compiled models get their buffers from (runtime/src/
// Allocator.h): blocks come back for reuse, the cache stays under its cap,
// many threads can use it at once, blocks that leave it (model results) are
// plain malloc'd memory, and a compiled model run twice reuses its
// intermediate buffers and leaks none. Under the sanitizer build every
// block's use is checked by ASan.
//
//===----------------------------------------------------------------------===//

#include "Allocator.h"
#include "kiln/runtime.h"
#include "kiln/runtime.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace kiln::rt;

namespace {

/// Restores the cache limit (and empties the cache) when a test ends.
struct LimitScope {
  size_t saved = cacheLimit();
  explicit LimitScope(size_t bytes) {
    trimCache();
    setCacheLimit(bytes);
  }
  ~LimitScope() {
    setCacheLimit(saved);
    trimCache();
  }
};

bool aligned64(const void *p) { return ((uintptr_t)p & 63) == 0; }

TEST(Allocator, SizeClassesBoundTheWaste) {
  EXPECT_EQ(sizeClass(0), 64u);
  EXPECT_EQ(sizeClass(1), 64u);
  EXPECT_EQ(sizeClass(64), 64u);
  EXPECT_EQ(sizeClass(65), 128u);
  for (size_t size :
       {size_t(1000), size_t(1025), size_t(4097), size_t(49216),
        size_t(1) << 20, (size_t(1) << 20) + 1, size_t(123456789)}) {
    size_t c = sizeClass(size);
    EXPECT_GE(c, size);
    EXPECT_LE(c, size + size / 4 + 64) << size;
    EXPECT_EQ(c % 64, 0u) << size;
    // Every size of a class is served from that class.
    EXPECT_EQ(sizeClass(c), c);
  }
}

TEST(Allocator, ReusesFreedBlocksOfTheSameClass) {
  LimitScope scope(64 << 20);
  AllocatorStats before = allocatorStats();
  void *a = cachedAllocate(100000, 0);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(aligned64(a));
  std::memset(a, 0x5a, 100000);
  cachedDeallocate(a);
  EXPECT_EQ(allocatorStats().cachedBytes, sizeClass(100000));
  // A slightly different size of the same class gets the same block back.
  ASSERT_EQ(sizeClass(99000), sizeClass(100000));
  void *b = cachedAllocate(99000, 32);
  EXPECT_EQ(b, a);
  // Another class does not.
  void *c = cachedAllocate(300000, 0);
  EXPECT_NE(c, a);
  AllocatorStats after = allocatorStats();
  EXPECT_EQ(after.reused - before.reused, 1u);
  EXPECT_EQ(after.fresh - before.fresh, 2u);
  EXPECT_EQ(after.liveBlocks - before.liveBlocks, 2u);
  cachedDeallocate(b);
  cachedDeallocate(c);
  EXPECT_EQ(allocatorStats().liveBlocks, before.liveBlocks);
  trimCache();
  EXPECT_EQ(allocatorStats().cachedBytes, 0u);
  EXPECT_EQ(allocatorStats().cachedBlocks, 0u);
}

TEST(Allocator, HonorsTheCacheLimit) {
  LimitScope scope(1 << 20);
  std::vector<void *> blocks;
  for (int i = 0; i < 6; ++i)
    blocks.push_back(cachedAllocate(300 << 10, 0));
  for (void *p : blocks)
    cachedDeallocate(p);
  AllocatorStats s = allocatorStats();
  EXPECT_LE(s.cachedBytes, size_t(1) << 20);
  EXPECT_EQ(s.cachedBlocks, (size_t(1) << 20) / sizeClass(300 << 10));
  // Lowering the limit trims; a limit of 0 caches nothing.
  setCacheLimit(0);
  EXPECT_EQ(allocatorStats().cachedBytes, 0u);
  void *p = cachedAllocate(4096, 0);
  cachedDeallocate(p);
  EXPECT_EQ(allocatorStats().cachedBytes, 0u);
}

TEST(Allocator, ReadsTheLimitFromTheEnvironmentFormat) {
  size_t fallback = kDefaultCacheLimitMB << 20;
  EXPECT_EQ(cacheLimitFromText(nullptr), fallback);
  EXPECT_EQ(cacheLimitFromText(""), fallback);
  EXPECT_EQ(cacheLimitFromText("0"), 0u);
  EXPECT_EQ(cacheLimitFromText("256"), size_t(256) << 20);
  EXPECT_EQ(cacheLimitFromText("-1"), fallback);
  EXPECT_EQ(cacheLimitFromText("12abc"), fallback);
  EXPECT_EQ(cacheLimitFromText(" 12"), fallback);
  EXPECT_EQ(cacheLimitFromText("99999999999999999999999"), fallback);
}

TEST(Allocator, RefusesWhatItCannotServe) {
  EXPECT_EQ(cachedAllocate(64, 48), nullptr); // not a power of two
  EXPECT_EQ(cachedAllocate(~uint64_t(0), 0), nullptr);
  // Larger alignments are served, uncached, and freed like the rest.
  void *p = cachedAllocate(1000, 4096);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ((uintptr_t)p % 4096, 0u);
  cachedDeallocate(p);
  cachedDeallocate(nullptr);
}

TEST(Allocator, BlocksReleasedToACallerAreFreedWithFree) {
  LimitScope scope(64 << 20);
  AllocatorStats before = allocatorStats();
  void *p = cachedAllocate(5000, 0);
  std::memset(p, 1, 5000);
  releaseToCaller(p);
  EXPECT_EQ(allocatorStats().liveBlocks, before.liveBlocks);
  // Plain malloc'd memory: free() takes it (ASan checks this in the
  // sanitizer build), and it never comes back out of the cache.
  std::free(p);
  EXPECT_EQ(allocatorStats().cachedBytes, 0u);
  // A pointer the allocator never handed out goes to free() too.
  cachedDeallocate(std::malloc(100));
  EXPECT_EQ(allocatorStats().cachedBytes, 0u);
}

TEST(Allocator, IsThreadSafe) {
  LimitScope scope(8 << 20);
  AllocatorStats before = allocatorStats();
  constexpr int kThreads = 6, kRounds = 400;
  std::vector<int> errors(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([t, &errors] {
      std::vector<std::pair<unsigned char *, size_t>> held;
      for (int i = 0; i < kRounds; ++i) {
        size_t size = 64 + ((size_t)(i * 7919 + t * 104729) % 20000);
        auto *p = (unsigned char *)cachedAllocate(size, 0);
        if (!p) {
          ++errors[t];
          continue;
        }
        std::memset(p, t + 1, size);
        held.push_back({p, size});
        // Free every other block at once, the rest later: blocks move
        // between threads through the cache.
        if (i % 2 == 0 || held.size() > 8) {
          auto [q, n] = held.front();
          held.erase(held.begin());
          // Nobody else wrote into a block this thread holds.
          for (size_t k = 0; k < n; ++k)
            if (q[k] != t + 1) {
              ++errors[t];
              break;
            }
          cachedDeallocate(q);
        }
      }
      for (auto [q, n] : held)
        cachedDeallocate(q);
    });
  for (std::thread &t : threads)
    t.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(errors[t], 0) << "thread " << t;
  AllocatorStats after = allocatorStats();
  EXPECT_EQ(after.liveBlocks, before.liveBlocks);
  EXPECT_GT(after.reused, before.reused);
  EXPECT_LE(after.cachedBytes, size_t(8) << 20);
}

std::string model(const std::string &name) {
  return std::string(KILN_TEST_MODELS) + "/" + name;
}

TEST(Allocator, CompiledModelsReuseTheirBuffers) {
  LimitScope scope(64 << 20);
  std::vector<float> a(96 * 128), b(128 * 128);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = std::sin(0.01f * i);
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = std::cos(0.02f * i) / 16;
  // The reference, in double: (a b) b.
  std::vector<double> ab(96 * 128, 0.0), want(96 * 128, 0.0);
  for (int i = 0; i < 96; ++i)
    for (int k = 0; k < 128; ++k)
      for (int j = 0; j < 128; ++j)
        ab[i * 128 + j] += (double)a[i * 128 + k] * b[k * 128 + j];
  for (int i = 0; i < 96; ++i)
    for (int k = 0; k < 128; ++k)
      for (int j = 0; j < 128; ++j)
        want[i * 128 + j] += ab[i * 128 + k] * b[k * 128 + j];

  AllocatorStats start = allocatorStats();
  {
    kiln::Model m(model("chain.so"));
    kiln::Tensor at =
        kiln::Tensor::wrap(KILN_DTYPE_F32, {96, 128}, a.data(), a.size());
    kiln::Tensor bt =
        kiln::Tensor::wrap(KILN_DTYPE_F32, {128, 128}, b.data(), b.size());
    std::vector<kiln::Tensor> first = m.run({&at, &bt});
    AllocatorStats afterFirst = allocatorStats();
    // The compiled code allocated through the runtime: the intermediate is
    // cached, the result left the allocator for its tensor.
    EXPECT_GE(afterFirst.fresh - start.fresh, 2u);
    EXPECT_GT(afterFirst.cachedBytes, 0u);
    EXPECT_EQ(afterFirst.liveBlocks, start.liveBlocks);

    std::vector<kiln::Tensor> second = m.run({&at, &bt});
    AllocatorStats afterSecond = allocatorStats();
    EXPECT_GE(afterSecond.reused - afterFirst.reused, 1u);
    EXPECT_EQ(afterSecond.liveBlocks, start.liveBlocks);
    // The first result is still the caller's: the second run did not get its
    // block, and both are right.
    EXPECT_NE(first[0].data<float>(), second[0].data<float>());
    for (const std::vector<kiln::Tensor> *out : {&first, &second})
      for (size_t i = 0; i < want.size(); ++i)
        ASSERT_NEAR((*out)[0].data<float>()[i], want[i],
                    1e-4 * (1 + std::fabs(want[i])))
            << "element " << i;
  }
  // Closing the last open model empties the cache.
  EXPECT_EQ(allocatorStats().cachedBytes, 0u);
}

} // namespace
