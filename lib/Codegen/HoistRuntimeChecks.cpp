//===- HoistRuntimeChecks.cpp - Checks before allocations -----------------===//
//
// Moves each cf.assert of a function's entry block, with the pure
// computation its condition needs, to the start of the function, so that a
// failed check ends the run before any buffer exists.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define DEBUG_TYPE "kiln-hoist-runtime-checks"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNHOISTRUNTIMECHECKS
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {
struct KilnHoistRuntimeChecksPass
    : public kiln::impl::KilnHoistRuntimeChecksBase<
          KilnHoistRuntimeChecksPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    SmallVector<cf::AssertOp> checks(entry.getOps<cf::AssertOp>());
    if (checks.empty())
      return;
    // Everything hoisted goes before the first operation that stays.
    Operation *firstStaying = &entry.front();
    DenseSet<Operation *> hoisted;
    for (cf::AssertOp check : checks) {
      SetVector<Operation *> slice;
      BackwardSliceOptions options;
      options.inclusive = false;
      options.omitBlockArguments = true;
      bool movable = true;
      options.filter = [&](Operation *op) {
        if (op == check.getOperation())
          return true;
        if (op->getBlock() != &entry || op->getNumRegions() != 0 ||
            !isMemoryEffectFree(op))
          movable = false;
        return movable;
      };
      if (failed(getBackwardSlice(check.getOperation(), &slice, options)) ||
          !movable)
        continue;
      SmallVector<Operation *> ops(slice.begin(), slice.end());
      llvm::sort(ops, [](Operation *a, Operation *b) {
        return a->isBeforeInBlock(b);
      });
      ops.push_back(check);
      for (Operation *op : ops) {
        if (hoisted.contains(op))
          continue;
        if (op == firstStaying)
          firstStaying = op->getNextNode();
        op->moveBefore(firstStaying);
        hoisted.insert(op);
      }
    }
  }
};
} // namespace
