//===- Reduce.cpp - kiln reductions and softmax to linalg -----------------===//
//
// Reductions become linalg.reduce over the reduced dimensions (followed by an
// expand_shape for keepdims); mean divides the sum by the reduced element
// count. Softmax is the numerically stable max / exp / sum / divide sequence.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

enum class ReduceKind { Sum, Max };

/// Reduces `input` over `axes` (without keepdims).
Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
             ReduceKind kind, bool isUnsigned) {
  auto type = cast<RankedTensorType>(input.getType());
  Type elementType = type.getElementType();
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> dims;
  SmallVector<OpFoldResult> inputDims = getDims(b, loc, input);
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (!llvm::is_contained(axes, i)) {
      shape.push_back(type.getDimSize(i));
      dims.push_back(inputDims[i]);
    }
  auto resultType = RankedTensorType::get(shape, elementType);
  Value identity = kind == ReduceKind::Sum
                       ? scalarConstant(b, loc, elementType, 0)
                       : lowestValue(b, loc, elementType, isUnsigned);
  Value init = createFilled(b, loc, resultType, dims, identity);
  bool isFloat = isa<FloatType>(elementType);
  auto reduceOp = linalg::ReduceOp::create(
      b, loc, ValueRange{input}, ValueRange{init}, axes,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r;
        if (kind == ReduceKind::Sum)
          r = isFloat ? (Value)arith::AddFOp::create(nb, nl, args[0], args[1])
                      : (Value)arith::AddIOp::create(nb, nl, args[0], args[1]);
        else if (isFloat)
          r = arith::MaximumFOp::create(nb, nl, args[0], args[1]);
        else if (isUnsigned)
          r = arith::MaxUIOp::create(nb, nl, args[0], args[1]);
        else
          r = arith::MaxSIOp::create(nb, nl, args[0], args[1]);
        linalg::YieldOp::create(nb, nl, r);
      });
  return reduceOp.getResult(0);
}

/// Re-inserts unit dimensions at `axes` of a reduced tensor. `resultType`
/// may be more static than the reduced value: a tensor.cast then refines the
/// expanded value.
Value keepDims(OpBuilder &b, Location loc, Value reduced,
               RankedTensorType resultType, ArrayRef<int64_t> axes) {
  auto reducedType = cast<RankedTensorType>(reduced.getType());
  SmallVector<int64_t> expandedShape;
  for (int64_t i = 0, kept = 0; i < resultType.getRank(); ++i)
    expandedShape.push_back(
        llvm::is_contained(axes, i) ? 1 : reducedType.getDimSize(kept++));
  auto expandedType =
      RankedTensorType::get(expandedShape, reducedType.getElementType());
  SmallVector<OpFoldResult> dims;
  SmallVector<OpFoldResult> reducedDims = getDims(b, loc, reduced);
  // Each kept dimension starts a group; a unit dim joins the group before it,
  // or the first group when it comes before every kept dim.
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices leading;
  int64_t kept = 0;
  for (int64_t i = 0; i < resultType.getRank(); ++i) {
    if (llvm::is_contained(axes, i)) {
      dims.push_back(b.getIndexAttr(1));
      if (groups.empty())
        leading.push_back(i);
      else
        groups.back().push_back(i);
      continue;
    }
    dims.push_back(reducedDims[kept++]);
    ReassociationIndices group = groups.empty() ? leading
                                                : ReassociationIndices{};
    group.push_back(i);
    groups.push_back(group);
  }
  if (reducedType.getRank() == 0)
    groups.clear();
  Value expanded = tensor::ExpandShapeOp::create(b, loc, expandedType, reduced,
                                                 groups, dims);
  if (expandedType != resultType)
    expanded = tensor::CastOp::create(b, loc, resultType, expanded);
  return expanded;
}

template <typename OpTy, ReduceKind Kind, bool IsMean = false>
struct ReduceLowering : public OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(this->getTypeConverter(), op.getType());
    ArrayRef<int64_t> axes = op.getAxes();
    Value input = adaptor.getInput();
    if (axes.empty()) {
      // Nothing to reduce: the result is the input.
      if (input.getType() != resultType)
        input = tensor::CastOp::create(rewriter, loc, resultType, input);
      rewriter.replaceOp(op, input);
      return success();
    }
    bool isUnsigned = isUnsignedInteger(op.getInput().getType());
    Value result = reduce(rewriter, loc, input, axes, Kind, isUnsigned);
    if (IsMean) {
      SmallVector<OpFoldResult> inputDims = getDims(rewriter, loc, input);
      SmallVector<OpFoldResult> reducedDims;
      for (int64_t a : axes)
        reducedDims.push_back(inputDims[a]);
      Value count = productOf(rewriter, loc, reducedDims);
      auto reducedType = cast<RankedTensorType>(result.getType());
      Type elementType = reducedType.getElementType();
      result = buildElementwise(
          rewriter, loc, reducedType, result,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value n = arith::IndexCastOp::create(b, l, b.getI64Type(), count);
            if (isa<FloatType>(elementType))
              return arith::DivFOp::create(
                  b, l, args[0], arith::SIToFPOp::create(b, l, elementType, n));
            Value ni = elementType.getIntOrFloatBitWidth() == 64
                           ? n
                           : (Value)arith::TruncIOp::create(b, l, elementType, n);
            return isUnsigned ? (Value)arith::DivUIOp::create(b, l, args[0], ni)
                              : (Value)arith::DivSIOp::create(b, l, args[0], ni);
          });
    }
    if (op.getKeepdims())
      result = keepDims(rewriter, loc, result, resultType, axes);
    else if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SoftmaxLowering : public OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    int64_t axis = op.getAxis();
    // Reduced values are re-expanded with a unit axis so that the shared
    // broadcasting generic lines them up with the input.
    SmallVector<int64_t> keptShape(type.getShape());
    keptShape[axis] = 1;
    auto keptType = RankedTensorType::get(keptShape, type.getElementType());
    auto expand = [&](Value reduced) {
      return keepDims(rewriter, loc, reduced, keptType, {axis});
    };
    Value max = expand(reduce(rewriter, loc, input, {axis}, ReduceKind::Max,
                              false));
    Value exps = buildElementwise(
        rewriter, loc, type, {input, max},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return math::ExpOp::create(b, l,
                                     arith::SubFOp::create(b, l, args[0], args[1]));
        });
    Value sum = expand(reduce(rewriter, loc, exps, {axis}, ReduceKind::Sum,
                              false));
    Value result = buildElementwise(
        rewriter, loc, type, {exps, sum},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(b, l, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::kiln::populateReduceToLinalgPatterns(const TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReduceLowering<ReduceSumOp, ReduceKind::Sum>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Sum, /*IsMean=*/true>,
               SoftmaxLowering>(converter, ctx);
}
