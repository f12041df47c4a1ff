//===- GraphImpl.h - The DSL's graph state and op building -------*- C++
//-*-===//
//
// What a dsl::Graph holds (its own MLIRContext, the module, the function
// being built, the parameters, the layer scopes for error messages) and the
// one way the DSL builds an op: create it with its inferred type, verify it
// at once, and on failure erase it and throw a dsl::Error that names the
// layer (or op) and the operands' shapes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_CPP_GRAPHIMPL_H
#define KILN_FRONTENDS_CPP_GRAPHIMPL_H

#include "kiln/Frontends/DSL/Graph.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/IR/Verifier.h"

#include <set>

namespace kiln::dsl::detail {

struct ParameterInfo {
  std::string name;
  mlir::kiln::ConstantOp op;
};

struct GraphImpl {
  explicit GraphImpl(uint64_t seed);

  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp func;
  mlir::OpBuilder builder;
  std::vector<std::string> inputNames;
  std::vector<std::pair<std::string, mlir::Value>> outputs;
  std::vector<ParameterInfo> parameters;
  std::set<std::string> usedNames;
  /// "layer 'dense_1' (Dense)" for each layer being built, innermost last.
  std::vector<std::string> scopes;
  std::vector<mlir::Location> scopeLocs;
  uint64_t rngState;
  /// Set once a Model took the graph: nothing may be added after that.
  bool finished = false;

  mlir::Location loc() const;
  /// What an error is about: the innermost layer, else the op.
  std::string where(llvm::StringRef opName) const;
  [[noreturn]] void fail(const std::string &message) const;
  void checkOpen() const;

  Tensor wrap(mlir::Value value) {
    return Tensor(this, value.getAsOpaquePointer());
  }

  mlir::Type elementType(DType dtype);
  mlir::Value constant(llvm::ArrayRef<int64_t> shape,
                       llvm::ArrayRef<double> values, mlir::Type elementType);
  mlir::Value indexVector(llvm::ArrayRef<int64_t> values);
  /// A trainable parameter (see Graph::parameter).
  Tensor parameter(const std::string &name, const std::vector<int64_t> &shape,
                   const Initializer &initializer);

  /// Creates `OpTy` (result types inferred) from `args`, verifies it and
  /// returns it; on failure erases it and throws an Error naming the layer
  /// or op, the shapes of `operands`, and the verifier's complaint.
  template <typename OpTy, typename... Args>
  OpTy build(llvm::ArrayRef<mlir::Value> operands, Args &&...args) {
    checkOpen();
    OpTy op = OpTy::create(builder, loc(), std::forward<Args>(args)...);
    verifyOrThrow(op.getOperation(), operands);
    return op;
  }

  void verifyOrThrow(mlir::Operation *op, llvm::ArrayRef<mlir::Value> operands);
};

/// The value behind a tensor of `graph`; throws on a null tensor or one of
/// another graph.
mlir::Value valueOf(const Tensor &t, const GraphImpl *graph = nullptr);
GraphImpl &graphOf(const Tensor &t);
/// The graph `a` and `b` share; throws if they come from different graphs.
GraphImpl &graphOf(const Tensor &a, const Tensor &b);
std::vector<int64_t> shapeOf(mlir::Value value);
std::string shapeString(mlir::Value value);
DType dtypeOf(mlir::Type elementType);

} // namespace kiln::dsl::detail

#endif // KILN_FRONTENDS_CPP_GRAPHIMPL_H
