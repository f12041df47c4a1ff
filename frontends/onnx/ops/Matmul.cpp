//===- Matmul.cpp - ONNX MatMul and Gemm ----------------------------------===//
//
// MatMul is kiln.matmul; Gemm is transposes, a matmul and the alpha/beta
// scaled bias, which fusion folds back together.
//
//===----------------------------------------------------------------------===//

#include "../NodeImporter.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

LogicalResult importMatMul(OnnxNode &node) {
  auto lhs = node.requiredInput(0);
  auto rhs = node.requiredInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  auto result = node.create<MatmulOp>(*lhs, *rhs);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Y = alpha * A' * B' + beta * C, A' = transA ? A^T : A (same for B).
LogicalResult importGemm(OnnxNode &node) {
  auto a = node.requiredInput(0);
  auto b = node.requiredInput(1);
  if (failed(a) || failed(b))
    return failure();
  for (Value v : {*a, *b})
    if (cast<RankedTensorType>(v.getType()).getRank() != 2)
      return node.emitError() << "Gemm operands must be matrices, got "
                              << v.getType();
  auto transpose = [&](Value v) -> FailureOr<Value> {
    return node.create<TransposeOp>(v, ArrayRef<int64_t>{1, 0});
  };
  Value lhs = *a, rhs = *b;
  if (node.intAttr("transA", 0)) {
    auto t = transpose(lhs);
    if (failed(t))
      return failure();
    lhs = *t;
  }
  if (node.intAttr("transB", 0)) {
    auto t = transpose(rhs);
    if (failed(t))
      return failure();
    rhs = *t;
  }
  auto product = node.create<MatmulOp>(lhs, rhs);
  if (failed(product))
    return failure();
  Value result = *product;
  Type elementType = getElementTypeOrSelf(result.getType());
  float alpha = node.floatAttr("alpha", 1.0f);
  if (alpha != 1.0f) {
    auto scaled = node.create<MulOp>(result, node.scalar(elementType, alpha));
    if (failed(scaled))
      return failure();
    result = *scaled;
  }
  if (Value c = node.input(2)) {
    float beta = node.floatAttr("beta", 1.0f);
    if (beta != 1.0f) {
      auto scaled = node.create<MulOp>(c, node.scalar(elementType, beta));
      if (failed(scaled))
        return failure();
      c = *scaled;
    }
    auto sum = node.create<AddOp>(result, c);
    if (failed(sum))
      return failure();
    result = *sum;
  }
  return node.setResult(0, result);
}

} // namespace

void mlir::kiln::registerMatmulOps(OnnxOpRegistry &registry) {
  registry.add("MatMul", 1, kLatestOpset, importMatMul);
  // Before 7, Gemm broadcast C only with the legacy `broadcast` attribute.
  registry.add("Gemm", 7, kLatestOpset, importGemm);
}
