//===- Checks.h - Run-time checks of compiled code --------------*- C++ -*-===//
//
// When compiled code finds its inputs break a condition the compiler could
// not check statically, it calls the runtime's fail(), which returns control
// to the kiln_model_run that started the code.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_CHECKS_H
#define KILN_RUNTIME_CHECKS_H

#include "kiln/abi.h"

namespace kiln::rt {

/// Calls `entry(args)`; returns the message of a failed check, or null.
const char *callEntry(kiln_abi_entry_fn entry, void **args);

/// kiln_abi_runtime::fail: ends the run on this thread.
[[noreturn]] void failRun(const char *message);

} // namespace kiln::rt

#endif // KILN_RUNTIME_CHECKS_H
