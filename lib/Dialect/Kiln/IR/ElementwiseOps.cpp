//===- ElementwiseOps.cpp - kiln elementwise ops --------------------------===//
//
// Type inference, verifiers and folders of the broadcasting binary ops, the
// comparisons, select, cast and the unary ops, and cast's custom assembly.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

namespace {
/// Shared inference and verification of the broadcasting binary ops.
template <typename OpTy> struct BinaryOpImpl {
  static LogicalResult infer(typename OpTy::Adaptor adaptor,
                             SmallVectorImpl<Type> &types) {
    auto lhs = rankedType(adaptor.getLhs());
    auto rhs = rankedType(adaptor.getRhs());
    if (!lhs || !rhs)
      return failure();
    auto shape = broadcastShapes(lhs.getShape(), rhs.getShape());
    SmallVector<int64_t> dims =
        succeeded(shape) ? *shape
                         : SmallVector<int64_t>(
                               std::max(lhs.getRank(), rhs.getRank()),
                               ShapedType::kDynamic);
    types.push_back(RankedTensorType::get(dims, lhs.getElementType()));
    return success();
  }

  static LogicalResult verify(OpTy op) {
    auto lhs = cast<RankedTensorType>(op.getLhs().getType());
    auto rhs = cast<RankedTensorType>(op.getRhs().getType());
    if (lhs.getElementType() != rhs.getElementType())
      return op.emitOpError() << "expects operands of one element type, got "
                              << lhs.getElementType() << " and "
                              << rhs.getElementType();
    std::string why;
    if (failed(broadcastShapes(lhs.getShape(), rhs.getShape(), &why)))
      return op.emitOpError() << why;
    return success();
  }
};
} // namespace

/// Folds two constants of the result's type with `floatFn` / `intFn`.
template <typename FloatFn, typename IntFn>
static Attribute foldBinaryConstants(Type resultType,
                                     ArrayRef<Attribute> operands,
                                     FloatFn floatFn, IntFn intFn) {
  auto lhs = constantValue(operands[0]);
  auto rhs = constantValue(operands[1]);
  if (!lhs || !rhs || lhs.getType() != resultType ||
      rhs.getType() != resultType)
    return {};
  Type elementType = cast<ShapedType>(resultType).getElementType();
  if (isa<FloatType>(elementType))
    return constFoldBinaryOp<FloatAttr, APFloat, void>(
        operands, [&](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
          return floatFn(a, b);
        });
  // Kiln integers are signed unless the type says unsigned; constant folding
  // is limited to the operations whose bits do not depend on signedness.
  if (isa<IntegerType>(elementType))
    return constFoldBinaryOp<IntegerAttr, APInt, void>(
        operands, [&](const APInt &a, const APInt &b) -> std::optional<APInt> {
          return intFn(a, b);
        });
  return {};
}

/// `x op c` folds to `x` when `c` is a splat of `identity` (0 or 1) and the
/// result is `x`'s type (no broadcasting happens).
static Value foldIdentity(Value lhs, Attribute rhsAttr, Type resultType,
                          int64_t identity) {
  auto rhs = constantValue(rhsAttr);
  if (!rhs || !rhs.isSplat() || lhs.getType() != resultType)
    return {};
  Type elementType = rhs.getElementType();
  // Compared in the element type's own width and semantics, so that wide
  // integers and floats such as f80 never go through int64_t or double.
  if (isa<FloatType>(elementType) &&
      rhs.getSplatValue<APFloat>().isExactlyValue(identity))
    return lhs;
  if (isa<IntegerType>(elementType)) {
    APInt value = rhs.getSplatValue<APInt>();
    if (identity == 0 ? value.isZero() : value.isOne())
      return lhs;
  }
  return {};
}

#define KILN_BINARY_INFER_AND_VERIFY(OpTy)                                     \
  LogicalResult OpTy::inferReturnTypes(MLIRContext *,                          \
                                       std::optional<Location>,                \
                                       Adaptor adaptor,                        \
                                       SmallVectorImpl<Type> &types) {         \
    return BinaryOpImpl<OpTy>::infer(adaptor, types);                          \
  }                                                                            \
  LogicalResult OpTy::verify() { return BinaryOpImpl<OpTy>::verify(*this); }

