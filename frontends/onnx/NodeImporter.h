//===- NodeImporter.h - What an ONNX op importer works with -----*- C++ -*-===//
//
// Each ONNX op family (ops/*.cpp) registers functions that turn one node into
// kiln ops. They see the node through OnnxNode: its inputs as MLIR values,
// its attributes with defaults, a builder, and error reporting that names
// the node. OnnxOpRegistry is the table keyed by op type and opset version.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_NODEIMPORTER_H
#define KILN_FRONTENDS_ONNX_NODEIMPORTER_H

#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Frontends/ONNX/Importer.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <optional>

namespace mlir::kiln {

class GraphImporter;

/// The node being imported, as its op importer sees it.
class OnnxNode {
public:
  OnnxNode(GraphImporter &graph, const onnx::NodeProto &proto,
           int64_t sinceVersion, OpBuilder &builder, Location loc)
      : graph(graph), proto(proto), sinceVersion(sinceVersion),
        builder(builder), loc(loc) {}

  const onnx::NodeProto &getProto() const { return proto; }
  StringRef opType() const { return proto.op_type(); }
  /// The version of the op's schema in force (e.g. 13 for Softmax in a model
  /// of opset 15).
  int64_t version() const { return sinceVersion; }
  OpBuilder &getBuilder() { return builder; }
  Location getLoc() const { return loc; }
  MLIRContext *getContext() { return builder.getContext(); }

  /// Input `i`; null when absent or named "" (an omitted optional input).
  Value input(unsigned i);
  unsigned numInputs() const { return proto.input_size(); }
  /// Input `i`, which must be present; reports an error otherwise.
  FailureOr<Value> requiredInput(unsigned i);
  /// The value of input `i` if it is a compile-time constant.
  DenseElementsAttr constantInput(unsigned i);
  /// A constant integer input (shape, axes, ...) as int64 values.
  FailureOr<SmallVector<int64_t>> constantInts(unsigned i, StringRef what);

  bool hasAttr(StringRef name) const;
  int64_t intAttr(StringRef name, int64_t defaultValue) const;
  float floatAttr(StringRef name, float defaultValue) const;
  std::string stringAttr(StringRef name, StringRef defaultValue) const;
  SmallVector<int64_t> intsAttr(StringRef name,
                                ArrayRef<int64_t> defaultValue = {}) const;
  SmallVector<float> floatsAttr(StringRef name) const;
  const onnx::TensorProto *tensorAttr(StringRef name) const;
  const onnx::AttributeProto *attr(StringRef name) const;

  /// Output `i` must be used (named) by the graph.
  bool outputUsed(unsigned i) const;
  unsigned numOutputs() const { return proto.output_size(); }
  LogicalResult setResult(unsigned i, Value value);
  LogicalResult setResults(ValueRange values);

  /// An error about this node: "node 'name' (Op, opset N): ...".
  InFlightDiagnostic emitError();

  /// Builds `OpTy` and verifies it; a verifier failure is reported against
  /// this node and the op is erased.
  template <typename OpTy, typename... Args>
  FailureOr<Value> create(Args &&...args) {
    auto op = OpTy::create(builder, loc, std::forward<Args>(args)...);
    if (failed(verifyCreated(op.getOperation())))
      return failure();
    return op->getResult(0);
  }

  /// Normalizes an axis in [-rank, rank) to [0, rank); reports an error.
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                   StringRef what = "axis");

  /// Creates a kiln.constant of `type` holding `values` (int or float).
  Value constant(RankedTensorType type, ArrayRef<double> values);
  /// A rank-0 constant of `elementType`.
  Value scalar(Type elementType, double value);

private:
  LogicalResult verifyCreated(Operation *op);

  GraphImporter &graph;
  const onnx::NodeProto &proto;
  int64_t sinceVersion;
  OpBuilder &builder;
  Location loc;
};

using OnnxOpImportFn = std::function<LogicalResult(OnnxNode &)>;

/// The table of supported ops: (op type, schema versions) -> import function.
class OnnxOpRegistry {
public:
  /// `fn` handles schema versions [minVersion, maxVersion] of `opType`.
  void add(StringRef opType, int64_t minVersion, int64_t maxVersion,
           OnnxOpImportFn fn);

  /// The function for `opType` at schema version `version`, or null.
  const OnnxOpImportFn *lookup(StringRef opType, int64_t version) const;

  struct Entry {
    int64_t minVersion, maxVersion;
    OnnxOpImportFn fn;
  };
  const llvm::StringMap<std::vector<Entry>> &entries() const {
    return table;
  }

  /// The registry with every op family registered.
  static const OnnxOpRegistry &get();

private:
  llvm::StringMap<std::vector<Entry>> table;
};

/// The newest ONNX opset Kiln knows (see kOnnxLatestOpset).
inline constexpr int64_t kLatestOpset = kOnnxLatestOpset;

// One registration function per op family (ops/*.cpp).
void registerCastOps(OnnxOpRegistry &registry);
void registerElementwiseOps(OnnxOpRegistry &registry);
void registerIndexingOps(OnnxOpRegistry &registry);
void registerLogicalOps(OnnxOpRegistry &registry);
void registerLossOps(OnnxOpRegistry &registry);
void registerMatmulOps(OnnxOpRegistry &registry);
void registerNNOps(OnnxOpRegistry &registry);
void registerNormalizationOps(OnnxOpRegistry &registry);
void registerRecurrentOps(OnnxOpRegistry &registry);
void registerReduceOps(OnnxOpRegistry &registry);
void registerTensorOps(OnnxOpRegistry &registry);

/// Element type of an ONNX TensorProto data type, or null if Kiln has none.
Type onnxElementType(int32_t dataType, MLIRContext *context);

/// A compile-time value for an ONNX tensor (initializer or Constant); large
/// tensors become dense_resource blobs. `baseDir` resolves external data.
FailureOr<ElementsAttr> importTensorProto(const onnx::TensorProto &tensor,
                                          MLIRContext *context,
                                          StringRef baseDir,
                                          std::string &error);

} // namespace mlir::kiln

#endif // KILN_FRONTENDS_ONNX_NODEIMPORTER_H
