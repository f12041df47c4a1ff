//===- Recurrent.cpp - ONNX recurrent ops ---------------------------------===//
//
// RNN, GRU and LSTM.
//
//===----------------------------------------------------------------------===//

#include "../NodeImporter.h"

using namespace mlir;
using namespace mlir::kiln;

void mlir::kiln::registerRecurrentOps(OnnxOpRegistry &registry) {}
