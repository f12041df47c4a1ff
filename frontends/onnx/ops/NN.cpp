//===- NN.cpp - ONNX convolution, pooling, resampling and softmax ---------===//
//
// Conv over 1-D or 2-D windows and ConvTranspose over 1-D to 3-D ones (1-D
// as 2-D with a unit height); MaxPool (with its Indices output), AveragePool and LpPool over
// 1-D, 2-D or 3-D windows (3-D as two 2-D pools, which is exact because
// max, sum and the counted window size all factor over dimensions); the
// global pools as reductions; MaxUnpool as a scatter; Resize, Upsample and
// GridSample; Softmax in its pre-13 (coerced to 2-D) and 13+ forms.
//
//===----------------------------------------------------------------------===//

#include "../NodeImporter.h"
#include "OpChain.h"

#include "kiln/Dialect/Kiln/IR/ConstantOperands.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Window parameters as ONNX gives them, for `spatial` dimensions: pads are
/// [begin..., end...].
struct Window {
  SmallVector<int64_t> kernel, strides, pads, dilations;
};

int64_t rankOf(Value v) { return cast<RankedTensorType>(v.getType()).getRank(); }

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Reads kernel/strides/pads/dilations/auto_pad for `spatial` dimensions of
/// `input`.
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
    auto type = typeOf(input);
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
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = strides;
  w.dilations = dilations;
  w.pads = pads;
  return w;
}

/// A 1-D window as the 2-D one kiln's ops take (a unit height in front).
Window withUnitHeight(const Window &w) {
  return {{1, w.kernel[0]},
          {1, w.strides[0]},
          {0, w.pads[0], 0, w.pads[1]},
          {1, w.dilations[0]}};
}

/// [N, C, L] -> [N, C, 1, L] (also weights [F, C, K] -> [F, C, 1, K]).
FailureOr<Value> addUnitHeight(OnnxNode &node, Value v) {
  return node.create<ReshapeOp>(v, ArrayRef<int64_t>{0, 0, 1, -1});
}

/// [N, C, 1, L] -> [N, C, L].
FailureOr<Value> dropUnitHeight(OnnxNode &node, Value v) {
  return node.create<ReshapeOp>(v, ArrayRef<int64_t>{0, 0, -1});
}

/// The number of spatial dims of an NCHW-like input, if in [1, maxSpatial].
FailureOr<int64_t> spatialRank(OnnxNode &node, Value input,
                               int64_t maxSpatial = 2) {
  int64_t spatial = rankOf(input) - 2;
  if (spatial < 1 || spatial > maxSpatial)
    return node.emitError() << node.opType() << " over " << spatial
                            << " spatial dimensions is not supported (1 to "
                            << maxSpatial << " are)";
  return spatial;
}

