//===- Cast.cpp - ONNX type conversions -----------------------------------===//
//
// Cast, CastLike, and quantization to and from integers.
//
//===----------------------------------------------------------------------===//

#include "../NodeImporter.h"

using namespace mlir;
using namespace mlir::kiln;

void mlir::kiln::registerCastOps(OnnxOpRegistry &registry) {}
