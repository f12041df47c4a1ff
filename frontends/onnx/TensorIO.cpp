//===- TensorIO.cpp - ONNX TensorProto files as runtime tensors -----------===//
//
// Decodes a TensorProto through the same path as initializers, then copies
// the bytes into a runtime tensor.
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontends/ONNX/TensorIO.h"
#include "NodeImporter.h"

#include "kiln/Target/Signature.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;
using namespace mlir::kiln;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::make_error<llvm::StringError>(message,
                                             llvm::inconvertibleErrorCode());
}

llvm::Expected<kiln_tensor *> mlir::kiln::readTensorProtoFile(StringRef path,
                                                              std::string *name) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError("cannot read '" + path + "': " +
                     buffer.getError().message());
  onnx::TensorProto proto;
  if (!proto.ParseFromArray((*buffer)->getBufferStart(),
                            (int)(*buffer)->getBufferSize()))
    return makeError("'" + path + "' is not a serialized ONNX TensorProto");
  if (name)
    *name = proto.name();

  MLIRContext context;
  std::string error;
  // Never a resource blob: read the bytes back through a dense attribute.
  auto attr = importTensorProto(proto, &context, "", error);
  if (failed(attr))
    return makeError("'" + path + "': " + error);
  auto tensor = createTensorFromAttr(*attr);
  if (!tensor)
    return makeError("'" + path + "': " + llvm::toString(tensor.takeError()));
  return *tensor;
}
