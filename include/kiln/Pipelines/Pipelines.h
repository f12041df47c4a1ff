//===- Pipelines.h - Kiln's pass pipelines ----------------------*- C++ -*-===//
//
// The pass pipelines that take a module of kiln ops to the LLVM dialect. Each
// target's pipeline is assembled in one function in one file
// (CPUPipeline.cpp), readable top to bottom.
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

} // namespace mlir::kiln

#endif // KILN_PIPELINES_PIPELINES_H
