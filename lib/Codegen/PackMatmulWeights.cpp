//===- PackMatmulWeights.cpp - Lay constant matmul weights out in panels --===//
//
// The matmul kernels of kiln-vectorize-contractions read B one row of a
// column strip (`vectors` x lanes columns, NR) per step of k. Read in place
// from a [K, N] weight, consecutive rows of the strip are N * 4 bytes apart:
// when that is a multiple of 4 KB (N = 512, 1024) a strip maps onto a few
// cache sets and is evicted and re-read for every block of rows (lstm_lm's
// projections ran at a seventh of the kernel's speed). This pass copies each
// constant B, once, at compile time, into panels in exactly the order the
// kernel reads them:
//
//   packed[p, r..., c] = B[r..., p * NR + c]   (0 where p * NR + c >= N)
//
// with shape [ceil(N / NR), r..., NR], where r... are B's other dimensions
// (k, then batch or extra k dimensions, in B's order). A strip is then one
// contiguous [K, NR] block, read sequentially; the zero padding of the last
// panel lets the kernel load whole vectors there (stores keep their masks).
// The contraction becomes a linalg.generic whose B map reads the panels,
// (..., n, ...) -> (n floordiv NR, r..., n mod NR), with the same loops and
// body, so that anything that does not take it as a kernel still computes
// the same result as a plain loop nest.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNPACKMATMULWEIGHTS
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// The f32 elements of a constant in row-major order, or nothing for kinds
/// this pass does not read.
std::optional<std::vector<float>> floatData(ElementsAttr value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
    return std::nullopt;
  size_t count = type.getNumElements();
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (dense.isSplat())
      return std::vector<float>(count, dense.getSplatValue<float>());
    ArrayRef<char> raw = dense.getRawData();
    if (raw.size() != count * sizeof(float))
      return std::nullopt;
    std::vector<float> data(count);
    std::memcpy(data.data(), raw.data(), raw.size());
    return data;
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob()) {
      ArrayRef<char> raw = blob->getData();
      if (raw.size() != count * sizeof(float))
        return std::nullopt;
      std::vector<float> data(count);
      std::memcpy(data.data(), raw.data(), raw.size());
      return data;
    }
  return std::nullopt;
}

/// The constant `v` holds, looking through reshapes (which keep the
/// row-major order of the elements), and the ops to erase with it.
std::optional<std::vector<float>>
constantData(Value v, SmallVectorImpl<Operation *> &chain) {
  while (isa_and_nonnull<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(
      v.getDefiningOp())) {
    chain.push_back(v.getDefiningOp());
    v = v.getDefiningOp()->getOperand(0);
  }
  ElementsAttr value;
  if (!matchPattern(v, m_Constant(&value)))
    return std::nullopt;
  chain.push_back(v.getDefiningOp());
  return floatData(value);
}

