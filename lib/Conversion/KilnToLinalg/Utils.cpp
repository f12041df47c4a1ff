//===- Utils.cpp - Helpers shared by the kiln-to-linalg patterns ----------===//
//
// See Utils.h.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

#include <limits>

using namespace mlir;
using namespace mlir::kiln;

SmallVector<OpFoldResult> mlir::kiln::getDims(OpBuilder &b, Location loc,
                                              Value tensor) {
  return tensor::getMixedSizes(b, loc, tensor);
}

Value mlir::kiln::createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                              ArrayRef<OpFoldResult> dims) {
  SmallVector<Value> dynamic;
  for (auto [d, size] : llvm::zip(type.getShape(), dims))
    if (ShapedType::isDynamic(d))
      dynamic.push_back(getValueOrCreateConstantIndexOp(b, loc, size));
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType(), dynamic);
}

Value mlir::kiln::createFilled(OpBuilder &b, Location loc,
                               RankedTensorType type,
                               ArrayRef<OpFoldResult> dims, Value value) {
  Value empty = createEmpty(b, loc, type, dims);
  return linalg::FillOp::create(b, loc, ValueRange{value}, ValueRange{empty})
      .getResult(0);
}

Value mlir::kiln::scalarConstant(OpBuilder &b, Location loc, Type type,
                                 double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(b, loc,
                                   b.getIntegerAttr(type, (int64_t)value));
}

Value mlir::kiln::lowestValue(OpBuilder &b, Location loc, Type type,
                              bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType,
                       APFloat::getInf(floatType.getFloatSemantics(),
                                       /*Negative=*/true)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt lowest =
      isUnsigned ? APInt::getZero(width) : APInt::getSignedMinValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, lowest));
}

SmallVector<OpFoldResult> mlir::kiln::broadcastDims(OpBuilder &b, Location loc,
                                                    RankedTensorType resultType,
                                                    ValueRange inputs) {
  int64_t rank = resultType.getRank();
  SmallVector<OpFoldResult> dims;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t size = resultType.getDimSize(i);
    if (!ShapedType::isDynamic(size)) {
      dims.push_back(b.getIndexAttr(size));
      continue;
    }
    // Any input whose aligned dimension is not a static 1 has the extent (a
    // dynamic dimension is assumed not to broadcast; see the dialect docs).
    OpFoldResult found;
    for (Value input : inputs) {
      auto type = cast<RankedTensorType>(input.getType());
      int64_t j = i - (rank - type.getRank());
      if (j >= 0 && type.getDimSize(j) != 1) {
        found = tensor::getMixedSize(b, loc, input, j);
        break;
      }
    }
    dims.push_back(found ? found : b.getIndexAttr(1));
  }
  return dims;
}

Value mlir::kiln::buildElementwise(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body,
    ArrayRef<OpFoldResult> dims) {
  int64_t rank = resultType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value input : inputs) {
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<AffineExpr> exprs;
    for (int64_t j = 0; j < type.getRank(); ++j) {
      int64_t i = j + rank - type.getRank();
      bool broadcast = type.getDimSize(j) == 1 && resultType.getDimSize(i) != 1;
      exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(i, ctx));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = createEmpty(b, loc, resultType,
                          dims.empty()
                              ? broadcastDims(b, loc, resultType, inputs)
                              : SmallVector<OpFoldResult>(dims));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value mlir::kiln::broadcastTo(OpBuilder &b, Location loc, Value input,
                              RankedTensorType resultType,
                              ArrayRef<OpFoldResult> dims) {
  // Equal types: a dynamic dimension never broadcasts, so nothing to do.
  if (input.getType() == resultType)
    return input;
  return buildElementwise(
      b, loc, resultType, input,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; }, dims);
}

Value mlir::kiln::productOf(OpBuilder &b, Location loc,
                            ArrayRef<OpFoldResult> dims) {
  Value product = arith::ConstantIndexOp::create(b, loc, 1);
  for (OpFoldResult d : dims)
    product = arith::MulIOp::create(
        b, loc, product, getValueOrCreateConstantIndexOp(b, loc, d));
  return product;
}

