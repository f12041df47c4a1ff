//===- KilnInterfaces.h - Interfaces of kiln ops ----------------*- C++ -*-===//
//
// DifferentiableOpInterface, and the registration of its per-family
// implementations (lib/Dialect/Kiln/Autodiff).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNINTERFACES_H
#define KILN_DIALECT_KILN_IR_KILNINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OpDefinition.h"

#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h.inc"

namespace mlir::kiln {

/// Attaches every family's gradient rules to the kiln ops.
void registerDifferentiableOpInterfaces(DialectRegistry &registry);

} // namespace mlir::kiln

#endif // KILN_DIALECT_KILN_IR_KILNINTERFACES_H
