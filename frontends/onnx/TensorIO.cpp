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
  auto type = cast<RankedTensorType>(attr->getType());
  kiln_dtype dtype = dtypeOf(type.getElementType());
  SmallVector<int64_t> shape(type.getShape());
  kiln_tensor *tensor = nullptr;
  if (kiln_tensor_create(dtype, shape.data(), shape.size(), &tensor) != KILN_OK)
    return makeError("'" + path + "': " + kiln_last_error());
  char *out = static_cast<char *>(kiln_tensor_data(tensor));
  size_t bytes = kiln_tensor_size_bytes(tensor);
  if (auto dense = dyn_cast<DenseElementsAttr>(*attr)) {
    if (type.getElementType().isInteger(1)) {
      size_t i = 0;
      for (bool b : dense.getValues<bool>())
        out[i++] = b ? 1 : 0;
    } else if (dense.isSplat() && type.getNumElements() > 1) {
      ArrayRef<char> one = dense.getRawData();
      for (size_t at = 0; at < bytes; at += one.size())
        memcpy(out + at, one.data(), one.size());
    } else if (bytes) {
      memcpy(out, dense.getRawData().data(), bytes);
    }
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(*attr)) {
    ArrayRef<char> data = resource.getRawHandle().getBlob()->getData();
    memcpy(out, data.data(), bytes);
  }
  return tensor;
}
