//===- Logical.cpp - ONNX comparisons and logic ---------------------------===//
//
// Comparisons (i1 results), logical and bitwise ops, Where, and the float
// class tests IsNaN and IsInf, which are comparisons too.
//
//===----------------------------------------------------------------------===//

#include "OpChain.h"

#include <limits>

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// A broadcasting binary ONNX op whose operands share one element type.
template <typename OpTy> LogicalResult importBinary(OnnxNode &node) {
  OpChain chain(node);
  Value lhs = chain.requiredInput(0);
  Value rhs = chain.requiredInput(1);
  if (!chain.ok())
    return failure();
  return chain.setResult(0, chain.create<OpTy>(lhs, rhs));
}

LogicalResult importNot(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  return chain.setResult(0, chain.create<NotOp>(x));
}

/// BitShift: `direction` is LEFT or RIGHT (logical, for ONNX's unsigned
/// types).
LogicalResult importBitShift(OnnxNode &node) {
  std::string direction = node.stringAttr("direction", "");
  if (direction == "LEFT")
    return importBinary<ShiftLeftOp>(node);
  if (direction == "RIGHT")
    return importBinary<ShiftRightOp>(node);
  return node.emitError() << "BitShift direction '" << direction
                          << "' is not supported (LEFT or RIGHT)";
}

LogicalResult importWhere(OnnxNode &node) {
  OpChain chain(node);
  Value condition = chain.requiredInput(0);
  Value x = chain.requiredInput(1);
  Value y = chain.requiredInput(2);
  if (!chain.ok())
    return failure();
  return chain.setResult(0, chain.create<SelectOp>(condition, x, y));
}

/// IsNaN: NaN is the one value that is not equal to itself.
LogicalResult importIsNaN(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  return chain.setResult(0, chain.create<NotOp>(chain.create<EqualOp>(x, x)));
}

/// IsInf: a comparison with an infinity (|x| with both of them).
LogicalResult importIsInf(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  Type type = elementTypeOf(x);
  bool negative = node.intAttr("detect_negative", 1) != 0;
  bool positive = node.intAttr("detect_positive", 1) != 0;
  double inf = std::numeric_limits<double>::infinity();
  Value result;
  if (negative && positive) {
    Value magnitude = chain.create<AbsOp>(x);
    result = chain.create<EqualOp>(magnitude, chain.scalar(type, inf));
  }
  else if (positive)
    result = chain.create<EqualOp>(x, chain.scalar(type, inf));
  else if (negative)
    result = chain.create<EqualOp>(x, chain.scalar(type, -inf));
  else // Detects nothing: x < x is false for every x, NaN included.
    result = chain.create<LessOp>(x, x);
  return chain.setResult(0, result);
}

} // namespace

void mlir::kiln::registerLogicalOps(OnnxOpRegistry &registry) {
  // Before version 7 these broadcast only with the legacy `broadcast`
  // attribute; later versions add types.
  registry.add("Equal", 7, kLatestOpset, importBinary<EqualOp>);
  registry.add("Less", 7, kLatestOpset, importBinary<LessOp>);
  registry.add("Greater", 7, kLatestOpset, importBinary<GreaterOp>);
  registry.add("LessOrEqual", 12, kLatestOpset, importBinary<LessEqualOp>);
  registry.add("GreaterOrEqual", 12, kLatestOpset,
               importBinary<GreaterEqualOp>);
  registry.add("And", 7, kLatestOpset, importBinary<AndOp>);
  registry.add("Or", 7, kLatestOpset, importBinary<OrOp>);
  registry.add("Xor", 7, kLatestOpset, importBinary<XorOp>);
  registry.add("Not", 1, kLatestOpset, importNot);
  registry.add("BitShift", 11, kLatestOpset, importBitShift);
  // Where 16 adds bfloat16.
  registry.add("Where", 9, kLatestOpset, importWhere);
  registry.add("IsNaN", 9, kLatestOpset, importIsNaN);
  registry.add("IsInf", 10, kLatestOpset, importIsInf);
}
