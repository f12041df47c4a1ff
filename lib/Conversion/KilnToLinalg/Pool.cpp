//===- Pool.cpp - kiln pooling ops to linalg pooling ----------------------===//
//
// Max and average pooling over NCHW windows. Explicit padding and the
// ceil_mode overhang become a tensor.pad (with -inf for max, 0 for average);
// the average divides each window sum by the number of elements the window
// counts, computed from the output position. Unsigned max pooling, which no
// named NCHW linalg op does, and max pooling with indices are
// linalg.generics over the same windows.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The extra end padding ceil_mode needs so that the last window fits, along
/// each spatial dim: a constant where the input size is static, else computed
/// at run time from the same rule as windowOutputSize.
template <typename OpTy>
SmallVector<OpFoldResult> ceilOverhang(OpBuilder &b, Location loc, OpTy op,
                                       Value input) {
  SmallVector<OpFoldResult> extra(2, b.getIndexAttr(0));
  if (!op.getCeilMode())
    return extra;
  auto inputType = op.getInput().getType();
  for (int i = 0; i < 2; ++i) {
    int64_t stride = op.getStrides()[i];
    int64_t padBegin = op.getPads()[i], padEnd = op.getPads()[2 + i];
    int64_t span = op.getDilations()[i] * (op.getKernelShape()[i] - 1) + 1;
    int64_t size = inputType.getDimSize(2 + i);
    if (!ShapedType::isDynamic(size)) {
      int64_t out = windowOutputSize(size, op.getKernelShape()[i], stride,
                                     padBegin, padEnd, op.getDilations()[i],
                                     /*ceilMode=*/true);
      int64_t needed = (out - 1) * stride + span;
      int64_t have = size + padBegin + padEnd;
      extra[i] = b.getIndexAttr(std::max<int64_t>(0, needed - have));
      continue;
    }
    // The last window starts at ceil(room / stride) * stride, or one stride
    // earlier when that start lies in the end padding.
    auto c = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    Value dynSize = tensor::DimOp::create(b, loc, input, 2 + i);
    AffineExpr s0 = b.getAffineSymbolExpr(0);
    Value last = affine::makeComposedAffineApply(
        b, loc,
        AffineMap::get(
            0, 1, (s0 + padBegin + padEnd - span).ceilDiv(stride) * stride),
        {OpFoldResult(dynSize)});
    Value inPadding = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::sge, last,
        arith::AddIOp::create(b, loc, dynSize, c(padBegin)));
    last = arith::SelectOp::create(
        b, loc, inPadding, arith::SubIOp::create(b, loc, last, c(stride)),
        last);
    // extra = max(0, last + span - (size + padBegin + padEnd))
    Value have = arith::AddIOp::create(b, loc, dynSize, c(padBegin + padEnd));
    Value needed = arith::AddIOp::create(b, loc, last, c(span));
    extra[i] = arith::MaxSIOp::create(
                   b, loc, arith::SubIOp::create(b, loc, needed, have), c(0))
                   .getResult();
  }
  return extra;
}

/// Pads the input and computes the output sizes shared by both pools.
template <typename OpTy>
std::pair<Value, SmallVector<OpFoldResult>>
preparePool(OpTy op, Value input, RankedTensorType resultType, Value padValue,
            ConversionPatternRewriter &rewriter) {
  Location loc = op.getLoc();
  for (int i = 0; i < 2; ++i)
    checkWindowFits(rewriter, loc, op, input, 2 + i, op.getPads()[i],
                    op.getPads()[2 + i], op.getKernelShape()[i],
                    op.getDilations()[i]);
  SmallVector<OpFoldResult> extra = ceilOverhang(rewriter, loc, op, input);
  Value padded =
      padSpatial(rewriter, loc, input, op.getPads(), extra, padValue);
  SmallVector<OpFoldResult> dims{tensor::getMixedSize(rewriter, loc, padded, 0),
                                 tensor::getMixedSize(rewriter, loc, padded, 1)};
  for (int i = 0; i < 2; ++i)
    dims.push_back(windowOutputDim(rewriter, loc, padded, 2 + i,
                                   op.getKernelShape()[i], op.getStrides()[i],
                                   op.getDilations()[i],
                                   resultType.getDimSize(2 + i)));
  return std::make_pair(padded, dims);
}

Value windowTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> kernel,
                   Type elementType) {
  return tensor::EmptyOp::create(b, loc, kernel, elementType);
}

