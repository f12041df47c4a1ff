//===- GPUPipeline.cpp - The pipeline from kiln to PTX for NVIDIA GPUs ----===//
//
// Everything that happens to a model on its way to NVIDIA GPU code, in
// order. The graph and linalg phases are the CPU pipeline's (same fusion,
// same autodiff); below linalg, loops become kernels:
//
//   bufferize -> loops -> one gpu.launch per outermost loop nest
//     (kiln-map-parallel-loops-to-gpu) -> gpu-kernel-outlining
//   kernels:  nvvm-attach-target -> convert-gpu-to-nvvm -> PTX through LLVM's
//             NVPTX backend (gpu-module-to-binary, format isa)
//   host:     the CPU pipeline's conversions to the LLVM dialect; launches
//             stay gpu.launch_func, whose translation to LLVM IR calls the
//             mgpu* functions (see docs/gpu.md)
//
//===----------------------------------------------------------------------===//

#include "kiln/Pipelines/Pipelines.h"

#include "kiln/Codegen/Passes.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/Dialect/Kiln/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToFuncs/MathToFuncs.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::kiln;

/// The CUDA toolkit whose libdevice (math functions without an NVVM
/// intrinsic) the kernels link: $CUDA_HOME, $CUDA_PATH or /usr/local/cuda,
/// the first holding nvvm/libdevice. Looked up here rather than left to the
/// NVVM target, whose own search depends on the PATH (ptxas on it).
static std::string findCUDAToolkit() {
  SmallVector<std::string> candidates;
  for (const char *var : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *dir = std::getenv(var))
      candidates.push_back(dir);
  candidates.push_back("/usr/local/cuda");
  for (const std::string &dir : candidates) {
    SmallString<128> libdevice(dir);
    llvm::sys::path::append(libdevice, "nvvm", "libdevice");
    if (llvm::sys::fs::is_directory(libdevice))
      return dir;
  }
  return "";
}

void mlir::kiln::buildGPUKernelPipeline(OpPassManager &pm,
                                        const GPUPipelineOptions &options) {
  // Tensors to buffers, exactly as for CPUs (see CPUPipeline.cpp): identity
  // layouts at the entry, returned buffers owned by the caller.
  pm.addNestedPass<func::FuncOp>(createKilnLowerAssignments());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createCanonicalizerPass());

  // Buffers to loops, then each outermost loop nest to a kernel launch over
  // its linearized iteration space: one iteration per thread, the last
  // dimension fastest, so that a warp reads and writes contiguous memory.
  pm.addNestedPass<func::FuncOp>(createKilnExpandStridedCopies());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createCanonicalizerPass());
  KilnMapParallelLoopsToGPUOptions mapping;
  mapping.blockSize = options.blockSize;
  pm.addNestedPass<func::FuncOp>(createKilnMapParallelLoopsToGPU(mapping));
  // Integer powers have no NVVM intrinsic: they become small functions,
  // which outlining copies into the kernel modules that call them.
  pm.addPass(createConvertMathToFuncs());
  // Each launch body becomes a gpu.func in its own gpu.module; constants
  // are sunk into the kernels, other captured values become arguments.
  pm.addPass(createGpuKernelOutliningPass());
  // One gpu.module for all kernels: one PTX module per model.
  pm.addPass(createKilnMergeGPUModules());
  pm.addPass(createCanonicalizerPass());
}

void mlir::kiln::buildGPUCodegenPipeline(OpPassManager &pm,
                                         const GPUPipelineOptions &options) {
  // Structured control flow and index arithmetic, on both sides.
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addNestedPass<func::FuncOp>(createKilnLowerDynamicExpandShapes());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());

  // Kernels: the NVVM target (chip, PTX features, LLVM's optimization
  // level) is an attribute on each gpu.module, read when serializing.
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  // The kernels go to NVVM before the host's math lowering, which would turn
  // their math ops into libm calls. Math functions without an NVVM
  // intrinsic become libdevice calls, linked from the CUDA toolkit when it
  // is installed (see docs/gpu.md).
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps(nvvm));
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());

  // Host: the CPU pipeline's conversions to the LLVM dialect.
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createKilnLowerRuntimeChecks());
  pm.addPass(createConvertControlFlowToLLVMPass());
  // Launch operands to LLVM types; gpu.launch_func stays, its translation to
  // LLVM IR emits the runtime calls.
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());

  // Kernels to PTX with LLVM's NVPTX backend, kept as text: the CUDA
  // driver compiles PTX for the GPU it finds, no CUDA toolkit needed.
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  binary.toolkitPath = findCUDAToolkit();
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createCanonicalizerPass());
}

void mlir::kiln::buildGPUPipeline(OpPassManager &pm,
                                  const GPUPipelineOptions &options) {
  CPUPipelineOptions graph;
  graph.inputShapes = options.inputShapes;
  buildGraphPipeline(pm, graph);
  // Kernels cannot yet run inside a loop that carries tensors: recurrent
  // layers' steps are unrolled again.
  pm.addNestedPass<func::FuncOp>(createKilnUnrollScans());
  buildLinalgPipeline(pm);
  buildGPUKernelPipeline(pm, options);
  buildGPUCodegenPipeline(pm, options);
}

void mlir::kiln::registerGPUPipelines() {
  PassPipelineRegistration<GPUPipelineOptions>(
      "kiln-gpu-kernel-pipeline",
      "Lower linalg on tensors to outlined GPU kernels and their launches",
      buildGPUKernelPipeline);
  PassPipelineRegistration<GPUPipelineOptions>(
      "kiln-gpu-codegen-pipeline",
      "Lower outlined GPU kernels to PTX and the host to the LLVM dialect",
      buildGPUCodegenPipeline);
  PassPipelineRegistration<GPUPipelineOptions>(
      "kiln-gpu-pipeline",
      "Lower kiln to PTX kernels and LLVM-dialect host code for NVIDIA GPUs",
      buildGPUPipeline);
}
