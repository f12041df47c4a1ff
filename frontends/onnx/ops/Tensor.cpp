//===- Tensor.cpp - ONNX shape and data-movement ops ----------------------===//
//
// Constant, Reshape, Flatten and Transpose.
//
//===----------------------------------------------------------------------===//

#include "../NodeImporter.h"

#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

int64_t rankOf(Value v) { return cast<RankedTensorType>(v.getType()).getRank(); }

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

LogicalResult importReshape(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  auto shape = node.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  if (node.intAttr("allowzero", 0) && llvm::is_contained(*shape, 0))
    return node.emitError() << "Reshape with allowzero = 1 and a 0 in the "
                               "shape is not supported";
  auto result = node.create<ReshapeOp>(*x, *shape);
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

} // namespace

void mlir::kiln::registerTensorOps(OnnxOpRegistry &registry) {
  registry.add("Constant", 1, kLatestOpset, importConstant);
  // Reshape 1 took the shape as an attribute.
  registry.add("Reshape", 5, kLatestOpset, importReshape);
  registry.add("Flatten", 1, kLatestOpset, importFlatten);
  registry.add("Transpose", 1, kLatestOpset, importTranspose);
}
