//===- NormalizationVJP.cpp - Gradient rules of layer and batch norm ------===//
//
// layer_norm normalizes with statistics of its own input, so its rule is the
// full one: with xhat = (x - mean) * rstd and dxhat = dy * scale over the n
// normalized elements,
//   dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),
// plus the cotangents of the mean and inv_std_dev results where they reach
// the loss (d rstd / dx = -rstd^2 xhat / n).
//
// batch_norm takes its statistics as operands (training-mode batch
// statistics are reductions of the input built by the frontend, whose own
// rules carry the cotangent on to the input): each of the five operands
// gets the partial derivative of
//   y = (x - mean) * r * scale + bias,   r = (variance + epsilon)^(-1/2),
// summed over every dimension but the channel one for the per-channel ones.
//
// lrn: y = x D^-beta with D = bias + alpha / size * (sum of x^2 over a window
// of channels), so
//   dx = dy D^-beta - 2 alpha beta / size * x * W'(dy x D^(-beta-1)),
// where W' sums over the channels whose windows contain each channel (the
// window mirrored). Both window sums are convolutions with a column of ones
// over the input seen as [N, 1, C, rest].
//
//===----------------------------------------------------------------------===//

#include "VJP.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Whether `v` is a zero cotangent the pass made for an unused result.
bool isZeroFill(Value v) {
  auto fill = v.getDefiningOp<FullLikeOp>();
  return fill && fill.getValue().convertToDouble() == 0.0;
}

LogicalResult layerNormVJP(LayerNormOp op, OpBuilder &b, ValueRange grads,
                           SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput(), g = grads[0];
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t rank = xType.getRank();
  int64_t axis = op.getAxis();
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> axes;
  for (int64_t i = axis; i < rank; ++i)
    axes.push_back(i);
  Value mean = op.getMean(), rstd = op.getInvStdDev();
  Value xhat = make<MulOp>(b, loc, make<SubOp>(b, loc, x, mean), rstd);
  auto meanOver = [&](Value v) {
    return make<ReduceMeanOp>(b, loc, v, axes, /*keepdims=*/true);
  };
  Value scale = op.getScale(), bias = op.getBias();
  Value dxhat = scale ? make<MulOp>(b, loc, g, scale) : g;
  Value centered = make<SubOp>(
      b, loc, make<SubOp>(b, loc, dxhat, meanOver(dxhat)),
      make<MulOp>(b, loc, xhat, meanOver(make<MulOp>(b, loc, dxhat, xhat))));
  Value dx = make<MulOp>(b, loc, rstd, centered);
  // The statistics as results: d mean / dx = 1 / n, d rstd / dx =
  // -rstd^2 xhat / n, where n counts the normalized elements.
  bool meanUsed = !isZeroFill(grads[1]), rstdUsed = !isZeroFill(grads[2]);
  if (meanUsed || rstdUsed) {
    Value n = make<ReduceSumOp>(b, loc, fullLike(b, loc, x, 1.0), axes,
                                /*keepdims=*/true);
    Value sum = Value();
    if (meanUsed)
      sum = grads[1];
    if (rstdUsed) {
      Value slope = make<NegOp>(
          b, loc, make<MulOp>(b, loc, make<MulOp>(b, loc, rstd, rstd), xhat));
      Value term = make<MulOp>(b, loc, grads[2], slope);
      sum = sum ? make<AddOp>(b, loc, sum, term) : term;
    }
    dx = make<AddOp>(b, loc, dx, make<DivOp>(b, loc, sum, n));
  }
  out.push_back(castTo(b, loc, dx, xType));
  if (scale)
    out.push_back(unbroadcastTo(b, loc, make<MulOp>(b, loc, g, xhat), scale));
  if (bias)
    out.push_back(unbroadcastTo(b, loc, g, bias));
  return success();
}

/// `v` ([C]) as [C, 1, ...], to broadcast along dimension 1 of a rank-`rank`
/// tensor.
Value perChannel(OpBuilder &b, Location loc, Value v, int64_t rank) {
  SmallVector<int64_t> spec{-1};
  for (int64_t i = 2; i < rank; ++i)
    spec.push_back(1);
  return make<ReshapeOp>(b, loc, v, spec);
}

