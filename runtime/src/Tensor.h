//===- Tensor.h - The runtime's tensor --------------------------*- C++ -*-===//
//
// kiln_tensor: a dense row-major buffer with dtype and shape, owning its
// memory or borrowing the caller's.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_TENSOR_H
#define KILN_RUNTIME_TENSOR_H

#include "kiln/runtime.h"

#include <vector>

struct kiln_tensor {
  kiln_dtype dtype = KILN_DTYPE_INVALID;
  std::vector<int64_t> shape;
  void *data = nullptr;
  size_t sizeBytes = 0;
  /// What to free() when the tensor goes; null when borrowed.
  void *owned = nullptr;
};

namespace kiln::rt {

/// Checks dtype and shape and computes the byte size; reports failures.
kiln_status checkedSize(kiln_dtype dtype, const int64_t *shape, size_t rank,
                        size_t &sizeBytes);

/// A tensor that takes ownership of `allocation` (freed with free()), with
/// data at `data`.
kiln_tensor *adoptBuffer(kiln_dtype dtype, std::vector<int64_t> shape,
                         void *data, size_t sizeBytes, void *allocation);

/// 64-byte aligned, zero-filled memory (at least one byte); null on failure.
void *allocateZeroed(size_t sizeBytes);

} // namespace kiln::rt

#endif // KILN_RUNTIME_TENSOR_H
