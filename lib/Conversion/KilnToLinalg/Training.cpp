//===- Training.cpp - kiln training ops to linalg -------------------------===//
//
// full_like is a fill; unbroadcast a linalg.reduce over the stretched
// dimensions, reshaped to the operand's shape.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct FullLikeLowering : public OpConversionPattern<FullLikeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(FullLikeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = convertedType(getTypeConverter(), op.getType());
    Value value = scalarConstant(rewriter, loc, type.getElementType(),
                                 op.getValue().convertToDouble());
    rewriter.replaceOp(op,
                       createFilled(rewriter, loc, type,
                                    getDims(rewriter, loc, adaptor.getLike()),
                                    value));
    return success();
  }
};

struct UnbroadcastLowering : public OpConversionPattern<UnbroadcastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(UnbroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t lead = inputType.getRank() - resultType.getRank();
    // Summed: the leading dims `like` lacks, and its static 1s that were
    // stretched. Kept: the rest, in order.
    SmallVector<int64_t> summed, keptShape;
    SmallVector<OpFoldResult> keptDims;
    SmallVector<OpFoldResult> inputDims = getDims(rewriter, loc, input);
    for (int64_t i = 0; i < inputType.getRank(); ++i) {
      bool stretched = i < lead || (resultType.getDimSize(i - lead) == 1 &&
                                    inputType.getDimSize(i) != 1);
      if (stretched) {
        summed.push_back(i);
      } else {
        keptShape.push_back(inputType.getDimSize(i));
        keptDims.push_back(inputDims[i]);
      }
    }
    if (summed.empty()) {
      rewriter.replaceOp(op, input.getType() == resultType
                                 ? input
                                 : tensor::CastOp::create(rewriter, loc,
                                                          resultType, input)
                                       .getResult());
      return success();
    }
    Type elementType = resultType.getElementType();
    auto keptType = RankedTensorType::get(keptShape, elementType);
    Value zero = scalarConstant(rewriter, loc, elementType, 0);
    Value init = createFilled(rewriter, loc, keptType, keptDims, zero);
    bool isFloat = isa<FloatType>(elementType);
    Value sum =
        linalg::ReduceOp::create(
            rewriter, loc, ValueRange{input}, ValueRange{init}, summed,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value r =
                  isFloat ? (Value)arith::AddFOp::create(b, l, args[0], args[1])
                          : (Value)arith::AddIOp::create(b, l, args[0], args[1]);
              linalg::YieldOp::create(b, l, r);
            })
            .getResult(0);
    // Put back the unit dims of `like` that were summed away.
    SmallVector<OpFoldResult> resultDims;
    for (int64_t i = 0, kept = 0; i < resultType.getRank(); ++i) {
      bool stretched = resultType.getDimSize(i) == 1 &&
                       inputType.getDimSize(i + lead) != 1;
      resultDims.push_back(stretched ? rewriter.getIndexAttr(1)
                                     : keptDims[kept++]);
    }
    rewriter.replaceOp(op,
                       reshapeTensor(rewriter, loc, sum, resultType, resultDims));
    return success();
  }
};

} // namespace

void mlir::kiln::populateTrainingToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<FullLikeLowering, UnbroadcastLowering>(converter,
                                                      patterns.getContext());
}
