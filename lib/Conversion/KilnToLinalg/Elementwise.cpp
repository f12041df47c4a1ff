//===- Elementwise.cpp - kiln elementwise ops to linalg.generic -----------===//
//
// Constants, the broadcasting binary ops and the unary ops. Each op is one
// entry of a table: a scalar function applied by the shared broadcasting
// generic builder.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Builds the scalar result from the (signless) scalar operands; the kiln
/// element type says whether integers are unsigned.
using ScalarFn = Value (*)(OpBuilder &, Location, ValueRange, Type kilnType);

bool isFloat(Type kilnType) { return isa<FloatType>(kilnType); }

Value buildAdd(OpBuilder &b, Location loc, ValueRange x, Type t) {
  if (isFloat(t))
    return arith::AddFOp::create(b, loc, x[0], x[1]);
  return arith::AddIOp::create(b, loc, x[0], x[1]);
}

Value buildSub(OpBuilder &b, Location loc, ValueRange x, Type t) {
  if (isFloat(t))
    return arith::SubFOp::create(b, loc, x[0], x[1]);
  return arith::SubIOp::create(b, loc, x[0], x[1]);
}

Value buildMul(OpBuilder &b, Location loc, ValueRange x, Type t) {
  if (isFloat(t))
    return arith::MulFOp::create(b, loc, x[0], x[1]);
  return arith::MulIOp::create(b, loc, x[0], x[1]);
}

Value buildDiv(OpBuilder &b, Location loc, ValueRange x, Type t) {
  if (isFloat(t))
    return arith::DivFOp::create(b, loc, x[0], x[1]);
  if (t.isUnsignedInteger())
    return arith::DivUIOp::create(b, loc, x[0], x[1]);
  return arith::DivSIOp::create(b, loc, x[0], x[1]);
}

Value buildPow(OpBuilder &b, Location loc, ValueRange x, Type t) {
  if (isFloat(t))
    return math::PowFOp::create(b, loc, x[0], x[1]);
  if (!t.isUnsignedInteger())
    return math::IPowIOp::create(b, loc, x[0], x[1]);
  // math.ipowi is signed: an unsigned exponent with its top bit set would be
  // negative. Twice the width holds it as a non-negative value, and the low
  // half of the wide power is the power modulo 2^width.
  Type narrow = x[0].getType();
  Type wide = b.getIntegerType(2 * narrow.getIntOrFloatBitWidth());
  Value base = arith::ExtUIOp::create(b, loc, wide, x[0]);
  Value exponent = arith::ExtUIOp::create(b, loc, wide, x[1]);
  Value power = math::IPowIOp::create(b, loc, base, exponent);
  return arith::TruncIOp::create(b, loc, narrow, power);
}

Value buildMax(OpBuilder &b, Location loc, ValueRange x, Type t) {
  if (isFloat(t))
    return arith::MaximumFOp::create(b, loc, x[0], x[1]);
  if (t.isUnsignedInteger())
    return arith::MaxUIOp::create(b, loc, x[0], x[1]);
  return arith::MaxSIOp::create(b, loc, x[0], x[1]);
}

Value buildMin(OpBuilder &b, Location loc, ValueRange x, Type t) {
  if (isFloat(t))
    return arith::MinimumFOp::create(b, loc, x[0], x[1]);
  if (t.isUnsignedInteger())
    return arith::MinUIOp::create(b, loc, x[0], x[1]);
  return arith::MinSIOp::create(b, loc, x[0], x[1]);
}

Value buildNeg(OpBuilder &b, Location loc, ValueRange x, Type t) {
  if (isFloat(t))
    return arith::NegFOp::create(b, loc, x[0]);
  Value zero = scalarConstant(b, loc, x[0].getType(), 0);
  return arith::SubIOp::create(b, loc, zero, x[0]);
}

Value buildAbs(OpBuilder &b, Location loc, ValueRange x, Type t) {
  if (isFloat(t))
    return math::AbsFOp::create(b, loc, x[0]);
  if (t.isUnsignedInteger())
    return x[0];
  return math::AbsIOp::create(b, loc, x[0]);
}

Value buildExp(OpBuilder &b, Location loc, ValueRange x, Type) {
  return math::ExpOp::create(b, loc, x[0]);
}

