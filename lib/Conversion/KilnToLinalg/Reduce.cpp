//===- Reduce.cpp - kiln reductions and softmax to linalg -----------------===//
//
// Reductions become linalg.reduce over the reduced dimensions (followed by an
// expand_shape for keepdims); mean divides the sum by the reduced element
// count. Reductions over axes known only at run time reduce one dimension at
// a time under scf.if. Arg-reductions are one linalg.generic carrying the
// best value and its index. Softmax and log-softmax are the numerically
// stable max / exp / sum sequence. Cumsum walks the axis with scf.for, one
// slice at a time (scf.index_switch picks the axis when it is a run-time
// value). Top-k ranks every element of a slice against the others and then
// gathers the first k by rank: two generics, no sort. The NLL loss reads
// each sample's target class with tensor.extract inside a generic.
//
//===----------------------------------------------------------------------===//

#include "Reductions.h"
#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/ConstantOperands.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::kiln;

//===----------------------------------------------------------------------===//
// Shared building blocks (Reductions.h)
//===----------------------------------------------------------------------===//

Value mlir::kiln::highestValue(OpBuilder &b, Location loc, Type type,
                               bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType,
                       APFloat::getInf(floatType.getFloatSemantics())));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt highest =
      isUnsigned ? APInt::getMaxValue(width) : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, highest));
}

Value mlir::kiln::indexToScalar(OpBuilder &b, Location loc, Value value,
                                Type type) {
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), value);
  if (isa<FloatType>(type))
    return arith::SIToFPOp::create(b, loc, type, i64);
  unsigned width = type.getIntOrFloatBitWidth();
  if (width == 64)
    return i64;
  return arith::TruncIOp::create(b, loc, type, i64);
}

Value mlir::kiln::reduceTensor(OpBuilder &b, Location loc, Value input,
                               ArrayRef<int64_t> axes, ReduceKind kind,
                               bool isUnsigned) {
  auto type = cast<RankedTensorType>(input.getType());
  Type elementType = type.getElementType();
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> dims;
  SmallVector<OpFoldResult> inputDims = getDims(b, loc, input);
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (!llvm::is_contained(axes, i)) {
      shape.push_back(type.getDimSize(i));
      dims.push_back(inputDims[i]);
    }
  auto resultType = RankedTensorType::get(shape, elementType);
  Value identity;
  switch (kind) {
  case ReduceKind::Sum:
    identity = scalarConstant(b, loc, elementType, 0);
    break;
  case ReduceKind::Prod:
    identity = scalarConstant(b, loc, elementType, 1);
    break;
  case ReduceKind::Max:
    identity = lowestValue(b, loc, elementType, isUnsigned);
    break;
  case ReduceKind::Min:
    identity = highestValue(b, loc, elementType, isUnsigned);
    break;
  }
  Value init = createFilled(b, loc, resultType, dims, identity);
  bool isFloat = isa<FloatType>(elementType);
  auto reduceOp = linalg::ReduceOp::create(
      b, loc, ValueRange{input}, ValueRange{init}, axes,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = args[0], acc = args[1], r;
        switch (kind) {
        case ReduceKind::Sum:
          r = isFloat ? (Value)arith::AddFOp::create(nb, nl, x, acc)
                      : (Value)arith::AddIOp::create(nb, nl, x, acc);
          break;
        case ReduceKind::Prod:
          r = isFloat ? (Value)arith::MulFOp::create(nb, nl, x, acc)
                      : (Value)arith::MulIOp::create(nb, nl, x, acc);
          break;
        case ReduceKind::Max:
          if (isFloat)
            r = arith::MaximumFOp::create(nb, nl, x, acc);
          else if (isUnsigned)
            r = arith::MaxUIOp::create(nb, nl, x, acc);
          else
            r = arith::MaxSIOp::create(nb, nl, x, acc);
          break;
        case ReduceKind::Min:
          if (isFloat)
            r = arith::MinimumFOp::create(nb, nl, x, acc);
          else if (isUnsigned)
            r = arith::MinUIOp::create(nb, nl, x, acc);
          else
            r = arith::MinSIOp::create(nb, nl, x, acc);
          break;
        }
        linalg::YieldOp::create(nb, nl, r);
      });
  return reduceOp.getResult(0);
}

