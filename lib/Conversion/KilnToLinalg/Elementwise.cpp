//===- Elementwise.cpp - kiln elementwise ops to linalg.generic -----------===//
//
// Constants, the broadcasting binary ops, comparisons, select, cast and the
// unary ops. Each op is one entry of a table: a scalar function applied by
// the shared broadcasting generic builder. Integers arrive signless; the kiln
// element type says whether they are unsigned (i1 counts as unsigned: a
// boolean is 0 or 1).
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

/// Whether a kiln integer type is read as unsigned by the ops of this file
/// that are new enough to treat booleans as 0/1 (comparisons, cast, ...).
bool isUnsignedOrBool(Type kilnType) {
  return kilnType.isUnsignedInteger() || kilnType.isInteger(1);
}

/// An integer constant of the signless type `type` from its bits.
Value intConstant(OpBuilder &b, Location loc, Type type, const APInt &value) {
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

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

/// A divisor that cannot trap: 0 (and -1 for signed types, whose INT_MIN / -1
/// overflows) become 1. Both give the remainder 0, which is right for -1 and
/// numpy's answer for 0.
Value safeDivisor(OpBuilder &b, Location loc, Value divisor, bool isUnsigned) {
  Type type = divisor.getType();
  unsigned width = type.getIntOrFloatBitWidth();
  Value one = intConstant(b, loc, type, APInt(width, 1));
  Value bad = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, divisor,
                                    intConstant(b, loc, type,
                                                APInt::getZero(width)));
  if (!isUnsigned)
    bad = arith::OrIOp::create(
        b, loc, bad,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, divisor,
                              intConstant(b, loc, type,
                                          APInt::getAllOnes(width))));
  return arith::SelectOp::create(b, loc, bad, one, divisor);
}

Value buildRem(OpBuilder &b, Location loc, ValueRange x, Type t) {
  if (isFloat(t))
    return arith::RemFOp::create(b, loc, x[0], x[1]);
  bool isUnsigned = isUnsignedOrBool(t);
  Value divisor = safeDivisor(b, loc, x[1], isUnsigned);
  if (isUnsigned)
    return arith::RemUIOp::create(b, loc, x[0], divisor);
  return arith::RemSIOp::create(b, loc, x[0], divisor);
}

/// Floored remainder: the truncated one, moved by one divisor when it is
/// non-zero and its sign differs from the divisor's.
Value buildMod(OpBuilder &b, Location loc, ValueRange x, Type t) {
  Value rem = buildRem(b, loc, x, t);
  if (isUnsignedOrBool(t))
    return rem;
  if (isFloat(t)) {
    Value zero = scalarConstant(b, loc, rem.getType(), 0);
    Value nonZero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE,
                                          rem, zero);
    Value remNegative = arith::CmpFOp::create(
        b, loc, arith::CmpFPredicate::OLT, rem, zero);
    Value divisorNegative = arith::CmpFOp::create(
        b, loc, arith::CmpFPredicate::OLT, x[1], zero);
    Value signsDiffer =
        arith::XOrIOp::create(b, loc, remNegative, divisorNegative);
    Value adjust = arith::AndIOp::create(b, loc, nonZero, signsDiffer);
    Value moved = arith::AddFOp::create(b, loc, rem, x[1]);
    // numpy gives a zero remainder the divisor's sign.
    Value signed0 = math::CopySignOp::create(b, loc, rem, x[1]);
    Value isZero =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, rem, zero);
    return arith::SelectOp::create(
        b, loc, adjust, moved,
        arith::SelectOp::create(b, loc, isZero, signed0, rem));
  }
  Value zero = scalarConstant(b, loc, rem.getType(), 0);
  Value nonZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, rem, zero);
  // The signs differ exactly when rem ^ divisor is negative.
  Value signsDiffer = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::slt,
      arith::XOrIOp::create(b, loc, rem, x[1]), zero);
  Value adjust = arith::AndIOp::create(b, loc, nonZero, signsDiffer);
  Value moved = arith::AddIOp::create(b, loc, rem, x[1]);
  return arith::SelectOp::create(b, loc, adjust, moved, rem);
}

