//===- NormalizationOps.cpp - Normalization kiln ops ----------------------===//
//
// Type inference, verifiers and folders of the ops in NormalizationOps.td.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

using namespace mlir;
using namespace mlir::kiln;
