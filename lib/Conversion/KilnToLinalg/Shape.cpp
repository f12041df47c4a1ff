//===- Shape.cpp - kiln shape ops to linalg, tensor and arith -------------===//
//
// Transpose is linalg.transpose; reshape, flatten, squeeze and their
// dynamic kin become tensor collapse/expand pairs whose sizes are computed
// from the input and the shape operands (constant ones give static sizes);
// expand and tile are generics; pad is tensor.pad or a generic; shape_of,
// constant_of_shape and range build tensors from index values.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "IndexValues.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct TransposeLowering : public OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    SmallVector<OpFoldResult> inputDims =
        getDims(rewriter, loc, adaptor.getInput());
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    // linalg.transpose wants the permuted input type exactly; a more static
    // result type is a cast afterwards.
    SmallVector<OpFoldResult> dims;
    SmallVector<int64_t> shape;
    for (int64_t p : op.getPermutation()) {
      dims.push_back(inputDims[p]);
      shape.push_back(inputType.getDimSize(p));
    }
    auto transposedType =
        RankedTensorType::get(shape, inputType.getElementType());
    Value init = createEmpty(rewriter, loc, transposedType, dims);
    Value result =
        linalg::TransposeOp::create(rewriter, loc, adaptor.getInput(), init,
                                    op.getPermutation())
            .getResult()[0];
    if (transposedType != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ReshapeLowering : public OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    SmallVector<OpFoldResult> inputDims = getDims(rewriter, loc, input);
    ArrayRef<int64_t> spec = op.getShape();

    SmallVector<OpFoldResult> dims;
    int64_t inferred = -1;
    for (auto [i, s] : llvm::enumerate(spec)) {
      int64_t known = resultType.getDimSize(i);
      if (!ShapedType::isDynamic(known))
        dims.push_back(rewriter.getIndexAttr(known));
      else if (s == 0)
        dims.push_back(inputDims[i]);
      else if (s == -1) {
        inferred = i;
        dims.push_back(OpFoldResult());
      } else
        dims.push_back(rewriter.getIndexAttr(s));
    }
    if (inferred >= 0) {
      // The element count divided by every other result dimension (by 1
      // when they hold no elements, so that the division cannot trap).
      Value total = productOf(rewriter, loc, inputDims);
      SmallVector<OpFoldResult> others;
      for (auto [i, d] : llvm::enumerate(dims))
        if ((int64_t)i != inferred)
          others.push_back(d);
      Value rest = productOf(rewriter, loc, others);
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      Value divisor = arith::MaxUIOp::create(rewriter, loc, rest, one);
      dims[inferred] = arith::DivUIOp::create(rewriter, loc, total, divisor)
                           .getResult();
    }
    // With dynamic sizes, only the inputs can tell whether the elements fit.
    if (!op.getInput().getType().hasStaticShape() ||
        !resultType.hasStaticShape())
      checkEqual(rewriter, loc, productOf(rewriter, loc, dims),
                 productOf(rewriter, loc, inputDims),
                 describeForCheck(op) +
                     ": the input's element count does not fit the new shape");
    rewriter.replaceOp(op,
                       reshapeTensor(rewriter, loc, input, resultType, dims));
    return success();
  }
};

struct FlattenLowering : public OpConversionPattern<FlattenOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(FlattenOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    int64_t rank = op.getInput().getType().getRank();
    int64_t axis = op.getAxis();
    if (axis > 0 && axis < rank) {
      // Two groups: rows and columns.
      ReassociationIndices rows, cols;
      for (int64_t i = 0; i < rank; ++i)
        (i < axis ? rows : cols).push_back(i);
      Value result = tensor::CollapseShapeOp::create(
          rewriter, loc, input, ArrayRef<ReassociationIndices>{rows, cols});
      if (result.getType() != resultType)
        result = tensor::CastOp::create(rewriter, loc, resultType, result);
      rewriter.replaceOp(op, result);
      return success();
    }
    // One side is empty (size 1): the whole tensor is one row or column.
    SmallVector<OpFoldResult> inputDims = getDims(rewriter, loc, input);
    OpFoldResult count =
        resultType.hasStaticShape()
            ? rewriter.getIndexAttr(resultType.getNumElements())
            : OpFoldResult(productOf(rewriter, loc, inputDims));
    SmallVector<OpFoldResult> dims =
        axis == 0 ? SmallVector<OpFoldResult>{rewriter.getIndexAttr(1), count}
                  : SmallVector<OpFoldResult>{count, rewriter.getIndexAttr(1)};
    rewriter.replaceOp(op,
                       reshapeTensor(rewriter, loc, input, resultType, dims));
    return success();
  }
};