Value buildAnd(OpBuilder &b, Location loc, ValueRange x, Type) {
  return arith::AndIOp::create(b, loc, x[0], x[1]);
}

Value buildOr(OpBuilder &b, Location loc, ValueRange x, Type) {
  return arith::OrIOp::create(b, loc, x[0], x[1]);
}

Value buildXor(OpBuilder &b, Location loc, ValueRange x, Type) {
  return arith::XOrIOp::create(b, loc, x[0], x[1]);
}

/// Whether the shift amount (read as unsigned) is below the bit width, where
/// LLVM's shifts are defined.
Value shiftInRange(OpBuilder &b, Location loc, Value amount) {
  Type type = amount.getType();
  unsigned width = type.getIntOrFloatBitWidth();
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, amount,
                               intConstant(b, loc, type, APInt(width, width)));
}

Value buildShiftLeft(OpBuilder &b, Location loc, ValueRange x, Type) {
  Value zero = scalarConstant(b, loc, x[0].getType(), 0);
  Value shifted = arith::ShLIOp::create(b, loc, x[0], x[1]);
  return arith::SelectOp::create(b, loc, shiftInRange(b, loc, x[1]), shifted,
                                 zero);
}

Value buildShiftRight(OpBuilder &b, Location loc, ValueRange x, Type t) {
  Value inRange = shiftInRange(b, loc, x[1]);
  if (isUnsignedOrBool(t)) {
    Value zero = scalarConstant(b, loc, x[0].getType(), 0);
    Value shifted = arith::ShRUIOp::create(b, loc, x[0], x[1]);
    return arith::SelectOp::create(b, loc, inRange, shifted, zero);
  }
  // An arithmetic shift by width - 1 already fills every bit with the sign.
  unsigned width = x[0].getType().getIntOrFloatBitWidth();
  Value maxShift =
      intConstant(b, loc, x[1].getType(), APInt(width, width - 1));
  Value amount = arith::SelectOp::create(b, loc, inRange, x[1], maxShift);
  return arith::ShRSIOp::create(b, loc, x[0], amount);
}

/// Comparisons: ordered for floats (false with NaN), unsigned for unsigned
/// integers and i1.
template <arith::CmpFPredicate F, arith::CmpIPredicate S,
          arith::CmpIPredicate U>
Value buildCompare(OpBuilder &b, Location loc, ValueRange x, Type t) {
  if (isFloat(t))
    return arith::CmpFOp::create(b, loc, F, x[0], x[1]);
  return arith::CmpIOp::create(b, loc, isUnsignedOrBool(t) ? U : S, x[0],
                               x[1]);
}

Value buildSelect(OpBuilder &b, Location loc, ValueRange x, Type) {
  return arith::SelectOp::create(b, loc, x[0], x[1], x[2]);
}

Value buildNot(OpBuilder &b, Location loc, ValueRange x, Type) {
  Type type = x[0].getType();
  return arith::XOrIOp::create(
      b, loc, x[0],
      intConstant(b, loc, type,
                  APInt::getAllOnes(type.getIntOrFloatBitWidth())));
}

/// -1, 0 or 1; a float zero keeps its sign and NaN stays NaN.
Value buildSign(OpBuilder &b, Location loc, ValueRange x, Type t) {
  Type type = x[0].getType();
  Value zero = scalarConstant(b, loc, type, 0);
  Value one = scalarConstant(b, loc, type, 1);
  if (isFloat(t)) {
    Value minusOne = scalarConstant(b, loc, type, -1);
    Value positive =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x[0], zero);
    Value negative =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x[0], zero);
    return arith::SelectOp::create(
        b, loc, positive, one,
        arith::SelectOp::create(b, loc, negative, minusOne, x[0]));
  }
  Value nonZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x[0], zero);
  Value magnitude = arith::SelectOp::create(b, loc, nonZero, one, zero);
  if (isUnsignedOrBool(t))
    return magnitude;
  Value minusOne = intConstant(
      b, loc, type, APInt::getAllOnes(type.getIntOrFloatBitWidth()));
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x[0], zero);
  return arith::SelectOp::create(b, loc, negative, minusOne, magnitude);
}

