//===- Common.h - What the kiln verbs share ---------------------*- C++ -*-===//
//
// Loading a model (ONNX or MLIR), printing diagnostics as one line each,
// mapping the common compiler flags onto CompileOptions, and writing files
// so that a failure never leaves a partial one.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_COMMON_H
#define KILN_TOOLS_KILN_COMMON_H

#include "CommandLine.h"

#include "kiln/Driver/Compiler.h"
#include "kiln/runtime.h"
#include "kiln/Target/CUDA.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mlir::kiln::cli {

/// Prints `kiln: error: message` (newlines folded) and returns 1.
int fail(const std::string &message);
/// The same for an llvm::Error.
int fail(llvm::Error error);

/// An MLIR context with every Kiln dialect, whose errors print as one line
/// each (`kiln: error: model.onnx: node 'x' (Conv, opset 13): ...`).
class Session {
public:
  Session();
  ~Session();
  mlir::MLIRContext &context() { return ctx; }

private:
  mlir::MLIRContext ctx;
  struct Handler;
  std::unique_ptr<Handler> handler;
};

/// Fails with `kiln: error: cannot open 'PATH': ...` unless `path` names a
/// file (not a directory).
mlir::LogicalResult checkModelFile(const std::string &path);

/// Loads `path`: an ONNX model (binary or text), or an MLIR file of kiln
/// ops (`.mlir`). With `markParameters`, an ONNX model's initializers are
/// marked as trainable parameters. Null after printing errors.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(Session &session,
                                            const std::string &path,
                                            bool markParameters = false);

struct CompilerFlags;
/// A model ready to run: a shared library from `kiln compile` opened through
/// the runtime exactly as a user's program would, or any other model
/// compiled here through the JIT. Prints the error and fails otherwise.
mlir::FailureOr<kiln_model *> openOrCompileModel(const std::string &path,
                                                 const CompilerFlags &flags);

/// The flags every compiling verb takes.
struct CompilerFlags {
  std::string optLevel = "3";
  std::string cpu = "native";
  std::string features;
  std::vector<std::string> inputShapes;
  /// `cpu` or `cuda[:sm_XX]`. Only verbs that set `acceptsCUDA` take cuda.
  std::string target = "cpu";
  bool acceptsCUDA = false;

  void addTo(ArgParser &parser);
  /// The GPU target, or nullopt for cpu. Prints and returns failure on a
  /// bad value.
  mlir::FailureOr<std::optional<mlir::kiln::CUDATargetOptions>>
  cudaTarget() const;
  /// Fills `options`; `module` maps input names to argument indices.
  /// Prints and returns failure on bad values.
  mlir::LogicalResult apply(mlir::ModuleOp module,
                            mlir::kiln::CompileOptions &options) const;
};

/// Writes `contents` through a temporary file renamed into place.
llvm::Error writeFileAtomically(const std::string &path,
                                llvm::function_ref<llvm::Error(llvm::raw_ostream &)> write);

/// Parses `2x3x?` (or `scalar`); -1 for `?`.
mlir::FailureOr<std::vector<int64_t>> parseShape(const std::string &text);

// The verbs.
int runCompile(const std::vector<std::string> &args);
int runRun(const std::vector<std::string> &args);
int runInfo(const std::vector<std::string> &args);
int runBench(const std::vector<std::string> &args);
int runTrain(const std::vector<std::string> &args);

} // namespace mlir::kiln::cli

#endif // KILN_TOOLS_KILN_COMMON_H