Value mlir::kiln::keepReducedDims(OpBuilder &b, Location loc, Value reduced,
                                  RankedTensorType resultType,
                                  ArrayRef<int64_t> axes) {
  auto reducedType = cast<RankedTensorType>(reduced.getType());
  SmallVector<int64_t> expandedShape;
  for (int64_t i = 0, kept = 0; i < resultType.getRank(); ++i)
    expandedShape.push_back(
        llvm::is_contained(axes, i) ? 1 : reducedType.getDimSize(kept++));
  auto expandedType =
      RankedTensorType::get(expandedShape, reducedType.getElementType());
  SmallVector<OpFoldResult> dims;
  SmallVector<OpFoldResult> reducedDims = getDims(b, loc, reduced);
  // Each kept dimension starts a group; a unit dim joins the group before it,
  // or the first group when it comes before every kept dim.
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices leading;
  int64_t kept = 0;
  for (int64_t i = 0; i < resultType.getRank(); ++i) {
    if (llvm::is_contained(axes, i)) {
      dims.push_back(b.getIndexAttr(1));
      if (groups.empty())
        leading.push_back(i);
      else
        groups.back().push_back(i);
      continue;
    }
    dims.push_back(reducedDims[kept++]);
    ReassociationIndices group = groups.empty() ? leading
                                                : ReassociationIndices{};
    group.push_back(i);
    groups.push_back(group);
  }
  if (reducedType.getRank() == 0)
    groups.clear();
  Value expanded = tensor::ExpandShapeOp::create(b, loc, expandedType, reduced,
                                                 groups, dims);
  if (expandedType != resultType)
    expanded = tensor::CastOp::create(b, loc, resultType, expanded);
  return expanded;
}

namespace {

/// `value` cast to `type` when it differs (a refined result type).
Value castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

/// The scalar `value` of an integer element type as an index, sign- or
/// zero-extended as the kiln type says.
Value scalarToIndex(OpBuilder &b, Location loc, Value value, bool isUnsigned) {
  if (isUnsigned)
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), value);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
}

/// Element `indices` of a tensor of integers, as an index.
Value extractIndex(OpBuilder &b, Location loc, Value tensor,
                   ArrayRef<int64_t> indices, bool isUnsigned) {
  SmallVector<Value> idx;
  for (int64_t i : indices)
    idx.push_back(arith::ConstantIndexOp::create(b, loc, i));
  Value v = tensor::ExtractOp::create(b, loc, tensor, idx);
  return scalarToIndex(b, loc, v, isUnsigned);
}

/// An axis in [-rank, rank), read at run time, as a position in [0, rank);
/// the run fails with a message when it is out of range.
Value runtimeAxis(OpBuilder &b, Location loc, Operation *op, Value axis,
                  int64_t rank, const Twine &what) {
  Value rankValue = arith::ConstantIndexOp::create(b, loc, rank);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, axis, zero);
  Value normalized = arith::SelectOp::create(
      b, loc, negative, arith::AddIOp::create(b, loc, axis, rankValue), axis);
  Value inRange = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, normalized,
                            zero),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, normalized,
                            rankValue));
  check(b, loc, inRange,
        describeForCheck(op) + ": " + what + " is out of range for rank " +
            Twine(rank));
  return normalized;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