Value buildFloor(OpBuilder &b, Location loc, ValueRange x, Type) {
  return math::FloorOp::create(b, loc, x[0]);
}

Value buildCeil(OpBuilder &b, Location loc, ValueRange x, Type) {
  return math::CeilOp::create(b, loc, x[0]);
}

Value buildRound(OpBuilder &b, Location loc, ValueRange x, Type) {
  return math::RoundEvenOp::create(b, loc, x[0]);
}

/// A math function that becomes a libm call: libm has float and double
/// versions only, so 16-bit floats are computed in f32 and rounded back
/// (both 16-bit formats convert to f32 exactly).
template <typename MathOp>
Value buildLibmCall(OpBuilder &b, Location loc, ValueRange x, Type) {
  Type type = x[0].getType();
  if (type.getIntOrFloatBitWidth() >= 32)
    return MathOp::create(b, loc, x[0]);
  Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), x[0]);
  Value result = MathOp::create(b, loc, wide);
  return arith::TruncFOp::create(b, loc, type, result);
}

/// kiln.cast of one scalar from kiln type `from` to kiln type `to`, whose
/// signless form is `toType` (see CastOp's description for the rules).
Value buildCast(OpBuilder &b, Location loc, Value x, Type from, Type to,
                Type toType) {
  Type fromType = x.getType();
  if (fromType == toType)
    return x; // Equal bits: a signedness change, or no change at all.
  if (auto toFloat = dyn_cast<FloatType>(toType)) {
    if (auto fromFloat = dyn_cast<FloatType>(fromType)) {
      unsigned fromWidth = fromFloat.getWidth(), toWidth = toFloat.getWidth();
      if (fromWidth == toWidth) {
        // f16 <-> bf16: through f32, which holds both exactly.
        Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
        return arith::TruncFOp::create(b, loc, toType, wide);
      }
      if (fromWidth < toWidth)
        return arith::ExtFOp::create(b, loc, toType, x);
      return arith::TruncFOp::create(b, loc, toType, x);
    }
    if (isUnsignedOrBool(from))
      return arith::UIToFPOp::create(b, loc, toType, x);
    return arith::SIToFPOp::create(b, loc, toType, x);
  }

  unsigned toWidth = toType.getIntOrFloatBitWidth();
  if (auto fromFloat = dyn_cast<FloatType>(fromType)) {
    Value zero = scalarConstant(b, loc, fromType, 0);
    if (toWidth == 1) // NaN != 0 too.
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x, zero);
    // fptosi/fptoui are poison out of range; the selects below never pick
    // their result there.
    bool isUnsigned = isUnsignedOrBool(to);
    const llvm::fltSemantics &sem = fromFloat.getFloatSemantics();
    auto powerOfTwo = [&](unsigned k, bool negative) -> Value {
      // +-inf when 2^k exceeds the format: then no finite value reaches it.
      APFloat v = scalbn(APFloat::getOne(sem, negative), (int)k,
                         APFloat::rmNearestTiesToEven);
      return arith::ConstantOp::create(b, loc, b.getFloatAttr(fromType, v));
    };
    Value low = isUnsigned ? zero : powerOfTwo(toWidth - 1, /*negative=*/true);
    Value high = powerOfTwo(isUnsigned ? toWidth : toWidth - 1, false);
    Value min = intConstant(b, loc, toType,
                            isUnsigned ? APInt::getZero(toWidth)
                                       : APInt::getSignedMinValue(toWidth));
    Value max = intConstant(b, loc, toType,
                            isUnsigned ? APInt::getMaxValue(toWidth)
                                       : APInt::getSignedMaxValue(toWidth));
    Value converted =
        isUnsigned ? (Value)arith::FPToUIOp::create(b, loc, toType, x)
                   : (Value)arith::FPToSIOp::create(b, loc, toType, x);
    Value tooLow =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, low);
    Value tooHigh =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, x, high);
    Value isNaN =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
    Value result = arith::SelectOp::create(b, loc, tooHigh, max, converted);
    result = arith::SelectOp::create(b, loc, tooLow, min, result);
    return arith::SelectOp::create(
        b, loc, isNaN, intConstant(b, loc, toType, APInt::getZero(toWidth)),
        result);
  }

  unsigned fromWidth = fromType.getIntOrFloatBitWidth();
  if (toWidth == 1)
    return arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne, x,
        intConstant(b, loc, fromType, APInt::getZero(fromWidth)));
  if (toWidth < fromWidth)
    return arith::TruncIOp::create(b, loc, toType, x);
  if (isUnsignedOrBool(from))
    return arith::ExtUIOp::create(b, loc, toType, x);
  return arith::ExtSIOp::create(b, loc, toType, x);
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