/// Checks that the static extents of `type` match the computed `dims` (a
/// refined result type promises them).
static void checkStaticDims(OpBuilder &b, Location loc, Operation *op,
                            RankedTensorType type, ArrayRef<Value> dims) {
  for (auto [i, d] : llvm::enumerate(type.getShape()))
    if (!ShapedType::isDynamic(d))
      checkEqual(b, loc, getAsOpFoldResult(dims[i]), b.getIndexAttr(d),
                 describeForCheck(op) + ": dimension " + Twine(i) +
                     " of the result is not " + Twine(d));
}

struct ShapeOfLowering : public OpConversionPattern<ShapeOfOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ShapeOfOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    SmallVector<Value> dims = dimValues(ib, adaptor.getInput());
    SmallVector<Value> elements;
    for (int64_t i = op.getStart(); i < (int64_t)op.getEnd(); ++i)
      elements.push_back(ib.fromIndex(dims[i], rewriter.getI64Type()));
    auto type = convertedType(getTypeConverter(), op.getType());
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, type, elements);
    return success();
  }
};

struct DynamicReshapeLowering : public OpConversionPattern<DynamicReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DynamicReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    SmallVector<Value> inputDims = dimValues(ib, input);
    SmallVector<Value> spec =
        indexEntries(ib, op.getShape(), adaptor.getShape());
    std::string what = describeForCheck(op);
    Value zero = ib.c(0), one = ib.c(1), minusOne = ib.c(-1);

    // Each entry: a size, -1 (inferred) or 0 (copy, or empty with
    // allowzero). The inferred extent is the element count divided by the
    // product of the others.
    SmallVector<Value> dims, inferred;
    Value known = one, inferredCount = zero;
    for (auto [i, s] : llvm::enumerate(spec)) {
      Value d = s;
      if (!op.getAllowzero()) {
        if (i < inputDims.size()) {
          d = ib.select(ib.eq(s, zero), inputDims[i], s);
        } else {
          checkHolds(rewriter, loc, ib.ne(s, zero),
                what + ": shape entry " + Twine(i) +
                    " is 0 (copy) but the input has no such dimension");
        }
      }
      Value isInferred = ib.eq(s, minusOne);
      checkHolds(rewriter, loc, ib.ge(s, minusOne),
            what + ": shape entry " + Twine(i) +
                " is negative; expected a size, 0 or -1");
      inferred.push_back(isInferred);
      known = ib.mul(known, ib.select(isInferred, one, d));
      inferredCount =
          ib.add(inferredCount, ib.select(isInferred, one, zero));
      dims.push_back(d);
    }
    checkHolds(rewriter, loc, ib.le(inferredCount, one),
          what + ": the shape has more than one -1");
    Value total = one;
    for (Value d : inputDims)
      total = ib.mul(total, d);
    // Divides by 1 when the other extents hold no elements, so that the
    // division cannot trap; the element-count check below fails instead.
    Value rest = ib.div(total, ib.max(known, one));
    for (auto [d, isInferred] : llvm::zip(dims, inferred))
      d = ib.select(isInferred, rest, d);
    Value count = one;
    for (Value d : dims)
      count = ib.mul(count, d);
    checkEqual(rewriter, loc, getAsOpFoldResult(count),
               getAsOpFoldResult(total),
               what + ": the input's element count does not fit the new "
                      "shape");
    checkStaticDims(rewriter, loc, op, resultType, dims);
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, input, resultType,
                                         foldResults(dims)));
    return success();
  }
};

