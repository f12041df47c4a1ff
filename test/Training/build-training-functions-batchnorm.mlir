// RUN: kiln-opt %s --split-input-file --verify-diagnostics --kiln-build-training-functions="optimizer=sgd" | FileCheck %s

// A kiln.batch_norm marked kiln.train_mode (its value: the momentum) whose
// mean and variance are buffers (kiln.constant marked kiln.buffer): every
// function takes the buffers after the parameters; @predict and @evaluate
// normalize with them; @train_step normalizes with the batch's statistics
// (kiln ops, so the gradient goes through them) and stores the running
// update, (1 - m) running + m batch with the unbiased variance, into the
// buffers in place.
// CHECK-LABEL: func.func @predict
// CHECK-SAME: (%[[G:.*]]: tensor<2xf32> {kiln.name = "bn.gamma", kiln.parameter}, %[[B:.*]]: tensor<2xf32> {kiln.name = "bn.beta", kiln.parameter},
// CHECK-SAME: %[[M:.*]]: tensor<2xf32> {kiln.buffer, kiln.name = "bn.running_mean"}, %[[V:.*]]: tensor<2xf32> {kiln.buffer, kiln.name = "bn.running_var"}, %[[X:.*]]: tensor<?x2x3xf32> {kiln.name = "x"})
// CHECK: kiln.batch_norm %[[X]], %[[G]], %[[B]], %[[M]], %[[V]]

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[G:.*]]: tensor<2xf32> {kiln.mutable, kiln.name = "bn.gamma"}, %[[B:.*]]: tensor<2xf32> {kiln.mutable, kiln.name = "bn.beta"},
// CHECK-SAME: %[[M:.*]]: tensor<2xf32> {kiln.mutable, kiln.name = "bn.running_mean"}, %[[V:.*]]: tensor<2xf32> {kiln.mutable, kiln.name = "bn.running_var"}, %[[X:.*]]: tensor<?x2x3xf32> {kiln.name = "x"}, %{{.*}}: tensor<?x2x3xf32> {kiln.name = "labels"})
// CHECK-DAG: %[[KEEP:.*]] = kiln.constant dense<0.899999976> : tensor<f32>
// CHECK-DAG: %[[MOM:.*]] = kiln.constant dense<1.000000e-01> : tensor<f32>
// CHECK-NOT: kiln.batch_norm
// CHECK: %[[MEAN:.*]] = kiln.reduce_mean %[[X]], [0, 2] : tensor<?x2x3xf32> -> tensor<1x2x1xf32>
// CHECK: %[[C:.*]] = kiln.sub %[[X]], %[[MEAN]]
// CHECK: %[[SQ:.*]] = kiln.mul %[[C]], %[[C]]
// CHECK: %[[VAR:.*]] = kiln.reduce_mean %[[SQ]], [0, 2] : tensor<?x2x3xf32> -> tensor<1x2x1xf32>
// CHECK: %[[SHAPE:.*]] = kiln.shape_of %[[X]], start = 0, end = 3
// CHECK: %[[NM:.*]] = kiln.reshape %[[MEAN]], [2] : tensor<1x2x1xf32> -> tensor<2xf32>
// CHECK: %[[NV:.*]] = kiln.reshape %[[VAR]], [2] : tensor<1x2x1xf32> -> tensor<2xf32>
// CHECK: %[[UNBIASED:.*]] = kiln.mul %[[NV]], %{{.*}} : (tensor<2xf32>, tensor<f32>)
// CHECK: kiln.mul %[[M]], %[[KEEP]]
// CHECK: kiln.mul %[[NM]], %[[MOM]]
// CHECK: %[[NEWMEAN:.*]] = kiln.add
// CHECK: kiln.mul %[[UNBIASED]],
// CHECK: %[[NEWVAR:.*]] = kiln.add
// CHECK: kiln.sgd_update %[[G]]
// CHECK: kiln.sgd_update %[[B]]
// CHECK: kiln.assign %[[NEWMEAN]] into %[[M]]
// CHECK-NEXT: kiln.assign %[[NEWVAR]] into %[[V]]
// CHECK-NEXT: return

