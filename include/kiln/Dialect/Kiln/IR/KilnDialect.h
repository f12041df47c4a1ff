//===- KilnDialect.h - The kiln dialect -------------------------*- C++ -*-===//
//
// The kiln dialect: deep-learning graph operations on ranked tensors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNDIALECT_H
#define KILN_DIALECT_KILN_IR_KILNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "kiln/Dialect/Kiln/IR/KilnOpsDialect.h.inc"

#endif // KILN_DIALECT_KILN_IR_KILNDIALECT_H
