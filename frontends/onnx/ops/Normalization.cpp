//===- Normalization.cpp - ONNX normalization ops -------------------------===//
//
// LayerNormalization and BatchNormalization (inference, and from opset 14
// training mode with its running statistics) are kiln ops; training-mode
// batch statistics are reductions. InstanceNormalization is a layer
// normalization over the spatial dimensions followed by the per-channel
// affine map; MeanVarianceNormalization is its defining formula in
// reductions and arithmetic; LRN is kiln.lrn.
//
//===----------------------------------------------------------------------===//

#include "OpChain.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The element type an ONNX TensorProto data type names, for stash_type.
Type stashElementType(MLIRContext *ctx, int64_t dataType) {
  switch (dataType) {
  case 1:
    return Float32Type::get(ctx);
  case 10:
    return Float16Type::get(ctx);
  case 11:
    return Float64Type::get(ctx);
  case 16:
    return BFloat16Type::get(ctx);
  default:
    return {};
  }
}

/// A per-channel parameter `[C]` reshaped to `[C, 1, ...]` so that it
/// broadcasts along dimension 1 of a tensor of `rank`.
Value perChannel(OpChain &chain, Value param, int64_t rank) {
  SmallVector<int64_t> shape{-1};
  shape.append(rank - 2, 1);
  return chain.create<ReshapeOp>(param, shape);
}

LogicalResult importLayerNormalization(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  Value scale = chain.requiredInput(1);
  if (!chain.ok())
    return failure();
  Value bias = node.input(2);
  auto axis = node.normalizeAxis(node.intAttr("axis", -1), tensorRank(x));
  if (failed(axis))
    return failure();
  int64_t stash = node.intAttr("stash_type", 1);
  Type computeType = stashElementType(node.getContext(), stash);
  if (!computeType)
    return node.emitError() << "stash_type " << stash << " is not supported";
  Type type = elementTypeOf(x);
  // The statistics (and so the normalization) are computed in the stash
  // type; Y comes back in the input's.
  x = chain.cast(x, computeType);
  scale = chain.cast(scale, computeType);
  if (bias)
    bias = chain.cast(bias, computeType);
  if (!chain.ok())
    return failure();
  OpBuilder &b = node.getBuilder();
  Value y = chain.create<LayerNormOp>(
      x, scale, bias, b.getI64IntegerAttr(*axis),
      b.getF64FloatAttr(node.floatAttr("epsilon", 1e-5f)));
  if (!chain.ok())
    return failure();
  auto op = y.getDefiningOp<LayerNormOp>();
  (void)node.setResult(1, op.getMean());
  (void)node.setResult(2, op.getInvStdDev());
  return chain.setResult(0, chain.cast(y, type));
}

/// BatchNormalization 7-13: inference only (the training outputs, whose
/// meaning varied, are not supported); `spatial` (7, 8) must be 1.
LogicalResult importBatchNormalizationLegacy(OnnxNode &node) {
  for (unsigned i = 1; i < node.numOutputs(); ++i)
    if (node.outputUsed(i))
      return node.emitError()
             << "the training outputs of BatchNormalization before opset 14 "
                "are not supported";
  if (node.intAttr("spatial", 1) != 1)
    return node.emitError() << "BatchNormalization with spatial = 0 is not "
                               "supported";
  OpChain chain(node);
  SmallVector<Value> in;
  for (unsigned i = 0; i < 5; ++i)
    in.push_back(chain.requiredInput(i));
  if (!chain.ok())
    return failure();
  Type type = elementTypeOf(in[0]);
  for (Value &v : MutableArrayRef<Value>(in).drop_front())
    v = chain.cast(v, type);
  OpBuilder &b = node.getBuilder();
  return chain.setResult(
      0, chain.create<BatchNormOp>(
             in[0], in[1], in[2], in[3], in[4],
             b.getF64FloatAttr(node.floatAttr("epsilon", 1e-5f))));
}

