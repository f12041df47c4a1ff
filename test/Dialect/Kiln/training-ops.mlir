// RUN: kiln-opt %s -split-input-file -verify-diagnostics | kiln-opt | FileCheck %s

// CHECK-LABEL: func @round_trip
// CHECK: kiln.full_like %{{.*}}, 1.000000e+00 : tensor<?x3xf32>
// CHECK: kiln.unbroadcast %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<1x3xf32>
func.func @round_trip(%x: tensor<?x3xf32>, %b: tensor<1x3xf32>) -> (tensor<?x3xf32>, tensor<1x3xf32>) {
  %0 = kiln.full_like %x, 1.0 : tensor<?x3xf32>
  %1 = kiln.unbroadcast %x, %b : tensor<?x3xf32>, tensor<1x3xf32>
  return %0, %1 : tensor<?x3xf32>, tensor<1x3xf32>
}

// -----

func.func @unbroadcast_not_a_broadcast(%x: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{input 2x3 is not a broadcast of 4}}
  %0 = kiln.unbroadcast %x, %b : tensor<2x3xf32>, tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unbroadcast_rank(%x: tensor<3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{expects the input (3) to have at least the rank of like (2x3)}}
  %0 = kiln.unbroadcast %x, %b : tensor<3xf32>, tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @losses_and_updates
// CHECK: kiln.mse_loss %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<?x3xf32> -> tensor<f32>
// CHECK: kiln.huber_loss %{{.*}}, %{{.*}} {delta = 5.000000e-01 : f64}
// CHECK: kiln.cross_entropy_loss %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<?xi64> -> tensor<f32>
// CHECK: kiln.l2_penalty %{{.*}}, 1.000000e-02 : tensor<?x3xf32> -> tensor<f32>
// CHECK: kiln.adam_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {beta1 = 9.000000e-01 : f64
// CHECK: kiln.momentum_update %{{.*}}, %{{.*}}, %{{.*}} {lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = true}
func.func @losses_and_updates(%p: tensor<?x3xf32>, %t: tensor<?x3xf32>, %l: tensor<?xi64>, %s: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<?x3xf32>, tensor<?x3xf32>) {
  %0 = kiln.mse_loss %p, %t : tensor<?x3xf32>, tensor<?x3xf32> -> tensor<f32>
  %1 = kiln.huber_loss %p, %t {delta = 0.5 : f64} : tensor<?x3xf32>, tensor<?x3xf32> -> tensor<f32>
  %2 = kiln.cross_entropy_loss %p, %l : tensor<?x3xf32>, tensor<?xi64> -> tensor<f32>
  %3 = kiln.l2_penalty %p, 0.01 : tensor<?x3xf32> -> tensor<f32>
  %4:3 = kiln.adam_update %p, %t, %p, %t, %s {lr = 0.001 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, epsilon = 1.0e-8 : f64} : tensor<?x3xf32>, tensor<f32>
  %5:2 = kiln.momentum_update %p, %t, %p {lr = 0.1 : f64, momentum = 0.9 : f64, nesterov = true} : tensor<?x3xf32>
  return %0, %1, %2, %3, %4#0, %5#0 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<?x3xf32>, tensor<?x3xf32>
}

// -----

func.func @loss_shapes_differ(%p: tensor<2x3xf32>, %t: tensor<2x4xf32>) -> tensor<f32> {
  // expected-error @+1 {{expects prediction and target of one shape, got 2x3 and 2x4}}
  %0 = kiln.mse_loss %p, %t : tensor<2x3xf32>, tensor<2x4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_label_rank(%p: tensor<2x3xf32>, %l: tensor<2x3xi64>) -> tensor<f32> {
  // expected-error @+1 {{expects labels of N class indices or N x C probabilities}}
  %0 = kiln.cross_entropy_loss %p, %l : tensor<2x3xf32>, tensor<2x3xi64> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @huber_delta(%p: tensor<2xf32>, %t: tensor<2xf32>) -> tensor<f32> {
  // expected-error @+1 {{expects delta > 0}}
  %0 = kiln.huber_loss %p, %t {delta = 0.0 : f64} : tensor<2xf32>, tensor<2xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
