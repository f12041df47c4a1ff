// RUN: kiln-opt %s --split-input-file --kiln-build-training-functions="loss=hinge" --verify-diagnostics
// RUN: not kiln-opt %s --split-input-file --kiln-build-training-functions="optimizer=lbfgs" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=OPTIMIZER
// RUN: not kiln-opt %s --split-input-file --kiln-build-training-functions="forward=absent" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ABSENT

// OPTIMIZER: error: unknown optimizer 'lbfgs' (sgd, momentum, nesterov, adam, adamw, rmsprop, adagrad)
// ABSENT: error: no function 'absent' to train

// expected-error @below {{unknown loss 'hinge' (mse, mae, huber, bce_with_logits, cross_entropy)}}
func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %w = kiln.constant {kiln.parameter = "w"} dense<0.5> : tensor<3xf32>
  %y = kiln.mul %x, %w : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Integer constants are never parameters.
// expected-error @below {{the model has no trainable (floating-point) parameters}}
func.func @main(%x: tensor<2x3xi64>) -> tensor<2x3xi64> {
  %w = kiln.constant {kiln.parameter = "w"} dense<2> : tensor<3xi64>
  %y = kiln.mul %x, %w : (tensor<2x3xi64>, tensor<3xi64>) -> tensor<2x3xi64>
  return %y : tensor<2x3xi64>
}
