//===- IndexValues.h - Run-time index arithmetic for the lowering -*- C++ -*-===//
//
// Shapes, axes, pads and slice bounds arrive as tensor operands, constant or
// computed at run time. The lowering reads them as index values and computes
// with them through IndexBuilder, whose operations fold when their operands
// are constants: one code path gives static sizes for constant parameters
// and run-time arithmetic for the others. The arithmetic mirrors
// kiln/Dialect/Kiln/IR/IndexRules.h, which type inference uses.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_CONVERSION_KILNTOLINALG_INDEXVALUES_H
#define KILN_LIB_CONVERSION_KILNTOLINALG_INDEXVALUES_H

#include "Utils.h"
#include "kiln/Dialect/Kiln/IR/ConstantOperands.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/TypeUtilities.h"

namespace mlir::kiln {

/// Index arithmetic that folds constant operands as it builds.
class IndexBuilder {
public:
  IndexBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  OpBuilder &builder() { return b; }
  Location location() const { return loc; }

  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value v(OpFoldResult r) { return getValueOrCreateConstantIndexOp(b, loc, r); }

  Value add(Value x, Value y) { return b.createOrFold<arith::AddIOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.createOrFold<arith::SubIOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.createOrFold<arith::MulIOp>(loc, x, y); }
  Value div(Value x, Value y) {
    return b.createOrFold<arith::DivSIOp>(loc, x, y);
  }
  Value ceilDiv(Value x, Value y) {
    return b.createOrFold<arith::CeilDivSIOp>(loc, x, y);
  }
  Value rem(Value x, Value y) {
    return b.createOrFold<arith::RemSIOp>(loc, x, y);
  }
  Value min(Value x, Value y) {
    return b.createOrFold<arith::MinSIOp>(loc, x, y);
  }
  Value max(Value x, Value y) {
    return b.createOrFold<arith::MaxSIOp>(loc, x, y);
  }
  Value clamp(Value x, Value lo, Value hi) { return min(max(x, lo), hi); }

  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return b.createOrFold<arith::CmpIOp>(loc, p, x, y);
  }
  Value eq(Value x, Value y) { return cmp(arith::CmpIPredicate::eq, x, y); }
  Value ne(Value x, Value y) { return cmp(arith::CmpIPredicate::ne, x, y); }
  Value lt(Value x, Value y) { return cmp(arith::CmpIPredicate::slt, x, y); }
  Value le(Value x, Value y) { return cmp(arith::CmpIPredicate::sle, x, y); }
  Value gt(Value x, Value y) { return cmp(arith::CmpIPredicate::sgt, x, y); }
  Value ge(Value x, Value y) { return cmp(arith::CmpIPredicate::sge, x, y); }

  Value select(Value cond, Value x, Value y) {
    return b.createOrFold<arith::SelectOp>(loc, cond, x, y);
  }
  Value andI(Value x, Value y) { return b.createOrFold<arith::AndIOp>(loc, x, y); }
  Value orI(Value x, Value y) { return b.createOrFold<arith::OrIOp>(loc, x, y); }
  Value notI(Value x) {
    Value one = arith::ConstantIntOp::create(b, loc, 1, 1);
    return b.createOrFold<arith::XOrIOp>(loc, x, one);
  }
  Value trueV() { return arith::ConstantIntOp::create(b, loc, 1, 1); }
  Value falseV() { return arith::ConstantIntOp::create(b, loc, 0, 1); }

  /// An integer scalar (signed unless `isUnsigned`) as an index.
  Value toIndex(Value x, bool isUnsigned = false) {
    if (x.getType().isIndex())
      return x;
    if (isUnsigned)
      return b.createOrFold<arith::IndexCastUIOp>(loc, b.getIndexType(), x);
    return b.createOrFold<arith::IndexCastOp>(loc, b.getIndexType(), x);
  }
  /// An index as a signless integer of `type`.
  Value fromIndex(Value x, Type type) {
    return b.createOrFold<arith::IndexCastOp>(loc, type, x);
  }

