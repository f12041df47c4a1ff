//===- ThreadPool.cpp - The pool compiled models' loops run on ------------===//
//
// A loop is cut into chunks (several per thread), and the chunks into one
// contiguous group per participant: the caller takes group 0, worker i group
// i + 1. Each participant runs its own group from the front, then takes
// chunks from the back of the others' groups until none is left; the caller
// waits for the last chunk to finish. Each group's claims are one word
// holding the loop's generation and the group's front and back, changed by
// compare-and-swap, so a worker that wakes late can never claim a chunk of
// a later loop with the context of an earlier one. Chunk boundaries are
// static (a function of the range and the thread count); which thread runs
// a chunk is not, except that without stealing a thread runs its own group.
//
// Why this shape. Compiled models run tens of parallel loops per inference,
// separated by short serial stretches:
//  - Waking a sleeping thread through the kernel costs tens of microseconds
//    (more in a virtual machine), as much as a small loop takes, and a
//    worker that woke late holding half of a loop made the caller wait for
//    it: two threads were slower than one. Workers now spin (with a pause)
//    for a while after each loop before they sleep on the condition
//    variable, and the caller signals only when one sleeps; the caller
//    spins while the last chunks finish, then sleeps.
//  - Several chunks per thread let the others finish the share of a worker
//    that arrives late (or is preempted on a shared machine).
//  - Own groups first keep a thread on the same part of consecutive loops
//    over the same data (a fill, then the convolution reading it), so that
//    the data stays in that core's cache. With first-come claims the
//    halves swapped between loops at random and every loop read the other
//    core's cache: memory-bound loops ran slower on two threads than on one.
// The spin time is KILN_POOL_SPIN_US microseconds (default kDefaultSpinUs;
// 0 sleeps at once, like OpenMP's passive wait policy).
//
//===----------------------------------------------------------------------===//

#include "ThreadPool.h"
#include "Allocator.h"
#include "Checks.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

using namespace kiln::rt;

namespace {

/// How long a worker keeps watching for the next loop before it sleeps, and
/// the caller for the last chunks before it sleeps.
constexpr int64_t kDefaultSpinUs = 200;
constexpr int64_t kMaxSpinUs = 1000000;
/// Chunks per participating thread.
constexpr int64_t kChunksPerThread = 4;

int64_t spinFromEnvironment() {
  if (const char *env = std::getenv("KILN_POOL_SPIN_US")) {
    char *end = nullptr;
    long long v = std::strtoll(env, &end, 10);
    if (end != env && *end == '\0' && v >= 0)
      return (int64_t)std::min<long long>(v, kMaxSpinUs);
  }
  return kDefaultSpinUs;
}

std::atomic<int64_t> &spinSetting() {
  static std::atomic<int64_t> us{spinFromEnvironment()};
  return us;
}

int64_t spinMicroseconds() {
  return spinSetting().load(std::memory_order_relaxed);
}

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#else
  std::this_thread::yield();
#endif
}

/// Spins until `ready()` or until `us` microseconds have passed; returns
/// whether `ready()` held.
template <typename Ready> bool spinUntil(Ready ready, int64_t us) {
  if (ready())
    return true;
  if (us <= 0)
    return false;
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::microseconds(us);
  for (;;) {
    // Reading the clock costs about as much as a few pauses.
    for (int i = 0; i < 32; ++i) {
      cpuRelax();
      if (ready())
        return true;
    }
    if (Clock::now() >= deadline)
      return false;
  }
}

/// One participant's group of chunks: (generation << 32) | (front << 16) |
/// back, chunk indices relative to the group's first (a group holds at most
/// kChunksPerThread + 1 chunks). On its own cache line.
struct alignas(64) Group {
  std::atomic<uint64_t> word{0};
};

class Pool {
public:
  ~Pool() { resize(0); }

  void resize(int workers) {
    std::lock_guard<std::mutex> run(runMutex);
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping.store(true);
    }
    wake.notify_all();
    for (std::thread &t : threads)
      t.join();
    threads.clear();
    stopping.store(false);
    workerCount = workers;
    groups.reset(new Group[workers + 1]);
    for (int i = 0; i < workers; ++i)
      threads.emplace_back([this, i] { work(i + 1); });
  }

  void run(kiln_abi_loop_body body, void *context, int64_t begin, int64_t end) {
    int64_t n = end - begin;
    if (n <= 0)
      return;
    // Nested loops, loops on another thread while one runs, and loops with
    // no workers run here and now.
    std::unique_lock<std::mutex> running(runMutex, std::try_to_lock);
    if (insideChunk || !running.owns_lock() || workerCount == 0 || n == 1) {
      body(context, begin, end);
      return;
    }
    int64_t parts = workerCount + 1;
    int64_t chunks = std::min<int64_t>(n, parts * kChunksPerThread);
    bool sleeping;
    {
      std::lock_guard<std::mutex> lock(mutex);
      uint64_t next = generation.load(std::memory_order_relaxed) + 1;
      job = {body, context, begin, n, chunks, parts, next};
      pending.store(chunks, std::memory_order_relaxed);
      for (int64_t g = 0; g < parts; ++g)
        groups[g].word.store(
            ((next & 0xffffffff) << 32) |
                (uint64_t)(groupStart(job, g + 1) - groupStart(job, g)),
            std::memory_order_relaxed);
      generation.store(next, std::memory_order_release);
      sleeping = sleepers > 0;
    }
    if (sleeping)
      wake.notify_all();
    runChunks(0);
    if (spinUntil([&] { return pending.load(std::memory_order_acquire) == 0; },
                  spinMicroseconds()))
      return;
    std::unique_lock<std::mutex> lock(mutex);
    done.wait(lock,
              [&] { return pending.load(std::memory_order_acquire) == 0; });
  }

