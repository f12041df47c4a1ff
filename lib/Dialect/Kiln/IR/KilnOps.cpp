//===- KilnOps.cpp - kiln dialect operations ------------------------------===//
//
// The op definitions TableGen generates, the custom assembly they share,
// and the constant op. Each op family's inference, verifiers and folders
// live in its own file (ElementwiseOps.cpp, ShapeOps.cpp, ...), mirroring
// the .td files. Inference is total (see KilnBase.td); verifiers say what is
// wrong in terms of shapes and attributes a model author recognizes.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "OpUtils.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

//===----------------------------------------------------------------------===//
// Custom assembly
//===----------------------------------------------------------------------===//
/// Prints the operand type of an op whose result type is inferred as that
/// type, followed by `-> result` only when the result refines it, so that a
/// refinement survives a print/parse round trip.
static void printRefinedType(OpAsmPrinter &p, Operation *, Type input,
                             Type result) {
  p << input;
  if (result != input)
    p << " -> " << result;
}

static ParseResult parseRefinedType(OpAsmParser &parser, Type &input,
                                    Type &result) {
  if (parser.parseType(input))
    return failure();
  result = input;
  if (succeeded(parser.parseOptionalArrow()))
    return parser.parseType(result);
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult ConstantOp::verify() {
  if (!isa<RankedTensorType>(getValue().getType()))
    return emitOpError("expects a ranked tensor value");
  return success();
}

//===----------------------------------------------------------------------===//
// TableGen'd op definitions
//===----------------------------------------------------------------------===//

#define GET_OP_CLASSES
#include "kiln/Dialect/Kiln/IR/KilnOps.cpp.inc"
