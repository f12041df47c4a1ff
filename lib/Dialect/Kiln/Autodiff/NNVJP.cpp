//===- NNVJP.cpp - Gradient rules of convolution and pooling --------------===//
//
// Every rule here is a composition of existing kiln ops, so that the backward
// pass goes through the same lowerings (and fusions) as the forward one:
//
// - conv2d, input: the transposed convolution of the output cotangent with
//   the same weight (kiln.conv_transpose is defined as exactly that
//   gradient), its end pads / output_padding chosen to give back the input's
//   extents.
// - conv2d, weight: a convolution in which the batch becomes the reduced
//   channel dimension: the input, as [C/G, G*N, H, W], convolved with the
//   output cotangent, as [F, N, OH, OW], with groups G, the forward dilation
//   as stride and the forward stride as dilation, gives [C/G, F, KH', KW'];
//   its first KH x KW window positions, transposed, are the gradient.
// - conv2d, bias: the cotangent summed over N, OH, OW.
// - conv_transpose (2-D): the same two with the roles of input and output
//   swapped (it is conv2d's input gradient, so its own input gradient is
//   conv2d).
// - max_pool2d: max_pool2d_with_indices recomputes where each maximum came
//   from (the first one on a tie, as PyTorch does) and scatter_elements adds
//   the cotangents there; max_pool2d_with_indices uses its own indices.
// - avg_pool2d: the cotangent divided by each window's divisor, spread back
//   over the window by a depthwise transposed convolution with a kernel of
//   ones. The divisor is read off the op itself (avg_pool2d of ones divided
//   by the number of input elements in each window), so that pads,
//   count_include_pad and ceil_mode mean exactly what the forward op means.
//
// These need static channel, spatial and kernel sizes (the batch may be
// dynamic): the pads that make the transposed convolution fit are
// attributes.
//
//===----------------------------------------------------------------------===//

#include "VJP.h"

#include "kiln/Dialect/Kiln/IR/ShapeInference.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Whether every dim of `type` from `from` on is static.
bool staticFrom(Value v, int64_t from) {
  auto type = cast<RankedTensorType>(v.getType());
  return llvm::none_of(type.getShape().drop_front(from), ShapedType::isDynamic);
}

/// A constant tensor of `shape` filled with `value`, of `like`'s element type.
Value splat(OpBuilder &b, Location loc, Value like, ArrayRef<int64_t> shape,
            double value) {
  Type elementType = getElementTypeOrSelf(like.getType());
  auto type = RankedTensorType::get(shape, elementType);
  return ConstantOp::create(
      b, loc,
      cast<ElementsAttr>(DenseElementsAttr::get(
          type, (Attribute)b.getFloatAttr(elementType, value))));
}

/// A 1-D i64 constant.
Value indexVector(OpBuilder &b, Location loc, ArrayRef<int64_t> values) {
  auto type =
      RankedTensorType::get({(int64_t)values.size()}, b.getIntegerType(64));
  return ConstantOp::create(
      b, loc, cast<ElementsAttr>(DenseIntElementsAttr::get(type, values)));
}

/// The end pads and output_padding that make a transposed convolution of an
/// `[.., out, ..]` tensor (forward stride, dilation, begin pad) give back
/// `size` elements along one spatial dim.
void transposedFit(int64_t size, int64_t out, int64_t kernel, int64_t stride,
                   int64_t dilation, int64_t padBegin, int64_t &padEnd,
                   int64_t &outputPadding) {
  int64_t reach = (out - 1) * stride + dilation * (kernel - 1) + 1 - padBegin;
  padEnd = reach >= size ? reach - size : 0;
  outputPadding = reach >= size ? 0 : size - reach;
}

/// The input cotangent of a convolution whose output cotangent is `g`: the
/// transposed convolution with `weight` (FCHW, `groups`) that gives back
/// `input`'s spatial extents.
Value convInputGrad(OpBuilder &b, Location loc, Value g, Value weight,
                    Value input, ArrayRef<int64_t> strides,
                    ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                    int64_t groups) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto gType = cast<RankedTensorType>(g.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  SmallVector<int64_t> tPads{pads[0], pads[1], 0, 0}, outputPadding{0, 0};
  for (int i = 0; i < 2; ++i)
    transposedFit(inputType.getDimSize(2 + i), gType.getDimSize(2 + i),
                  weightType.getDimSize(2 + i), strides[i], dilations[i],
                  pads[i], tPads[2 + i], outputPadding[i]);
  Value dx = make<ConvTransposeOp>(b, loc, g, weight, Value(), strides, tPads,
                                   dilations, outputPadding, (uint64_t)groups);
  return castTo(b, loc, dx, inputType);
}

