//===- MergeGPUModules.cpp - All outlined kernels in one gpu.module -------===//
//
// One gpu.module per model instead of one per kernel: a single NVPTX
// compilation and a single module load at run time.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/SymbolTable.h"

#define DEBUG_TYPE "kiln-merge-gpu-modules"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNMERGEGPUMODULES
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {
struct MergeGPUModules
    : public kiln::impl::KilnMergeGPUModulesBase<MergeGPUModules> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Only modules of nothing but kernels move.
    SmallVector<gpu::GPUModuleOp> movable;
    for (auto gpuModule : module.getOps<gpu::GPUModuleOp>()) {
      bool onlyKernels =
          llvm::all_of(gpuModule.getBody()->getOperations(), [](Operation &op) {
            auto func = dyn_cast<gpu::GPUFuncOp>(op);
            return func && func.isKernel();
          });
      if (onlyKernels && !gpuModule.getTargetsAttr())
        movable.push_back(gpuModule);
    }
    if (movable.size() < 2)
      return;

    SymbolTable symbols(module);
    OpBuilder b(movable.front());
    auto merged =
        gpu::GPUModuleOp::create(b, movable.front().getLoc(), "kiln_kernels");
    symbols.insert(merged); // uniquifies the name if it is taken
    StringAttr mergedName = merged.getSymNameAttr();
    Block *body = merged.getBody();

    // Old (module, kernel) -> new kernel name.
    DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (gpu::GPUModuleOp from : movable) {
      auto kernels = llvm::to_vector(from.getBody()->getOps<gpu::GPUFuncOp>());
      for (auto [i, kernel] : llvm::enumerate(kernels)) {
        std::string name = from.getSymName().str();
        if (kernels.size() > 1)
          name += "_" + std::to_string(i);
        StringAttr newName = b.getStringAttr(name);
        renamed[{from.getSymNameAttr(), kernel.getNameAttr()}] = newName;
        kernel->moveBefore(body, body->end());
        SymbolTable::setSymbolName(kernel, newName);
      }
    }
    // Every module name is a unique top-level symbol, so kernel names are
    // unique too. Retarget the launches, then drop the empty modules.
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto it =
          renamed.find({launch.getKernelModuleName(), launch.getKernelName()});
      if (it == renamed.end())
        return;
      launch.setKernelAttr(
          SymbolRefAttr::get(mergedName, {FlatSymbolRefAttr::get(it->second)}));
    });
    for (gpu::GPUModuleOp from : movable)
      from.erase();
  }
};
} // namespace
