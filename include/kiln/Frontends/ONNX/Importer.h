//===- Importer.h - ONNX models to the kiln dialect -------------*- C++ -*-===//
//
// Reads an ONNX model (binary protobuf or ONNX text format), checks it with
// libonnx, and builds `func.func @main` of kiln ops. Errors are MLIR
// diagnostics that name the file, node, op and opset. Including this header
// does not pull in libonnx.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_IMPORTER_H
#define KILN_FRONTENDS_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <string>
#include <vector>

namespace mlir::kiln {

struct OnnxImportOptions {
  /// The name of the function the graph becomes.
  std::string entryName = "main";
  /// Marks each initializer's constant with `kiln.parameter = "<name>"`, so
  /// that training can turn the floating-point ones into parameters.
  bool markParameters = false;
};

/// The serialized ONNX model of `sourcePath` with the initializers named in
/// `values` replaced (same dtype and shape; raw little-endian bytes);
/// everything else is kept as it was. Fails with a message naming the
/// problem (an unknown initializer, a size that does not match).
llvm::Expected<std::string> serializeOnnxWithInitializers(
    StringRef sourcePath,
    const std::map<std::string, std::vector<char>> &values);

/// Imports the model in `path` (binary or text; text when the first
/// non-blank character is '<'). Emits diagnostics and returns null on
/// failure; a model with unsupported ops fails before anything is built, with
/// one error listing every such node.
OwningOpRef<ModuleOp> importOnnxFile(StringRef path, MLIRContext *context,
                                     const OnnxImportOptions &options = {});

/// Imports a model held in memory (`name` appears in diagnostics).
OwningOpRef<ModuleOp> importOnnxBuffer(StringRef buffer, StringRef name,
                                       MLIRContext *context,
                                       const OnnxImportOptions &options = {});

/// What `kiln info` reports about a model, without building it.
struct OnnxModelSummary {
  struct Value {
    std::string name;
    std::string type; ///< e.g. "f32[?x784]"
  };
  std::string producer;
  int64_t irVersion = 0;
  int64_t opset = 0;
  std::vector<Value> inputs, outputs;
  std::map<std::string, int64_t> opCounts; ///< op type -> node count
  int64_t parameterCount = 0;              ///< elements in initializers
  int64_t parameterBytes = 0;
  /// Estimated floating-point operations of one inference, dynamic
  /// dimensions counted as 1, and the nodes left out of the estimate.
  int64_t flops = 0;
  int64_t unestimatedNodes = 0;
  /// "node 'n' (Op, opset 13)" for each node Kiln cannot import.
  std::vector<std::string> unsupported;
};

/// Reads a model's summary. Emits diagnostics and fails on unreadable input.
LogicalResult summarizeOnnxFile(StringRef path, MLIRContext *context,
                                OnnxModelSummary &summary);

/// One row of the supported-op table: op type and the opset range.
struct OnnxOpSupport {
  std::string opType;
  int64_t minVersion, maxVersion;
};

/// The newest ONNX opset Kiln knows (what Debian's libonnx 1.12 defines).
inline constexpr int64_t kOnnxLatestOpset = 17;

/// Every (op, opset range) the importer handles, sorted by op type.
std::vector<OnnxOpSupport> supportedOnnxOps();

} // namespace mlir::kiln

#endif // KILN_FRONTENDS_ONNX_IMPORTER_H
