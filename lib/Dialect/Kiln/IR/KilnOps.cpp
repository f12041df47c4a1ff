//===- KilnOps.cpp - kiln dialect operations ------------------------------===//
//
// Type inference, verifiers and folders of the kiln ops. Inference is total
// (see KilnOps.td); verifiers say what is wrong in terms of shapes and
// attributes a model author recognizes.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static RankedTensorType rankedType(Value v) {
  return dyn_cast<RankedTensorType>(v.getType());
}

/// Checks that `axes` are sorted, unique and within `[0, rank)`.
static LogicalResult verifyAxes(Operation *op, ArrayRef<int64_t> axes,
                                int64_t rank, StringRef what = "axes") {
  for (auto [i, a] : llvm::enumerate(axes)) {
    if (a < 0 || a >= rank)
      return op->emitOpError() << what << " entry " << a
                               << " is out of range for rank " << rank;
    if (i > 0 && axes[i - 1] >= a)
      return op->emitOpError() << what << " must be sorted and unique";
  }
  return success();
}

/// Checks that an attribute has `expected` entries, each at least `min`.
static LogicalResult verifyArray(Operation *op, StringRef name,
                                 ArrayRef<int64_t> values, size_t expected,
                                 int64_t min) {
  if (values.size() != expected)
    return op->emitOpError() << "expects " << name << " to have " << expected
                             << " entries, got " << values.size();
  for (int64_t v : values)
    if (v < min)
      return op->emitOpError()
             << "expects every " << name << " entry to be >= " << min
             << ", got " << v;
  return success();
}

/// Prints the operand type of an op whose result type is inferred as that
/// type, followed by `-> result` only when the result refines it, so that a
/// refinement survives a print/parse round trip.
static void printRefinedType(OpAsmPrinter &p, Operation *, Type input,
                             Type result) {
  p << input;
  if (result != input)
    p << " -> " << result;
}

static ParseResult parseRefinedType(OpAsmParser &parser, Type &input,
                                    Type &result) {
  if (parser.parseType(input))
    return failure();
  result = input;
  if (succeeded(parser.parseOptionalArrow()))
    return parser.parseType(result);
  return success();
}

/// The value of a constant operand, if it has one.
static DenseElementsAttr constantValue(Attribute attr) {
  return dyn_cast_or_null<DenseElementsAttr>(attr);
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult ConstantOp::verify() {
  if (!isa<RankedTensorType>(getValue().getType()))
    return emitOpError("expects a ranked tensor value");
  return success();
}

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

/// Unary ops and softmax keep their operand's type.
#define KILN_SAME_TYPE_INFER(OpTy)                                             \
  LogicalResult OpTy::inferReturnTypes(MLIRContext *,                          \
                                       std::optional<Location>,                \
                                       Adaptor adaptor,                        \
                                       SmallVectorImpl<Type> &types) {         \
    types.push_back(adaptor.getInput().getType());                             \
    return success();                                                          \
  }

KILN_SAME_TYPE_INFER(NegOp)
KILN_SAME_TYPE_INFER(AbsOp)
KILN_SAME_TYPE_INFER(ExpOp)
KILN_SAME_TYPE_INFER(LogOp)
KILN_SAME_TYPE_INFER(SqrtOp)
KILN_SAME_TYPE_INFER(TanhOp)
KILN_SAME_TYPE_INFER(SigmoidOp)
KILN_SAME_TYPE_INFER(ReluOp)
KILN_SAME_TYPE_INFER(SoftmaxOp)
#undef KILN_SAME_TYPE_INFER

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

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto lhs = rankedType(adaptor.getLhs());
  auto rhs = rankedType(adaptor.getRhs());
  if (!lhs || !rhs)
    return failure();
  auto shape = matmulShape(lhs.getShape(), rhs.getShape());
  if (succeeded(shape)) {
    types.push_back(RankedTensorType::get(*shape, lhs.getElementType()));
    return success();
  }
  // Invalid operands: the verifier explains; any rank will do meanwhile.
  int64_t rank = std::max<int64_t>(1, std::max(lhs.getRank(), rhs.getRank()));
  types.push_back(RankedTensorType::get(
      SmallVector<int64_t>(rank, ShapedType::kDynamic), lhs.getElementType()));
  return success();
}