/// A linalg.generic over (n, c, oh, ow, kh, kw) reading the padded input at
/// (n, c, oh * sh + kh * dh, ow * sw + kw * dw) and the window tensor at
/// (kh, kw) (which only gives the loops their extents), reducing into
/// `inits` at (n, c, oh, ow).
template <typename OpTy>
linalg::GenericOp
windowGeneric(OpBuilder &b, Location loc, OpTy op, Value padded, Value window,
              ValueRange inits,
              function_ref<void(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> in{d(0), d(1)};
  for (int i = 0; i < 2; ++i)
    in.push_back(d(2 + i) * op.getStrides()[i] +
                 d(4 + i) * op.getDilations()[i]);
  SmallVector<AffineMap> maps{AffineMap::get(6, 0, in, ctx),
                              AffineMap::get(6, 0, {d(4), d(5)}, ctx)};
  for (size_t i = 0; i < inits.size(); ++i)
    maps.push_back(AffineMap::get(6, 0, {d(0), d(1), d(2), d(3)}, ctx));
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators.append(2, utils::IteratorType::reduction);
  return linalg::GenericOp::create(b, loc, inits.getTypes(),
                                   ValueRange{padded, window}, inits, maps,
                                   iterators, body);
}

struct MaxPool2DLowering : public OpConversionPattern<MaxPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Type elementType = resultType.getElementType();
    bool isUnsigned = isUnsignedInteger(op.getInput().getType());
    Value lowest = lowestValue(rewriter, loc, elementType, isUnsigned);
    auto [padded, dims] =
        preparePool(op, adaptor.getInput(), resultType, lowest, rewriter);
    Value init = createFilled(rewriter, loc, resultType, dims, lowest);
    Value window =
        windowTensor(rewriter, loc, op.getKernelShape(), elementType);
    Value result;
    if (isUnsigned) {
      result = windowGeneric(
                   rewriter, loc, op, padded, window, ValueRange{init},
                   [](OpBuilder &b, Location l, ValueRange args) {
                     linalg::YieldOp::create(
                         b, l,
                         ValueRange{arith::MaxUIOp::create(b, l, args[0],
                                                           args[2])});
                   })
                   .getResult(0);
    } else {
      result = linalg::PoolingNchwMaxOp::create(
                   rewriter, loc, TypeRange{resultType},
                   ValueRange{padded, window}, ValueRange{init},
                   rewriter.getI64TensorAttr(op.getStrides()),
                   rewriter.getI64TensorAttr(op.getDilations()))
                   .getResult(0);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Max pooling that also tracks the flat input index of each maximum: a
/// generic over (n, c, oh, ow, kh, kw) with two accumulators. Indices start
/// at -1 so that the first tap inside the input always wins, even when its
/// value is the lowest one.
struct MaxPool2DWithIndicesLowering
    : public OpConversionPattern<MaxPool2DWithIndicesOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPool2DWithIndicesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto valuesType = convertedType(getTypeConverter(), op.getValues().getType());
    auto indicesType =
        convertedType(getTypeConverter(), op.getIndices().getType());
    Type elementType = valuesType.getElementType();
    bool isUnsigned = isUnsignedInteger(op.getInput().getType());
    Value lowest = lowestValue(rewriter, loc, elementType, isUnsigned);
    auto [padded, dims] =
        preparePool(op, adaptor.getInput(), valuesType, lowest, rewriter);
    Value initValues = createFilled(rewriter, loc, valuesType, dims, lowest);
    Value initIndices = createFilled(
        rewriter, loc, indicesType, dims,
        arith::ConstantOp::create(rewriter, loc,
                                  rewriter.getI64IntegerAttr(-1)));
    Value window =
        windowTensor(rewriter, loc, op.getKernelShape(), elementType);
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < 4; ++d)
      sizes.push_back(getValueOrCreateConstantIndexOp(
          rewriter, loc,
          tensor::getMixedSize(rewriter, loc, adaptor.getInput(), d)));
    auto generic = windowGeneric(
        rewriter, loc, op, padded, window, ValueRange{initValues, initIndices},
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto c = [&](int64_t v) {
            return arith::ConstantIndexOp::create(b, l, v);
          };
          auto index = [&](int64_t d) { return linalg::IndexOp::create(b, l, d); };
          // The tap's position in the unpadded input.
          SmallVector<Value> pos;
          Value valid = arith::ConstantIntOp::create(b, l, 1, 1);
          for (int i = 0; i < 2; ++i) {
            Value p = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, index(2 + i),
                                            c(op.getStrides()[i])),
                arith::MulIOp::create(b, l, index(4 + i),
                                      c(op.getDilations()[i])));
            p = arith::SubIOp::create(b, l, p, c(op.getPads()[i]));
            Value inside = arith::AndIOp::create(
                b, l,
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, p,
                                      c(0)),
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, p,
                                      sizes[2 + i]));
            valid = arith::AndIOp::create(b, l, valid, inside);
            pos.push_back(p);
          }
          Value plane = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, index(0), sizes[1]), index(1));
          Value flat;
          if (op.getColumnMajor())
            flat = arith::AddIOp::create(
                b, l,
                arith::MulIOp::create(
                    b, l,
                    arith::AddIOp::create(
                        b, l, arith::MulIOp::create(b, l, plane, sizes[3]),
                        pos[1]),
                    sizes[2]),
                pos[0]);
          else
            flat = arith::AddIOp::create(
                b, l,
                arith::MulIOp::create(
                    b, l,
                    arith::AddIOp::create(
                        b, l, arith::MulIOp::create(b, l, plane, sizes[2]),
                        pos[0]),
                    sizes[3]),
                pos[1]);
          Value flat64 = arith::IndexCastOp::create(b, l, b.getI64Type(), flat);
          Value value = args[0], best = args[2], bestIndex = args[3];
          Value greater;
          if (isa<FloatType>(elementType))
            greater = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                            value, best);
          else
            greater = arith::CmpIOp::create(
                b, l,
                isUnsigned ? arith::CmpIPredicate::ugt
                           : arith::CmpIPredicate::sgt,
                value, best);
          Value first = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::slt, bestIndex,
              arith::ConstantOp::create(b, l, b.getI64IntegerAttr(0)));
          Value take = arith::AndIOp::create(
              b, l, valid, arith::OrIOp::create(b, l, greater, first));
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, take, value, best),
                         arith::SelectOp::create(b, l, take, flat64,
                                                 bestIndex)});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct AvgPool2DLowering : public OpConversionPattern<AvgPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AvgPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Type elementType = resultType.getElementType();
    Value zero = scalarConstant(rewriter, loc, elementType, 0);
    auto [padded, dims] =
        preparePool(op, adaptor.getInput(), resultType, zero, rewriter);
    Value init = createFilled(rewriter, loc, resultType, dims, zero);
    Value window =
        windowTensor(rewriter, loc, op.getKernelShape(), elementType);
    Value sums = linalg::PoolingNchwSumOp::create(
                     rewriter, loc, TypeRange{resultType},
                     ValueRange{padded, window}, ValueRange{init},
                     rewriter.getI64TensorAttr(op.getStrides()),
                     rewriter.getI64TensorAttr(op.getDilations()))
                     .getResult(0);

    // The range of padded coordinates a window may count along each dim.
    SmallVector<Value> lo, hi;
    for (int i = 0; i < 2; ++i) {
      int64_t padBegin = op.getPads()[i], padEnd = op.getPads()[2 + i];
      Value size = getValueOrCreateConstantIndexOp(
          rewriter, loc,
          tensor::getMixedSize(rewriter, loc, adaptor.getInput(), 2 + i));
      Value begin = arith::ConstantIndexOp::create(rewriter, loc, padBegin);
      Value end = arith::AddIOp::create(rewriter, loc, size, begin);
      if (op.getCountIncludePad()) {
        lo.push_back(arith::ConstantIndexOp::create(rewriter, loc, 0));
        hi.push_back(arith::AddIOp::create(
            rewriter, loc, end,
            arith::ConstantIndexOp::create(rewriter, loc, padEnd)));
      } else {
        lo.push_back(begin);
        hi.push_back(end);
      }
    }

    Value result = buildElementwise(
        rewriter, loc, resultType, sums,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value count = arith::ConstantIndexOp::create(b, l, 1);
          for (int i = 0; i < 2; ++i) {
            Value position = linalg::IndexOp::create(b, l, 2 + i);
            count = arith::MulIOp::create(
                b, l, count,
                windowCount(b, l, position, op.getStrides()[i],
                            op.getKernelShape()[i], op.getDilations()[i], lo[i],
                            hi[i]));
          }
          Value asInt =
              arith::IndexCastOp::create(b, l, b.getI64Type(), count);
          Value divisor = arith::SIToFPOp::create(b, l, elementType, asInt);
          return arith::DivFOp::create(b, l, args[0], divisor);
        },
        dims);
    rewriter.replaceOp(op, result);
    return success();
  }

  /// How many of the taps `out * stride + k * dilation` (k < kernel) fall in
  /// [lo, hi).
  static Value windowCount(OpBuilder &b, Location loc, Value out,
                           int64_t stride, int64_t kernel, int64_t dilation,
                           Value lo, Value hi) {
    auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
    Value start = arith::MulIOp::create(b, loc, out, c(stride));
    Value first = arith::CeilDivSIOp::create(
        b, loc, arith::SubIOp::create(b, loc, lo, start), c(dilation));
    first = arith::MaxSIOp::create(b, loc, first, c(0));
    Value last = arith::FloorDivSIOp::create(
        b, loc,
        arith::SubIOp::create(b, loc, arith::SubIOp::create(b, loc, hi, c(1)),
                              start),
        c(dilation));
    last = arith::MinSIOp::create(b, loc, last, c(kernel - 1));
    Value count = arith::AddIOp::create(
        b, loc, arith::SubIOp::create(b, loc, last, first), c(1));
    return arith::MaxSIOp::create(b, loc, count, c(0));
  }
};

} // namespace

void mlir::kiln::populatePoolToLinalgPatterns(const TypeConverter &converter,
                                              RewritePatternSet &patterns) {
  patterns.add<MaxPool2DLowering, MaxPool2DWithIndicesLowering,
               AvgPool2DLowering>(converter, patterns.getContext());
}
