//===- ReductionVJP.cpp - Gradient rules of reductions and softmax --------===//
//
// A sum spreads its cotangent over every reduced element; a mean spreads it
// divided by the count. Softmax: dx = y (dy - sum(dy y)) along its axis;
// log-softmax: dx = dy - exp(y) sum(dy). The maximum and minimum send it to
// the elements that reached them, a product to each element as the product
// of the others (y / x), a cumulative sum as the cumulative sum the other
// way round.
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
  Value g =
      withKeptDims(b, loc, grads[0], input, op.getAxes(), op.getKeepdims());
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
    Value divisor =
        dynamic ? make<ReduceSumOp>(b, loc, fullLike(b, loc, input, 1.0),
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
  out.push_back(make<MulOp>(b, loc, y, make<SubOp>(b, loc, g, dot)));
  return success();
}

// The maximum's (minimum's) cotangent goes to the elements that reached it,
// shared equally between ties.
template <typename OpTy>
LogicalResult maxVJP(OpTy op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput();
  if (!isDifferentiable(x.getType())) {
    out.push_back(Value());
    return success();
  }
  Value m =
      withKeptDims(b, loc, op.getResult(), x, op.getAxes(), op.getKeepdims());
  Value g = withKeptDims(b, loc, grads[0], x, op.getAxes(), op.getKeepdims());
  Value hit = make<EqualOp>(b, loc, x, m);
  Value ones = make<CastOp>(b, loc, hit,
                            TypeAttr::get(getElementTypeOrSelf(x.getType())));
  Value ties = make<ReduceSumOp>(b, loc, ones, op.getAxes(), true);
  Value share = make<DivOp>(b, loc, g, ties);
  out.push_back(castTo(b, loc, make<MulOp>(b, loc, ones, share), x.getType()));
  return success();
}

LogicalResult logSoftmaxVJP(LogSoftmaxOp op, OpBuilder &b, ValueRange grads,
                            SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value y = op.getResult(), g = grads[0];
  int64_t axis = op.getAxis();
  if (axis < 0)
    axis += cast<RankedTensorType>(y.getType()).getRank();
  Value total = make<ReduceSumOp>(b, loc, g, ArrayRef<int64_t>{axis}, true);
  Value dx = make<SubOp>(b, loc, g,
                         make<MulOp>(b, loc, make<ExpOp>(b, loc, y), total));
  out.push_back(castTo(b, loc, dx, op.getInput().getType()));
  return success();
}

// d prod(x) / dx_i = prod(x) / x_i: exact where no reduced element is 0
// (where one is, the division gives inf or NaN, as in TensorFlow's and
// ONNX Runtime's simple rule).
LogicalResult prodVJP(ReduceProdOp op, OpBuilder &b, ValueRange grads,
                      SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput();
  if (!isDifferentiable(x.getType())) {
    out.push_back(Value());
    return success();
  }
  Value y =
      withKeptDims(b, loc, op.getResult(), x, op.getAxes(), op.getKeepdims());
  Value g = withKeptDims(b, loc, grads[0], x, op.getAxes(), op.getKeepdims());
  Value dx = make<MulOp>(b, loc, g, make<DivOp>(b, loc, y, x));
  out.push_back(castTo(b, loc, dx, x.getType()));
  return success();
}

LogicalResult cumsumVJP(CumSumOp op, OpBuilder &b, ValueRange grads,
                        SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput();
  if (!isDifferentiable(x.getType())) {
    out.append({Value(), Value()});
    return success();
  }
  Value dx = make<CumSumOp>(b, loc, grads[0], op.getAxis(), op.getExclusive(),
                            !op.getReverse());
  out.push_back(castTo(b, loc, dx, x.getType()));
  out.push_back(Value());
  return success();
}

