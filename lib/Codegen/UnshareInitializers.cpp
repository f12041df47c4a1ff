//===- UnshareInitializers.cpp - One initializer per accumulator ----------===//
//
// CSE merges identical initializers on tensors: the zero fills (or bias
// broadcasts) that several convolutions and matmuls start their
// accumulators from become one op whose result is the init of all of them.
// Bufferization then keeps the shared buffer for one user and gives every
// other a new buffer plus a full copy of it (a memcpy per convolution in
// mobilenet_v2), and kiln-vectorize-contractions, which folds a fill or a
// bias into its registers only when the accumulator buffer is private, no
// longer sees the fill. This pass gives each such use its own clone of the
// initializer (and of the tensor.empty it writes), as the lowering made it.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNUNSHAREINITIALIZERS
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {
/// Whether `op` only initializes a fresh tensor, cheaply: a linalg.fill, or
/// a generic whose body yields one of its inputs or a value from outside
/// (a broadcast bias, a fill in disguise), into a tensor.empty.
bool isInitializer(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op->getNumResults() != 1 || op.getNumReductionLoops() != 0)
    return false;
  // (CSE may have merged the tensor.empty too; each clone gets its own.)
  if (!op.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>())
    return false;
  if (isa<linalg::FillOp>(op))
    return true;
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic)
    return false;
  Block &body = generic.getRegion().front();
  if (body.getOperations().size() != 1)
    return false;
  Value yielded = body.getTerminator()->getOperand(0);
  auto arg = dyn_cast<BlockArgument>(yielded);
  return arg ? arg.getOwner() == &body &&
                   arg.getArgNumber() < generic.getNumDpsInputs()
             : yielded.getParentRegion() != &generic.getRegion();
}

struct KilnUnshareInitializersPass
    : public kiln::impl::KilnUnshareInitializersBase<
          KilnUnshareInitializersPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> shared;
    // Program order, so that the first user keeps the original.
    DenseMap<Operation *, unsigned> order;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      order[op] = order.size();
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
          linalgOp && isInitializer(linalgOp) &&
          !linalgOp->getResult(0).hasOneUse())
        shared.push_back(linalgOp);
    });
    for (linalg::LinalgOp op : shared) {
      // Every use as the init of another op but the first gets a clone
      // (reads need none: they do not make bufferization copy).
      SmallVector<OpOperand *> inits;
      for (OpOperand &use : op->getResult(0).getUses()) {
        auto user = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
        if (user && user.isDpsInit(&use))
          inits.push_back(&use);
      }
      llvm::sort(inits, [&](OpOperand *x, OpOperand *y) {
        return order.lookup(x->getOwner()) < order.lookup(y->getOwner());
      });
      bool otherUses =
          inits.size() != (size_t)std::distance(op->getResult(0).use_begin(),
                                                op->getResult(0).use_end());
      // The original stays with the non-init uses, or the first init.
      for (OpOperand *use : llvm::drop_begin(inits, otherUses ? 0 : 1)) {
        OpBuilder b(use->getOwner());
        IRMapping map;
        Operation *empty = op.getDpsInits()[0].getDefiningOp();
        b.clone(*empty, map);
        Operation *clone = b.clone(*op, map);
        use->set(clone->getResult(0));
      }
    }
  }
};
} // namespace