KILN_BINARY_INFER_AND_VERIFY(AddOp)
KILN_BINARY_INFER_AND_VERIFY(SubOp)
KILN_BINARY_INFER_AND_VERIFY(MulOp)
KILN_BINARY_INFER_AND_VERIFY(DivOp)
KILN_BINARY_INFER_AND_VERIFY(PowOp)
KILN_BINARY_INFER_AND_VERIFY(MaxOp)
KILN_BINARY_INFER_AND_VERIFY(MinOp)
KILN_BINARY_INFER_AND_VERIFY(RemOp)
KILN_BINARY_INFER_AND_VERIFY(ModOp)
KILN_BINARY_INFER_AND_VERIFY(AndOp)
KILN_BINARY_INFER_AND_VERIFY(OrOp)
KILN_BINARY_INFER_AND_VERIFY(XorOp)
KILN_BINARY_INFER_AND_VERIFY(ShiftLeftOp)
KILN_BINARY_INFER_AND_VERIFY(ShiftRightOp)
#undef KILN_BINARY_INFER_AND_VERIFY

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isa<IntegerType>(getType().getElementType()))
    if (Value v = foldIdentity(getLhs(), adaptor.getRhs(), getType(), 0))
      return v;
  return foldBinaryConstants(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a + b; },
      [](const APInt &a, const APInt &b) { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isa<IntegerType>(getType().getElementType()))
    if (Value v = foldIdentity(getLhs(), adaptor.getRhs(), getType(), 0))
      return v;
  return foldBinaryConstants(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a - b; },
      [](const APInt &a, const APInt &b) { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (Value v = foldIdentity(getLhs(), adaptor.getRhs(), getType(), 1))
    return v;
  return foldBinaryConstants(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a * b; },
      [](const APInt &a, const APInt &b) { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (Value v = foldIdentity(getLhs(), adaptor.getRhs(), getType(), 1))
    return v;
  // Integer division depends on signedness and on division by zero; only
  // floats fold.
  if (!isa<FloatType>(getType().getElementType()))
    return {};
  return foldBinaryConstants(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a / b; },
      [](const APInt &a, const APInt &) { return a; });
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  if (isa<FloatType>(getType().getElementType()))
    if (Value v = foldIdentity(getLhs(), adaptor.getRhs(), getType(), 1))
      return v;
  return {};
}

OpFoldResult MaxOp::fold(FoldAdaptor) {
  if (getLhs() == getRhs() && getLhs().getType() == getType())
    return getLhs();
  return {};
}

OpFoldResult MinOp::fold(FoldAdaptor) {
  if (getLhs() == getRhs() && getLhs().getType() == getType())
    return getLhs();
  return {};
}

/// Whether integers of the kiln element type `type` are unsigned. i1 is: a
/// boolean is 0 or 1, never -1.
static bool isUnsignedKilnInteger(Type type) {
  return type.isUnsignedInteger() || type.isInteger(1);
}

/// The integer remainder kiln.rem (truncated) or kiln.mod (`floored`)
/// computes. A zero divisor gives 0, like the lowering; a divisor of -1 gives
/// 0 without the overflow of INT_MIN % -1.
static APInt integerRemainder(const APInt &a, const APInt &b, bool isUnsigned,
                              bool floored) {
  if (b.isZero() || (!isUnsigned && b.isAllOnes()))
    return APInt::getZero(a.getBitWidth());
  if (isUnsigned)
    return a.urem(b);
  APInt r = a.srem(b);
  if (floored && !r.isZero() && r.isNegative() != b.isNegative())
    r += b;
  return r;
}

