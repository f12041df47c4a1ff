//===- Conv.cpp - kiln convolutions to linalg convolutions ----------------===//
//
// Padding becomes an insert_slice into an empty tensor whose border alone is
// filled (a tensor.pad where the spatial sizes are dynamic); the bias, when
// present, initializes the accumulator (so no separate add). groups == 1 uses
// conv_2d_nchw_fchw, depthwise (one filter per channel)
// depthwise_conv_2d_nchw_chw, and other group counts conv_2d_ngchw_gfchw over
// expanded group dimensions.
//
// kiln.conv_transpose becomes the same convolutions (conv_3d_ncdhw_fcdhw
// over 3 spatial dims): the input is spread
// out with stride - 1 zeros between its elements (a strided
// tensor.insert_slice into zeros) and padded by dilation * (kernel - 1)
// minus the op's pads, and the weight is transposed (input and output
// channels swapped within each group) and flipped spatially; a stride-1
// convolution of the two is the transposed convolution.
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
  if (ShapedType::isDynamic(shape[2]) || ShapedType::isDynamic(shape[3]))
    return tensor::PadOp::create(b, loc, paddedType, input, low, high, value);
  // Static spatial sizes: the input goes into the interior of an empty
  // tensor and only the border is filled, rather than a tensor.pad (which
  // bufferizes to a fill of the whole padded buffer and a copy of the
  // interior). Empty-tensor elimination then lets the input's producer
  // write straight into the interior, so no copy is left either.
  SmallVector<OpFoldResult> dims = getDims(b, loc, input);
  SmallVector<OpFoldResult> paddedDims{
      dims[0], dims[1], b.getIndexAttr(shape[2]), b.getIndexAttr(shape[3])};
  Value empty = createEmpty(b, loc, paddedType, paddedDims);
  SmallVector<OpFoldResult> ones(4, b.getIndexAttr(1));
  Value result =
      tensor::InsertSliceOp::create(b, loc, input, empty, low, dims, ones);
  int64_t top = pads[0], left = pads[1];
  int64_t height = type.getDimSize(2), width = type.getDimSize(3);
  auto fillStrip = [&](int64_t row, int64_t rows, int64_t col, int64_t cols) {
    if (rows <= 0 || cols <= 0)
      return;
    SmallVector<OpFoldResult> offsets{b.getIndexAttr(0), b.getIndexAttr(0),
                                      b.getIndexAttr(row), b.getIndexAttr(col)};
    SmallVector<OpFoldResult> sizes{dims[0], dims[1], b.getIndexAttr(rows),
                                    b.getIndexAttr(cols)};
    Value strip =
        tensor::ExtractSliceOp::create(b, loc, result, offsets, sizes, ones);
    Value filled =
        linalg::FillOp::create(b, loc, ValueRange{value}, ValueRange{strip})
            .getResult(0);
    result = tensor::InsertSliceOp::create(b, loc, filled, result, offsets,
                                           sizes, ones);
  };
  // Whole rows above and below, then the columns left and right of the
  // input's rows.
  fillStrip(0, top, 0, shape[3]);
  fillStrip(top + height, shape[2] - top - height, 0, shape[3]);
  fillStrip(top, height, 0, left);
  fillStrip(top, height, left + width, shape[3] - left - width);
  return result;
}

