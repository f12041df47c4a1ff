//===- Loss.cpp - ONNX loss ops -------------------------------------------===//
//
// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
//
//===----------------------------------------------------------------------===//

#include "../NodeImporter.h"

using namespace mlir;
using namespace mlir::kiln;

void mlir::kiln::registerLossOps(OnnxOpRegistry &registry) {}
