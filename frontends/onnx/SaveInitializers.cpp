//===- SaveInitializers.cpp - A trained model back to ONNX ----------------===//
//
// `kiln train --save` writes the model it read with the trained values in
// place of its initializers (this file makes the bytes; the caller writes
// them atomically), so that any ONNX tool loads the result. The
// source file is read again rather than kept from the import: the importer
// annotates its copy with inferred shapes and releases weights as it goes.
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontends/ONNX/Importer.h"

#include "llvm/Support/MemoryBuffer.h"

#include <onnx/defs/parser.h>
#include <onnx/onnx_pb.h>

#include <set>

using namespace mlir;
using namespace mlir::kiln;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::make_error<llvm::StringError>(message,
                                             llvm::inconvertibleErrorCode());
}

/// Bytes per element of the ONNX dtypes a trainer updates, 0 otherwise.
static size_t elementBytes(int32_t dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return 4;
  case onnx::TensorProto::DOUBLE:
    return 8;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    return 2;
  default:
    return 0;
  }
}

llvm::Expected<std::string> mlir::kiln::serializeOnnxWithInitializers(
    StringRef sourcePath,
    const std::map<std::string, std::vector<char>> &values) {
  auto buffer = llvm::MemoryBuffer::getFile(sourcePath, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError("cannot read '" + sourcePath +
                     "': " + buffer.getError().message());
  onnx::ModelProto model;
  StringRef bytes = (*buffer)->getBuffer();
  if (bytes.ltrim().starts_with("<")) {
    std::string text = bytes.str();
    if (!onnx::OnnxParser::Parse(model, text.c_str()).IsOK())
      return makeError("cannot parse '" + sourcePath + "' again");
  } else if (!model.ParseFromArray(bytes.data(), (int)bytes.size())) {
    return makeError("cannot parse '" + sourcePath + "' again");
  }

  std::set<std::string> pending;
  for (const auto &entry : values)
    pending.insert(entry.first);
  for (onnx::TensorProto &init : *model.mutable_graph()->mutable_initializer()) {
    auto it = values.find(init.name());
    if (it == values.end())
      continue;
    size_t count = 1;
    for (int64_t d : init.dims())
      count *= (size_t)d;
    size_t bytesPerElement = elementBytes(init.data_type());
    if (!bytesPerElement || count * bytesPerElement != it->second.size())
      return makeError("initializer '" + init.name() + "' holds " +
                       llvm::Twine(count) + " elements of ONNX type " +
                       llvm::Twine(init.data_type()) + ", but the new value has " +
                       llvm::Twine(it->second.size()) + " bytes");
    // The new value replaces every way the old one may have been stored.
    init.clear_float_data();
    init.clear_double_data();
    init.clear_int32_data();
    init.clear_external_data();
    init.clear_data_location();
    init.set_raw_data(it->second.data(), it->second.size());
    pending.erase(init.name());
  }
  if (!pending.empty())
    return makeError("the model in '" + sourcePath + "' has no initializer '" +
                     *pending.begin() + "'");

  std::string serialized;
  if (!model.SerializeToString(&serialized))
    return makeError("cannot serialize the trained model (is it over 2 GB?)");
  return serialized;
}
