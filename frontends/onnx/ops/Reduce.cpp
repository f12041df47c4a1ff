//===- Reduce.cpp - ONNX reductions ---------------------------------------===//
//
// ReduceSum, ReduceMean and ReduceMax, with axes as an attribute or (from
// ReduceSum 13) as a constant input.
//
//===----------------------------------------------------------------------===//

#include "../NodeImporter.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Imports a reduction whose axes come from the `axes` attribute or, with
/// `axesFromInput`, from input 1.
template <typename OpTy, bool axesFromInput>
LogicalResult importReduce(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = cast<RankedTensorType>(x->getType()).getRank();
  SmallVector<int64_t> axes;
  if (axesFromInput) {
    if (node.input(1)) {
      auto values = node.constantInts(1, "axes");
      if (failed(values))
        return failure();
      axes = *values;
    }
  } else {
    axes = node.intsAttr("axes");
  }
  if (axes.empty()) {
    // No axes: reduce everything, unless noop_with_empty_axes says not to.
    if (axesFromInput && node.intAttr("noop_with_empty_axes", 0))
      return node.setResult(0, *x);
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  for (int64_t &axis : axes) {
    auto normalized = node.normalizeAxis(axis, rank);
    if (failed(normalized))
      return failure();
    axis = *normalized;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  auto result = node.create<OpTy>(*x, axes, node.intAttr("keepdims", 1) != 0);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

} // namespace

void mlir::kiln::registerReduceOps(OnnxOpRegistry &registry) {
  registry.add("ReduceSum", 1, 12, importReduce<ReduceSumOp, false>);
  registry.add("ReduceSum", 13, kLatestOpset, importReduce<ReduceSumOp, true>);
  registry.add("ReduceMean", 1, kLatestOpset,
               importReduce<ReduceMeanOp, false>);
  registry.add("ReduceMax", 1, kLatestOpset, importReduce<ReduceMaxOp, false>);
}