Value buildLog(OpBuilder &b, Location loc, ValueRange x, Type) {
  return math::LogOp::create(b, loc, x[0]);
}

Value buildSqrt(OpBuilder &b, Location loc, ValueRange x, Type) {
  return math::SqrtOp::create(b, loc, x[0]);
}

Value buildTanh(OpBuilder &b, Location loc, ValueRange x, Type) {
  return math::TanhOp::create(b, loc, x[0]);
}

Value buildSigmoid(OpBuilder &b, Location loc, ValueRange x, Type) {
  Value one = scalarConstant(b, loc, x[0].getType(), 1.0);
  Value negated = arith::NegFOp::create(b, loc, x[0]);
  Value denominator =
      arith::AddFOp::create(b, loc, one, math::ExpOp::create(b, loc, negated));
  return arith::DivFOp::create(b, loc, one, denominator);
}

Value buildRelu(OpBuilder &b, Location loc, ValueRange x, Type t) {
  Value zero = scalarConstant(b, loc, x[0].getType(), 0);
  if (isFloat(t))
    return arith::MaximumFOp::create(b, loc, x[0], zero);
  if (t.isUnsignedInteger())
    return x[0];
  return arith::MaxSIOp::create(b, loc, x[0], zero);
}

/// Any elementwise kiln op: broadcast the operands, apply `fn`.
template <typename OpTy>
struct ElementwiseLowering : public OpConversionPattern<OpTy> {
  ElementwiseLowering(const TypeConverter &converter, MLIRContext *ctx,
                      ScalarFn fn)
      : OpConversionPattern<OpTy>(converter, ctx), fn(fn) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = convertedType(this->getTypeConverter(), op.getType());
    Type kilnType = getElementTypeOrSelf(op->getOperand(0).getType());
    SmallVector<OpFoldResult> dims =
        broadcastDims(rewriter, op.getLoc(), resultType, adaptor.getOperands());
    checkBroadcast(rewriter, op.getLoc(), op, resultType,
                   adaptor.getOperands(), dims);
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return fn(b, loc, args, kilnType);
        },
        dims);
    rewriter.replaceOp(op, result);
    return success();
  }

  ScalarFn fn;
};

/// kiln.constant -> arith.constant, with integer signedness dropped.
struct ConstantLowering : public OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertedType(getTypeConverter(), op.getType());
    Attribute value = op.getValue();
    if (type != op.getType()) {
      // Same bits, signless type.
      if (auto dense = dyn_cast<DenseElementsAttr>(value))
        value = dense.bitcast(type.getElementType());
      else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
        value = DenseResourceElementsAttr::get(type, resource.getRawHandle());
      else
        return rewriter.notifyMatchFailure(op, "unsupported constant kind");
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, type,
                                                   cast<TypedAttr>(value));
    return success();
  }
};

} // namespace

void mlir::kiln::populateElementwiseToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ConstantLowering>(converter, ctx);
  patterns.add<ElementwiseLowering<AddOp>>(converter, ctx, buildAdd);
  patterns.add<ElementwiseLowering<SubOp>>(converter, ctx, buildSub);
  patterns.add<ElementwiseLowering<MulOp>>(converter, ctx, buildMul);
  patterns.add<ElementwiseLowering<DivOp>>(converter, ctx, buildDiv);
  patterns.add<ElementwiseLowering<PowOp>>(converter, ctx, buildPow);
  patterns.add<ElementwiseLowering<MaxOp>>(converter, ctx, buildMax);
  patterns.add<ElementwiseLowering<MinOp>>(converter, ctx, buildMin);
  patterns.add<ElementwiseLowering<NegOp>>(converter, ctx, buildNeg);
  patterns.add<ElementwiseLowering<AbsOp>>(converter, ctx, buildAbs);
  patterns.add<ElementwiseLowering<ExpOp>>(converter, ctx, buildExp);
  patterns.add<ElementwiseLowering<LogOp>>(converter, ctx, buildLog);
  patterns.add<ElementwiseLowering<SqrtOp>>(converter, ctx, buildSqrt);
  patterns.add<ElementwiseLowering<TanhOp>>(converter, ctx, buildTanh);
  patterns.add<ElementwiseLowering<SigmoidOp>>(converter, ctx, buildSigmoid);
  patterns.add<ElementwiseLowering<ReluOp>>(converter, ctx, buildRelu);
}