/// The weight cotangent of a convolution of `x` (static C, H, W) whose output
/// cotangent `g` is [N, F, out[0], out[1]]: x as [C/G, G*N, H, W] (channel c
/// of group k at batch position k*N + n) convolved with g as [F, N, OH, OW],
/// the forward dilation as stride and stride as dilation, gives
/// [C/G, F, KH', KW'] whose first KH x KW positions, transposed, are the
/// gradient [F, C/G, KH, KW].
Value convWeightGrad(OpBuilder &b, Location loc, Value x, Value g,
                     ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                     ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                     int64_t groups, ArrayRef<int64_t> out) {
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t perGroup = xType.getDimSize(1) / groups;
  int64_t h = xType.getDimSize(2), wd = xType.getDimSize(3);
  Value xt;
  if (groups == 1) {
    xt = make<TransposeOp>(b, loc, x, ArrayRef<int64_t>{1, 0, 2, 3});
  } else {
    Value split = make<ReshapeOp>(
        b, loc, x, ArrayRef<int64_t>{0, groups, perGroup, h, wd});
    Value moved =
        make<TransposeOp>(b, loc, split, ArrayRef<int64_t>{2, 1, 0, 3, 4});
    xt = make<ReshapeOp>(b, loc, moved, ArrayRef<int64_t>{perGroup, -1, h, wd});
  }
  Value gt = make<TransposeOp>(b, loc, g, ArrayRef<int64_t>{1, 0, 2, 3});
  // Trim the end pads by the forward slack so that, where possible, the
  // result has exactly the kernel's extents; slice off what remains.
  SmallVector<int64_t> wPads(pads);
  SmallVector<int64_t> reach(2);
  for (int i = 0; i < 2; ++i) {
    int64_t size = xType.getDimSize(2 + i);
    int64_t slack = size + pads[i] + pads[2 + i] -
                    dilations[i] * (kernel[i] - 1) - 1 -
                    strides[i] * (out[i] - 1);
    wPads[2 + i] = std::max<int64_t>(pads[2 + i] - slack, 0);
    reach[i] = (size + pads[i] + wPads[2 + i] - strides[i] * (out[i] - 1) - 1) /
                   dilations[i] +
               1;
  }
  Value dw = make<Conv2DOp>(b, loc, xt, gt, Value(), dilations, wPads, strides,
                            (uint64_t)groups);
  if (reach[0] != kernel[0] || reach[1] != kernel[1])
    dw = make<SliceOp>(b, loc, dw, indexVector(b, loc, {0, 0}),
                       indexVector(b, loc, kernel), indexVector(b, loc, {2, 3}),
                       indexVector(b, loc, {1, 1}));
  return make<TransposeOp>(b, loc, dw, ArrayRef<int64_t>{1, 0, 2, 3});
}

/// `g` given the static type [N, channels, out[0], out[1]] (the declared
/// type may be less refined than what inference knows).
Value refineNCHW(OpBuilder &b, Location loc, Value g, int64_t channels,
                 ArrayRef<int64_t> out) {
  auto gType = cast<RankedTensorType>(g.getType());
  return castTo(
      b, loc, g,
      RankedTensorType::get({gType.getDimSize(0), channels, out[0], out[1]},
                            gType.getElementType()));
}

LogicalResult conv2dVJP(Conv2DOp op, OpBuilder &b, ValueRange grads,
                        SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput(), w = op.getWeight(), g = grads[0];
  if (!staticFrom(x, 1) || !staticFrom(w, 0))
    return op.emitOpError("cannot differentiate a convolution with dynamic "
                          "channel, spatial or kernel sizes");
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  ArrayRef<int64_t> strides = op.getStrides(), pads = op.getPads(),
                    dilations = op.getDilations();
  int64_t groups = op.getGroups();
  SmallVector<int64_t> kernel{wType.getDimSize(2), wType.getDimSize(3)};
  SmallVector<int64_t> outSize(2);
  for (int i = 0; i < 2; ++i)
    outSize[i] = windowOutputSize(xType.getDimSize(2 + i), kernel[i],
                                  strides[i], pads[i], pads[2 + i],
                                  dilations[i], /*ceilMode=*/false);
  g = refineNCHW(b, loc, g, wType.getDimSize(0), outSize);
  out.push_back(
      convInputGrad(b, loc, g, w, x, strides, pads, dilations, groups));
  Value dw = convWeightGrad(b, loc, x, g, kernel, strides, pads, dilations,
                            groups, outSize);
  out.push_back(castTo(b, loc, dw, wType));
  if (Value bias = op.getBias()) {
    Value db = make<ReduceSumOp>(b, loc, g, ArrayRef<int64_t>{0, 2, 3},
                                 /*keepdims=*/false);
    out.push_back(castTo(b, loc, db, bias.getType()));
  }
  return success();
}

