//===- TrainingStep.h - A model's training functions -----------*- C++ -*-===//
//
// From a model's inference function, the functions that train it: one
// compiled training step (forward, loss, backward, optimizer update, with
// parameters and optimizer state updated in place), evaluation and
// prediction with the parameters as arguments. The ONNX trainer (`kiln
// train`) and the C++ builder DSL both build their training with this.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINING_TRAININGSTEP_H
#define KILN_TRAINING_TRAININGSTEP_H

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include <string>

namespace mlir::kiln {

/// On a kiln.constant: the value is a non-trainable buffer named by the
/// attribute (a batch norm's running statistics), which the training
/// functions take as an argument and @train_step may update in place.
inline constexpr StringLiteral kBufferAttr = "kiln.buffer";
/// On a kiln.dropout or kiln.batch_norm: the op behaves differently in
/// @train_step (random masks; batch statistics and running-statistics
/// updates) than in @predict and @evaluate, which keep it as written (the
/// identity; the running statistics). On a batch norm its value is the
/// momentum of the running statistics (PyTorch's meaning).
inline constexpr StringLiteral kTrainModeAttr = "kiln.train_mode";

struct TrainingConfig {
  /// The inference function and which of its results the loss compares.
  std::string forward = "main";
  unsigned output = 0;
  /// mse, mae, huber, bce_with_logits or cross_entropy.
  std::string loss = "mse";
  double huberDelta = 1.0;
  /// sgd, momentum, nesterov, adam, adamw, rmsprop or adagrad.
  std::string optimizer = "sgd";
  double learningRate = 0.01;
  double momentum = 0.9;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  double alpha = 0.99; ///< RMSProp's smoothing constant
  double weightDecay = 0.0;
  /// Penalties on parameters of rank >= 2 (weights, not biases).
  double l1 = 0.0, l2 = 0.0;
  /// The labels' type: integer class indices for cross_entropy, or the
  /// output's type.
  RankedTensorType labelType;
};

/// What the training functions take besides the model's inputs.
struct TrainingTensor {
  std::string name;
  RankedTensorType type;
  /// A parameter's initial value; null for state, which starts at zero.
  ElementsAttr initial;
};

struct TrainingFunctions {
  SmallVector<TrainingTensor> parameters;
  /// Non-trainable tensors with initial values (kBufferAttr constants):
  /// arguments of every function, updated in place by @train_step.
  SmallVector<TrainingTensor> buffers;
  /// Optimizer state (moments, the step count) and the dropout step
  /// counter, all zero-initialized.
  SmallVector<TrainingTensor> state;
};

/// Adds to `module`, next to `config.forward` (`@main(inputs...) ->
/// (outputs...)`, whose parameters are kiln.constant ops marked
/// kParameterAttr and whose buffers are marked kBufferAttr):
///
///   @train_step(parameters..., buffers..., state..., inputs..., labels)
///       -> (loss, output)
///     one optimizer step; parameters, buffers and state are `kiln.mutable`
///     and updated in place; ops marked kTrainModeAttr run in training mode
///   @evaluate(parameters..., buffers..., inputs..., labels) -> (loss, output)
///   @predict(parameters..., buffers..., inputs...) -> (outputs...)
///
/// Emits an error (unknown loss or optimizer, no parameters, an op without
/// a gradient rule) and fails otherwise.
FailureOr<TrainingFunctions>
buildTrainingFunctions(ModuleOp module, const TrainingConfig &config);

} // namespace mlir::kiln

#endif // KILN_TRAINING_TRAININGSTEP_H
