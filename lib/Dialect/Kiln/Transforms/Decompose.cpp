//===- Decompose.cpp - Composite kiln ops as primitive ones ---------------===//
//
// Each composite op is rewritten once, into the primitives that define it,
// in a numerically stable form (log-sum-exp with the maximum subtracted,
// binary cross-entropy on logits without overflow).
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Dialect/Kiln/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "kiln-decompose"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNDECOMPOSE
#include "kiln/Dialect/Kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Builds kiln ops with inferred types at one location.
struct Build {
  PatternRewriter &b;
  Location loc;

  template <typename OpTy, typename... Args> Value make(Args &&...args) {
    return OpTy::create(b, loc, std::forward<Args>(args)...)->getResult(0);
  }
  Value scalar(Value like, double value) {
    auto type = RankedTensorType::get({}, getElementTypeOrSelf(like.getType()));
    return ConstantOp::create(
        b, loc,
        cast<ElementsAttr>(DenseElementsAttr::get(
            type, b.getFloatAttr(type.getElementType(), value))));
  }
  SmallVector<int64_t> allAxes(Value v) {
    SmallVector<int64_t> axes;
    for (int64_t i = 0; i < cast<RankedTensorType>(v.getType()).getRank(); ++i)
      axes.push_back(i);
    return axes;
  }
  Value meanAll(Value v) {
    return make<ReduceMeanOp>(v, allAxes(v), /*keepdims=*/false);
  }
  Value sumAll(Value v) {
    return make<ReduceSumOp>(v, allAxes(v), /*keepdims=*/false);
  }
  /// log_softmax along `axis`: (x - max) - log(sum(exp(x - max))).
  Value logSoftmax(Value x, int64_t axis) {
    Value max = make<ReduceMaxOp>(x, ArrayRef<int64_t>{axis}, true);
    Value shifted = make<SubOp>(x, max);
    Value total = make<ReduceSumOp>(make<ExpOp>(shifted),
                                    ArrayRef<int64_t>{axis}, true);
    return make<SubOp>(shifted, make<LogOp>(total));
  }
};

template <typename OpTy>
struct DecomposePattern : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Build b{rewriter, op.getLoc()};
    Value result = expand(op, b);
    if (result.getType() != op.getType())
      return rewriter.notifyMatchFailure(op, "expansion has another type");
    rewriter.replaceOp(op, result);
    return success();
  }
  static Value expand(OpTy op, Build &b);
};

template <>
Value DecomposePattern<MSELossOp>::expand(MSELossOp op, Build &b) {
  Value d = b.make<SubOp>(op.getPrediction(), op.getTarget());
  return b.meanAll(b.make<MulOp>(d, d));
}

template <>
Value DecomposePattern<MAELossOp>::expand(MAELossOp op, Build &b) {
  return b.meanAll(
      b.make<AbsOp>(b.make<SubOp>(op.getPrediction(), op.getTarget())));
}

template <>
Value DecomposePattern<HuberLossOp>::expand(HuberLossOp op, Build &b) {
  double delta = op.getDelta().convertToDouble();
  Value d = b.make<SubOp>(op.getPrediction(), op.getTarget());
  Value a = b.make<AbsOp>(d);
  Value quadratic = b.make<MulOp>(b.make<MulOp>(d, d), b.scalar(d, 0.5));
  Value linear = b.make<MulOp>(b.make<SubOp>(a, b.scalar(d, 0.5 * delta)),
                               b.scalar(d, delta));
  Value small = b.make<LessEqualOp>(a, b.scalar(d, delta));
  return b.meanAll(b.make<SelectOp>(small, quadratic, linear));
}

// max(x, 0) - x t + log(1 + exp(-|x|))
template <>
Value DecomposePattern<BCEWithLogitsLossOp>::expand(BCEWithLogitsLossOp op,
                                                    Build &b) {
  Value x = op.getPrediction(), t = op.getTarget();
  Value softplus = b.make<LogOp>(b.make<AddOp>(
      b.scalar(x, 1.0), b.make<ExpOp>(b.make<NegOp>(b.make<AbsOp>(x)))));
  Value perElement =
      b.make<AddOp>(b.make<SubOp>(b.make<ReluOp>(x), b.make<MulOp>(x, t)),
                    softplus);
  return b.meanAll(perElement);
}

template <>
Value DecomposePattern<CrossEntropyLossOp>::expand(CrossEntropyLossOp op,
                                                   Build &b) {
  Value logProbs = b.logSoftmax(op.getLogits(), 1);
  Value labels = op.getLabels();
  Value perSample; // N x 1 or N: the log-probability of the label
  if (isa<IntegerType>(getElementTypeOrSelf(labels.getType()))) {
    Value column = b.make<ReshapeOp>(labels, ArrayRef<int64_t>{-1, 1});
    perSample = b.make<GatherElementsOp>(logProbs, column, (int64_t)1);
  } else {
    perSample = b.make<ReduceSumOp>(b.make<MulOp>(labels, logProbs),
                                    ArrayRef<int64_t>{1}, false);
  }
  return b.make<NegOp>(b.meanAll(perSample));
}

template <>
Value DecomposePattern<L1PenaltyOp>::expand(L1PenaltyOp op, Build &b) {
  Value x = op.getInput();
  return b.make<MulOp>(b.sumAll(b.make<AbsOp>(x)),
                       b.scalar(x, op.getWeight().convertToDouble()));
}

template <>
Value DecomposePattern<L2PenaltyOp>::expand(L2PenaltyOp op, Build &b) {
  Value x = op.getInput();
  return b.make<MulOp>(b.sumAll(b.make<MulOp>(x, x)),
                       b.scalar(x, op.getWeight().convertToDouble()));
}

struct KilnDecomposePass
    : public kiln::impl::KilnDecomposeBase<KilnDecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposePattern<MSELossOp>, DecomposePattern<MAELossOp>,
                 DecomposePattern<HuberLossOp>,
                 DecomposePattern<BCEWithLogitsLossOp>,
                 DecomposePattern<CrossEntropyLossOp>,
                 DecomposePattern<L1PenaltyOp>, DecomposePattern<L2PenaltyOp>>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
