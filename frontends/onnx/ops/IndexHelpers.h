//===- IndexHelpers.h - Shapes, axes and index vectors for importers -*- C++ -*-===//
//
// The shape and indexing importers (Tensor.cpp, Indexing.cpp) pass ONNX's
// shape-like inputs (shapes, axes, starts, pads) to kiln ops as 1-D integer
// tensors, constant or computed at run time. These helpers make constant
// ones from attributes and defaults, check the run-time ones, and build a
// reshape whose target shape may depend on the input's dynamic extents.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_OPS_INDEXHELPERS_H
#define KILN_FRONTENDS_ONNX_OPS_INDEXHELPERS_H

#include "../NodeImporter.h"

#include "kiln/Dialect/Kiln/IR/ConstantOperands.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Interfaces/InferTypeOpInterface.h"

namespace mlir::kiln {

inline int64_t rankOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getRank();
}

/// A 1-D i64 constant holding `values` exactly (int64 values do not
/// survive OnnxNode::constant's doubles).
inline Value indexConstant(OnnxNode &node, ArrayRef<int64_t> values) {
  Builder b(node.getContext());
  auto type = RankedTensorType::get({(int64_t)values.size()}, b.getI64Type());
  return ConstantOp::create(node.getBuilder(), node.getLoc(),
                            DenseElementsAttr::get(type, values));
}

/// A rank-0 i64 constant.
inline Value indexScalar(OnnxNode &node, int64_t value) {
  Builder b(node.getContext());
  auto type = RankedTensorType::get({}, b.getI64Type());
  return ConstantOp::create(node.getBuilder(), node.getLoc(),
                            DenseElementsAttr::get(type, value));
}

/// numpy-broadcast integer arithmetic of two small constants, for the
/// shape computations importers evaluate (the kiln folders leave operands
/// of different shapes alone). Null when `op` is not such arithmetic.
inline DenseElementsAttr evaluateIntegerBinary(Operation *op,
                                               DenseElementsAttr lhs,
                                               DenseElementsAttr rhs) {
  if (!lhs || !rhs || op->getNumOperands() != 2 ||
      !isa<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp>(op))
    return {};
  auto intType = dyn_cast<IntegerType>(lhs.getElementType());
  if (!intType || rhs.getElementType() != intType)
    return {};
  auto shape = broadcastShapes(lhs.getType().getShape(),
                               rhs.getType().getShape());
  if (failed(shape))
    return {};
  auto type = RankedTensorType::get(*shape, intType);
  if (type.getNumElements() > 1024)
    return {};
  SmallVector<APInt> a(lhs.getValues<APInt>()), b(rhs.getValues<APInt>());
  bool isUnsigned = intType.isUnsigned();
  // Index of an operand's element for a result position (broadcast dims
  // of extent 1 read element 0).
  auto sourceIndex = [&](ArrayRef<int64_t> position,
                         ArrayRef<int64_t> operandShape) {
    int64_t offset = position.size() - operandShape.size(), flat = 0;
    for (auto [i, d] : llvm::enumerate(operandShape))
      flat = flat * d + (d == 1 ? 0 : position[offset + i]);
    return flat;
  };
  SmallVector<APInt> values;
  SmallVector<int64_t> position(shape->size(), 0);
  for (int64_t n = 0; n < type.getNumElements(); ++n) {
    APInt x = a[sourceIndex(position, lhs.getType().getShape())];
    APInt y = b[sourceIndex(position, rhs.getType().getShape())];
    if (isa<AddOp>(op))
      values.push_back(x + y);
    else if (isa<SubOp>(op))
      values.push_back(x - y);
    else if (isa<MulOp>(op))
      values.push_back(x * y);
    else if (isa<DivOp>(op)) {
      if (y.isZero())
        return {};
      values.push_back(isUnsigned ? x.udiv(y) : x.sdiv(y));
    } else if (isa<MaxOp>(op))
      values.push_back((isUnsigned ? x.ugt(y) : x.sgt(y)) ? x : y);
    else
      values.push_back((isUnsigned ? x.ult(y) : x.slt(y)) ? x : y);
    for (int64_t i = (int64_t)position.size() - 1; i >= 0; --i) {
      if (++position[i] < (*shape)[i])
        break;
      position[i] = 0;
    }
  }
  return DenseElementsAttr::get(type, values);
}

