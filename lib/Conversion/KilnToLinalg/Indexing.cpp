//===- Indexing.cpp - kiln indexing ops to linalg and tensor --------------===//
//
// Lowering of the ops in this family; see KilnToLinalg.h.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;

void mlir::kiln::populateIndexingToLinalgPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns) {}