/// The float remainder: C's fmod, or numpy.mod's floored one (whose zero
/// takes the divisor's sign).
static APFloat floatRemainder(const APFloat &a, const APFloat &b,
                              bool floored) {
  APFloat r = a;
  r.mod(b);
  if (!floored || r.isNaN())
    return r;
  if (r.isZero()) {
    r.copySign(b);
    return r;
  }
  if (r.isNegative() != b.isNegative())
    r.add(b, APFloat::rmNearestTiesToEven);
  return r;
}

OpFoldResult RemOp::fold(FoldAdaptor adaptor) {
  bool isUnsigned = isUnsignedKilnInteger(getType().getElementType());
  return foldBinaryConstants(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) {
        return floatRemainder(a, b, /*floored=*/false);
      },
      [&](const APInt &a, const APInt &b) {
        return integerRemainder(a, b, isUnsigned, /*floored=*/false);
      });
}

OpFoldResult ModOp::fold(FoldAdaptor adaptor) {
  bool isUnsigned = isUnsignedKilnInteger(getType().getElementType());
  return foldBinaryConstants(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) {
        return floatRemainder(a, b, /*floored=*/true);
      },
      [&](const APInt &a, const APInt &b) {
        return integerRemainder(a, b, isUnsigned, /*floored=*/true);
      });
}

OpFoldResult AndOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs() && getLhs().getType() == getType())
    return getLhs();
  return foldBinaryConstants(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &) { return a; },
      [](const APInt &a, const APInt &b) { return a & b; });
}

OpFoldResult OrOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs() && getLhs().getType() == getType())
    return getLhs();
  if (Value v = foldIdentity(getLhs(), adaptor.getRhs(), getType(), 0))
    return v;
  return foldBinaryConstants(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &) { return a; },
      [](const APInt &a, const APInt &b) { return a | b; });
}

OpFoldResult XorOp::fold(FoldAdaptor adaptor) {
  if (Value v = foldIdentity(getLhs(), adaptor.getRhs(), getType(), 0))
    return v;
  return foldBinaryConstants(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &) { return a; },
      [](const APInt &a, const APInt &b) { return a ^ b; });
}

/// `lhs` shifted by `amount` (as unsigned), with kiln's rule for amounts of
/// the bit width or more.
static APInt shiftInteger(const APInt &lhs, const APInt &amount, bool left,
                          bool arithmetic) {
  unsigned width = lhs.getBitWidth();
  uint64_t n = amount.getLimitedValue(width);
  if (left)
    return n >= width ? APInt::getZero(width) : lhs.shl(n);
  if (arithmetic)
    return lhs.ashr(std::min<uint64_t>(n, width - 1));
  return n >= width ? APInt::getZero(width) : lhs.lshr(n);
}

OpFoldResult ShiftLeftOp::fold(FoldAdaptor adaptor) {
  if (Value v = foldIdentity(getLhs(), adaptor.getRhs(), getType(), 0))
    return v;
  return foldBinaryConstants(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &) { return a; },
      [](const APInt &a, const APInt &b) {
        return shiftInteger(a, b, /*left=*/true, /*arithmetic=*/false);
      });
}

OpFoldResult ShiftRightOp::fold(FoldAdaptor adaptor) {
  if (Value v = foldIdentity(getLhs(), adaptor.getRhs(), getType(), 0))
    return v;
  bool arithmetic = !isUnsignedKilnInteger(getType().getElementType());
  return foldBinaryConstants(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &) { return a; },
      [&](const APInt &a, const APInt &b) {
        return shiftInteger(a, b, /*left=*/false, arithmetic);
      });
}

//===----------------------------------------------------------------------===//
// Comparisons
//===----------------------------------------------------------------------===//

namespace {
/// Inference and verification of the comparisons: binary-op broadcasting,
/// an i1 result.
template <typename OpTy> struct CompareOpImpl {
  static LogicalResult infer(MLIRContext *ctx, typename OpTy::Adaptor adaptor,
                             SmallVectorImpl<Type> &types) {
    SmallVector<Type> broadcast;
    if (failed(BinaryOpImpl<OpTy>::infer(adaptor, broadcast)))
      return failure();
    types.push_back(cast<RankedTensorType>(broadcast[0])
                        .clone(IntegerType::get(ctx, 1)));
    return success();
  }
};
} // namespace

