//===- Normalization.cpp - kiln normalization ops to linalg ---------------===//
//
// Layer normalization computes its statistics with linalg.reduce (mean, then
// the mean of squared deviations) and normalizes in one broadcasting generic.
// Batch normalization folds its four per-channel parameters into a scale and
// a shift first, so that each element costs one multiply-add. LRN squares
// the input, pads the channel dimension with zeros and sums a window of
// channels with a generic whose input map is `c + k`.
//
//===----------------------------------------------------------------------===//

#include "Reductions.h"
#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

Value castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

struct LayerNormLowering : public OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    const TypeConverter *converter = getTypeConverter();
    auto resultType = convertedType(converter, op.getResult().getType());
    auto statsType = convertedType(converter, op.getMean().getType());
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    int64_t rank = type.getRank(), axis = op.getAxis();
    double epsilon = op.getEpsilon().convertToDouble();

    SmallVector<int64_t> axes;
    for (int64_t i = axis; i < rank; ++i)
      axes.push_back(i);
    SmallVector<OpFoldResult> dims = getDims(rewriter, loc, input);
    Value count =
        productOf(rewriter, loc, ArrayRef<OpFoldResult>(dims).drop_front(axis));
    SmallVector<int64_t> keptShape(type.getShape());
    for (int64_t a : axes)
      keptShape[a] = 1;
    auto keptType = RankedTensorType::get(keptShape, elementType);

    Value sum =
        reduceTensor(rewriter, loc, input, axes, ReduceKind::Sum, false);
    auto reducedType = cast<RankedTensorType>(sum.getType());
    Value mean = buildElementwise(
        rewriter, loc, reducedType, sum,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(
              b, l, args[0], indexToScalar(b, l, count, elementType));
        });
    mean = keepReducedDims(rewriter, loc, mean, keptType, axes);
    Value squares = buildElementwise(
        rewriter, loc, type, {input, mean},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value d = arith::SubFOp::create(b, l, args[0], args[1]);
          return arith::MulFOp::create(b, l, d, d);
        },
        dims);
    Value squareSum =
        reduceTensor(rewriter, loc, squares, axes, ReduceKind::Sum, false);
    Value invStdDev = buildElementwise(
        rewriter, loc, reducedType, squareSum,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value variance = arith::DivFOp::create(
              b, l, args[0], indexToScalar(b, l, count, elementType));
          Value shifted = arith::AddFOp::create(
              b, l, variance, scalarConstant(b, l, elementType, epsilon));
          return arith::DivFOp::create(b, l,
                                       scalarConstant(b, l, elementType, 1),
                                       math::SqrtOp::create(b, l, shifted));
        });
    invStdDev = keepReducedDims(rewriter, loc, invStdDev, keptType, axes);

    SmallVector<Value> inputs{input, mean, invStdDev};
    Value scale = adaptor.getScale(), bias = adaptor.getBias();
    if (scale)
      inputs.push_back(scale);
    if (bias)
      inputs.push_back(bias);
    checkBroadcast(rewriter, loc, op, type, inputs, dims);
    Value result = buildElementwise(
        rewriter, loc, type, inputs,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value y = arith::MulFOp::create(
              b, l, arith::SubFOp::create(b, l, args[0], args[1]), args[2]);
          unsigned next = 3;
          if (scale)
            y = arith::MulFOp::create(b, l, y, args[next++]);
          if (bias)
            y = arith::AddFOp::create(b, l, y, args[next++]);
          return y;
        },
        dims);
    rewriter.replaceOp(op, {castTo(rewriter, loc, result, resultType),
                            castTo(rewriter, loc, mean, statsType),
                            castTo(rewriter, loc, invStdDev, statsType)});
    return success();
  }
};

