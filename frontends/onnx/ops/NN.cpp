//===- NN.cpp - ONNX convolution, pooling and softmax ---------------------===//
//
// Conv, MaxPool and AveragePool over 1-D or 2-D windows (1-D as 2-D with a
// unit height), with explicit or automatic padding; the global pools as
// reductions; Softmax in its pre-13 (coerced to 2-D) and 13+ forms.
//
//===----------------------------------------------------------------------===//

#include "../NodeImporter.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Window parameters in kiln's 2-D form.
struct Window {
  SmallVector<int64_t> kernel, strides, pads, dilations;
};

int64_t rankOf(Value v) { return cast<RankedTensorType>(v.getType()).getRank(); }

/// Reads kernel/strides/pads/dilations/auto_pad for `spatial` (1 or 2)
/// dimensions of `input` and returns them for 2-D.
FailureOr<Window> readWindow(OnnxNode &node, Value input,
                             ArrayRef<int64_t> kernel, int64_t spatial) {
  Window w;
  SmallVector<int64_t> ones(spatial, 1), zeros(2 * spatial, 0);
  SmallVector<int64_t> strides = node.intsAttr("strides", ones);
  SmallVector<int64_t> dilations = node.intsAttr("dilations", ones);
  SmallVector<int64_t> pads = node.intsAttr("pads", zeros);
  if ((int64_t)kernel.size() != spatial ||
      (int64_t)strides.size() != spatial ||
      (int64_t)dilations.size() != spatial ||
      (int64_t)pads.size() != 2 * spatial)
    return node.emitError() << "kernel_shape, strides, dilations and pads "
                               "must match the "
                            << spatial << " spatial dimensions";
  std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    pads = zeros;
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    auto type = cast<RankedTensorType>(input.getType());
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t size = type.getDimSize(2 + i);
      if (ShapedType::isDynamic(size))
        return node.emitError() << "auto_pad " << autoPad
                                << " needs static spatial dimensions";
      int64_t out = (size + strides[i] - 1) / strides[i];
      int64_t total = std::max<int64_t>(
          0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size);
      int64_t small = total / 2, large = total - small;
      pads[i] = autoPad == "SAME_UPPER" ? small : large;
      pads[spatial + i] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    return node.emitError() << "unknown auto_pad '" << autoPad << "'";
  }
  if (spatial == 1) {
    w.kernel = {1, kernel[0]};
    w.strides = {1, strides[0]};
    w.dilations = {1, dilations[0]};
    w.pads = {0, pads[0], 0, pads[1]};
  } else {
    w.kernel.assign(kernel.begin(), kernel.end());
    w.strides = strides;
    w.dilations = dilations;
    w.pads = pads;
  }
  return w;
}

/// [N, C, L] -> [N, C, 1, L] (also weights [F, C, K] -> [F, C, 1, K]).
FailureOr<Value> addUnitHeight(OnnxNode &node, Value v) {
  return node.create<ReshapeOp>(v, ArrayRef<int64_t>{0, 0, 1, -1});
}

/// [N, C, 1, L] -> [N, C, L].
FailureOr<Value> dropUnitHeight(OnnxNode &node, Value v) {
  return node.create<ReshapeOp>(v, ArrayRef<int64_t>{0, 0, -1});
}

/// The number of spatial dims of an NCHW-like input, if 1 or 2.
FailureOr<int64_t> spatialRank(OnnxNode &node, Value input) {
  int64_t spatial = rankOf(input) - 2;
  if (spatial != 1 && spatial != 2)
    return node.emitError() << node.opType() << " over " << spatial
                            << " spatial dimensions is not supported (1 or 2 "
                               "are)";
  return spatial;
}

LogicalResult importConv(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto w = node.requiredInput(1);
  if (failed(x) || failed(w))
    return failure();
  auto spatial = spatialRank(node, *x);
  if (failed(spatial))
    return failure();
  if (rankOf(*w) != rankOf(*x))
    return node.emitError() << "weight rank " << rankOf(*w)
                            << " does not match input rank " << rankOf(*x);
  auto weightType = cast<RankedTensorType>(w->getType());
  SmallVector<int64_t> kernel(weightType.getShape().drop_front(2));
  if (node.hasAttr("kernel_shape") &&
      node.intsAttr("kernel_shape") != kernel)
    return node.emitError() << "kernel_shape does not match the weight";
  auto window = readWindow(node, *x, kernel, *spatial);
  if (failed(window))
    return failure();
  Value input = *x, weight = *w;
  if (*spatial == 1) {
    auto in4 = addUnitHeight(node, input);
    auto w4 = addUnitHeight(node, weight);
    if (failed(in4) || failed(w4))
      return failure();
    input = *in4;
    weight = *w4;
  }
  auto conv = node.create<Conv2DOp>(input, weight, node.input(2),
                                    window->strides, window->pads,
                                    window->dilations, node.intAttr("group", 1));
  if (failed(conv))
    return failure();
  Value result = *conv;
  if (*spatial == 1) {
    auto r = dropUnitHeight(node, result);
    if (failed(r))
      return failure();
    result = *r;
  }
  return node.setResult(0, result);
}

