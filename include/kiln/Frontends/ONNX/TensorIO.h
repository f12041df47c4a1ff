//===- TensorIO.h - ONNX TensorProto files as runtime tensors ---*- C++ -*-===//
//
// The ONNX test data (and `kiln run --input x=file.pb`) stores tensors as
// serialized TensorProto messages. These read and write them as runtime
// tensors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_TENSORIO_H
#define KILN_FRONTENDS_ONNX_TENSORIO_H

#include "kiln/runtime.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir::kiln {

/// A tensor read from a serialized onnx.TensorProto; `name` receives the
/// tensor's name (may be empty). The caller destroys the tensor.
llvm::Expected<kiln_tensor *> readTensorProtoFile(llvm::StringRef path,
                                                  std::string *name = nullptr);

} // namespace mlir::kiln

#endif // KILN_FRONTENDS_ONNX_TENSORIO_H
