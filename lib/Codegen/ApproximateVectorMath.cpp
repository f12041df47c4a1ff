//===- ApproximateVectorMath.cpp - Vector math without libm calls ---------===//
//
// The kernels of kiln-vectorize-contractions and kiln-vectorize-rows apply
// elementwise bodies (GELU's erf, softmax's exp, tanh, ...) to whole
// vectors. LLVM has no vector erf, and for exp or tanh its fallback is one
// libm call per lane; MathToLibm would even unroll a vector erf into
// vector.extract/insert after the vector dialect has been lowered, leaving
// ops nothing lowers. This pass, run before the vector lowering:
//
// - replaces f32 vector exp, erf, tanh and log by MLIR's polynomial
//   approximations (plain vector arithmetic that stays at the vector width);
// - unrolls every other vector math op that has no LLVM vector lowering
//   into one scalar op per lane, which the scalar math lowerings then take.
//
// Scalar math is left alone: it keeps going to LLVM intrinsics and libm.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "kiln-approximate-vector-math"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNAPPROXIMATEVECTORMATH
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// Whether `op` is a math op on vectors of f32.
bool isF32VectorMath(Operation *op) {
  if (!isa<math::MathDialect>(op->getDialect()) || op->getNumResults() != 1)
    return false;
  auto type = dyn_cast<VectorType>(op->getResult(0).getType());
  return type && type.getElementType().isF32();
}

/// Math ops that ConvertMathToLLVM lowers on 1-D vectors; anything else on
/// vectors is unrolled here. (Not ipowi/fpowi: ConvertMathToFuncs, which
/// runs after the vector lowering, would unroll them into vector.extract
/// ops that nothing lowers any more.)
bool hasVectorLowering(Operation *op) {
  return isa<math::AbsFOp, math::AbsIOp, math::CeilOp, math::CopySignOp,
             math::CosOp, math::CoshOp, math::CountLeadingZerosOp,
             math::CountTrailingZerosOp, math::CtPopOp, math::ExpOp,
             math::Exp2Op, math::ExpM1Op, math::FloorOp, math::FmaOp,
             math::IsNaNOp, math::IsFiniteOp, math::LogOp, math::Log10Op,
             math::Log1pOp, math::Log2Op, math::PowFOp, math::RoundEvenOp,
             math::RoundOp, math::RsqrtOp, math::SinOp, math::SinhOp,
             math::SqrtOp, math::TanOp, math::TanhOp, math::TruncOp,
             math::AcosOp, math::AsinOp, math::AtanOp, math::Atan2Op>(op);
}

/// Rewrites a 1-D vector op as one scalar op per lane.
LogicalResult unroll(Operation *op) {
  auto type = dyn_cast<VectorType>(op->getResult(0).getType());
  if (!type || type.getRank() != 1 || type.isScalable())
    return failure();
  for (Value operand : op->getOperands()) {
    auto operandType = dyn_cast<VectorType>(operand.getType());
    if (!operandType || operandType.getShape() != type.getShape())
      return failure();
  }
  OpBuilder b(op);
  Location loc = op->getLoc();
  Value result = arith::ConstantOp::create(b, loc, type, b.getZeroAttr(type));
  for (int64_t lane = 0; lane < type.getDimSize(0); ++lane) {
    OperationState state(loc, op->getName());
    for (Value operand : op->getOperands())
      state.addOperands(
          vector::ExtractOp::create(b, loc, operand, lane).getResult());
    state.addTypes(type.getElementType());
    state.addAttributes(op->getAttrs());
    Operation *scalar = b.create(state);
    result =
        vector::InsertOp::create(b, loc, scalar->getResult(0), result, lane);
  }
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();
  return success();
}

struct KilnApproximateVectorMathPass
    : public kiln::impl::KilnApproximateVectorMathBase<
          KilnApproximateVectorMathPass> {
  void runOnOperation() override {
    // Only vector ops: collect them, and let the greedy driver rewrite
    // nothing else.
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isF32VectorMath(op))
        ops.push_back(op);
    });
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return name == math::ExpOp::getOperationName() ||
             name == math::ErfOp::getOperationName() ||
             name == math::TanhOp::getOperationName() ||
             name == math::LogOp::getOperationName();
    });
    FrozenRewritePatternSet frozen(std::move(patterns));
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    (void)applyOpPatternsGreedily(ops, frozen, config);

    // What is left without a vector lowering becomes scalar ops.
    SmallVector<Operation *> rest;
    getOperation().walk([&](Operation *op) {
      if (isa<math::MathDialect>(op->getDialect()) &&
          op->getNumResults() == 1 &&
          isa<VectorType>(op->getResult(0).getType()) && !hasVectorLowering(op))
        rest.push_back(op);
    });
    for (Operation *op : rest)
      if (failed(unroll(op))) {
        op->emitError("kiln-approximate-vector-math: cannot unroll this "
                      "vector math op (only 1-D vectors are supported)");
        return signalPassFailure();
      }
  }
};

} // namespace
