//===- Indexing.cpp - kiln indexing ops to linalg, tensor and scf ---------===//
//
// Concat is a chain of tensor.insert_slice; slice is tensor.extract_slice
// when its steps are constant and positive, else a generic that reads the
// input at computed positions, like the gathers, one_hot, trilu and
// reverse_sequence. Scatters and nonzero must see elements in order: they
// are scf.for nests over scalars. Indices from the data are clamped into
// their dimension before any read or write, so bad data cannot reach
// outside a buffer; what only sizes decide is checked at run time.
//
//===----------------------------------------------------------------------===//

#include "IndexValues.h"
#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The product of `dims`.
Value countOf(IndexBuilder &ib, ArrayRef<Value> dims) {
  Value count = ib.c(1);
  for (Value d : dims)
    count = ib.mul(count, d);
  return count;
}

/// Checks that a dimension read through data-given indices is not empty
/// when there is something to read (`reads` positions).
void checkReadable(IndexBuilder &ib, Operation *op, Value extent, Value reads,
                   const Twine &what) {
  checkHolds(ib.builder(), ib.location(),
             ib.orI(ib.gt(extent, ib.c(0)), ib.eq(reads, ib.c(0))),
             describeForCheck(op) + ": " + what +
                 " is empty, so no index into it is valid");
}

/// An integer index element as an index value (signedness from the kiln
/// type of the indices).
Value indexOf(IndexBuilder &ib, Value element, Value kilnIndices) {
  return ib.toIndex(element, isUnsignedInteger(kilnIndices.getType()));
}

/// Combines an existing element with an update for a scatter reduction.
Value combine(OpBuilder &b, Location loc, StringRef reduction, Value old,
              Value update, Type kilnType) {
  bool isFloat = isa<FloatType>(update.getType());
  bool isUnsigned = kilnType.isUnsignedInteger();
  if (reduction == "add")
    return isFloat ? arith::AddFOp::create(b, loc, old, update).getResult()
                   : arith::AddIOp::create(b, loc, old, update).getResult();
  if (reduction == "mul")
    return isFloat ? arith::MulFOp::create(b, loc, old, update).getResult()
                   : arith::MulIOp::create(b, loc, old, update).getResult();
  if (reduction == "max") {
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, old, update);
    return isUnsigned ? arith::MaxUIOp::create(b, loc, old, update).getResult()
                      : arith::MaxSIOp::create(b, loc, old, update).getResult();
  }
  if (reduction == "min") {
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, old, update);
    return isUnsigned ? arith::MinUIOp::create(b, loc, old, update).getResult()
                      : arith::MinSIOp::create(b, loc, old, update).getResult();
  }
  return update;
}

//===----------------------------------------------------------------------===//
// Concat and slice
//===----------------------------------------------------------------------===//