// CHECK-LABEL: func.func @evaluate
// CHECK: kiln.batch_norm
// CHECK-NOT: kiln.assign
func.func @main(%x: tensor<?x2x3xf32> {kiln.name = "x"}) -> (tensor<?x2x3xf32> {kiln.name = "y"}) {
  %g = kiln.constant {kiln.parameter = "bn.gamma"} dense<1.0> : tensor<2xf32>
  %b = kiln.constant {kiln.parameter = "bn.beta"} dense<0.0> : tensor<2xf32>
  %m = kiln.constant {kiln.buffer = "bn.running_mean"} dense<0.0> : tensor<2xf32>
  %v = kiln.constant {kiln.buffer = "bn.running_var"} dense<1.0> : tensor<2xf32>
  %y = kiln.batch_norm %x, %g, %b, %m, %v, epsilon = 1.0e-05 {kiln.train_mode = 0.1 : f64} : (tensor<?x2x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x3xf32>
  return %y : tensor<?x2x3xf32>
}

// -----

// The running statistics must be buffers the step can store into.
func.func @main(%x: tensor<?x2xf32> {kiln.name = "x"}) -> (tensor<?x2xf32> {kiln.name = "y"}) {
  %g = kiln.constant {kiln.parameter = "g"} dense<1.0> : tensor<2xf32>
  %b = kiln.constant {kiln.parameter = "b"} dense<0.0> : tensor<2xf32>
  %m = kiln.constant dense<0.0> : tensor<2xf32>
  %v = kiln.constant dense<1.0> : tensor<2xf32>
  // expected-error @+1 {{'kiln.batch_norm' op in train mode needs its mean and variance as buffers (kiln.constant marked kiln.buffer)}}
  %y = kiln.batch_norm %x, %g, %b, %m, %v, epsilon = 1.0e-05 {kiln.train_mode = 0.1 : f64} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @main(%x: tensor<?x2xf32> {kiln.name = "x"}) -> (tensor<?x2xf32> {kiln.name = "y"}) {
  %g = kiln.constant {kiln.parameter = "g"} dense<1.0> : tensor<2xf32>
  %b = kiln.constant {kiln.parameter = "b"} dense<0.0> : tensor<2xf32>
  %m = kiln.constant {kiln.buffer = "m"} dense<0.0> : tensor<2xf32>
  %v = kiln.constant {kiln.buffer = "v"} dense<1.0> : tensor<2xf32>
  // expected-error @+1 {{'kiln.batch_norm' op needs its momentum as the value of kiln.train_mode}}
  %y = kiln.batch_norm %x, %g, %b, %m, %v, epsilon = 1.0e-05 {kiln.train_mode} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// One set of running statistics updated by two batch norms.
func.func @main(%x: tensor<?x2xf32> {kiln.name = "x"}) -> (tensor<?x2xf32> {kiln.name = "y"}) {
  %g = kiln.constant {kiln.parameter = "g"} dense<1.0> : tensor<2xf32>
  %b = kiln.constant {kiln.parameter = "b"} dense<0.0> : tensor<2xf32>
  %m = kiln.constant {kiln.buffer = "m"} dense<0.0> : tensor<2xf32>
  %v = kiln.constant {kiln.buffer = "v"} dense<1.0> : tensor<2xf32>
  %y = kiln.batch_norm %x, %g, %b, %m, %v, epsilon = 1.0e-05 {kiln.train_mode = 0.1 : f64} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  // expected-error @+1 {{two train-mode ops update buffer 'm'}}
  %z = kiln.batch_norm %y, %g, %b, %m, %v, epsilon = 1.0e-05 {kiln.train_mode = 0.1 : f64} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}