/// Normalizes run-time axes into [0, rank), checking that each is in range.
static SmallVector<Value> normalizedAxes(IndexBuilder &ib, Operation *op,
                                         ArrayRef<Value> axes, int64_t rank) {
  SmallVector<Value> result;
  Value r = ib.c(rank);
  for (auto [k, a] : llvm::enumerate(axes)) {
    Value n = ib.wrapNegative(a, r);
    checkHolds(ib.builder(), ib.location(),
          ib.andI(ib.ge(n, ib.c(0)), ib.lt(n, r)),
          describeForCheck(op) + ": axis " + Twine(k) +
              " is out of range for rank " + Twine(rank));
    result.push_back(n);
  }
  return result;
}

/// For each of `rank` positions, whether one of `axes` names it; checks that
/// no position is named twice.
static SmallVector<Value> axisFlags(IndexBuilder &ib, Operation *op,
                                    ArrayRef<Value> axes, int64_t rank) {
  SmallVector<Value> flags;
  Value named = ib.c(0);
  for (int64_t i = 0; i < rank; ++i) {
    Value flag = ib.falseV();
    for (Value a : axes)
      flag = ib.orI(flag, ib.eq(a, ib.c(i)));
    flags.push_back(flag);
    named = ib.add(named, ib.select(flag, ib.c(1), ib.c(0)));
  }
  checkEqual(ib.builder(), ib.location(), getAsOpFoldResult(named),
             ib.builder().getIndexAttr(axes.size()),
             describeForCheck(op) + ": axes repeat a dimension");
  return flags;
}

struct SqueezeLowering : public OpConversionPattern<SqueezeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SqueezeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    int64_t rank = op.getInput().getType().getRank();
    SmallVector<Value> inputDims = dimValues(ib, input);
    SmallVector<Value> axes = normalizedAxes(
        ib, op, indexEntries(ib, op.getAxes(), adaptor.getAxes()), rank);
    SmallVector<Value> flags = axisFlags(ib, op, axes, rank);
    // Result dimension j is the j-th input dimension not removed; removed
    // ones must have extent 1.
    int64_t resultRank = resultType.getRank();
    SmallVector<Value> dims(resultRank, ib.c(0));
    Value position = ib.c(0);
    for (int64_t i = 0; i < rank; ++i) {
      checkHolds(rewriter, loc,
            ib.orI(ib.notI(flags[i]), ib.eq(inputDims[i], ib.c(1))),
            describeForCheck(op) + ": dimension " + Twine(i) +
                " is removed but its extent is not 1");
      Value kept = ib.notI(flags[i]);
      for (int64_t j = 0; j < resultRank; ++j)
        dims[j] = ib.select(ib.andI(kept, ib.eq(position, ib.c(j))),
                            inputDims[i], dims[j]);
      position = ib.add(position, ib.select(kept, ib.c(1), ib.c(0)));
    }
    checkStaticDims(rewriter, loc, op, resultType, dims);
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, input, resultType,
                                         foldResults(dims)));
    return success();
  }
};

struct UnsqueezeLowering : public OpConversionPattern<UnsqueezeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(UnsqueezeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    int64_t rank = resultType.getRank();
    SmallVector<Value> inputDims = dimValues(ib, input);
    SmallVector<Value> axes = normalizedAxes(
        ib, op, indexEntries(ib, op.getAxes(), adaptor.getAxes()), rank);
    SmallVector<Value> flags = axisFlags(ib, op, axes, rank);
    // Result dimension j is 1 where inserted, else the next input
    // dimension.
    SmallVector<Value> dims;
    Value next = ib.c(0);
    for (int64_t j = 0; j < rank; ++j) {
      Value d = ib.c(1);
      for (auto [i, inputDim] : llvm::enumerate(inputDims))
        d = ib.select(ib.andI(ib.notI(flags[j]), ib.eq(next, ib.c(i))),
                      inputDim, d);
      dims.push_back(d);
      next = ib.add(next, ib.select(flags[j], ib.c(0), ib.c(1)));
    }
    checkStaticDims(rewriter, loc, op, resultType, dims);
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, input, resultType,
                                         foldResults(dims)));
    return success();
  }
};