Value mlir::kiln::reshapeTensor(OpBuilder &b, Location loc, Value source,
                                RankedTensorType resultType,
                                ArrayRef<OpFoldResult> dims) {
  auto sourceType = cast<RankedTensorType>(source.getType());
  if (sourceType == resultType && resultType.hasStaticShape())
    return source;
  // Sizes the result type knows statically win over computed ones.
  SmallVector<OpFoldResult> sizes(dims);
  for (auto [i, d] : llvm::enumerate(resultType.getShape()))
    if (!ShapedType::isDynamic(d))
      sizes[i] = b.getIndexAttr(d);
  // One collapse or one expand when the static shapes line up.
  if (sourceType.hasStaticShape() && resultType.hasStaticShape() &&
      sourceType.getRank() != resultType.getRank()) {
    if (auto reassociation =
            getReassociationIndicesForReshape(sourceType, resultType)) {
      if (sourceType.getRank() > resultType.getRank())
        return tensor::CollapseShapeOp::create(b, loc, resultType, source,
                                               *reassociation);
      return tensor::ExpandShapeOp::create(b, loc, resultType, source,
                                           *reassociation, sizes);
    }
  }
  // In general: collapse everything into one dimension, then expand it.
  Type elementType = sourceType.getElementType();
  Value flat = source;
  if (sourceType.getRank() == 0) {
    flat = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({1}, elementType), source,
        ArrayRef<ReassociationIndices>{}, ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  } else if (sourceType.getRank() > 1) {
    ReassociationIndices all;
    for (int64_t i = 0; i < sourceType.getRank(); ++i)
      all.push_back(i);
    flat = tensor::CollapseShapeOp::create(b, loc, flat,
                                           ArrayRef<ReassociationIndices>{all});
  }
  // The result may be more static than the source (a refined kiln result
  // type). expand_shape wants the collapsed extent static exactly when all
  // the expanded ones are, so the 1-D value is cast to that first.
  int64_t count = resultType.hasStaticShape() ? resultType.getNumElements()
                                              : ShapedType::kDynamic;
  auto flatType = RankedTensorType::get({count}, elementType);
  if (flat.getType() != flatType)
    flat = tensor::CastOp::create(b, loc, flatType, flat);
  if (resultType.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, resultType, flat,
                                           ArrayRef<ReassociationIndices>{});
  if (resultType.getRank() == 1)
    return flat;
  ReassociationIndices all;
  for (int64_t i = 0; i < resultType.getRank(); ++i)
    all.push_back(i);
  return tensor::ExpandShapeOp::create(
      b, loc, resultType, flat, ArrayRef<ReassociationIndices>{all}, sizes);
}

std::string mlir::kiln::describeForCheck(Operation *op) {
  std::string name = op->getName().getStringRef().str();
  if (auto named = dyn_cast<NameLoc>(op->getLoc()))
    return "node '" + named.getName().str() + "' (" + name + ")";
  std::string where;
  llvm::raw_string_ostream os(where);
  if (auto file = dyn_cast<FileLineColLoc>(op->getLoc()))
    os << " at " << file.getFilename().getValue() << ":" << file.getLine();
  return name + where;
}

void mlir::kiln::check(OpBuilder &b, Location loc, Value condition,
                       const Twine &message) {
  cf::AssertOp::create(b, loc, condition, b.getStringAttr(message));
}

void mlir::kiln::checkEqual(OpBuilder &b, Location loc, OpFoldResult actual,
                            OpFoldResult expected, const Twine &message) {
  if (actual == expected)
    return;
  auto a = getConstantIntValue(actual), e = getConstantIntValue(expected);
  if (a && e && *a == *e)
    return;
  // The same dimension of the same tensor, read twice.
  auto dimOf = [](OpFoldResult r) -> tensor::DimOp {
    auto v = dyn_cast<Value>(r);
    return v ? v.getDefiningOp<tensor::DimOp>() : tensor::DimOp();
  };
  tensor::DimOp dimA = dimOf(actual), dimE = dimOf(expected);
  if (dimA && dimE && dimA.getSource() == dimE.getSource() &&
      getConstantIntValue(dimA.getIndex()) ==
          getConstantIntValue(dimE.getIndex()))
    return;
  Value equal = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq,
      getValueOrCreateConstantIndexOp(b, loc, actual),
      getValueOrCreateConstantIndexOp(b, loc, expected));
  check(b, loc, equal, message);
}

void mlir::kiln::checkBroadcast(OpBuilder &b, Location loc, Operation *op,
                                RankedTensorType resultType, ValueRange inputs,
                                ArrayRef<OpFoldResult> dims) {
  int64_t rank = resultType.getRank();
  for (auto [n, input] : llvm::enumerate(inputs)) {
    auto type = cast<RankedTensorType>(input.getType());
    for (int64_t j = 0; j < type.getRank(); ++j) {
      int64_t i = j + rank - type.getRank();
      // A static 1 stretches; two static extents were checked by the verifier.
      if (type.getDimSize(j) == 1 || (!type.isDynamicDim(j) &&
                                      !resultType.isDynamicDim(i)))
        continue;
      checkEqual(b, loc, tensor::getMixedSize(b, loc, input, j), dims[i],
                 describeForCheck(op) + ": dimension " + Twine(j) +
                     " of operand " + Twine(n) +
                     " does not match the other operands (a dynamic "
                     "dimension must equal theirs; it never broadcasts)");
    }
  }
}

void mlir::kiln::checkWindowFits(OpBuilder &b, Location loc, Operation *op,
                                 Value input, int64_t dim, int64_t padBegin,
                                 int64_t padEnd, int64_t kernel,
                                 int64_t dilation) {
  if (!cast<RankedTensorType>(input.getType()).isDynamicDim(dim))
    return;
  int64_t span = dilation * (kernel - 1) + 1;
  Value size = tensor::DimOp::create(b, loc, input, dim);
  Value fits = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::sge, size,
      arith::ConstantIndexOp::create(b, loc, span - padBegin - padEnd));
  check(b, loc, fits,
        describeForCheck(op) + ": the window (" + Twine(span) +
            " elements, dilation included) is larger than the padded input "
            "along dimension " +
            Twine(dim));
}