/// Folds a comparison of two constants of the result's shape; `pred` maps
/// the ordering of two elements (APFloat::cmpResult, cmpUnordered for NaN)
/// to the outcome.
template <typename Pred>
static Attribute foldComparison(Type resultType, ArrayRef<Attribute> operands,
                                Pred pred) {
  auto lhs = constantValue(operands[0]);
  auto rhs = constantValue(operands[1]);
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!lhs || !rhs || !type || !type.hasStaticShape() ||
      lhs.getType().getShape() != type.getShape() ||
      rhs.getType().getShape() != type.getShape())
    return {};
  Type elementType = lhs.getElementType();
  SmallVector<bool> results;
  if (isa<FloatType>(elementType)) {
    for (auto [a, b] : llvm::zip(lhs.getValues<APFloat>(),
                                 rhs.getValues<APFloat>()))
      results.push_back(pred(a.compare(b)));
  } else if (isa<IntegerType>(elementType)) {
    bool isUnsigned = isUnsignedKilnInteger(elementType);
    for (auto [a, b] :
         llvm::zip(lhs.getValues<APInt>(), rhs.getValues<APInt>())) {
      bool less = isUnsigned ? a.ult(b) : a.slt(b);
      results.push_back(pred(a == b ? APFloat::cmpEqual
                             : less ? APFloat::cmpLessThan
                                    : APFloat::cmpGreaterThan));
    }
  } else {
    return {};
  }
  return DenseElementsAttr::get(type, results);
}

#define KILN_COMPARE_OP(OpTy, PRED)                                            \
  LogicalResult OpTy::inferReturnTypes(MLIRContext *ctx,                       \
                                       std::optional<Location>,                \
                                       Adaptor adaptor,                        \
                                       SmallVectorImpl<Type> &types) {         \
    return CompareOpImpl<OpTy>::infer(ctx, adaptor, types);                    \
  }                                                                            \
  LogicalResult OpTy::verify() {                                               \
    return BinaryOpImpl<OpTy>::verify(*this);                                  \
  }                                                                            \
  OpFoldResult OpTy::fold(FoldAdaptor adaptor) {                               \
    return foldComparison(getType(), adaptor.getOperands(),                    \
                          [](APFloat::cmpResult c) { return PRED; });          \
  }

KILN_COMPARE_OP(EqualOp, c == APFloat::cmpEqual)
KILN_COMPARE_OP(LessOp, c == APFloat::cmpLessThan)
KILN_COMPARE_OP(LessEqualOp,
                c == APFloat::cmpLessThan || c == APFloat::cmpEqual)
KILN_COMPARE_OP(GreaterOp, c == APFloat::cmpGreaterThan)
KILN_COMPARE_OP(GreaterEqualOp,
                c == APFloat::cmpGreaterThan || c == APFloat::cmpEqual)
#undef KILN_COMPARE_OP

//===----------------------------------------------------------------------===//
// SelectOp
//===----------------------------------------------------------------------===//

LogicalResult SelectOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto cond = rankedType(adaptor.getCondition());
  auto a = rankedType(adaptor.getTrueValue());
  auto b = rankedType(adaptor.getFalseValue());
  if (!cond || !a || !b)
    return failure();
  int64_t rank = std::max({cond.getRank(), a.getRank(), b.getRank()});
  SmallVector<int64_t> dims(rank, ShapedType::kDynamic);
  auto ab = broadcastShapes(a.getShape(), b.getShape());
  if (succeeded(ab))
    if (auto all = broadcastShapes(cond.getShape(), *ab); succeeded(all))
      dims = *all;
  types.push_back(RankedTensorType::get(dims, a.getElementType()));
  return success();
}

