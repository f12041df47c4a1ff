//===- Conv.cpp - kiln.conv2d to linalg convolutions ----------------------===//
//
// Padding becomes a tensor.pad; the bias, when present, initializes the
// accumulator (so no separate add). groups == 1 uses conv_2d_nchw_fchw,
// depthwise (one filter per channel) depthwise_conv_2d_nchw_chw, and other
// group counts conv_2d_ngchw_gfchw over expanded group dimensions.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"

using namespace mlir;
using namespace mlir::kiln;

/// Pads the spatial dims of an NCHW tensor by `[top, left, bottom, right]`
/// (plus `extraEnd` on the bottom/right) with `value`.
Value mlir::kiln::padSpatial(OpBuilder &b, Location loc, Value input,
                             ArrayRef<int64_t> pads,
                             ArrayRef<OpFoldResult> extraEnd, Value value) {
  auto isZero = [](OpFoldResult r) { return isConstantIntValue(r, 0); };
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(extraEnd, isZero))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<OpFoldResult> low(4, b.getIndexAttr(0)),
      high(4, b.getIndexAttr(0));
  SmallVector<int64_t> shape(type.getShape());
  for (int i = 0; i < 2; ++i) {
    OpFoldResult extra = extraEnd.empty() ? b.getIndexAttr(0) : extraEnd[i];
    low[2 + i] = b.getIndexAttr(pads[i]);
    std::optional<int64_t> staticExtra = getConstantIntValue(extra);
    if (staticExtra) {
      high[2 + i] = b.getIndexAttr(pads[2 + i] + *staticExtra);
    } else {
      high[2 + i] = arith::AddIOp::create(
                        b, loc, getValueOrCreateConstantIndexOp(b, loc, extra),
                        arith::ConstantIndexOp::create(b, loc, pads[2 + i]))
                        .getResult();
    }
    if (ShapedType::isDynamic(shape[2 + i]))
      continue;
    shape[2 + i] = staticExtra
                       ? shape[2 + i] + pads[i] + pads[2 + i] + *staticExtra
                       : ShapedType::kDynamic;
  }
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  return tensor::PadOp::create(b, loc, paddedType, input, low, high, value);
}

/// The output size of a window along spatial dim `i` as an OpFoldResult.
OpFoldResult mlir::kiln::windowOutputDim(OpBuilder &b, Location loc,
                                         Value paddedInput, int64_t dim,
                                         int64_t kernel, int64_t stride,
                                         int64_t dilation,
                                         int64_t staticSize) {
  if (!ShapedType::isDynamic(staticSize))
    return b.getIndexAttr(staticSize);
  // (padded - span) / stride + 1, on the already padded input.
  AffineExpr s0 = b.getAffineSymbolExpr(0);
  int64_t span = dilation * (kernel - 1) + 1;
  AffineMap map = AffineMap::get(0, 1, (s0 - span).floorDiv(stride) + 1);
  return affine::makeComposedFoldedAffineApply(
      b, loc, map, {tensor::getMixedSize(b, loc, paddedInput, dim)});
}

namespace {

struct Conv2DLowering : public OpConversionPattern<Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Type elementType = resultType.getElementType();
    Value zero = scalarConstant(rewriter, loc, elementType, 0);
    Value weight = adaptor.getWeight();
    auto weightType = cast<RankedTensorType>(weight.getType());
    // Sizes only the inputs can tell: channels agree, the kernel fits.
    checkEqual(rewriter, loc,
               tensor::getMixedSize(rewriter, loc, adaptor.getInput(), 1),
               affine::makeComposedFoldedAffineApply(
                   rewriter, loc,
                   AffineMap::get(0, 1,
                                  rewriter.getAffineSymbolExpr(0) *
                                      op.getGroups()),
                   {tensor::getMixedSize(rewriter, loc, weight, 1)}),
               describeForCheck(op) +
                   ": the input's channels do not match the weight's");
    for (int i = 0; i < 2; ++i)
      checkWindowFits(rewriter, loc, op, adaptor.getInput(), 2 + i,
                      op.getPads()[i], op.getPads()[2 + i],
                      weightType.getDimSize(2 + i), op.getDilations()[i]);
    Value input = padSpatial(rewriter, loc, adaptor.getInput(), op.getPads(),
                             /*extraEnd=*/{}, zero);

    SmallVector<OpFoldResult> outDims{
        tensor::getMixedSize(rewriter, loc, input, 0),
        tensor::getMixedSize(rewriter, loc, weight, 0)};
    for (int i = 0; i < 2; ++i)
      outDims.push_back(windowOutputDim(
          rewriter, loc, input, 2 + i, weightType.getDimSize(2 + i),
          op.getStrides()[i], op.getDilations()[i],
          resultType.getDimSize(2 + i)));