template <typename PoolOp> LogicalResult importPool(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  if (node.outputUsed(1))
    return node.emitError() << "the Indices output of MaxPool is not "
                               "supported";
  auto spatial = spatialRank(node, *x);
  if (failed(spatial))
    return failure();
  auto window = readWindow(node, *x, node.intsAttr("kernel_shape"), *spatial);
  if (failed(window))
    return failure();
  Value input = *x;
  if (*spatial == 1) {
    auto in4 = addUnitHeight(node, input);
    if (failed(in4))
      return failure();
    input = *in4;
  }
  bool ceilMode = node.intAttr("ceil_mode", 0) != 0;
  FailureOr<Value> pooled;
  if constexpr (std::is_same_v<PoolOp, MaxPool2DOp>)
    pooled = node.create<MaxPool2DOp>(input, window->kernel, window->strides,
                                      window->pads, window->dilations,
                                      ceilMode);
  else
    pooled = node.create<AvgPool2DOp>(
        input, window->kernel, window->strides, window->pads,
        window->dilations, ceilMode, node.intAttr("count_include_pad", 0) != 0);
  if (failed(pooled))
    return failure();
  Value result = *pooled;
  if (*spatial == 1) {
    auto r = dropUnitHeight(node, result);
    if (failed(r))
      return failure();
    result = *r;
  }
  return node.setResult(0, result);
}

template <typename ReduceOpTy> LogicalResult importGlobalPool(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = rankOf(*x);
  if (rank < 3)
    return node.emitError() << "expects an N x C x spatial... input";
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < rank; ++i)
    axes.push_back(i);
  auto result = node.create<ReduceOpTy>(*x, axes, /*keepdims=*/true);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Softmax from opset 13: along one axis (default -1).
LogicalResult importSoftmax13(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  auto axis = node.normalizeAxis(node.intAttr("axis", -1), rankOf(*x));
  if (failed(axis))
    return failure();
  auto result = node.create<SoftmaxOp>(*x, *axis);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Softmax before opset 13: over all dimensions from `axis` (default 1) on,
/// as if the input were flattened to 2-D there.
LogicalResult importSoftmaxLegacy(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  int64_t rank = type.getRank();
  auto axis = node.normalizeAxis(node.intAttr("axis", 1), rank);
  if (failed(axis))
    return failure();
  if (*axis == rank - 1) {
    auto result = node.create<SoftmaxOp>(*x, *axis);
    if (failed(result))
      return failure();
    return node.setResult(0, *result);
  }
  // Flatten, softmax the rows, restore the shape (which needs at most one
  // dynamic dimension, for -1).
  SmallVector<int64_t> restore;
  int dynamic = 0;
  for (int64_t d : type.getShape()) {
    restore.push_back(ShapedType::isDynamic(d) ? -1 : d);
    dynamic += ShapedType::isDynamic(d);
  }
  if (dynamic > 1)
    return node.emitError() << "Softmax (opset < 13) over several dimensions "
                               "needs at most one dynamic dimension";
  auto flat = node.create<FlattenOp>(*x, *axis);
  if (failed(flat))
    return failure();
  auto soft = node.create<SoftmaxOp>(*flat, 1);
  if (failed(soft))
    return failure();
  auto result = node.create<ReshapeOp>(*soft, restore);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

} // namespace

void mlir::kiln::registerNNOps(OnnxOpRegistry &registry) {
  registry.add("Conv", 1, kLatestOpset, importConv);
  registry.add("MaxPool", 1, kLatestOpset, importPool<MaxPool2DOp>);
  registry.add("AveragePool", 1, kLatestOpset, importPool<AvgPool2DOp>);
  registry.add("GlobalAveragePool", 1, kLatestOpset,
               importGlobalPool<ReduceMeanOp>);
  registry.add("GlobalMaxPool", 1, kLatestOpset,
               importGlobalPool<ReduceMaxOp>);
  registry.add("Softmax", 1, 12, importSoftmaxLegacy);
  registry.add("Softmax", 13, kLatestOpset, importSoftmax13);
}
