//===- OpChain.h - A node's decomposition, built step by step ---*- C++ -*-===//
//
// Many ONNX ops import as a short sequence of kiln ops: LeakyRelu is a
// comparison, a product and a select; QuantizeLinear a division, a rounding,
// a clamp and a cast. OpChain builds such a sequence through
// OnnxNode::create and remembers the first failure (already reported against
// the node), so that an importer reads like the formula it implements and
// checks for failure once, when it sets its results.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_OPS_OPCHAIN_H
#define KILN_FRONTENDS_ONNX_OPS_OPCHAIN_H

#include "../NodeImporter.h"

namespace mlir::kiln {

class OpChain {
public:
  explicit OpChain(OnnxNode &node) : node(node) {}

  /// Builds and verifies `OpTy`; after a failure (this one or an earlier
  /// one) it builds nothing and returns null.
  template <typename OpTy, typename... Args> Value create(Args &&...args) {
    if (!ok())
      return {};
    FailureOr<Value> result = node.create<OpTy>(std::forward<Args>(args)...);
    if (::mlir::failed(result)) {
      hasFailed = true;
      return {};
    }
    return *result;
  }

  /// A rank-0 constant of `elementType`.
  Value scalar(Type elementType, double value) {
    return ok() ? node.scalar(elementType, value) : Value();
  }

  /// `value` converted to `elementType` (kiln.cast), or `value` itself when
  /// it has that element type.
  Value cast(Value value, Type elementType) {
    if (!ok() || getElementTypeOrSelf(value.getType()) == elementType)
      return value;
    return create<CastOp>(value, elementType);
  }

  /// min(max(value, low), high), numpy.clip's order; a null bound is left
  /// out.
  Value clamp(Value value, Value low, Value high) {
    if (low)
      value = create<MaxOp>(value, low);
    if (high)
      value = create<MinOp>(value, high);
    return value;
  }

  /// Input `i` of the node, which must be present; a failure otherwise.
  Value requiredInput(unsigned i) {
    if (!ok())
      return {};
    FailureOr<Value> value = node.requiredInput(i);
    if (::mlir::failed(value)) {
      hasFailed = true;
      return {};
    }
    return *value;
  }

  /// Records a failure reported elsewhere (node.emitError()).
  void fail() { hasFailed = true; }
  bool ok() const { return !hasFailed; }

  /// Sets output `i` of the node to `value`, unless a step failed.
  LogicalResult setResult(unsigned i, Value value) {
    if (!ok())
      return failure();
    return node.setResult(i, value);
  }

private:
  OnnxNode &node;
  bool hasFailed = false;
};

inline Type elementTypeOf(Value value) {
  return getElementTypeOrSelf(value.getType());
}

inline int64_t tensorRank(Value value) {
  return cast<RankedTensorType>(value.getType()).getRank();
}

} // namespace mlir::kiln

#endif // KILN_FRONTENDS_ONNX_OPS_OPCHAIN_H
