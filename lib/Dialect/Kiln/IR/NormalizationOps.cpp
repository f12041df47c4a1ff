//===- NormalizationOps.cpp - Normalization kiln ops ----------------------===//
//
// Type inference and verifiers of the ops in NormalizationOps.td.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::kiln;

/// Checks that the operand `what` has the input's element type.
static LogicalResult verifyElementType(Operation *op, StringRef what,
                                       Value operand, Type expected) {
  Type actual = getElementTypeOrSelf(operand.getType());
  if (actual != expected)
    return op->emitOpError() << "expects " << what
                             << " of the input's element type " << expected
                             << ", got " << actual;
  return success();
}

//===----------------------------------------------------------------------===//
// LayerNormOp
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  int64_t rank = input.getRank(), axis = adaptor.getAxis();
  SmallVector<int64_t> statsShape(input.getShape());
  for (int64_t i = 0; i < rank; ++i)
    if (axis < 0 || axis >= rank)
      statsShape[i] = ShapedType::kDynamic;
    else if (i >= axis)
      statsShape[i] = 1;
  auto stats = RankedTensorType::get(statsShape, input.getElementType());
  types.push_back(input);
  types.push_back(stats);
  types.push_back(stats);
  return success();
}

LogicalResult LayerNormOp::verify() {
  auto inputType = getInput().getType();
  int64_t rank = inputType.getRank(), axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for rank "
                         << rank;
  ArrayRef<int64_t> normalized = inputType.getShape().drop_front(axis);
  for (auto [what, operand] : {std::make_pair("scale", getScale()),
                               std::make_pair("bias", getBias())}) {
    if (!operand)
      continue;
    if (failed(verifyElementType(*this, what, operand,
                                 inputType.getElementType())))
      return failure();
    auto type = cast<RankedTensorType>(operand.getType());
    // numpy broadcasting against the normalized dimensions, one way.
    bool fits = type.getRank() <= (int64_t)normalized.size();
    for (int64_t j = 0; fits && j < type.getRank(); ++j) {
      int64_t d = type.getDimSize(type.getRank() - 1 - j);
      int64_t n = normalized[normalized.size() - 1 - j];
      fits = d == 1 || ShapedType::isDynamic(d) || ShapedType::isDynamic(n) ||
             d == n;
    }
    if (!fits)
      return emitOpError() << what << " of type " << type
                           << " does not broadcast to the normalized "
                              "dimensions ["
                           << normalized << "]";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

KILN_SAME_TYPE_INFER(BatchNormOp)

LogicalResult BatchNormOp::verify() {
  auto inputType = getInput().getType();
  if (inputType.getRank() < 2)
    return emitOpError() << "expects an input of shape [N, C, ...], got "
                         << inputType;
  int64_t channels = inputType.getDimSize(1);
  for (auto [what, operand] :
       {std::make_pair("scale", getScale()), std::make_pair("bias", getBias()),
        std::make_pair("mean", getMean()),
        std::make_pair("variance", getVariance())}) {
    if (failed(verifyElementType(*this, what, operand,
                                 inputType.getElementType())))
      return failure();
    auto type = cast<RankedTensorType>(operand.getType());
    if (type.getRank() != 1 ||
        (!type.isDynamicDim(0) && !ShapedType::isDynamic(channels) &&
         type.getDimSize(0) != channels))
      return emitOpError() << "expects " << what << " of shape [" << channels
                           << "] (one per channel), got " << type;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// LRNOp
//===----------------------------------------------------------------------===//

KILN_SAME_TYPE_INFER(LRNOp)

LogicalResult LRNOp::verify() {
  auto inputType = getInput().getType();
  if (inputType.getRank() < 2)
    return emitOpError() << "expects an input of shape [N, C, ...], got "
                         << inputType;
  if (getSize() < 1)
    return emitOpError() << "expects a window size of at least 1, got "
                         << getSize();
  return success();
}
