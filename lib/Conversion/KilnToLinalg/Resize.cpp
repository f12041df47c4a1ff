//===- Resize.cpp - kiln.resize to linalg.generic -------------------------===//
//
// Lowering of the ops in this family; see KilnToLinalg.h.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;

void mlir::kiln::populateResizeToLinalgPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns) {}
