//===- Signature.cpp - What a compiled model takes and returns ------------===//
//
// Reads names, dtypes and shapes off a kiln-level entry function.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/Signature.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

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
    sig->isMutable = static_cast<bool>(func.getArgAttr(i, kMutableAttr));
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

llvm::Expected<kiln_tensor *> mlir::kiln::createTensorFromAttr(ElementsAttr value) {
  auto type = cast<ShapedType>(value.getType());
  kiln_dtype dtype = dtypeOf(type.getElementType());
  if (dtype == KILN_DTYPE_INVALID)
    return llvm::createStringError("a constant of element type %s has no "
                                   "runtime dtype",
                                   [&] {
                                     std::string s;
                                     llvm::raw_string_ostream os(s);
                                     os << type.getElementType();
                                     return s;
                                   }()
                                       .c_str());
  SmallVector<int64_t> shape(type.getShape());
  kiln_tensor *tensor = nullptr;
  if (kiln_tensor_create(dtype, shape.data(), shape.size(), &tensor) != KILN_OK)
    return llvm::createStringError(kiln_last_error());
  char *out = static_cast<char *>(kiln_tensor_data(tensor));
  size_t bytes = kiln_tensor_size_bytes(tensor);
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (type.getElementType().isInteger(1)) {
      size_t i = 0;
      for (bool b : dense.getValues<bool>())
        out[i++] = b ? 1 : 0;
    } else if (dense.isSplat() && type.getNumElements() > 1) {
      ArrayRef<char> one = dense.getRawData();
      for (size_t at = 0; at < bytes; at += one.size())
        std::memcpy(out + at, one.data(), one.size());
    } else if (bytes) {
      std::memcpy(out, dense.getRawData().data(), bytes);
    }
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != bytes) {
      kiln_tensor_destroy(tensor);
      return llvm::createStringError("a resource constant has no data or the "
                                     "wrong size");
    }
    std::memcpy(out, blob->getData().data(), bytes);
  } else {
    kiln_tensor_destroy(tensor);
    return llvm::createStringError("unsupported kind of constant attribute");
  }
  return tensor;
}
