//===- Error.cpp - The runtime's error reporting --------------------------===//
//
// Thread-local last-error text and status names.
//
//===----------------------------------------------------------------------===//

#include "Error.h"

#include <cstdarg>
#include <cstdio>

namespace {
thread_local std::string lastError;
} // namespace

kiln_status kiln::rt::fail(kiln_status status, std::string message) {
  lastError = std::move(message);
  return status;
}

std::string kiln::rt::format(const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  va_list copy;
  va_copy(copy, args);
  int size = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string text(size > 0 ? size : 0, '\0');
  if (size > 0)
    std::vsnprintf(text.data(), size + 1, fmt, args);
  va_end(args);
  return text;
}

std::string kiln::rt::formatShape(const int64_t *shape, size_t rank) {
  if (rank == 0)
    return "scalar";
  std::string text;
  for (size_t i = 0; i < rank; ++i) {
    if (i)
      text += 'x';
    text += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return text;
}

extern "C" const char *kiln_last_error(void) { return lastError.c_str(); }

extern "C" const char *kiln_status_string(kiln_status status) {
  switch (status) {
  case KILN_OK:
    return "ok";
  case KILN_ERROR_INVALID_ARGUMENT:
    return "invalid argument";
  case KILN_ERROR_IO:
    return "i/o error";
  case KILN_ERROR_INVALID_MODEL:
    return "invalid model";
  case KILN_ERROR_ABI_MISMATCH:
    return "abi mismatch";
  case KILN_ERROR_INPUT_COUNT:
    return "wrong input count";
  case KILN_ERROR_DTYPE_MISMATCH:
    return "dtype mismatch";
  case KILN_ERROR_SHAPE_MISMATCH:
    return "shape mismatch";
  case KILN_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  case KILN_ERROR_UNSUPPORTED:
    return "unsupported";
  case KILN_ERROR_INTERNAL:
    return "internal error";
  case KILN_STATUS_MAX_ENUM:
    break;
  }
  return "unknown status";
}