struct BatchNormLowering : public OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    int64_t rank = type.getRank();
    double epsilon = op.getEpsilon().convertToDouble();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<OpFoldResult> dims = getDims(rewriter, loc, input);
    std::string name = describeForCheck(op);

    // Per channel: a = scale / sqrt(variance + epsilon), b = bias - mean * a.
    SmallVector<Value> params{adaptor.getScale(), adaptor.getBias(),
                              adaptor.getMean(), adaptor.getVariance()};
    for (Value p : params)
      checkEqual(rewriter, loc, tensor::getMixedSize(rewriter, loc, p, 0),
                 dims[1],
                 name + ": a parameter does not have one entry per channel");
    auto channelType =
        RankedTensorType::get({type.getDimSize(1)}, elementType);
    SmallVector<AffineMap> channelMaps(6, rewriter.getMultiDimIdentityMap(1));
    auto folded = linalg::GenericOp::create(
        rewriter, loc, TypeRange{channelType, channelType}, params,
        ValueRange{createEmpty(rewriter, loc, channelType, {dims[1]}),
                   createEmpty(rewriter, loc, channelType, {dims[1]})},
        channelMaps, {utils::IteratorType::parallel},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value shifted = arith::AddFOp::create(
              b, l, args[3], scalarConstant(b, l, elementType, epsilon));
          Value a = arith::DivFOp::create(b, l, args[0],
                                          math::SqrtOp::create(b, l, shifted));
          Value shift = arith::SubFOp::create(
              b, l, args[1], arith::MulFOp::create(b, l, args[2], a));
          linalg::YieldOp::create(b, l, ValueRange{a, shift});
        });

    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(1, ctx));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{type}, ValueRange{input,
                                                       folded.getResult(0),
                                                       folded.getResult(1)},
            ValueRange{createEmpty(rewriter, loc, type, dims)},
            SmallVector<AffineMap>{identity, channel, channel, identity},
            iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value y = arith::AddFOp::create(
                  b, l, arith::MulFOp::create(b, l, args[0], args[1]),
                  args[2]);
              linalg::YieldOp::create(b, l, y);
            })
            .getResult(0);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

struct LRNLowering : public OpConversionPattern<LRNOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LRNOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    int64_t rank = type.getRank(), size = op.getSize();
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    double bias = op.getBias().convertToDouble();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<OpFoldResult> dims = getDims(rewriter, loc, input);

    Value squares = buildElementwise(
        rewriter, loc, type, input,
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::MulFOp::create(b, l, args[0], args[0]);
        },
        dims);
    // Zeros around the channels make every window full.
    int64_t before = (size - 1) / 2, after = size - 1 - before;
    SmallVector<OpFoldResult> low(rank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> high(rank, rewriter.getIndexAttr(0));
    low[1] = rewriter.getIndexAttr(before);
    high[1] = rewriter.getIndexAttr(after);
    SmallVector<int64_t> paddedShape(type.getShape());
    if (!ShapedType::isDynamic(paddedShape[1]))
      paddedShape[1] += size - 1;
    Value padded = tensor::PadOp::create(
        rewriter, loc, RankedTensorType::get(paddedShape, elementType),
        squares, low, high, scalarConstant(rewriter, loc, elementType, 0));

    // sums[n, c, ...] = sum over k < size of padded[n, c + k, ...].
    SmallVector<AffineExpr> windowExprs;
    for (int64_t i = 0; i < rank; ++i)
      windowExprs.push_back(i == 1 ? getAffineDimExpr(1, ctx) +
                                         getAffineDimExpr(rank, ctx)
                                   : getAffineDimExpr(i, ctx));
    AffineMap window = AffineMap::get(rank + 1, 0, windowExprs, ctx);
    AffineMap kernel = AffineMap::get(rank + 1, 0, getAffineDimExpr(rank, ctx));
    AffineMap out =
        rewriter.getMultiDimIdentityMap(rank + 1).getMajorSubMap(rank);
    SmallVector<utils::IteratorType> iterators(rank + 1,
                                               utils::IteratorType::parallel);
    iterators[rank] = utils::IteratorType::reduction;
    // The window's extent comes from an (unread) operand of `size` elements.
    Value taps = createEmpty(rewriter, loc,
                             RankedTensorType::get({size}, elementType), {});
    Value init = createFilled(rewriter, loc, type, dims,
                              scalarConstant(rewriter, loc, elementType, 0));
    Value sums =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{type}, ValueRange{padded, taps},
            ValueRange{init}, SmallVector<AffineMap>{window, kernel, out},
            iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l,
                  ValueRange{arith::AddFOp::create(b, l, args[2], args[0])});
            })
            .getResult(0);
    Value result = buildElementwise(
        rewriter, loc, type, {input, sums},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value scaled = arith::MulFOp::create(
              b, l, args[1], scalarConstant(b, l, elementType, alpha / size));
          Value base = arith::AddFOp::create(
              b, l, scaled, scalarConstant(b, l, elementType, bias));
          Value denominator = math::PowFOp::create(
              b, l, base, scalarConstant(b, l, elementType, beta));
          return arith::DivFOp::create(b, l, args[0], denominator);
        },
        dims);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

} // namespace

void mlir::kiln::populateNormalizationToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<LayerNormLowering, BatchNormLowering, LRNLowering>(
      converter, patterns.getContext());
}