private:
  struct Job {
    kiln_abi_loop_body body;
    void *context;
    int64_t begin, count, chunks, parts;
    uint64_t generation;
  };

  /// The first chunk of participant `g`'s group (g == parts: the end).
  static int64_t groupStart(const Job &job, int64_t g) {
    return job.chunks * g / job.parts;
  }

  /// Claims a chunk of group `g` of job `job`: its front one if `own`, else
  /// its back one. Returns the chunk's index in the loop, or -1 when the
  /// group is empty or a later job has replaced this one.
  int64_t claim(const Job &job, int64_t g, bool own) {
    std::atomic<uint64_t> &word = groups[g].word;
    uint64_t state = word.load(std::memory_order_relaxed);
    for (;;) {
      if ((state >> 32) != (job.generation & 0xffffffff))
        return -1;
      uint64_t front = (state >> 16) & 0xffff, back = state & 0xffff;
      if (front >= back)
        return -1;
      uint64_t next = own ? state + (1 << 16) : state - 1;
      if (word.compare_exchange_weak(state, next, std::memory_order_acq_rel,
                                     std::memory_order_relaxed))
        return groupStart(job, g) + (int64_t)(own ? front : back - 1);
    }
  }

  void runChunk(const Job &job, int64_t c) {
    int64_t lo = job.begin + job.count * c / job.chunks;
    int64_t hi = job.begin + job.count * (c + 1) / job.chunks;
    job.body(job.context, lo, hi);
    if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // The caller may be asleep in run(); it may also have seen the count
      // reach zero and returned already, which is harmless.
      std::lock_guard<std::mutex> lock(mutex);
      done.notify_all();
    }
  }

  /// Runs participant `self`'s group, then what is left of the others'.
  void runChunks(int64_t self) {
    Job current;
    {
      std::lock_guard<std::mutex> lock(mutex);
      current = job;
    }
    if (self >= current.parts)
      return;
    insideChunk = true;
    for (int64_t c; (c = claim(current, self, /*own=*/true)) >= 0;)
      runChunk(current, c);
    for (int64_t i = 1; i < current.parts; ++i) {
      int64_t victim = (self + i) % current.parts;
      for (int64_t c; (c = claim(current, victim, /*own=*/false)) >= 0;)
        runChunk(current, c);
    }
    insideChunk = false;
  }

  void work(int64_t self) {
    // resize() holds runMutex: no loop is published while workers start.
    uint64_t seen = generation.load(std::memory_order_acquire);
    for (;;) {
      auto ready = [&] {
        return stopping.load(std::memory_order_acquire) ||
               generation.load(std::memory_order_acquire) != seen;
      };
      if (!spinUntil(ready, spinMicroseconds())) {
        std::unique_lock<std::mutex> lock(mutex);
        ++sleepers;
        wake.wait(lock, ready);
        --sleepers;
      }
      if (stopping.load(std::memory_order_acquire))
        return;
      seen = generation.load(std::memory_order_acquire);
      runChunks(self);
    }
  }

  std::mutex runMutex; ///< held by the thread whose loop the pool runs
  std::mutex mutex;    ///< guards job and sleepers; orders sleeping
  std::condition_variable wake, done;
  std::vector<std::thread> threads;
  int workerCount = 0;
  int sleepers = 0; ///< workers waiting on `wake`
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> generation{0};
  Job job{};
  std::unique_ptr<Group[]> groups{new Group[1]};
  std::atomic<int64_t> pending{0};
  static thread_local bool insideChunk;
};

thread_local bool Pool::insideChunk = false;

Pool &pool() {
  static Pool instance;
  return instance;
}

std::once_flag started;
std::atomic<int> configured{0};

void ensureStarted() {
  std::call_once(started, [] {
    int threads = configured ? configured.load() : defaultThreadCount();
    pool().resize(std::max(1, threads) - 1);
  });
}

void parallelForEntry(kiln_abi_loop_body body, void *context, int64_t begin,
                      int64_t end) {
  parallelFor(body, context, begin, end);
}

const kiln_abi_runtime services = {KILN_ABI_VERSION, 0,
                                   parallelForEntry, failRun,
                                   cachedAllocate,   cachedDeallocate};

} // namespace

const kiln_abi_runtime *kiln::rt::runtimeServices() { return &services; }

void kiln::rt::parallelFor(kiln_abi_loop_body body, void *context,
                           int64_t begin, int64_t end) {
  ensureStarted();
  pool().run(body, context, begin, end);
}

void kiln::rt::setPoolSpinMicroseconds(int64_t us) {
  spinSetting().store(std::clamp<int64_t>(us, 0, kMaxSpinUs));
}

void kiln::rt::setPoolThreads(int threads) {
  configured = std::max(1, threads);
  bool fresh = false;
  std::call_once(started, [&] {
    pool().resize(configured - 1);
    fresh = true;
  });
  if (!fresh)
    pool().resize(configured - 1);
}
