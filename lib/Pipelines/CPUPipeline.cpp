//===- CPUPipeline.cpp - The pipeline from kiln to LLVM for CPUs ----------===//
//
// Everything that happens to a model on its way to CPU code, in order. Start
// here when asking "what does Kiln do to my model?".
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
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToFuncs/MathToFuncs.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::kiln;

void mlir::kiln::buildGraphPipeline(OpPassManager &pm,
                                    const CPUPipelineOptions &options) {
  // Losses a model computes as outputs (the DSL's mseLoss, ...) become the
  // primitive ops they are defined by; nothing lowers them directly.
  pm.addNestedPass<func::FuncOp>(createKilnDecompose());
  KilnShapePropagationOptions shapes;
  shapes.inputShapes = options.inputShapes;
  pm.addPass(createKilnShapePropagation(shapes));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Folding can make more shapes static; propagate once more.
  pm.addPass(createKilnShapePropagation());
}

void mlir::kiln::buildLinalgPipeline(OpPassManager &pm) {
  pm.addPass(createKilnMarkEntryPoints());
  pm.addPass(createConvertKilnToLinalg());
  pm.addPass(createCanonicalizerPass());
  // Producer/consumer fusion of elementwise generics (bias, activation, ...).
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
  pm.addNestedPass<func::FuncOp>(createKilnDropContractionUnitDims());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // Run-time shape checks (dynamic sizes that must agree) go first, before
  // anything is allocated.
  pm.addNestedPass<func::FuncOp>(createKilnHoistRuntimeChecks());
}

void mlir::kiln::buildCPUCodegenPipeline(OpPassManager &pm,
                                         const CPUPipelineOptions &options) {
  // Weights read through a transpose are transposed once, here.
  // Constant convolution filters are packed in strips of the channel-vector
  // convolution kernel's width (2 vectors of channels, channelVectors in
  // kiln-vectorize-contractions).
  KilnFoldConstantTransposesOptions filters;
  filters.convStrip = 2 * (options.vectorBits / 32);
  pm.addNestedPass<func::FuncOp>(createKilnFoldConstantTransposes(filters));
  // Constant matmul weights are laid out once in the column panels the
  // matmul kernels read (vectors per kernel x lanes wide).
  KilnPackMatmulWeightsOptions panels;
  panels.panelCols = KilnVectorizeContractionsOptions().vectorsPerKernel *
                     (options.vectorBits / 32);
  pm.addNestedPass<func::FuncOp>(createKilnPackMatmulWeights(panels));
  // Tensors to buffers. Entry points keep identity layouts so that the
  // runtime can pass plain row-major descriptors.
  // In-place stores of training steps become materializations, and the
  // computations they store write straight into the destination buffers.
  pm.addNestedPass<func::FuncOp>(createKilnLowerAssignments());
  // Initializers CSE merged get one copy per accumulator again, so that
  // bufferization copies no buffer for them.
  pm.addNestedPass<func::FuncOp>(createKilnUnshareInitializers());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // A loop's new state (kiln.scan's recurrent layers) is a new buffer each
  // step; the deallocation pipeline below frees the old one.
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Returned buffers become owned by the caller (copies where they would
  // alias an input or a constant); everything else is freed here.
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createCanonicalizerPass());

  // Buffers to loops. Strided copies become loops too, so that compiled
  // models need no support library. Outermost parallel loops worth threads
  // move into functions the runtime's pool will run.
  // Matmuls and convolutions become register-tiled vector FMA kernels,
  // with their fill and elementwise consumer folded in (before anything
  // else turns to loops). The counts around it are for --stats.
  pm.addPass(createKilnCountKernels({"unfused"}));
  KilnVectorizeContractionsOptions kernels;
  kernels.vectorBits = options.vectorBits;
  pm.addNestedPass<func::FuncOp>(createKilnVectorizeContractions(kernels));
  // Softmax and normalizations: one vectorized pass over each row.
  KilnVectorizeRowReductionsOptions rows;
  rows.vectorBits = options.vectorBits;
  pm.addNestedPass<func::FuncOp>(createKilnVectorizeRowReductions(rows));
  // Every other elementwise op: vector loops along its innermost dimension.
  // Strided copies (into the interior of a padded buffer, say) are such ops
  // once expanded; lowered later they were scalar loops that LLVM unrolled
  // but could not vectorize, not knowing that the buffers do not alias.
  pm.addNestedPass<func::FuncOp>(createKilnExpandStridedCopies());
  KilnVectorizeElementwiseOptions elementwise;
  elementwise.vectorBits = options.vectorBits;
  pm.addNestedPass<func::FuncOp>(createKilnVectorizeElementwise(elementwise));
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createKilnCountKernels({"fused"}));
  pm.addPass(createKilnOutlineParallelLoops());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());

  // Loops to the LLVM dialect. (MLIR 22's expand-strided-metadata cannot
  // take an expand_shape with several dynamic sizes in a group.)
  pm.addNestedPass<func::FuncOp>(createKilnLowerDynamicExpandShapes());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // The kernels' vector exp/erf/tanh/log become polynomials; vector math
  // with no vector lowering becomes scalar ops (before the vector dialect
  // goes away).
  pm.addNestedPass<func::FuncOp>(createKilnApproximateVectorMath());
  // Vector ops of the kernels to LLVM vectors (before memrefs, whose
  // descriptors their lowering reads).
  pm.addPass(createConvertVectorToLLVMPass());
  // Buffers come from the runtime's caching allocator (kiln/abi.h).
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useAlignedAlloc = true;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createKilnLowerRuntimeAllocations());
  // Integer powers have no LLVM intrinsic: they become small functions.
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  // A failed check ends the run through the runtime, not abort().
  pm.addPass(createKilnLowerRuntimeChecks());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createKilnDispatchParallelLoops());
  pm.addPass(createCanonicalizerPass());
}

void mlir::kiln::buildCPUPipeline(OpPassManager &pm,
                                  const CPUPipelineOptions &options) {
  buildGraphPipeline(pm, options);
  buildLinalgPipeline(pm);
  buildCPUCodegenPipeline(pm, options);
}

void mlir::kiln::registerPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "kiln-graph-pipeline", "Graph-level passes on kiln ops",
      buildGraphPipeline);
  PassPipelineRegistration<>("kiln-linalg-pipeline",
                             "Lower kiln to fused linalg on tensors",
                             buildLinalgPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "kiln-cpu-codegen-pipeline",
      "Lower linalg on tensors to the LLVM dialect for CPUs",
      buildCPUCodegenPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "kiln-cpu-pipeline", "Lower kiln to the LLVM dialect for CPUs",
      buildCPUPipeline);
}
