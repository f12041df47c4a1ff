//===- OpUtils.h - Helpers shared by the kiln op definitions ----*- C++ -*-===//
//
// Small checks and accessors the per-family op files (ElementwiseOps.cpp,
// ShapeOps.cpp, ...) share. Private to lib/Dialect/Kiln/IR.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_DIALECT_KILN_IR_OPUTILS_H
#define KILN_LIB_DIALECT_KILN_IR_OPUTILS_H

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"

namespace mlir::kiln {
inline RankedTensorType rankedType(Value v) {
  return dyn_cast<RankedTensorType>(v.getType());
}

/// Checks that `axes` are sorted, unique and within `[0, rank)`.
inline LogicalResult verifyAxes(Operation *op, ArrayRef<int64_t> axes,
                                int64_t rank, StringRef what = "axes") {
  for (auto [i, a] : llvm::enumerate(axes)) {
    if (a < 0 || a >= rank)
      return op->emitOpError() << what << " entry " << a
                               << " is out of range for rank " << rank;
    if (i > 0 && axes[i - 1] >= a)
      return op->emitOpError() << what << " must be sorted and unique";
  }
  return success();
}

/// Checks that an attribute has `expected` entries, each at least `min`.
inline LogicalResult verifyArray(Operation *op, StringRef name,
                                 ArrayRef<int64_t> values, size_t expected,
                                 int64_t min) {
  if (values.size() != expected)
    return op->emitOpError() << "expects " << name << " to have " << expected
                             << " entries, got " << values.size();
  for (int64_t v : values)
    if (v < min)
      return op->emitOpError()
             << "expects every " << name << " entry to be >= " << min
             << ", got " << v;
  return success();
}

/// The value of a constant operand, if it has one.
inline DenseElementsAttr constantValue(Attribute attr) {
  return dyn_cast_or_null<DenseElementsAttr>(attr);
}

/// Unary ops and softmax keep their operand's type.
#define KILN_SAME_TYPE_INFER(OpTy)                                             \
  LogicalResult OpTy::inferReturnTypes(MLIRContext *,                          \
                                       std::optional<Location>,                \
                                       Adaptor adaptor,                        \
                                       SmallVectorImpl<Type> &types) {         \
    types.push_back(adaptor.getInput().getType());                             \
    return success();                                                          \
  }

/// kiln.cast's custom assembly, `tensor<..xf32> -> tensor<..xi8>`: the
/// target element type `to` is read off the result type (ElementwiseOps.cpp).
void printCastTypes(OpAsmPrinter &p, Operation *op, Type input, TypeAttr to,
                    Type result);
ParseResult parseCastTypes(OpAsmParser &parser, Type &input, TypeAttr &to,
                           Type &result);

} // namespace mlir::kiln

#endif // KILN_LIB_DIALECT_KILN_IR_OPUTILS_H