LogicalResult SelectOp::verify() {
  auto cond = getCondition().getType();
  auto a = getTrueValue().getType();
  auto b = getFalseValue().getType();
  if (a.getElementType() != b.getElementType())
    return emitOpError() << "expects values of one element type, got "
                         << a.getElementType() << " and "
                         << b.getElementType();
  std::string why;
  auto ab = broadcastShapes(a.getShape(), b.getShape(), &why);
  if (failed(ab))
    return emitOpError() << "values: " << why;
  if (failed(broadcastShapes(cond.getShape(), *ab, &why)))
    return emitOpError() << "condition and values: " << why;
  return success();
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  // A fold keeps the result type, so it only returns an operand that has it
  // (nothing is broadcast).
  auto pick = [&](Value v) -> OpFoldResult {
    return v.getType() == getType() ? v : Value();
  };
  if (getTrueValue() == getFalseValue())
    return pick(getTrueValue());
  auto cond = constantValue(adaptor.getCondition());
  if (cond && cond.isSplat())
    return pick(cond.getSplatValue<bool>() ? getTrueValue()
                                           : getFalseValue());
  return {};
}

//===----------------------------------------------------------------------===//
// DropoutOp
//===----------------------------------------------------------------------===//

LogicalResult DropoutOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  types.push_back(input);
  types.push_back(input.clone(IntegerType::get(ctx, 1)));
  return success();
}

//===----------------------------------------------------------------------===//
// CastOp
//===----------------------------------------------------------------------===//

LogicalResult CastOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  types.push_back(input.clone(adaptor.getTo()));
  return success();
}

/// `x` of kiln element type `from` converted to `to` under kiln.cast's rules,
/// as the bits of a `to` value.
static APInt castInteger(const APInt &x, Type from, Type to) {
  bool isSigned = !isUnsignedKilnInteger(from);
  if (auto floatType = dyn_cast<FloatType>(to)) {
    APFloat result(floatType.getFloatSemantics());
    result.convertFromAPInt(x, isSigned, APFloat::rmNearestTiesToEven);
    return result.bitcastToAPInt();
  }
  unsigned width = to.getIntOrFloatBitWidth();
  if (width == 1)
    return APInt(1, !x.isZero());
  return isSigned ? x.sextOrTrunc(width) : x.zextOrTrunc(width);
}

static APInt castFloat(const APFloat &x, Type to) {
  if (auto floatType = dyn_cast<FloatType>(to)) {
    APFloat result = x;
    bool lostInfo;
    result.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                   &lostInfo);
    return result.bitcastToAPInt();
  }
  unsigned width = to.getIntOrFloatBitWidth();
  if (width == 1)
    return APInt(1, !x.isZero());
  // APFloat saturates out-of-range values and makes NaN 0, as kiln.cast
  // promises.
  APSInt result(width, isUnsignedKilnInteger(to));
  bool isExact;
  x.convertToInteger(result, APFloat::rmTowardZero, &isExact);
  return result;
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto value = constantValue(adaptor.getInput());
  if (!value || value.getType().clone(getTo()) != getType())
    return {};
  Type from = value.getElementType(), to = getTo();
  if (isa<FloatType>(from))
    return value.mapValues(
        to, [&](const APFloat &x) { return castFloat(x, to); });
  if (isa<IntegerType>(from))
    return value.mapValues(
        to, [&](const APInt &x) { return castInteger(x, from, to); });
  return {};
}

void mlir::kiln::printCastTypes(OpAsmPrinter &p, Operation *, Type input,
                                TypeAttr, Type result) {
  p << input << " -> " << result;
}

