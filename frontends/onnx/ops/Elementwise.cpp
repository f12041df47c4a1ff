//===- Elementwise.cpp - ONNX elementwise ops -----------------------------===//
//
// Broadcasting binary ops (Add, Sub, Mul, Div, Pow), variadic ones (Max,
// Min, Sum, Mean) as chains of binary kiln ops, unary activations and math,
// and the ops that are identities at inference time (Identity, Dropout).
//
//===----------------------------------------------------------------------===//

#include "../NodeImporter.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

template <typename OpTy> LogicalResult importBinary(OnnxNode &node) {
  auto lhs = node.requiredInput(0);
  auto rhs = node.requiredInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  if (getElementTypeOrSelf(lhs->getType()) !=
      getElementTypeOrSelf(rhs->getType()))
    return node.emitError() << "operands of different element types ("
                            << getElementTypeOrSelf(lhs->getType()) << " and "
                            << getElementTypeOrSelf(rhs->getType())
                            << ") are not supported";
  auto result = node.create<OpTy>(*lhs, *rhs);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Folds all inputs together with `OpTy` (Max, Min, Sum).
template <typename OpTy> FailureOr<Value> foldVariadic(OnnxNode &node) {
  auto acc = node.requiredInput(0);
  if (failed(acc))
    return failure();
  Value result = *acc;
  for (unsigned i = 1; i < node.numInputs(); ++i) {
    auto next = node.requiredInput(i);
    if (failed(next))
      return failure();
    auto combined = node.create<OpTy>(result, *next);
    if (failed(combined))
      return failure();
    result = *combined;
  }
  return result;
}

template <typename OpTy> LogicalResult importVariadic(OnnxNode &node) {
  auto result = foldVariadic<OpTy>(node);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

LogicalResult importMean(OnnxNode &node) {
  auto sum = foldVariadic<AddOp>(node);
  if (failed(sum))
    return failure();
  Value count = node.scalar(getElementTypeOrSelf(sum->getType()),
                            node.numInputs());
  auto mean = node.create<DivOp>(*sum, count);
  if (failed(mean))
    return failure();
  return node.setResult(0, *mean);
}

template <typename OpTy> LogicalResult importUnary(OnnxNode &node) {
  auto input = node.requiredInput(0);
  if (failed(input))
    return failure();
  auto result = node.create<OpTy>(*input);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

LogicalResult importIdentity(OnnxNode &node) {
  auto input = node.requiredInput(0);
  if (failed(input))
    return failure();
  return node.setResult(0, *input);
}

/// Inference-time Dropout passes its input through.
LogicalResult importDropout(OnnxNode &node) {
  if (node.outputUsed(1))
    return node.emitError() << "the mask output of Dropout is not supported";
  if (node.version() >= 12 && node.input(2)) {
    DenseElementsAttr training = node.constantInput(2);
    if (!training || !training.isSplat() ||
        training.getSplatValue<APInt>().getBoolValue())
      return node.emitError()
             << "Dropout in training mode is not supported (training_mode "
                "must be a constant false)";
  }
  return importIdentity(node);
}

} // namespace

void mlir::kiln::registerElementwiseOps(OnnxOpRegistry &registry) {
  // Versions before 7 broadcast only with the legacy `broadcast` attribute.
  registry.add("Add", 7, kLatestOpset, importBinary<AddOp>);
  registry.add("Sub", 7, kLatestOpset, importBinary<SubOp>);
  registry.add("Mul", 7, kLatestOpset, importBinary<MulOp>);
  registry.add("Div", 7, kLatestOpset, importBinary<DivOp>);
  registry.add("Pow", 7, kLatestOpset, importBinary<PowOp>);
  registry.add("Max", 6, kLatestOpset, importVariadic<MaxOp>);
  registry.add("Min", 6, kLatestOpset, importVariadic<MinOp>);
  registry.add("Sum", 6, kLatestOpset, importVariadic<AddOp>);
  registry.add("Mean", 6, kLatestOpset, importMean);

  registry.add("Neg", 6, kLatestOpset, importUnary<NegOp>);
  registry.add("Abs", 6, kLatestOpset, importUnary<AbsOp>);
  registry.add("Exp", 6, kLatestOpset, importUnary<ExpOp>);
  registry.add("Log", 6, kLatestOpset, importUnary<LogOp>);
  registry.add("Sqrt", 6, kLatestOpset, importUnary<SqrtOp>);
  registry.add("Tanh", 6, kLatestOpset, importUnary<TanhOp>);
  registry.add("Sigmoid", 6, kLatestOpset, importUnary<SigmoidOp>);
  registry.add("Relu", 6, kLatestOpset, importUnary<ReluOp>);

  registry.add("Identity", 1, kLatestOpset, importIdentity);
  registry.add("Dropout", 7, kLatestOpset, importDropout);
}
