//===- Scan.cpp - kiln.scan to scf.for ------------------------------------===//
//
// kiln.scan becomes an scf.for over its steps whose iteration arguments are
// the states and the stacked outputs: each step reads its slices of the scan
// inputs with tensor.extract_slice and writes its outputs with
// tensor.insert_slice into the loop-carried output tensors, which one-shot
// bufferization then updates in place. The body's kiln ops move into the
// loop unchanged; the conversion driver lowers them with the other patterns.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::kiln;

/// `value` as `type`, which may differ in static extents (tensor.cast) and,
/// for types the converter changes, in the signedness of its elements (left
/// to the conversion driver, which reconciles them).
static Value castShape(OpBuilder &b, Location loc, Value value, Type type) {
  auto from = cast<RankedTensorType>(value.getType());
  auto to = cast<RankedTensorType>(type);
  if (from.getShape() == to.getShape())
    return value;
  return tensor::CastOp::create(b, loc, from.clone(to.getShape()), value);
}

/// Slice `index` of `source` along dimension 0, without that dimension.
static Value stepSlice(OpBuilder &b, Location loc, Value source, Value index) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> sizes = getDims(b, loc, source);
  sizes[0] = b.getIndexAttr(1);
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  offsets[0] = index;
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  auto sliceType = RankedTensorType::get(type.getShape().drop_front(),
                                         type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, sliceType, source, offsets,
                                        sizes, strides);
}

namespace {
struct ScanLowering : public OpConversionPattern<ScanOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    const TypeConverter *converter = getTypeConverter();
    SmallVector<Type> resultTypes;
    if (failed(converter->convertTypes(op.getResultTypes(), resultTypes)))
      return rewriter.notifyMatchFailure(op, "unconvertible result types");
    size_t states = op.getInits().size();
    ValueRange inits = adaptor.getInits(), inputs = adaptor.getInputs();

    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    OpFoldResult stepsOfr = getDims(rewriter, loc, inputs.front())[0];
    Value steps = getValueOrCreateConstantIndexOp(rewriter, loc, stepsOfr);

    // The outputs' dynamic extents (other than the steps) are those of the
    // values the body yields. They are read from a copy of the body for step
    // 0 outside the loop; only its shape arithmetic survives once
    // canonicalization has removed the unused computations.
    Block &body = op.getBodyBlock();
    auto yield = cast<YieldOp>(body.getTerminator());
    SmallVector<Value> firstOutputs;
    bool dynamicOutputs = llvm::any_of(op.getOutputs(), [](Value v) {
      return llvm::any_of(
          cast<RankedTensorType>(v.getType()).getShape().drop_front(),
          ShapedType::isDynamic);
    });
    if (dynamicOutputs) {
      IRMapping map;
      Value first =
          op.getReverse()
              ? arith::SubIOp::create(rewriter, loc, steps, one).getResult()
              : zero;
      map.map(op.getStepArgument(), stepTensor(rewriter, loc, first));
      for (auto [arg, init] : llvm::zip(op.getStateArguments(), inits))
        map.map(arg, castShape(rewriter, loc, init, arg.getType()));
      for (auto [arg, input] : llvm::zip(op.getSliceArguments(), inputs))
        map.map(arg,
                castShape(rewriter, loc, stepSlice(rewriter, loc, input, first),
                          arg.getType()));
      for (Operation &inner : body.without_terminator())
        rewriter.clone(inner, map);
      for (Value v : yield.getValues().drop_front(states))
        firstOutputs.push_back(map.lookupOrDefault(v));
    }

    // Loop-carried values: the states (as the results' types), then the
    // stacked outputs, written step by step.
    SmallVector<Value> iterInits;
    for (auto [init, type] : llvm::zip(inits, resultTypes))
      iterInits.push_back(castShape(rewriter, loc, init, type));
    for (auto [i, type] :
         llvm::enumerate(ArrayRef<Type>(resultTypes).drop_front(states))) {
      auto stacked = cast<RankedTensorType>(type);
      SmallVector<OpFoldResult> dims{stepsOfr};
      for (int64_t d = 1; d < stacked.getRank(); ++d) {
        if (!stacked.isDynamicDim(d)) {
          dims.push_back(rewriter.getIndexAttr(stacked.getDimSize(d)));
          continue;
        }
        dims.push_back(
            tensor::DimOp::create(rewriter, loc, firstOutputs[i], d - 1)
                .getResult());
      }
      iterInits.push_back(createEmpty(rewriter, loc, stacked, dims));
    }

    auto loop = scf::ForOp::create(rewriter, loc, zero, steps, one, iterInits);
    Block *loopBody = loop.getBody();
    rewriter.setInsertionPointToStart(loopBody);
    Value position = loop.getInductionVar();
    if (op.getReverse()) {
      Value last = arith::SubIOp::create(rewriter, loc, steps, one);
      position = arith::SubIOp::create(rewriter, loc, last, position);
    }
    SmallVector<Value> arguments{stepTensor(rewriter, loc, position)};
    for (auto [arg, iterArg] :
         llvm::zip(op.getStateArguments(), loop.getRegionIterArgs()))
      arguments.push_back(castShape(rewriter, loc, iterArg,
                                    converter->convertType(arg.getType())));
    for (auto [arg, input] : llvm::zip(op.getSliceArguments(), inputs))
      arguments.push_back(castShape(rewriter, loc,
                                    stepSlice(rewriter, loc, input, position),
                                    converter->convertType(arg.getType())));
    // (scf.for's builder adds no terminator to a loop with iteration
    // arguments: the scan's kiln.yield becomes it.)
    rewriter.inlineBlockBefore(&body, loopBody, loopBody->end(), arguments);

    rewriter.setInsertionPoint(yield);
    SmallVector<Value> next;
    for (auto [value, type] :
         llvm::zip(yield.getValues().take_front(states), resultTypes))
      next.push_back(castShape(rewriter, loc, value, type));
    for (auto [value, acc] :
         llvm::zip(yield.getValues().drop_front(states),
                   loop.getRegionIterArgs().drop_front(states))) {
      auto type = cast<RankedTensorType>(value.getType());
      SmallVector<OpFoldResult> sizes{rewriter.getIndexAttr(1)};
      llvm::append_range(sizes, getDims(rewriter, loc, value));
      SmallVector<OpFoldResult> offsets(type.getRank() + 1,
                                        rewriter.getIndexAttr(0));
      offsets[0] = position;
      SmallVector<OpFoldResult> strides(type.getRank() + 1,
                                        rewriter.getIndexAttr(1));
      next.push_back(tensor::InsertSliceOp::create(rewriter, loc, value, acc,
                                                   offsets, sizes, strides));
    }
    scf::YieldOp::create(rewriter, loc, next);
    rewriter.eraseOp(yield);
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }

  /// The step's position as the rank-0 i64 tensor the body takes.
  static Value stepTensor(OpBuilder &b, Location loc, Value index) {
    Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
    return tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({}, b.getI64Type()), ValueRange{i64});
  }
};
} // namespace

void mlir::kiln::populateScanToLinalgPatterns(const TypeConverter &converter,
                                              RewritePatternSet &patterns) {
  patterns.add<ScanLowering>(converter, patterns.getContext());
}
