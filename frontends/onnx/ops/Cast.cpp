//===- Cast.cpp - ONNX type conversions and quantization ------------------===//
//
// Cast and CastLike (kiln.cast), and the quantization ops, all decomposed:
//
//   QuantizeLinear       y = saturate(round(x / scale) + zero_point)
//   DequantizeLinear     y = (x - zero_point) * scale
//   DynamicQuantizeLinear  scale and zero point from x's range, then as above
//   MatMulInteger        kiln.matmul on i32 after subtracting zero points
//   ConvInteger          kiln.conv2d in f64 (it takes floats; f64 holds
//                        every 8-bit product and their sums exactly), cast
//                        back to i32
//   QLinearMatMul/Conv   the integer product, then requantized with the
//                        multiplier a_scale * b_scale / y_scale in f32
//
// Rounding is to nearest even (kiln.round) and saturation an explicit clamp
// before the cast, as ONNX defines them.
//
//===----------------------------------------------------------------------===//

#include "OpChain.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

LogicalResult importCast(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  int64_t to = node.intAttr("to", onnx::TensorProto::UNDEFINED);
  Type type = onnxElementType((int32_t)to, node.getContext());
  if (!type) {
    std::string name = onnx::TensorProto::DataType_IsValid((int)to)
                           ? onnx::TensorProto::DataType_Name(
                                 (onnx::TensorProto::DataType)to)
                           : std::to_string(to);
    return node.emitError() << "Cast to " << name << " is not supported";
  }
  return chain.setResult(0, chain.cast(x, type));
}

LogicalResult importCastLike(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  Value like = chain.requiredInput(1);
  if (!chain.ok())
    return failure();
  return chain.setResult(0, chain.cast(x, elementTypeOf(like)));
}

//===----------------------------------------------------------------------===//
// Quantization helpers
//===----------------------------------------------------------------------===//

/// A per-axis quantization parameter (a 1-D tensor along `axis` of a
/// rank-`rank` tensor) reshaped to broadcast against it: [C, 1, ..., 1]. A
/// scalar is returned as it is.
Value alongAxis(OpChain &chain, Value param, int64_t axis, int64_t rank) {
  if (!param || tensorRank(param) != 1 || axis == rank - 1)
    return param;
  SmallVector<int64_t> shape(rank - axis, 1);
  shape[0] = -1;
  return chain.create<ReshapeOp>(param, shape);
}

/// The integer range of an 8-bit (or wider) quantized type.
std::pair<double, double> quantizedRange(Type type) {
  unsigned width = type.getIntOrFloatBitWidth();
  if (type.isUnsignedInteger())
    return {0, std::ldexp(1.0, width) - 1};
  return {-std::ldexp(1.0, width - 1), std::ldexp(1.0, width - 1) - 1};
}

/// saturate(round(scaled) + zeroPoint) as `type`: the last step of every
/// quantizing op. `zeroPoint` may be null (0).
Value requantize(OpChain &chain, Value scaled, Value zeroPoint, Type type) {
  Type floatType = elementTypeOf(scaled);
  Value q = chain.create<RoundOp>(scaled);
  if (zeroPoint)
    q = chain.create<AddOp>(q, chain.cast(zeroPoint, floatType));
  auto [lowest, highest] = quantizedRange(type);
  Value low = chain.scalar(floatType, lowest);
  Value high = chain.scalar(floatType, highest);
  q = chain.clamp(q, low, high);
  return chain.cast(q, type);
}

/// `x - zeroPoint` in i32, where 8-bit values and their differences are
/// exact. `zeroPoint` may be null (0).
Value subtractZeroPoint(OpChain &chain, Value x, Value zeroPoint) {
  Builder b(x.getContext());
  Value wide = chain.cast(x, b.getI32Type());
  if (!zeroPoint)
    return wide;
  return chain.create<SubOp>(wide, chain.cast(zeroPoint, b.getI32Type()));
}

/// The `axis` attribute of the per-axis quantization ops (version 13),
/// normalized. It means something only for a 1-D `scale`: per-tensor
/// scalars (all there is before version 13) ignore it, so an x of rank 1
/// with the default axis 1 is fine.
FailureOr<int64_t> quantizationAxis(OnnxNode &node, Value x, Value scale) {
  if (node.version() < 13 || tensorRank(scale) != 1)
    return (int64_t)0;
  return node.normalizeAxis(node.intAttr("axis", 1), tensorRank(x));
}

