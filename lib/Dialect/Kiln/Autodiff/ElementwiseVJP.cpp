//===- ElementwiseVJP.cpp - Gradient rules of elementwise ops -------------===//
//
// Binary ops sum their cotangents back over the dimensions they broadcast
// (unbroadcast); unary ops multiply by their derivative, written with the
// forward result where that is cheaper (exp, sqrt, tanh, sigmoid).
//
//===----------------------------------------------------------------------===//

#include "VJP.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

template <typename OpTy>
LogicalResult addVJP(OpTy op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value g = grads[0];
  out.push_back(unbroadcastTo(b, loc, g, op.getLhs()));
  Value rhsGrad = std::is_same_v<OpTy, SubOp> ? make<NegOp>(b, loc, g) : g;
  out.push_back(unbroadcastTo(b, loc, rhsGrad, op.getRhs()));
  return success();
}

LogicalResult mulVJP(MulOp op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value g = grads[0];
  out.push_back(
      unbroadcastTo(b, loc, make<MulOp>(b, loc, g, op.getRhs()), op.getLhs()));
  out.push_back(
      unbroadcastTo(b, loc, make<MulOp>(b, loc, g, op.getLhs()), op.getRhs()));
  return success();
}

// d(l / r) = dl / r - dr * (l / r) / r
LogicalResult divVJP(DivOp op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value gOverR = make<DivOp>(b, loc, grads[0], op.getRhs());
  out.push_back(unbroadcastTo(b, loc, gOverR, op.getLhs()));
  Value rhsGrad =
      make<NegOp>(b, loc, make<MulOp>(b, loc, gOverR, op.getResult()));
  out.push_back(unbroadcastTo(b, loc, rhsGrad, op.getRhs()));
  return success();
}

// d(l ^ r) = dl * r * l^(r - 1) + dr * l^r * log(l)
LogicalResult powVJP(PowOp op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value g = grads[0], l = op.getLhs(), r = op.getRhs();
  Value rMinusOne = make<SubOp>(b, loc, r, scalarLike(b, loc, r, 1.0));
  Value dl = make<MulOp>(
      b, loc, g, make<MulOp>(b, loc, r, make<PowOp>(b, loc, l, rMinusOne)));
  out.push_back(unbroadcastTo(b, loc, dl, l));
  Value dr = make<MulOp>(
      b, loc, g, make<MulOp>(b, loc, op.getResult(), make<LogOp>(b, loc, l)));
  out.push_back(unbroadcastTo(b, loc, dr, r));
  return success();
}

LogicalResult negVJP(NegOp op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  out.push_back(make<NegOp>(b, op.getLoc(), grads[0]));
  return success();
}

LogicalResult expVJP(ExpOp op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  out.push_back(make<MulOp>(b, op.getLoc(), grads[0], op.getResult()));
  return success();
}

LogicalResult logVJP(LogOp op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  out.push_back(make<DivOp>(b, op.getLoc(), grads[0], op.getInput()));
  return success();
}

// d sqrt(x) = dx / (2 sqrt(x))
LogicalResult sqrtVJP(SqrtOp op, OpBuilder &b, ValueRange grads,
                      SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value twice = make<MulOp>(b, loc, op.getResult(),
                            scalarLike(b, loc, op.getResult(), 2.0));
  out.push_back(make<DivOp>(b, loc, grads[0], twice));
  return success();
}

// d tanh(x) = dx (1 - tanh(x)^2)
LogicalResult tanhVJP(TanhOp op, OpBuilder &b, ValueRange grads,
                      SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value y = op.getResult();
  Value slope = make<SubOp>(b, loc, scalarLike(b, loc, y, 1.0),
                            make<MulOp>(b, loc, y, y));
  out.push_back(make<MulOp>(b, loc, grads[0], slope));
  return success();
}

// d sigmoid(x) = dx s (1 - s)
LogicalResult sigmoidVJP(SigmoidOp op, OpBuilder &b, ValueRange grads,
                         SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value s = op.getResult();
  Value slope = make<MulOp>(b, loc, s,
                            make<SubOp>(b, loc, scalarLike(b, loc, s, 1.0), s));
  out.push_back(make<MulOp>(b, loc, grads[0], slope));
  return success();
}