    // The accumulator starts as the bias (broadcast over N, H, W) or zero.
    Value init;
    if (Value bias = adaptor.getBias()) {
      auto biasType = cast<RankedTensorType>(bias.getType());
      auto bias4 = RankedTensorType::get({biasType.getDimSize(0), 1, 1},
                                         elementType);
      Value expanded = tensor::ExpandShapeOp::create(
          rewriter, loc, bias4, bias, ArrayRef<ReassociationIndices>{{0, 1, 2}},
          {tensor::getMixedSize(rewriter, loc, bias, 0),
           rewriter.getIndexAttr(1), rewriter.getIndexAttr(1)});
      init = broadcastTo(rewriter, loc, expanded, resultType, outDims);
    } else {
      init = createFilled(rewriter, loc, resultType, outDims, zero);
    }

    auto strides = rewriter.getI64TensorAttr(op.getStrides());
    auto dilations = rewriter.getI64TensorAttr(op.getDilations());
    int64_t groups = op.getGroups();
    int64_t channels = op.getInput().getType().getDimSize(1);
    int64_t filters = weightType.getDimSize(0);
    Value result;
    if (groups == 1) {
      result = linalg::Conv2DNchwFchwOp::create(
                   rewriter, loc, TypeRange{resultType},
                   ValueRange{input, weight}, ValueRange{init}, strides,
                   dilations)
                   .getResult(0);
    } else if (groups == channels && filters == channels &&
               weightType.getDimSize(1) == 1) {
      // Depthwise: weight [C, 1, KH, KW] -> [C, KH, KW].
      auto depthwiseType = RankedTensorType::get(
          {filters, weightType.getDimSize(2), weightType.getDimSize(3)},
          elementType);
      Value w = tensor::CollapseShapeOp::create(
          rewriter, loc, depthwiseType, weight,
          ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
      result = linalg::DepthwiseConv2DNchwChwOp::create(
                   rewriter, loc, TypeRange{resultType}, ValueRange{input, w},
                   ValueRange{init}, strides, dilations)
                   .getResult(0);
    } else {
      result = groupedConv(rewriter, loc, input, weight, init, groups,
                           strides, dilations);
    }
    rewriter.replaceOp(op, result);
    return success();
  }

  /// conv_2d_ngchw_gfchw over [N, G, C/G, H, W] x [G, F/G, C/G, KH, KW].
  static Value groupedConv(OpBuilder &b, Location loc, Value input,
                           Value weight, Value init, int64_t groups,
                           DenseIntElementsAttr strides,
                           DenseIntElementsAttr dilations) {
    auto splitGroups = [&](Value v, int64_t dim) {
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape(type.getShape());
      SmallVector<OpFoldResult> dims = getDims(b, loc, v);
      int64_t size = shape[dim];
      shape[dim] = ShapedType::isDynamic(size) ? size : size / groups;
      shape.insert(shape.begin() + dim, groups);
      OpFoldResult perGroup =
          ShapedType::isDynamic(size)
              ? affine::makeComposedFoldedAffineApply(
                    b, loc,
                    AffineMap::get(0, 1,
                                   b.getAffineSymbolExpr(0).floorDiv(groups)),
                    {dims[dim]})
              : b.getIndexAttr(size / groups);
      dims[dim] = perGroup;
      dims.insert(dims.begin() + dim, b.getIndexAttr(groups));
      SmallVector<ReassociationIndices> reassociation;
      for (int64_t i = 0, e = type.getRank(); i < e; ++i) {
        if (i < dim)
          reassociation.push_back({i});
        else if (i == dim)
          reassociation.push_back({i, i + 1});
        else
          reassociation.push_back({i + 1});
      }
      return tensor::ExpandShapeOp::create(
          b, loc, RankedTensorType::get(shape, type.getElementType()), v,
          reassociation, dims);
    };
    Value groupedInput = splitGroups(input, 1);
    Value groupedWeight = splitGroups(weight, 0);
    Value groupedInit = splitGroups(init, 1);
    auto resultType = cast<RankedTensorType>(groupedInit.getType());
    Value result = linalg::Conv2DNgchwGfchwOp::create(
                       b, loc, TypeRange{resultType},
                       ValueRange{groupedInput, groupedWeight},
                       ValueRange{groupedInit}, strides, dilations)
                       .getResult(0);
    return tensor::CollapseShapeOp::create(
        b, loc, init.getType(), result,
        ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
  }
};

} // namespace

void mlir::kiln::populateConvToLinalgPatterns(const TypeConverter &converter,
                                              RewritePatternSet &patterns) {
  patterns.add<Conv2DLowering>(converter, patterns.getContext());
}
