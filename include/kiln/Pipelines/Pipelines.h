//===- Pipelines.h - Kiln's pass pipelines ----------------------*- C++ -*-===//
//
// The pass pipelines that take a module of kiln ops to the LLVM dialect. Each
// target's pipeline is assembled in one function in one file
// (CPUPipeline.cpp, GPUPipeline.cpp), readable top to bottom.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PIPELINES_PIPELINES_H
#define KILN_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir::kiln {

/// Options of the CPU code generation pipeline. The CLI maps its flags onto
/// these; kiln-opt spells them as pipeline options.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<std::string> inputShapes{
      *this, "input-shapes",
      llvm::cl::desc("Specialize entry arguments, `index=DxD,...` "
                     "(see kiln-shape-propagation)"),
      llvm::cl::init("")};
  PassOptions::Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Vector register width of the target CPU in bits (512 "
                     "with AVX-512, 256 with AVX2); sizes the matmul and "
                     "convolution kernels"),
      llvm::cl::init(512)};
};

/// Graph level: kiln ops in, kiln ops out. Shape propagation, folding.
void buildGraphPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// kiln -> linalg on tensors, with elementwise fusion. The result is what
/// `kiln compile --emit linalg` prints.
void buildLinalgPipeline(OpPassManager &pm);

/// linalg on tensors -> LLVM dialect for the host CPU: bufferization, buffer
/// deallocation, loops, and the conversions to LLVM.
void buildCPUCodegenPipeline(OpPassManager &pm,
                             const CPUPipelineOptions &options);

/// All three, in order: a module of kiln ops to the LLVM dialect.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers `kiln-graph-pipeline`, `kiln-linalg-pipeline`,
/// `kiln-cpu-codegen-pipeline` and `kiln-cpu-pipeline` for kiln-opt.
void registerPipelines();

/// Options of the GPU (CUDA) code generation pipeline (GPUPipeline.cpp).
struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  PassOptions::Option<std::string> inputShapes{
      *this, "input-shapes",
      llvm::cl::desc("Specialize entry arguments, `index=DxD,...` "
                     "(see kiln-shape-propagation)"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("The GPU architecture, e.g. sm_80"),
      llvm::cl::init("sm_80")};
  PassOptions::Option<std::string> features{
      *this, "features",
      llvm::cl::desc("NVPTX features, e.g. +ptx80 (empty: LLVM's default "
                     "PTX version for the chip)"),
      llvm::cl::init("")};
  PassOptions::Option<int64_t> blockSize{
      *this, "block-size", llvm::cl::desc("Threads per block"),
      llvm::cl::init(256)};
  PassOptions::Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("LLVM optimization level of the kernels"),
      llvm::cl::init(3)};
};

/// linalg on tensors -> kernels: bufferization, buffer deallocation, loops,
/// one gpu.launch per outermost loop nest, outlined into gpu.module/gpu.func.
/// The result is what `kiln compile --target cuda --emit gpu` prints.
void buildGPUKernelPipeline(OpPassManager &pm,
                            const GPUPipelineOptions &options);

/// Kernels -> NVVM -> PTX (gpu.binary objects, format isa) and the host code
/// to the LLVM dialect, launches as gpu.launch_func.
void buildGPUCodegenPipeline(OpPassManager &pm,
                             const GPUPipelineOptions &options);

/// Graph, linalg, kernel and codegen phases: a module of kiln ops to PTX and
/// LLVM-dialect host code.
void buildGPUPipeline(OpPassManager &pm, const GPUPipelineOptions &options);

/// Registers `kiln-gpu-kernel-pipeline`, `kiln-gpu-codegen-pipeline` and
/// `kiln-gpu-pipeline` for kiln-opt.
void registerGPUPipelines();

} // namespace mlir::kiln

#endif // KILN_PIPELINES_PIPELINES_H