template <typename OpTy, ReduceKind Kind, bool IsMean = false>
struct ReduceLowering : public OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(this->getTypeConverter(), op.getType());
    ArrayRef<int64_t> axes = op.getAxes();
    Value input = adaptor.getInput();
    if (axes.empty()) {
      // Nothing to reduce: the result is the input.
      rewriter.replaceOp(op, castTo(rewriter, loc, input, resultType));
      return success();
    }
    bool isUnsigned = isUnsignedInteger(op.getInput().getType());
    Value result = reduceTensor(rewriter, loc, input, axes, Kind, isUnsigned);
    if (IsMean) {
      SmallVector<OpFoldResult> inputDims = getDims(rewriter, loc, input);
      SmallVector<OpFoldResult> reducedDims;
      for (int64_t a : axes)
        reducedDims.push_back(inputDims[a]);
      Value count = productOf(rewriter, loc, reducedDims);
      auto reducedType = cast<RankedTensorType>(result.getType());
      Type elementType = reducedType.getElementType();
      result = buildElementwise(
          rewriter, loc, reducedType, result,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value n = indexToScalar(b, l, count, elementType);
            if (isa<FloatType>(elementType))
              return arith::DivFOp::create(b, l, args[0], n);
            return isUnsigned ? (Value)arith::DivUIOp::create(b, l, args[0], n)
                              : (Value)arith::DivSIOp::create(b, l, args[0], n);
          });
    }
    if (op.getKeepdims())
      result = keepReducedDims(rewriter, loc, result, resultType, axes);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

/// Sums over axes read at run time: each dimension is reduced (keeping it
/// as 1) under an scf.if that asks whether the axes name it; without
/// keepdims the unit dimensions are then dropped by a reshape whose sizes
/// are computed.
struct DynamicReduceSumLowering
    : public OpConversionPattern<DynamicReduceSumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DynamicReduceSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    int64_t count = op.getAxes().getType().getDimSize(0);
    bool axesUnsigned = isUnsignedInteger(op.getAxes().getType());
    std::string name = describeForCheck(op);

    // Which dimensions the axes name.
    SmallVector<Value> reduced(rank, arith::ConstantIntOp::create(
                                         rewriter, loc, rewriter.getI1Type(),
                                         0));
    for (int64_t l = 0; l < count; ++l) {
      Value axis = runtimeAxis(
          rewriter, loc, op,
          extractIndex(rewriter, loc, adaptor.getAxes(), {l}, axesUnsigned),
          rank, "axes entry " + Twine(l));
      for (int64_t i = 0; i < rank; ++i) {
        Value is = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, axis,
            arith::ConstantIndexOp::create(rewriter, loc, i));
        reduced[i] = arith::OrIOp::create(rewriter, loc, reduced[i], is);
      }
    }
    // The axes must be distinct: as many dimensions reduced as axes given.
    Value reducedCount = arith::ConstantIndexOp::create(rewriter, loc, 0);
    for (Value r : reduced)
      reducedCount = arith::AddIOp::create(
          rewriter, loc, reducedCount,
          arith::IndexCastUIOp::create(rewriter, loc,
                                       rewriter.getIndexType(), r));
    checkEqual(rewriter, loc, reducedCount, rewriter.getIndexAttr(count),
               name + ": the axes are not distinct");

    SmallVector<OpFoldResult> inputDims = getDims(rewriter, loc, input);
    Value current = input;
    for (int64_t i = 0; i < rank; ++i) {
      auto currentType = cast<RankedTensorType>(current.getType());
      if (currentType.getDimSize(i) == 1)
        continue; // Reducing a unit dimension changes nothing.
      SmallVector<int64_t> shape(currentType.getShape());
      shape[i] = ShapedType::kDynamic;
      auto nextType = RankedTensorType::get(shape, inputType.getElementType());
      SmallVector<int64_t> keptShape(currentType.getShape());
      keptShape[i] = 1;
      auto keptType =
          RankedTensorType::get(keptShape, inputType.getElementType());
      auto ifOp = scf::IfOp::create(
          rewriter, loc, reduced[i],
          [&](OpBuilder &b, Location l) {
            Value sum = reduceTensor(b, l, current, {i}, ReduceKind::Sum,
                                     isUnsignedInteger(op.getType()));
            sum = keepReducedDims(b, l, sum, keptType, {i});
            scf::YieldOp::create(b, l, castTo(b, l, sum, nextType));
          },
          [&](OpBuilder &b, Location l) {
            scf::YieldOp::create(b, l, castTo(b, l, current, nextType));
          });
      current = ifOp.getResult(0);
    }
    if (op.getKeepdims()) {
      rewriter.replaceOp(op, castTo(rewriter, loc, current, resultType));
      return success();
    }
    // Result dimension k is the k-th dimension that is not reduced.
    SmallVector<Value> sizes(rank - count,
                             arith::ConstantIndexOp::create(rewriter, loc, 0));
    Value position = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (int64_t i = 0; i < rank; ++i) {
      Value size = getValueOrCreateConstantIndexOp(rewriter, loc, inputDims[i]);
      Value kept = arith::XOrIOp::create(
          rewriter, loc, reduced[i],
          arith::ConstantIntOp::create(rewriter, loc, rewriter.getI1Type(), 1));
      for (int64_t k = 0; k < rank - count; ++k) {
        Value here = arith::AndIOp::create(
            rewriter, loc, kept,
            arith::CmpIOp::create(
                rewriter, loc, arith::CmpIPredicate::eq, position,
                arith::ConstantIndexOp::create(rewriter, loc, k)));
        sizes[k] = arith::SelectOp::create(rewriter, loc, here, size, sizes[k]);
      }
      position = arith::SelectOp::create(
          rewriter, loc, kept,
          arith::AddIOp::create(rewriter, loc, position, one), position);
    }
    SmallVector<OpFoldResult> dims(sizes.begin(), sizes.end());
    Value result = reshapeTensor(rewriter, loc, current, resultType, dims);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Arg-reductions
