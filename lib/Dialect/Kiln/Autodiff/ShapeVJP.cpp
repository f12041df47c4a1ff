//===- ShapeVJP.cpp - Gradient rules of shape ops -------------------------===//
//
// Data-movement ops move the cotangent back: transpose by the inverse
// permutation, reshape and flatten to the input's shape.
//
//===----------------------------------------------------------------------===//

#include "VJP.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

LogicalResult transposeVJP(TransposeOp op, OpBuilder &b, ValueRange grads,
                           SmallVectorImpl<Value> &out) {
  ArrayRef<int64_t> perm = op.getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  Value g = make<TransposeOp>(b, op.getLoc(), grads[0], inverse);
  out.push_back(castTo(b, op.getLoc(), g, op.getInput().getType()));
  return success();
}

template <typename OpTy>
LogicalResult reshapeVJP(OpTy op, OpBuilder &b, ValueRange grads,
                         SmallVectorImpl<Value> &out) {
  auto g = reshapeLike(b, op.getLoc(), grads[0], op.getInput());
  if (failed(g))
    return op.emitOpError("cannot differentiate a reshape of an input with "
                          "several dynamic dimensions");
  out.push_back(*g);
  return success();
}

} // namespace

void mlir::kiln::registerShapeVJPs(MLIRContext *ctx) {
  attachRule<TransposeOp, transposeVJP>(ctx);
  attachRule<ReshapeOp, reshapeVJP<ReshapeOp>>(ctx);
  attachRule<FlattenOp, reshapeVJP<FlattenOp>>(ctx);
}
