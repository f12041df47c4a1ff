//===- Signature.cpp - What a compiled model takes and returns ------------===//
//
// Reads names, dtypes and shapes off a kiln-level entry function.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/Signature.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace mlir::kiln;

kiln_dtype mlir::kiln::dtypeOf(Type type) {
  if (type.isF32())
    return KILN_DTYPE_F32;
  if (type.isF64())
    return KILN_DTYPE_F64;
  if (type.isF16())
    return KILN_DTYPE_F16;
  if (type.isBF16())
    return KILN_DTYPE_BF16;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return KILN_DTYPE_INVALID;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1:
    return KILN_DTYPE_BOOL;
  case 8:
    return isUnsigned ? KILN_DTYPE_U8 : KILN_DTYPE_I8;
  case 16:
    return isUnsigned ? KILN_DTYPE_U16 : KILN_DTYPE_I16;
  case 32:
    return isUnsigned ? KILN_DTYPE_U32 : KILN_DTYPE_I32;
  case 64:
    return isUnsigned ? KILN_DTYPE_U64 : KILN_DTYPE_I64;
  default:
    return KILN_DTYPE_INVALID;
  }
}

static FailureOr<TensorSignature> tensorSignature(func::FuncOp func, Type type,
                                                  StringAttr name,
                                                  StringRef fallback) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  kiln_dtype dtype = tensor ? dtypeOf(tensor.getElementType())
                            : KILN_DTYPE_INVALID;
  if (dtype == KILN_DTYPE_INVALID)
    return func.emitError() << "entry '" << func.getSymName()
                            << "' has a " << fallback << " of type " << type
                            << ", which a compiled model cannot exchange";
  TensorSignature sig;
  sig.name = name ? name.str() : fallback.str();
  sig.dtype = dtype;
  for (int64_t d : tensor.getShape())
    sig.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return sig;
}

FailureOr<ModelSignature> mlir::kiln::getSignature(func::FuncOp func) {
  ModelSignature signature;
  signature.entryName = func.getSymName().str();
  FunctionType type = func.getFunctionType();
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    auto sig = tensorSignature(func, type.getInput(i),
                               func.getArgAttrOfType<StringAttr>(i, kNameAttr),
                               "input" + std::to_string(i));
    if (failed(sig))
      return failure();
    signature.inputs.push_back(*sig);
  }
  for (unsigned i = 0; i < type.getNumResults(); ++i) {
    auto sig =
        tensorSignature(func, type.getResult(i),
                        func.getResultAttrOfType<StringAttr>(i, kNameAttr),
                        "output" + std::to_string(i));
    if (failed(sig))
      return failure();
    signature.outputs.push_back(*sig);
  }
  if (signature.outputs.empty())
    return func.emitError() << "entry '" << func.getSymName()
                            << "' returns nothing";
  return signature;
}