//===----------------------------------------------------------------------===//

/// Whether `a` comes before `b` in the order an arg-reduction looks for:
/// larger first (`largest`) or smaller first, NaN before every number (so
/// that the first NaN is found, as numpy does).
Value precedes(OpBuilder &b, Location loc, Value x, Value y, bool largest,
               bool isUnsigned) {
  if (!isa<FloatType>(x.getType())) {
    arith::CmpIPredicate pred =
        largest ? (isUnsigned ? arith::CmpIPredicate::ugt
                              : arith::CmpIPredicate::sgt)
                : (isUnsigned ? arith::CmpIPredicate::ult
                              : arith::CmpIPredicate::slt);
    return arith::CmpIOp::create(b, loc, pred, x, y);
  }
  Value ordered = arith::CmpFOp::create(
      b, loc, largest ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
      x, y);
  Value xNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  Value yNumber =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ORD, y, y);
  return arith::OrIOp::create(b, loc, ordered,
                              arith::AndIOp::create(b, loc, xNaN, yNumber));
}

/// Whether `x` and `y` are equal in that order (NaNs equal each other).
Value sameRank(OpBuilder &b, Location loc, Value x, Value y) {
  if (!isa<FloatType>(x.getType()))
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y);
  Value equal = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x, y);
  Value bothNaN = arith::AndIOp::create(
      b, loc, arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x),
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, y, y));
  return arith::OrIOp::create(b, loc, equal, bothNaN);
}

template <typename OpTy, bool IsMax>
struct ArgReduceLowering : public OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(this->getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    int64_t rank = type.getRank(), axis = op.getAxis();
    bool isUnsigned = isUnsignedInteger(op.getInput().getType());
    bool last = op.getSelectLastIndex();
    MLIRContext *ctx = rewriter.getContext();

    SmallVector<int64_t> shape;
    SmallVector<OpFoldResult> dims;
    SmallVector<AffineExpr> outExprs;
    SmallVector<OpFoldResult> inputDims = getDims(rewriter, loc, input);
    SmallVector<utils::IteratorType> iterators;
    for (int64_t i = 0; i < rank; ++i) {
      iterators.push_back(i == axis ? utils::IteratorType::reduction
                                    : utils::IteratorType::parallel);
      if (i == axis)
        continue;
      shape.push_back(type.getDimSize(i));
      dims.push_back(inputDims[i]);
      outExprs.push_back(getAffineDimExpr(i, ctx));
    }
    auto valueType = RankedTensorType::get(shape, elementType);
    auto indexType = RankedTensorType::get(shape, rewriter.getI64Type());
    Value start = IsMax ? lowestValue(rewriter, loc, elementType, isUnsigned)
                        : highestValue(rewriter, loc, elementType, isUnsigned);
    Value valueInit = createFilled(rewriter, loc, valueType, dims, start);
    Value indexInit = createFilled(
        rewriter, loc, indexType, dims,
        arith::ConstantIntOp::create(rewriter, loc, rewriter.getI64Type(), 0));
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank), outMap,
                                outMap};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valueType, indexType}, ValueRange{input},
        ValueRange{valueInit, indexInit}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value index = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          // Ties go to the lower (or, with select_last_index, the higher)
          // index whatever order the elements are visited in.
          Value tie = arith::AndIOp::create(
              b, l, sameRank(b, l, x, best),
              arith::CmpIOp::create(b, l,
                                    last ? arith::CmpIPredicate::sgt
                                         : arith::CmpIPredicate::slt,
                                    index, bestIndex));
          Value take = arith::OrIOp::create(
              b, l, precedes(b, l, x, best, IsMax, isUnsigned), tie);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, take, x, best),
                         arith::SelectOp::create(b, l, take, index,
                                                 bestIndex)});
        });
    Value result = generic.getResult(1);
    if (op.getKeepdims())
      result = keepReducedDims(rewriter, loc, result, resultType, {axis});
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Cumsum
//===----------------------------------------------------------------------===//

