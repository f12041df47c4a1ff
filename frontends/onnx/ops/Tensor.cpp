//===- Tensor.cpp - ONNX shape and data-movement ops ----------------------===//
//
// Constant; the ops that reshape without moving data (Reshape, Flatten,
// Squeeze, Unsqueeze) or move it (Transpose, Expand, Tile, Pad, DepthToSpace,
// SpaceToDepth); the ops that read shapes (Shape, Size) and the ones that
// build tensors from shapes (ConstantOfShape, Range, EyeLike, and the
// windows of signal processing: HannWindow, HammingWindow, BlackmanWindow,
// made of Range and Cos). Shape-like
// inputs may be constants or computed at run time (see IndexHelpers.h).
//
//===----------------------------------------------------------------------===//

#include "IndexHelpers.h"
#include "OpChain.h"

#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

LogicalResult importConstant(OnnxNode &node) {
  MLIRContext *ctx = node.getContext();
  Builder b(ctx);
  ElementsAttr value;
  if (const onnx::TensorProto *tensor = node.tensorAttr("value")) {
    std::string error;
    auto attr = importTensorProto(*tensor, ctx, "", error);
    if (failed(attr))
      return node.emitError() << error;
    value = *attr;
  } else if (node.hasAttr("value_float")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   node.floatAttr("value_float", 0));
  } else if (node.hasAttr("value_floats")) {
    SmallVector<float> floats = node.floatsAttr("value_floats");
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)floats.size()}, b.getF32Type()),
        ArrayRef<float>(floats));
  } else if (node.hasAttr("value_int")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   node.intAttr("value_int", 0));
  } else if (node.hasAttr("value_ints")) {
    SmallVector<int64_t> ints = node.intsAttr("value_ints");
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)ints.size()}, b.getI64Type()),
        ArrayRef<int64_t>(ints));
  } else {
    return node.emitError() << "only tensor, float and int constants are "
                               "supported (not sparse or string ones)";
  }
  auto result = node.create<ConstantOp>(value);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Reshape 5 to 14: the shape is an input; a constant one makes