LogicalResult batchNormVJP(BatchNormOp op, OpBuilder &b, ValueRange grads,
                           SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput(), g = grads[0];
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t rank = xType.getRank();
  SmallVector<int64_t> others{0};
  for (int64_t i = 2; i < rank; ++i)
    others.push_back(i);
  auto channel = [&](Value v) { return perChannel(b, loc, v, rank); };
  auto sumOthers = [&](Value v, Value like) {
    Value s = make<ReduceSumOp>(b, loc, v, others, /*keepdims=*/false);
    return castTo(b, loc, s, like.getType());
  };
  Value scale = channel(op.getScale()), mean = channel(op.getMean());
  Value variance = channel(op.getVariance());
  Value eps = scalarLike(b, loc, x, op.getEpsilon().convertToDouble());
  Value r =
      make<DivOp>(b, loc, scalarLike(b, loc, x, 1.0),
                  make<SqrtOp>(b, loc, make<AddOp>(b, loc, variance, eps)));
  Value centered = make<SubOp>(b, loc, x, mean);
  Value gScaled = make<MulOp>(b, loc, g, scale);
  // x
  Value dx = make<MulOp>(b, loc, gScaled, r);
  out.push_back(castTo(b, loc, dx, xType));
  // scale, bias
  out.push_back(sumOthers(
      make<MulOp>(b, loc, g, make<MulOp>(b, loc, centered, r)), op.getScale()));
  out.push_back(sumOthers(g, op.getBias()));
  // mean: -sum(dy * scale * r); variance: -1/2 r^3 sum(dy * scale * (x - m))
  out.push_back(sumOthers(make<NegOp>(b, loc, dx), op.getMean()));
  Value r3 = make<MulOp>(b, loc, make<MulOp>(b, loc, r, r), r);
  Value dvar =
      make<MulOp>(b, loc, make<MulOp>(b, loc, gScaled, centered),
                  make<MulOp>(b, loc, r3, scalarLike(b, loc, x, -0.5)));
  out.push_back(sumOthers(dvar, op.getVariance()));
  return success();
}

/// The sums of `v` ([N, C, ...], static but for N) over windows of
/// `before` + 1 + `after` channels.
Value channelWindowSum(OpBuilder &b, Location loc, Value v, int64_t before,
                       int64_t after) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t channels = type.getDimSize(1), rest = 1;
  for (int64_t d : type.getShape().drop_front(2))
    rest *= d;
  Value column =
      make<ReshapeOp>(b, loc, v, ArrayRef<int64_t>{0, 1, channels, rest});
  auto onesType = RankedTensorType::get({1, 1, before + 1 + after, 1},
                                        type.getElementType());
  Value ones = ConstantOp::create(
      b, loc,
      cast<ElementsAttr>(DenseElementsAttr::get(
          onesType, (Attribute)b.getFloatAttr(type.getElementType(), 1.0))));
  Value sums =
      make<Conv2DOp>(b, loc, column, ones, Value(), ArrayRef<int64_t>{1, 1},
                     ArrayRef<int64_t>{before, 0, after, 0},
                     ArrayRef<int64_t>{1, 1}, (uint64_t)1);
  return *reshapeLike(b, loc, sums, v);
}

LogicalResult lrnVJP(LRNOp op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput(), g = grads[0];
  auto xType = cast<RankedTensorType>(x.getType());
  if (llvm::any_of(xType.getShape().drop_front(), ShapedType::isDynamic))
    return op.emitOpError("cannot differentiate an lrn with dynamic channel "
                          "or spatial sizes");
  int64_t size = op.getSize();
  int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
  double alpha = op.getAlpha().convertToDouble();
  double beta = op.getBeta().convertToDouble();
  double bias = op.getBias().convertToDouble();
  auto scalar = [&](double v) { return scalarLike(b, loc, x, v); };
  Value d = make<AddOp>(
      b, loc, scalar(bias),
      make<MulOp>(b, loc, scalar(alpha / size),
                  channelWindowSum(b, loc, make<MulOp>(b, loc, x, x), lo, hi)));
  Value direct = make<MulOp>(b, loc, g, make<PowOp>(b, loc, d, scalar(-beta)));
  Value inner = make<MulOp>(b, loc, make<MulOp>(b, loc, g, x),
                            make<PowOp>(b, loc, d, scalar(-beta - 1)));
  Value spread = make<MulOp>(
      b, loc, make<MulOp>(b, loc, x, channelWindowSum(b, loc, inner, hi, lo)),
      scalar(2 * alpha * beta / size));
  out.push_back(castTo(b, loc, make<SubOp>(b, loc, direct, spread), xType));
  return success();
}

} // namespace

void mlir::kiln::registerNormalizationVJPs(MLIRContext *ctx) {
  attachRule<LRNOp, lrnVJP>(ctx);
  attachRule<LayerNormOp, layerNormVJP>(ctx);
  attachRule<BatchNormOp, batchNormVJP>(ctx);
}
