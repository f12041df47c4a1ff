//===- Checks.cpp - Run-time checks of compiled code ----------------------===//
//
// callEntry sets a jump target; failRun jumps to it. Between the two there
// are only frames of compiled code (C-like, nothing to unwind) and failRun
// itself. Compiled code checks its inputs before it allocates anything, and
// never inside a parallel loop, so the jump skips no cleanup and always
// happens on the thread that called the model.
//
//===----------------------------------------------------------------------===//

#include "Checks.h"

#include <csetjmp>
#include <cstdio>
#include <cstdlib>

namespace {
thread_local std::jmp_buf *activeRun = nullptr;
thread_local const char *failure = nullptr;
} // namespace

const char *kiln::rt::callEntry(kiln_abi_entry_fn entry, void **args) {
  std::jmp_buf target;
  std::jmp_buf *previous = activeRun;
  activeRun = &target;
  failure = nullptr;
  if (setjmp(target) == 0)
    entry(args);
  activeRun = previous;
  return failure;
}

void kiln::rt::failRun(const char *message) {
  if (!activeRun) {
    // Only a compiler bug gets here (a check outside the calling thread).
    std::fprintf(stderr, "kiln runtime: a check failed outside a run: %s\n",
                 message);
    std::abort();
  }
  failure = message ? message : "a run-time check failed";
  std::longjmp(*activeRun, 1);
}