LogicalResult MatmulOp::verify() {
  auto lhs = getLhs().getType(), rhs = getRhs().getType();
  if (lhs.getElementType() != rhs.getElementType())
    return emitOpError() << "expects operands of one element type, got "
                         << lhs.getElementType() << " and "
                         << rhs.getElementType();
  std::string why;
  if (failed(matmulShape(lhs.getShape(), rhs.getShape(), &why)))
    return emitOpError() << why;
  return success();
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

static bool isPermutation(ArrayRef<int64_t> perm, int64_t rank) {
  if ((int64_t)perm.size() != rank)
    return false;
  SmallVector<bool> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return false;
    seen[p] = true;
  }
  return true;
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  SmallVector<int64_t> shape(input.getRank(), ShapedType::kDynamic);
  if (isPermutation(perm, input.getRank()))
    for (auto [i, p] : llvm::enumerate(perm))
      shape[i] = input.getDimSize(p);
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult TransposeOp::verify() {
  if (!isPermutation(getPermutation(), getInput().getType().getRank()))
    return emitOpError() << "permutation [" << getPermutation()
                         << "] is not a permutation of the "
                         << getInput().getType().getRank()
                         << " input dimensions";
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  bool identity = llvm::all_of(llvm::enumerate(perm), [](auto it) {
    return (int64_t)it.index() == it.value();
  });
  if (identity && getInput().getType() == getType())
    return getInput();
  auto value = constantValue(adaptor.getInput());
  if (value && value.isSplat() && getType().hasStaticShape())
    return value.resizeSplat(getType());
  return {};
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  types.push_back(RankedTensorType::get(
      reshapeShape(input.getShape(), adaptor.getShape()),
      input.getElementType()));
  return success();
}

LogicalResult ReshapeOp::verify() {
  std::string why;
  auto inputType = getInput().getType();
  if (failed(verifyReshapeSpec(inputType.getShape(), getShape(), why)))
    return emitOpError() << why;
  int64_t in = staticProduct(inputType.getShape());
  int64_t out = staticProduct(getType().getShape());
  if (!ShapedType::isDynamic(in) && !ShapedType::isDynamic(out) && in != out)
    return emitOpError() << "result " << formatShape(getType().getShape())
                         << " does not hold the " << in << " input elements";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && getType().hasStaticShape())
    return getInput();
  auto value = constantValue(adaptor.getInput());
  if (value && getType().hasStaticShape())
    return value.reshape(getType());
  return {};
}

namespace {
/// reshape(reshape(x)) -> reshape(x) when the outer shape is fully static,
/// since a static target needs nothing from the intermediate shape.
struct ComposeReshapes : public OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner || !op.getType().hasStaticShape())
      return failure();
    // The static shape becomes the new spec, where 0 means "copy": a zero
    // extent cannot be written as a size.
    if (llvm::is_contained(op.getType().getShape(), 0))
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), inner.getInput(),
                                           op.getType().getShape());
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ComposeReshapes>(context);
}

