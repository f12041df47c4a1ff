// RUN: kiln-opt %s --convert-kiln-to-linalg -split-input-file | FileCheck %s

// full_like fills a tensor of the operand's (dynamic) shape.
// CHECK-LABEL: func @full_like
// CHECK: %[[D:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x3xf32>
// CHECK: linalg.fill ins(%cst{{.*}} : f32) outs(%[[E]] : tensor<?x3xf32>)
func.func @full_like(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = kiln.full_like %x, 2.5 : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// unbroadcast sums the leading dimension `like` lacks and its stretched 1,
// then puts the 1 back.
// CHECK-LABEL: func @unbroadcast
// CHECK: %[[R:.*]] = linalg.reduce ins(%arg0 : tensor<4x2x3xf32>) outs(%{{.*}} : tensor<3xf32>) dimensions = [0, 1]
// CHECK: tensor.expand_shape %[[R]] {{\[\[}}0, 1]] output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
func.func @unbroadcast(%g: tensor<4x2x3xf32>, %b: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %0 = kiln.unbroadcast %g, %b : tensor<4x2x3xf32>, tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}
