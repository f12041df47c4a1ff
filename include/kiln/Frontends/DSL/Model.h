//===- Model.h - The C++ builder DSL: compile, run, save --------*- C++ -*-===//
//
// A Model takes a finished Graph and does with it what users do with a
// model: compile it for a target and predict, save it as an ONNX file that
// any ONNX tool (and Kiln's own importer) reads, and save it as an AOT
// shared library for the runtime (kiln/runtime.h). Data goes in and out as
// the runtime's kiln::Tensor (kiln/runtime.hpp). Errors throw dsl::Error.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_DSL_MODEL_H
#define KILN_FRONTENDS_DSL_MODEL_H

#include "kiln/Frontends/DSL/Graph.h"
#include "kiln/Frontends/DSL/Training.h"
#include "kiln/runtime.hpp"

#include <map>

namespace kiln::dsl {

/// Where and how the model is compiled.
struct Target {
  /// "cpu" (the host, through the JIT or an AOT library).
  std::string device = "cpu";
  /// LLVM optimization level, 0 to 3.
  unsigned optLevel = 3;
  /// The CPU to compile for ("native": this machine).
  std::string cpu = "native";
};

class Model {
public:
  /// Finishes `graph` (it must have an output); the graph is consumed.
  explicit Model(Graph &&graph);
  ~Model();
  Model(Model &&) noexcept;
  Model &operator=(Model &&) noexcept;

  /// Compiles the inference function for `target` (JIT, in process).
  /// predict() compiles with the default target when this was not called.
  void compile(const Target &target = Target());

  /// Also prepares training: fit() and evaluate() compare the first output
  /// with labels through `loss` and update the parameters with `optimizer`;
  /// `metrics` are reported by both.
  void compile(const Target &target, const Loss &loss,
               const Optimizer &optimizer, std::vector<Metric> metrics = {});

  /// Trains on `inputs` (one tensor per model input, samples along
  /// dimension 0) against `labels`; returns per-epoch figures. The trained
  /// parameters are the model's afterwards (predict, saveOnnx and
  /// saveLibrary use them). Needs compile() with a loss first.
  History fit(const std::vector<const kiln::Tensor *> &inputs,
              const kiln::Tensor &labels, const FitOptions &options = {});
  History fit(const kiln::Tensor &input, const kiln::Tensor &labels,
              const FitOptions &options = {});

  /// The loss and metrics on a whole data set, without training.
  Evaluation evaluate(const std::vector<const kiln::Tensor *> &inputs,
                      const kiln::Tensor &labels);
  Evaluation evaluate(const kiln::Tensor &input, const kiln::Tensor &labels);

  /// Runs the model on one tensor per input (in the order the graph
  /// declared them); returns one tensor per output.
  std::vector<kiln::Tensor>
  predict(const std::vector<const kiln::Tensor *> &inputs);
  /// A model with one input and one output.
  kiln::Tensor predict(const kiln::Tensor &input);

  /// Writes the model as an ONNX file (opset 17; parameters as
  /// initializers) that onnx.checker accepts. The file appears only when
  /// complete (written to a temporary name, then renamed).
  void saveOnnx(const std::string &path) const;

  /// Compiles the model ahead of time into a shared library that
  /// kiln_model_open() loads; written atomically like saveOnnx.
  void saveLibrary(const std::string &path) const;

  /// Names of the trainable parameters, in creation order.
  std::vector<std::string> parameterNames() const;
  /// A copy of a parameter's current values, or of a buffer's (a
  /// BatchNorm's `<layer>.running_mean` and `<layer>.running_var`).
  kiln::Tensor parameter(const std::string &name) const;
  /// Replaces a parameter's values (same shape); recompiles on next use.
  void setParameter(const std::string &name, const kiln::Tensor &value);

  /// Names of the inputs and outputs, in order.
  std::vector<std::string> inputNames() const;
  std::vector<std::string> outputNames() const;

  /// The model's kiln-dialect module as MLIR text.
  std::string str() const;

  struct Impl;
  Impl *impl() const { return modelImpl.get(); }

private:
  std::unique_ptr<Impl> modelImpl;
};

} // namespace kiln::dsl

#endif // KILN_FRONTENDS_DSL_MODEL_H
