//===- BuildTrainingFunctions.cpp - buildTrainingFunctions as a pass ------===//
//
// The pass form of buildTrainingFunctions, for lit tests of the training
// step's IR.
//
//===----------------------------------------------------------------------===//

#include "kiln/Training/Passes.h"
#include "kiln/Training/TrainingStep.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNBUILDTRAININGFUNCTIONS
#include "kiln/Training/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {
struct KilnBuildTrainingFunctionsPass
    : public kiln::impl::KilnBuildTrainingFunctionsBase<
          KilnBuildTrainingFunctionsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    kiln::TrainingConfig config;
    config.forward = forward;
    config.loss = loss;
    config.optimizer = optimizer;
    config.learningRate = learningRate;
    config.l2 = l2;
    auto func = module.lookupSymbol<func::FuncOp>(forward);
    if (func && func.getNumResults() > 0) {
      auto output = cast<RankedTensorType>(func.getResultTypes()[0]);
      config.labelType =
          classIndices
              ? RankedTensorType::get({output.getDimSize(0)},
                                      IntegerType::get(&getContext(), 64))
              : output;
    }
    if (failed(kiln::buildTrainingFunctions(module, config)))
      signalPassFailure();
  }
};
} // namespace
