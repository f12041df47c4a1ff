//===- KilnDialect.h - The kiln dialect -------------------------*- C++ -*-===//
//
// The kiln dialect: deep-learning graph operations on ranked tensors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNDIALECT_H
#define KILN_DIALECT_KILN_IR_KILNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "kiln/Dialect/Kiln/IR/KilnOpsDialect.h.inc"

namespace mlir::kiln {
/// On a kiln.constant: the tensor is a trainable parameter (an ONNX
/// initializer, a DSL layer's weight) called by the attribute's value.
inline constexpr StringLiteral kParameterAttr = "kiln.parameter";
/// On a function argument: state the function updates in place with
/// kiln.assign (a training step's parameters and optimizer state).
inline constexpr StringLiteral kMutableAttr = "kiln.mutable";
} // namespace mlir::kiln

#endif // KILN_DIALECT_KILN_IR_KILNDIALECT_H
