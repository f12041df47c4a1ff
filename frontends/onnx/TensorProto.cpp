//===- TensorProto.cpp - ONNX tensors to MLIR elements attributes ---------===//
//
// ONNX stores tensor data in raw little-endian bytes, in typed repeated
// fields, or in an external file. All three end up as one byte buffer in
// memory layout, then as `dense<...>` (small tensors, which folders read) or
// a `dense_resource` blob (weights, never uniqued or printed inline).
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::kiln;

/// Tensors up to this many elements stay dense: shapes, axes and scalars,
/// which folders and importers need to read.
static constexpr int64_t kMaxInlineElements = 256;

Type mlir::kiln::onnxElementType(int32_t dataType, MLIRContext *ctx) {
  Builder b(ctx);
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::INT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
    return b.getIntegerType(32);
  case onnx::TensorProto::INT64:
    return b.getIntegerType(64);
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16, false);
  case onnx::TensorProto::UINT32:
    return b.getIntegerType(32, false);
  case onnx::TensorProto::UINT64:
    return b.getIntegerType(64, false);
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  default:
    return nullptr;
  }
}

/// Bytes per element in memory (bool: one byte, as ONNX stores it).
static size_t elementBytes(Type type) {
  if (type.isInteger(1))
    return 1;
  return type.getIntOrFloatBitWidth() / 8;
}

/// Appends `values` narrowed to `bytes` per element.
template <typename T>
static void appendNarrowed(std::vector<char> &out, const T &values,
                           size_t bytes) {
  for (auto v : values) {
    uint64_t bits = (uint64_t)v;
    for (size_t i = 0; i < bytes; ++i)
      out.push_back((char)((bits >> (8 * i)) & 0xff));
  }
}

static LogicalResult readExternal(const onnx::TensorProto &tensor,
                                  StringRef baseDir, std::vector<char> &out,
                                  std::string &error) {
  std::string location;
  uint64_t offset = 0, length = 0;
  bool hasLength = false;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset")
      offset = std::stoull(entry.value());
    else if (entry.key() == "length") {
      length = std::stoull(entry.value());
      hasLength = true;
    }
  }
  if (location.empty()) {
    error = "external data of '" + tensor.name() + "' has no location";
    return failure();
  }
  SmallString<256> path(baseDir);
  llvm::sys::path::append(path, location);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = "cannot read external data '" + std::string(path) + "' of '" +
            tensor.name() + "': " + buffer.getError().message();
    return failure();
  }
  StringRef data = (*buffer)->getBuffer();
  if (!hasLength)
    length = data.size() > offset ? data.size() - offset : 0;
  if (offset + length > data.size()) {
    error = "external data '" + std::string(path) + "' is shorter than '" +
            tensor.name() + "' needs";
    return failure();
  }
  out.assign(data.begin() + offset, data.begin() + offset + length);
  return success();
}

FailureOr<ElementsAttr> mlir::kiln::importTensorProto(
    const onnx::TensorProto &tensor, MLIRContext *ctx, StringRef baseDir,
    std::string &error) {
  Type elementType = onnxElementType(tensor.data_type(), ctx);
  if (!elementType) {
    error = "tensor '" + tensor.name() + "' has data type " +
            onnx::TensorProto::DataType_Name(
                (onnx::TensorProto::DataType)tensor.data_type()) +
            ", which Kiln does not support";
    return failure();
  }
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  for (int64_t d : shape)
    if (d < 0) {
      error = "tensor '" + tensor.name() + "' has a negative dimension";
      return failure();
    }
  auto type = RankedTensorType::get(shape, elementType);
  int64_t count = type.getNumElements();
  size_t bytes = elementBytes(elementType);

  // The bytes in memory layout: raw data is used where it lies; typed
  // fields and external files are gathered into `gathered`.
  std::vector<char> gathered;
  ArrayRef<char> data;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    if (failed(readExternal(tensor, baseDir, gathered, error)))
      return failure();
    data = gathered;
  } else if (tensor.has_raw_data()) {
    data = ArrayRef<char>(tensor.raw_data().data(), tensor.raw_data().size());
  } else {
    switch (tensor.data_type()) {
    case onnx::TensorProto::FLOAT:
      gathered.assign((const char *)tensor.float_data().data(),
                  (const char *)(tensor.float_data().data() +
                                 tensor.float_data_size()));
      break;
    case onnx::TensorProto::DOUBLE:
      gathered.assign((const char *)tensor.double_data().data(),
                  (const char *)(tensor.double_data().data() +
                                 tensor.double_data_size()));
      break;
    case onnx::TensorProto::INT64:
      gathered.assign((const char *)tensor.int64_data().data(),
                  (const char *)(tensor.int64_data().data() +
                                 tensor.int64_data_size()));
      break;
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
      appendNarrowed(gathered, tensor.uint64_data(), bytes);
      break;
    default: // int32_data holds every narrower type, f16/bf16 as bits
      appendNarrowed(gathered, tensor.int32_data(), bytes);
      break;
    }
    data = gathered;
  }
  if (data.size() != (size_t)count * bytes) {
    error = "tensor '" + tensor.name() + "' should hold " +
            std::to_string(count) + " elements (" +
            std::to_string(count * bytes) + " bytes) but has " +
            std::to_string(data.size()) + " bytes";
    return failure();
  }

  if (elementType.isInteger(1)) {
    SmallVector<bool> values;
    for (char c : data)
      values.push_back(c != 0);
    return cast<ElementsAttr>(DenseElementsAttr::get(type, values));
  }
  if (count <= kMaxInlineElements)
    return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(type, data));
  std::string blobName = tensor.name().empty() ? "onnx_tensor" : tensor.name();
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      type, blobName,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(data, alignof(uint64_t))));
}
