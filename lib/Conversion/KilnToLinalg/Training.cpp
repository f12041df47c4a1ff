//===- Training.cpp - kiln training ops to linalg -------------------------===//
//
// full_like is a fill; unbroadcast a linalg.reduce over the stretched
// dimensions, reshaped to the operand's shape; each optimizer update one
// linalg.generic computing the new parameter and state together.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct FullLikeLowering : public OpConversionPattern<FullLikeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(FullLikeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = convertedType(getTypeConverter(), op.getType());
    Value value = scalarConstant(rewriter, loc, type.getElementType(),
                                 op.getValue().convertToDouble());
    rewriter.replaceOp(op,
                       createFilled(rewriter, loc, type,
                                    getDims(rewriter, loc, adaptor.getLike()),
                                    value));
    return success();
  }
};

struct UnbroadcastLowering : public OpConversionPattern<UnbroadcastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(UnbroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t lead = inputType.getRank() - resultType.getRank();
    // Summed: the leading dims `like` lacks, and its static 1s that were
    // stretched. Kept: the rest, in order.
    SmallVector<int64_t> summed, keptShape;
    SmallVector<OpFoldResult> keptDims;
    SmallVector<OpFoldResult> inputDims = getDims(rewriter, loc, input);
    for (int64_t i = 0; i < inputType.getRank(); ++i) {
      bool stretched = i < lead || (resultType.getDimSize(i - lead) == 1 &&
                                    inputType.getDimSize(i) != 1);
      if (stretched) {
        summed.push_back(i);
      } else {
        keptShape.push_back(inputType.getDimSize(i));
        keptDims.push_back(inputDims[i]);
      }
    }
    if (summed.empty()) {
      rewriter.replaceOp(op, input.getType() == resultType
                                 ? input
                                 : tensor::CastOp::create(rewriter, loc,
                                                          resultType, input)
                                       .getResult());
      return success();
    }
    Type elementType = resultType.getElementType();
    auto keptType = RankedTensorType::get(keptShape, elementType);
    Value zero = scalarConstant(rewriter, loc, elementType, 0);
    Value init = createFilled(rewriter, loc, keptType, keptDims, zero);
    bool isFloat = isa<FloatType>(elementType);
    Value sum =
        linalg::ReduceOp::create(
            rewriter, loc, ValueRange{input}, ValueRange{init}, summed,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value r =
                  isFloat ? (Value)arith::AddFOp::create(b, l, args[0], args[1])
                          : (Value)arith::AddIOp::create(b, l, args[0], args[1]);
              linalg::YieldOp::create(b, l, r);
            })
            .getResult(0);
    // Put back the unit dims of `like` that were summed away.
    SmallVector<OpFoldResult> resultDims;
    for (int64_t i = 0, kept = 0; i < resultType.getRank(); ++i) {
      bool stretched = resultType.getDimSize(i) == 1 &&
                       inputType.getDimSize(i + lead) != 1;
      resultDims.push_back(stretched ? rewriter.getIndexAttr(1)
                                     : keptDims[kept++]);
    }
    rewriter.replaceOp(op,
                       reshapeTensor(rewriter, loc, sum, resultType, resultDims));
    return success();
  }
};

