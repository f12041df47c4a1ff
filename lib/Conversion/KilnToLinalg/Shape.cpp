//===- Shape.cpp - kiln shape ops to linalg.transpose and tensor reshapes -===//
//
// Transpose is linalg.transpose; reshape and flatten become tensor
// collapse/expand pairs whose dynamic sizes are computed from the input.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct TransposeLowering : public OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    SmallVector<OpFoldResult> inputDims =
        getDims(rewriter, loc, adaptor.getInput());
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    // linalg.transpose wants the permuted input type exactly; a more static
    // result type is a cast afterwards.
    SmallVector<OpFoldResult> dims;
    SmallVector<int64_t> shape;
    for (int64_t p : op.getPermutation()) {
      dims.push_back(inputDims[p]);
      shape.push_back(inputType.getDimSize(p));
    }
    auto transposedType =
        RankedTensorType::get(shape, inputType.getElementType());
    Value init = createEmpty(rewriter, loc, transposedType, dims);
    Value result =
        linalg::TransposeOp::create(rewriter, loc, adaptor.getInput(), init,
                                    op.getPermutation())
            .getResult()[0];
    if (transposedType != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ReshapeLowering : public OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    SmallVector<OpFoldResult> inputDims = getDims(rewriter, loc, input);
    ArrayRef<int64_t> spec = op.getShape();

    SmallVector<OpFoldResult> dims;
    int64_t inferred = -1;
    for (auto [i, s] : llvm::enumerate(spec)) {
      int64_t known = resultType.getDimSize(i);
      if (!ShapedType::isDynamic(known))
        dims.push_back(rewriter.getIndexAttr(known));
      else if (s == 0)
        dims.push_back(inputDims[i]);
      else if (s == -1) {
        inferred = i;
        dims.push_back(OpFoldResult());
      } else
        dims.push_back(rewriter.getIndexAttr(s));
    }
    if (inferred >= 0) {
      // The element count divided by every other result dimension (by 1
      // when they hold no elements, so that the division cannot trap).
      Value total = productOf(rewriter, loc, inputDims);
      SmallVector<OpFoldResult> others;
      for (auto [i, d] : llvm::enumerate(dims))
        if ((int64_t)i != inferred)
          others.push_back(d);
      Value rest = productOf(rewriter, loc, others);
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      Value divisor = arith::MaxUIOp::create(rewriter, loc, rest, one);
      dims[inferred] = arith::DivUIOp::create(rewriter, loc, total, divisor)
                           .getResult();
    }
    // With dynamic sizes, only the inputs can tell whether the elements fit.
    if (!op.getInput().getType().hasStaticShape() ||
        !resultType.hasStaticShape())
      checkEqual(rewriter, loc, productOf(rewriter, loc, dims),
                 productOf(rewriter, loc, inputDims),
                 describeForCheck(op) +
                     ": the input's element count does not fit the new shape");
    rewriter.replaceOp(op,
                       reshapeTensor(rewriter, loc, input, resultType, dims));
    return success();
  }
};

struct FlattenLowering : public OpConversionPattern<FlattenOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(FlattenOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    int64_t rank = op.getInput().getType().getRank();
    int64_t axis = op.getAxis();
    if (axis > 0 && axis < rank) {
      // Two groups: rows and columns.
      ReassociationIndices rows, cols;
      for (int64_t i = 0; i < rank; ++i)
        (i < axis ? rows : cols).push_back(i);
      Value result = tensor::CollapseShapeOp::create(
          rewriter, loc, input, ArrayRef<ReassociationIndices>{rows, cols});
      if (result.getType() != resultType)
        result = tensor::CastOp::create(rewriter, loc, resultType, result);
      rewriter.replaceOp(op, result);
      return success();
    }
    // One side is empty (size 1): the whole tensor is one row or column.
    SmallVector<OpFoldResult> inputDims = getDims(rewriter, loc, input);
    OpFoldResult count =
        resultType.hasStaticShape()
            ? rewriter.getIndexAttr(resultType.getNumElements())
            : OpFoldResult(productOf(rewriter, loc, inputDims));
    SmallVector<OpFoldResult> dims =
        axis == 0 ? SmallVector<OpFoldResult>{rewriter.getIndexAttr(1), count}
                  : SmallVector<OpFoldResult>{count, rewriter.getIndexAttr(1)};
    rewriter.replaceOp(op,
                       reshapeTensor(rewriter, loc, input, resultType, dims));
    return success();
  }
};

} // namespace

void mlir::kiln::populateShapeToLinalgPatterns(const TypeConverter &converter,
                                               RewritePatternSet &patterns) {
  patterns.add<TransposeLowering, ReshapeLowering, FlattenLowering>(
      converter, patterns.getContext());
}