struct ConcatLowering : public OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    int64_t axis = op.getAxis();
    int64_t rank = resultType.getRank();
    SmallVector<SmallVector<Value>> inputDims;
    for (Value input : adaptor.getInputs())
      inputDims.push_back(dimValues(ib, input));
    // Outside the axis every input has the extent of the first; along it
    // the extents add up.
    SmallVector<Value> dims(inputDims.front());
    Value total = ib.c(0);
    for (auto [n, input] : llvm::enumerate(inputDims)) {
      total = ib.add(total, input[axis]);
      for (int64_t i = 0; i < rank; ++i)
        if (i != axis)
          checkEqual(rewriter, loc, getAsOpFoldResult(input[i]),
                     getAsOpFoldResult(dims[i]),
                     describeForCheck(op) + ": dimension " + Twine(i) +
                         " of input " + Twine(n) +
                         " does not match the first input's");
    }
    dims[axis] = total;
    Value result =
        createEmpty(rewriter, loc, resultType, foldResults(dims));
    SmallVector<OpFoldResult> ones(rank, rewriter.getIndexAttr(1));
    Value offset = ib.c(0);
    for (auto [input, sizes] : llvm::zip(adaptor.getInputs(), inputDims)) {
      SmallVector<Value> offsets(rank, ib.c(0));
      offsets[axis] = offset;
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result,
                                             foldResults(offsets),
                                             foldResults(sizes), ones);
      offset = ib.add(offset, sizes[axis]);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SliceLowering : public OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    int64_t rank = resultType.getRank();
    std::string what = describeForCheck(op);
    SmallVector<Value> inputDims = dimValues(ib, input);
    SmallVector<Value> starts =
        indexEntries(ib, op.getStarts(), adaptor.getStarts());
    SmallVector<Value> ends = indexEntries(ib, op.getEnds(), adaptor.getEnds());
    SmallVector<Value> steps =
        indexEntries(ib, op.getSteps(), adaptor.getSteps());
    SmallVector<Value> axes;
    Value r = ib.c(rank);
    for (auto [k, a] : llvm::enumerate(
             indexEntries(ib, op.getAxes(), adaptor.getAxes()))) {
      Value n = ib.wrapNegative(a, r);
      checkHolds(rewriter, loc, ib.andI(ib.ge(n, ib.c(0)), ib.lt(n, r)),
                 what + ": axis " + Twine(k) + " is out of range for rank " +
                     Twine(rank));
      checkHolds(rewriter, loc, ib.ne(steps[k], ib.c(0)),
                 what + ": step " + Twine(k) + " is 0");
      axes.push_back(n);
    }
    // Each dimension is whole unless an axis names it; then its first
    // position and count follow ONNX's clamping rules (IndexRules.h).
    Value named = ib.c(0);
    SmallVector<Value> firsts, counts, strides;
    for (int64_t i = 0; i < rank; ++i) {
      Value d = inputDims[i];
      Value first = ib.c(0), count = d, stride = ib.c(1);
      for (auto [k, a] : llvm::enumerate(axes)) {
        Value here = ib.eq(a, ib.c(i));
        if (getConstantIntValue(here) == 0)
          continue;
        named = ib.add(named, ib.select(here, ib.c(1), ib.c(0)));
        auto [s, n] = bounds(ib, d, starts[k], ends[k], steps[k]);
        first = ib.select(here, s, first);
        count = ib.select(here, n, count);
        stride = ib.select(here, steps[k], stride);
      }
      firsts.push_back(first);
      counts.push_back(count);
      strides.push_back(stride);
    }
    checkEqual(rewriter, loc, getAsOpFoldResult(named),
               rewriter.getIndexAttr(axes.size()),
               what + ": axes repeat a dimension");
    bool forward = llvm::all_of(strides, [](Value s) {
      auto c = getConstantIntValue(s);
      return c && *c > 0;
    });
    // An input with a static extent 0 has nothing to read, and
    // tensor.extract_slice refuses even an empty slice of it.
    bool empty = llvm::is_contained(op.getInput().getType().getShape(), 0);
    Value result;
    if (empty) {
      result = createEmpty(rewriter, loc, resultType, foldResults(counts));
    } else if (forward) {
      result = tensor::ExtractSliceOp::create(
          rewriter, loc, input, foldResults(firsts), foldResults(counts),
          foldResults(strides));
      if (result.getType() != resultType)
        result = tensor::CastOp::create(rewriter, loc, resultType, result);
    } else {
      // Backwards (or run-time) steps: each element reads its position.
      result = buildIndexedGeneric(
          rewriter, loc, resultType, foldResults(counts), {}, {},
          [&](OpBuilder &b, Location l, ValueRange indices, ValueRange) {
            IndexBuilder nested(b, l);
            SmallVector<Value> source;
            for (int64_t i = 0; i < rank; ++i)
              source.push_back(
                  nested.add(firsts[i], nested.mul(indices[i], strides[i])));
            return tensor::ExtractOp::create(b, l, input, source).getResult();
          });
    }
    rewriter.replaceOp(op, result);
    return success();
  }

  /// The first position and element count of slicing a dimension of
  /// `size` (see sliceBounds in IndexRules.h). Divisors are kept positive
  /// so that the unused branch cannot trap.
  static std::pair<Value, Value> bounds(IndexBuilder &ib, Value size,
                                        Value start, Value end, Value step) {
    Value zero = ib.c(0), one = ib.c(1);
    start = ib.wrapNegative(start, size);
    end = ib.wrapNegative(end, size);
    Value forward = ib.gt(step, zero);
    Value fStart = ib.clamp(start, zero, size);
    Value fEnd = ib.clamp(end, zero, size);
    Value fCount = ib.ceilDiv(ib.max(ib.sub(fEnd, fStart), zero),
                              ib.max(step, one));
    Value last = ib.sub(size, one);
    Value bStart = ib.clamp(start, zero, last);
    Value bEnd = ib.clamp(end, ib.c(-1), last);
    Value bCount = ib.ceilDiv(ib.max(ib.sub(bStart, bEnd), zero),
                              ib.max(ib.sub(zero, step), one));
    return {ib.select(forward, fStart, bStart),
            ib.select(forward, fCount, bCount)};
  }
};