/// The cumulative sum of `input` along the static `axis`: an scf.for over
/// the axis carries the running sum of the slices seen so far.
Value cumsumAlong(OpBuilder &b, Location loc, Value input, int64_t axis,
                  bool exclusive, bool reverse) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  Type elementType = type.getElementType();
  SmallVector<OpFoldResult> dims = getDims(b, loc, input);
  SmallVector<OpFoldResult> sliceDims(dims);
  sliceDims[axis] = b.getIndexAttr(1);
  SmallVector<int64_t> sliceShape(type.getShape());
  sliceShape[axis] = 1;
  auto sliceType = RankedTensorType::get(sliceShape, elementType);
  Value zero = scalarConstant(b, loc, elementType, 0);
  Value sum0 = createFilled(b, loc, sliceType, sliceDims, zero);
  Value out0 = createEmpty(b, loc, type, dims);
  Value n = getValueOrCreateConstantIndexOp(b, loc, dims[axis]);
  Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
  Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
  bool isFloat = isa<FloatType>(elementType);
  auto loop = scf::ForOp::create(
      b, loc, c0, n, c1, ValueRange{sum0, out0},
      [&](OpBuilder &lb, Location l, Value i, ValueRange iterArgs) {
        Value sum = iterArgs[0], out = iterArgs[1];
        Value j = reverse ? arith::SubIOp::create(
                                lb, l, arith::SubIOp::create(lb, l, n, c1), i)
                                .getResult()
                          : i;
        SmallVector<OpFoldResult> offsets(rank, lb.getIndexAttr(0));
        offsets[axis] = j;
        SmallVector<OpFoldResult> strides(rank, lb.getIndexAttr(1));
        Value slice = tensor::ExtractSliceOp::create(
            lb, l, sliceType, input, offsets, sliceDims, strides);
        // The running sum is updated in place (outs is the iter_arg), so
        // that the yielded value bufferizes to the iter_arg's buffer: a
        // fresh destination would not be equivalent to it, which one-shot
        // bufferization refuses. The exclusive sum is stored first, before
        // the update overwrites it.
        Value written;
        if (exclusive)
          written = tensor::InsertSliceOp::create(lb, l, sum, out, offsets,
                                                  sliceDims, strides);
        SmallVector<AffineMap> maps(2, lb.getMultiDimIdentityMap(rank));
        SmallVector<utils::IteratorType> iterators(
            rank, utils::IteratorType::parallel);
        Value next =
            linalg::GenericOp::create(
                lb, l, TypeRange{sliceType}, ValueRange{slice},
                ValueRange{sum}, maps, iterators,
                [&](OpBuilder &eb, Location el, ValueRange args) {
                  Value add =
                      isFloat ? (Value)arith::AddFOp::create(eb, el, args[1],
                                                             args[0])
                              : (Value)arith::AddIOp::create(eb, el, args[1],
                                                             args[0]);
                  linalg::YieldOp::create(eb, el, add);
                })
                .getResult(0);
        if (!exclusive)
          written = tensor::InsertSliceOp::create(lb, l, next, out, offsets,
                                                  sliceDims, strides);
        scf::YieldOp::create(lb, l, ValueRange{next, written});
      });
  return loop.getResult(1);
}