/// Scalar arithmetic for the update bodies.
struct Scalar {
  OpBuilder &b;
  Location loc;
  Type type;
  Value c(double v) { return scalarConstant(b, loc, type, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value sqrt(Value x) { return math::SqrtOp::create(b, loc, x); }
  /// x + k y
  Value axpy(Value x, double k, Value y) { return add(x, mul(c(k), y)); }
};

/// One elementwise generic over `inputs` (all of `type`) producing
/// `numResults` tensors of `type`.
SmallVector<Value>
updateGeneric(OpBuilder &b, Location loc, RankedTensorType type,
              ValueRange inputs, unsigned numResults,
              function_ref<SmallVector<Value>(Scalar &, ValueRange)> body) {
  SmallVector<OpFoldResult> dims = getDims(b, loc, inputs[0]);
  SmallVector<Value> inits;
  for (unsigned i = 0; i < numResults; ++i)
    inits.push_back(createEmpty(b, loc, type, dims));
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps(inputs.size() + numResults,
                              b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, SmallVector<Type>(numResults, type), inputs, inits, maps,
      iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Scalar s{nb, nl, type.getElementType()};
        linalg::YieldOp::create(nb, nl,
                                body(s, args.take_front(inputs.size())));
      });
  return SmallVector<Value>(generic.getResults());
}

double f(APFloat v) { return v.convertToDouble(); }

struct SGDLowering : public OpConversionPattern<SGDUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SGDUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double lr = f(op.getLr()), wd = f(op.getWeightDecay());
    auto results = updateGeneric(
        rewriter, op.getLoc(), convertedType(getTypeConverter(), op.getType()),
        {adaptor.getParam(), adaptor.getGrad()}, 1,
        [&](Scalar &s, ValueRange x) -> SmallVector<Value> {
          Value g = wd ? s.axpy(x[1], wd, x[0]) : x[1];
          return {s.axpy(x[0], -lr, g)};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct MomentumLowering : public OpConversionPattern<MomentumUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MomentumUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double lr = f(op.getLr()), mu = f(op.getMomentum()),
           wd = f(op.getWeightDecay());
    bool nesterov = op.getNesterov();
    auto results = updateGeneric(
        rewriter, op.getLoc(),
        convertedType(getTypeConverter(), op.getNewParam().getType()),
        {adaptor.getParam(), adaptor.getGrad(), adaptor.getVelocity()}, 2,
        [&](Scalar &s, ValueRange x) -> SmallVector<Value> {
          Value g = wd ? s.axpy(x[1], wd, x[0]) : x[1];
          Value v = s.axpy(g, mu, x[2]);
          Value step = nesterov ? s.axpy(g, mu, v) : v;
          return {s.axpy(x[0], -lr, step), v};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct AdamLowering : public OpConversionPattern<AdamUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AdamUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = convertedType(getTypeConverter(), op.getNewParam().getType());
    double lr = f(op.getLr()), b1 = f(op.getBeta1()), b2 = f(op.getBeta2()),
           eps = f(op.getEpsilon()), wd = f(op.getWeightDecay());
    bool decoupled = op.getDecoupled();
    // The bias corrections depend on the step only: 1 / (1 - beta^t).
    Scalar outside{rewriter, loc, type.getElementType()};
    Value t = tensor::ExtractOp::create(rewriter, loc, adaptor.getStep(),
                                        ValueRange{});
    if (t.getType() != type.getElementType())
      t = arith::TruncFOp::create(rewriter, loc, type.getElementType(), t);
    auto correction = [&](double beta) {
      Value power = math::PowFOp::create(rewriter, loc, outside.c(beta), t);
      return outside.div(outside.c(1.0), outside.sub(outside.c(1.0), power));
    };
    Value c1 = correction(b1), c2 = correction(b2);
    auto results = updateGeneric(
        rewriter, loc, type,
        {adaptor.getParam(), adaptor.getGrad(), adaptor.getM(),
         adaptor.getV()},
        3, [&](Scalar &s, ValueRange x) -> SmallVector<Value> {
          Value p = x[0];
          Value g = wd && !decoupled ? s.axpy(x[1], wd, p) : x[1];
          Value m = s.add(s.mul(s.c(b1), x[2]), s.mul(s.c(1 - b1), g));
          Value v = s.add(s.mul(s.c(b2), x[3]), s.mul(s.c(1 - b2), s.mul(g, g)));
          Value update = s.div(s.mul(m, c1), s.add(s.sqrt(s.mul(v, c2)),
                                                   s.c(eps)));
          Value next = s.axpy(p, -lr, update);
          if (decoupled && wd)
            next = s.axpy(next, -lr * wd, p);
          return {next, m, v};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct RMSPropLowering : public OpConversionPattern<RMSPropUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RMSPropUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double lr = f(op.getLr()), alpha = f(op.getAlpha()),
           eps = f(op.getEpsilon()), wd = f(op.getWeightDecay());
    auto results = updateGeneric(
        rewriter, op.getLoc(),
        convertedType(getTypeConverter(), op.getNewParam().getType()),
        {adaptor.getParam(), adaptor.getGrad(), adaptor.getSquareAvg()}, 2,
        [&](Scalar &s, ValueRange x) -> SmallVector<Value> {
          Value g = wd ? s.axpy(x[1], wd, x[0]) : x[1];
          Value sq = s.add(s.mul(s.c(alpha), x[2]),
                           s.mul(s.c(1 - alpha), s.mul(g, g)));
          Value step = s.div(g, s.add(s.sqrt(sq), s.c(eps)));
          return {s.axpy(x[0], -lr, step), sq};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct AdagradLowering : public OpConversionPattern<AdagradUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AdagradUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double lr = f(op.getLr()), eps = f(op.getEpsilon()),
           wd = f(op.getWeightDecay());
    auto results = updateGeneric(
        rewriter, op.getLoc(),
        convertedType(getTypeConverter(), op.getNewParam().getType()),
        {adaptor.getParam(), adaptor.getGrad(), adaptor.getSum()}, 2,
        [&](Scalar &s, ValueRange x) -> SmallVector<Value> {
          Value g = wd ? s.axpy(x[1], wd, x[0]) : x[1];
          Value sum = s.add(x[2], s.mul(g, g));
          Value step = s.div(g, s.add(s.sqrt(sum), s.c(eps)));
          return {s.axpy(x[0], -lr, step), sum};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::kiln::populateTrainingToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<FullLikeLowering, UnbroadcastLowering, SGDLowering,
               MomentumLowering, AdamLowering, RMSPropLowering,
               AdagradLowering>(converter, patterns.getContext());
}
