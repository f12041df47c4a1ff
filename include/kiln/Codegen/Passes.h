//===- Passes.h - Code generation passes ------------------------*- C++ -*-===//
//
// Declarations and registration of the passes below the kiln dialect.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_PASSES_H
#define KILN_CODEGEN_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Pass/Pass.h"

namespace mlir::kiln {

#define GEN_PASS_DECL
#include "kiln/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kiln/Codegen/Passes.h.inc"

} // namespace mlir::kiln

#endif // KILN_CODEGEN_PASSES_H
