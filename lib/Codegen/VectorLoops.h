//===- VectorLoops.h - Elementwise bodies on vectors, masked loops -*- C++
//-*-===//
//
// The pieces kiln-vectorize-row-reductions and kiln-vectorize-elementwise
// share: which scalar bodies (of linalg generics) can run on vectors, the
// cloning of such a body onto vectors, and the loop over a range of columns
// in full vectors with one masked vector for the tail.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_CODEGEN_VECTORLOOPS_H
#define KILN_LIB_CODEGEN_VECTORLOOPS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::kiln {

/// Whether the ops of `body` (its terminator excepted) can run on vectors:
/// each is elementwise-mappable (arith, math), has no regions and one
/// integer or float result, and works on integers and floats only (no
/// index), or a scalar constant. Integer divisions and remainders are refused:
/// a masked tail computes its dead lanes too, and a zero there would trap.
bool isVectorizableBody(Block &body);

/// Whether `type` can be the element type of a buffer a vector loop loads
/// or stores: floats and integers of 8 to 64 bits. (Not i1: a vector of i1
/// is a packed bit mask in memory, a buffer of i1 one byte per element.)
bool isVectorizableElementType(Type type);

/// The buffer a view (expand/collapse shape, subview, cast) was taken of.
Value rootBuffer(Value v);

/// Whether `type`'s innermost dimension has stride 1 (false for rank 0).
bool hasContiguousInnermostDim(MemRefType type);

/// Clones the ops of `body` up to `stop` (exclusive; null: all of them but
/// the terminator), its arguments replaced by `args` (a null value for an
/// argument the body does not use). With `lanes` > 0 each
/// op works on vectors of `lanes` elements (`args` must be such vectors;
/// constants become splats);
/// with 0 the ops are cloned as they are. `map` holds the result.
void cloneBody(OpBuilder &b, Location loc, Block &body, ValueRange args,
               Operation *stop, int64_t lanes, IRMapping &map);

/// The value `v` of a body cloned by cloneBody: its clone, or, for a value
/// from outside the body, itself (broadcast to a vector when `lanes` > 0,
/// once per value).
Value lookupBodyValue(OpBuilder &b, Location loc, IRMapping &map, Value v,
                      int64_t lanes);

/// The body of a vector loop: the column index, the mask (null for a full
/// vector) and the carried value (null when nothing is carried); returns
/// the next carried value (or null).
using ColumnBody =
    function_ref<Value(OpBuilder &b, Value col, Value mask, Value acc)>;

/// Runs `body` over the columns [lb, ub): full vectors of `lanes` in an
/// scf.for, then at most one masked vector (vector.create_mask of what is
/// left). Carries `acc` through both loops when not null and returns its
/// final value (null otherwise).
Value buildVectorColumns(OpBuilder &b, Location loc, Value lb, Value ub,
                         int64_t lanes, Value acc, ColumnBody body);

} // namespace mlir::kiln

#endif // KILN_LIB_CODEGEN_VECTORLOOPS_H
