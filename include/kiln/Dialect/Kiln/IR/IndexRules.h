//===- IndexRules.h - Index arithmetic shared by ops and lowering -*- C++ -*-===//
//
// How ONNX-style parameters turn into positions: negative axes, slice bounds
// with clamping, range lengths. Type inference and folders use these on
// constants; the lowering emits the same arithmetic for run-time values, so
// the two must agree, and they are written once here.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_INDEXRULES_H
#define KILN_DIALECT_KILN_IR_INDEXRULES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>

namespace mlir::kiln {

/// `axis` in `[-rank, rank)` as a position in `[0, rank)`, or nothing.
inline std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

/// Normalizes every axis; nothing if one is out of range or repeats.
inline std::optional<llvm::SmallVector<int64_t>>
normalizeAxes(llvm::ArrayRef<int64_t> axes, int64_t rank) {
  llvm::SmallVector<int64_t> result;
  for (int64_t a : axes) {
    auto n = normalizeAxis(a, rank);
    if (!n || std::find(result.begin(), result.end(), *n) != result.end())
      return std::nullopt;
    result.push_back(*n);
  }
  return result;
}

/// One dimension of an ONNX Slice: the first position read and the number
/// of elements, for a dimension of `size` elements. Negative `start`/`end`
/// count from the end; out-of-range ones are clamped (to [0, size] going
/// forwards, to [-1, size - 1] going backwards). `step` must not be 0.
struct SliceBounds {
  int64_t start, count;
};
inline SliceBounds sliceBounds(int64_t size, int64_t start, int64_t end,
                               int64_t step) {
  if (start < 0)
    start += size;
  if (end < 0)
    end += size;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, size);
    end = std::clamp<int64_t>(end, 0, size);
    int64_t count = end > start ? (end - start + step - 1) / step : 0;
    return {start, count};
  }
  start = std::clamp<int64_t>(start, 0, size - 1);
  end = std::clamp<int64_t>(end, -1, size - 1);
  int64_t count = start > end ? (start - end - step - 1) / -step : 0;
  return {start, count};
}

/// The length of numpy.arange(start, limit, delta): max(ceil((limit -
/// start) / delta), 0).
inline int64_t rangeLength(double start, double limit, double delta) {
  double n = std::ceil((limit - start) / delta);
  return n > 0 ? (int64_t)n : 0;
}
inline int64_t rangeLength(int64_t start, int64_t limit, int64_t delta) {
  int64_t span = limit - start;
  // Ceiling division with the sign of delta.
  int64_t n = delta > 0 ? (span + delta - 1) / delta
                        : (span + delta + 1) / delta;
  if (delta > 0 ? span <= 0 : span >= 0)
    return 0;
  return n;
}

} // namespace mlir::kiln

#endif // KILN_DIALECT_KILN_IR_INDEXRULES_H
