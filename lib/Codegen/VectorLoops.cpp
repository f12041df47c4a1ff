//===- VectorLoops.cpp - Elementwise bodies on vectors, masked loops ------===//
//
// See VectorLoops.h.
//
//===----------------------------------------------------------------------===//

#include "VectorLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

bool kiln::isVectorizableBody(Block &body) {
  for (Operation &inner : body.without_terminator()) {
    // Scalar constants (the canonicalizer may leave them in the body).
    if (auto constant = dyn_cast<arith::ConstantOp>(inner))
      if (constant.getType().isIntOrFloat() && !constant.getType().isIndex())
        continue;
    if (!OpTrait::hasElementwiseMappableTraits(&inner) ||
        inner.getNumRegions() || inner.getNumResults() != 1)
      return false;
    if (isa<arith::DivSIOp, arith::DivUIOp, arith::RemSIOp, arith::RemUIOp,
            arith::CeilDivSIOp, arith::CeilDivUIOp, arith::FloorDivSIOp>(inner))
      return false;
    for (Type t :
         llvm::concat<Type>(inner.getOperandTypes(), inner.getResultTypes()))
      if (!t.isIntOrIndexOrFloat() || t.isIndex())
        return false;
  }
  return true;
}

bool kiln::isVectorizableElementType(Type type) {
  if (isa<FloatType>(type))
    return true;
  auto integer = dyn_cast<IntegerType>(type);
  return integer && integer.getWidth() >= 8 && integer.getWidth() <= 64 &&
         llvm::isPowerOf2_32(integer.getWidth());
}

Value kiln::rootBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

bool kiln::hasContiguousInnermostDim(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (type.getRank() == 0 || failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return strides.back() == 1;
}

Value kiln::lookupBodyValue(OpBuilder &b, Location loc, IRMapping &map, Value v,
                            int64_t lanes) {
  if (Value m = map.lookupOrNull(v))
    return m;
  if (!lanes)
    return v;
  Value splat = vector::BroadcastOp::create(
      b, loc, VectorType::get({lanes}, v.getType()), v);
  map.map(v, splat);
  return splat;
}

void kiln::cloneBody(OpBuilder &b, Location loc, Block &body, ValueRange args,
                     Operation *stop, int64_t lanes, IRMapping &map) {
  for (auto [arg, v] : llvm::zip(body.getArguments(), args))
    if (v)
      map.map(arg, v);
  for (Operation &inner : body.without_terminator()) {
    if (&inner == stop)
      break;
    if (auto constant = dyn_cast<arith::ConstantOp>(inner)) {
      Value c = arith::ConstantOp::create(
          b, loc,
          lanes ? cast<TypedAttr>(DenseElementsAttr::get(
                      VectorType::get({lanes}, constant.getType()),
                      constant.getValue()))
                : constant.getValue());
      map.map(constant.getResult(), c);
      continue;
    }
    OperationState state(loc, inner.getName());
    for (Value operand : inner.getOperands())
      state.addOperands(lookupBodyValue(b, loc, map, operand, lanes));
    Type type = inner.getResult(0).getType();
    state.addTypes(lanes ? Type(VectorType::get({lanes}, type)) : type);
    state.addAttributes(inner.getAttrs());
    map.map(inner.getResult(0), b.create(state)->getResult(0));
  }
}

Value kiln::buildVectorColumns(OpBuilder &b, Location loc, Value lb, Value ub,
                               int64_t lanes, Value acc, ColumnBody body) {
  Value step = arith::ConstantIndexOp::create(b, loc, lanes);
  // lb + (ub - lb) / lanes * lanes: the end of the full vectors.
  Value n = arith::SubIOp::create(b, loc, ub, lb);
  Value full = arith::AddIOp::create(
      b, loc, lb,
      arith::MulIOp::create(b, loc, arith::DivUIOp::create(b, loc, n, step),
                            step));
  SmallVector<Value> init;
  if (acc)
    init.push_back(acc);
  auto loop = scf::ForOp::create(
      b, loc, lb, full, step, init,
      [&](OpBuilder &nb, Location loc, Value col, ValueRange carried) {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        Value next = body(b, col, Value(), acc ? carried[0] : Value());
        SmallVector<Value> yield;
        if (acc)
          yield.push_back(next);
        scf::YieldOp::create(b, loc, yield);
      });
  SmallVector<Value> mid(loop.getResults());
  auto tail = scf::ForOp::create(
      b, loc, full, ub, step, mid,
      [&](OpBuilder &nb, Location loc, Value col, ValueRange carried) {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        Value left = arith::SubIOp::create(b, loc, ub, col);
        Value mask = vector::CreateMaskOp::create(
            b, loc, VectorType::get({lanes}, b.getI1Type()), ValueRange{left});
        Value next = body(b, col, mask, acc ? carried[0] : Value());
        SmallVector<Value> yield;
        if (acc)
          yield.push_back(next);
        scf::YieldOp::create(b, loc, yield);
      });
  return acc ? tail.getResult(0) : Value();
}