/// The output size of a window along spatial dim `i` as an OpFoldResult.
OpFoldResult mlir::kiln::windowOutputDim(OpBuilder &b, Location loc,
                                         Value paddedInput, int64_t dim,
                                         int64_t kernel, int64_t stride,
                                         int64_t dilation, int64_t staticSize) {
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

Value emitConv(OpBuilder &b, Location loc, Value input, Value weight,
               Value init, int64_t groups, int64_t channels,
               ArrayRef<int64_t> strideValues,
               ArrayRef<int64_t> dilationValues);
Value groupedConv(OpBuilder &b, Location loc, Value input, Value weight,
                  Value init, int64_t groups, DenseIntElementsAttr strides,
                  DenseIntElementsAttr dilations);

/// The accumulator a convolution starts from: the bias broadcast over N and
/// the spatial dims, or zeros.
Value convInit(OpBuilder &b, Location loc, Value bias,
               RankedTensorType resultType, ArrayRef<OpFoldResult> outDims) {
  Type elementType = resultType.getElementType();
  if (!bias)
    return createFilled(b, loc, resultType, outDims,
                        scalarConstant(b, loc, elementType, 0));
  // [F] -> [F, 1, ...], which broadcasts against [N, F, spatial...].
  auto biasType = cast<RankedTensorType>(bias.getType());
  int64_t spatial = resultType.getRank() - 2;
  SmallVector<int64_t> shape{biasType.getDimSize(0)};
  SmallVector<OpFoldResult> sizes{tensor::getMixedSize(b, loc, bias, 0)};
  ReassociationIndices all{0};
  for (int64_t i = 0; i < spatial; ++i) {
    shape.push_back(1);
    sizes.push_back(b.getIndexAttr(1));
    all.push_back(i + 1);
  }
  Value expanded = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, elementType), bias,
      ArrayRef<ReassociationIndices>{all}, sizes);
  return broadcastTo(b, loc, expanded, resultType, outDims);
}

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
                   AffineMap::get(
                       0, 1, rewriter.getAffineSymbolExpr(0) * op.getGroups()),
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
      outDims.push_back(
          windowOutputDim(rewriter, loc, input, 2 + i,
                          weightType.getDimSize(2 + i), op.getStrides()[i],
                          op.getDilations()[i], resultType.getDimSize(2 + i)));

    Value init =
        convInit(rewriter, loc, adaptor.getBias(), resultType, outDims);

    Value result = emitConv(rewriter, loc, input, weight, init, op.getGroups(),
                            op.getInput().getType().getDimSize(1),
                            op.getStrides(), op.getDilations());
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The convolution of an already padded NCHW `input` with an FCHW `weight`
/// accumulated into `init`, as the named linalg op that fits `groups`
/// (`channels` is the input's static channel count, if known).
Value emitConv(OpBuilder &b, Location loc, Value input, Value weight,
               Value init, int64_t groups, int64_t channels,
               ArrayRef<int64_t> strideValues,
               ArrayRef<int64_t> dilationValues) {
  auto resultType = cast<RankedTensorType>(init.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  auto strides = b.getI64TensorAttr(strideValues);
  auto dilations = b.getI64TensorAttr(dilationValues);
  int64_t filters = weightType.getDimSize(0);
  if (groups == 1)
    return linalg::Conv2DNchwFchwOp::create(
               b, loc, TypeRange{resultType}, ValueRange{input, weight},
               ValueRange{init}, strides, dilations)
        .getResult(0);
  if (groups == channels && filters == channels &&
      weightType.getDimSize(1) == 1) {
    // Depthwise: weight [C, 1, KH, KW] -> [C, KH, KW].
    auto depthwiseType = RankedTensorType::get(
        {filters, weightType.getDimSize(2), weightType.getDimSize(3)},
        resultType.getElementType());
    Value w = tensor::CollapseShapeOp::create(
        b, loc, depthwiseType, weight,
        ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
    return linalg::DepthwiseConv2DNchwChwOp::create(
               b, loc, TypeRange{resultType}, ValueRange{input, w},
               ValueRange{init}, strides, dilations)
        .getResult(0);
  }
  return groupedConv(b, loc, input, weight, init, groups, strides, dilations);
}

/// conv_2d_ngchw_gfchw over [N, G, C/G, H, W] x [G, F/G, C/G, KH, KW].
Value groupedConv(OpBuilder &b, Location loc, Value input, Value weight,
                  Value init, int64_t groups, DenseIntElementsAttr strides,
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

/// kiln.conv_transpose as a stride-1 convolution of the spread-out input
/// with the transposed, flipped weight.
struct ConvTransposeLowering : public OpConversionPattern<ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    auto weightType = cast<RankedTensorType>(weight.getType());
    int64_t spatial = resultType.getRank() - 2;
    checkEqual(rewriter, loc, tensor::getMixedSize(rewriter, loc, input, 1),
               tensor::getMixedSize(rewriter, loc, weight, 0),
               describeForCheck(op) +
                   ": the input's channels do not match the weight's");

    Value spread = spreadInput(rewriter, loc, op, input);
    Value flipped = transposeWeight(rewriter, loc, weight, op.getGroups());

    SmallVector<OpFoldResult> outDims{
        tensor::getMixedSize(rewriter, loc, spread, 0),
        tensor::getMixedSize(rewriter, loc, flipped, 0)};
    for (int64_t i = 0; i < spatial; ++i)
      outDims.push_back(windowOutputDim(
          rewriter, loc, spread, 2 + i, weightType.getDimSize(2 + i),
          /*stride=*/1, op.getDilations()[i], resultType.getDimSize(2 + i)));
    Value init =
        convInit(rewriter, loc, adaptor.getBias(), resultType, outDims);
    SmallVector<int64_t> ones(spatial, 1);
    Value result;
    if (spatial == 3)
      result =
          linalg::Conv3DNcdhwFcdhwOp::create(
              rewriter, loc, TypeRange{resultType}, ValueRange{spread, flipped},
              ValueRange{init}, rewriter.getI64TensorAttr(ones),
              rewriter.getI64TensorAttr(op.getDilations()))
              .getResult(0);
    else
      result = emitConv(rewriter, loc, spread, flipped, init, op.getGroups(),
                        op.getInput().getType().getDimSize(1), ones,
                        op.getDilations());
    rewriter.replaceOp(op, result);
    return success();
  }

  /// The input with stride - 1 zeros between elements, padded (or cropped,
  /// where the op's pads exceed it) by dilation * (kernel - 1) - pads at the
  /// start and that plus output_padding at the end.
  static Value spreadInput(OpBuilder &b, Location loc, ConvTransposeOp op,
                           Value input) {
    auto inputType = cast<RankedTensorType>(input.getType());
    Type elementType = inputType.getElementType();
    int64_t rank = inputType.getRank(), spatial = rank - 2;
    auto kernel = op.getWeight().getType().getShape().drop_front(2);
    SmallVector<OpFoldResult> inDims = getDims(b, loc, input);
    SmallVector<OpFoldResult> zero(rank, b.getIndexAttr(0)),
        one(rank, b.getIndexAttr(1));
    // Per dim of the full tensor: the zeros before and after the spread
    // input, the elements to crop afterwards, and the stride.
    SmallVector<OpFoldResult> low(zero), high(zero), strides(one),
        cropLow(zero), fullDims(inDims.begin(), inDims.begin() + 2),
        croppedDims(inDims.begin(), inDims.begin() + 2);
    SmallVector<int64_t> fullShape(inputType.getShape().take_front(2)),
        croppedShape(fullShape);
    bool strided = false, cropped = false;
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t span = op.getDilations()[i] * (kernel[i] - 1);
      int64_t before = span - op.getPads()[i];
      int64_t after =
          span - op.getPads()[spatial + i] + op.getOutputPadding()[i];
      int64_t stride = op.getStrides()[i];
      int64_t padLow = std::max<int64_t>(before, 0);
      int64_t padHigh = std::max<int64_t>(after, 0);
      int64_t cropBefore = padLow - before, cropAfter = padHigh - after;
      strided |= stride != 1;
      cropped |= cropBefore != 0 || cropAfter != 0;
      low[2 + i] = b.getIndexAttr(padLow);
      high[2 + i] = b.getIndexAttr(padHigh);
      strides[2 + i] = b.getIndexAttr(stride);
      cropLow[2 + i] = b.getIndexAttr(cropBefore);
      AffineExpr s0 = b.getAffineSymbolExpr(0);
      AffineExpr full = (s0 - 1) * stride + 1 + padLow + padHigh;
      fullDims.push_back(affine::makeComposedFoldedAffineApply(
          b, loc, AffineMap::get(0, 1, full), {inDims[2 + i]}));
      croppedDims.push_back(affine::makeComposedFoldedAffineApply(
          b, loc, AffineMap::get(0, 1, full - cropBefore - cropAfter),
          {inDims[2 + i]}));
      int64_t size = inputType.getDimSize(2 + i);
      int64_t fullSize = ShapedType::isDynamic(size)
                             ? size
                             : (size - 1) * stride + 1 + padLow + padHigh;
      fullShape.push_back(fullSize);
      croppedShape.push_back(ShapedType::isDynamic(fullSize)
                                 ? fullSize
                                 : fullSize - cropBefore - cropAfter);
    }
    Value zeroValue = scalarConstant(b, loc, elementType, 0);
    auto fullType = RankedTensorType::get(fullShape, elementType);
    if (!strided && !cropped)
      return tensor::PadOp::create(b, loc, fullType, input, low, high,
                                   zeroValue);
    // Zeros, with the input written every stride elements.
    Value full = createFilled(b, loc, fullType, fullDims, zeroValue);
    Value spread = tensor::InsertSliceOp::create(b, loc, input, full, low,
                                                 inDims, strides);
    if (!cropped)
      return spread;
    return tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get(croppedShape, elementType), spread,
        cropLow, croppedDims, one);
  }

  /// [C, F/G, K...] -> [F, C/G, K...]: within each group the input and
  /// output channels swap places, and the kernel is flipped along every
  /// spatial dim.
  static Value transposeWeight(OpBuilder &b, Location loc, Value weight,
                               int64_t groups) {
    auto type = cast<RankedTensorType>(weight.getType());
    Type elementType = type.getElementType();
    int64_t rank = type.getRank();
    ArrayRef<int64_t> kernel = type.getShape().drop_front(2);
    SmallVector<OpFoldResult> dims = getDims(b, loc, weight);
    MLIRContext *ctx = b.getContext();
    auto copy = [](OpBuilder &nested, Location l, ValueRange args) {
      linalg::YieldOp::create(nested, l, args[0]);
    };
    // [G, C/G, F/G, K...] read as [G, F/G, C/G, K...], kernel reversed.
    int64_t c = type.getDimSize(0), fg = type.getDimSize(1);
    int64_t cg = ShapedType::isDynamic(c) ? c : c / groups;
    AffineExpr s0 = b.getAffineSymbolExpr(0);
    OpFoldResult cgDim = affine::makeComposedFoldedAffineApply(
        b, loc, AffineMap::get(0, 1, s0.floorDiv(groups)), {dims[0]});
    SmallVector<int64_t> expandedShape{groups, cg, fg},
        swappedShape{groups, fg, cg};
    SmallVector<OpFoldResult> expandedDims{b.getIndexAttr(groups), cgDim,
                                           dims[1]},
        swappedDims{b.getIndexAttr(groups), dims[1], cgDim};
    SmallVector<AffineExpr> read{getAffineDimExpr(0, ctx),
                                 getAffineDimExpr(2, ctx),
                                 getAffineDimExpr(1, ctx)};
    for (auto [i, k] : llvm::enumerate(kernel)) {
      expandedShape.push_back(k);
      swappedShape.push_back(k);
      expandedDims.push_back(dims[2 + i]);
      swappedDims.push_back(dims[2 + i]);
      read.push_back(getAffineConstantExpr(k - 1, ctx) -
                     getAffineDimExpr(3 + i, ctx));
    }
    // The expansion splits dim 0 only: {0, 1}, {2}, {3}, ...
    SmallVector<ReassociationIndices> expansion{{0, 1}};
    for (int64_t i = 1; i < rank; ++i)
      expansion.push_back({i + 1});
    SmallVector<ReassociationIndices> collapsing{{0, 1}};
    for (int64_t i = 2; i <= rank; ++i)
      collapsing.push_back({i});
    Value expanded = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(expandedShape, elementType), weight,
        expansion, expandedDims);
    auto swappedType = RankedTensorType::get(swappedShape, elementType);
    Value init = createEmpty(b, loc, swappedType, swappedDims);
    SmallVector<AffineMap> maps{AffineMap::get(rank + 1, 0, read, ctx),
                                b.getMultiDimIdentityMap(rank + 1)};
    SmallVector<utils::IteratorType> iterators(rank + 1,
                                               utils::IteratorType::parallel);
    Value swapped = linalg::GenericOp::create(
                        b, loc, TypeRange{swappedType}, ValueRange{expanded},
                        ValueRange{init}, maps, iterators, copy)
                        .getResult(0);
    SmallVector<int64_t> resultShape{
        ShapedType::isDynamic(fg) ? fg : fg * groups, cg};
    resultShape.append(kernel.begin(), kernel.end());
    return tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get(resultShape, elementType), swapped,
        collapsing);
  }
};

} // namespace

void mlir::kiln::populateConvToLinalgPatterns(const TypeConverter &converter,
                                              RewritePatternSet &patterns) {
  patterns.add<Conv2DLowering, ConvTransposeLowering>(converter,
                                                      patterns.getContext());
}