  /// `axis` counted from the end when negative (`axis + size`).
  Value wrapNegative(Value x, Value size) {
    return select(lt(x, c(0)), add(x, size), x);
  }

  /// A position normalized like a gather index: negative counts from the
  /// end, then clamped into [0, size - 1] so that no bad index reads
  /// outside the tensor.
  Value clampIndex(Value x, Value size) {
    return clamp(wrapNegative(x, size), c(0), max(sub(size, c(1)), c(0)));
  }

private:
  OpBuilder &b;
  Location loc;
};

/// A run-time check of `condition`, unless it folded to true.
inline void checkHolds(OpBuilder &b, Location loc, Value condition,
                       const Twine &message) {
  if (auto c = getConstantIntValue(condition); c && *c != 0)
    return;
  check(b, loc, condition, message);
}

/// The scalar of a rank-0 tensor.
inline Value extractScalar(OpBuilder &b, Location loc, Value tensor) {
  return tensor::ExtractOp::create(b, loc, tensor, ValueRange{});
}

/// The entries of a 1-D integer tensor operand as index values. `original`
/// is the kiln operand (its type says whether the integers are unsigned; a
/// constant one gives constant indices), `converted` its lowered value.
inline SmallVector<Value> indexEntries(IndexBuilder &ib, Value original,
                                       Value converted) {
  auto type = cast<RankedTensorType>(original.getType());
  SmallVector<Value> entries;
  if (auto values = getConstantInts(original)) {
    for (int64_t v : *values)
      entries.push_back(ib.c(v));
    return entries;
  }
  bool isUnsigned = type.getElementType().isUnsignedInteger();
  for (int64_t i = 0; i < type.getDimSize(0); ++i) {
    Value element = tensor::ExtractOp::create(ib.builder(), ib.location(),
                                              converted, ValueRange{ib.c(i)});
    entries.push_back(ib.toIndex(element, isUnsigned));
  }
  return entries;
}

/// The sizes of `tensor` as index values.
inline SmallVector<Value> dimValues(IndexBuilder &ib, Value tensor) {
  SmallVector<Value> dims;
  for (OpFoldResult d :
       tensor::getMixedSizes(ib.builder(), ib.location(), tensor))
    dims.push_back(ib.v(d));
  return dims;
}

/// Index values (folded constants become attributes) as OpFoldResults.
inline SmallVector<OpFoldResult> foldResults(ArrayRef<Value> values) {
  SmallVector<OpFoldResult> results;
  for (Value v : values)
    results.push_back(getAsOpFoldResult(v));
  return results;
}

/// A linalg.generic producing a tensor of `type` (sizes `dims`) whose
/// element at each position is `body(indices, args)`: `indices` are the
/// position (linalg.index), `args` the elements of `inputs` read through
/// `inputMaps`. Bodies that read other tensors at computed positions use
/// tensor.extract.
inline Value buildIndexedGeneric(
    OpBuilder &b, Location loc, RankedTensorType type,
    ArrayRef<OpFoldResult> dims, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange, ValueRange)> body) {
  int64_t rank = type.getRank();
  SmallVector<Value> dynamic;
  for (auto [d, size] : llvm::zip(type.getShape(), dims))
    if (ShapedType::isDynamic(d))
      dynamic.push_back(getValueOrCreateConstantIndexOp(b, loc, size));
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(),
                                       type.getElementType(), dynamic);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        SmallVector<Value> indices;
        for (int64_t i = 0; i < rank; ++i)
          indices.push_back(linalg::IndexOp::create(nested, nestedLoc, i));
        Value result = body(nested, nestedLoc, indices, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

} // namespace mlir::kiln

#endif // KILN_LIB_CONVERSION_KILNTOLINALG_INDEXVALUES_H
