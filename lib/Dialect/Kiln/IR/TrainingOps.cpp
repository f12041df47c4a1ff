//===- TrainingOps.cpp - Training kiln ops --------------------------------===//
//
// Type inference, verifiers and folders of the ops in TrainingOps.td.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

using namespace mlir;
using namespace mlir::kiln;

//===----------------------------------------------------------------------===//
// FullLikeOp
//===----------------------------------------------------------------------===//

LogicalResult FullLikeOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getLike().getType());
  return success();
}

//===----------------------------------------------------------------------===//
// UnbroadcastOp
//===----------------------------------------------------------------------===//

LogicalResult UnbroadcastOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location>,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  auto like = rankedType(adaptor.getLike());
  if (!input || !like)
    return failure();
  types.push_back(
      RankedTensorType::get(like.getShape(), input.getElementType()));
  return success();
}

LogicalResult UnbroadcastOp::verify() {
  auto input = getInput().getType(), like = getLike().getType();
  if (input.getElementType() != like.getElementType())
    return emitOpError("expects input and like of one element type");
  if (like.getRank() > input.getRank())
    return emitOpError() << "expects the input (" << formatShape(input.getShape())
                         << ") to have at least the rank of like ("
                         << formatShape(like.getShape()) << ")";
  auto shape = broadcastShapes(input.getShape(), like.getShape());
  if (failed(shape) ||
      !areRefinementsOf(RankedTensorType::get(*shape, input.getElementType()),
                        input))
    return emitOpError() << "input " << formatShape(input.getShape())
                         << " is not a broadcast of "
                         << formatShape(like.getShape());
  return success();
}

OpFoldResult UnbroadcastOp::fold(FoldAdaptor) {
  // Nothing was broadcast: same shape, and a dynamic dim never stretches.
  if (getInput().getType().getShape() == getLike().getType().getShape())
    return getInput();
  return {};
}
