//===- ThreadPool.cpp - The pool compiled models' loops run on ------------===//
//
// Workers sleep on a condition variable between loops. A loop publishes its
// body and range under a new generation number; each participant claims
// chunks until none is left, and the caller waits for the last chunk to
// finish. A claim is a compare-and-swap on one word holding the generation
// and the next chunk, so a worker that wakes late can never claim a chunk of
// a later loop with the context of an earlier one. Chunks are contiguous and
// static: the same thread count always splits a loop the same way.
//
//===----------------------------------------------------------------------===//

#include "ThreadPool.h"
#include "Checks.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

using namespace kiln::rt;

namespace {

class Pool {
public:
  ~Pool() { resize(0); }

  void resize(int workers) {
    std::lock_guard<std::mutex> run(runMutex);
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    for (std::thread &t : threads)
      t.join();
    threads.clear();
    stopping = false;
    for (int i = 0; i < workers; ++i)
      threads.emplace_back([this] { work(); });
    workerCount = workers;
  }

  void run(kiln_abi_loop_body body, void *context, int64_t begin,
           int64_t end) {
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
    int64_t chunks = std::min<int64_t>(n, workerCount + 1);
    {
      std::lock_guard<std::mutex> lock(mutex);
      ++generation;
      job = {body, context, begin, n, chunks, generation};
      pending = chunks;
      claims = (generation & 0xffffffff) << 32;
    }
    wake.notify_all();
    runChunks();
    std::unique_lock<std::mutex> lock(mutex);
    done.wait(lock, [&] { return pending == 0; });
  }

private:
  struct Job {
    kiln_abi_loop_body body;
    void *context;
    int64_t begin, count, chunks;
    uint64_t generation;
  };

  /// Claims the next chunk of job `generation`; -1 when none is left or a
  /// later job has replaced it.
  int64_t claim(uint64_t generation, int64_t chunks) {
    uint64_t state = claims.load();
    for (;;) {
      if ((state >> 32) != (generation & 0xffffffff) ||
          (int64_t)(state & 0xffffffff) >= chunks)
        return -1;
      if (claims.compare_exchange_weak(state, state + 1))
        return state & 0xffffffff;
    }
  }

  /// Claims and runs chunks of the current job until none is left.
  void runChunks() {
    Job current;
    {
      std::lock_guard<std::mutex> lock(mutex);
      current = job;
    }
    insideChunk = true;
    for (;;) {
      int64_t c = claim(current.generation, current.chunks);
      if (c < 0)
        break;
      int64_t lo = current.begin + current.count * c / current.chunks;
      int64_t hi = current.begin + current.count * (c + 1) / current.chunks;
      current.body(current.context, lo, hi);
      if (pending.fetch_sub(1) == 1) {
        std::lock_guard<std::mutex> lock(mutex);
        done.notify_all();
      }
    }
    insideChunk = false;
  }

  void work() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return stopping || generation != seen; });
        if (stopping)
          return;
        seen = generation;
      }
      runChunks();
    }
  }

  std::mutex runMutex; ///< held by the thread whose loop the pool runs
  std::mutex mutex;    ///< guards job, generation, stopping
  std::condition_variable wake, done;
  std::vector<std::thread> threads;
  int workerCount = 0;
  bool stopping = false;
  uint64_t generation = 0;
  Job job{};
  /// (generation << 32) | next chunk to claim.
  std::atomic<uint64_t> claims{0};
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

const kiln_abi_runtime services = {KILN_ABI_VERSION, 0, parallelForEntry,
                                   failRun};

} // namespace

const kiln_abi_runtime *kiln::rt::runtimeServices() { return &services; }

void kiln::rt::parallelFor(kiln_abi_loop_body body, void *context,
                           int64_t begin, int64_t end) {
  ensureStarted();
  pool().run(body, context, begin, end);
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
