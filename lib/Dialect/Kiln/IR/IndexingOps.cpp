//===- IndexingOps.cpp - Indexing kiln ops --------------------------------===//
//
// Type inference, verifiers and folders of the ops in IndexingOps.td.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

using namespace mlir;
using namespace mlir::kiln;
