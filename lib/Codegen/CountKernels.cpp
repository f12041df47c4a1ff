//===- CountKernels.cpp - Loop nests and buffer bytes for --stats ---------===//
//
// Records, as a module attribute, how many loop nests (kernels) the
// functions hold at this point of the pipeline and how many bytes their
// local buffers take. Run before and after kernel fusion, it is what
// `kiln compile --stats` prints; it changes nothing else.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCOUNTKERNELS
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {
struct KilnCountKernelsPass
    : public kiln::impl::KilnCountKernelsBase<KilnCountKernelsPass> {
  using KilnCountKernelsBase::KilnCountKernelsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    int64_t nests = 0, bytes = 0, dynamicBuffers = 0;
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      // A kernel is an outermost loop nest: a linalg op (one nest once
      // lowered), a loop, or a copy, directly in a function's blocks.
      for (Block &block : fn.getBody())
        for (Operation &op : block)
          if (isa<linalg::LinalgOp, scf::ForOp, scf::ParallelOp,
                  memref::CopyOp>(op))
            ++nests;
      fn.walk([&](memref::AllocOp alloc) {
        MemRefType type = alloc.getType();
        if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat()) {
          ++dynamicBuffers;
          return;
        }
        int64_t bits = type.getElementTypeBitWidth();
        bytes += type.getNumElements() * ((bits + 7) / 8);
      });
    }
    MLIRContext *ctx = module.getContext();
    auto i64 = [&](int64_t v) {
      return IntegerAttr::get(IntegerType::get(ctx, 64), v);
    };
    NamedAttrList stats;
    if (auto old = module->getAttrOfType<DictionaryAttr>(kStatsAttr))
      stats = NamedAttrList(old);
    stats.set(label + "_loop_nests", i64(nests));
    stats.set(label + "_buffer_bytes", i64(bytes));
    stats.set(label + "_dynamic_buffers", i64(dynamicBuffers));
    module->setAttr(kStatsAttr, stats.getDictionary(ctx));
  }

  static constexpr StringLiteral kStatsAttr = "kiln.stats";
};
} // namespace
