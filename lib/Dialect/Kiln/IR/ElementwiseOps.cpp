//===- ElementwiseOps.cpp - kiln elementwise ops --------------------------===//
//
// Type inference, verifiers and folders of the broadcasting binary ops and
// the unary ops.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
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
