//===- Passes.td - Training passes -------------------------*- tablegen -*-===//

#ifndef KILN_TRAINING_PASSES
#define KILN_TRAINING_PASSES

include "mlir/Pass/PassBase.td"

def KilnBuildTrainingFunctions
    : Pass<"kiln-build-training-functions", "ModuleOp"> {
  let summary = "Adds @train_step, @evaluate and @predict for a model";
  let description = [{
    Runs `buildTrainingFunctions` (kiln/Training/TrainingStep.h) on the
    module: the `kiln.parameter` constants of the forward function become
    arguments, the loss and the optimizer's updates are appended, and the
    updates are stored in place with `kiln.assign`. `kiln train` and the C++
    DSL call the function directly; this pass exposes it to lit tests.
  }];
  let options = [
    Option<"forward", "forward", "std::string", /*default=*/"\"main\"",
           "The inference function">,
    Option<"loss", "loss", "std::string", /*default=*/"\"mse\"",
           "mse, mae, huber, bce_with_logits or cross_entropy">,
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"sgd\"",
           "sgd, momentum, nesterov, adam, adamw, rmsprop or adagrad">,
    Option<"learningRate", "lr", "double", /*default=*/"0.01",
           "The learning rate">,
    Option<"l2", "l2", "double", /*default=*/"0.0",
           "L2 penalty on parameters of rank >= 2">,
    Option<"classIndices", "class-indices", "bool", /*default=*/"false",
           "Labels are i64 class indices (cross_entropy) instead of tensors "
           "shaped like the output">
  ];
}

#endif // KILN_TRAINING_PASSES
