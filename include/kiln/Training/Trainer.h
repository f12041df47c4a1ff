//===- Trainer.h - Compiled training steps and their state ----*- C++ -*-===//
//
// A Trainer compiles a model's training step and evaluation (TrainingStep.h)
// with the JIT and keeps what lives between steps: the parameters and the
// optimizer's state, as runtime tensors that each step updates in place.
// `kiln train` and the C++ builder DSL both train through it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINING_TRAINER_H
#define KILN_TRAINING_TRAINER_H

#include "kiln/Driver/Compiler.h"
#include "kiln/Target/Signature.h"
#include "kiln/Training/TrainingStep.h"
#include "kiln/runtime.h"

#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <memory>

namespace mlir::kiln {

struct TrainerOptions {
  /// Target and progress options for the compiles (`entry` is ignored).
  CompileOptions compile;
  /// When positive, the training step is specialized to batches of this
  /// size (dimension 0 of every model input and of the labels), which makes
  /// its code faster. A step on a batch of another size (an epoch's last,
  /// partial batch) compiles, on first use, a step specialized to that size
  /// which shares the parameters and state.
  int64_t batchSize = 0;
};

/// A model input or the labels, as a training batch must provide them
/// (name, dtype, shape with -1 where any size goes).
using TrainerInput = TensorSignature;

class Trainer {
public:
  /// Builds the training functions into a copy of `module` (whose
  /// `config.forward` function has its parameters marked kParameterAttr)
  /// and compiles the step and the evaluation. The parameters start at the
  /// module's values, the optimizer state at zero.
  static llvm::Expected<std::unique_ptr<Trainer>>
  create(ModuleOp module, const TrainingConfig &config,
         const TrainerOptions &options);
  ~Trainer();
  Trainer(const Trainer &) = delete;
  Trainer &operator=(const Trainer &) = delete;

  /// The model's inputs (in order) and the labels, as batches give them.
  ArrayRef<TrainerInput> inputs() const { return modelInputs; }
  const TrainerInput &labels() const { return labelInput; }

  /// One optimizer step on a batch (of any size; see
  /// TrainerOptions::batchSize); returns the batch's loss. `output`,
  /// when given, receives the model's output before the update (the caller
  /// destroys it).
  llvm::Expected<double> step(ArrayRef<const kiln_tensor *> inputs,
                              const kiln_tensor *labels,
                              kiln_tensor **output = nullptr);
  /// The loss on a batch of any size, without updating anything; `output`,
  /// when given, receives the model's output (the caller destroys it).
  llvm::Expected<double> evaluate(ArrayRef<const kiln_tensor *> inputs,
                                  const kiln_tensor *labels,
                                  kiln_tensor **output = nullptr);

  /// The trained parameters, in the order of `parameterInfo()`.
  ArrayRef<TrainingTensor> parameterInfo() const {
    return functions.parameters;
  }
  const kiln_tensor *parameter(size_t i) const { return params[i]; }
  /// Overwrites parameter `i` (same dtype and shape).
  llvm::Error setParameter(size_t i, const kiln_tensor *value);

  /// The buffers (non-trainable state such as running statistics, which
  /// steps update and evaluation reads), in the order of `bufferInfo()`.
  ArrayRef<TrainingTensor> bufferInfo() const { return functions.buffers; }
  const kiln_tensor *buffer(size_t i) const { return buffers[i]; }

private:
  Trainer() = default;
  llvm::Expected<double> run(kiln_model *model, bool withState,
                             ArrayRef<const kiln_tensor *> inputs,
                             const kiln_tensor *labels, kiln_tensor **output);

  /// The step model for batches of `batch` samples, compiled on first use.
  llvm::Expected<kiln_model *> stepFor(int64_t batch);

  TrainingFunctions functions;
  SmallVector<TrainerInput> modelInputs;
  TrainerInput labelInput;
  kiln_model *stepModel = nullptr, *evaluateModel = nullptr;
  /// What compiles steps for other batch sizes: the training functions (in
  /// the caller's MLIRContext, which outlives the Trainer) and the options.
  OwningOpRef<ModuleOp> functionsModule;
  CompileOptions compileOptions;
  int64_t batchSize = 0;
  /// Steps specialized to other batch sizes than `batchSize`.
  SmallVector<std::pair<int64_t, kiln_model *>> otherSteps;
  SmallVector<kiln_tensor *> params, buffers, state;
};

} // namespace mlir::kiln

#endif // KILN_TRAINING_TRAINER_H