//===----------------------------------------------------------------------===//
// Gathers
//===----------------------------------------------------------------------===//

struct GatherLowering : public OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput(), indices = adaptor.getIndices();
    int64_t axis = op.getAxis();
    int64_t q = op.getIndices().getType().getRank();
    int64_t rank = resultType.getRank();
    SmallVector<Value> inputDims = dimValues(ib, input);
    SmallVector<Value> indexDims = dimValues(ib, indices);
    SmallVector<Value> dims(ArrayRef<Value>(inputDims).take_front(axis));
    llvm::append_range(dims, indexDims);
    llvm::append_range(dims, ArrayRef<Value>(inputDims).drop_front(axis + 1));
    Value extent = inputDims[axis];
    checkReadable(ib, op, extent, countOf(ib, indexDims),
                  "dimension " + Twine(axis) + " of the input");
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < q; ++i)
      exprs.push_back(rewriter.getAffineDimExpr(axis + i));
    AffineMap map = AffineMap::get(rank, 0, exprs, rewriter.getContext());
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, foldResults(dims), indices, map,
        [&](OpBuilder &b, Location l, ValueRange loops, ValueRange args) {
          IndexBuilder nested(b, l);
          SmallVector<Value> source(loops.take_front(axis));
          source.push_back(nested.clampIndex(
              indexOf(nested, args[0], op.getIndices()), extent));
          llvm::append_range(source, loops.drop_front(axis + q));
          return tensor::ExtractOp::create(b, l, input, source).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Checks that `indices` fits `input` outside `axis` (the elements ops).
void checkElementsIndices(IndexBuilder &ib, Operation *op,
                          ArrayRef<Value> inputDims,
                          ArrayRef<Value> indexDims, int64_t axis) {
  for (auto [i, pair] : llvm::enumerate(llvm::zip(inputDims, indexDims))) {
    auto [x, n] = pair;
    if ((int64_t)i != axis)
      checkHolds(ib.builder(), ib.location(), ib.le(n, x),
                 describeForCheck(op) + ": dimension " + Twine(i) +
                     " of the indices exceeds the input's");
  }
  checkReadable(ib, op, inputDims[axis], countOf(ib, indexDims),
                "dimension " + Twine(axis) + " of the input");
}

struct GatherElementsLowering
    : public OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput(), indices = adaptor.getIndices();
    int64_t axis = op.getAxis();
    SmallVector<Value> inputDims = dimValues(ib, input);
    SmallVector<Value> indexDims = dimValues(ib, indices);
    checkElementsIndices(ib, op, inputDims, indexDims, axis);
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, foldResults(indexDims), indices,
        rewriter.getMultiDimIdentityMap(resultType.getRank()),
        [&](OpBuilder &b, Location l, ValueRange loops, ValueRange args) {
          IndexBuilder nested(b, l);
          SmallVector<Value> source(loops);
          source[axis] = nested.clampIndex(
              indexOf(nested, args[0], op.getIndices()), inputDims[axis]);
          return tensor::ExtractOp::create(b, l, input, source).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatherNDLowering : public OpConversionPattern<GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput(), indices = adaptor.getIndices();
    int64_t batch = op.getBatchDims();
    int64_t q = op.getIndices().getType().getRank();
    int64_t k = op.getIndices().getType().getDimSize(q - 1);
    SmallVector<Value> inputDims = dimValues(ib, input);
    SmallVector<Value> indexDims = dimValues(ib, indices);
    for (int64_t i = 0; i < batch; ++i)
      checkEqual(rewriter, loc, getAsOpFoldResult(indexDims[i]),
                 getAsOpFoldResult(inputDims[i]),
                 describeForCheck(op) + ": batch dimension " + Twine(i) +
                     " of the indices does not match the input's");
    SmallVector<Value> dims(ArrayRef<Value>(indexDims).drop_back());
    llvm::append_range(dims, ArrayRef<Value>(inputDims).drop_front(batch + k));
    Value reads = countOf(ib, ArrayRef<Value>(indexDims).drop_back());
    for (int64_t j = 0; j < k; ++j)
      checkReadable(ib, op, inputDims[batch + j], reads,
                    "dimension " + Twine(batch + j) + " of the input");
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, foldResults(dims), {}, {},
        [&](OpBuilder &b, Location l, ValueRange loops, ValueRange) {
          IndexBuilder nested(b, l);
          SmallVector<Value> source(loops.take_front(batch));
          SmallVector<Value> position(loops.take_front(q - 1));
          position.push_back(Value());
          for (int64_t j = 0; j < k; ++j) {
            position.back() = nested.c(j);
            Value index = tensor::ExtractOp::create(b, l, indices, position);
            source.push_back(nested.clampIndex(
                indexOf(nested, index, op.getIndices()),
                inputDims[batch + j]));
          }
          llvm::append_range(source, loops.drop_front(q - 1));
          return tensor::ExtractOp::create(b, l, input, source).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Scatters: in order, one element at a time
//===----------------------------------------------------------------------===//

/// An scf.for nest over `dims` carrying `init`; `body` returns the next
/// value of the carried tensor.
Value buildSequentialNest(
    IndexBuilder &ib, ArrayRef<Value> dims, Value init,
    function_ref<Value(OpBuilder &, Location, ValueRange, Value)> body) {
  SmallVector<Value> lbs(dims.size(), ib.c(0)), steps(dims.size(), ib.c(1));
  scf::LoopNest nest = scf::buildLoopNest(
      ib.builder(), ib.location(), lbs, dims, steps, ValueRange{init},
      [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange args) {
        return scf::ValueVector{body(b, l, ivs, args[0])};
      });
  return nest.results.front();
}

struct ScatterElementsLowering
    : public OpConversionPattern<ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    Value input = adaptor.getInput(), indices = adaptor.getIndices(),
          updates = adaptor.getUpdates();
    int64_t axis = op.getAxis();
    Type kilnType = op.getType().getElementType();
    StringRef reduction = op.getReduction();
    SmallVector<Value> inputDims = dimValues(ib, input);
    SmallVector<Value> indexDims = dimValues(ib, indices);
    SmallVector<Value> updateDims = dimValues(ib, updates);
    checkElementsIndices(ib, op, inputDims, indexDims, axis);
    for (auto [i, pair] : llvm::enumerate(llvm::zip(indexDims, updateDims)))
      checkEqual(rewriter, loc, getAsOpFoldResult(std::get<1>(pair)),
                 getAsOpFoldResult(std::get<0>(pair)),
                 describeForCheck(op) + ": dimension " + Twine(i) +
                     " of the updates does not match the indices'");
    Value result = buildSequentialNest(
        ib, indexDims, input,
        [&](OpBuilder &b, Location l, ValueRange ivs, Value acc) {
          IndexBuilder nested(b, l);
          Value index = tensor::ExtractOp::create(b, l, indices, ivs);
          SmallVector<Value> target(ivs);
          target[axis] = nested.clampIndex(
              indexOf(nested, index, op.getIndices()), inputDims[axis]);
          Value update = tensor::ExtractOp::create(b, l, updates, ivs);
          if (reduction != "none")
            update = combine(b, l, reduction,
                             tensor::ExtractOp::create(b, l, acc, target),
                             update, kilnType);
          return tensor::InsertOp::create(b, l, update, acc, target)
              .getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ScatterNDLowering : public OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    Value input = adaptor.getInput(), indices = adaptor.getIndices(),
          updates = adaptor.getUpdates();
    Type kilnType = op.getType().getElementType();
    StringRef reduction = op.getReduction();
    int64_t q = op.getIndices().getType().getRank();
    int64_t k = op.getIndices().getType().getDimSize(q - 1);
    SmallVector<Value> inputDims = dimValues(ib, input);
    SmallVector<Value> indexDims = dimValues(ib, indices);
    SmallVector<Value> updateDims = dimValues(ib, updates);
    // updates: indices' shape without its last dimension, then the input's
    // dimensions after k.
    SmallVector<Value> expected(ArrayRef<Value>(indexDims).drop_back());
    llvm::append_range(expected, ArrayRef<Value>(inputDims).drop_front(k));
    for (auto [i, pair] : llvm::enumerate(llvm::zip(updateDims, expected)))
      checkEqual(rewriter, loc, getAsOpFoldResult(std::get<0>(pair)),
                 getAsOpFoldResult(std::get<1>(pair)),
                 describeForCheck(op) + ": dimension " + Twine(i) +
                     " of the updates does not match the indices and "
                     "input");
    Value writes = countOf(ib, updateDims);
    for (int64_t j = 0; j < k; ++j)
      checkReadable(ib, op, inputDims[j], writes,
                    "dimension " + Twine(j) + " of the input");
    Value result = buildSequentialNest(
        ib, updateDims, input,
        [&](OpBuilder &b, Location l, ValueRange ivs, Value acc) {
          IndexBuilder nested(b, l);
          SmallVector<Value> position(ivs.take_front(q - 1));
          position.push_back(Value());
          SmallVector<Value> target;
          for (int64_t j = 0; j < k; ++j) {
            position.back() = nested.c(j);
            Value index = tensor::ExtractOp::create(b, l, indices, position);
            target.push_back(nested.clampIndex(
                indexOf(nested, index, op.getIndices()), inputDims[j]));
          }
          llvm::append_range(target, ivs.drop_front(q - 1));
          Value update = tensor::ExtractOp::create(b, l, updates, ivs);
          if (reduction != "none")
            update = combine(b, l, reduction,
                             tensor::ExtractOp::create(b, l, acc, target),
                             update, kilnType);
          return tensor::InsertOp::create(b, l, update, acc, target)
              .getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// NonZero: count, allocate, fill
//===----------------------------------------------------------------------===//

/// `element != 0` (NaN is non-zero).
Value isNonZero(OpBuilder &b, Location loc, Value element) {
  Value zero = scalarConstant(b, loc, element.getType(), 0);
  if (isa<FloatType>(element.getType()))
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, element,
                                 zero);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, element,
                               zero);
}

struct NonZeroLowering : public OpConversionPattern<NonZeroOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(NonZeroOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    Type i64 = rewriter.getI64Type();
    SmallVector<Value> inputDims = dimValues(ib, input);

    // The result's length is the number of non-zero elements: count them
    // first (a reduction over every dimension).
    auto countType = RankedTensorType::get({}, i64);
    Value zero = arith::ConstantIntOp::create(rewriter, loc, i64, 0);
    Value countInit = createFilled(rewriter, loc, countType, {}, zero);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank),
                                   AffineMap::get(rank, 0, {}, ctx)};
    SmallVector<utils::IteratorType> iterators(
        rank, utils::IteratorType::reduction);
    Value counted =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{countType}, input, countInit, maps,
            iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value one = arith::ConstantIntOp::create(b, l, i64, 1);
              Value none = arith::ConstantIntOp::create(b, l, i64, 0);
              Value add = arith::SelectOp::create(
                  b, l, isNonZero(b, l, args[0]), one, none);
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::AddIOp::create(b, l, args[1], add)});
            })
            .getResult(0);
    Value count = ib.toIndex(extractScalar(rewriter, loc, counted));

    // Then write each non-zero element's index into the next column, in
    // row-major order.
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value init = createEmpty(rewriter, loc, resultType,
                             foldResults({ib.c(rank), count}));
    SmallVector<Value> lbs(rank, ib.c(0)), steps(rank, ib.c(1));
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, lbs, inputDims, steps, ValueRange{init, ib.c(0)},
        [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange args) {
          Value element = tensor::ExtractOp::create(b, l, input, ivs);
          auto ifOp = scf::IfOp::create(
              b, l, isNonZero(b, l, element),
              [&](OpBuilder &tb, Location tl) {
                IndexBuilder nested(tb, tl);
                Value acc = args[0];
                for (int64_t d = 0; d < rank; ++d)
                  acc = tensor::InsertOp::create(
                      tb, tl, nested.fromIndex(ivs[d], i64), acc,
                      ValueRange{nested.c(d), args[1]});
                scf::YieldOp::create(
                    tb, tl, ValueRange{acc, nested.add(args[1], nested.c(1))});
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, args);
              });
          return scf::ValueVector(ifOp.getResults().begin(),
                                  ifOp.getResults().end());
        });
    rewriter.replaceOp(op, nest.results.front());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Element-wise selection by position
