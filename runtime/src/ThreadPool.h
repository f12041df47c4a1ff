//===- ThreadPool.h - The pool compiled models' loops run on ----*- C++ -*-===//
//
// One process-wide pool of worker threads. A parallel loop is cut into
// contiguous chunks, a few per thread; the calling thread takes part. A loop
// started while the pool is busy (another thread's loop, or a nested loop
// inside a chunk) runs on the calling thread alone. ThreadPool.cpp says how
// threads wait for work and share chunks.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_THREADPOOL_H
#define KILN_RUNTIME_THREADPOOL_H

#include "kiln/abi.h"

namespace kiln::rt {

/// The table every model's runtime slot points at.
const kiln_abi_runtime *runtimeServices();

/// Runs body over [begin, end) on the pool.
void parallelFor(kiln_abi_loop_body body, void *context, int64_t begin,
                 int64_t end);

/// Resizes the pool (threads including the caller); >= 1.
void setPoolThreads(int threads);

/// How long idle workers (and a caller waiting for the last chunks) spin
/// before they sleep; KILN_POOL_SPIN_US at start-up, else 200. For tests.
void setPoolSpinMicroseconds(int64_t us);

/// KILN_NUM_THREADS if set, else the number of cores (Threads.cpp).
int defaultThreadCount();

} // namespace kiln::rt

#endif // KILN_RUNTIME_THREADPOOL_H
