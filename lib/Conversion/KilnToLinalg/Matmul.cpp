//===- Matmul.cpp - kiln linear algebra to linalg -------------------------===//
//
// numpy matmul in terms of the two named contractions later passes know how
// to tile and pack: a matrix right operand turns all leading dimensions of
// the left one into rows of one linalg.matmul; otherwise batch dimensions are
// broadcast, collapsed into one and fed to linalg.batch_matmul.
//
// Einsum is one linalg.generic whose loops are the equation's letters (the
// result's parallel, the others reductions) and whose indexing maps are read
// off the terms. Det is LU decomposition with partial pivoting in scf.for
// loops over each matrix.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/EinsumEquation.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Indices [0, n) as one reassociation group.
ReassociationIndices range(int64_t begin, int64_t end) {
  ReassociationIndices indices;
  for (int64_t i = begin; i < end; ++i)
    indices.push_back(i);
  return indices;
}

/// Collapses all dimensions but the last two of a rank >= 2 tensor into one.
Value collapseLeading(OpBuilder &b, Location loc, Value v, int64_t keep) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t rank = type.getRank();
  SmallVector<ReassociationIndices> groups{range(0, rank - keep + 1)};
  for (int64_t i = rank - keep + 1; i < rank; ++i)
    groups.push_back({i});
  return tensor::CollapseShapeOp::create(b, loc, v, groups);
}

/// A zero-filled destination for a contraction.
Value zeroInit(OpBuilder &b, Location loc, RankedTensorType type,
               ArrayRef<OpFoldResult> dims) {
  Value zero = scalarConstant(b, loc, type.getElementType(), 0);
  return createFilled(b, loc, type, dims, zero);
}

