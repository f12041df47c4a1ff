//===- TrainingVJP.cpp - Gradient rules of the training ops ---------------===//
//
// full_like depends on nothing differentiable; unbroadcast (a sum) spreads
// its cotangent back over the broadcast shape. Together these make the
// gradient of a gradient possible.
//
//===----------------------------------------------------------------------===//

#include "VJP.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

LogicalResult fullLikeVJP(FullLikeOp, OpBuilder &, ValueRange,
                          SmallVectorImpl<Value> &out) {
  out.push_back(Value());
  return success();
}

LogicalResult unbroadcastVJP(UnbroadcastOp op, OpBuilder &b, ValueRange grads,
                             SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value spread =
      make<MulOp>(b, loc, fullLike(b, loc, op.getInput(), 1.0), grads[0]);
  out.push_back(castTo(b, loc, spread, op.getInput().getType()));
  out.push_back(Value());
  return success();
}

} // namespace

void mlir::kiln::registerTrainingVJPs(MLIRContext *ctx) {
  attachRule<FullLikeOp, fullLikeVJP>(ctx);
  attachRule<UnbroadcastOp, unbroadcastVJP>(ctx);
}