/// A zero of `like`'s element type that broadcasts anywhere.
Value zero(OpBuilder &b, Location loc, Value like) {
  return scalarLike(b, loc, like, 0.0);
}

LogicalResult absVJP(AbsOp op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  out.push_back(
      make<MulOp>(b, loc, grads[0], make<SignOp>(b, loc, op.getInput())));
  return success();
}

// The rectifier passes the cotangent where the input is positive.
LogicalResult reluVJP(ReluOp op, OpBuilder &b, ValueRange grads,
                      SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput();
  Value positive = make<GreaterOp>(b, loc, x, zero(b, loc, x));
  out.push_back(castTo(
      b, loc, make<SelectOp>(b, loc, positive, grads[0], zero(b, loc, x)),
      x.getType()));
  return success();
}

/// max and min send the cotangent to the operand they chose (the left one on
/// a tie).
template <typename OpTy, typename CompareOp>
LogicalResult extremumVJP(OpTy op, OpBuilder &b, ValueRange grads,
                          SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value l = op.getLhs(), r = op.getRhs(), g = grads[0];
  Value leftWins = make<CompareOp>(b, loc, l, r);
  Value none = zero(b, loc, g);
  out.push_back(
      unbroadcastTo(b, loc, make<SelectOp>(b, loc, leftWins, g, none), l));
  out.push_back(
      unbroadcastTo(b, loc, make<SelectOp>(b, loc, leftWins, none, g), r));
  return success();
}

LogicalResult selectVJP(SelectOp op, OpBuilder &b, ValueRange grads,
                        SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value c = op.getCondition(), g = grads[0];
  Value none = zero(b, loc, g);
  out.push_back(Value());
  for (auto [value, taken] : {std::make_pair(op.getTrueValue(), true),
                              std::make_pair(op.getFalseValue(), false)}) {
    if (!isDifferentiable(value.getType())) {
      out.push_back(Value());
      continue;
    }
    Value picked = taken ? make<SelectOp>(b, loc, c, g, none)
                         : make<SelectOp>(b, loc, c, none, g);
    out.push_back(unbroadcastTo(b, loc, picked, value));
  }
  return success();
}

// A cast between float types casts the cotangent back; from or to integers
// there is nothing to differentiate.
LogicalResult castVJP(CastOp op, OpBuilder &b, ValueRange grads,
                      SmallVectorImpl<Value> &out) {
  Value x = op.getInput();
  if (!isDifferentiable(x.getType()) || !isDifferentiable(op.getType())) {
    out.push_back(Value());
    return success();
  }
  out.push_back(make<CastOp>(b, op.getLoc(), grads[0],
                             TypeAttr::get(getElementTypeOrSelf(x.getType()))));
  return success();
}

/// Piecewise-constant functions: zero almost everywhere.
template <typename OpTy>
LogicalResult constantVJP(OpTy, OpBuilder &, ValueRange,
                          SmallVectorImpl<Value> &out) {
  out.push_back(Value());
  return success();
}

// d erf(x) = dx 2 / sqrt(pi) exp(-x^2)
LogicalResult erfVJP(ErfOp op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput();
  Value bell =
      make<ExpOp>(b, loc, make<NegOp>(b, loc, make<MulOp>(b, loc, x, x)));
  Value slope =
      make<MulOp>(b, loc, bell, scalarLike(b, loc, x, 1.1283791670955126));
  out.push_back(make<MulOp>(b, loc, grads[0], slope));
  return success();
}

LogicalResult sinVJP(SinOp op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  out.push_back(
      make<MulOp>(b, loc, grads[0], make<CosOp>(b, loc, op.getInput())));
  return success();
}

LogicalResult cosVJP(CosOp op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  out.push_back(make<NegOp>(
      b, loc,
      make<MulOp>(b, loc, grads[0], make<SinOp>(b, loc, op.getInput()))));
  return success();
}

