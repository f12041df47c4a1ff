//===- Passes.h - Training passes -------------------------------*- C++ -*-===//
//
// Declarations and registration of the passes that build training functions.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINING_PASSES_H
#define KILN_TRAINING_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::kiln {

#define GEN_PASS_DECL
#include "kiln/Training/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kiln/Training/Passes.h.inc"

} // namespace mlir::kiln

#endif // KILN_TRAINING_PASSES_H