//===----------------------------------------------------------------------===//

struct TriluLowering : public OpConversionPattern<TriluOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TriluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    int64_t rank = resultType.getRank();
    Value k = ib.toIndex(extractScalar(rewriter, loc, adaptor.getK()),
                         isUnsignedInteger(op.getK().getType()));
    bool upper = op.getUpper();
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, getDims(rewriter, loc, input), input,
        rewriter.getMultiDimIdentityMap(rank),
        [&](OpBuilder &b, Location l, ValueRange loops, ValueRange args) {
          IndexBuilder nested(b, l);
          // Column minus row: 0 on the main diagonal.
          Value diagonal = nested.sub(loops[rank - 1], loops[rank - 2]);
          Value keep = upper ? nested.ge(diagonal, k) : nested.le(diagonal, k);
          Value zero = scalarConstant(b, l, args[0].getType(), 0);
          return arith::SelectOp::create(b, l, keep, args[0], zero)
              .getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// An integer or float scalar as a signed i64 (floats truncated).
Value toI64(OpBuilder &b, Location loc, Value x, bool isUnsigned) {
  Type i64 = b.getI64Type();
  if (isa<FloatType>(x.getType()))
    return arith::FPToSIOp::create(b, loc, i64, x);
  unsigned width = x.getType().getIntOrFloatBitWidth();
  if (width == 64)
    return x;
  if (width > 64)
    return arith::TruncIOp::create(b, loc, i64, x);
  if (isUnsigned || width == 1)
    return arith::ExtUIOp::create(b, loc, i64, x);
  return arith::ExtSIOp::create(b, loc, i64, x);
}

struct OneHotLowering : public OpConversionPattern<OneHotOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OneHotOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value indices = adaptor.getIndices();
    int64_t axis = op.getAxis();
    int64_t rank = resultType.getRank();
    Value depth = toI64(rewriter, loc,
                        extractScalar(rewriter, loc, adaptor.getDepth()),
                        isUnsignedInteger(op.getDepth().getType()));
    Value depthIndex = ib.toIndex(depth);
    checkHolds(rewriter, loc, ib.ge(depthIndex, ib.c(0)),
               describeForCheck(op) + ": depth is negative");
    Value off = tensor::ExtractOp::create(rewriter, loc, adaptor.getValues(),
                                          ValueRange{ib.c(0)});
    Value on = tensor::ExtractOp::create(rewriter, loc, adaptor.getValues(),
                                         ValueRange{ib.c(1)});
    SmallVector<Value> dims = dimValues(ib, indices);
    dims.insert(dims.begin() + axis, depthIndex);
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis)
        exprs.push_back(rewriter.getAffineDimExpr(i));
    AffineMap map = AffineMap::get(rank, 0, exprs, rewriter.getContext());
    bool unsignedIndices = isUnsignedInteger(op.getIndices().getType());
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, foldResults(dims), indices, map,
        [&](OpBuilder &b, Location l, ValueRange loops, ValueRange args) {
          // A negative index counts from depth; one outside [-depth, depth)
          // matches no position.
          Value index = toI64(b, l, args[0], unsignedIndices);
          Value zero = arith::ConstantIntOp::create(b, l, b.getI64Type(), 0);
          Value negative = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::slt, index, zero);
          index = arith::SelectOp::create(
              b, l, negative, arith::AddIOp::create(b, l, index, depth),
              index);
          Value position = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                                      loops[axis]);
          Value hot = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                            index, position);
          return arith::SelectOp::create(b, l, hot, on, off).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ReverseSequenceLowering
    : public OpConversionPattern<ReverseSequenceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReverseSequenceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexBuilder ib(rewriter, loc);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput(), lengths = adaptor.getLengths();
    int64_t batch = op.getBatchAxis(), time = op.getTimeAxis();
    int64_t rank = resultType.getRank();
    SmallVector<Value> inputDims = dimValues(ib, input);
    checkEqual(rewriter, loc, tensor::getMixedSize(rewriter, loc, lengths, 0),
               getAsOpFoldResult(inputDims[batch]),
               describeForCheck(op) +
                   ": there must be one length per batch element");
    Value steps = inputDims[time];
    bool unsignedLengths = isUnsignedInteger(op.getLengths().getType());
    AffineMap map = AffineMap::get(rank, 0, rewriter.getAffineDimExpr(batch),
                                   rewriter.getContext());
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, getDims(rewriter, loc, input), lengths,
        map,
        [&](OpBuilder &b, Location l, ValueRange loops, ValueRange args) {
          IndexBuilder nested(b, l);
          Value length = nested.clamp(nested.toIndex(args[0], unsignedLengths),
                                      nested.c(0), steps);
          Value t = loops[time];
          Value reversed =
              nested.sub(nested.sub(length, nested.c(1)), t);
          SmallVector<Value> source(loops);
          source[time] = nested.select(nested.lt(t, length), reversed, t);
          return tensor::ExtractOp::create(b, l, input, source).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::kiln::populateIndexingToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ConcatLowering, SliceLowering, GatherLowering,
               GatherElementsLowering, GatherNDLowering,
               ScatterElementsLowering, ScatterNDLowering, NonZeroLowering,
               TriluLowering, OneHotLowering, ReverseSequenceLowering>(
      converter, patterns.getContext());
}