/// A 1-D i64 constant.
Value indexVector(OnnxNode &node, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({(int64_t)values.size()},
                                    node.getBuilder().getI64Type());
  return ConstantOp::create(node.getBuilder(), node.getLoc(),
                            DenseElementsAttr::get(type, values));
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
  auto weightType = typeOf(*w);
  SmallVector<int64_t> kernel(weightType.getShape().drop_front(2));
  if (node.hasAttr("kernel_shape") &&
      node.intsAttr("kernel_shape") != kernel)
    return node.emitError() << "kernel_shape does not match the weight";
  auto window = readWindow(node, *x, kernel, *spatial);
  if (failed(window))
    return failure();
  Value input = *x, weight = *w;
  if (*spatial == 1) {
    *window = withUnitHeight(*window);
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

/// ConvTranspose. The pads come from `pads`, from `auto_pad` (an output of
/// input * stride) or from `output_shape`; where `output_shape` asks for
/// more than the full transposed convolution, the extra rows are
/// output_padding. Version 1 splits an odd total padding the other way
/// round from version 11.
LogicalResult importConvTranspose(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto w = node.requiredInput(1);
  if (failed(x) || failed(w))
    return failure();
  auto spatial = spatialRank(node, *x, /*maxSpatial=*/3);
  if (failed(spatial))
    return failure();
  int64_t n = *spatial;
  if (rankOf(*w) != rankOf(*x))
    return node.emitError() << "weight rank " << rankOf(*w)
                            << " does not match input rank " << rankOf(*x);
  auto inputType = typeOf(*x), weightType = typeOf(*w);
  SmallVector<int64_t> kernel(weightType.getShape().drop_front(2));
  if (llvm::any_of(kernel, ShapedType::isDynamic))
    return node.emitError() << "a weight with dynamic kernel dimensions is "
                               "not supported";
  if (node.hasAttr("kernel_shape") &&
      node.intsAttr("kernel_shape") != kernel)
    return node.emitError() << "kernel_shape does not match the weight";
  SmallVector<int64_t> ones(n, 1), zeros(n, 0);
  SmallVector<int64_t> strides = node.intsAttr("strides", ones);
  SmallVector<int64_t> dilations = node.intsAttr("dilations", ones);
  SmallVector<int64_t> pads = node.intsAttr("pads", SmallVector<int64_t>(2 * n, 0));
  SmallVector<int64_t> outputPadding = node.intsAttr("output_padding", zeros);
  SmallVector<int64_t> outputShape = node.intsAttr("output_shape");
  if ((int64_t)outputShape.size() == n + 2)
    outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  if ((int64_t)strides.size() != n || (int64_t)dilations.size() != n ||
      (int64_t)pads.size() != 2 * n || (int64_t)outputPadding.size() != n ||
      (!outputShape.empty() && (int64_t)outputShape.size() != n))
    return node.emitError() << "strides, dilations, pads, output_padding and "
                               "output_shape must match the "
                            << n << " spatial dimensions";
  std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return node.emitError() << "unknown auto_pad '" << autoPad << "'";
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  if (autoPad == "VALID")
    pads.assign(2 * n, 0);
  if (!outputShape.empty() || same) {
    for (int64_t i = 0; i < n; ++i) {
      int64_t size = inputType.getDimSize(2 + i);
      if (ShapedType::isDynamic(size))
        return node.emitError() << (same ? "auto_pad " + autoPad
                                         : std::string("output_shape"))
                                << " needs static spatial dimensions";
      int64_t out = outputShape.empty() ? size * strides[i] : outputShape[i];
      int64_t total = strides[i] * (size - 1) + outputPadding[i] +
                      (kernel[i] - 1) * dilations[i] + 1 - out;
      if (total < 0) {
        // The output is larger than the full result: zeros at the end.
        pads[i] = pads[n + i] = 0;
        outputPadding[i] -= total;
        continue;
      }
      bool halfFirst = node.version() >= 11 ? autoPad == "SAME_UPPER"
                                            : autoPad != "SAME_UPPER";
      pads[i] = halfFirst ? total / 2 : total - total / 2;
      pads[n + i] = total - pads[i];
    }
  }
  int64_t groups = node.intAttr("group", 1);
  if (n == 3 && groups != 1)
    return node.emitError() << "grouped ConvTranspose over 3 spatial "
                               "dimensions is not supported";
  Value input = *x, weight = *w;
  if (n == 1) {
    strides = {1, strides[0]};
    dilations = {1, dilations[0]};
    pads = {0, pads[0], 0, pads[1]};
    outputPadding = {0, outputPadding[0]};
    auto in4 = addUnitHeight(node, input);
    auto w4 = addUnitHeight(node, weight);
    if (failed(in4) || failed(w4))
      return failure();
    input = *in4;
    weight = *w4;
  }
  auto conv = node.create<ConvTransposeOp>(
      input, weight, node.input(2), strides, pads, dilations, outputPadding,
      groups);
  if (failed(conv))
    return failure();
  Value result = *conv;
  if (n == 1) {
    auto r = dropUnitHeight(node, result);
    if (failed(r))
      return failure();
    result = *r;
  }
  return node.setResult(0, result);
}

enum class PoolKind { Max, Average };

/// A 2-D pool of an NCHW input.
FailureOr<Value> pool2D(OnnxNode &node, PoolKind kind, Value input,
                        const Window &w, bool ceilMode, bool countIncludePad) {
  if (kind == PoolKind::Max)
    return node.create<MaxPool2DOp>(input, w.kernel, w.strides, w.pads,
                                    w.dilations, ceilMode);
  return node.create<AvgPool2DOp>(input, w.kernel, w.strides, w.pads,
                                  w.dilations, ceilMode, countIncludePad);
}

/// A pool over 1, 2 or 3 spatial dims. 1-D runs as 2-D with a unit height;
/// 3-D [N, C, D, H, W] as a 2-D pool over (H, W) of [N, C*D, H, W], then
/// one over (D, 1) of [N, C, D, OH*OW]: the window is a product of
/// per-dimension ranges, and so are its taps, its padding and the elements
/// an average counts.
FailureOr<Value> poolNd(OnnxNode &node, PoolKind kind, Value input,
                        const Window &w, bool ceilMode, bool countIncludePad) {
  int64_t spatial = (int64_t)w.kernel.size();
  if (spatial == 2)
    return pool2D(node, kind, input, w, ceilMode, countIncludePad);
  if (spatial == 1) {
    auto in4 = addUnitHeight(node, input);
    if (failed(in4))
      return failure();
    auto pooled = pool2D(node, kind, *in4, withUnitHeight(w), ceilMode,
                         countIncludePad);
    if (failed(pooled))
      return failure();
    return dropUnitHeight(node, *pooled);
  }
  auto shape = typeOf(input).getShape();
  if (llvm::any_of(shape.drop_front(), ShapedType::isDynamic))
    return node.emitError() << node.opType()
                            << " over 3 spatial dimensions needs static "
                               "channel and spatial dimensions";
  int64_t c = shape[1], d = shape[2], h = shape[3], wd = shape[4];
  auto planes = node.create<ReshapeOp>(input, ArrayRef<int64_t>{0, c * d, h, wd});
  if (failed(planes))
    return failure();
  Window inner{{w.kernel[1], w.kernel[2]},
               {w.strides[1], w.strides[2]},
               {w.pads[1], w.pads[2], w.pads[4], w.pads[5]},
               {w.dilations[1], w.dilations[2]}};
  auto first = pool2D(node, kind, *planes, inner, ceilMode, countIncludePad);
  if (failed(first))
    return failure();
  auto firstShape = typeOf(*first).getShape();
  int64_t oh = firstShape[2], ow = firstShape[3];
  auto columns =
      node.create<ReshapeOp>(*first, ArrayRef<int64_t>{0, c, d, oh * ow});
  if (failed(columns))
    return failure();
  Window outer{{w.kernel[0], 1},
               {w.strides[0], 1},
               {w.pads[0], 0, w.pads[3], 0},
               {w.dilations[0], 1}};
  auto second = pool2D(node, kind, *columns, outer, ceilMode, countIncludePad);
  if (failed(second))
    return failure();
  return node.create<ReshapeOp>(*second, ArrayRef<int64_t>{0, 0, 0, oh, ow});
}

template <PoolKind kind> LogicalResult importPool(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  auto spatial = spatialRank(node, *x, /*maxSpatial=*/3);
  if (failed(spatial))
    return failure();
  auto window = readWindow(node, *x, node.intsAttr("kernel_shape"), *spatial);
  if (failed(window))
    return failure();
  bool ceilMode = node.intAttr("ceil_mode", 0) != 0;
  if (kind == PoolKind::Max && node.outputUsed(1)) {
    // Indices: flat positions in the input, which a unit height in front
    // does not change.
    if (*spatial == 3)
      return node.emitError() << "the Indices output of MaxPool over 3 "
                                 "spatial dimensions is not supported";
    int64_t storageOrder = node.intAttr("storage_order", 0);
    if (storageOrder != 0 && storageOrder != 1)
      return node.emitError() << "storage_order " << storageOrder
                              << " is not supported";
    Value input = *x;
    Window w = *window;
    if (*spatial == 1) {
      auto in4 = addUnitHeight(node, input);
      if (failed(in4))
        return failure();
      input = *in4;
      w = withUnitHeight(w);
    }
    auto values = node.create<MaxPool2DWithIndicesOp>(
        input, w.kernel, w.strides, w.pads, w.dilations, ceilMode,
        storageOrder == 1);
    if (failed(values))
      return failure();
    Value indices = values->getDefiningOp()->getResult(1);
    Value result = *values;
    if (*spatial == 1) {
      auto r = dropUnitHeight(node, result);
      auto i = dropUnitHeight(node, indices);
      if (failed(r) || failed(i))
        return failure();
      result = *r;
      indices = *i;
    }
    if (failed(node.setResult(0, result)))
      return failure();
    return node.setResult(1, indices);
  }
  auto pooled = poolNd(node, kind, *x, *window, ceilMode,
                       node.intAttr("count_include_pad", 0) != 0);
  if (failed(pooled))
    return failure();
  return node.setResult(0, *pooled);
}

/// |x|^p, with p = 1 and 2 spelled without pow.
Value absPower(OpChain &chain, Value x, int64_t p) {
  Value a = chain.create<AbsOp>(x);
  if (p == 1)
    return a;
  if (p == 2)
    return chain.create<MulOp>(a, a);
  return chain.create<PowOp>(a, chain.scalar(elementTypeOf(x), (double)p));
}

/// s^(1/p).
Value root(OpChain &chain, Value s, int64_t p) {
  if (p == 1)
    return s;
  if (p == 2)
    return chain.create<SqrtOp>(s);
  return chain.create<PowOp>(s, chain.scalar(elementTypeOf(s), 1.0 / p));
}

/// LpPool (version 2 on, p an integer): (sum over the window of |x|^p)^(1/p)
/// with zero padding, the sum being an average that counts the padding,
/// times the window size.
LogicalResult importLpPool(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  auto spatial = spatialRank(node, *x, /*maxSpatial=*/3);
  if (failed(spatial))
    return failure();
  auto window = readWindow(node, *x, node.intsAttr("kernel_shape"), *spatial);
  if (failed(window))
    return failure();
  int64_t p = node.intAttr("p", 2);
  if (p < 1)
    return node.emitError() << "p = " << p << " is not supported (p >= 1 is)";
  OpChain chain(node);
  Value powered = absPower(chain, *x, p);
  if (!chain.ok())
    return failure();
  auto mean = poolNd(node, PoolKind::Average, powered, *window,
                     /*ceilMode=*/false, /*countIncludePad=*/true);
  if (failed(mean))
    return failure();
  int64_t size = 1;
  for (int64_t k : window->kernel)
    size *= k;
  Value sum = chain.create<MulOp>(*mean,
                                  chain.scalar(elementTypeOf(*x), (double)size));
  return chain.setResult(0, root(chain, sum, p));
}

/// GlobalLpPool: the p-norm over all spatial dimensions.
LogicalResult importGlobalLpPool(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = rankOf(*x);
  if (rank < 3)
    return node.emitError() << "expects an N x C x spatial... input";
  int64_t p = node.intAttr("p", 2);
  if (p < 1)
    return node.emitError() << "p = " << p << " is not supported (p >= 1 is)";
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < rank; ++i)
    axes.push_back(i);
  OpChain chain(node);
  Value sum =
      chain.create<ReduceSumOp>(absPower(chain, *x, p), axes, /*keepdims=*/true);
  return chain.setResult(0, root(chain, sum, p));
}

/// MaxUnpool: zeros of the output shape with X written at the flat indices
/// I, as a scatter into the flattened output. The shape is the
/// output_shape input (constant or computed) or, without it, what MaxPool's
/// window arithmetic inverts to.
LogicalResult importMaxUnpool(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto indices = node.requiredInput(1);
  if (failed(x) || failed(indices))
    return failure();
  int64_t rank = rankOf(*x);
  if (rank < 3)
    return node.emitError() << "expects an N x C x spatial... input";
  int64_t spatial = rank - 2;
  SmallVector<int64_t> kernel = node.intsAttr("kernel_shape");
  SmallVector<int64_t> strides =
      node.intsAttr("strides", SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> pads =
      node.intsAttr("pads", SmallVector<int64_t>(2 * spatial, 0));
  if ((int64_t)kernel.size() != spatial ||
      (int64_t)strides.size() != spatial ||
      (int64_t)pads.size() != 2 * spatial)
    return node.emitError() << "kernel_shape, strides and pads must match the "
                            << spatial << " spatial dimensions";
  if (!isa<IntegerType>(elementTypeOf(*indices)))
    return node.emitError() << "expects integer indices";
  OpChain chain(node);
  Type elementType = elementTypeOf(*x);
  Value zeros, shape;
  if (Value outputShape = node.input(2)) {
    auto shapeType = typeOf(outputShape);
    if (shapeType.getRank() != 1 || shapeType.getDimSize(0) != rank ||
        !isa<IntegerType>(shapeType.getElementType()))
      return node.emitError() << "expects output_shape to be a 1-D integer "
                                 "tensor of "
                              << rank << " entries";
    shape = outputShape;
    zeros = chain.create<ConstantOfShapeOp>(
        outputShape, FloatAttr::get(elementType, 0.0));
  } else {
    auto inputShape = typeOf(*x).getShape();
    SmallVector<int64_t> outShape;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t size = inputShape[i];
      if (ShapedType::isDynamic(size))
        return node.emitError() << "MaxUnpool without output_shape needs a "
                                   "static input shape";
      if (i >= 2) {
        int64_t s = i - 2;
        size = (size - 1) * strides[s] + kernel[s] - pads[s] -
               pads[spatial + s];
      }
      outShape.push_back(size);
    }
    auto type = RankedTensorType::get(outShape, elementType);
    zeros = ConstantOp::create(node.getBuilder(), node.getLoc(),
                               DenseElementsAttr::get(
                                   type, FloatAttr::get(elementType, 0.0)));
  }
  if (!isa<FloatType>(elementType))
    return node.emitError() << "MaxUnpool of non-float tensors is not "
                               "supported";
  Value flatZeros = chain.create<ReshapeOp>(zeros, ArrayRef<int64_t>{-1});
  Value flatIndices =
      chain.create<ReshapeOp>(*indices, ArrayRef<int64_t>{-1});
  Value flatValues = chain.create<ReshapeOp>(*x, ArrayRef<int64_t>{-1});
  Value scattered = chain.create<ScatterElementsOp>(
      flatZeros, flatIndices, flatValues, /*axis=*/0, "none");
  Value result =
      shape ? chain.create<DynamicReshapeOp>(scattered, shape, false)
            : chain.create<ReshapeOp>(scattered,
                                      typeOf(zeros).getShape());
  return chain.setResult(0, result);
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

/// An optional 1-D input of Resize: null when absent, named "" or empty
/// (opset 11 passes an empty scales tensor when it gives sizes).
Value optionalVector(OnnxNode &node, unsigned i) {
  Value v = node.input(i);
  if (!v)
    return {};
  auto type = typeOf(v);
  if (type.getRank() == 1 && type.getDimSize(0) == 0)
    return {};
  return v;
}

/// Checks that `v` is a 1-D tensor of `rank` entries of the right kind.
LogicalResult checkVector(OnnxNode &node, Value v, StringRef what,
                          int64_t rank, bool isFloat, int64_t factor = 1) {
  auto type = typeOf(v);
  Type element = type.getElementType();
  if (type.getRank() != 1 ||
      (isFloat ? !isa<FloatType>(element) : !isa<IntegerType>(element)))
    return node.emitError() << "expects " << what << " to be a 1-D "
                            << (isFloat ? "float" : "integer") << " tensor";
  if (type.isDynamicDim(0))
    return node.emitError() << what
                            << " of unknown length (a dynamic dimension) is "
                               "not supported";
  if (type.getDimSize(0) != factor * rank)
    return node.emitError() << "expects " << what << " to have "
                            << factor * rank << " entries, got "
                            << type.getDimSize(0);
  return success();
}

/// Builds kiln.resize after checking what the op cannot express.
LogicalResult buildResize(OnnxNode &node, Value x, Value scales, Value sizes,
                          Value roi, StringRef mode, StringRef transform,
                          StringRef nearestMode, double cubicA, bool exclude,
                          double extrapolation) {
  int64_t rank = rankOf(x);
  if (scales && sizes)
    return node.emitError() << "expects scales or sizes, not both";
  if (!scales && !sizes)
    return node.emitError() << "expects scales or sizes";
  if (scales && failed(checkVector(node, scales, "scales", rank, true)))
    return failure();
  if (sizes && failed(checkVector(node, sizes, "sizes", rank, false)))
    return failure();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return node.emitError() << "mode '" << mode << "' is not supported";
  if (transform != "half_pixel" && transform != "pytorch_half_pixel" &&
      transform != "align_corners" && transform != "asymmetric" &&
      transform != "tf_half_pixel_for_nn" && transform != "tf_crop_and_resize")
    return node.emitError() << "coordinate_transformation_mode '" << transform
                            << "' is not supported";
  if (nearestMode != "round_prefer_floor" && nearestMode != "round_prefer_ceil" &&
      nearestMode != "floor" && nearestMode != "ceil")
    return node.emitError() << "nearest_mode '" << nearestMode
                            << "' is not supported";
  if (mode != "nearest" && !isa<FloatType>(elementTypeOf(x)))
    return node.emitError() << mode
                            << " interpolation of integers is not supported";
  if (transform != "tf_crop_and_resize") {
    roi = Value();
  } else {
    if (!roi)
      return node.emitError() << "tf_crop_and_resize needs a roi";
    if (failed(checkVector(node, roi, "roi", rank, true, /*factor=*/2)))
      return failure();
  }
  auto resized = node.create<ResizeOp>(
      x, scales, sizes, roi, mode, transform, nearestMode, APFloat(cubicA),
      exclude, APFloat(extrapolation));
  if (failed(resized))
    return failure();
  return node.setResult(0, *resized);
}

/// Resize from version 11: roi, scales and sizes inputs, every attribute.
LogicalResult importResize11(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  return buildResize(
      node, *x, optionalVector(node, 2), optionalVector(node, 3),
      optionalVector(node, 1), node.stringAttr("mode", "nearest"),
      node.stringAttr("coordinate_transformation_mode", "half_pixel"),
      node.stringAttr("nearest_mode", "round_prefer_floor"),
      node.floatAttr("cubic_coeff_a", -0.75f),
      node.intAttr("exclude_outside", 0) != 0,
      node.floatAttr("extrapolation_value", 0.0f));
}

/// Upsample 7 (scales attribute), Upsample 9 and Resize 10 (scales input):
/// output coordinate x reads input coordinate x / scale, rounded down for
/// nearest, as ONNX Runtime does for these versions (the schemas leave it
/// unsaid).
LogicalResult importUpsample(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  Value scales;
  if (node.opType() == "Upsample" && node.version() < 9) {
    SmallVector<float> values = node.floatsAttr("scales");
    auto type = RankedTensorType::get({(int64_t)values.size()},
                                      node.getBuilder().getF32Type());
    scales = node.constant(type, SmallVector<double>(values.begin(),
                                                     values.end()));
  } else {
    auto s = node.requiredInput(1);
    if (failed(s))
      return failure();
    scales = *s;
  }
  std::string mode = node.stringAttr("mode", "nearest");
  if (mode != "nearest" && mode != "linear")
    return node.emitError() << "mode '" << mode << "' is not supported";
  return buildResize(node, *x, scales, Value(), Value(), mode, "asymmetric",
                     "floor", -0.75, false, 0.0);
}

/// GridSample (version 16): 4-D inputs only, as in the schema.
LogicalResult importGridSample(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto grid = node.requiredInput(1);
  if (failed(x) || failed(grid))
    return failure();
  if (rankOf(*x) != 4)
    return node.emitError() << "GridSample of a rank-" << rankOf(*x)
                            << " input is not supported (rank 4 is)";
  std::string mode = node.stringAttr("mode", "bilinear");
  std::string padding = node.stringAttr("padding_mode", "zeros");
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic")
    return node.emitError() << "mode '" << mode << "' is not supported";
  if (padding != "zeros" && padding != "border" && padding != "reflection")
    return node.emitError() << "padding_mode '" << padding
                            << "' is not supported";
  auto sampled = node.create<GridSampleOp>(
      *x, *grid, mode, padding, node.intAttr("align_corners", 0) != 0);
  if (failed(sampled))
    return failure();
  return node.setResult(0, *sampled);
}

} // namespace

void mlir::kiln::registerNNOps(OnnxOpRegistry &registry) {
  registry.add("Conv", 1, kLatestOpset, importConv);
  registry.add("ConvTranspose", 1, kLatestOpset, importConvTranspose);
  registry.add("MaxPool", 1, kLatestOpset, importPool<PoolKind::Max>);
  registry.add("AveragePool", 1, kLatestOpset,
               importPool<PoolKind::Average>);
  registry.add("LpPool", 2, kLatestOpset, importLpPool);
  registry.add("GlobalLpPool", 2, kLatestOpset, importGlobalLpPool);
  registry.add("MaxUnpool", 9, kLatestOpset, importMaxUnpool);
  registry.add("Upsample", 7, 9, importUpsample);
  registry.add("Resize", 10, 10, importUpsample);
  registry.add("Resize", 11, kLatestOpset, importResize11);
  registry.add("GridSample", 16, kLatestOpset, importGridSample);
  registry.add("GlobalAveragePool", 1, kLatestOpset,
               importGlobalPool<ReduceMeanOp>);
  registry.add("GlobalMaxPool", 1, kLatestOpset,
               importGlobalPool<ReduceMaxOp>);
  registry.add("Softmax", 1, 12, importSoftmaxLegacy);
  registry.add("Softmax", 13, kLatestOpset, importSoftmax13);
}
