//===- Normalization.cpp - ONNX normalization ops -------------------------===//
//
// LayerNormalization, BatchNormalization, InstanceNormalization and friends.
//
//===----------------------------------------------------------------------===//

#include "../NodeImporter.h"

using namespace mlir;
using namespace mlir::kiln;

void mlir::kiln::registerNormalizationOps(OnnxOpRegistry &registry) {}
