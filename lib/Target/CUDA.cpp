//===- CUDA.cpp - Compiling for NVIDIA GPUs -------------------------------===//
//
// `--target cuda[:sm_XX]`, the GPU pipeline's phases with their diagnostics
// turned into errors, and the PTX text of the compiled kernel modules.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CUDA.h"

#include "kiln/Pipelines/Pipelines.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::kiln;

llvm::Expected<CUDATargetOptions>
mlir::kiln::parseCUDATarget(llvm::StringRef spec) {
  auto error = [&](const llvm::Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "bad target '" + spec + "': " + why);
  };
  auto [name, chip] = spec.split(':');
  if (name != "cuda")
    return error("expected cpu, cuda or cuda:sm_XX");
  CUDATargetOptions options;
  if (spec.contains(':')) {
    // sm_XX with an optional architecture-specific suffix (sm_90a, sm_100f).
    llvm::StringRef digits = chip;
    if (!digits.consume_front("sm_"))
      return error("the GPU architecture must look like sm_80");
    if (digits.ends_with("a") || digits.ends_with("f"))
      digits = digits.drop_back();
    unsigned number;
    if (digits.empty() || !llvm::all_of(digits, llvm::isDigit) ||
        digits.getAsInteger(10, number))
      return error("the GPU architecture must look like sm_80");
    // LLVM's NVPTX backend knows nothing older; neither does CUDA 12.
    if (number < 50)
      return error("sm_50 is the oldest GPU architecture Kiln targets");
    options.chip = chip.str();
  }
  return options;
}

namespace {
/// Collects error diagnostics for an llvm::Error.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &diag) {
          if (diag.getSeverity() != DiagnosticSeverity::Error)
            return success();
          if (!messages.empty())
            messages += "\n";
          messages += diag.str();
          return success();
        }) {}
  llvm::Error takeError(llvm::StringRef fallback) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   messages.empty() ? fallback.str()
                                                    : messages);
  }

private:
  std::string messages;
  ScopedDiagnosticHandler handler;
};
} // namespace

llvm::Error mlir::kiln::lowerForCUDA(ModuleOp module,
                                     const CUDATargetOptions &options,
                                     CUDAStage stage) {
  GPUPipelineOptions pipeline;
  pipeline.chip = options.chip;
  pipeline.features = options.features;
  pipeline.optLevel = options.optLevel;
  pipeline.blockSize = options.blockSize;
  DiagnosticCollector diagnostics(module.getContext());
  PassManager pm(module.getContext());
  buildGPUKernelPipeline(pm, pipeline);
  if (stage == CUDAStage::PTX)
    buildGPUCodegenPipeline(pm, pipeline);
  if (failed(pm.run(module)))
    return diagnostics.takeError("the GPU code generation failed");
  return llvm::Error::success();
}

llvm::Expected<std::vector<PTXModule>> mlir::kiln::extractPTX(ModuleOp module) {
  std::vector<PTXModule> modules;
  for (auto binary : module.getOps<gpu::BinaryOp>()) {
    for (Attribute attr : binary.getObjects()) {
      auto object = dyn_cast<gpu::ObjectAttr>(attr);
      if (!object || object.getFormat() != gpu::CompilationTarget::Assembly)
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "kernel module '" + binary.getSymName() +
                                           "' holds no PTX text");
      modules.push_back(
          {binary.getSymName().str(), object.getObject().getValue().str()});
    }
  }
  return modules;
}
