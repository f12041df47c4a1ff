//===- Signature.h - What a compiled model takes and returns ----*- C++ -*-===//
//
// The names, element types and shapes of an entry function's inputs and
// outputs, read from the kiln-level function before lowering erases integer
// signedness. lib/Target writes it into the compiled model (kiln/abi.h).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_SIGNATURE_H
#define KILN_TARGET_SIGNATURE_H

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "llvm/Support/Error.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlir::kiln {

/// Argument and result attribute carrying a tensor's user-facing name.
inline constexpr StringLiteral kNameAttr = "kiln.name";

struct TensorSignature {
  std::string name;
  kiln_dtype dtype = KILN_DTYPE_INVALID;
  SmallVector<int64_t> shape; ///< -1 where dynamic
  bool isMutable = false;     ///< an input updated in place
};

struct ModelSignature {
  std::string entryName; ///< the func.func the model's entry point calls
  SmallVector<TensorSignature> inputs, outputs;
};

/// The dtype of an MLIR element type, or KILN_DTYPE_INVALID.
kiln_dtype dtypeOf(Type elementType);

/// A new runtime tensor holding `value`'s elements (dense or resource
/// attributes; splats expanded). The caller destroys it.
llvm::Expected<kiln_tensor *> createTensorFromAttr(ElementsAttr value);

/// Reads the signature of `func`, a function on ranked tensors. Names come
/// from `kiln.name` attributes (else input0, output0, ...).
FailureOr<ModelSignature> getSignature(func::FuncOp func);

} // namespace mlir::kiln

#endif // KILN_TARGET_SIGNATURE_H