/// `value` as a kiln.constant when the kiln ops computing it fold, else
/// `value` itself. Importers build a model's shape arithmetic (Shape ->
/// Size -> Sub -> ConstantOfShape -> Concat -> Reshape) before any folding
/// runs, but the rank of a reshape's result must be known when it is
/// built: this evaluates such chains on copies of their ops, leaving the
/// originals for the canonicalizer to clean up.
inline Value foldToConstant(OnnxNode &node, Value value, unsigned depth = 0) {
  if (!value || getConstantElements(value))
    return value;
  // Shapes are small; weights are left alone.
  auto type = cast<ShapedType>(value.getType());
  if (type.hasStaticShape() && type.getNumElements() > 1024)
    return value;
  Operation *op = value.getDefiningOp();
  if (!op || depth > 64 || op->getNumResults() != 1 ||
      op->getNumRegions() != 0 || !isa<KilnDialect>(op->getDialect()))
    return value;
  SmallVector<Value> operands;
  for (Value operand : op->getOperands())
    operands.push_back(foldToConstant(node, operand, depth + 1));
  OpBuilder &b = node.getBuilder();
  Operation *copy = b.clone(*op);
  copy->setOperands(operands);
  // The copy's type follows its (now constant) operands.
  if (auto infer = dyn_cast<InferTypeOpInterface>(copy)) {
    SmallVector<Type> types;
    if (succeeded(infer.inferReturnTypes(
            copy->getContext(), copy->getLoc(), copy->getOperands(),
            copy->getRawDictionaryAttrs(), copy->getPropertiesStorage(),
            copy->getRegions(), types)) &&
        types.size() == 1 && cast<ShapedType>(types[0]).hasStaticShape())
      copy->getResult(0).setType(types[0]);
  }
  SmallVector<Attribute> constants;
  for (Value operand : operands)
    constants.push_back(getConstantElements(operand));
  Value result;
  SmallVector<OpFoldResult> folded;
  if (succeeded(copy->fold(constants, folded)) && folded.size() == 1) {
    if (auto attr = dyn_cast_if_present<Attribute>(folded[0])) {
      auto dense = dyn_cast<DenseElementsAttr>(attr);
      if (dense && dense.getType() == copy->getResult(0).getType())
        result = ConstantOp::create(b, op->getLoc(), dense);
    } else if (auto v = dyn_cast_if_present<Value>(folded[0])) {
      if (v != copy->getResult(0) && getConstantElements(v))
        result = v;
    }
  }
  if (!result)
    if (DenseElementsAttr dense = evaluateIntegerBinary(
            copy, getConstantElements(operands.front()),
            getConstantElements(operands.back())))
      result = ConstantOp::create(b, op->getLoc(), dense);
  copy->erase();
  return result ? result : value;
}

/// Input `i` as a shape-like operand: a 1-D integer tensor of static
/// length, a constant where the ops computing it fold. Reports an error
/// naming `what` otherwise.
inline FailureOr<Value> indexVectorInput(OnnxNode &node, unsigned i,
                                         StringRef what) {
  auto input = node.requiredInput(i);
  if (failed(input))
    return failure();
  // A shape computed from static shapes is a constant by now.
  FailureOr<Value> value = foldToConstant(node, *input);
  auto type = cast<RankedTensorType>(value->getType());
  if (!isa<IntegerType>(type.getElementType()) || type.getRank() != 1) {
    node.emitError() << "expects its " << what
                     << " input to be a 1-D integer tensor";
    return failure();
  }
  if (type.isDynamicDim(0)) {
    node.emitError() << what
                     << " of unknown length (a dynamic dimension) is not "
                        "supported";
    return failure();
  }
  return *value;
}

/// One entry of a shape built for a reshape: a static size, or the input's
/// extent along `dim` times `mul` divided by `div`.
struct ShapeTerm {
  static ShapeTerm size(int64_t s) { return {s, -1, 1, 1}; }
  static ShapeTerm dimension(int64_t d, int64_t mul = 1, int64_t div = 1) {
    return {0, d, mul, div};
  }
  int64_t staticSize;
  int64_t dim, mul, div;
};

/// Reshapes `input` to the shape `terms` give for the extents of `source`
/// (by default `input` itself): kiln.reshape when every term is static, else
/// kiln.dynamic_reshape of a shape computed from kiln.shape_of.
inline FailureOr<Value> reshapeToTerms(OnnxNode &node, Value input,
                                       ArrayRef<ShapeTerm> terms,
                                       Value source = {}) {
  if (!source)
    source = input;
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<int64_t> spec;
  for (const ShapeTerm &t : terms) {
    if (t.dim < 0)
      spec.push_back(t.staticSize);
    else if (!type.isDynamicDim(t.dim))
      spec.push_back(type.getDimSize(t.dim) * t.mul / t.div);
  }
  // kiln.reshape reads 0 as "copy": an empty extent needs the dynamic op.
  if (spec.size() == terms.size() && !llvm::is_contained(spec, 0))
    return node.create<ReshapeOp>(input, spec);
  SmallVector<Value> parts;
  for (const ShapeTerm &t : terms) {
    if (t.dim < 0) {
      parts.push_back(indexConstant(node, {t.staticSize}));
      continue;
    }
    auto extent = node.create<ShapeOfOp>(source, t.dim, t.dim + 1);
    if (failed(extent))
      return failure();
    Value v = *extent;
    if (t.mul != 1) {
      auto scaled = node.create<MulOp>(v, indexConstant(node, {t.mul}));
      if (failed(scaled))
        return failure();
      v = *scaled;
    }
    if (t.div != 1) {
      auto divided = node.create<DivOp>(v, indexConstant(node, {t.div}));
      if (failed(divided))
        return failure();
      v = *divided;
    }
    parts.push_back(v);
  }
  auto shape = node.create<ConcatOp>(parts, int64_t{0});
  if (failed(shape))
    return failure();
  return node.create<DynamicReshapeOp>(input, *shape, /*allowzero=*/true);
}

} // namespace mlir::kiln

#endif // KILN_FRONTENDS_ONNX_OPS_INDEXHELPERS_H