struct ExpandLowering : public OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    SmallVector<Value> inputDims = dimValues(ib, input);
    SmallVector<Value> target =
        indexEntries(ib, op.getShape(), adaptor.getShape());
    int64_t rank = resultType.getRank();
    int64_t inputOffset = rank - inputType.getRank();
    int64_t targetOffset = rank - (int64_t)target.size();
    SmallVector<Value> dims;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t xi = i - inputOffset, si = i - targetOffset;
      if (xi < 0) {
        dims.push_back(target[si]);
        continue;
      }
      if (si < 0) {
        dims.push_back(inputDims[xi]);
        continue;
      }
      // A static 1 in the input stretches to the target; anything else
      // (a dynamic extent does not broadcast) must meet a 1 or its equal.
      if (inputType.getDimSize(xi) == 1) {
        dims.push_back(target[si]);
        continue;
      }
      Value s = target[si], x = inputDims[xi];
      checkHolds(rewriter, loc, ib.orI(ib.eq(s, ib.c(1)), ib.eq(s, x)),
            describeForCheck(op) + ": dimension " + Twine(xi) +
                " of the input does not broadcast to the shape's entry " +
                Twine(si));
      dims.push_back(x);
    }
    checkStaticDims(rewriter, loc, op, resultType, dims);
    rewriter.replaceOp(
        op, broadcastTo(rewriter, loc, input, resultType, foldResults(dims)));
    return success();
  }
};

