//===- CUDA.h - Compiling for NVIDIA GPUs -----------------------*- C++ -*-===//
//
// The NVPTX side of lib/Target: parsing `--target cuda[:sm_XX]`, running the
// GPU pipeline (lib/Pipelines/GPUPipeline.cpp) on a module already lowered
// to linalg, and reading the PTX of each kernel module out of the result.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_CUDA_H
#define KILN_TARGET_CUDA_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir::kiln {

struct CUDATargetOptions {
  /// The GPU architecture, `sm_XX` (optionally with an `a` or `f` suffix).
  std::string chip = "sm_80";
  /// NVPTX features (e.g. "+ptx80"); empty: LLVM's default for the chip.
  std::string features;
  /// LLVM optimization level of the kernels, 0 to 3.
  unsigned optLevel = 3;
  /// Threads per block of the kernels.
  int64_t blockSize = 256;
};

/// Parses a target name: "cuda" or "cuda:sm_XX". Errors name the problem.
llvm::Expected<CUDATargetOptions> parseCUDATarget(llvm::StringRef spec);

/// How far lowerForCUDA goes.
enum class CUDAStage {
  Kernels, ///< gpu.module/gpu.func kernels and gpu.launch_func on buffers
  PTX      ///< gpu.binary objects holding PTX; host code in the LLVM dialect
};

/// Runs the GPU pipeline on a module at the linalg stage (see
/// kiln::lowerTo). Diagnostics become the error.
llvm::Error lowerForCUDA(ModuleOp module, const CUDATargetOptions &options,
                         CUDAStage stage);

/// One kernel module's PTX.
struct PTXModule {
  std::string name;
  std::string ptx;
};

/// The PTX of every gpu.binary in `module` (after CUDAStage::PTX).
llvm::Expected<std::vector<PTXModule>> extractPTX(ModuleOp module);

} // namespace mlir::kiln

#endif // KILN_TARGET_CUDA_H
