//===- LLVMIR.h - From the LLVM dialect to an optimized module --*- C++ -*-===//
//
// Translates a lowered module to LLVM IR, adds what every compiled model
// exports (kiln/abi.h: the descriptor and the entry wrapper) and optimizes it
// for the target CPU.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_LLVMIR_H
#define KILN_TARGET_LLVMIR_H

#include "kiln/Target/Signature.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>

namespace mlir::kiln {

struct CPUTargetOptions {
  /// CPU name for LLVM, or "native" for the host's.
  std::string cpu = "native";
  /// Extra features ("+avx2,-avx512f"); with cpu "native", the host's.
  std::string features;
  /// LLVM optimization level, 0 to 3.
  unsigned optLevel = 3;
};

/// A TargetMachine for x86-64 code on `options`' CPU.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CPUTargetOptions &options);

/// The widest vector registers `machine` has for f32 arithmetic, in bits:
/// 512 with AVX-512F, 256 with AVX, else 128.
int64_t preferredVectorBits(const llvm::TargetMachine &machine);

/// Translates `module` (LLVM dialect) into `llvmContext`, adds the model
/// descriptor and entry point for `signature`, internalizes everything else
/// and runs LLVM's optimizer for `machine`.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(ModuleOp module, llvm::LLVMContext &llvmContext,
                  const ModelSignature &signature,
                  llvm::TargetMachine &machine, unsigned optLevel);

} // namespace mlir::kiln

#endif // KILN_TARGET_LLVMIR_H