/// kiln.reshape, a run-time one kiln.dynamic_reshape. With allowzero (14) a
/// 0 is an empty dimension rather than a copy.
LogicalResult importReshape(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto shape = indexVectorInput(node, 1, "shape");
  if (failed(x) || failed(shape))
    return failure();
  bool allowZero = node.intAttr("allowzero", 0) != 0;
  std::optional<SmallVector<int64_t>> spec = getConstantInts(*shape);
  FailureOr<Value> result =
      spec && !(allowZero && llvm::is_contained(*spec, 0))
          ? node.create<ReshapeOp>(*x, *spec)
          : node.create<DynamicReshapeOp>(*x, *shape, allowZero);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

LogicalResult importFlatten(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = rankOf(*x);
  int64_t axis = node.intAttr("axis", 1);
  // Flatten allows axis == rank (everything in the rows).
  if (axis < -rank || axis > rank)
    return node.emitError() << "axis " << axis << " is out of range for rank "
                            << rank;
  if (axis < 0)
    axis += rank;
  auto result = node.create<FlattenOp>(*x, axis);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

LogicalResult importTranspose(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = rankOf(*x);
  SmallVector<int64_t> reversed;
  for (int64_t i = rank - 1; i >= 0; --i)
    reversed.push_back(i);
  auto result =
      node.create<TransposeOp>(*x, node.intsAttr("perm", reversed));
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Shape 1 to 15: dimensions [start, end) (15; negative values count from
/// the end, both are clamped into [0, rank]).
LogicalResult importShape(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = rankOf(*x);
  auto clampIndex = [&](int64_t i) {
    return std::clamp<int64_t>(i < 0 ? i + rank : i, 0, rank);
  };
  int64_t start = clampIndex(node.intAttr("start", 0));
  int64_t end = clampIndex(node.intAttr("end", rank));
  auto result = node.create<ShapeOfOp>(*x, start, std::max(start, end));
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Size: the element count as an i64 scalar, the one extent of the input
/// flattened.
LogicalResult importSize(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  auto flat = node.create<ReshapeOp>(*x, ArrayRef<int64_t>{-1});
  if (failed(flat))
    return failure();
  int64_t zero = 0, one = 1;
  auto count = node.create<ShapeOfOp>(*flat, zero, one);
  if (failed(count))
    return failure();
  auto result = node.create<ReshapeOp>(*count, ArrayRef<int64_t>{});
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// The axes of Squeeze and Unsqueeze: the `axes` attribute before 13, an
/// input from 13 (constant or not). Null when absent.
FailureOr<Value> axesOperand(OnnxNode &node) {
  if (node.version() < 13)
    return node.hasAttr("axes") ? indexConstant(node, node.intsAttr("axes"))
                                : Value();
  if (!node.input(1))
    return Value();
  return indexVectorInput(node, 1, "axes");
}

LogicalResult importSqueeze(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto axes = axesOperand(node);
  if (failed(x) || failed(axes))
    return failure();
  Value axesValue = *axes;
  if (!axesValue) {
    // Without axes every dimension of extent 1 goes, which a dynamic
    // extent leaves undecided until the model runs.
    auto type = cast<RankedTensorType>(x->getType());
    if (!type.hasStaticShape())
      return node.emitError() << "Squeeze without axes of an input with "
                                 "dynamic dimensions is not supported (the "
                                 "result's rank would depend on them)";
    SmallVector<int64_t> ones;
    for (auto [i, d] : llvm::enumerate(type.getShape()))
      if (d == 1)
        ones.push_back(i);
    axesValue = indexConstant(node, ones);
  }
  auto result = node.create<SqueezeOp>(*x, axesValue);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

LogicalResult importUnsqueeze(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto axes = axesOperand(node);
  if (failed(x) || failed(axes))
    return failure();
  if (!*axes)
    return node.emitError() << "expects axes";
  auto result = node.create<UnsqueezeOp>(*x, *axes);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Expand 8, 13.
LogicalResult importExpand(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto shape = indexVectorInput(node, 1, "shape");
  if (failed(x) || failed(shape))
    return failure();
  auto result = node.create<ExpandOp>(*x, *shape);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Tile 6, 13 (Tile 1 took a tile count and an axis).
LogicalResult importTile(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto repeats = indexVectorInput(node, 1, "repeats");
  if (failed(x) || failed(repeats))
    return failure();
  auto result = node.create<TileOp>(*x, *repeats);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Pad 2 (pads and value as attributes) and 11 to 13 (inputs; the constant
/// value is optional and defaults to 0).
LogicalResult importPad(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  Type elementType = getElementTypeOrSelf(x->getType());
  std::string mode = node.stringAttr("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return node.emitError() << "mode '" << mode << "' is not supported";
  Value pads, value;
  if (node.version() < 11) {
    pads = indexConstant(node, node.intsAttr("pads"));
    value = node.scalar(elementType, node.floatAttr("value", 0));
  } else {
    auto padsInput = indexVectorInput(node, 1, "pads");
    if (failed(padsInput))
      return failure();
    pads = *padsInput;
    value = node.input(2);
    if (value && cast<RankedTensorType>(value.getType()).getRank() != 0) {
      // A one-element 1-D constant_value is accepted by some exporters.
      auto scalar = node.create<ReshapeOp>(value, ArrayRef<int64_t>{});
      if (failed(scalar))
        return failure();
      value = *scalar;
    }
    if (!value)
      value = node.scalar(elementType, 0);
  }
  auto result = node.create<PadOp>(*x, pads, value, mode);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// ConstantOfShape 9: `value` is a one-element tensor attribute (float 0
/// when absent).
LogicalResult importConstantOfShape(OnnxNode &node) {
  auto shape = indexVectorInput(node, 0, "shape");
  if (failed(shape))
    return failure();
  MLIRContext *ctx = node.getContext();
  TypedAttr value = FloatAttr::get(Float32Type::get(ctx), 0.0);
  if (const onnx::TensorProto *tensor = node.tensorAttr("value")) {
    std::string error;
    auto attr = importTensorProto(*tensor, ctx, "", error);
    if (failed(attr))
      return node.emitError() << error;
    auto dense = dyn_cast<DenseElementsAttr>(*attr);
    if (!dense || dense.getNumElements() != 1)
      return node.emitError() << "expects a one-element value";
    value = cast<TypedAttr>(*dense.getValues<Attribute>().begin());
  }
  auto result = node.create<ConstantOfShapeOp>(*shape, value);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Range 11.
LogicalResult importRange(OnnxNode &node) {
  auto start = node.requiredInput(0);
  auto limit = node.requiredInput(1);
  auto delta = node.requiredInput(2);
  if (failed(start) || failed(limit) || failed(delta))
    return failure();
  auto result = node.create<RangeOp>(*start, *limit, *delta);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// EyeLike 9: ones on diagonal k of a matrix shaped like the input, the
/// upper triangle from k of a tensor of ones intersected with the lower.
LogicalResult importEyeLike(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  if (rankOf(*x) != 2)
    return node.emitError() << "expects a rank-2 input";
  Type elementType = getElementTypeOrSelf(x->getType());
  if (node.hasAttr("dtype")) {
    elementType = onnxElementType(node.intAttr("dtype", 0), node.getContext());
    if (!elementType)
      return node.emitError() << "dtype " << node.intAttr("dtype", 0)
                              << " is not supported";
  }
  Builder b(node.getContext());
  TypedAttr one = isa<FloatType>(elementType)
                      ? TypedAttr(b.getFloatAttr(elementType, 1.0))
                      : TypedAttr(b.getIntegerAttr(elementType, 1));
  int64_t zero = 0, two = 2;
  auto shape = node.create<ShapeOfOp>(*x, zero, two);
  if (failed(shape))
    return failure();
  auto ones = node.create<ConstantOfShapeOp>(*shape, one);
  if (failed(ones))
    return failure();
  Value k = indexScalar(node, node.intAttr("k", 0));
  auto upper = node.create<TriluOp>(*ones, k, /*upper=*/true);
  if (failed(upper))
    return failure();
  auto result = node.create<TriluOp>(*upper, k, /*upper=*/false);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// HannWindow, HammingWindow, BlackmanWindow 17: a0 - a1 cos(2 pi n / N) +
/// a2 cos(4 pi n / N) for n in [0, size), N = size (periodic) or size - 1
/// (symmetric). The size is a rank-0 input (a run-time value: the output's
/// length is data-dependent); the sum is formed in f64 and cast to
/// output_datatype.
LogicalResult importWindow(OnnxNode &node, double a0, double a1, double a2) {
  auto size = node.requiredInput(0);
  if (failed(size))
    return failure();
  if (rankOf(*size) != 0)
    return node.emitError() << "expects a rank-0 size";
  Type outType =
      onnxElementType(node.intAttr("output_datatype", 1), node.getContext());
  if (!outType || !(isa<FloatType>(outType) || outType.isInteger()))
    return node.emitError() << "output_datatype "
                            << node.intAttr("output_datatype", 1)
                            << " is not supported";
  OpChain chain(node);
  Type sizeType = elementTypeOf(*size);
  Type f64 = Float64Type::get(node.getContext());
  Value n = chain.cast(chain.create<RangeOp>(chain.scalar(sizeType, 0), *size,
                                             chain.scalar(sizeType, 1)),
                       f64);
  Value period = chain.cast(*size, f64);
  if (!node.intAttr("periodic", 1))
    period = chain.create<SubOp>(period, chain.scalar(f64, 1));
  Value angle = chain.create<DivOp>(
      chain.create<MulOp>(n, chain.scalar(f64, 2 * llvm::numbers::pi)), period);
  Value w = chain.create<SubOp>(
      chain.scalar(f64, a0),
      chain.create<MulOp>(chain.scalar(f64, a1), chain.create<CosOp>(angle)));
  if (a2 != 0)
    w = chain.create<AddOp>(
        w, chain.create<MulOp>(
               chain.scalar(f64, a2),
               chain.create<CosOp>(
                   chain.create<MulOp>(angle, chain.scalar(f64, 2)))));
  return chain.setResult(0, chain.cast(w, outType));
}

LogicalResult importHannWindow(OnnxNode &node) {
  return importWindow(node, 0.5, 0.5, 0);
}
LogicalResult importHammingWindow(OnnxNode &node) {
  return importWindow(node, 25.0 / 46, 21.0 / 46, 0);
}
LogicalResult importBlackmanWindow(OnnxNode &node) {
  return importWindow(node, 0.42, 0.5, 0.08);
}

/// DepthToSpace 1 to 13 and SpaceToDepth: a reshape that splits the block
/// out of a dimension, a transpose that moves it, and a reshape that merges
/// it into the others (ONNX defines the ops this way).
LogicalResult blockRearrange(OnnxNode &node, ArrayRef<ShapeTerm> split,
                             ArrayRef<int64_t> permutation,
                             ArrayRef<ShapeTerm> merged) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  if (rankOf(*x) != 4)
    return node.emitError() << "expects a rank-4 (NCHW) input";
  auto blocks = reshapeToTerms(node, *x, split);
  if (failed(blocks))
    return failure();
  auto moved = node.create<TransposeOp>(*blocks, permutation);
  if (failed(moved))
    return failure();
  // The merged shape is computed from the input's extents.
  auto result = reshapeToTerms(node, *moved, merged, *x);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

LogicalResult importDepthToSpace(OnnxNode &node) {
  int64_t b = node.intAttr("blocksize", 0);
  if (b <= 0)
    return node.emitError() << "blocksize " << b << " is not positive";
  std::string mode = node.stringAttr("mode", "DCR");
  using T = ShapeTerm;
  T n = T::dimension(0), c = T::dimension(1, 1, b * b), h = T::dimension(2),
    w = T::dimension(3), bs = T::size(b);
  if (mode == "DCR")
    return blockRearrange(node, {n, bs, bs, c, h, w}, {0, 3, 4, 1, 5, 2},
                          {n, c, T::dimension(2, b), T::dimension(3, b)});
  if (mode == "CRD")
    return blockRearrange(node, {n, c, bs, bs, h, w}, {0, 1, 4, 2, 5, 3},
                          {n, c, T::dimension(2, b), T::dimension(3, b)});
  return node.emitError() << "mode '" << mode << "' is not supported";
}

LogicalResult importSpaceToDepth(OnnxNode &node) {
  int64_t b = node.intAttr("blocksize", 0);
  if (b <= 0)
    return node.emitError() << "blocksize " << b << " is not positive";
  using T = ShapeTerm;
  T bs = T::size(b);
  return blockRearrange(
      node,
      {T::dimension(0), T::dimension(1), T::dimension(2, 1, b), bs,
       T::dimension(3, 1, b), bs},
      {0, 3, 5, 1, 2, 4},
      {T::dimension(0), T::dimension(1, b * b), T::dimension(2, 1, b),
       T::dimension(3, 1, b)});
}

} // namespace

void mlir::kiln::registerTensorOps(OnnxOpRegistry &registry) {
  registry.add("Constant", 1, kLatestOpset, importConstant);
  // Reshape 1 took the shape as an attribute.
  registry.add("Reshape", 5, kLatestOpset, importReshape);
  registry.add("Shape", 1, kLatestOpset, importShape);
  registry.add("Size", 1, kLatestOpset, importSize);
  registry.add("Squeeze", 1, kLatestOpset, importSqueeze);
  registry.add("Unsqueeze", 1, kLatestOpset, importUnsqueeze);
  registry.add("Expand", 8, kLatestOpset, importExpand);
  // Tile 1 took a tile count and an axis.
  registry.add("Tile", 6, kLatestOpset, importTile);
  // Pad 1 named its pads `paddings`.
  registry.add("Pad", 2, kLatestOpset, importPad);
  registry.add("ConstantOfShape", 9, kLatestOpset, importConstantOfShape);
  registry.add("Range", 11, kLatestOpset, importRange);
  registry.add("EyeLike", 9, kLatestOpset, importEyeLike);
  registry.add("HannWindow", 17, kLatestOpset, importHannWindow);
  registry.add("HammingWindow", 17, kLatestOpset, importHammingWindow);
  registry.add("BlackmanWindow", 17, kLatestOpset, importBlackmanWindow);
  registry.add("DepthToSpace", 1, kLatestOpset, importDepthToSpace);
  registry.add("SpaceToDepth", 1, kLatestOpset, importSpaceToDepth);
  registry.add("Flatten", 1, kLatestOpset, importFlatten);
  registry.add("Transpose", 1, kLatestOpset, importTranspose);
}
