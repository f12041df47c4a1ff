//===- TrainingOps.cpp - Training kiln ops --------------------------------===//
//
// Type inference, verifiers and folders of the ops in TrainingOps.td.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

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

//===----------------------------------------------------------------------===//
// Losses and penalties
//===----------------------------------------------------------------------===//

/// A scalar of `type`'s element type.
static void inferScalar(Type type, SmallVectorImpl<Type> &types) {
  types.push_back(RankedTensorType::get({}, getElementTypeOrSelf(type)));
}

#define KILN_SCALAR_INFER(OpTy, Operand)                                       \
  LogicalResult OpTy::inferReturnTypes(MLIRContext *,                          \
                                       std::optional<Location>,                \
                                       Adaptor adaptor,                        \
                                       SmallVectorImpl<Type> &types) {         \
    inferScalar(adaptor.get##Operand().getType(), types);                      \
    return success();                                                          \
  }

KILN_SCALAR_INFER(MSELossOp, Prediction)
KILN_SCALAR_INFER(MAELossOp, Prediction)
KILN_SCALAR_INFER(HuberLossOp, Prediction)
KILN_SCALAR_INFER(BCEWithLogitsLossOp, Prediction)
KILN_SCALAR_INFER(CrossEntropyLossOp, Logits)
KILN_SCALAR_INFER(L1PenaltyOp, Input)
KILN_SCALAR_INFER(L2PenaltyOp, Input)
#undef KILN_SCALAR_INFER

/// Prediction and target of an elementwise loss: one type, up to refinement.
template <typename OpTy> static LogicalResult verifyElementwiseLoss(OpTy op) {
  auto p = op.getPrediction().getType(), t = op.getTarget().getType();
  if (p.getElementType() != t.getElementType())
    return op.emitOpError("expects prediction and target of one element type");
  if (p.getRank() != t.getRank() ||
      !llvm::all_of(llvm::zip(p.getShape(), t.getShape()), [](auto dims) {
        auto [a, b] = dims;
        return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
      }))
    return op.emitOpError() << "expects prediction and target of one shape, "
                               "got "
                            << formatShape(p.getShape()) << " and "
                            << formatShape(t.getShape());
  return success();
}

LogicalResult MSELossOp::verify() { return verifyElementwiseLoss(*this); }
LogicalResult MAELossOp::verify() { return verifyElementwiseLoss(*this); }
LogicalResult BCEWithLogitsLossOp::verify() {
  return verifyElementwiseLoss(*this);
}
LogicalResult HuberLossOp::verify() {
  if (getDelta().convertToDouble() <= 0)
    return emitOpError("expects delta > 0");
  return verifyElementwiseLoss(*this);
}

LogicalResult CrossEntropyLossOp::verify() {
  auto logits = getLogits().getType(), labels = getLabels().getType();
  if (logits.getRank() != 2)
    return emitOpError() << "expects N x C logits, got "
                         << formatShape(logits.getShape());
  bool classIndices = isa<IntegerType>(labels.getElementType());
  if (classIndices ? labels.getRank() != 1 : labels.getRank() != 2)
    return emitOpError() << "expects labels of N class indices or N x C "
                            "probabilities, got "
                         << labels;
  if (!classIndices && labels.getElementType() != logits.getElementType())
    return emitOpError("expects probability labels of the logits' type");
  for (int64_t i = 0; i < labels.getRank(); ++i) {
    int64_t a = logits.getDimSize(i), b = labels.getDimSize(i);
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b)
      return emitOpError() << "labels " << formatShape(labels.getShape())
                           << " do not match logits "
                           << formatShape(logits.getShape());
  }
  return success();
}

//===----------------------------------------------------------------------===//
// AssignOp
//===----------------------------------------------------------------------===//

LogicalResult AssignOp::verify() {
  auto arg = dyn_cast<BlockArgument>(getDest());
  auto func = arg ? dyn_cast<FunctionOpInterface>(arg.getOwner()->getParentOp())
                  : FunctionOpInterface();
  if (!func || arg.getOwner() != &func.getFunctionBody().front())
    return emitOpError("expects dest to be an argument of the function");
  if (!func.getArgAttr(arg.getArgNumber(), kMutableAttr))
    return emitOpError() << "expects dest (argument " << arg.getArgNumber()
                         << ") to be marked kiln.mutable";
  if (!areRefinementsOf(getDest().getType(), getValue().getType()) &&
      !areRefinementsOf(getValue().getType(), getDest().getType()))
    return emitOpError() << "cannot store " << getValue().getType()
                         << " into " << getDest().getType();
  return success();
}
