//===- ThreadPoolTest.cpp - The pool compiled models' loops run on --------===//
//
// The runtime's parallel_for (runtime/src/ThreadPool.h): every iteration of
// a range runs exactly once whatever the thread count, chunks are disjoint
// and inside the range, loops nested in a chunk and loops started by several
// threads at once still cover their ranges, and long sequences of loops
// finish both when workers spin between loops and when they sleep (a lost
// wake-up would hang: a watchdog turns that into a failure). Under the
// sanitizer build ASan and UBSan watch every chunk.
//
//===----------------------------------------------------------------------===//

#include "ThreadPool.h"
#include "kiln/runtime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

using namespace kiln::rt;

namespace {

/// Ends the process with a message if the test is not done in time: a pool
/// that loses a wake-up hangs instead of failing.
class Watchdog {
public:
  explicit Watchdog(int seconds) {
    thread = std::thread([this, seconds] {
      std::unique_lock<std::mutex> lock(mutex);
      if (!cv.wait_for(lock, std::chrono::seconds(seconds),
                       [&] { return finished; })) {
        std::fprintf(stderr,
                     "ThreadPoolTest: no progress in %d s (a loop "
                     "never finished)\n",
                     seconds);
        std::_Exit(1);
      }
    });
  }
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      finished = true;
    }
    cv.notify_all();
    thread.join();
  }

private:
  std::mutex mutex;
  std::condition_variable cv;
  bool finished = false;
  std::thread thread;
};

/// Restores the default thread count and spin time when a test ends.
struct PoolScope {
  ~PoolScope() {
    setPoolSpinMicroseconds(200);
    kiln_set_num_threads(0);
  }
};

/// Counts how often each iteration of [begin, end) ran, and checks every
/// chunk lies inside the range.
struct Coverage {
  int64_t begin, end;
  std::vector<std::atomic<int>> hits;
  std::atomic<int> badChunks{0};
  std::atomic<int> chunks{0};
  Coverage(int64_t begin, int64_t end)
      : begin(begin), end(end), hits(end > begin ? end - begin : 0) {}

  static void body(void *context, int64_t lo, int64_t hi) {
    auto *self = static_cast<Coverage *>(context);
    self->chunks.fetch_add(1);
    if (lo >= hi || lo < self->begin || hi > self->end) {
      self->badChunks.fetch_add(1);
      return;
    }
    for (int64_t i = lo; i < hi; ++i)
      self->hits[i - self->begin].fetch_add(1);
  }

  /// Iterations that did not run exactly once.
  int64_t wrong() const {
    int64_t count = 0;
    for (const auto &h : hits)
      count += h.load() != 1;
    return count;
  }
};

TEST(ThreadPool, EveryIterationRunsOnce) {
  PoolScope scope;
  Watchdog watchdog(120);
  const int64_t ranges[][2] = {{0, 1},   {0, 2},    {0, 3},     {5, 12},
                               {-7, 9},  {0, 8},    {0, 9},     {0, 17},
                               {0, 100}, {3, 1003}, {0, 65536}, {0, 100003}};
  for (int threads : {1, 2, 3, 4, 7}) {
    ASSERT_EQ(kiln_set_num_threads(threads), KILN_OK);
    for (auto [begin, end] : ranges) {
      Coverage c(begin, end);
      parallelFor(Coverage::body, &c, begin, end);
      EXPECT_EQ(c.wrong(), 0)
          << threads << " threads, [" << begin << ", " << end << ")";
      EXPECT_EQ(c.badChunks.load(), 0);
      // A few chunks per thread, never one per iteration of a long loop.
      EXPECT_LE(c.chunks.load(), std::max<int64_t>(1, 4 * threads))
          << threads << " threads, [" << begin << ", " << end << ")";
    }
  }
}

TEST(ThreadPool, EmptyAndReversedRangesRunNothing) {
  PoolScope scope;
  ASSERT_EQ(kiln_set_num_threads(2), KILN_OK);
  Coverage c(0, 0);
  parallelFor(Coverage::body, &c, 0, 0);
  parallelFor(Coverage::body, &c, 10, 3);
  EXPECT_EQ(c.chunks.load(), 0);
}

/// A chunk that starts a loop of its own: it runs on the chunk's thread.
struct Nested {
  std::deque<Coverage> inner; // Coverage does not move
  static void body(void *context, int64_t lo, int64_t hi) {
    auto *self = static_cast<Nested *>(context);
    for (int64_t i = lo; i < hi; ++i)
      parallelFor(Coverage::body, &self->inner[i], 0, 50);
  }
};

TEST(ThreadPool, NestedLoopsCoverTheirRanges) {
  PoolScope scope;
  Watchdog watchdog(120);
  ASSERT_EQ(kiln_set_num_threads(3), KILN_OK);
  Nested nested;
  for (int i = 0; i < 40; ++i)
    nested.inner.emplace_back(0, 50);
  parallelFor(Nested::body, &nested, 0, 40);
  for (const Coverage &c : nested.inner)
    EXPECT_EQ(c.wrong(), 0);
}

TEST(ThreadPool, LoopsFromSeveralThreadsAtOnce) {
  PoolScope scope;
  Watchdog watchdog(120);
  ASSERT_EQ(kiln_set_num_threads(2), KILN_OK);
  std::atomic<int64_t> wrong{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        Coverage c(0, 64 + 17 * t + i % 13);
        parallelFor(Coverage::body, &c, c.begin, c.end);
        wrong += c.wrong() + c.badChunks.load();
      }
    });
  for (std::thread &t : callers)
    t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(ThreadPool, ManyLoopsWithAndWithoutSpinning) {
  PoolScope scope;
  Watchdog watchdog(300);
  // 0: workers sleep after every loop, so every loop wakes them (the path
  // a lost wake-up would hang); 1: they sometimes catch the next loop while
  // spinning, sometimes sleep; 200: they mostly spin.
  for (int64_t spin : {0, 1, 200}) {
    setPoolSpinMicroseconds(spin);
    for (int threads : {2, 3}) {
      ASSERT_EQ(kiln_set_num_threads(threads), KILN_OK);
      int64_t wrong = 0;
      for (int i = 0; i < 3000; ++i) {
        Coverage c(0, 2 + i % 97);
        parallelFor(Coverage::body, &c, c.begin, c.end);
        wrong += c.wrong() + c.badChunks.load();
      }
      EXPECT_EQ(wrong, 0) << "spin " << spin << " us, " << threads
                          << " threads";
    }
  }
}

TEST(ThreadPool, ResizingBetweenLoops) {
  PoolScope scope;
  Watchdog watchdog(120);
  int64_t wrong = 0;
  for (int i = 0; i < 60; ++i) {
    ASSERT_EQ(kiln_set_num_threads(1 + i % 4), KILN_OK);
    Coverage c(0, 1000);
    parallelFor(Coverage::body, &c, c.begin, c.end);
    wrong += c.wrong() + c.badChunks.load();
  }
  EXPECT_EQ(wrong, 0);
}

} // namespace
