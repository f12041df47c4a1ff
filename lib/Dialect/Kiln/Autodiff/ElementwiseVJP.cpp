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
  out.push_back(unbroadcastTo(b, loc, make<MulOp>(b, loc, g, op.getRhs()),
                              op.getLhs()));
  out.push_back(unbroadcastTo(b, loc, make<MulOp>(b, loc, g, op.getLhs()),
                              op.getRhs()));
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
  Value slope = make<MulOp>(
      b, loc, s, make<SubOp>(b, loc, scalarLike(b, loc, s, 1.0), s));
  out.push_back(make<MulOp>(b, loc, grads[0], slope));
  return success();
}

} // namespace

void mlir::kiln::registerElementwiseVJPs(MLIRContext *ctx) {
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
}