LogicalResult importQuantizeLinear(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  Value scale = chain.requiredInput(1);
  if (!chain.ok())
    return failure();
  Value zeroPoint = node.input(2);
  auto axis = quantizationAxis(node, x, scale);
  if (failed(axis))
    return failure();
  Builder b(node.getContext());
  Type type = zeroPoint ? elementTypeOf(zeroPoint)
                        : (Type)b.getIntegerType(8, /*isSigned=*/false);
  int64_t rank = tensorRank(x);
  scale = alongAxis(chain, scale, *axis, rank);
  zeroPoint = alongAxis(chain, zeroPoint, *axis, rank);
  // x may be int32; the scale is float.
  Value real = chain.cast(x, elementTypeOf(scale));
  return chain.setResult(
      0, requantize(chain, chain.create<DivOp>(real, scale), zeroPoint, type));
}

LogicalResult importDequantizeLinear(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  Value scale = chain.requiredInput(1);
  if (!chain.ok())
    return failure();
  auto axis = quantizationAxis(node, x, scale);
  if (failed(axis))
    return failure();
  int64_t rank = tensorRank(x);
  scale = alongAxis(chain, scale, *axis, rank);
  Value zeroPoint = alongAxis(chain, node.input(2), *axis, rank);
  Value centered = subtractZeroPoint(chain, x, zeroPoint);
  Value real = chain.cast(centered, elementTypeOf(scale));
  return chain.setResult(0, chain.create<MulOp>(real, scale));
}

/// DynamicQuantizeLinear: uint8 quantization over x's range widened to
/// include 0: scale = (max - min) / 255, zero point = round(-min / scale).
LogicalResult importDynamicQuantizeLinear(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  Builder b(node.getContext());
  Type floatType = elementTypeOf(x);
  Type u8 = b.getIntegerType(8, /*isSigned=*/false);
  SmallVector<int64_t> all =
      llvm::to_vector(llvm::seq<int64_t>(0, tensorRank(x)));
  Value zero = chain.scalar(floatType, 0);
  Value max = chain.create<MaxOp>(
      chain.create<ReduceMaxOp>(x, all, /*keepdims=*/false), zero);
  // min(x) = -max(-x), exactly.
  Value min = chain.create<MinOp>(
      chain.create<NegOp>(chain.create<ReduceMaxOp>(
          chain.create<NegOp>(x), all, /*keepdims=*/false)),
      zero);
  Value range = chain.create<SubOp>(max, min);
  Value scale = chain.create<DivOp>(range, chain.scalar(floatType, 255));
  Value zeroPoint = requantize(
      chain, chain.create<DivOp>(chain.create<NegOp>(min), scale), Value(), u8);
  Value y = requantize(chain, chain.create<DivOp>(x, scale), zeroPoint, u8);
  if (!chain.ok())
    return failure();
  (void)chain.setResult(0, y);
  (void)chain.setResult(1, scale);
  return chain.setResult(2, zeroPoint);
}

//===----------------------------------------------------------------------===//
// Integer matrix products
//===----------------------------------------------------------------------===//

/// A per-row parameter of a matmul's left operand (a 1-D tensor of M
/// values) as [M, 1]; scalars and N-D parameters ([..., M, 1]) broadcast as
/// they are.
Value perRow(OpChain &chain, Value param, Value matrix) {
  if (!param || tensorRank(param) != 1 || tensorRank(matrix) < 2)
    return param;
  return chain.create<ReshapeOp>(param, ArrayRef<int64_t>{-1, 1});
}

LogicalResult importMatMulInteger(OnnxNode &node) {
  OpChain chain(node);
  Value a = chain.requiredInput(0);
  Value b = chain.requiredInput(1);
  if (!chain.ok())
    return failure();
  Value lhs = subtractZeroPoint(chain, a, perRow(chain, node.input(2), a));
  // A per-column zero point of B (N values) broadcasts along its rows.
  Value rhs = subtractZeroPoint(chain, b, node.input(3));
  return chain.setResult(0, chain.create<MatmulOp>(lhs, rhs));
}

