//===- Indexing.cpp - ONNX indexing ops -----------------------------------===//
//
// Gather, scatter, slice, split, concat and the other ops that select or
// place elements by index or condition.
//
//===----------------------------------------------------------------------===//

#include "../NodeImporter.h"

using namespace mlir;
using namespace mlir::kiln;

void mlir::kiln::registerIndexingOps(OnnxOpRegistry &registry) {}
