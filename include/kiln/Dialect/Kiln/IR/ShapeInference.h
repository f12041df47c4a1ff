//===- ShapeInference.h - Shape rules shared by ops and lowering -*- C++ -*-===//
//
// The shape arithmetic of kiln ops (broadcasting, matmul, windows, reshape),
// in one place so that type inference, verifiers and the lowering to linalg
// agree on it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_SHAPEINFERENCE_H
#define KILN_DIALECT_KILN_IR_SHAPEINFERENCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeRange.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlir::kiln {

/// True when each `actual` type is its `inferred` type, or that type with
/// some dynamic dimensions made static.
bool areRefinementsOf(TypeRange inferred, TypeRange actual);

/// numpy broadcasting of two shapes. A static 1 stretches; a dynamic
/// dimension against a static one takes the static extent (unless it is 1).
/// Fails on two different static extents, neither of them 1; `why` then says
/// which dimensions clash.
FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs,
                                                ArrayRef<int64_t> rhs,
                                                std::string *why = nullptr);

/// The result shape of numpy.matmul, batch dimensions broadcast.
FailureOr<SmallVector<int64_t>> matmulShape(ArrayRef<int64_t> lhs,
                                            ArrayRef<int64_t> rhs,
                                            std::string *why = nullptr);

/// The output extent of a sliding window (convolution or pooling) along one
/// dimension; dynamic when `size` is. With `ceilMode` a last partial window
/// counts if it starts inside the input or the begin padding.
int64_t windowOutputSize(int64_t size, int64_t kernel, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode);

/// The shape `kiln.reshape` gives `input` under `spec` (sizes, 0 = copy,
/// -1 = infer). Never fails: what cannot be known statically is dynamic.
SmallVector<int64_t> reshapeShape(ArrayRef<int64_t> input,
                                  ArrayRef<int64_t> spec);

/// Checks a reshape spec against its input shape; explains a failure in
/// `why`.
LogicalResult verifyReshapeSpec(ArrayRef<int64_t> input, ArrayRef<int64_t> spec,
                                std::string &why);

/// The product of static extents, or ShapedType::kDynamic if any is dynamic.
int64_t staticProduct(ArrayRef<int64_t> shape);

/// Formats a shape as `2x?x3` (`scalar` for rank 0).
std::string formatShape(ArrayRef<int64_t> shape);

} // namespace mlir::kiln

#endif // KILN_DIALECT_KILN_IR_SHAPEINFERENCE_H
