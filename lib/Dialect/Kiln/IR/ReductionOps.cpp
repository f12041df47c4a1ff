//===- ReductionOps.cpp - kiln reductions ---------------------------------===//
//
// Type inference and verification of the reductions and softmax.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// The shape a reduction over `axes` leaves.
static SmallVector<int64_t> reducedShape(ArrayRef<int64_t> shape,
                                         ArrayRef<int64_t> axes,
                                         bool keepdims) {
  SmallVector<int64_t> out;
  for (auto [i, d] : llvm::enumerate(shape)) {
    bool reduced = llvm::is_contained(axes, (int64_t)i);
    if (!reduced)
      out.push_back(d);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

#define KILN_REDUCE_INFER_AND_VERIFY(OpTy)                                     \
  LogicalResult OpTy::inferReturnTypes(MLIRContext *,                          \
                                       std::optional<Location>,                \
                                       Adaptor adaptor,                        \
                                       SmallVectorImpl<Type> &types) {         \
    auto input = rankedType(adaptor.getInput());                               \
    if (!input)                                                                \
      return failure();                                                        \
    types.push_back(RankedTensorType::get(                                     \
        reducedShape(input.getShape(), adaptor.getAxes(),                      \
                     adaptor.getKeepdims()),                                   \
        input.getElementType()));                                              \
    return success();                                                          \
  }                                                                            \
  LogicalResult OpTy::verify() {                                               \
    return verifyAxes(*this, getAxes(), getInput().getType().getRank());       \
  }

KILN_REDUCE_INFER_AND_VERIFY(ReduceSumOp)
KILN_REDUCE_INFER_AND_VERIFY(ReduceMeanOp)
KILN_REDUCE_INFER_AND_VERIFY(ReduceMaxOp)
#undef KILN_REDUCE_INFER_AND_VERIFY

//===----------------------------------------------------------------------===//
// SoftmaxOp
//===----------------------------------------------------------------------===//
KILN_SAME_TYPE_INFER(SoftmaxOp)


LogicalResult SoftmaxOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for rank "
                         << rank;
  return success();
}
