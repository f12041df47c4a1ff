//===- FoldConstantTransposes.cpp - Transpose weights at compile time -----===//
//
// ONNX's Gemm (transB) and PyTorch's Linear store weights as [out, in]; the
// lowering reads them through a linalg.transpose, which would otherwise run
// on every inference and cost as much memory traffic as the matmul that
// follows. This pass computes the transposed constant once, at compile
// time, as a new dense_resource blob, so that the matmul kernels read
// weights row by row in the layout they want. Constant convolution filters
// are packed the same way, channels last or (conv-strip) in strips of
// output channels, for the convolution kernels.
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
    SmallVector<linalg::Conv2DNchwFchwOp> convs;
    getOperation().walk([&](linalg::Conv2DNchwFchwOp op) {
      if (op.hasPureTensorSemantics())
        convs.push_back(op);
    });
    for (linalg::Conv2DNchwFchwOp op : convs)
      packConvFilter(op);
  }

  void fold(linalg::TransposeOp op) {
    ElementsAttr value;
    if (!matchPattern(op.getInput(), m_Constant(&value)))
      return;
    auto outType = cast<RankedTensorType>(op.getResult()[0].getType());
    Attribute folded = transposed(value, outType, op.getPermutation());
    if (!folded)
      return;
    OpBuilder b(op);
    Value replacement = arith::ConstantOp::create(b, op.getLoc(), outType,
                                                  cast<TypedAttr>(folded));
    Operation *source = op.getInput().getDefiningOp();
    op.getResult()[0].replaceAllUsesWith(replacement);
    op->erase();
    if (source && source->use_empty())
      source->erase();
  }

  /// A convolution with a constant [F, C, KH, KW] filter becomes the same
  /// convolution as a linalg.generic that reads a [C, KH, KW, F] copy of
  /// the filter (the loops stay (n, f, oh, ow, c, kh, kw)): consecutive
  /// output channels are then adjacent in memory, so the convolution
  /// kernels of kiln-vectorize-contractions load a vector of output
  /// channels' weights at once, or the scalars of neighbouring channels
  /// from one cache line. With `convStrip` = S dividing F, the copy is
  /// [F / S, C, KH, KW, S] instead: each strip of S output channels, what
  /// one column strip of the channel-vector kernel reads over its whole
  /// reduction, is one contiguous block.
  void packConvFilter(linalg::Conv2DNchwFchwOp conv) {
    Value filter = conv.getInputs()[1];
    ElementsAttr value;
    if (!matchPattern(filter, m_Constant(&value)))
      return;
    auto filterType = cast<RankedTensorType>(filter.getType());
    ArrayRef<int64_t> fchw = filterType.getShape();
    int64_t strip = convStrip;
    if (strip <= 0 || ShapedType::isDynamic(fchw[0]) || fchw[0] % strip)
      strip = 0;
    RankedTensorType packedType;
    Attribute packed;
    if (strip) {
      // [F, C, KH, KW] read as [F / S, S, C, KH, KW], strips outermost and
      // the S channels innermost.
      packedType = RankedTensorType::get(
          {fchw[0] / strip, fchw[1], fchw[2], fchw[3], strip},
          filterType.getElementType());
      packed = transposed(value, packedType, {0, 2, 3, 4, 1},
                          {fchw[0] / strip, strip, fchw[1], fchw[2], fchw[3]});
    } else {
      packedType = RankedTensorType::get({fchw[1], fchw[2], fchw[3], fchw[0]},
                                         filterType.getElementType());
      packed = transposed(value, packedType, {1, 2, 3, 0});
    }
    if (!packed)
      return;
    OpBuilder b(conv);
    Location loc = conv.getLoc();
    Value packedValue =
        arith::ConstantOp::create(b, loc, packedType, cast<TypedAttr>(packed));
    MLIRContext *ctx = b.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
    // Loops (n, f, oh, ow, c, kh, kw), as linalg.conv_2d_nchw_fchw's.
    SmallVector<AffineMap> maps{
        AffineMap::get(7, 0,
                       {d(0), d(4), d(2) * strides[0] + d(5) * dilations[0],
                        d(3) * strides[1] + d(6) * dilations[1]},
                       ctx),
        strip ? AffineMap::get(
                    7, 0,
                    {d(1).floorDiv(strip), d(4), d(5), d(6), d(1) % strip}, ctx)
              : AffineMap::get(7, 0, {d(4), d(5), d(6), d(1)}, ctx),
        AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx)};
    using utils::IteratorType;
    SmallVector<IteratorType> iterators(4, IteratorType::parallel);
    iterators.append(3, IteratorType::reduction);
    Value init = conv.getOutputs()[0];
    bool isFloat = isa<FloatType>(filterType.getElementType());
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{init.getType()},
        ValueRange{conv.getInputs()[0], packedValue}, ValueRange{init}, maps,
        iterators, [&](OpBuilder &b, Location loc, ValueRange args) {
          Value product =
              isFloat
                  ? arith::MulFOp::create(b, loc, args[0], args[1]).getResult()
                  : arith::MulIOp::create(b, loc, args[0], args[1]).getResult();
          Value sum =
              isFloat
                  ? arith::AddFOp::create(b, loc, args[2], product).getResult()
                  : arith::AddIOp::create(b, loc, args[2], product).getResult();
          linalg::YieldOp::create(b, loc, sum);
        });
    conv->getResult(0).replaceAllUsesWith(generic.getResult(0));
    Operation *source = filter.getDefiningOp();
    conv->erase();
    if (source && source->use_empty())
      source->erase();
  }

  /// `value` (static shape, whole-byte elements) transposed into `outType`
  /// (out dim i is in dim perm[i]), or null. `viewShape`, when given, is the
  /// shape (same element count) the row-major data is read as instead of
  /// its own.
  static Attribute transposed(ElementsAttr value, RankedTensorType outType,
                              ArrayRef<int64_t> perm,
                              ArrayRef<int64_t> viewShape = {}) {
    auto inType = dyn_cast<RankedTensorType>(value.getType());
    if (!inType || !inType.hasStaticShape() || !outType.hasStaticShape())
      return {};
    if (!viewShape.empty())
      inType = RankedTensorType::get(viewShape, inType.getElementType());
    Type element = inType.getElementType();
    if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8)
      return {};
    if (auto dense = dyn_cast<DenseElementsAttr>(value);
        dense && dense.isSplat())
      return dense.resizeSplat(outType);
    auto bytes = rawBytes(value);
    size_t width = element.getIntOrFloatBitWidth() / 8;
    int64_t count = inType.getNumElements();
    if (!bytes || bytes->size() != (size_t)count * width)
      return {};
    // out[i0..in] = in[i_perm...]: walk the output in order and compute
    // the input offset from the input's strides.
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
    return DenseResourceElementsAttr::get(
        outType, "kiln_transposed",
        HeapAsmResourceBlob::allocateAndCopyWithAlign(data, alignof(uint64_t)));
  }
};
} // namespace
