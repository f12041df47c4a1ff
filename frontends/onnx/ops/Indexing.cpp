//===- Indexing.cpp - ONNX indexing ops -----------------------------------===//
//
// Concat, Split and Slice; the gathers and scatters; NonZero and Compress
// (whose result length only the data decide); Trilu, OneHot and
// ReverseSequence. Slice bounds and split sizes may be constants or
// computed at run time (see IndexHelpers.h).
//
//===----------------------------------------------------------------------===//

#include "IndexHelpers.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Concat 1 (axis defaults to 1), 4 to 13 (axis required; negative from
/// 11).
LogicalResult importConcat(OnnxNode &node) {
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < node.numInputs(); ++i) {
    auto input = node.requiredInput(i);
    if (failed(input))
      return failure();
    inputs.push_back(*input);
  }
  if (inputs.empty())
    return node.emitError() << "expects at least one input";
  auto axis = node.normalizeAxis(node.intAttr("axis", 1), rankOf(inputs[0]));
  if (failed(axis))
    return failure();
  auto result = node.create<ConcatOp>(inputs, *axis);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// A kiln.slice of one dimension from `start` to `end` (1-element i64
/// tensors, constant or not).
FailureOr<Value> sliceAxis(OnnxNode &node, Value x, int64_t axis, Value start,
                           Value end) {
  return node.create<SliceOp>(x, start, end, indexConstant(node, {axis}),
                              indexConstant(node, {1}));
}

