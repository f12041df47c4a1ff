//===- FoldConstantTransposes.cpp - Transpose weights at compile time -----===//
//
// ONNX's Gemm (transB) and PyTorch's Linear store weights as [out, in]; the
// lowering reads them through a linalg.transpose, which would otherwise run
// on every inference and cost as much memory traffic as the matmul that
// follows. This pass computes the transposed constant once, at compile
// time, as a new dense_resource blob, so that the matmul kernels read
// weights row by row in the layout they want.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNFOLDCONSTANTTRANSPOSES
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {
/// The raw row-major bytes of a constant, or nothing for kinds this pass
/// does not read (splats are handled by the caller).
std::optional<ArrayRef<char>> rawBytes(ElementsAttr value) {
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    return dense.getRawData();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      return blob->getData();
  return std::nullopt;
}

struct KilnFoldConstantTransposesPass
    : public kiln::impl::KilnFoldConstantTransposesBase<
          KilnFoldConstantTransposesPass> {
  using KilnFoldConstantTransposesBase::KilnFoldConstantTransposesBase;

  void runOnOperation() override {
    SmallVector<linalg::TransposeOp> transposes;
    getOperation().walk([&](linalg::TransposeOp op) {
      if (op.hasPureTensorSemantics())
        transposes.push_back(op);
    });
    for (linalg::TransposeOp op : transposes)
      fold(op);
  }

  void fold(linalg::TransposeOp op) {
    ElementsAttr value;
    if (!matchPattern(op.getInput(), m_Constant(&value)))
      return;
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getResult()[0].getType());
    if (!inType.hasStaticShape() || !outType.hasStaticShape())
      return;
    Type element = inType.getElementType();
    if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8)
      return;
    OpBuilder b(op);
    Attribute folded;
    if (auto dense = dyn_cast<DenseElementsAttr>(value);
        dense && dense.isSplat()) {
      folded = dense.resizeSplat(outType);
    } else {
      auto bytes = rawBytes(value);
      size_t width = element.getIntOrFloatBitWidth() / 8;
      int64_t count = inType.getNumElements();
      if (!bytes || bytes->size() != (size_t)count * width)
        return;
      // out[i0..in] = in[i_perm...]: walk the output in order and compute
      // the input offset from the input's strides.
      ArrayRef<int64_t> perm = op.getPermutation();
      ArrayRef<int64_t> inShape = inType.getShape();
      int64_t rank = inType.getRank();
      SmallVector<int64_t> inStrides(rank, 1);
      for (int64_t d = rank - 2; d >= 0; --d)
        inStrides[d] = inStrides[d + 1] * inShape[d + 1];
      SmallVector<int64_t> outStrides; // input stride of each output dim
      for (int64_t d = 0; d < rank; ++d)
        outStrides.push_back(inStrides[perm[d]]);
      ArrayRef<int64_t> outShape = outType.getShape();
      std::vector<char> data(bytes->size());
      SmallVector<int64_t> index(rank, 0);
      const char *src = bytes->data();
      for (int64_t i = 0; i < count; ++i) {
        int64_t from = 0;
        for (int64_t d = 0; d < rank; ++d)
          from += index[d] * outStrides[d];
        std::memcpy(data.data() + i * width, src + from * width, width);
        for (int64_t d = rank - 1; d >= 0; --d) {
          if (++index[d] < outShape[d])
            break;
          index[d] = 0;
        }
      }
      folded = DenseResourceElementsAttr::get(
          outType, "kiln_transposed",
          HeapAsmResourceBlob::allocateAndCopyWithAlign(data,
                                                        alignof(uint64_t)));
    }
    Value replacement = arith::ConstantOp::create(b, op.getLoc(), outType,
                                                  cast<TypedAttr>(folded));
    Operation *source = op.getInput().getDefiningOp();
    op.getResult()[0].replaceAllUsesWith(replacement);
    op->erase();
    if (source && source->use_empty())
      source->erase();
  }
};
} // namespace