/// kiln.cast: one generic whose body converts between the kiln element
/// types (the signless types alone lose the signedness it needs).
struct CastLowering : public OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Type from = op.getInput().getType().getElementType();
    Type to = op.getType().getElementType();
    SmallVector<OpFoldResult> dims = broadcastDims(
        rewriter, op.getLoc(), resultType, adaptor.getOperands());
    checkBroadcast(rewriter, op.getLoc(), op, resultType,
                   adaptor.getOperands(), dims);
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType, adaptor.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return buildCast(b, loc, args[0], from, to,
                           resultType.getElementType());
        },
        dims);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// splitmix64's finalizer: a bijective mix of a 64-bit integer whose output
/// bits each depend on every input bit, which makes consecutive counters
/// look independent.
Value mix64(OpBuilder &b, Location loc, Value z) {
  Type i64 = b.getI64Type();
  auto c = [&](uint64_t v) {
    return arith::ConstantIntOp::create(b, loc, i64, (int64_t)v).getResult();
  };
  auto xorShift = [&](Value v, int64_t shift) {
    return arith::XOrIOp::create(b, loc, v,
                                 arith::ShRUIOp::create(b, loc, v, c(shift)))
        .getResult();
  };
  z = arith::MulIOp::create(b, loc, xorShift(z, 30), c(0xbf58476d1ce4e5b9ull));
  z = arith::MulIOp::create(b, loc, xorShift(z, 27), c(0x94d049bb133111ebull));
  return xorShift(z, 31);
}

