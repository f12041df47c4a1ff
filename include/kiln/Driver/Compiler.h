//===- Compiler.h - From a module of kiln ops to runnable code --*- C++ -*-===//
//
// The steps every frontend's module goes through, for the CLI, the
// conformance runner and the tests: the pass pipelines up to a chosen stage,
// translation to LLVM IR, and loading through the JIT as a runtime model.
// Failures come back as llvm::Error holding the compiler's diagnostics.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_COMPILER_H
#define KILN_DRIVER_COMPILER_H

#include "kiln/Pipelines/Pipelines.h"
#include "kiln/Target/LLVMIR.h"
#include "kiln/Target/Signature.h"
#include "kiln/runtime.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <functional>

namespace mlir::kiln {

/// How far `lowerTo` takes a module.
enum class Stage {
  Kiln,       ///< kiln ops after graph-level passes
  Linalg,     ///< linalg on tensors after fusion
  LLVMDialect ///< the LLVM dialect, ready for translation
};

struct CompileOptions {
  /// The function the compiled model's entry point calls.
  std::string entry = "main";
  /// Argument specializations, `index=DxD,...` (kiln-shape-propagation).
  std::string inputShapes;
  CPUTargetOptions target;
  /// Unrolls kiln.scan loops (recurrent layers) before the linalg phase, for
  /// targets that cannot run loops carrying tensors (CUDA).
  bool unrollScans = false;
  /// Called after each pipeline phase with its name and the time it took
  /// (seconds); for progress output and `--stats`.
  std::function<void(StringRef phase, double seconds)> onPhase;
};

/// Runs the pipelines on `module` up to `stage`.
llvm::Error lowerTo(ModuleOp module, Stage stage,
                    const CompileOptions &options);

/// The entry function's signature, once graph-level passes have run.
llvm::Expected<ModelSignature> entrySignature(ModuleOp module,
                                              const CompileOptions &options);

/// Lowers a kiln module all the way to optimized LLVM IR with the model
/// descriptor; `signature` receives the model's signature.
llvm::Expected<std::unique_ptr<llvm::Module>>
compileToLLVMIR(ModuleOp module, llvm::LLVMContext &llvmContext,
                const CompileOptions &options, ModelSignature *signature = nullptr);

/// Writes an optimized module (from compileToLLVMIR) to `path` as an object
/// file or, with `sharedLibrary`, as a shared library for kiln_model_open.
/// Everything goes to temporary files renamed into place at the end, so a
/// failure leaves nothing at `path`.
llvm::Error writeCompiledModel(llvm::Module &module,
                               const CompileOptions &options,
                               llvm::StringRef path, bool sharedLibrary);

/// Compiles a kiln module and loads it through the JIT as a runtime model
/// (close it with kiln_model_close).
llvm::Expected<kiln_model *> compileAndLoad(ModuleOp module,
                                            const CompileOptions &options);

} // namespace mlir::kiln

#endif // KILN_DRIVER_COMPILER_H