struct CumSumLowering : public OpConversionPattern<CumSumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CumSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    if (auto axis = getConstantInts(op.getAxis())) {
      int64_t a = (*axis)[0] < 0 ? (*axis)[0] + rank : (*axis)[0];
      Value result = cumsumAlong(rewriter, loc, input, a, exclusive, reverse);
      rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
      return success();
    }
    // An axis known at run time: one case per dimension.
    Value axisValue = tensor::ExtractOp::create(rewriter, loc,
                                                adaptor.getAxis(), ValueRange{});
    Value axis = runtimeAxis(
        rewriter, loc, op,
        scalarToIndex(rewriter, loc, axisValue,
                      isUnsignedInteger(op.getAxis().getType())),
        rank, "the axis");
    SmallVector<int64_t> cases;
    for (int64_t i = 0; i < rank; ++i)
      cases.push_back(i);
    auto switchOp = scf::IndexSwitchOp::create(
        rewriter, loc, TypeRange{input.getType()}, axis, cases, rank);
    for (int64_t i = 0; i < rank; ++i) {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.createBlock(&switchOp.getCaseRegions()[i]);
      Value result = cumsumAlong(rewriter, loc, input, i, exclusive, reverse);
      scf::YieldOp::create(rewriter, loc, result);
    }
    {
      // Unreachable: the check above ends the run first.
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.createBlock(&switchOp.getDefaultRegion());
      scf::YieldOp::create(rewriter, loc, input);
    }
    rewriter.replaceOp(
        op, castTo(rewriter, loc, switchOp.getResult(0), resultType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Top-k
//===----------------------------------------------------------------------===//

struct TopKLowering : public OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto valuesType = convertedType(getTypeConverter(), op.getValues().getType());
    auto indicesType =
        convertedType(getTypeConverter(), op.getIndices().getType());
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    int64_t rank = type.getRank(), axis = op.getAxis();
    bool largest = op.getLargest();
    bool isUnsigned = isUnsignedInteger(op.getInput().getType());
    MLIRContext *ctx = rewriter.getContext();
    Type i64 = rewriter.getI64Type();
    SmallVector<OpFoldResult> dims = getDims(rewriter, loc, input);

    // k, checked against the axis' extent.
    OpFoldResult k;
    if (auto constant = getConstantInts(op.getK())) {
      k = rewriter.getIndexAttr((*constant)[0]);
    } else {
      Value kValue = extractIndex(rewriter, loc, adaptor.getK(), {0},
                                  isUnsignedInteger(op.getK().getType()));
      Value fits = arith::AndIOp::create(
          rewriter, loc,
          arith::CmpIOp::create(
              rewriter, loc, arith::CmpIPredicate::sge, kValue,
              arith::ConstantIndexOp::create(rewriter, loc, 0)),
          arith::CmpIOp::create(
              rewriter, loc, arith::CmpIPredicate::sle, kValue,
              getValueOrCreateConstantIndexOp(rewriter, loc, dims[axis])));
      check(rewriter, loc, fits,
            describeForCheck(op) + ": k is negative or exceeds the extent "
                                   "of dimension " +
                Twine(axis));
      k = kValue;
    }

    // Step 1: the rank of each element within its slice, i.e. how many
    // elements come before it (larger, or equal at a lower index).
    // Loops: the input's dims, then `j` (reduction) along the axis.
    auto identity = rewriter.getMultiDimIdentityMap(rank + 1)
                        .getMajorSubMap(rank);
    SmallVector<AffineExpr> otherExprs;
    for (int64_t i = 0; i < rank; ++i)
      otherExprs.push_back(getAffineDimExpr(i == axis ? rank : i, ctx));
    AffineMap other = AffineMap::get(rank + 1, 0, otherExprs, ctx);
    SmallVector<utils::IteratorType> iterators(rank + 1,
                                               utils::IteratorType::parallel);
    iterators[rank] = utils::IteratorType::reduction;
    auto rankType = RankedTensorType::get(type.getShape(), i64);
    Value rankInit = createFilled(
        rewriter, loc, rankType, dims,
        arith::ConstantIntOp::create(rewriter, loc, i64, 0));
    Value ranks =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{rankType}, ValueRange{input, input},
            ValueRange{rankInit}, SmallVector<AffineMap>{identity, other, identity},
            iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value x = args[0], y = args[1], count = args[2];
              Value i = linalg::IndexOp::create(b, l, axis);
              Value j = linalg::IndexOp::create(b, l, rank);
              Value before = arith::OrIOp::create(
                  b, l, precedes(b, l, y, x, largest, isUnsigned),
                  arith::AndIOp::create(
                      b, l, sameRank(b, l, x, y),
                      arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult,
                                            j, i)));
              Value add = arith::ExtUIOp::create(b, l, i64, before);
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::AddIOp::create(b, l, count, add)});
            })
            .getResult(0);

    // Step 2: output position r along the axis takes the element of rank r.
    SmallVector<OpFoldResult> outDims(dims);
    outDims[axis] = k;
    SmallVector<int64_t> outShape(type.getShape());
    outShape[axis] = valuesType.getDimSize(axis);
    auto outValuesType = RankedTensorType::get(outShape, elementType);
    auto outIndicesType = RankedTensorType::get(outShape, i64);
    Value valuesInit =
        createEmpty(rewriter, loc, outValuesType, outDims);
    Value indicesInit = createEmpty(rewriter, loc, outIndicesType, outDims);
    auto gather = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outValuesType, outIndicesType},
        ValueRange{input, ranks}, ValueRange{valuesInit, indicesInit},
        SmallVector<AffineMap>{other, other, identity, identity}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], xRank = args[1];
          Value r = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, axis));
          Value j = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, rank));
          Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                            xRank, r);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, hit, x, args[2]),
                         arith::SelectOp::create(b, l, hit, j, args[3])});
        });
    rewriter.replaceOp(
        op, {castTo(rewriter, loc, gather.getResult(0), valuesType),
             castTo(rewriter, loc, gather.getResult(1), indicesType)});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Softmax family