struct MatmulLowering : public OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Type elementType = resultType.getElementType();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();

    // Vectors become matrices; the extra unit dimension is dropped at the end.
    bool lhsVector = cast<RankedTensorType>(lhs.getType()).getRank() == 1;
    bool rhsVector = cast<RankedTensorType>(rhs.getType()).getRank() == 1;
    if (lhsVector)
      lhs = expandUnit(rewriter, loc, lhs, /*front=*/true);
    if (rhsVector)
      rhs = expandUnit(rewriter, loc, rhs, /*front=*/false);
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    int64_t lhsRank = lhsType.getRank(), rhsRank = rhsType.getRank();

    SmallVector<OpFoldResult> lhsDims = getDims(rewriter, loc, lhs);
    SmallVector<OpFoldResult> rhsDims = getDims(rewriter, loc, rhs);
    OpFoldResult m = lhsDims[lhsRank - 2], n = rhsDims[rhsRank - 1];

    // The full result, before vector dimensions are dropped.
    SmallVector<int64_t> fullShape(resultType.getShape());
    if (lhsVector)
      fullShape.insert(fullShape.end() - (rhsVector ? 0 : 1), 1);
    if (rhsVector)
      fullShape.push_back(1);
    int64_t batchRank = (int64_t)fullShape.size() - 2;
    SmallVector<OpFoldResult> batchDims =
        broadcastBatch(rewriter, loc, ArrayRef(fullShape).take_front(batchRank),
                       lhs, rhs);
    SmallVector<OpFoldResult> fullDims(batchDims);
    fullDims.push_back(m);
    fullDims.push_back(n);
    auto fullType = RankedTensorType::get(fullShape, elementType);

    // What only the inputs can tell: the contraction sizes agree, and dynamic
    // batch dimensions match (they never broadcast).
    std::string name = describeForCheck(op);
    checkEqual(rewriter, loc, lhsDims[lhsRank - 1], rhsDims[rhsRank - 2],
               name + ": the operands' contraction dimensions differ");
    for (auto [operand, dims] :
         {std::make_pair(0, &lhsDims), std::make_pair(1, &rhsDims)}) {
      int64_t rank = dims->size() - 2;
      for (int64_t j = 0; j < rank; ++j) {
        int64_t i = j + batchRank - rank;
        auto size = getConstantIntValue((*dims)[j]);
        if (size && (*size == 1 || !ShapedType::isDynamic(fullShape[i])))
          continue;
        checkEqual(rewriter, loc, (*dims)[j], batchDims[i],
                   name + ": batch dimension " + Twine(j) + " of operand " +
                       Twine(operand) +
                       " does not match the other operand's (a dynamic "
                       "dimension must equal it; it never broadcasts)");
      }
    }

    Value full;
    if (rhsRank == 2) {
      // [B..., M, K] x [K, N]: every leading dimension is a row.
      Value rows = lhsRank > 2 ? collapseLeading(rewriter, loc, lhs, 2) : lhs;
      auto rowsType = cast<RankedTensorType>(rows.getType());
      auto productType = RankedTensorType::get(
          {rowsType.getDimSize(0), rhsType.getDimSize(1)}, elementType);
      Value init = zeroInit(
          rewriter, loc, productType,
          {tensor::getMixedSize(rewriter, loc, rows, 0), n});
      Value product =
          linalg::MatmulOp::create(rewriter, loc, TypeRange{productType},
                                   ValueRange{rows, rhs}, ValueRange{init})
              .getResult(0);
      full = lhsRank > 2 ? reshapeTensor(rewriter, loc, product, fullType,
                                         fullDims)
                         : product;
    } else {
      // Broadcast both operands to the full batch, then one batch_matmul.
      Value a = broadcastOperand(rewriter, loc, lhs, batchDims, fullShape,
                                 batchRank);
      Value b = broadcastOperand(rewriter, loc, rhs, batchDims, fullShape,
                                 batchRank);
      Value a3 = batchRank > 1 ? collapseLeading(rewriter, loc, a, 3) : a;
      Value b3 = batchRank > 1 ? collapseLeading(rewriter, loc, b, 3) : b;
      auto a3Type = cast<RankedTensorType>(a3.getType());
      auto productType = RankedTensorType::get(
          {a3Type.getDimSize(0), a3Type.getDimSize(1), rhsType.getDimSize(rhsRank - 1)},
          elementType);
      Value init = zeroInit(
          rewriter, loc, productType,
          {tensor::getMixedSize(rewriter, loc, a3, 0), m, n});
      Value product =
          linalg::BatchMatmulOp::create(rewriter, loc, TypeRange{productType},
                                        ValueRange{a3, b3}, ValueRange{init})
              .getResult(0);
      full = batchRank > 1
                 ? reshapeTensor(rewriter, loc, product, fullType, fullDims)
                 : product;
    }

    if (lhsVector || rhsVector) {
      SmallVector<OpFoldResult> dims(batchDims);
      if (!lhsVector)
        dims.push_back(m);
      if (!rhsVector)
        dims.push_back(n);
      full = reshapeTensor(rewriter, loc, full, resultType, dims);
    } else if (full.getType() != resultType) {
      full = tensor::CastOp::create(rewriter, loc, resultType, full);
    }
    rewriter.replaceOp(op, full);
    return success();
  }

  /// [K] -> [1, K] (front) or [K, 1].
  static Value expandUnit(OpBuilder &b, Location loc, Value v, bool front) {
    auto type = cast<RankedTensorType>(v.getType());
    int64_t k = type.getDimSize(0);
    SmallVector<int64_t> shape = front ? SmallVector<int64_t>{1, k}
                                       : SmallVector<int64_t>{k, 1};
    OpFoldResult kDim = tensor::getMixedSize(b, loc, v, 0);
    SmallVector<OpFoldResult> dims =
        front ? SmallVector<OpFoldResult>{b.getIndexAttr(1), kDim}
              : SmallVector<OpFoldResult>{kDim, b.getIndexAttr(1)};
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), v,
        ArrayRef<ReassociationIndices>{{0, 1}}, dims);
  }

  /// The broadcast batch dims of two matmul operands.
  static SmallVector<OpFoldResult> broadcastBatch(OpBuilder &b, Location loc,
                                                  ArrayRef<int64_t> shape,
                                                  Value lhs, Value rhs) {
    SmallVector<OpFoldResult> dims;
    int64_t rank = shape.size();
    for (int64_t i = 0; i < rank; ++i) {
      if (!ShapedType::isDynamic(shape[i])) {
        dims.push_back(b.getIndexAttr(shape[i]));
        continue;
      }
      OpFoldResult found = b.getIndexAttr(1);
      for (Value v : {lhs, rhs}) {
        auto type = cast<RankedTensorType>(v.getType());
        int64_t j = i - (rank - (type.getRank() - 2));
        if (j >= 0 && type.getDimSize(j) != 1) {
          found = tensor::getMixedSize(b, loc, v, j);
          break;
        }
      }
      dims.push_back(found);
    }
    return dims;
  }

  /// Broadcasts an operand's batch dimensions to `batchDims`.
  static Value broadcastOperand(OpBuilder &b, Location loc, Value v,
                                ArrayRef<OpFoldResult> batchDims,
                                ArrayRef<int64_t> fullShape,
                                int64_t batchRank) {
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape(fullShape.take_front(batchRank));
    shape.push_back(type.getDimSize(type.getRank() - 2));
    shape.push_back(type.getDimSize(type.getRank() - 1));
    auto target = RankedTensorType::get(shape, type.getElementType());
    SmallVector<OpFoldResult> dims(batchDims);
    dims.push_back(tensor::getMixedSize(b, loc, v, type.getRank() - 2));
    dims.push_back(tensor::getMixedSize(b, loc, v, type.getRank() - 1));
    return broadcastTo(b, loc, v, target, dims);
  }
};

