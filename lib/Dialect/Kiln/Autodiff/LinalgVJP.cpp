//===- LinalgVJP.cpp - Gradient rules of matmul ---------------------------===//
//
// For C = A B (numpy matmul): dA = dC B^T and dB = A^T dC, on the last two
// dimensions, summed over the batch dimensions an operand was broadcast
// along. Vector operands are promoted to matrices first, as numpy does, and
// their gradients reshaped back.
//
//===----------------------------------------------------------------------===//

#include "VJP.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Swaps the last two dimensions.
Value transposeLast2(OpBuilder &b, Location loc, Value v) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < rank - 2; ++i)
    perm.push_back(i);
  perm.push_back(rank - 1);
  perm.push_back(rank - 2);
  return make<TransposeOp>(b, loc, v, perm);
}

/// Inserts a unit dimension before the last one (`front`) or after it.
Value insertUnit(OpBuilder &b, Location loc, Value v, bool front) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  SmallVector<int64_t> spec;
  if (front) {
    // [..., N] -> [..., 1, N]: copy the leading dims, infer N.
    for (int64_t i = 0; i < rank - 1; ++i)
      spec.push_back(0);
    spec.push_back(1);
    spec.push_back(-1);
  } else {
    for (int64_t i = 0; i < rank; ++i)
      spec.push_back(0);
    spec.push_back(1);
  }
  return make<ReshapeOp>(b, loc, v, spec);
}

LogicalResult matmulVJP(MatmulOp op, OpBuilder &b, ValueRange grads,
                        SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value a = op.getLhs(), bm = op.getRhs(), g = grads[0];
  bool aVector = cast<RankedTensorType>(a.getType()).getRank() == 1;
  bool bVector = cast<RankedTensorType>(bm.getType()).getRank() == 1;
  // Work on matrices: [K] -> [1, K] on the left, [K] -> [K, 1] on the right,
  // and the unit dimensions they imply put back into the cotangent.
  Value a2 = aVector ? make<ReshapeOp>(b, loc, a, ArrayRef<int64_t>{1, -1})
                     : a;
  Value b2 = bVector ? make<ReshapeOp>(b, loc, bm, ArrayRef<int64_t>{-1, 1})
                     : bm;
  Value g2 = g;
  if (aVector && bVector) {
    g2 = make<ReshapeOp>(b, loc, g, ArrayRef<int64_t>{1, 1});
  } else if (aVector) {
    g2 = insertUnit(b, loc, g, /*front=*/true);
  } else if (bVector) {
    g2 = insertUnit(b, loc, g, /*front=*/false);
  }
  Value da = make<MatmulOp>(b, loc, g2, transposeLast2(b, loc, b2));
  Value db = make<MatmulOp>(b, loc, transposeLast2(b, loc, a2), g2);
  da = unbroadcastTo(b, loc, da, a2);
  db = unbroadcastTo(b, loc, db, b2);
  auto back = [&](Value grad, Value like) -> FailureOr<Value> {
    return reshapeLike(b, loc, grad, like);
  };
  auto daFinal = aVector ? back(da, a) : FailureOr<Value>(da);
  auto dbFinal = bVector ? back(db, bm) : FailureOr<Value>(db);
  if (failed(daFinal) || failed(dbFinal))
    return op.emitOpError("cannot differentiate a vector operand with "
                          "several dynamic dimensions");
  out.push_back(*daFinal);
  out.push_back(*dbFinal);
  return success();
}

} // namespace

void mlir::kiln::registerLinalgVJPs(MLIRContext *ctx) {
  attachRule<MatmulOp, matmulVJP>(ctx);
}
