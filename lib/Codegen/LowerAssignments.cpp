//===- LowerAssignments.cpp - kiln.assign to in-place materializations ----===//
//
// The last step of a training step's in-place updates before bufferization;
// see the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#define DEBUG_TYPE "kiln-lower-assignments"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNLOWERASSIGNMENTS
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {
struct KilnLowerAssignmentsPass
    : public kiln::impl::KilnLowerAssignmentsBase<KilnLowerAssignmentsPass> {
  void runOnOperation() override {
    SmallVector<kiln::AssignOp> assigns;
    getOperation().walk([&](kiln::AssignOp op) { assigns.push_back(op); });
    for (kiln::AssignOp op : assigns) {
      OpBuilder b(op);
      Value value = op.getValue();
      if (value.getType() != op.getDest().getType())
        value = tensor::CastOp::create(b, op.getLoc(), op.getDest().getType(),
                                       value);
      bufferization::MaterializeInDestinationOp::create(b, op.getLoc(), value,
                                                        op.getDest());
      op.erase();
    }
  }
};
} // namespace
