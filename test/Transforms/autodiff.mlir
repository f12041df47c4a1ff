// RUN: kiln-opt %s --kiln-autodiff -split-input-file -verify-diagnostics | FileCheck %s

// The gradient function returns the loss and one gradient per float
// argument, named after it; the reverse pass seeds the loss with ones and
// runs each op's rule in reverse order.
// CHECK-LABEL: func.func @main(
// CHECK-LABEL: func.func @main_grad(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3xf32> {kiln.name = "x"}, %[[W:.*]]: tensor<3x4xf32> {kiln.name = "w"})
// CHECK-SAME:    -> (tensor<f32> {kiln.name = "loss"}, tensor<2x3xf32> {kiln.name = "grad_x"}, tensor<3x4xf32> {kiln.name = "grad_w"})
// CHECK:         %[[Y:.*]] = kiln.matmul %[[X]], %[[W]]
// CHECK:         %[[LOSS:.*]] = kiln.reduce_sum %[[Y]]
// CHECK:         %[[SEED:.*]] = kiln.full_like %[[LOSS]], 1.000000e+00
// CHECK:         %[[SPREAD:.*]] = kiln.mul %{{.*}}, %{{.*}}
// CHECK-DAG:     %[[WT:.*]] = kiln.transpose %[[W]], [1, 0]
// CHECK-DAG:     %[[DX:.*]] = kiln.matmul %[[SPREAD]], %[[WT]]
// CHECK-DAG:     %[[XT:.*]] = kiln.transpose %[[X]], [1, 0]
// CHECK-DAG:     %[[DW:.*]] = kiln.matmul %[[XT]], %[[SPREAD]]
// CHECK:         return %[[LOSS]], %[[DX]], %[[DW]]
func.func @main(%x: tensor<2x3xf32> {kiln.name = "x"},
                %w: tensor<3x4xf32> {kiln.name = "w"}) -> tensor<f32> {
  %y = kiln.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %loss = kiln.reduce_sum %y, [0, 1] {keepdims = false} : tensor<2x4xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// A value used twice gets the sum of both cotangents; an argument the loss
// does not depend on gets zeros; integer arguments get no gradient.
// CHECK-LABEL: func.func @main_grad(
// CHECK-SAME:    -> (tensor<f32> {kiln.name = "loss"}, tensor<4xf32> {kiln.name = "grad_a"}, tensor<4xf32> {kiln.name = "grad_unused"})
// CHECK:         %[[DA:.*]] = kiln.add
// CHECK:         %[[ZERO:.*]] = kiln.full_like %arg1, 0.000000e+00
// CHECK:         return %{{.*}}, %[[DA]], %[[ZERO]]
func.func @main(%a: tensor<4xf32> {kiln.name = "a"},
                %unused: tensor<4xf32> {kiln.name = "unused"},
                %n: tensor<4xi64> {kiln.name = "n"}) -> tensor<f32> {
  %sq = kiln.mul %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %loss = kiln.reduce_sum %sq, [0] {keepdims = false} : tensor<4xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// An op on the path to the loss without a rule is an error naming it.
func.func @main(%a: tensor<1x1x2x2xf32>, %grid: tensor<1x2x2x2xf32>) -> tensor<f32> {
  // expected-error @+1 {{'kiln.grid_sample' op has no gradient rule}}
  %y = kiln.grid_sample %a, %grid : (tensor<1x1x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32>
  %loss = kiln.reduce_sum %y, [0, 1, 2, 3] {keepdims = false} : tensor<1x1x2x2xf32> -> tensor<f32>
  return %loss : tensor<f32>
}
