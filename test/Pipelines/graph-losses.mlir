// RUN: kiln-opt %s --kiln-graph-pipeline | FileCheck %s
// A model whose output is a loss (the C++ DSL's mseLoss, crossEntropyLoss,
// ...): the graph pipeline expands the loss into the primitive ops that
// define it, since no lowering takes loss ops, and the result compiles
// like any other model (checked end to end by unittests/DSL/OpsTest.cpp).

// CHECK-LABEL: func @mse
// CHECK-NOT: kiln.mse_loss
// CHECK: %[[D:.*]] = kiln.sub %{{.*}}, %{{.*}} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
// CHECK: %[[S:.*]] = kiln.mul %[[D]], %[[D]]
// CHECK: %[[M:.*]] = kiln.reduce_mean %[[S]], [0, 1] {keepdims = false}
// CHECK: return %[[M]] : tensor<f32>
func.func @mse(%p: tensor<?x3xf32>, %t: tensor<?x3xf32>) -> tensor<f32> {
  %0 = kiln.mse_loss %p, %t : tensor<?x3xf32>, tensor<?x3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func @cross_entropy
// CHECK-NOT: kiln.cross_entropy_loss
// CHECK: kiln.reduce_max
// CHECK: kiln.gather_elements
// CHECK: kiln.neg
func.func @cross_entropy(%x: tensor<?x5xf32>, %l: tensor<?xi64>) -> tensor<f32> {
  %0 = kiln.cross_entropy_loss %x, %l : tensor<?x5xf32>, tensor<?xi64> -> tensor<f32>
  return %0 : tensor<f32>
}

// Penalties are losses too; ops that are not stay as they are.
// CHECK-LABEL: func @penalty
// CHECK-NOT: kiln.l2_penalty
// CHECK: kiln.reduce_sum
// CHECK: kiln.relu
func.func @penalty(%w: tensor<4x3xf32>) -> (tensor<f32>, tensor<4x3xf32>) {
  %0 = kiln.l2_penalty %w, 0.01 : tensor<4x3xf32> -> tensor<f32>
  %1 = kiln.relu %w : tensor<4x3xf32>
  return %0, %1 : tensor<f32>, tensor<4x3xf32>
}