//===----------------------------------------------------------------------===//
// FlattenOp
//===----------------------------------------------------------------------===//

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  int64_t axis = adaptor.getAxis();
  ArrayRef<int64_t> shape = input.getShape();
  SmallVector<int64_t> out(2, ShapedType::kDynamic);
  if (axis >= 0 && axis <= input.getRank()) {
    out[0] = staticProduct(shape.take_front(axis));
    out[1] = staticProduct(shape.drop_front(axis));
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

LogicalResult FlattenOp::verify() {
  // I64Attr accessors return uint64_t: compare and print the signed value.
  int64_t rank = getInput().getType().getRank();
  int64_t axis = getAxis();
  if (axis < 0 || axis > rank)
    return emitOpError() << "axis " << axis << " is out of range [0, " << rank
                         << "]";
  return success();
}

OpFoldResult FlattenOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && getType().hasStaticShape())
    return getInput();
  auto value = constantValue(adaptor.getInput());
  if (value && getType().hasStaticShape())
    return value.reshape(getType());
  return {};
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// The shape a reduction over `axes` leaves.
static SmallVector<int64_t> reducedShape(ArrayRef<int64_t> shape,
                                         ArrayRef<int64_t> axes,
                                         bool keepdims) {
  SmallVector<int64_t> out;
  for (auto [i, d] : llvm::enumerate(shape)) {
    bool reduced = llvm::is_contained(axes, (int64_t)i);
    if (!reduced)
      out.push_back(d);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

#define KILN_REDUCE_INFER_AND_VERIFY(OpTy)                                     \
  LogicalResult OpTy::inferReturnTypes(MLIRContext *,                          \
                                       std::optional<Location>,                \
                                       Adaptor adaptor,                        \
                                       SmallVectorImpl<Type> &types) {         \
    auto input = rankedType(adaptor.getInput());                               \
    if (!input)                                                                \
      return failure();                                                        \
    types.push_back(RankedTensorType::get(                                     \
        reducedShape(input.getShape(), adaptor.getAxes(),                      \
                     adaptor.getKeepdims()),                                   \
        input.getElementType()));                                              \
    return success();                                                          \
  }                                                                            \
  LogicalResult OpTy::verify() {                                               \
    return verifyAxes(*this, getAxes(), getInput().getType().getRank());       \
  }

KILN_REDUCE_INFER_AND_VERIFY(ReduceSumOp)
KILN_REDUCE_INFER_AND_VERIFY(ReduceMeanOp)
KILN_REDUCE_INFER_AND_VERIFY(ReduceMaxOp)
#undef KILN_REDUCE_INFER_AND_VERIFY

//===----------------------------------------------------------------------===//
// SoftmaxOp
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for rank "
                         << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  auto weight = rankedType(adaptor.getWeight());
  if (!input || !weight)
    return failure();
  SmallVector<int64_t> out(4, ShapedType::kDynamic);
  ArrayRef<int64_t> strides = adaptor.getStrides(), pads = adaptor.getPads(),
                    dilations = adaptor.getDilations();
  if (input.getRank() == 4 && weight.getRank() == 4 && strides.size() == 2 &&
      pads.size() == 4 && dilations.size() == 2) {
    out[0] = input.getDimSize(0);
    out[1] = weight.getDimSize(0);
    for (int i = 0; i < 2; ++i)
      out[2 + i] = windowOutputSize(input.getDimSize(2 + i),
                                    weight.getDimSize(2 + i), strides[i],
                                    pads[i], pads[2 + i], dilations[i],
                                    /*ceilMode=*/false);
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

LogicalResult Conv2DOp::verify() {
  auto input = getInput().getType(), weight = getWeight().getType();
  if (input.getRank() != 4)
    return emitOpError() << "expects a rank-4 NCHW input, got "
                         << formatShape(input.getShape());
  if (weight.getRank() != 4)
    return emitOpError() << "expects a rank-4 FCHW weight, got "
                         << formatShape(weight.getShape());
  if (input.getElementType() != weight.getElementType())
    return emitOpError("expects input and weight of one element type");
  if (failed(verifyArray(*this, "strides", getStrides(), 2, 1)) ||
      failed(verifyArray(*this, "pads", getPads(), 4, 0)) ||
      failed(verifyArray(*this, "dilations", getDilations(), 2, 1)))
    return failure();
  int64_t groups = getGroups();
  if (groups < 1)
    return emitOpError() << "expects groups >= 1, got " << groups;
  int64_t channels = input.getDimSize(1), filters = weight.getDimSize(0),
          perGroup = weight.getDimSize(1);
  if (!ShapedType::isDynamic(filters) && filters % groups != 0)
    return emitOpError() << "weight has " << filters
                         << " filters, not a multiple of groups = " << groups;
  if (!ShapedType::isDynamic(channels) && !ShapedType::isDynamic(perGroup) &&
      channels != perGroup * groups)
    return emitOpError() << "input has " << channels
                         << " channels but weight expects " << perGroup
                         << " per group x " << groups << " groups";
  if (Value bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 ||
        (!ShapedType::isDynamic(filters) &&
         !ShapedType::isDynamic(biasType.getDimSize(0)) &&
         biasType.getDimSize(0) != filters))
      return emitOpError() << "expects a bias of shape " << formatShape(filters)
                           << ", got " << formatShape(biasType.getShape());
    if (biasType.getElementType() != input.getElementType())
      return emitOpError("expects bias of the input's element type");
  }
  for (int i = 0; i < 2; ++i) {
    int64_t size = input.getDimSize(2 + i), kernel = weight.getDimSize(2 + i);
    if (ShapedType::isDynamic(size) || ShapedType::isDynamic(kernel))
      continue;
    if (size + getPads()[i] + getPads()[2 + i] <
        getDilations()[i] * (kernel - 1) + 1)
      return emitOpError() << "kernel " << formatShape(weight.getShape().drop_front(2))
                           << " does not fit the padded input "
                           << formatShape(input.getShape().drop_front(2));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static void inferPoolType(Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  SmallVector<int64_t> out(input.getRank(), ShapedType::kDynamic);
  ArrayRef<int64_t> kernel = adaptor.getKernelShape(),
                    strides = adaptor.getStrides(), pads = adaptor.getPads(),
                    dilations = adaptor.getDilations();
  if (input.getRank() == 4 && kernel.size() == 2 && strides.size() == 2 &&
      pads.size() == 4 && dilations.size() == 2) {
    out[0] = input.getDimSize(0);
    out[1] = input.getDimSize(1);
    for (int i = 0; i < 2; ++i)
      out[2 + i] = windowOutputSize(input.getDimSize(2 + i), kernel[i],
                                    strides[i], pads[i], pads[2 + i],
                                    dilations[i], adaptor.getCeilMode());
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
}

template <typename OpTy> static LogicalResult verifyPool(OpTy op) {
  auto input = op.getInput().getType();
  if (input.getRank() != 4)
    return op.emitOpError() << "expects a rank-4 NCHW input, got "
                            << formatShape(input.getShape());
  if (failed(verifyArray(op, "kernel_shape", op.getKernelShape(), 2, 1)) ||
      failed(verifyArray(op, "strides", op.getStrides(), 2, 1)) ||
      failed(verifyArray(op, "pads", op.getPads(), 4, 0)) ||
      failed(verifyArray(op, "dilations", op.getDilations(), 2, 1)))
    return failure();
  for (int i = 0; i < 2; ++i) {
    int64_t kernel = op.getKernelShape()[i];
    // A pad as wide as the window would give windows of padding only.
    if (op.getPads()[i] >= kernel || op.getPads()[2 + i] >= kernel)
      return op.emitOpError()
             << "pads [" << op.getPads() << "] must be smaller than the kernel ["
             << op.getKernelShape() << "]";
    int64_t size = input.getDimSize(2 + i);
    if (!ShapedType::isDynamic(size) &&
        size + op.getPads()[i] + op.getPads()[2 + i] <
            op.getDilations()[i] * (kernel - 1) + 1)
      return op.emitOpError()
             << "kernel [" << op.getKernelShape()
             << "] does not fit the padded input "
             << formatShape(input.getShape().drop_front(2));
  }
  return success();
}

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  if (!rankedType(adaptor.getInput()))
    return failure();
  inferPoolType(adaptor, types);
  return success();
}

LogicalResult MaxPool2DOp::verify() { return verifyPool(*this); }

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  if (!rankedType(adaptor.getInput()))
    return failure();
  inferPoolType(adaptor, types);
  return success();
}

LogicalResult AvgPool2DOp::verify() { return verifyPool(*this); }

//===----------------------------------------------------------------------===//
// TableGen'd op definitions
//===----------------------------------------------------------------------===//

#define GET_OP_CLASSES
#include "kiln/Dialect/Kiln/IR/KilnOps.cpp.inc"