struct TileLowering : public OpConversionPattern<TileOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    SmallVector<Value> inputDims = dimValues(ib, input);
    SmallVector<Value> repeats =
        indexEntries(ib, op.getRepeats(), adaptor.getRepeats());
    SmallVector<Value> dims;
    for (auto [i, d] : llvm::enumerate(inputDims)) {
      checkHolds(rewriter, loc, ib.ge(repeats[i], ib.c(0)),
            describeForCheck(op) + ": repeat count " + Twine(i) +
                " is negative");
      dims.push_back(ib.mul(d, repeats[i]));
    }
    checkStaticDims(rewriter, loc, op, resultType, dims);
    // Element i reads the input at i mod extent (the extent is not 0 where
    // there are elements to compute).
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, foldResults(dims), {}, {},
        [&](OpBuilder &b, Location l, ValueRange indices, ValueRange) {
          IndexBuilder nested(b, l);
          SmallVector<Value> source;
          for (auto [i, index] : llvm::enumerate(indices))
            source.push_back(nested.rem(index, inputDims[i]));
          return tensor::ExtractOp::create(b, l, input, source).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PadLowering : public OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    int64_t rank = resultType.getRank();
    SmallVector<Value> inputDims = dimValues(ib, input);
    SmallVector<Value> pads = indexEntries(ib, op.getPads(), adaptor.getPads());
    ArrayRef<Value> lo = ArrayRef<Value>(pads).take_front(rank);
    ArrayRef<Value> hi = ArrayRef<Value>(pads).drop_front(rank);
    std::string what = describeForCheck(op);
    SmallVector<Value> dims;
    for (int64_t i = 0; i < rank; ++i) {
      Value d = ib.add(ib.add(inputDims[i], lo[i]), hi[i]);
      checkHolds(rewriter, loc, ib.ge(d, ib.c(0)),
            what + ": the pads of dimension " + Twine(i) +
                " remove more elements than it has");
      dims.push_back(d);
    }
    checkStaticDims(rewriter, loc, op, resultType, dims);
    StringRef mode = op.getMode();
    if (mode == "constant") {
      rewriter.replaceOp(op, padConstant(ib, op, input, inputDims, lo, hi,
                                         dims, resultType,
                                         adaptor.getValue()));
      return success();
    }
    // Edge and reflect read the input at a position computed from the
    // output's: clamped to the edge, or mirrored about it.
    bool reflect = mode == "reflect";
    for (int64_t i = 0; i < rank; ++i) {
      Value padded = ib.orI(ib.gt(lo[i], ib.c(0)), ib.gt(hi[i], ib.c(0)));
      Value ok = reflect ? ib.andI(ib.lt(lo[i], inputDims[i]),
                                   ib.lt(hi[i], inputDims[i]))
                         : ib.gt(inputDims[i], ib.c(0));
      checkHolds(rewriter, loc, ib.orI(ib.notI(padded), ok),
            what + ": " + mode + " padding of dimension " + Twine(i) +
                (reflect ? " must be smaller than its extent"
                         : " needs a non-empty dimension"));
    }
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, foldResults(dims), {}, {},
        [&](OpBuilder &b, Location l, ValueRange indices, ValueRange) {
          IndexBuilder nested(b, l);
          SmallVector<Value> source;
          for (int64_t i = 0; i < rank; ++i) {
            Value last = nested.sub(inputDims[i], nested.c(1));
            Value p = nested.sub(indices[i], lo[i]);
            if (reflect) {
              p = nested.select(nested.lt(p, nested.c(0)),
                                nested.sub(nested.c(0), p), p);
              p = nested.select(nested.gt(p, last),
                                nested.sub(nested.add(last, last), p), p);
            }
            source.push_back(nested.clamp(p, nested.c(0), last));
          }
          return tensor::ExtractOp::create(b, l, input, source).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  /// Constant padding: tensor.pad when no pad is negative, else a filled
  /// tensor with the kept part of the input inserted.
  static Value padConstant(IndexBuilder &ib, PadOp op, Value input,
                           ArrayRef<Value> inputDims, ArrayRef<Value> lo,
                           ArrayRef<Value> hi, ArrayRef<Value> dims,
                           RankedTensorType resultType, Value valueTensor) {
    OpBuilder &b = ib.builder();
    Location loc = ib.location();
    Value value = extractScalar(b, loc, valueTensor);
    auto nonNegative = [](Value v) {
      auto c = getConstantIntValue(v);
      return c && *c >= 0;
    };
    if (llvm::all_of(lo, nonNegative) && llvm::all_of(hi, nonNegative)) {
      Value padded =
          tensor::PadOp::create(b, loc, Type(), input, foldResults(lo),
                                foldResults(hi), value);
      if (padded.getType() != resultType)
        padded = tensor::CastOp::create(b, loc, resultType, padded);
      return padded;
    }
    // Negative pads crop: keep input[max(-lo, 0) .. extent - max(-hi, 0)]
    // and put it at max(lo, 0).
    SmallVector<Value> cropOffsets, cropSizes, offsets;
    for (auto [d, l, h] : llvm::zip(inputDims, lo, hi)) {
      Value cropBegin = ib.max(ib.sub(ib.c(0), l), ib.c(0));
      Value cropEnd = ib.max(ib.sub(ib.c(0), h), ib.c(0));
      cropOffsets.push_back(cropBegin);
      cropSizes.push_back(
          ib.max(ib.sub(ib.sub(d, cropBegin), cropEnd), ib.c(0)));
      offsets.push_back(ib.max(l, ib.c(0)));
    }
    int64_t rank = resultType.getRank();
    SmallVector<OpFoldResult> ones(rank, b.getIndexAttr(1));
    Value kept = tensor::ExtractSliceOp::create(
        b, loc, input, foldResults(cropOffsets), foldResults(cropSizes), ones);
    Value filled = createFilled(b, loc, resultType, foldResults(dims), value);
    return tensor::InsertSliceOp::create(b, loc, kept, filled,
                                         foldResults(offsets),
                                         foldResults(cropSizes), ones);
  }
};

struct ConstantOfShapeLowering
    : public OpConversionPattern<ConstantOfShapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOfShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    SmallVector<Value> dims =
        indexEntries(ib, op.getShape(), adaptor.getShape());
    for (auto [i, d] : llvm::enumerate(dims))
      checkHolds(rewriter, loc, ib.ge(d, ib.c(0)),
            describeForCheck(op) + ": shape entry " + Twine(i) +
                " is negative");
    checkStaticDims(rewriter, loc, op, resultType, dims);
    // The same bits in the signless element type.
    Type elementType = resultType.getElementType();
    TypedAttr value;
    if (auto intAttr = dyn_cast<IntegerAttr>(op.getValue()))
      value = rewriter.getIntegerAttr(elementType, intAttr.getValue());
    else
      value = cast<FloatAttr>(op.getValue());
    Value scalar = arith::ConstantOp::create(rewriter, loc, value);
    rewriter.replaceOp(op, createFilled(rewriter, loc, resultType,
                                        foldResults(dims), scalar));
    return success();
  }
};

