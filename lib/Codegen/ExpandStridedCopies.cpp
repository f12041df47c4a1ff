//===- ExpandStridedCopies.cpp - Strided memref copies as loops -----------===//
//
// Keeps compiled models free of MLIR's runtime support library: a
// non-contiguous memref.copy would call `memrefCopy` from it.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/BuiltinTypes.h"

#define DEBUG_TYPE "kiln-expand-strided-copies"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNEXPANDSTRIDEDCOPIES
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

/// Whether the LLVM lowering turns a copy of this type into a memcpy. This
/// mirrors MemRefCopyOpLowering in MemRefToLLVM, which sends an empty memref
/// with a non-identity layout to `memrefCopy` as well.
static bool lowersToMemcpy(MemRefType memref) {
  return memref.getLayout().isIdentity() ||
         (memref.hasStaticShape() && memref.getNumElements() > 0 &&
          memref::isStaticShapeAndContiguousRowMajor(memref));
}

namespace {
struct KilnExpandStridedCopiesPass
    : public kiln::impl::KilnExpandStridedCopiesBase<
          KilnExpandStridedCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) {
      // An unranked copy has no loop nest to become; it is left alone.
      auto source = dyn_cast<MemRefType>(copy.getSource().getType());
      auto target = dyn_cast<MemRefType>(copy.getTarget().getType());
      if (!source || !target)
        return;
      if (!lowersToMemcpy(source) || !lowersToMemcpy(target))
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies) {
      OpBuilder builder(copy);
      linalg::makeMemRefCopyOp(builder, copy.getLoc(), copy.getSource(),
                               copy.getTarget());
      copy.erase();
    }
  }
};
} // namespace
