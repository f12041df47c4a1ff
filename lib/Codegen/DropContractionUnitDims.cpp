//===- DropContractionUnitDims.cpp - Unit dimensions out of contractions --===//
//
// A contraction whose operands keep a dimension of size 1 (the ONNX LSTM's
// single direction: x[T, B, I] against W[I, 1, 4H]) has two n dimensions,
// which the vector kernels of kiln-vectorize-contractions do not take, so
// it ran as a scalar loop nest. Dropping its unit dimensions turns it into
// the plain matmul it is. Only contractions are rewritten: upstream's
// linalg-fold-unit-extent-dims on every op also reshapes the loops that
// TopK and CumSum lower to, which then no longer bufferize in place.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNDROPCONTRACTIONUNITDIMS
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {
struct KilnDropContractionUnitDimsPass
    : public kiln::impl::KilnDropContractionUnitDimsBase<
          KilnDropContractionUnitDimsPass> {
  void runOnOperation() override {
    linalg::ControlDropUnitDims options;
    options.controlFn = [](Operation *op) -> SmallVector<unsigned> {
      auto generic = dyn_cast<linalg::GenericOp>(op);
      if (!generic || !generic.hasPureTensorSemantics() ||
          generic.getNumReductionLoops() == 0 ||
          !linalg::isaContractionOpInterface(generic))
        return {};
      return llvm::to_vector(llvm::seq<unsigned>(0, generic.getNumLoops()));
    };
    RewritePatternSet patterns(&getContext());
    linalg::populateFoldUnitExtentDimsPatterns(patterns, options);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