/// Whether `param` holds one value (the output parameters of the QLinear
/// ops must: a per-channel output scale is not defined).
bool isSingleValue(Value param) {
  return staticProduct(cast<RankedTensorType>(param.getType()).getShape()) ==
         1;
}

LogicalResult importQLinearMatMul(OnnxNode &node) {
  OpChain chain(node);
  Value a = chain.requiredInput(0);
  Value aScale = chain.requiredInput(1);
  Value aZero = chain.requiredInput(2);
  Value b = chain.requiredInput(3);
  Value bScale = chain.requiredInput(4);
  Value bZero = chain.requiredInput(5);
  Value yScale = chain.requiredInput(6);
  Value yZero = chain.requiredInput(7);
  if (!chain.ok())
    return failure();
  if (!isSingleValue(yScale) || !isSingleValue(yZero))
    return node.emitError() << "QLinearMatMul with an output scale or zero "
                               "point of more than one value is not supported";
  Value lhs = subtractZeroPoint(chain, a, perRow(chain, aZero, a));
  Value rhs = subtractZeroPoint(chain, b, bZero);
  Value product = chain.create<MatmulOp>(lhs, rhs);
  Value multiplier = chain.create<DivOp>(
      chain.create<MulOp>(perRow(chain, aScale, a), bScale), yScale);
  Value real = chain.create<MulOp>(
      chain.cast(product, elementTypeOf(multiplier)), multiplier);
  return chain.setResult(
      0, requantize(chain, real, yZero, elementTypeOf(yZero)));
}

//===----------------------------------------------------------------------===//
// Integer convolutions
//===----------------------------------------------------------------------===//

/// The convolution of the ConvInteger/QLinearConv attributes over 1 or 2
/// spatial dimensions, in f64 (`input` and `weight` are converted; the
/// optional `bias` too). 1-D convolutions run as 2-D ones of height 1.
Value convolveInF64(OnnxNode &node, OpChain &chain, Value input, Value weight,
                    Value bias) {
  Builder b(node.getContext());
  int64_t spatial = tensorRank(input) - 2;
  if (spatial != 1 && spatial != 2) {
    node.emitError() << node.opType() << " over " << spatial
                     << " spatial dimensions is not supported (1 or 2 are)";
    chain.fail();
    return {};
  }
  auto weightType = cast<RankedTensorType>(weight.getType());
  if (weightType.getRank() != spatial + 2) {
    node.emitError() << "weight rank " << weightType.getRank()
                     << " does not match input rank " << spatial + 2;
    chain.fail();
    return {};
  }
  SmallVector<int64_t> kernel(weightType.getShape().drop_front(2));
  SmallVector<int64_t> ones(spatial, 1), zeros(2 * spatial, 0);
  SmallVector<int64_t> strides = node.intsAttr("strides", ones);
  SmallVector<int64_t> dilations = node.intsAttr("dilations", ones);
  SmallVector<int64_t> pads = node.intsAttr("pads", zeros);
  if ((node.hasAttr("kernel_shape") && node.intsAttr("kernel_shape") != kernel) ||
      (int64_t)strides.size() != spatial ||
      (int64_t)dilations.size() != spatial ||
      (int64_t)pads.size() != 2 * spatial) {
    node.emitError() << "kernel_shape, strides, dilations and pads must match "
                        "the weight's "
                     << spatial << " spatial dimensions";
    chain.fail();
    return {};
  }
  std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    pads = zeros;
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    auto type = cast<RankedTensorType>(input.getType());
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t size = type.getDimSize(2 + i);
      if (ShapedType::isDynamic(size) || ShapedType::isDynamic(kernel[i])) {
        node.emitError() << "auto_pad " << autoPad
                         << " with dynamic spatial sizes is not supported";
        chain.fail();
        return {};
      }
      int64_t out = (size + strides[i] - 1) / strides[i];
      int64_t total = std::max<int64_t>(
          0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 -
                 size);
      int64_t small = total / 2, large = total - small;
      pads[i] = autoPad == "SAME_UPPER" ? small : large;
      pads[spatial + i] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    node.emitError() << "auto_pad '" << autoPad << "' is not supported";
    chain.fail();
    return {};
  }

  Value x = chain.cast(input, b.getF64Type());
  Value w = chain.cast(weight, b.getF64Type());
  if (bias)
    bias = chain.cast(bias, b.getF64Type());
  if (spatial == 1) {
    // [N, C, L] -> [N, C, 1, L], the same for the weight.
    x = chain.create<ReshapeOp>(x, ArrayRef<int64_t>{0, 0, 1, -1});
    w = chain.create<ReshapeOp>(w, ArrayRef<int64_t>{0, 0, 1, -1});
    strides = {1, strides[0]};
    dilations = {1, dilations[0]};
    pads = {0, pads[0], 0, pads[1]};
  }
  Value result = chain.create<Conv2DOp>(x, w, bias, strides, pads, dilations,
                                        node.intAttr("group", 1));
  if (spatial == 1)
    result = chain.create<ReshapeOp>(result, ArrayRef<int64_t>{0, 0, -1});
  return result;
}