struct EinsumLowering : public OpConversionPattern<EinsumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(EinsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    std::string why;
    auto eq = parseEinsumEquation(op.getEquation(), why);
    if (!eq)
      return rewriter.notifyMatchFailure(op, why);
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Type elementType = resultType.getElementType();
    ValueRange inputs = adaptor.getInputs();
    MLIRContext *ctx = rewriter.getContext();
    std::string letters = eq->letters();
    int64_t numLoops = letters.size(), numOut = eq->output.size();
    std::string name = describeForCheck(op);

    // Each letter's extent, from the first dimension it names that is not a
    // static 1 (which broadcasts).
    SmallVector<OpFoldResult> extents(numLoops, rewriter.getIndexAttr(1));
    SmallVector<bool> found(numLoops, false);
    for (auto [term, input] : llvm::zip(eq->inputs, inputs)) {
      auto type = cast<RankedTensorType>(input.getType());
      for (auto [p, c] : llvm::enumerate(term)) {
        int64_t l = letters.find(c);
        if (type.getDimSize(p) == 1)
          continue;
        OpFoldResult size = tensor::getMixedSize(rewriter, loc, input, p);
        if (!found[l]) {
          extents[l] = size;
          found[l] = true;
          continue;
        }
        checkEqual(rewriter, loc, size, extents[l],
                   name + ": the dimensions named '" + Twine(c) +
                       "' differ");
      }
    }

    SmallVector<AffineMap> maps;
    for (auto [term, input] : llvm::zip(eq->inputs, inputs)) {
      auto type = cast<RankedTensorType>(input.getType());
      SmallVector<AffineExpr> exprs;
      for (auto [p, c] : llvm::enumerate(term)) {
        int64_t l = letters.find(c);
        bool broadcast = type.getDimSize(p) == 1 && found[l];
        exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                                  : getAffineDimExpr(l, ctx));
      }
      maps.push_back(AffineMap::get(numLoops, 0, exprs, ctx));
    }
    // The output's map names the first numOut loops. Built directly:
    // getMajorSubMap(0) returns a null map (a scalar result, "i,i->").
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < numOut; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    maps.push_back(AffineMap::get(numLoops, 0, outExprs, ctx));
    SmallVector<utils::IteratorType> iterators(numLoops,
                                               utils::IteratorType::reduction);
    for (int64_t i = 0; i < numOut; ++i)
      iterators[i] = utils::IteratorType::parallel;

    SmallVector<OpFoldResult> outDims(extents.begin(),
                                      extents.begin() + numOut);
    Value init = zeroInit(rewriter, loc, resultType, outDims);
    bool isFloat = isa<FloatType>(elementType);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{resultType}, inputs, ValueRange{init},
            maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value product = args[0];
              for (Value v : args.drop_front().drop_back())
                product = isFloat
                              ? (Value)arith::MulFOp::create(b, l, product, v)
                              : (Value)arith::MulIOp::create(b, l, product, v);
              Value acc = args.back();
              Value sum = isFloat
                              ? (Value)arith::AddFOp::create(b, l, acc, product)
                              : (Value)arith::AddIOp::create(b, l, acc, product);
              linalg::YieldOp::create(b, l, sum);
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DetLowering : public OpConversionPattern<DetOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DetOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    int64_t rank = type.getRank();
    SmallVector<OpFoldResult> dims = getDims(rewriter, loc, input);
    checkEqual(rewriter, loc, dims[rank - 2], dims[rank - 1],
               describeForCheck(op) + ": the matrices are not square");

    // All matrices in a row: [B, M, M].
    int64_t m = type.getDimSize(rank - 1);
    if (ShapedType::isDynamic(m))
      m = type.getDimSize(rank - 2);
    SmallVector<OpFoldResult> batchDims(dims.begin(), dims.end() - 2);
    int64_t batch = 1;
    for (int64_t d : type.getShape().drop_back(2))
      batch = ShapedType::isDynamic(d) || ShapedType::isDynamic(batch)
                  ? ShapedType::kDynamic
                  : batch * d;
    Value batchSize = productOf(rewriter, loc, batchDims);
    Value size =
        getValueOrCreateConstantIndexOp(rewriter, loc, dims[rank - 1]);
    auto stackType = RankedTensorType::get({batch, m, m}, elementType);
    Value stack = reshapeTensor(rewriter, loc, input, stackType,
                                {batchSize, dims[rank - 1], dims[rank - 1]});
    auto matrixType = RankedTensorType::get({m, m}, elementType);
    auto detsType = RankedTensorType::get({batch}, elementType);
    Value dets = createEmpty(rewriter, loc, detsType, {batchSize});

    Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value zero = scalarConstant(rewriter, loc, elementType, 0);
    Value one = scalarConstant(rewriter, loc, elementType, 1);
    auto at = [](OpBuilder &b, Location l, Value t, Value i, Value j) {
      return tensor::ExtractOp::create(b, l, t, ValueRange{i, j}).getResult();
    };
    auto put = [](OpBuilder &b, Location l, Value v, Value t, Value i,
                  Value j) {
      return tensor::InsertOp::create(b, l, v, t, ValueRange{i, j})
          .getResult();
    };
    auto perMatrix = scf::ForOp::create(
        rewriter, loc, c0, batchSize, c1, ValueRange{dets},
        [&](OpBuilder &b, Location l, Value n, ValueRange outer) {
          SmallVector<OpFoldResult> offsets{n, b.getIndexAttr(0),
                                            b.getIndexAttr(0)};
          SmallVector<OpFoldResult> sizes{b.getIndexAttr(1), dims[rank - 1],
                                          dims[rank - 1]};
          SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
          Value a0 = tensor::ExtractSliceOp::create(b, l, matrixType, stack,
                                                    offsets, sizes, strides);
          auto columns = scf::ForOp::create(
              b, l, c0, size, c1, ValueRange{a0, one},
              [&](OpBuilder &b, Location l, Value k, ValueRange it) {
                Value a = it[0], det = it[1];
                Value k1 = arith::AddIOp::create(b, l, k, c1);
                // The row at or below k with the largest |a[i, k]|.
                auto search = scf::ForOp::create(
                    b, l, k1, size, c1,
                    ValueRange{k, math::AbsFOp::create(b, l, at(b, l, a, k, k))},
                    [&](OpBuilder &b, Location l, Value i, ValueRange best) {
                      Value v = math::AbsFOp::create(b, l, at(b, l, a, i, k));
                      Value take = arith::CmpFOp::create(
                          b, l, arith::CmpFPredicate::OGT, v, best[1]);
                      scf::YieldOp::create(
                          b, l,
                          ValueRange{
                              arith::SelectOp::create(b, l, take, i, best[0]),
                              arith::SelectOp::create(b, l, take, v,
                                                      best[1])});
                    });
                Value p = search.getResult(0);
                Value swapped = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::ne, p, k);
                det = arith::SelectOp::create(
                    b, l, swapped, arith::NegFOp::create(b, l, det), det);
                auto swap = scf::ForOp::create(
                    b, l, c0, size, c1, ValueRange{a},
                    [&](OpBuilder &b, Location l, Value j, ValueRange it) {
                      Value rowK = at(b, l, it[0], k, j);
                      Value rowP = at(b, l, it[0], p, j);
                      Value t = put(b, l, rowP, it[0], k, j);
                      scf::YieldOp::create(b, l, put(b, l, rowK, t, p, j));
                    });
                a = swap.getResult(0);
                Value pivot = at(b, l, a, k, k);
                det = arith::MulFOp::create(b, l, det, pivot);
                Value singular = arith::CmpFOp::create(
                    b, l, arith::CmpFPredicate::OEQ, pivot, zero);
                auto rows = scf::ForOp::create(
                    b, l, k1, size, c1, ValueRange{a},
                    [&](OpBuilder &b, Location l, Value i, ValueRange it) {
                      Value f = arith::DivFOp::create(
                          b, l, at(b, l, it[0], i, k), pivot);
                      f = arith::SelectOp::create(b, l, singular, zero, f);
                      auto cols = scf::ForOp::create(
                          b, l, k1, size, c1, ValueRange{it[0]},
                          [&](OpBuilder &b, Location l, Value j,
                              ValueRange it) {
                            Value v = arith::SubFOp::create(
                                b, l, at(b, l, it[0], i, j),
                                arith::MulFOp::create(b, l, f,
                                                      at(b, l, it[0], k, j)));
                            scf::YieldOp::create(b, l,
                                                 put(b, l, v, it[0], i, j));
                          });
                      scf::YieldOp::create(b, l, cols.getResult(0));
                    });
                scf::YieldOp::create(b, l,
                                     ValueRange{rows.getResult(0), det});
              });
          Value written = tensor::InsertOp::create(
              b, l, columns.getResult(1), outer[0], ValueRange{n});
          scf::YieldOp::create(b, l, written);
        });
    Value result = reshapeTensor(rewriter, loc, perMatrix.getResult(0),
                                 resultType, batchDims);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::kiln::populateMatmulToLinalgPatterns(const TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  patterns.add<MatmulLowering, EinsumLowering, DetLowering>(
      converter, patterns.getContext());
}
