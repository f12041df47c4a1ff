//===- ShapeVJP.cpp - Gradient rules of shape ops -------------------------===//
//
// Data-movement ops move the cotangent back: transpose by the inverse
// permutation; reshape, flatten, squeeze, unsqueeze and dynamic_reshape to
// the input's shape; expand sums over the broadcast dimensions, tile over
// the copies; a constant pad crops the padding off again (a pad by the
// negated pads) and gives the padding value the rest of the sum.
//
//===----------------------------------------------------------------------===//

#include "VJP.h"

#include "kiln/Dialect/Kiln/IR/ConstantOperands.h"

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

/// Ops whose extra operands are integer shapes or axes: one null each.
template <typename OpTy>
LogicalResult reshapeWithOperandVJP(OpTy op, OpBuilder &b, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  if (!isDifferentiable(op.getInput().getType())) {
    out.append(op->getNumOperands(), Value());
    return success();
  }
  if (failed(reshapeVJP(op, b, grads, out)))
    return failure();
  out.append(op->getNumOperands() - 1, Value());
  return success();
}

LogicalResult expandVJP(ExpandOp op, OpBuilder &b, ValueRange grads,
                        SmallVectorImpl<Value> &out) {
  Value x = op.getInput();
  out.push_back(isDifferentiable(x.getType())
                    ? unbroadcastTo(b, op.getLoc(), grads[0], x)
                    : Value());
  out.push_back(Value());
  return success();
}

// [r0 * d0, r1 * d1, ...] -> [r0, d0, r1, d1, ...], summed over the r's.
LogicalResult tileVJP(TileOp op, OpBuilder &b, ValueRange grads,
                      SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput();
  if (!isDifferentiable(x.getType())) {
    out.append({Value(), Value()});
    return success();
  }
  auto xType = cast<RankedTensorType>(x.getType());
  auto repeats = getConstantInts(op.getRepeats());
  if (!repeats || !xType.hasStaticShape())
    return op.emitOpError("cannot differentiate a tile with run-time repeats "
                          "or a dynamic input shape");
  SmallVector<int64_t> split, copies;
  for (auto [i, d] : llvm::enumerate(xType.getShape())) {
    copies.push_back(2 * i);
    split.push_back((*repeats)[i]);
    split.push_back(d);
  }
  Value g = make<ReshapeOp>(b, loc, grads[0], split);
  g = make<ReduceSumOp>(b, loc, g, copies, /*keepdims=*/false);
  out.push_back(castTo(b, loc, g, xType));
  out.push_back(Value());
  return success();
}

LogicalResult padVJP(PadOp op, OpBuilder &b, ValueRange grads,
                     SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput(), g = grads[0];
  if (!isDifferentiable(x.getType())) {
    out.append(3, Value());
    return success();
  }
  if (op.getMode() != "constant")
    return op.emitOpError() << "cannot differentiate a pad in mode '"
                            << op.getMode() << "' (constant mode only)";
  Value cropped = make<PadOp>(b, loc, g, make<NegOp>(b, loc, op.getPads()),
                              scalarLike(b, loc, g, 0.0));
  out.push_back(castTo(b, loc, cropped, x.getType()));
  out.push_back(Value());
  // Every padded element is the value: it gets what the crop left over.
  auto all = [&](Value v) {
    SmallVector<int64_t> axes;
    for (int64_t i = 0, e = cast<RankedTensorType>(v.getType()).getRank();
         i < e; ++i)
      axes.push_back(i);
    return make<ReduceSumOp>(b, loc, v, axes, /*keepdims=*/false);
  };
  Value dvalue = make<SubOp>(b, loc, all(g), all(cropped));
  out.push_back(castTo(b, loc, dvalue, op.getValue().getType()));
  return success();
}

} // namespace

void mlir::kiln::registerShapeVJPs(MLIRContext *ctx) {
  attachRule<TransposeOp, transposeVJP>(ctx);
  attachRule<ReshapeOp, reshapeVJP<ReshapeOp>>(ctx);
  attachRule<FlattenOp, reshapeVJP<FlattenOp>>(ctx);
  attachRule<SqueezeOp, reshapeWithOperandVJP<SqueezeOp>>(ctx);
  attachRule<UnsqueezeOp, reshapeWithOperandVJP<UnsqueezeOp>>(ctx);
  attachRule<DynamicReshapeOp, reshapeWithOperandVJP<DynamicReshapeOp>>(ctx);
  attachRule<ExpandOp, expandVJP>(ctx);
  attachRule<TileOp, tileVJP>(ctx);
  attachRule<PadOp, padVJP>(ctx);
}