/// A per-output-channel parameter of a convolution (M values) shaped to
/// broadcast against a tensor of rank `rank` whose dim `dim` is the channel.
Value perChannel(OpChain &chain, Value param, int64_t dim, int64_t rank) {
  return alongAxis(chain, param, dim, rank);
}

LogicalResult importConvInteger(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  Value w = chain.requiredInput(1);
  if (!chain.ok())
    return failure();
  Value input = subtractZeroPoint(chain, x, node.input(2));
  // The weight's zero point may be per output channel (dim 0 of the weight).
  Value weight = subtractZeroPoint(
      chain, w, perChannel(chain, node.input(3), 0, tensorRank(w)));
  Value result = convolveInF64(node, chain, input, weight, Value());
  Builder b(node.getContext());
  return chain.setResult(0, chain.cast(result, b.getI32Type()));
}

LogicalResult importQLinearConv(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  Value xScale = chain.requiredInput(1);
  Value xZero = chain.requiredInput(2);
  Value w = chain.requiredInput(3);
  Value wScale = chain.requiredInput(4);
  Value wZero = chain.requiredInput(5);
  Value yScale = chain.requiredInput(6);
  Value yZero = chain.requiredInput(7);
  if (!chain.ok())
    return failure();
  if (!isSingleValue(xScale) || !isSingleValue(xZero) ||
      !isSingleValue(yScale) || !isSingleValue(yZero))
    return node.emitError()
           << "QLinearConv with an input or output scale or zero point of "
              "more than one value is not supported";
  int64_t rank = tensorRank(x);
  Value input = subtractZeroPoint(chain, x, xZero);
  Value weight = subtractZeroPoint(chain, w,
                                   perChannel(chain, wZero, 0, tensorRank(w)));
  // The int32 bias is quantized with scale x_scale * w_scale, zero point 0:
  // it adds to the accumulator as it is.
  Value accumulator = convolveInF64(node, chain, input, weight, node.input(8));
  Value multiplier = chain.create<DivOp>(
      chain.create<MulOp>(xScale, perChannel(chain, wScale, 1, rank)),
      yScale);
  Value real = chain.create<MulOp>(
      chain.cast(accumulator, elementTypeOf(multiplier)), multiplier);
  return chain.setResult(
      0, requantize(chain, real, yZero, elementTypeOf(yZero)));
}

} // namespace

void mlir::kiln::registerCastOps(OnnxOpRegistry &registry) {
  // Cast 1 names the target type with a string; 9 adds strings (which Kiln
  // does not have), 13 bfloat16.
  registry.add("Cast", 6, kLatestOpset, importCast);
  registry.add("CastLike", 15, kLatestOpset, importCastLike);
  // Version 13 adds per-axis scales and zero points (`axis`).
  registry.add("QuantizeLinear", 10, kLatestOpset, importQuantizeLinear);
  registry.add("DequantizeLinear", 10, kLatestOpset, importDequantizeLinear);
  registry.add("DynamicQuantizeLinear", 11, kLatestOpset,
               importDynamicQuantizeLinear);
  registry.add("MatMulInteger", 10, kLatestOpset, importMatMulInteger);
  registry.add("QLinearMatMul", 10, kLatestOpset, importQLinearMatMul);
  registry.add("ConvInteger", 10, kLatestOpset, importConvInteger);
  registry.add("QLinearConv", 10, kLatestOpset, importQLinearConv);
}