ParseResult mlir::kiln::parseCastTypes(OpAsmParser &parser, Type &input,
                                       TypeAttr &to, Type &result) {
  if (parser.parseType(input) || parser.parseArrow())
    return failure();
  SMLoc resultLoc = parser.getCurrentLocation();
  if (parser.parseType(result))
    return failure();
  auto shaped = dyn_cast<ShapedType>(result);
  if (!shaped)
    return parser.emitError(resultLoc, "expects a tensor result type");
  to = TypeAttr::get(shaped.getElementType());
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

KILN_SAME_TYPE_INFER(NegOp)
KILN_SAME_TYPE_INFER(AbsOp)
KILN_SAME_TYPE_INFER(ExpOp)
KILN_SAME_TYPE_INFER(LogOp)
KILN_SAME_TYPE_INFER(SqrtOp)
KILN_SAME_TYPE_INFER(TanhOp)
KILN_SAME_TYPE_INFER(SigmoidOp)
KILN_SAME_TYPE_INFER(ReluOp)
KILN_SAME_TYPE_INFER(SignOp)
KILN_SAME_TYPE_INFER(NotOp)
KILN_SAME_TYPE_INFER(FloorOp)
KILN_SAME_TYPE_INFER(CeilOp)
KILN_SAME_TYPE_INFER(RoundOp)
KILN_SAME_TYPE_INFER(ErfOp)
KILN_SAME_TYPE_INFER(SinOp)
KILN_SAME_TYPE_INFER(CosOp)
KILN_SAME_TYPE_INFER(TanOp)
KILN_SAME_TYPE_INFER(AsinOp)
KILN_SAME_TYPE_INFER(AcosOp)
KILN_SAME_TYPE_INFER(AtanOp)
KILN_SAME_TYPE_INFER(SinhOp)
KILN_SAME_TYPE_INFER(CoshOp)
KILN_SAME_TYPE_INFER(AsinhOp)
KILN_SAME_TYPE_INFER(AcoshOp)
KILN_SAME_TYPE_INFER(AtanhOp)

/// Folds a float constant through `fn`, computed in double precision and
/// rounded to the element type.
template <typename Fn>
static Attribute foldUnaryFloat(Attribute operand, Fn fn) {
  auto value = constantValue(operand);
  if (!value)
    return {};
  auto floatType = dyn_cast<FloatType>(value.getElementType());
  // Types wider than double (f80, f128) would lose precision in `fn`.
  if (!floatType || APFloat::semanticsPrecision(floatType.getFloatSemantics()) >
                        APFloat::semanticsPrecision(APFloat::IEEEdouble()))
    return {};
  return value.mapValues(floatType, [&](const APFloat &x) {
    APFloat result(fn(x.convertToDouble()));
    bool lostInfo;
    result.convert(floatType.getFloatSemantics(),
                   APFloat::rmNearestTiesToEven, &lostInfo);
    return result.bitcastToAPInt();
  });
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  // A fold must keep the result type, which may refine the operand's.
  if (auto inner = getInput().getDefiningOp<NegOp>())
    if (inner.getInput().getType() == getType())
      return inner.getInput();
  auto value = constantValue(adaptor.getInput());
  if (value && isa<IntegerType>(value.getElementType()))
    return value.mapValues(value.getElementType(),
                           [](const APInt &x) { return -x; });
  return foldUnaryFloat(adaptor.getInput(), [](double x) { return -x; });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<AbsOp>())
    if (inner.getType() == getType())
      return inner.getResult();
  auto value = constantValue(adaptor.getInput());
  if (value && isa<IntegerType>(value.getElementType()) &&
      !value.getElementType().isUnsignedInteger())
    return value.mapValues(value.getElementType(),
                           [](const APInt &x) { return x.abs(); });
  return foldUnaryFloat(adaptor.getInput(),
                        [](double x) { return std::fabs(x); });
}

OpFoldResult ExpOp::fold(FoldAdaptor adaptor) {
  return foldUnaryFloat(adaptor.getInput(), [](double x) { return std::exp(x); });
}

OpFoldResult LogOp::fold(FoldAdaptor adaptor) {
  return foldUnaryFloat(adaptor.getInput(), [](double x) { return std::log(x); });
}

OpFoldResult SqrtOp::fold(FoldAdaptor adaptor) {
  return foldUnaryFloat(adaptor.getInput(),
                        [](double x) { return std::sqrt(x); });
}

OpFoldResult TanhOp::fold(FoldAdaptor adaptor) {
  return foldUnaryFloat(adaptor.getInput(),
                        [](double x) { return std::tanh(x); });
}