struct RangeLowering : public OpConversionPattern<RangeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RangeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Type elementType = resultType.getElementType();
    bool isUnsigned = isUnsignedInteger(op.getType());
    Value start = extractScalar(rewriter, loc, adaptor.getStart());
    Value limit = extractScalar(rewriter, loc, adaptor.getLimit());
    Value delta = extractScalar(rewriter, loc, adaptor.getDelta());
    // max(ceil((limit - start) / delta), 0) elements.
    Value count;
    if (isa<FloatType>(elementType)) {
      Value zero = scalarConstant(rewriter, loc, elementType, 0);
      checkHolds(rewriter, loc,
            arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::ONE,
                                  delta, zero),
            describeForCheck(op) + ": delta is 0");
      Value steps = math::CeilOp::create(
          rewriter, loc,
          arith::DivFOp::create(
              rewriter, loc,
              arith::SubFOp::create(rewriter, loc, limit, start), delta));
      Value n = arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(),
                                        steps);
      count = ib.max(ib.toIndex(n), ib.c(0));
    } else {
      Value zero = scalarConstant(rewriter, loc, elementType, 0);
      checkHolds(rewriter, loc,
            arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::ne,
                                  delta, zero),
            describeForCheck(op) + ": delta is 0");
      Value span = arith::SubIOp::create(rewriter, loc, limit, start);
      Value n = isUnsigned
                    ? arith::CeilDivUIOp::create(rewriter, loc, span, delta)
                          .getResult()
                    : arith::CeilDivSIOp::create(rewriter, loc, span, delta)
                          .getResult();
      if (isUnsigned) {
        Value empty = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::ule, limit, start);
        n = arith::SelectOp::create(rewriter, loc, empty, zero, n);
      }
      count = ib.max(ib.toIndex(n, isUnsigned), ib.c(0));
    }
    SmallVector<Value> dims = {count};
    checkStaticDims(rewriter, loc, op, resultType, dims);
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, foldResults(dims), {}, {},
        [&](OpBuilder &b, Location l, ValueRange indices, ValueRange) {
          if (isa<FloatType>(elementType)) {
            Value i = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                                 indices[0]);
            Value f = arith::SIToFPOp::create(b, l, elementType, i);
            return arith::AddFOp::create(
                       b, l, start, arith::MulFOp::create(b, l, f, delta))
                .getResult();
          }
          Value i = arith::IndexCastOp::create(b, l, elementType, indices[0]);
          return arith::AddIOp::create(b, l, start,
                                       arith::MulIOp::create(b, l, i, delta))
              .getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::kiln::populateShapeToLinalgPatterns(const TypeConverter &converter,
                                               RewritePatternSet &patterns) {
  patterns.add<TransposeLowering, ReshapeLowering, FlattenLowering,
               ShapeOfLowering, DynamicReshapeLowering, SqueezeLowering,
               UnsqueezeLowering, ExpandLowering, TileLowering, PadLowering,
               ConstantOfShapeLowering, RangeLowering>(converter,
                                                       patterns.getContext());
}