struct KilnPackMatmulWeightsPass
    : public kiln::impl::KilnPackMatmulWeightsBase<KilnPackMatmulWeightsPass> {
  using KilnPackMatmulWeightsBase::KilnPackMatmulWeightsBase;

  void runOnOperation() override {
    if (panelCols < 0) {
      getOperation().emitError(
          "kiln-pack-matmul-weights: panel-cols must not be negative");
      return signalPassFailure();
    }
    if (panelCols == 0)
      return;
    SmallVector<linalg::LinalgOp> matmuls;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && linalg::isaContractionOpInterface(op))
        matmuls.push_back(op);
    });
    for (linalg::LinalgOp op : matmuls)
      pack(op);
    // The original weights (and reshapes of them) nothing reads any more;
    // a constant goes once every reshape of it has.
    llvm::SmallPtrSet<Operation *, 8> erased;
    for (bool changed = true; changed;) {
      changed = false;
      for (Operation *op : dead)
        if (!erased.contains(op) && op->use_empty()) {
          erased.insert(op);
          op->erase();
          changed = true;
        }
    }
  }

  void pack(linalg::LinalgOp op) {
    if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
        op->getNumResults() != 1)
      return;
    for (Value v : op->getOperands())
      if (!getElementTypeOrSelf(v.getType()).isF32())
        return;
    auto dims = linalg::inferContractionDims(op);
    if (failed(dims) || dims->m.empty() || dims->n.size() != 1 ||
        dims->k.empty())
      return;
    unsigned n = dims->n[0];
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    AffineMap bMap = maps[1];
    // The kernels vectorize along n, B's innermost dimension.
    if (!bMap.isProjectedPermutation() || bMap.getNumResults() == 0 ||
        bMap.getDimPosition(bMap.getNumResults() - 1) != n)
      return;
    Value b = op.getDpsInputs()[1];
    auto bType = dyn_cast<RankedTensorType>(b.getType());
    if (!bType || !bType.hasStaticShape())
      return;
    int64_t cols = bType.getShape().back();
    // Narrower than one panel: rows are already adjacent, nothing to gain.
    if (cols < panelCols)
      return;
    Value packed = packedValue(b, bType);
    if (!packed)
      return;
    MLIRContext *ctx = op.getContext();
    AffineExpr nExpr = getAffineDimExpr(n, ctx);
    SmallVector<AffineExpr> results{nExpr.floorDiv(panelCols)};
    for (AffineExpr e : bMap.getResults().drop_back())
      results.push_back(e);
    results.push_back(nExpr % panelCols);
    maps[1] = AffineMap::get(bMap.getNumDims(), 0, results, ctx);
    OpBuilder builder(op);
    auto generic = linalg::GenericOp::create(
        builder, op.getLoc(), op->getResultTypes(),
        ValueRange{op.getDpsInputs()[0], packed}, op.getDpsInits(), maps,
        op.getIteratorTypesArray());
    // The same scalar body (named matmuls carry theirs as a region too).
    IRMapping mapping;
    op->getRegion(0).cloneInto(&generic.getRegion(), mapping);
    op->getResult(0).replaceAllUsesWith(generic.getResult(0));
    op->erase();
  }

  /// The panels of constant `b`, shared by every matmul reading it (the
  /// LSTM's recurrent weight is read once per time step), or null.
  Value packedValue(Value b, RankedTensorType bType) {
    if (Value known = packedOf.lookup(b))
      return known;
    SmallVector<Operation *> chain;
    auto data = constantData(b, chain);
    if (!data)
      return {};
    ArrayRef<int64_t> shape = bType.getShape();
    int64_t cols = shape.back();
    int64_t rows = bType.getNumElements() / std::max<int64_t>(cols, 1);
    int64_t panels = (cols + panelCols - 1) / panelCols;
    SmallVector<int64_t> packedShape{panels};
    packedShape.append(shape.begin(), shape.end() - 1);
    packedShape.push_back(panelCols);
    std::vector<float> out(panels * rows * panelCols, 0.0f);
    for (int64_t p = 0; p < panels; ++p)
      for (int64_t r = 0; r < rows; ++r) {
        int64_t width = std::min<int64_t>(panelCols, cols - p * panelCols);
        std::memcpy(&out[(p * rows + r) * panelCols],
                    &(*data)[r * cols + p * panelCols], width * sizeof(float));
      }
    auto packedType =
        RankedTensorType::get(packedShape, bType.getElementType());
    ArrayRef<char> bytes(reinterpret_cast<const char *>(out.data()),
                         out.size() * sizeof(float));
    auto attr = DenseResourceElementsAttr::get(
        packedType, "kiln_packed",
        HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes,
                                                      alignof(uint64_t)));
    // At the top of the function, so that it dominates every reader.
    auto func = getOperation();
    OpBuilder builder(&func.getBody().front(), func.getBody().front().begin());
    Value packed = arith::ConstantOp::create(builder, b.getLoc(), packedType,
                                             cast<TypedAttr>(attr));
    packedOf[b] = packed;
    dead.append(chain.begin(), chain.end());
    return packed;
  }

  DenseMap<Value, Value> packedOf;
  /// The original constants and reshapes, innermost last.
  SmallVector<Operation *> dead;
};
} // namespace