/// BatchNormalization 14+: with training_mode, the batch's own statistics
/// normalize it and update the running ones (ONNX outputs 1 and 2).
LogicalResult importBatchNormalization(OnnxNode &node) {
  OpChain chain(node);
  SmallVector<Value> in;
  for (unsigned i = 0; i < 5; ++i)
    in.push_back(chain.requiredInput(i));
  if (!chain.ok())
    return failure();
  Value x = in[0];
  Type type = elementTypeOf(x);
  int64_t rank = tensorRank(x);
  if (rank < 2)
    return node.emitError() << "expects an input of shape [N, C, ...], got "
                            << x.getType();
  // Scale and bias (T1) and the statistics (T2) may have other float types.
  for (Value &v : MutableArrayRef<Value>(in).drop_front())
    v = chain.cast(v, type);
  OpBuilder &b = node.getBuilder();
  FloatAttr epsilon = b.getF64FloatAttr(node.floatAttr("epsilon", 1e-5f));
  if (!node.intAttr("training_mode", 0)) {
    for (unsigned i = 1; i < node.numOutputs(); ++i)
      if (node.outputUsed(i))
        return node.emitError() << "outputs running_mean and running_var "
                                   "exist only in training mode";
    return chain.setResult(0, chain.create<BatchNormOp>(in[0], in[1], in[2],
                                                        in[3], in[4],
                                                        epsilon));
  }
  SmallVector<int64_t> axes{0};
  for (int64_t i = 2; i < rank; ++i)
    axes.push_back(i);
  Value mean = chain.create<ReduceMeanOp>(x, axes, /*keepdims=*/true);
  Value centered = chain.create<SubOp>(x, mean);
  Value variance = chain.create<ReduceMeanOp>(
      chain.create<MulOp>(centered, centered), axes, /*keepdims=*/false);
  mean = chain.create<ReshapeOp>(mean, ArrayRef<int64_t>{-1});
  Value y = chain.create<BatchNormOp>(x, in[1], in[2], mean, variance,
                                      epsilon);
  double momentum = node.floatAttr("momentum", 0.9f);
  auto update = [&](Value running, Value current) {
    return chain.create<AddOp>(
        chain.create<MulOp>(running, chain.scalar(type, momentum)),
        chain.create<MulOp>(current, chain.scalar(type, 1.0 - momentum)));
  };
  Value runningMean = update(in[3], mean);
  Value runningVar = update(in[4], variance);
  if (failed(chain.setResult(0, y)))
    return failure();
  (void)node.setResult(1, runningMean);
  return node.setResult(2, runningVar);
}

/// y = scale * (x - mean) / sqrt(variance + epsilon) + B per instance and
/// channel: layer normalization from dimension 2 on, then the channel's
/// scale and bias.
LogicalResult importInstanceNormalization(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  Value scale = chain.requiredInput(1);
  Value bias = chain.requiredInput(2);
  if (!chain.ok())
    return failure();
  int64_t rank = tensorRank(x);
  if (rank < 3)
    return node.emitError() << "expects an input of shape [N, C, D...], got "
                            << x.getType();
  OpBuilder &b = node.getBuilder();
  Value normalized = chain.create<LayerNormOp>(
      x, Value(), Value(), b.getI64IntegerAttr(2),
      b.getF64FloatAttr(node.floatAttr("epsilon", 1e-5f)));
  Value y = chain.create<AddOp>(
      chain.create<MulOp>(normalized, perChannel(chain, scale, rank)),
      perChannel(chain, bias, rank));
  return chain.setResult(0, y);
}

/// (X - E[X]) / (sqrt(E[X^2] - E[X]^2) + 1e-9) over `axes` (default
/// [0, 2, 3]), as ONNX's function body defines it.
LogicalResult importMeanVarianceNormalization(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  int64_t rank = tensorRank(x);
  SmallVector<int64_t> axes;
  for (int64_t axis : node.intsAttr("axes", {0, 2, 3})) {
    auto normalized = node.normalizeAxis(axis, rank, "axes entry");
    if (failed(normalized))
      return failure();
    axes.push_back(*normalized);
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  Type type = elementTypeOf(x);
  Value mean = chain.create<ReduceMeanOp>(x, axes, /*keepdims=*/true);
  Value meanOfSquares = chain.create<ReduceMeanOp>(chain.create<MulOp>(x, x),
                                                   axes, /*keepdims=*/true);
  Value variance = chain.create<SubOp>(meanOfSquares,
                                       chain.create<MulOp>(mean, mean));
  Value std = chain.create<AddOp>(chain.create<SqrtOp>(variance),
                                  chain.scalar(type, 1e-9));
  return chain.setResult(
      0, chain.create<DivOp>(chain.create<SubOp>(x, mean), std));
}

LogicalResult importLRN(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  if (!node.hasAttr("size"))
    return node.emitError() << "LRN needs its size attribute";
  OpBuilder &b = node.getBuilder();
  return chain.setResult(
      0, chain.create<LRNOp>(
             x, b.getI64IntegerAttr(node.intAttr("size", 1)),
             b.getF64FloatAttr(node.floatAttr("alpha", 1e-4f)),
             b.getF64FloatAttr(node.floatAttr("beta", 0.75f)),
             b.getF64FloatAttr(node.floatAttr("bias", 1.0f))));
}

} // namespace

void mlir::kiln::registerNormalizationOps(OnnxOpRegistry &registry) {
  registry.add("LayerNormalization", 17, kLatestOpset,
               importLayerNormalization);
  // 7 dropped is_test; 9 dropped spatial; 14 added training_mode; 15 lets
  // the parameters have their own float types.
  registry.add("BatchNormalization", 7, 13, importBatchNormalizationLegacy);
  registry.add("BatchNormalization", 14, kLatestOpset,
               importBatchNormalization);
  registry.add("InstanceNormalization", 6, kLatestOpset,
               importInstanceNormalization);
  // 13 only adds bfloat16.
  registry.add("MeanVarianceNormalization", 9, kLatestOpset,
               importMeanVarianceNormalization);
  registry.add("LRN", 1, kLatestOpset, importLRN);
}
