//===- ThreadPool.h - The pool compiled models' loops run on ----*- C++ -*-===//
//
// One process-wide pool of worker threads. A parallel loop is cut into as
// many contiguous chunks as there are threads; the calling thread takes part.
// A loop started while the pool is busy (another thread's loop, or a nested
// loop inside a chunk) runs on the calling thread alone.
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

/// KILN_NUM_THREADS if set, else the number of cores (Threads.cpp).
int defaultThreadCount();

} // namespace kiln::rt

#endif // KILN_RUNTIME_THREADPOOL_H
