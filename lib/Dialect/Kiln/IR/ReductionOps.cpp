//===- ReductionOps.cpp - kiln reductions ---------------------------------===//
//
// Type inference, verification and canonicalization of the reductions, the
// arg-reductions, cumsum and top-k, the softmax family and the losses.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "kiln/Dialect/Kiln/IR/ConstantOperands.h"
#include "kiln/Dialect/Kiln/IR/IndexRules.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

/// A tensor of `rank` dynamic dimensions: what inference falls back to when
/// the operands do not say more.
static RankedTensorType dynamicShaped(int64_t rank, Type elementType) {
  return RankedTensorType::get(
      SmallVector<int64_t>(std::max<int64_t>(rank, 0), ShapedType::kDynamic),
      elementType);
}

/// Checks that `axis` is a dimension of a tensor of `rank`.
static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return op->emitOpError() << "axis " << axis << " is out of range for rank "
                             << rank;
  return success();
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
KILN_REDUCE_INFER_AND_VERIFY(ReduceMinOp)
KILN_REDUCE_INFER_AND_VERIFY(ReduceProdOp)
#undef KILN_REDUCE_INFER_AND_VERIFY

//===----------------------------------------------------------------------===//
// DynamicReduceSumOp
//===----------------------------------------------------------------------===//

/// The reduced axes when `axes` is a constant list of valid ones, sorted.
static std::optional<SmallVector<int64_t>> constantAxes(Value axes,
                                                        int64_t rank) {
  auto values = getConstantInts(axes);
  if (!values)
    return std::nullopt;
  auto normalized = normalizeAxes(*values, rank);
  if (!normalized)
    return std::nullopt;
  llvm::sort(*normalized);
  return normalized;
}

LogicalResult DynamicReduceSumOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  int64_t rank = input.getRank();
  if (auto axes = constantAxes(adaptor.getAxes(), rank)) {
    types.push_back(RankedTensorType::get(
        reducedShape(input.getShape(), *axes, adaptor.getKeepdims()),
        input.getElementType()));
    return success();
  }
  // Any dimension may be the reduced one: only a static 1 stays known, and
  // only where dimensions keep their places.
  auto axesType = dyn_cast<RankedTensorType>(adaptor.getAxes().getType());
  int64_t count = axesType && axesType.getRank() == 1 &&
                          !axesType.isDynamicDim(0)
                      ? axesType.getDimSize(0)
                      : 0;
  if (!adaptor.getKeepdims()) {
    types.push_back(dynamicShaped(rank - count, input.getElementType()));
    return success();
  }
  SmallVector<int64_t> shape;
  for (int64_t d : input.getShape())
    shape.push_back(d == 1 ? 1 : ShapedType::kDynamic);
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult DynamicReduceSumOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t count = getAxes().getType().getDimSize(0);
  if (count == 0)
    return emitOpError() << "expects at least one axis";
  if (count > rank)
    return emitOpError() << "cannot reduce " << count
                         << " axes of a tensor of rank " << rank;
  if (auto values = getConstantInts(getAxes()))
    if (!normalizeAxes(*values, rank))
      return emitOpError() << "axes [" << *values
                           << "] are not distinct dimensions in [" << -rank
                           << ", " << rank << ")";
  return success();
}

namespace {
/// Constant axes make the plain kiln.reduce_sum.
struct ConstantAxesToReduceSum
    : public OpRewritePattern<DynamicReduceSumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DynamicReduceSumOp op,
                                PatternRewriter &rewriter) const override {
    auto axes = constantAxes(op.getAxes(), op.getInput().getType().getRank());
    if (!axes)
      return failure();
    Value sum = ReduceSumOp::create(rewriter, op.getLoc(), op.getInput(),
                                    *axes, op.getKeepdims());
    if (sum.getType() != op.getType())
      sum = tensor::CastOp::create(rewriter, op.getLoc(), op.getType(), sum);
    rewriter.replaceOp(op, sum);
    return success();
  }
};
} // namespace

void DynamicReduceSumOp::getCanonicalizationPatterns(
    RewritePatternSet &results, MLIRContext *context) {
  results.add<ConstantAxesToReduceSum>(context);
}

//===----------------------------------------------------------------------===//
// ArgMaxOp / ArgMinOp
//===----------------------------------------------------------------------===//

#define KILN_ARG_REDUCE_INFER_AND_VERIFY(OpTy)                                 \
  LogicalResult OpTy::inferReturnTypes(MLIRContext *context,                   \
                                       std::optional<Location>,                \
                                       Adaptor adaptor,                        \
                                       SmallVectorImpl<Type> &types) {         \
    auto input = rankedType(adaptor.getInput());                               \
    if (!input)                                                                \
      return failure();                                                        \
    Type i64 = IntegerType::get(context, 64);                                  \
    int64_t rank = input.getRank(), axis = adaptor.getAxis();                  \
    bool keepdims = adaptor.getKeepdims();                                     \
    if (axis < 0 || axis >= rank)                                              \
      types.push_back(dynamicShaped(keepdims ? rank : rank - 1, i64));         \
    else                                                                       \
      types.push_back(RankedTensorType::get(                                   \
          reducedShape(input.getShape(), {axis}, keepdims), i64));             \
    return success();                                                          \
  }                                                                            \
  LogicalResult OpTy::verify() {                                               \
    return verifyAxis(*this, getAxis(), getInput().getType().getRank());       \
  }