// nll_loss: each counted sample's loss is -input[n, t, d...] * w_t, so its
// cotangent -w_t times the result's cotangent (over D, the sum of the
// counted w_t, for `mean`) is added at (n, t, d...) of zeros shaped like the
// input. The weight of class c gets, from each counted sample of that class,
// the cotangent times -input[n, c, d...] (minus the mean loss, for `mean`,
// whose divisor D depends on the weights too). Targets are clamped into
// [0, C) as the op clamps them.
LogicalResult nllLossVJP(NLLLossOp op, OpBuilder &b, ValueRange grads,
                         SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput(), t = op.getTarget(), g = grads[0];
  auto xType = cast<RankedTensorType>(x.getType());
  auto tType = cast<RankedTensorType>(t.getType());
  int64_t classes = xType.getDimSize(1);
  if (ShapedType::isDynamic(classes))
    return op.emitOpError("cannot differentiate an nll_loss with a dynamic "
                          "number of classes");
  // [N, d...] -> [N, 1, d...], to scatter along the class dimension.
  SmallVector<int64_t> spec{0, 1};
  int dynamic = 0;
  for (int64_t d : tType.getShape().drop_front()) {
    dynamic += ShapedType::isDynamic(d);
    spec.push_back(ShapedType::isDynamic(d) ? -1 : d);
  }
  if (dynamic > 1)
    return op.emitOpError("cannot differentiate an nll_loss with several "
                          "dynamic spatial dimensions");
  Value clamped = make<MaxOp>(
      b, loc, make<MinOp>(b, loc, t, scalarLike(b, loc, t, classes - 1)),
      scalarLike(b, loc, t, 0));
  Type elementType = xType.getElementType();
  // 1 for counted samples, 0 for ignored ones.
  Value counted = fullLike(
      b, loc, make<CastOp>(b, loc, t, TypeAttr::get(elementType)), 1.0);
  if (std::optional<uint64_t> ignore = op.getIgnoreIndex()) {
    Value ignored = make<EqualOp>(
        b, loc, t, scalarLike(b, loc, t, (double)(int64_t)*ignore));
    counted = make<SelectOp>(b, loc, ignored, scalarLike(b, loc, counted, 0.0),
                             counted);
  }
  Value weight = op.getWeight();
  Value w =
      weight ? make<MulOp>(b, loc,
                           make<GatherOp>(b, loc, weight, clamped, (int64_t)0),
                           counted)
             : counted;
  bool mean = op.getReduction() == "mean";
  Value scale = g;
  if (mean) {
    SmallVector<int64_t> all;
    for (int64_t i = 0; i < tType.getRank(); ++i)
      all.push_back(i);
    scale = make<DivOp>(b, loc, g,
                        make<ReduceSumOp>(b, loc, w, all, /*keepdims=*/false));
  }
  Value coef = make<MulOp>(b, loc, make<NegOp>(b, loc, w), scale);
  Value column = make<ReshapeOp>(b, loc, clamped, spec);
  Value dx = make<ScatterElementsOp>(b, loc, fullLike(b, loc, x, 0.0), column,
                                     make<ReshapeOp>(b, loc, coef, spec),
                                     (int64_t)1, b.getStringAttr("add"));
  out.push_back(castTo(b, loc, dx, xType));
  out.push_back(Value());
  if (weight) {
    // input[n, t, d...] as [N, 1, d...] -> [N, d...].
    SmallVector<int64_t> back{0};
    llvm::append_range(back, ArrayRef<int64_t>(spec).drop_front(2));
    Value picked = make<ReshapeOp>(
        b, loc, make<GatherElementsOp>(b, loc, x, column, (int64_t)1), back);
    Value loss = make<NegOp>(b, loc, picked);
    if (mean)
      loss = make<SubOp>(b, loc, loss, op.getResult());
    Value perSample =
        make<MulOp>(b, loc, make<MulOp>(b, loc, counted, scale), loss);
    Value dw = make<ScatterElementsOp>(
        b, loc, fullLike(b, loc, weight, 0.0),
        make<ReshapeOp>(b, loc, clamped, ArrayRef<int64_t>{-1}),
        make<ReshapeOp>(b, loc, perSample, ArrayRef<int64_t>{-1}), (int64_t)0,
        b.getStringAttr("add"));
    out.push_back(castTo(b, loc, dw, weight.getType()));
  }
  return success();
}

} // namespace

void mlir::kiln::registerReductionVJPs(MLIRContext *ctx) {
  attachRule<NLLLossOp, nllLossVJP>(ctx);
  attachRule<ReduceSumOp, sumVJP<ReduceSumOp, false>>(ctx);
  attachRule<ReduceMeanOp, sumVJP<ReduceMeanOp, true>>(ctx);
  attachRule<SoftmaxOp, softmaxVJP>(ctx);
  attachRule<LogSoftmaxOp, logSoftmaxVJP>(ctx);
  attachRule<ReduceMaxOp, maxVJP<ReduceMaxOp>>(ctx);
  attachRule<ReduceMinOp, maxVJP<ReduceMinOp>>(ctx);
  attachRule<ReduceProdOp, prodVJP>(ctx);
  attachRule<CumSumOp, cumsumVJP>(ctx);
}
