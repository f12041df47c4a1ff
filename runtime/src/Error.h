//===- Error.h - The runtime's error reporting ------------------*- C++ -*-===//
//
// Every failing C API call records a message for kiln_last_error() on the
// calling thread and returns its status code.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_ERROR_H
#define KILN_RUNTIME_ERROR_H

#include "kiln/runtime.h"

#include <string>

namespace kiln::rt {

/// Records `message` as this thread's last error and returns `status`.
kiln_status fail(kiln_status status, std::string message);

/// printf-style formatting into a std::string.
std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/// "2x3x?" for a shape (-1 prints as ?); "scalar" for rank 0.
std::string formatShape(const int64_t *shape, size_t rank);

} // namespace kiln::rt

#endif // KILN_RUNTIME_ERROR_H
