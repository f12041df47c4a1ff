//===- Loss.cpp - ONNX loss ops -------------------------------------------===//
//
// NegativeLogLikelihoodLoss is kiln.nll_loss; SoftmaxCrossEntropyLoss is
// kiln.log_softmax over the class dimension followed by the same loss, the
// log-probabilities being its optional second output.
//
//===----------------------------------------------------------------------===//

#include "OpChain.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Builds the loss of `logProb` against input 1 (targets) and the optional
/// input 2 (weights), with the node's reduction and ignore_index.
Value buildNLLLoss(OnnxNode &node, OpChain &chain, Value logProb) {
  Value target = chain.requiredInput(1);
  if (!chain.ok())
    return {};
  Value weight = node.input(2);
  std::string reduction = node.stringAttr("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean") {
    node.emitError() << "reduction '" << reduction << "' is not supported";
    chain.fail();
    return {};
  }
  OpBuilder &b = node.getBuilder();
  IntegerAttr ignoreIndex;
  if (node.hasAttr("ignore_index"))
    ignoreIndex = b.getI64IntegerAttr(node.intAttr("ignore_index", 0));
  return chain.create<NLLLossOp>(logProb, target, weight, ignoreIndex,
                                 b.getStringAttr(reduction));
}

LogicalResult importNegativeLogLikelihoodLoss(OnnxNode &node) {
  OpChain chain(node);
  Value input = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  return chain.setResult(0, buildNLLLoss(node, chain, input));
}

LogicalResult importSoftmaxCrossEntropyLoss(OnnxNode &node) {
  OpChain chain(node);
  Value scores = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  if (tensorRank(scores) < 2)
    return node.emitError() << "expects scores of shape [N, C, d...], got "
                            << scores.getType();
  Value logProb = chain.create<LogSoftmaxOp>(scores, 1);
  Value loss = chain.ok() ? buildNLLLoss(node, chain, logProb) : Value();
  if (failed(chain.setResult(0, loss)))
    return failure();
  return node.setResult(1, logProb);
}

} // namespace

void mlir::kiln::registerLossOps(OnnxOpRegistry &registry) {
  // 13 only adds bfloat16 to SoftmaxCrossEntropyLoss.
  registry.add("NegativeLogLikelihoodLoss", 12, kLatestOpset,
               importNegativeLogLikelihoodLoss);
  registry.add("SoftmaxCrossEntropyLoss", 12, kLatestOpset,
               importSoftmaxCrossEntropyLoss);
}
