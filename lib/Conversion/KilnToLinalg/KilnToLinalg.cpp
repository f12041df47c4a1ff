//===- KilnToLinalg.cpp - The convert-kiln-to-linalg pass -----------------===//
//
// Gathers the per-family patterns and runs them as a dialect conversion:
// after it no kiln op is left, and function signatures use signless integer
// types.
//
//===----------------------------------------------------------------------===//

#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Transforms/DialectConversion.h"

#define DEBUG_TYPE "convert-kiln-to-linalg"

namespace mlir::kiln {
#define GEN_PASS_DEF_CONVERTKILNTOLINALG
#include "kiln/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

KilnTypeConverter::KilnTypeConverter() {
  addConversion([](Type type) { return type; });
  addConversion([](IntegerType type) -> Type {
    if (type.isSignless())
      return type;
    return IntegerType::get(type.getContext(), type.getWidth());
  });
  addConversion([this](RankedTensorType type) -> Type {
    Type element = convertType(type.getElementType());
    return RankedTensorType::get(type.getShape(), element, type.getEncoding());
  });
  // Signed and signless values share bits: a cast between the two is a
  // no-op that reconcile-unrealized-casts removes.
  auto materialize = [](OpBuilder &b, Type type, ValueRange inputs,
                        Location loc) -> Value {
    return UnrealizedConversionCastOp::create(b, loc, type, inputs)
        .getResult(0);
  };
  addSourceMaterialization(materialize);
  addTargetMaterialization(materialize);
}

void mlir::kiln::populateKilnToLinalgPatterns(const TypeConverter &converter,
                                              RewritePatternSet &patterns) {
  populateElementwiseToLinalgPatterns(converter, patterns);
  populateIndexingToLinalgPatterns(converter, patterns);
  populateMatmulToLinalgPatterns(converter, patterns);
  populateNormalizationToLinalgPatterns(converter, patterns);
  populateConvToLinalgPatterns(converter, patterns);
  populatePoolToLinalgPatterns(converter, patterns);
  populateReduceToLinalgPatterns(converter, patterns);
  populateResizeToLinalgPatterns(converter, patterns);
  populateScanToLinalgPatterns(converter, patterns);
  populateShapeToLinalgPatterns(converter, patterns);
  populateTrainingToLinalgPatterns(converter, patterns);
}

namespace {
/// An op of another dialect (such as the tensor.cast shape propagation adds)
/// whose operand or result types carry kiln's integer signedness: the same op
/// on the signless types. The func ops have patterns of their own; ops with
/// regions or successors have none, and the conversion reports them.
struct ConvertForeignOpTypes : public ConversionPattern {
  ConvertForeignOpTypes(const TypeConverter &converter, MLIRContext *ctx)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (isa<KilnDialect>(op->getDialect()) || op->getNumRegions() != 0 ||
        op->getNumSuccessors() != 0 ||
        isa<func::FuncOp, func::ReturnOp, func::CallOp>(op))
      return failure();
    SmallVector<Type> resultTypes;
    if (failed(getTypeConverter()->convertTypes(op->getResultTypes(),
                                                resultTypes)))
      return failure();
    Operation *converted = rewriter.clone(*op);
    converted->setOperands(operands);
    for (auto [result, type] : llvm::zip(converted->getResults(), resultTypes))
      result.setType(type);
    rewriter.replaceOp(op, converted->getResults());
    return success();
  }
};

struct ConvertKilnToLinalgPass
    : public kiln::impl::ConvertKilnToLinalgBase<ConvertKilnToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    KilnTypeConverter converter;
    ConversionTarget target(*ctx);
    target.addIllegalDialect<KilnDialect>();
    // In-place stores stay until just before bufferization (see
    // kiln-lower-assignments); only their types are converted.
    target.addDynamicallyLegalOp<AssignOp>(
        [&](AssignOp op) { return converter.isLegal(op); });
    // Every other op is legal once its types are signless (an unsigned
    // tensor.cast, say, is not).
    target.addDynamicallyLegalDialect<
        affine::AffineDialect, arith::ArithDialect, linalg::LinalgDialect,
        math::MathDialect, tensor::TensorDialect>(
        [&](Operation *op) { return converter.isLegal(op); });
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType()) &&
             converter.isLegal(&op.getBody());
    });
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return converter.isLegal(op); });

    RewritePatternSet patterns(ctx);
    populateKilnToLinalgPatterns(converter, patterns);
    patterns.add<ConvertForeignOpTypes>(converter, ctx);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);

    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