//===----------------------------------------------------------------------===//

/// Softmax (`Log` false) or log-softmax along `axis`.
template <typename OpTy, bool Log>
struct SoftmaxLowering : public OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = convertedType(this->getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    int64_t axis = op.getAxis();
    // Reduced values are re-expanded with a unit axis so that the shared
    // broadcasting generic lines them up with the input.
    SmallVector<int64_t> keptShape(type.getShape());
    keptShape[axis] = 1;
    auto keptType = RankedTensorType::get(keptShape, type.getElementType());
    auto expand = [&](Value reduced) {
      return keepReducedDims(rewriter, loc, reduced, keptType, {axis});
    };
    Value max = expand(reduceTensor(rewriter, loc, input, {axis},
                                    ReduceKind::Max, false));
    Value exps = buildElementwise(
        rewriter, loc, type, {input, max},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return math::ExpOp::create(
              b, l, arith::SubFOp::create(b, l, args[0], args[1]));
        });
    Value sum = expand(reduceTensor(rewriter, loc, exps, {axis},
                                    ReduceKind::Sum, false));
    Value result;
    if (Log)
      result = buildElementwise(
          rewriter, loc, type, {input, max, sum},
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
            return arith::SubFOp::create(b, l, shifted,
                                         math::LogOp::create(b, l, args[2]));
          });
    else
      result = buildElementwise(
          rewriter, loc, type, {exps, sum},
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            return arith::DivFOp::create(b, l, args[0], args[1]);
          });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