/// `dx = dy * slope(x, y)` for unary ops whose derivative is a simple
/// expression of the input and the result.
template <typename OpTy, Value (*Slope)(OpBuilder &, Location, Value, Value)>
LogicalResult unaryVJP(OpTy op, OpBuilder &b, ValueRange grads,
                       SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value slope = Slope(b, loc, op.getInput(), op.getResult());
  out.push_back(make<MulOp>(b, loc, grads[0], slope));
  return success();
}

Value square(OpBuilder &b, Location loc, Value v) {
  return make<MulOp>(b, loc, v, v);
}
Value one(OpBuilder &b, Location loc, Value like) {
  return scalarLike(b, loc, like, 1.0);
}
Value reciprocal(OpBuilder &b, Location loc, Value v) {
  return make<DivOp>(b, loc, one(b, loc, v), v);
}

// tan' = 1 + tan^2
Value tanSlope(OpBuilder &b, Location loc, Value, Value y) {
  return make<AddOp>(b, loc, one(b, loc, y), square(b, loc, y));
}
// asin' = 1 / sqrt(1 - x^2), acos' = -asin'
Value asinSlope(OpBuilder &b, Location loc, Value x, Value) {
  return reciprocal(
      b, loc,
      make<SqrtOp>(b, loc,
                   make<SubOp>(b, loc, one(b, loc, x), square(b, loc, x))));
}
Value acosSlope(OpBuilder &b, Location loc, Value x, Value y) {
  return make<NegOp>(b, loc, asinSlope(b, loc, x, y));
}
// atan' = 1 / (1 + x^2)
Value atanSlope(OpBuilder &b, Location loc, Value x, Value) {
  return reciprocal(b, loc,
                    make<AddOp>(b, loc, one(b, loc, x), square(b, loc, x)));
}
Value sinhSlope(OpBuilder &b, Location loc, Value x, Value) {
  return make<CoshOp>(b, loc, x);
}
Value coshSlope(OpBuilder &b, Location loc, Value x, Value) {
  return make<SinhOp>(b, loc, x);
}
// asinh' = 1 / sqrt(x^2 + 1), acosh' = 1 / sqrt(x^2 - 1)
Value asinhSlope(OpBuilder &b, Location loc, Value x, Value) {
  return reciprocal(
      b, loc,
      make<SqrtOp>(b, loc,
                   make<AddOp>(b, loc, square(b, loc, x), one(b, loc, x))));
}
Value acoshSlope(OpBuilder &b, Location loc, Value x, Value) {
  return reciprocal(
      b, loc,
      make<SqrtOp>(b, loc,
                   make<SubOp>(b, loc, square(b, loc, x), one(b, loc, x))));
}
// atanh' = 1 / (1 - x^2)
Value atanhSlope(OpBuilder &b, Location loc, Value x, Value) {
  return reciprocal(b, loc,
                    make<SubOp>(b, loc, one(b, loc, x), square(b, loc, x)));
}

// Dropout passes the cotangent where the mask kept the element, scaled as
// the forward pass scaled it: by 1 / (1 - ratio) in training with a ratio
// other than 0, by 1 otherwise (the mask is then all true). The mask is the
// forward op's own result, so the backward pass drops exactly the elements
// the forward pass dropped.
LogicalResult dropoutVJP(DropoutOp op, OpBuilder &b, ValueRange grads,
                         SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value g = grads[0], ratio = op.getRatio();
  Value zero = scalarLike(b, loc, ratio, 0.0);
  Value active =
      make<AndOp>(b, loc, op.getTraining(),
                  make<NotOp>(b, loc, make<EqualOp>(b, loc, ratio, zero)));
  Value scale = make<SelectOp>(
      b, loc, active,
      reciprocal(b, loc, make<SubOp>(b, loc, one(b, loc, ratio), ratio)),
      one(b, loc, ratio));
  Value kept =
      make<SelectOp>(b, loc, op.getMask(), g, scalarLike(b, loc, g, 0.0));
  Value dx = make<MulOp>(
      b, loc, kept,
      make<CastOp>(b, loc, scale,
                   TypeAttr::get(getElementTypeOrSelf(g.getType()))));
  out.push_back(castTo(b, loc, dx, op.getInput().getType()));
  // No cotangent for ratio, training and the step counter (when present).
  out.append(op->getNumOperands() - 1, Value());
  return success();
}

