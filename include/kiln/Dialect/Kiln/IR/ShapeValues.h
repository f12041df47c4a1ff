//===- ShapeValues.h - What is known about a shape-like tensor --*- C++ -*-===//
//
// Exported models compute shapes: `Reshape(x, Concat(Unsqueeze(Gather(
// Shape(x), 0)), [-1]))` flattens whatever the batch size is. The entries of
// such a 1-D integer tensor are often known even when it is not a constant:
// some are constants, others are the extent of a dimension of some tensor.
// Type inference and canonicalization of the ops that take shapes as
// operands read that knowledge here, so a dynamic batch size stays one
// dynamic dimension instead of making every extent dynamic.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_SHAPEVALUES_H
#define KILN_DIALECT_KILN_IR_SHAPEVALUES_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir::kiln {

/// One entry of a shape-like tensor: a known value, or the extent of
/// dimension `dim` of `source` (dynamic there), or nothing known.
struct ShapeEntry {
  std::optional<int64_t> value;
  Value source;
  int64_t dim = -1;

  bool isKnown() const { return value.has_value(); }
  bool isDimOf(Value v, int64_t d) const { return source == v && dim == d; }
};

/// What is known about each entry of `value`, a 1-D or rank-0 integer
/// tensor of static shape; nothing for other values.
std::optional<SmallVector<ShapeEntry>> getShapeEntries(Value value);

/// The known values of `value`'s entries (nothing where unknown); nothing
/// at all when `value` is not a statically shaped integer tensor of rank
/// 0 or 1.
std::optional<SmallVector<std::optional<int64_t>>> getKnownEntries(Value value);

} // namespace mlir::kiln

#endif // KILN_DIALECT_KILN_IR_SHAPEVALUES_H