/// Split 1, 2, 11 (sizes as an attribute; 1 also as an optional input) and
/// 13 (as an optional input). Without sizes the parts are equal.
LogicalResult importSplit(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  auto axis = node.normalizeAxis(node.intAttr("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  int64_t parts = node.numOutputs();
  Value sizes;
  bool sizesAsInput = node.version() >= 13 || node.version() == 1;
  if (sizesAsInput && node.input(1)) {
    auto input = indexVectorInput(node, 1, "split");
    if (failed(input))
      return failure();
    sizes = *input;
  } else if (node.hasAttr("split")) {
    sizes = indexConstant(node, node.intsAttr("split"));
  }
  if (sizes && cast<RankedTensorType>(sizes.getType()).getDimSize(0) != parts)
    return node.emitError() << "has " << parts << " outputs but "
                            << cast<RankedTensorType>(sizes.getType())
                                   .getDimSize(0)
                            << " split sizes";

  // Part k runs from the sum of the sizes before it to that plus its own.
  SmallVector<Value> results;
  if (!sizes) {
    int64_t extent = type.getDimSize(*axis);
    if (ShapedType::isDynamic(extent))
      return node.emitError() << "an equal split of a dynamic dimension is "
                                 "not supported";
    if (extent % parts != 0)
      return node.emitError() << "dimension " << *axis << " (" << extent
                              << ") does not split into " << parts
                              << " equal parts";
    int64_t size = extent / parts;
    for (int64_t k = 0; k < parts; ++k) {
      auto part = sliceAxis(node, *x, *axis, indexConstant(node, {k * size}),
                            indexConstant(node, {(k + 1) * size}));
      if (failed(part))
        return failure();
      results.push_back(*part);
    }
    return node.setResults(results);
  }
  if (auto constant = getConstantInts(sizes)) {
    int64_t start = 0;
    for (int64_t size : *constant) {
      if (size < 0)
        return node.emitError() << "split size " << size << " is negative";
      auto part = sliceAxis(node, *x, *axis, indexConstant(node, {start}),
                            indexConstant(node, {start + size}));
      if (failed(part))
        return failure();
      results.push_back(*part);
      start += size;
    }
    return node.setResults(results);
  }
  // Run-time sizes: running sums of one-element slices of `sizes`.
  Value start = indexConstant(node, {0});
  for (int64_t k = 0; k < parts; ++k) {
    auto size = sliceAxis(node, sizes, 0, indexConstant(node, {k}),
                          indexConstant(node, {k + 1}));
    if (failed(size))
      return failure();
    Value begin = start;
    if (getElementTypeOrSelf(size->getType()) !=
        getElementTypeOrSelf(begin.getType()))
      return node.emitError() << "split sizes other than int64 are not "
                                 "supported when they are not constant";
    auto end = node.create<AddOp>(begin, *size);
    if (failed(end))
      return failure();
    auto part = sliceAxis(node, *x, *axis, begin, *end);
    if (failed(part))
      return failure();
    results.push_back(*part);
    start = *end;
  }
  return node.setResults(results);
}

/// Slice 1 (starts, ends and axes as attributes) and 10 to 13 (inputs;
/// axes and steps optional; negative axes from 11).
LogicalResult importSlice(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  Value starts, ends, axes, steps;
  if (node.version() < 10) {
    SmallVector<int64_t> s = node.intsAttr("starts"), e = node.intsAttr("ends");
    starts = indexConstant(node, s);
    ends = indexConstant(node, e);
    if (node.hasAttr("axes"))
      axes = indexConstant(node, node.intsAttr("axes"));
  } else {
    auto s = indexVectorInput(node, 1, "starts");
    auto e = indexVectorInput(node, 2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (node.input(3)) {
      auto a = indexVectorInput(node, 3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (node.input(4)) {
      auto k = indexVectorInput(node, 4, "steps");
      if (failed(k))
        return failure();
      steps = *k;
    }
  }
  int64_t n = cast<RankedTensorType>(starts.getType()).getDimSize(0);
  if (!axes)
    axes = indexConstant(node, llvm::to_vector(llvm::seq<int64_t>(0, n)));
  if (!steps)
    steps = indexConstant(node, SmallVector<int64_t>(n, 1));
  auto result = node.create<SliceOp>(*x, starts, ends, axes, steps);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Gather 1 to 13 (negative indices from 11; Kiln accepts them always).
LogicalResult importGather(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto indices = node.requiredInput(1);
  if (failed(x) || failed(indices))
    return failure();
  auto axis = node.normalizeAxis(node.intAttr("axis", 0), rankOf(*x));
  if (failed(axis))
    return failure();
  auto result = node.create<GatherOp>(*x, *indices, *axis);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

LogicalResult importGatherElements(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto indices = node.requiredInput(1);
  if (failed(x) || failed(indices))
    return failure();
  auto axis = node.normalizeAxis(node.intAttr("axis", 0), rankOf(*x));
  if (failed(axis))
    return failure();
  auto result = node.create<GatherElementsOp>(*x, *indices, *axis);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// GatherND 11 and 12 to 13 (batch_dims).
LogicalResult importGatherND(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto indices = node.requiredInput(1);
  if (failed(x) || failed(indices))
    return failure();
  auto result = node.create<GatherNDOp>(*x, *indices,
                                        node.intAttr("batch_dims", 0));
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// ScatterElements 11, 13 and 16 (reduction), and the deprecated Scatter 9
/// and 11, which is ScatterElements without reduction.
LogicalResult importScatterElements(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto indices = node.requiredInput(1);
  auto updates = node.requiredInput(2);
  if (failed(x) || failed(indices) || failed(updates))
    return failure();
  auto axis = node.normalizeAxis(node.intAttr("axis", 0), rankOf(*x));
  if (failed(axis))
    return failure();
  std::string reduction = node.stringAttr("reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    return node.emitError() << "reduction '" << reduction
                            << "' is not supported";
  auto result = node.create<ScatterElementsOp>(*x, *indices, *updates, *axis,
                                               reduction);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// ScatterND 11, 13 and 16 (reduction).
LogicalResult importScatterND(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto indices = node.requiredInput(1);
  auto updates = node.requiredInput(2);
  if (failed(x) || failed(indices) || failed(updates))
    return failure();
  std::string reduction = node.stringAttr("reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    return node.emitError() << "reduction '" << reduction
                            << "' is not supported";
  auto result =
      node.create<ScatterNDOp>(*x, *indices, *updates, reduction);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// NonZero 9, 13.
LogicalResult importNonZero(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  if (rankOf(*x) == 0)
    return node.emitError() << "NonZero of a rank-0 tensor is not supported";
  auto result = node.create<NonZeroOp>(*x);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Compress 9, 11: the positions where the condition holds (NonZero), then
/// a Gather of them along the axis (of the flattened input without one).
LogicalResult importCompress(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto condition = node.requiredInput(1);
  if (failed(x) || failed(condition))
    return failure();
  if (rankOf(*condition) != 1)
    return node.emitError() << "expects a 1-D condition";
  Value input = *x;
  int64_t axis = 0;
  if (node.hasAttr("axis")) {
    auto normalized =
        node.normalizeAxis(node.intAttr("axis", 0), rankOf(input));
    if (failed(normalized))
      return failure();
    axis = *normalized;
  } else {
    auto flat = node.create<ReshapeOp>(input, ArrayRef<int64_t>{-1});
    if (failed(flat))
      return failure();
    input = *flat;
  }
  auto positions = node.create<NonZeroOp>(*condition);
  if (failed(positions))
    return failure();
  auto indices = node.create<ReshapeOp>(*positions, ArrayRef<int64_t>{-1});
  if (failed(indices))
    return failure();
  auto result = node.create<GatherOp>(input, *indices, axis);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Trilu 14: `k` is an optional rank-0 input (0 when absent).
LogicalResult importTrilu(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  Value k = node.input(1);
  if (!k)
    k = indexScalar(node, 0);
  auto result = node.create<TriluOp>(*x, k, node.intAttr("upper", 1) != 0);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// OneHot 9, 11 (negative indices and axis from 11; Kiln accepts them
/// always). `depth` may be a one-element 1-D tensor.
LogicalResult importOneHot(OnnxNode &node) {
  auto indices = node.requiredInput(0);
  auto depth = node.requiredInput(1);
  auto values = node.requiredInput(2);
  if (failed(indices) || failed(depth) || failed(values))
    return failure();
  Value depthValue = *depth;
  if (rankOf(depthValue) != 0) {
    auto scalar = node.create<ReshapeOp>(depthValue, ArrayRef<int64_t>{});
    if (failed(scalar))
      return failure();
    depthValue = *scalar;
  }
  int64_t rank = rankOf(*indices) + 1;
  auto axis = node.normalizeAxis(node.intAttr("axis", -1), rank);
  if (failed(axis))
    return failure();
  auto result = node.create<OneHotOp>(*indices, depthValue, *values, *axis);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// ReverseSequence 10.
LogicalResult importReverseSequence(OnnxNode &node) {
  auto x = node.requiredInput(0);
  auto lengths = node.requiredInput(1);
  if (failed(x) || failed(lengths))
    return failure();
  auto result = node.create<ReverseSequenceOp>(
      *x, *lengths, node.intAttr("batch_axis", 1), node.intAttr("time_axis", 0));
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

} // namespace

void mlir::kiln::registerIndexingOps(OnnxOpRegistry &registry) {
  registry.add("Concat", 1, kLatestOpset, importConcat);
  registry.add("Split", 1, kLatestOpset, importSplit);
  registry.add("Slice", 1, kLatestOpset, importSlice);
  registry.add("Gather", 1, kLatestOpset, importGather);
  registry.add("GatherElements", 11, kLatestOpset, importGatherElements);
  registry.add("GatherND", 11, kLatestOpset, importGatherND);
  registry.add("ScatterElements", 11, kLatestOpset, importScatterElements);
  registry.add("Scatter", 9, kLatestOpset, importScatterElements);
  registry.add("ScatterND", 11, kLatestOpset, importScatterND);
  registry.add("NonZero", 9, kLatestOpset, importNonZero);
  registry.add("Compress", 9, kLatestOpset, importCompress);
  registry.add("Trilu", 14, kLatestOpset, importTrilu);
  registry.add("OneHot", 9, kLatestOpset, importOneHot);
  registry.add("ReverseSequence", 10, kLatestOpset, importReverseSequence);
}