struct NLLLossLowering : public OpConversionPattern<NLLLossOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(NLLLossOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput(), target = adaptor.getTarget();
    Value weight = adaptor.getWeight();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto targetType = cast<RankedTensorType>(target.getType());
    Type elementType = inputType.getElementType();
    int64_t rank = targetType.getRank();
    bool targetUnsigned = isUnsignedInteger(op.getTarget().getType());
    std::optional<int64_t> ignoreIndex = op.getIgnoreIndex();
    std::string name = describeForCheck(op);

    // The input and target agree on N and d...
    SmallVector<OpFoldResult> inputDims = getDims(rewriter, loc, input);
    SmallVector<OpFoldResult> dims = getDims(rewriter, loc, target);
    for (int64_t i = 0; i < rank; ++i)
      checkEqual(rewriter, loc, dims[i], inputDims[i == 0 ? 0 : i + 1],
                 name + ": target dimension " + Twine(i) +
                     " does not match the input's");
    if (weight)
      checkEqual(rewriter, loc, tensor::getMixedSize(rewriter, loc, weight, 0),
                 inputDims[1],
                 name + ": the weights are not one per class");
    Value classes = getValueOrCreateConstantIndexOp(rewriter, loc,
                                                    inputDims[1]);

    // Per sample: the loss and the weight it counts with.
    auto lossType = RankedTensorType::get(targetType.getShape(), elementType);
    SmallVector<AffineMap> maps(3, rewriter.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto perSample = linalg::GenericOp::create(
        rewriter, loc, TypeRange{lossType, lossType}, ValueRange{target},
        ValueRange{createEmpty(rewriter, loc, lossType, dims),
                   createEmpty(rewriter, loc, lossType, dims)},
        maps, iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value t = args[0];
          Type tType = t.getType();
          Value zero = scalarConstant(b, l, elementType, 0);
          Value valid = arith::ConstantIntOp::create(b, l, b.getI1Type(), 1);
          if (ignoreIndex)
            valid = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::ne, t,
                arith::ConstantOp::create(
                    b, l, b.getIntegerAttr(tType, *ignoreIndex)));
          // Clamped into [0, C), so that bad data never reads outside.
          Value c = scalarToIndex(b, l, t, targetUnsigned);
          Value c0 = arith::ConstantIndexOp::create(b, l, 0);
          Value last = arith::SubIOp::create(
              b, l, classes, arith::ConstantIndexOp::create(b, l, 1));
          c = arith::MaxSIOp::create(b, l, c, c0);
          c = arith::MinSIOp::create(b, l, c, last);
          SmallVector<Value> at;
          at.push_back(linalg::IndexOp::create(b, l, 0));
          at.push_back(c);
          for (int64_t i = 1; i < rank; ++i)
            at.push_back(linalg::IndexOp::create(b, l, i));
          Value logp = tensor::ExtractOp::create(b, l, input, at);
          Value w = weight ? (Value)tensor::ExtractOp::create(b, l, weight,
                                                              ValueRange{c})
                           : scalarConstant(b, l, elementType, 1);
          w = arith::SelectOp::create(b, l, valid, w, zero);
          Value loss = arith::NegFOp::create(
              b, l, arith::MulFOp::create(b, l, logp, w));
          loss = arith::SelectOp::create(b, l, valid, loss, zero);
          linalg::YieldOp::create(b, l, ValueRange{loss, w});
        });
    Value losses = perSample.getResult(0);
    StringRef reduction = op.getReduction();
    if (reduction == "none") {
      rewriter.replaceOp(op, castTo(rewriter, loc, losses, resultType));
      return success();
    }
    SmallVector<int64_t> all;
    for (int64_t i = 0; i < rank; ++i)
      all.push_back(i);
    Value sum =
        reduceTensor(rewriter, loc, losses, all, ReduceKind::Sum, false);
    if (reduction == "mean") {
      Value total = reduceTensor(rewriter, loc, perSample.getResult(1), all,
                                 ReduceKind::Sum, false);
      sum = buildElementwise(
          rewriter, loc, cast<RankedTensorType>(sum.getType()), {sum, total},
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            return arith::DivFOp::create(b, l, args[0], args[1]);
          });
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, sum, resultType));
    return success();
  }
};

} // namespace

void mlir::kiln::populateReduceToLinalgPatterns(const TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReduceLowering<ReduceSumOp, ReduceKind::Sum>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max>,
               ReduceLowering<ReduceMinOp, ReduceKind::Min>,
               ReduceLowering<ReduceProdOp, ReduceKind::Prod>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Sum, /*IsMean=*/true>,
               DynamicReduceSumLowering, ArgReduceLowering<ArgMaxOp, true>,
               ArgReduceLowering<ArgMinOp, false>, CumSumLowering,
               TopKLowering, SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>, NLLLossLowering>(
      converter, ctx);
}
