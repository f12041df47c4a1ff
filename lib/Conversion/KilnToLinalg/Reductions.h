//===- Reductions.h - Reduction building blocks of the lowering -*- C++ -*-===//
//
// The linalg.reduce builder and the keepdims re-expansion that Reduce.cpp
// defines and the normalizations (Normalization.cpp) reuse for their
// statistics.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_CONVERSION_KILNTOLINALG_REDUCTIONS_H
#define KILN_LIB_CONVERSION_KILNTOLINALG_REDUCTIONS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::kiln {

enum class ReduceKind { Sum, Max, Min, Prod };

/// Reduces `input` over `axes` (sorted, non-empty) with `kind`, dropping the
/// reduced dimensions. `isUnsigned` picks unsigned comparisons for integers.
Value reduceTensor(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> axes, ReduceKind kind, bool isUnsigned);

/// Re-inserts unit dimensions at `axes` of a reduced tensor, giving
/// `resultType` (which may be more static than the reduced value).
Value keepReducedDims(OpBuilder &b, Location loc, Value reduced,
                      RankedTensorType resultType, ArrayRef<int64_t> axes);

/// The identity of min: +inf for floats, the largest integer otherwise.
Value highestValue(OpBuilder &b, Location loc, Type type, bool isUnsigned);

/// `value` (an index) as a scalar of the float or integer `type`.
Value indexToScalar(OpBuilder &b, Location loc, Value value, Type type);

} // namespace mlir::kiln

#endif // KILN_LIB_CONVERSION_KILNTOLINALG_REDUCTIONS_H
