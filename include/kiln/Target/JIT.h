//===- JIT.h - Running compiled code in process -----------------*- C++ -*-===//
//
// Loads an optimized module into an ORC LLJIT and hands it to the runtime as
// a kiln_model, so that JIT and AOT models run through the same code.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_JIT_H
#define KILN_TARGET_JIT_H

#include "kiln/Target/LLVMIR.h"
#include "kiln/runtime.h"

#include "llvm/IR/LLVMContext.h"

namespace mlir::kiln {

/// JIT-compiles `module` and opens it as a runtime model; closing the model
/// frees the compiled code.
llvm::Expected<kiln_model *>
openJitModel(std::unique_ptr<llvm::Module> module,
             std::unique_ptr<llvm::LLVMContext> context,
             const CPUTargetOptions &options);

} // namespace mlir::kiln

#endif // KILN_TARGET_JIT_H
