//===- ReductionVJP.cpp - Gradient rules of reductions and softmax --------===//
//
// A sum spreads its cotangent over every reduced element; a mean spreads it
// divided by the count. Softmax: dx = y (dy - sum(dy y)) along its axis.
//
//===----------------------------------------------------------------------===//

#include "VJP.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The cotangent of a reduction with its reduced dims kept as 1s, so that it
/// broadcasts against the input.
Value withKeptDims(OpBuilder &b, Location loc, Value grad, Value input,
                   ArrayRef<int64_t> axes, bool keepdims) {
  if (keepdims)
    return grad;
  auto inputType = cast<RankedTensorType>(input.getType());
  // Copy each kept dim (spec 0 copies the same index, so count them out).
  SmallVector<int64_t> spec;
  auto gradType = cast<RankedTensorType>(grad.getType());
  int64_t kept = 0;
  for (int64_t i = 0; i < inputType.getRank(); ++i) {
    if (llvm::is_contained(axes, i)) {
      spec.push_back(1);
      continue;
    }
    int64_t d = gradType.getDimSize(kept++);
    spec.push_back(ShapedType::isDynamic(d) ? -1 : d);
  }
  return make<ReshapeOp>(b, loc, grad, spec);
}

template <typename OpTy, bool IsMean>
LogicalResult sumVJP(OpTy op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value input = op.getInput();
  if (!isDifferentiable(input.getType())) {
    out.push_back(Value());
    return success();
  }
  Value g = withKeptDims(b, loc, grads[0], input, op.getAxes(),
                         op.getKeepdims());
  // Broadcast over the reduced dims by multiplying with ones of the input's
  // shape (that also keeps dynamic sizes right).
  Value spread = make<MulOp>(b, loc, fullLike(b, loc, input, 1.0), g);
  if (IsMean) {
    auto type = cast<RankedTensorType>(input.getType());
    int64_t count = 1;
    bool dynamic = false;
    for (int64_t a : op.getAxes()) {
      dynamic |= type.isDynamicDim(a);
      if (!type.isDynamicDim(a))
        count *= type.getDimSize(a);
    }
    Value divisor = dynamic ? make<ReduceSumOp>(b, loc,
                                                fullLike(b, loc, input, 1.0),
                                                op.getAxes(), true)
                            : scalarLike(b, loc, input, (double)count);
    spread = make<DivOp>(b, loc, spread, divisor);
  }
  out.push_back(castTo(b, loc, spread, input.getType()));
  return success();
}

LogicalResult softmaxVJP(SoftmaxOp op, OpBuilder &b, ValueRange grads,
                         SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value y = op.getResult(), g = grads[0];
  int64_t axis = op.getAxis();
  Value dot = make<ReduceSumOp>(b, loc, make<MulOp>(b, loc, g, y),
                                ArrayRef<int64_t>{axis}, true);
  out.push_back(
      make<MulOp>(b, loc, y, make<SubOp>(b, loc, g, dot)));
  return success();
}

// The maximum's cotangent goes to the elements that reached it, shared
// equally between ties.
LogicalResult maxVJP(ReduceMaxOp op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput();
  if (!isDifferentiable(x.getType())) {
    out.push_back(Value());
    return success();
  }
  Value m = withKeptDims(b, loc, op.getResult(), x, op.getAxes(),
                         op.getKeepdims());
  Value g = withKeptDims(b, loc, grads[0], x, op.getAxes(), op.getKeepdims());
  Value hit = make<EqualOp>(b, loc, x, m);
  Value ones = make<CastOp>(
      b, loc, hit, TypeAttr::get(getElementTypeOrSelf(x.getType())));
  Value ties = make<ReduceSumOp>(b, loc, ones, op.getAxes(), true);
  Value share = make<DivOp>(b, loc, g, ties);
  out.push_back(castTo(
      b, loc, make<MulOp>(b, loc, ones, share), x.getType()));
  return success();
}

} // namespace

void mlir::kiln::registerReductionVJPs(MLIRContext *ctx) {
  attachRule<ReduceSumOp, sumVJP<ReduceSumOp, false>>(ctx);
  attachRule<ReduceMeanOp, sumVJP<ReduceMeanOp, true>>(ctx);
  attachRule<SoftmaxOp, softmaxVJP>(ctx);
  attachRule<ReduceMaxOp, maxVJP>(ctx);
}