KILN_ARG_REDUCE_INFER_AND_VERIFY(ArgMaxOp)
KILN_ARG_REDUCE_INFER_AND_VERIFY(ArgMinOp)
#undef KILN_ARG_REDUCE_INFER_AND_VERIFY

//===----------------------------------------------------------------------===//
// CumSumOp
//===----------------------------------------------------------------------===//

KILN_SAME_TYPE_INFER(CumSumOp)

LogicalResult CumSumOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if (rank == 0)
    return emitOpError() << "expects an input of rank 1 or more";
  auto axis = getConstantInts(getAxis());
  if (axis && !normalizeAxis((*axis)[0], rank))
    return emitOpError() << "axis " << (*axis)[0]
                         << " is out of range for rank " << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// TopKOp
//===----------------------------------------------------------------------===//

LogicalResult TopKOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location>,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  Type i64 = IntegerType::get(context, 64);
  int64_t rank = input.getRank(), axis = adaptor.getAxis();
  SmallVector<int64_t> shape(input.getShape());
  if (axis >= 0 && axis < rank) {
    auto k = getConstantInts(adaptor.getK());
    shape[axis] = k && k->size() == 1 && (*k)[0] >= 0 ? (*k)[0]
                                                      : ShapedType::kDynamic;
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  types.push_back(RankedTensorType::get(shape, i64));
  return success();
}

LogicalResult TopKOp::verify() {
  auto inputType = getInput().getType();
  int64_t axis = getAxis();
  if (failed(verifyAxis(*this, axis, inputType.getRank())))
    return failure();
  if (getK().getType().getDimSize(0) != 1)
    return emitOpError() << "expects k to have one element, got "
                         << getK().getType().getDimSize(0);
  auto k = getConstantInts(getK());
  if (!k)
    return success();
  if ((*k)[0] < 0)
    return emitOpError() << "expects k to be non-negative, got " << (*k)[0];
  int64_t extent = inputType.getDimSize(axis);
  if (!ShapedType::isDynamic(extent) && (*k)[0] > extent)
    return emitOpError() << "k = " << (*k)[0]
                         << " exceeds the extent of dimension " << axis
                         << " (" << extent << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// SoftmaxOp / LogSoftmaxOp
//===----------------------------------------------------------------------===//

KILN_SAME_TYPE_INFER(SoftmaxOp)
KILN_SAME_TYPE_INFER(LogSoftmaxOp)

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getInput().getType().getRank());
}

LogicalResult LogSoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getInput().getType().getRank());
}

//===----------------------------------------------------------------------===//
// NLLLossOp
//===----------------------------------------------------------------------===//

LogicalResult NLLLossOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  auto target = rankedType(adaptor.getTarget());
  if (!input || !target)
    return failure();
  Type elementType = input.getElementType();
  if (adaptor.getReduction() != "none") {
    types.push_back(RankedTensorType::get({}, elementType));
    return success();
  }
  // The target's shape, made as static as the input's says.
  SmallVector<int64_t> shape(target.getShape());
  if (input.getRank() == target.getRank() + 1)
    for (size_t i = 0; i < shape.size(); ++i)
      if (ShapedType::isDynamic(shape[i]))
        shape[i] = input.getDimSize(i == 0 ? 0 : i + 1);
  types.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

LogicalResult NLLLossOp::verify() {
  auto inputType = getInput().getType();
  auto targetType = getTarget().getType();
  int64_t rank = inputType.getRank();
  if (rank < 2)
    return emitOpError() << "expects an input of shape [N, C, d...], got "
                         << inputType;
  if (targetType.getRank() != rank - 1)
    return emitOpError() << "expects a target of rank " << rank - 1
                         << " ([N, d...]), got " << targetType;
  for (int64_t i = 0; i < targetType.getRank(); ++i) {
    int64_t t = targetType.getDimSize(i);
    int64_t in = inputType.getDimSize(i == 0 ? 0 : i + 1);
    if (!ShapedType::isDynamic(t) && !ShapedType::isDynamic(in) && t != in)
      return emitOpError() << "target dimension " << i << " (" << t
                           << ") does not match input dimension "
                           << (i == 0 ? 0 : i + 1) << " (" << in << ")";
  }
  if (Value weight = getWeight()) {
    auto weightType = cast<RankedTensorType>(weight.getType());
    if (weightType.getElementType() != inputType.getElementType())
      return emitOpError() << "expects weights of the input's element type, "
                              "got "
                           << weightType.getElementType();
    int64_t classes = inputType.getDimSize(1);
    if (weightType.getRank() != 1 ||
        (!weightType.isDynamicDim(0) && !ShapedType::isDynamic(classes) &&
         weightType.getDimSize(0) != classes))
      return emitOpError() << "expects weights of shape [" << classes
                           << "] (one per class), got " << weightType;
  }
  StringRef reduction = getReduction();
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return emitOpError() << "reduction must be none, sum or mean, got '"
                         << reduction << "'";
  return success();
}