// conv_transpose(x, W) is the input gradient of conv2d(., W) with the same
// attributes, so <g, conv_transpose(x, W)> = <conv2d(g, W), x>: the input
// cotangent is that convolution, and the weight cotangent is conv2d's
// weight gradient with g as the convolution's input and x as its output
// cotangent.
LogicalResult convTransposeVJP(ConvTransposeOp op, OpBuilder &b,
                               ValueRange grads, SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput(), w = op.getWeight(), g = grads[0];
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  if (xType.getRank() != 4)
    return op.emitOpError("cannot differentiate a transposed convolution "
                          "over 3 spatial dimensions");
  if (!staticFrom(x, 1) || !staticFrom(w, 0))
    return op.emitOpError("cannot differentiate a transposed convolution "
                          "with dynamic channel, spatial or kernel sizes");
  ArrayRef<int64_t> strides = op.getStrides(), pads = op.getPads(),
                    dilations = op.getDilations();
  int64_t groups = op.getGroups();
  SmallVector<int64_t> kernel{wType.getDimSize(2), wType.getDimSize(3)};
  SmallVector<int64_t> size(2), in{xType.getDimSize(2), xType.getDimSize(3)};
  for (int i = 0; i < 2; ++i)
    size[i] = (in[i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 -
              pads[i] - pads[2 + i] + op.getOutputPadding()[i];
  g = refineNCHW(b, loc, g, wType.getDimSize(1) * groups, size);
  // Input: conv2d(g, W) covers the input, plus output_padding / stride
  // extra positions, which are cut off.
  Value dx = make<Conv2DOp>(b, loc, g, w, Value(), strides, pads, dilations,
                            (uint64_t)groups);
  auto dxShape = cast<RankedTensorType>(dx.getType()).getShape();
  if (dxShape[2] != in[0] || dxShape[3] != in[1])
    dx = make<SliceOp>(b, loc, dx, indexVector(b, loc, {0, 0}),
                       indexVector(b, loc, in), indexVector(b, loc, {2, 3}),
                       indexVector(b, loc, {1, 1}));
  out.push_back(castTo(b, loc, dx, xType));
  Value dw = convWeightGrad(b, loc, g, x, kernel, strides, pads, dilations,
                            groups, in);
  out.push_back(castTo(b, loc, dw, wType));
  if (Value bias = op.getBias()) {
    Value db = make<ReduceSumOp>(b, loc, g, ArrayRef<int64_t>{0, 2, 3},
                                 /*keepdims=*/false);
    out.push_back(castTo(b, loc, db, bias.getType()));
  }
  return success();
}

/// The output extents of a pooling op, from its input's.
template <typename OpTy> SmallVector<int64_t> pooledSize(OpTy op) {
  auto xType = cast<RankedTensorType>(op.getInput().getType());
  SmallVector<int64_t> outSize(2);
  for (int i = 0; i < 2; ++i)
    outSize[i] = windowOutputSize(xType.getDimSize(2 + i),
                                  op.getKernelShape()[i], op.getStrides()[i],
                                  op.getPads()[i], op.getPads()[2 + i],
                                  op.getDilations()[i], op.getCeilMode());
  return outSize;
}

/// The cotangent `g` of pooled values added at `indices` (row-major into
/// the whole of `x`): a scatter into a flat zero tensor, reshaped back.
FailureOr<Value> scatterToInput(OpBuilder &b, Location loc, Value x,
                                Value indices, Value g) {
  Value flatIndices = make<ReshapeOp>(b, loc, indices, ArrayRef<int64_t>{-1});
  Value flatGrad = make<ReshapeOp>(b, loc, g, ArrayRef<int64_t>{-1});
  Value flatInput = make<ReshapeOp>(b, loc, x, ArrayRef<int64_t>{-1});
  Value scattered = make<ScatterElementsOp>(
      b, loc, fullLike(b, loc, flatInput, 0.0), flatIndices, flatGrad,
      (int64_t)0, b.getStringAttr("add"));
  return reshapeLike(b, loc, scattered, x);
}

LogicalResult maxPoolVJP(MaxPool2DOp op, OpBuilder &b, ValueRange grads,
                         SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput();
  if (!isDifferentiable(x.getType())) {
    out.push_back(Value());
    return success();
  }
  auto withIndices = MaxPool2DWithIndicesOp::create(
      b, loc, x, op.getKernelShape(), op.getStrides(), op.getPads(),
      op.getDilations(), op.getCeilMode(), /*column_major=*/false);
  auto dx = scatterToInput(b, loc, x, withIndices.getIndices(), grads[0]);
  if (failed(dx))
    return op.emitOpError("cannot differentiate a pooling of an input with "
                          "several dynamic dimensions");
  out.push_back(*dx);
  return success();
}

// The op's own indices say where the maxima came from, unless they are in
// column-major order: then row-major ones are recomputed.
LogicalResult maxPoolWithIndicesVJP(MaxPool2DWithIndicesOp op, OpBuilder &b,
                                    ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput();
  if (!isDifferentiable(x.getType())) {
    out.push_back(Value());
    return success();
  }
  Value indices = op.getIndices();
  if (op.getColumnMajor())
    indices = MaxPool2DWithIndicesOp::create(
                  b, loc, x, op.getKernelShape(), op.getStrides(), op.getPads(),
                  op.getDilations(), op.getCeilMode(),
                  /*column_major=*/false)
                  .getIndices();
  auto dx = scatterToInput(b, loc, x, indices, grads[0]);
  if (failed(dx))
    return op.emitOpError("cannot differentiate a pooling of an input with "
                          "several dynamic dimensions");
  out.push_back(*dx);
  return success();
}

LogicalResult avgPoolVJP(AvgPool2DOp op, OpBuilder &b, ValueRange grads,
                         SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput(), g = grads[0];
  if (!staticFrom(x, 1))
    return op.emitOpError("cannot differentiate a pooling with dynamic "
                          "channel or spatial sizes");
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t channels = xType.getDimSize(1);
  int64_t h = xType.getDimSize(2), wd = xType.getDimSize(3);
  ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                    pads = op.getPads(), dilations = op.getDilations();
  SmallVector<int64_t> outSize = pooledSize(op);
  auto gType = cast<RankedTensorType>(g.getType());
  g = castTo(b, loc, g,
             RankedTensorType::get(
                 {gType.getDimSize(0), channels, outSize[0], outSize[1]},
                 gType.getElementType()));

  // 1 / divisor of each window = avg_pool2d(ones) / (input elements in it);
  // the count is a sum pool of ones, a convolution whose end pads also
  // cover a ceil_mode overhang (which reads zeros).
  Value ones = splat(b, loc, x, {1, 1, h, wd}, 1.0);
  Value kernelOnes = splat(b, loc, x, {1, 1, kernel[0], kernel[1]}, 1.0);
  SmallVector<int64_t> countPads(pads);
  for (int i = 0; i < 2; ++i) {
    int64_t size = i == 0 ? h : wd;
    int64_t needed = (outSize[i] - 1) * strides[i] +
                     dilations[i] * (kernel[i] - 1) + 1 -
                     (size + pads[i] + pads[2 + i]);
    countPads[2 + i] += std::max<int64_t>(needed, 0);
  }
  Value count = make<Conv2DOp>(b, loc, ones, kernelOnes, Value(), strides,
                               countPads, dilations, (uint64_t)1);
  Value averaged =
      make<AvgPool2DOp>(b, loc, ones, kernel, strides, pads, dilations,
                        op.getCeilMode(), op.getCountIncludePad());
  // A window of padding only (possible in a ceil_mode overhang) takes
  // nothing from the input: its share is 0, not 0 / 0.
  Value zero = scalarLike(b, loc, x, 0.0);
  Value any = make<GreaterOp>(b, loc, count, zero);
  Value safeCount = make<MaxOp>(b, loc, count, scalarLike(b, loc, x, 1.0));
  Value share = make<SelectOp>(b, loc, any,
                               make<DivOp>(b, loc, averaged, safeCount), zero);
  Value scaled = make<MulOp>(b, loc, g, share);

  // Spread each window's share over its elements: a depthwise transposed
  // convolution with a kernel of ones.
  Value spread = splat(b, loc, x, {channels, 1, kernel[0], kernel[1]}, 1.0);
  SmallVector<int64_t> tPads{pads[0], pads[1], 0, 0}, outputPadding{0, 0};
  for (int i = 0; i < 2; ++i)
    transposedFit(i == 0 ? h : wd, outSize[i], kernel[i], strides[i],
                  dilations[i], pads[i], tPads[2 + i], outputPadding[i]);
  Value dx =
      make<ConvTransposeOp>(b, loc, scaled, spread, Value(), strides, tPads,
                            dilations, outputPadding, (uint64_t)channels);
  out.push_back(castTo(b, loc, dx, xType));
  return success();
}

} // namespace

void mlir::kiln::registerNNVJPs(MLIRContext *ctx) {
  attachRule<Conv2DOp, conv2dVJP>(ctx);
  attachRule<ConvTransposeOp, convTransposeVJP>(ctx);
  attachRule<MaxPool2DOp, maxPoolVJP>(ctx);
  attachRule<MaxPool2DWithIndicesOp, maxPoolWithIndicesVJP>(ctx);
  attachRule<AvgPool2DOp, avgPoolVJP>(ctx);
}
