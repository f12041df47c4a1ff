//===- ConstantOperands.h - Reading parameters that are constants -*- C++ -*-===//
//
// Kiln ops take the parameters ONNX passes as tensors (shapes, axes, pads,
// scalars) as operands, so that a model may compute them at run time. Type
// inference, verifiers, folders and the lowering all ask the same question:
// is this operand a constant, and what are its values? These helpers answer
// it for any constant-like producer (kiln.constant, arith.constant).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_CONSTANTOPERANDS_H
#define KILN_DIALECT_KILN_IR_CONSTANTOPERANDS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir::kiln {

/// The elements of `value` when a constant-like op produces it as a
/// `dense<...>` attribute.
inline DenseElementsAttr getConstantElements(Value value) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return {};
  return dyn_cast<DenseElementsAttr>(attr);
}

/// The entries of a constant integer tensor as int64 values (signed unless
/// the element type is unsigned).
inline std::optional<SmallVector<int64_t>> getConstantInts(Value value) {
  DenseElementsAttr attr = getConstantElements(value);
  if (!attr)
    return std::nullopt;
  auto intType = dyn_cast<IntegerType>(attr.getElementType());
  if (!intType)
    return std::nullopt;
  SmallVector<int64_t> values;
  for (const APInt &v : attr.getValues<APInt>())
    values.push_back(intType.isUnsigned() ? (int64_t)v.getZExtValue()
                                          : v.getSExtValue());
  return values;
}

/// The value of a one-element constant as a double (integers converted,
/// signed unless unsigned).
inline std::optional<double> getConstantScalar(Value value) {
  DenseElementsAttr attr = getConstantElements(value);
  if (!attr || attr.getNumElements() != 1)
    return std::nullopt;
  Type type = attr.getElementType();
  if (isa<FloatType>(type)) {
    APFloat v = *attr.getValues<APFloat>().begin();
    bool lost;
    v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    return v.convertToDouble();
  }
  if (auto intType = dyn_cast<IntegerType>(type)) {
    APInt v = *attr.getValues<APInt>().begin();
    return intType.isUnsigned() ? (double)v.getZExtValue()
                                : (double)v.getSExtValue();
  }
  return std::nullopt;
}

} // namespace mlir::kiln

#endif // KILN_DIALECT_KILN_IR_CONSTANTOPERANDS_H