// l rem r = l - trunc(l / r) r and l mod r = l - floor(l / r) r: dl = dy,
// dr = -dy * trunc (floor) of l / r (the quotient is piecewise constant).
template <typename OpTy>
LogicalResult remainderVJP(OpTy op, OpBuilder &b, ValueRange grads,
                           SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value l = op.getLhs(), r = op.getRhs(), g = grads[0];
  Value q = make<DivOp>(b, loc, l, r);
  Value whole = make<FloorOp>(b, loc, q);
  if constexpr (std::is_same_v<OpTy, RemOp>)
    whole = make<SelectOp>(b, loc,
                           make<LessOp>(b, loc, q, scalarLike(b, loc, q, 0.0)),
                           make<CeilOp>(b, loc, q), whole);
  out.push_back(unbroadcastTo(b, loc, g, l));
  out.push_back(unbroadcastTo(
      b, loc, make<NegOp>(b, loc, make<MulOp>(b, loc, g, whole)), r));
  return success();
}

} // namespace

void mlir::kiln::registerElementwiseVJPs(MLIRContext *ctx) {
  attachRule<RemOp, remainderVJP<RemOp>>(ctx);
  attachRule<ModOp, remainderVJP<ModOp>>(ctx);
  attachRule<TanOp, unaryVJP<TanOp, tanSlope>>(ctx);
  attachRule<AsinOp, unaryVJP<AsinOp, asinSlope>>(ctx);
  attachRule<AcosOp, unaryVJP<AcosOp, acosSlope>>(ctx);
  attachRule<AtanOp, unaryVJP<AtanOp, atanSlope>>(ctx);
  attachRule<SinhOp, unaryVJP<SinhOp, sinhSlope>>(ctx);
  attachRule<CoshOp, unaryVJP<CoshOp, coshSlope>>(ctx);
  attachRule<AsinhOp, unaryVJP<AsinhOp, asinhSlope>>(ctx);
  attachRule<AcoshOp, unaryVJP<AcoshOp, acoshSlope>>(ctx);
  attachRule<AtanhOp, unaryVJP<AtanhOp, atanhSlope>>(ctx);
  attachRule<DropoutOp, dropoutVJP>(ctx);
  attachRule<AddOp, addVJP<AddOp>>(ctx);
  attachRule<SubOp, addVJP<SubOp>>(ctx);
  attachRule<MulOp, mulVJP>(ctx);
  attachRule<DivOp, divVJP>(ctx);
  attachRule<PowOp, powVJP>(ctx);
  attachRule<NegOp, negVJP>(ctx);
  attachRule<ExpOp, expVJP>(ctx);
  attachRule<LogOp, logVJP>(ctx);
  attachRule<SqrtOp, sqrtVJP>(ctx);
  attachRule<TanhOp, tanhVJP>(ctx);
  attachRule<SigmoidOp, sigmoidVJP>(ctx);
  attachRule<AbsOp, absVJP>(ctx);
  attachRule<ReluOp, reluVJP>(ctx);
  attachRule<MaxOp, extremumVJP<MaxOp, GreaterEqualOp>>(ctx);
  attachRule<MinOp, extremumVJP<MinOp, LessEqualOp>>(ctx);
  attachRule<SelectOp, selectVJP>(ctx);
  attachRule<CastOp, castVJP>(ctx);
  attachRule<SignOp, constantVJP<SignOp>>(ctx);
  attachRule<FloorOp, constantVJP<FloorOp>>(ctx);
  attachRule<CeilOp, constantVJP<CeilOp>>(ctx);
  attachRule<RoundOp, constantVJP<RoundOp>>(ctx);
  attachRule<ErfOp, erfVJP>(ctx);
  attachRule<SinOp, sinVJP>(ctx);
  attachRule<CosOp, cosVJP>(ctx);
}
