//===- Threads.cpp - How many threads compiled models use -----------------===//
//
// One process-wide setting for the pool every model's parallel loops share:
// the API's value, else KILN_NUM_THREADS, else the number of cores this
// process may run on (its CPU affinity: under taskset or a container's
// cpuset, more threads than cores would only take turns, and the pool's
// workers spin while they wait for work).
//
//===----------------------------------------------------------------------===//

#include "Error.h"
#include "ThreadPool.h"

#include <atomic>
#include <cstdlib>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

using namespace kiln::rt;

namespace {
std::atomic<int> requestedThreads{0};
} // namespace

int kiln::rt::defaultThreadCount() {
  if (const char *env = std::getenv("KILN_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0)
      return n;
  }
#if defined(__linux__)
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0) {
    int n = CPU_COUNT(&allowed);
    if (n > 0)
      return n;
  }
#endif
  unsigned cores = std::thread::hardware_concurrency();
  return cores ? (int)cores : 1;
}

extern "C" kiln_status kiln_set_num_threads(int numThreads) {
  if (numThreads < 0)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                "thread count must be >= 0 (0 means the default), got " +
                    std::to_string(numThreads));
  requestedThreads = numThreads;
  setPoolThreads(numThreads > 0 ? numThreads : defaultThreadCount());
  return KILN_OK;
}

extern "C" int kiln_get_num_threads(void) {
  int n = requestedThreads;
  return n > 0 ? n : defaultThreadCount();
}