OpFoldResult SigmoidOp::fold(FoldAdaptor adaptor) {
  return foldUnaryFloat(adaptor.getInput(),
                        [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<ReluOp>())
    if (inner.getType() == getType())
      return inner.getResult();
  auto value = constantValue(adaptor.getInput());
  if (value && isa<IntegerType>(value.getElementType())) {
    bool isUnsigned = value.getElementType().isUnsignedInteger();
    return value.mapValues(value.getElementType(), [&](const APInt &x) {
      return !isUnsigned && x.isNegative() ? APInt::getZero(x.getBitWidth())
                                           : x;
    });
  }
  // NaN propagates, as in the lowering (arith.maximumf).
  return foldUnaryFloat(adaptor.getInput(), [](double x) {
    return x > 0 || std::isnan(x) ? x : 0.0;
  });
}

OpFoldResult SignOp::fold(FoldAdaptor adaptor) {
  auto value = constantValue(adaptor.getInput());
  if (value && isa<IntegerType>(value.getElementType())) {
    bool isUnsigned = isUnsignedKilnInteger(value.getElementType());
    return value.mapValues(value.getElementType(), [&](const APInt &x) {
      unsigned width = x.getBitWidth();
      if (x.isZero())
        return APInt::getZero(width);
      if (!isUnsigned && x.isNegative())
        return APInt::getAllOnes(width);
      return APInt(width, 1);
    });
  }
  return foldUnaryFloat(adaptor.getInput(), [](double x) {
    return x > 0 ? 1.0 : x < 0 ? -1.0 : x;
  });
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NotOp>())
    if (inner.getInput().getType() == getType())
      return inner.getInput();
  auto value = constantValue(adaptor.getInput());
  if (!value)
    return {};
  return value.mapValues(value.getElementType(),
                         [](const APInt &x) { return ~x; });
}

/// Folds a float constant to an integral value with `mode`, in the element
/// type's own semantics.
static Attribute foldRoundToIntegral(Attribute operand,
                                     APFloat::roundingMode mode) {
  auto value = constantValue(operand);
  if (!value || !isa<FloatType>(value.getElementType()))
    return {};
  return value.mapValues(value.getElementType(), [&](const APFloat &x) {
    APFloat result = x;
    result.roundToIntegral(mode);
    return result.bitcastToAPInt();
  });
}

OpFoldResult FloorOp::fold(FoldAdaptor adaptor) {
  return foldRoundToIntegral(adaptor.getInput(), APFloat::rmTowardNegative);
}

OpFoldResult CeilOp::fold(FoldAdaptor adaptor) {
  return foldRoundToIntegral(adaptor.getInput(), APFloat::rmTowardPositive);
}

OpFoldResult RoundOp::fold(FoldAdaptor adaptor) {
  return foldRoundToIntegral(adaptor.getInput(),
                             APFloat::rmNearestTiesToEven);
}

#define KILN_LIBM_FOLD(OpTy, FN)                                               \
  OpFoldResult OpTy::fold(FoldAdaptor adaptor) {                               \
    return foldUnaryFloat(adaptor.getInput(),                                  \
                          [](double x) { return std::FN(x); });                \
  }

KILN_LIBM_FOLD(ErfOp, erf)
KILN_LIBM_FOLD(SinOp, sin)
KILN_LIBM_FOLD(CosOp, cos)
KILN_LIBM_FOLD(TanOp, tan)
KILN_LIBM_FOLD(AsinOp, asin)
KILN_LIBM_FOLD(AcosOp, acos)
KILN_LIBM_FOLD(AtanOp, atan)
KILN_LIBM_FOLD(SinhOp, sinh)
KILN_LIBM_FOLD(CoshOp, cosh)
KILN_LIBM_FOLD(AsinhOp, asinh)
KILN_LIBM_FOLD(AcoshOp, acosh)
KILN_LIBM_FOLD(AtanhOp, atanh)
#undef KILN_LIBM_FOLD