/// kiln.dropout. With `training` a constant false (or `ratio` a constant 0)
/// it is the identity and an all-true mask. Otherwise one linalg.generic
/// computes output and mask: a counter-based generator hashes (seed, step,
/// row-major element index) into 64 bits, whose top 24 are `u` in [0, 1);
/// an element is kept when `u >= ratio` (probability 1 - ratio). Every
/// element is independent of the others, so the loop stays parallel and
/// the result does not depend on tiling or threads.
struct DropoutLowering : public OpConversionPattern<DropoutOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outputType =
        convertedType(getTypeConverter(), op.getOutput().getType());
    auto maskType = convertedType(getTypeConverter(), op.getMask().getType());
    Value input = adaptor.getInput();
    SmallVector<OpFoldResult> dims = getDims(rewriter, loc, input);
    Value trueValue =
        arith::ConstantOp::create(rewriter, loc, rewriter.getBoolAttr(true));

    // The inference form, decided at compile time: no generator at all.
    auto isConstant = [](Value v, double value) {
      auto c = v.getDefiningOp<ConstantOp>();
      if (!c)
        return false;
      auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
      if (!dense || !dense.isSplat())
        return false;
      if (isa<FloatType>(dense.getElementType()))
        return dense.getSplatValue<APFloat>().convertToDouble() == value;
      return dense.getSplatValue<APInt>().getZExtValue() == (uint64_t)value;
    };
    if (isConstant(op.getTraining(), 0) || isConstant(op.getRatio(), 0)) {
      Value output = input;
      if (output.getType() != outputType)
        output = tensor::CastOp::create(rewriter, loc, outputType, output);
      Value mask = createFilled(rewriter, loc, maskType, dims, trueValue);
      rewriter.replaceOp(op, {output, mask});
      return success();
    }

    Type elementType = outputType.getElementType();
    Type i64 = rewriter.getI64Type();
    Type f32 = rewriter.getF32Type();
    Value ratio = tensor::ExtractOp::create(rewriter, loc, adaptor.getRatio(),
                                            ValueRange{});
    Value training = tensor::ExtractOp::create(
        rewriter, loc, adaptor.getTraining(), ValueRange{});
    // NaN counts as nonzero (and then keeps nothing, as u >= NaN is false).
    Value nonZero = arith::CmpFOp::create(
        rewriter, loc, arith::CmpFPredicate::UNE, ratio,
        scalarConstant(rewriter, loc, ratio.getType(), 0));
    Value active = arith::AndIOp::create(rewriter, loc, training, nonZero);
    Value notActive = arith::XOrIOp::create(rewriter, loc, active, trueValue);
    auto toType = [&](Value v, Type t) -> Value {
      unsigned from = v.getType().getIntOrFloatBitWidth();
      unsigned to = t.getIntOrFloatBitWidth();
      if (v.getType() == t)
        return v;
      if (from < to)
        return arith::ExtFOp::create(rewriter, loc, t, v);
      return arith::TruncFOp::create(rewriter, loc, t, v);
    };
    // 1 / (1 - ratio) in f64, then the data's type: a ratio in f16 should
    // not cost the scale its precision.
    Type f64 = rewriter.getF64Type();
    Value scale = arith::DivFOp::create(
        rewriter, loc, scalarConstant(rewriter, loc, f64, 1),
        arith::SubFOp::create(rewriter, loc,
                              scalarConstant(rewriter, loc, f64, 1),
                              toType(ratio, f64)));
    scale = arith::SelectOp::create(
        rewriter, loc, active, toType(scale, elementType),
        scalarConstant(rewriter, loc, elementType, 1));
    Value threshold = toType(ratio, f32);

    // The stream's key: the seed and the step, mixed, so that steps 1 and 2
    // of one seed share nothing with seeds 1 and 2 of one step.
    Value seed = arith::ConstantIntOp::create(
        rewriter, loc, i64, (int64_t)op.getSeed().value_or(0));
    Value step = arith::ConstantIntOp::create(rewriter, loc, i64, 0);
    if (adaptor.getStep())
      step = tensor::ExtractOp::create(rewriter, loc, adaptor.getStep(),
                                       ValueRange{});
    const uint64_t golden = 0x9e3779b97f4a7c15ull;
    Value goldenValue =
        arith::ConstantIntOp::create(rewriter, loc, i64, (int64_t)golden);
    Value key = mix64(
        rewriter, loc,
        arith::XOrIOp::create(
            rewriter, loc, mix64(rewriter, loc, seed),
            mix64(rewriter, loc,
                  arith::AddIOp::create(rewriter, loc, step, goldenValue))));

    int64_t rank = outputType.getRank();
    SmallVector<Value> extents;
    for (OpFoldResult d : dims)
      extents.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, d));
    Value outputInit = createEmpty(rewriter, loc, outputType, dims);
    Value maskInit = createEmpty(rewriter, loc, maskType, dims);
    SmallVector<AffineMap> maps(3, rewriter.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outputType, maskType}, ValueRange{input},
        ValueRange{outputInit, maskInit}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          // The row-major index of the element.
          Value linear = arith::ConstantIndexOp::create(b, l, 0);
          for (int64_t d = 0; d < rank; ++d)
            linear = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, linear, extents[d]),
                linalg::IndexOp::create(b, l, d));
          Value counter = arith::IndexCastUIOp::create(b, l, i64, linear);
          Value bits =
              mix64(b, l,
                    arith::AddIOp::create(
                        b, l, key,
                        arith::MulIOp::create(b, l, counter, goldenValue)));
          Value top = arith::ShRUIOp::create(
              b, l, bits, arith::ConstantIntOp::create(b, l, i64, 40));
          Value u = arith::MulFOp::create(
              b, l, arith::UIToFPOp::create(b, l, f32, top),
              arith::ConstantOp::create(b, l, b.getF32FloatAttr(0x1p-24f)));
          Value kept = arith::OrIOp::create(
              b, l, notActive,
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, u,
                                    threshold));
          Value scaled = arith::MulFOp::create(b, l, args[0], scale);
          Value out = arith::SelectOp::create(
              b, l, kept, scaled, scalarConstant(b, l, elementType, 0));
          linalg::YieldOp::create(b, l, ValueRange{out, kept});
        });
    rewriter.replaceOp(op, generic.getResults());
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

  patterns.add<ElementwiseLowering<RemOp>>(converter, ctx, buildRem);
  patterns.add<ElementwiseLowering<ModOp>>(converter, ctx, buildMod);
  patterns.add<ElementwiseLowering<AndOp>>(converter, ctx, buildAnd);
  patterns.add<ElementwiseLowering<OrOp>>(converter, ctx, buildOr);
  patterns.add<ElementwiseLowering<XorOp>>(converter, ctx, buildXor);
  patterns.add<ElementwiseLowering<ShiftLeftOp>>(converter, ctx,
                                                 buildShiftLeft);
  patterns.add<ElementwiseLowering<ShiftRightOp>>(converter, ctx,
                                                  buildShiftRight);

  using P = arith::CmpIPredicate;
  using F = arith::CmpFPredicate;
  patterns.add<ElementwiseLowering<EqualOp>>(
      converter, ctx, buildCompare<F::OEQ, P::eq, P::eq>);
  patterns.add<ElementwiseLowering<LessOp>>(
      converter, ctx, buildCompare<F::OLT, P::slt, P::ult>);
  patterns.add<ElementwiseLowering<LessEqualOp>>(
      converter, ctx, buildCompare<F::OLE, P::sle, P::ule>);
  patterns.add<ElementwiseLowering<GreaterOp>>(
      converter, ctx, buildCompare<F::OGT, P::sgt, P::ugt>);
  patterns.add<ElementwiseLowering<GreaterEqualOp>>(
      converter, ctx, buildCompare<F::OGE, P::sge, P::uge>);
  patterns.add<ElementwiseLowering<SelectOp>>(converter, ctx, buildSelect);
  patterns.add<CastLowering>(converter, ctx);
  patterns.add<DropoutLowering>(converter, ctx);

  patterns.add<ElementwiseLowering<NotOp>>(converter, ctx, buildNot);
  patterns.add<ElementwiseLowering<SignOp>>(converter, ctx, buildSign);
  patterns.add<ElementwiseLowering<FloorOp>>(converter, ctx, buildFloor);
  patterns.add<ElementwiseLowering<CeilOp>>(converter, ctx, buildCeil);
  patterns.add<ElementwiseLowering<RoundOp>>(converter, ctx, buildRound);
  patterns.add<ElementwiseLowering<ErfOp>>(converter, ctx,
                                           buildLibmCall<math::ErfOp>);
  patterns.add<ElementwiseLowering<SinOp>>(converter, ctx,
                                           buildLibmCall<math::SinOp>);
  patterns.add<ElementwiseLowering<CosOp>>(converter, ctx,
                                           buildLibmCall<math::CosOp>);
  patterns.add<ElementwiseLowering<TanOp>>(converter, ctx,
                                           buildLibmCall<math::TanOp>);
  patterns.add<ElementwiseLowering<AsinOp>>(converter, ctx,
                                            buildLibmCall<math::AsinOp>);
  patterns.add<ElementwiseLowering<AcosOp>>(converter, ctx,
                                            buildLibmCall<math::AcosOp>);
  patterns.add<ElementwiseLowering<AtanOp>>(converter, ctx,
                                            buildLibmCall<math::AtanOp>);
  patterns.add<ElementwiseLowering<SinhOp>>(converter, ctx,
                                            buildLibmCall<math::SinhOp>);
  patterns.add<ElementwiseLowering<CoshOp>>(converter, ctx,
                                            buildLibmCall<math::CoshOp>);
  patterns.add<ElementwiseLowering<AsinhOp>>(converter, ctx,
                                             buildLibmCall<math::AsinhOp>);
  patterns.add<ElementwiseLowering<AcoshOp>>(converter, ctx,
                                             buildLibmCall<math::AcoshOp>);
  patterns.add<ElementwiseLowering<AtanhOp>>(converter, ctx,
                                             buildLibmCall<math::AtanhOp>);
}
