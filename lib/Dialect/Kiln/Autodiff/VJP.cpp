//===- VJP.cpp - Building blocks of the gradient rules --------------------===//
//
// The helpers of VJP.h, and the registration of every family's rules.
//
//===----------------------------------------------------------------------===//

#include "VJP.h"

#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::kiln;

Value mlir::kiln::scalarLike(OpBuilder &b, Location loc, Value like,
                             double value) {
  Type elementType = getElementTypeOrSelf(like.getType());
  auto type = RankedTensorType::get({}, elementType);
  Attribute element =
      isa<FloatType>(elementType)
          ? (Attribute)b.getFloatAttr(elementType, value)
          : (Attribute)b.getIntegerAttr(elementType, (int64_t)value);
  return ConstantOp::create(
      b, loc, cast<ElementsAttr>(DenseElementsAttr::get(type, element)));
}

Value mlir::kiln::fullLike(OpBuilder &b, Location loc, Value like,
                           double value) {
  return make<FullLikeOp>(b, loc, like, b.getF64FloatAttr(value));
}

Value mlir::kiln::castTo(OpBuilder &b, Location loc, Value value, Type like) {
  if (value.getType() == like)
    return value;
  // The types differ only by refinement (dynamic vs static sizes).
  return tensor::CastOp::create(b, loc, like, value);
}

Value mlir::kiln::unbroadcastTo(OpBuilder &b, Location loc, Value grad,
                                Value operand) {
  Value summed = grad;
  if (cast<RankedTensorType>(grad.getType()).getShape() !=
      cast<RankedTensorType>(operand.getType()).getShape())
    summed = make<UnbroadcastOp>(b, loc, grad, operand);
  return castTo(b, loc, summed, operand.getType());
}

FailureOr<Value> mlir::kiln::reshapeLike(OpBuilder &b, Location loc,
                                         Value value, Value like) {
  auto likeType = cast<RankedTensorType>(like.getType());
  if (value.getType() == likeType)
    return value;
  SmallVector<int64_t> spec;
  int dynamic = 0;
  for (int64_t d : likeType.getShape()) {
    spec.push_back(ShapedType::isDynamic(d) ? -1 : d);
    dynamic += ShapedType::isDynamic(d);
  }
  if (dynamic > 1)
    return failure();
  Value reshaped = make<ReshapeOp>(b, loc, value, spec);
  return castTo(b, loc, reshaped, likeType);
}

void mlir::kiln::registerDifferentiableOpInterfaces(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, KilnDialect *) {
    registerElementwiseVJPs(ctx);
    registerIndexingVJPs(ctx);
    registerLinalgVJPs(ctx);
    registerNNVJPs(ctx);
    registerNormalizationVJPs(ctx);
    registerReductionVJPs(ctx);
    registerShapeVJPs(ctx);
    registerTrainingVJPs(ctx);
  });
}
