//===- Logical.cpp - ONNX comparisons and logic ---------------------------===//
//
// Comparisons, logical and bitwise ops, and Where.
//
//===----------------------------------------------------------------------===//

#include "../NodeImporter.h"

using namespace mlir;
using namespace mlir::kiln;

void mlir::kiln::registerLogicalOps(OnnxOpRegistry &registry) {}
