//===- LowerDynamicExpandShapes.cpp - expand_shape as reinterpret_cast ----===//
//
// MLIR 22's expand-strided-metadata crashes on a memref.expand_shape with more
// than one dynamic size in a reassociation group: it assumes at most one and
// reads a null size (llvm/llvm-project#186830, fixed in LLVM 23). Kiln's
// reshapes and batched matmuls make such ops whenever two dynamic dimensions
// come out of one. This pass gives them the form expand-strided-metadata
// would: the source's strided metadata, reinterpreted with the sizes of the
// op's output_shape and the strides they imply.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinTypes.h"

#define DEBUG_TYPE "kiln-lower-dynamic-expand-shapes"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNLOWERDYNAMICEXPANDSHAPES
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

/// Whether some reassociation group of `op` has several dynamic sizes.
static bool hasGroupWithSeveralDynamicSizes(memref::ExpandShapeOp op) {
  MemRefType type = op.getResultType();
  for (const ReassociationIndices &group : op.getReassociationIndices())
    if (llvm::count_if(group, [&](int64_t d) { return type.isDynamicDim(d); }) >
        1)
      return true;
  return false;
}

/// `a * b` on index values, folded when both are constants.
static OpFoldResult multiply(OpBuilder &b, Location loc, OpFoldResult lhs,
                             OpFoldResult rhs) {
  std::optional<int64_t> l = getConstantIntValue(lhs);
  std::optional<int64_t> r = getConstantIntValue(rhs);
  if (l && r)
    return b.getIndexAttr(*l * *r);
  return arith::MulIOp::create(b, loc,
                               getValueOrCreateConstantIndexOp(b, loc, lhs),
                               getValueOrCreateConstantIndexOp(b, loc, rhs))
      .getResult();
}

/// Replaces `op` with a reinterpret_cast of its source's base buffer.
static void lowerExpandShape(memref::ExpandShapeOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  MemRefType sourceType = op.getSrcType();
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, op.getSrc());
  auto [sourceStrides, sourceOffset] = sourceType.getStridesAndOffset();
  auto staticOr = [&](int64_t value, Value dynamic) -> OpFoldResult {
    if (ShapedType::isDynamic(value))
      return dynamic;
    return b.getIndexAttr(value);
  };

  // Within a group the innermost size keeps the source dimension's stride;
  // each outer one steps over the sizes inside it.
  SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
  SmallVector<OpFoldResult> strides(sizes.size());
  for (auto [sourceDim, group] :
       llvm::enumerate(op.getReassociationIndices())) {
    OpFoldResult stride =
        staticOr(sourceStrides[sourceDim], metadata.getStrides()[sourceDim]);
    for (int64_t i = group.size() - 1; i >= 0; --i) {
      strides[group[i]] = stride;
      if (i > 0)
        stride = multiply(b, loc, stride, sizes[group[i]]);
    }
  }
  OpFoldResult offset = staticOr(sourceOffset, metadata.getOffset());
  Value cast = memref::ReinterpretCastOp::create(b, loc, op.getResultType(),
                                                 metadata.getBaseBuffer(),
                                                 offset, sizes, strides);
  op.replaceAllUsesWith(cast);
  op.erase();
}

namespace {
struct KilnLowerDynamicExpandShapesPass
    : public kiln::impl::KilnLowerDynamicExpandShapesBase<
          KilnLowerDynamicExpandShapesPass> {
  void runOnOperation() override {
    SmallVector<memref::ExpandShapeOp> ops;
    getOperation().walk([&](memref::ExpandShapeOp op) {
      if (hasGroupWithSeveralDynamicSizes(op))
        ops.push_back(op);
    });
    for (memref::ExpandShapeOp op : ops)
      lowerExpandShape(op);
  }
};
} // namespace
