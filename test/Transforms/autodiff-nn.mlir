// RUN: kiln-opt %s --kiln-autodiff -split-input-file -verify-diagnostics | FileCheck %s

// conv2d: the input's cotangent is a transposed convolution with the same
// weight, groups, strides and dilations (the end pads trimmed by the
// forward slack); the weight's is a convolution of the input, regrouped as
// [C/G, G*N, H, W], with the cotangent as [F, N, OH, OW], strides and
// dilations swapped; the bias' is a sum over N, OH, OW.
// CHECK-LABEL: func.func @main_grad(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<?x4x6x5xf32>, %[[W:[^:]*]]: tensor<6x2x3x2xf32>
// CHECK:         %[[G:.*]] = kiln.mul
// CHECK:         %[[DX:.*]] = kiln.conv_transpose %[[G]], %[[W]] {dilations = array<i64: 1, 2>, groups = 2 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 2, 1>} : (tensor<?x6x3x4xf32>, tensor<6x2x3x2xf32>) -> tensor<?x4x6x5xf32>
// CHECK:         %[[SPLIT:.*]] = kiln.reshape %[[X]], [0, 2, 2, 6, 5]
// CHECK:         %[[MOVED:.*]] = kiln.transpose %[[SPLIT]], [2, 1, 0, 3, 4]
// CHECK:         %[[XT:.*]] = kiln.reshape %[[MOVED]], [2, -1, 6, 5] : tensor<2x2x?x6x5xf32> -> tensor<2x?x6x5xf32>
// CHECK:         %[[GT:.*]] = kiln.transpose %[[G]], [1, 0, 2, 3] : tensor<?x6x3x4xf32> -> tensor<6x?x3x4xf32>
// CHECK:         %[[DWT:.*]] = kiln.conv2d %[[XT]], %[[GT]] {dilations = array<i64: 2, 1>, groups = 2 : i64, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 1, 2>} : (tensor<2x?x6x5xf32>, tensor<6x?x3x4xf32>) -> tensor<2x6x3x2xf32>
// CHECK:         %[[DW:.*]] = kiln.transpose %[[DWT]], [1, 0, 2, 3] : tensor<2x6x3x2xf32> -> tensor<6x2x3x2xf32>
// CHECK:         %[[DB:.*]] = kiln.reduce_sum %[[G]], [0, 2, 3] {keepdims = false} : tensor<?x6x3x4xf32> -> tensor<6xf32>
// CHECK:         return %{{.*}}, %[[DX]], %[[DW]], %[[DB]]
func.func @main(%x: tensor<?x4x6x5xf32>, %w: tensor<6x2x3x2xf32>, %b: tensor<6xf32>) -> tensor<f32> {
  %y = kiln.conv2d %x, %w, %b {strides = array<i64: 2, 1>, pads = array<i64: 1, 0, 1, 1>, dilations = array<i64: 1, 2>, groups = 2} : (tensor<?x4x6x5xf32>, tensor<6x2x3x2xf32>, tensor<6xf32>) -> tensor<?x6x3x4xf32>
  %loss = kiln.reduce_sum %y, [0, 1, 2, 3] {keepdims = false} : tensor<?x6x3x4xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// Where the weight-gradient convolution overshoots the kernel (the forward
// slack exceeds the end pad), its extra window positions are sliced off.
// CHECK-LABEL: func.func @main_grad(
// CHECK:         %[[DWT:.*]] = kiln.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 3, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x6x3xf32>, tensor<1x1x2x3xf32>) -> tensor<1x1x3x1xf32>
// CHECK:         kiln.slice %[[DWT]]
// CHECK-SAME:      -> tensor<1x1x1x1xf32>
func.func @main(%x: tensor<1x1x6x3xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<f32> {
  %y = kiln.conv2d %x, %w {strides = array<i64: 3, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x6x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x3xf32>
  %loss = kiln.reduce_sum %y, [0, 1, 2, 3] {keepdims = false} : tensor<1x1x2x3xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// max_pool2d recomputes where each maximum came from and adds the
// cotangents there; avg_pool2d divides the cotangent by each window's
// divisor (the op's own average of ones over the count of input elements)
// and spreads it with a depthwise transposed convolution of ones.
// CHECK-LABEL: func.func @main_grad(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<?x2x5x5xf32>
// CHECK:         %[[G:.*]] = kiln.mul
// CHECK:         %[[ONES:.*]] = kiln.constant dense<1.000000e+00> : tensor<1x1x5x5xf32>
// CHECK:         %[[KONES:.*]] = kiln.constant dense<1.000000e+00> : tensor<1x1x3x3xf32>
// CHECK:         %[[COUNT:.*]] = kiln.conv2d %[[ONES]], %[[KONES]] {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK:         %[[AVG:.*]] = kiln.avg_pool2d %[[ONES]] {ceil_mode = true, count_include_pad = true
// CHECK:         %[[SHARE:.*]] = kiln.select
// CHECK:         %[[SCALED:.*]] = kiln.mul %[[G]], %[[SHARE]]
// CHECK:         %[[SPREAD:.*]] = kiln.constant dense<1.000000e+00> : tensor<2x1x3x3xf32>
// CHECK:         %[[DAVG:.*]] = kiln.conv_transpose %[[SCALED]], %[[SPREAD]] {dilations = array<i64: 1, 1>, groups = 2 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x2x3x3xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x5x5xf32>
// CHECK:         %{{.*}}, %[[IDX:.*]] = kiln.max_pool2d_with_indices %[[X]]
// CHECK:         %[[FLATIDX:.*]] = kiln.reshape %[[IDX]], [-1]
// CHECK:         %[[FLATG:.*]] = kiln.reshape %[[G]], [-1]
// CHECK:         %[[ZEROS:.*]] = kiln.full_like %{{.*}}, 0.000000e+00 : tensor<?xf32>
// CHECK:         %[[SCATTERED:.*]] = kiln.scatter_elements %[[ZEROS]], %[[FLATIDX]], %[[FLATG]], axis = 0 {reduction = "add"}
// CHECK:         %[[DMAX:.*]] = kiln.reshape %[[SCATTERED]], [-1, 2, 5, 5]
// CHECK:         %[[DX:.*]] = kiln.add %[[DAVG]], %[[DMAX]]
// CHECK:         return %{{.*}}, %[[DX]]
func.func @main(%x: tensor<?x2x5x5xf32>) -> tensor<f32> {
  %y = kiln.max_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : tensor<?x2x5x5xf32> -> tensor<?x2x3x3xf32>
  %z = kiln.avg_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = true, count_include_pad = true} : tensor<?x2x5x5xf32> -> tensor<?x2x3x3xf32>
  %s = kiln.add %y, %z : (tensor<?x2x3x3xf32>, tensor<?x2x3x3xf32>) -> tensor<?x2x3x3xf32>
  %loss = kiln.reduce_sum %s, [0, 1, 2, 3] {keepdims = false} : tensor<?x2x3x3xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// The pads that fit the transposed convolutions are attributes: dynamic
// spatial sizes cannot be differentiated, and the error says so.
func.func @main(%x: tensor<1x1x?x4xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<f32> {
  // expected-error @+1 {{'kiln.conv2d' op cannot differentiate a convolution with dynamic channel, spatial or kernel sizes}}
  %y = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x?x4xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x?x2xf32>
  %loss = kiln.reduce_sum %y, [0, 1, 2, 3] {keepdims = false} : tensor<1x1x?x2xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

func.func @main(%x: tensor<1x1x?x4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'kiln.avg_pool2d' op cannot differentiate a pooling with dynamic channel or spatial sizes}}
  %y = kiln.avg_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x?x4xf32> -> tensor<1x1x?x2xf32>
  %loss = kiln.reduce_sum %y, [0, 1, 2, 3] {keepdims = false} : tensor<1x1x?x2xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// conv_transpose is conv2d's input gradient, so its own input gradient is
// conv2d with the same attributes, and its weight gradient is conv2d's with
// the roles of input and output cotangent swapped.
// CHECK-LABEL: func.func @main_grad(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<?x4x3x3xf32>, %[[W:[^:]*]]: tensor<4x3x2x2xf32>
// CHECK:         %[[G:.*]] = kiln.mul
// CHECK:         %[[DX:.*]] = kiln.conv2d %[[G]], %[[W]] {dilations = array<i64: 1, 1>, groups = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x6x6x6xf32>, tensor<4x3x2x2xf32>) -> tensor<?x4x3x3xf32>
// CHECK:         %[[SPLIT:.*]] = kiln.reshape %[[G]], [0, 2, 3, 6, 6]
// CHECK:         %[[GG:.*]] = kiln.reshape %{{.*}}, [3, -1, 6, 6]
// CHECK:         %[[XT:.*]] = kiln.transpose %[[X]], [1, 0, 2, 3]
// CHECK:         %[[DWT:.*]] = kiln.conv2d %[[GG]], %[[XT]] {dilations = array<i64: 2, 2>, groups = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<3x?x6x6xf32>, tensor<4x?x3x3xf32>) -> tensor<3x4x2x2xf32>
// CHECK:         %[[DW:.*]] = kiln.transpose %[[DWT]], [1, 0, 2, 3]
// CHECK:         return %{{.*}}, %[[DX]], %[[DW]]
func.func @main(%x: tensor<?x4x3x3xf32>, %w: tensor<4x3x2x2xf32>) -> tensor<f32> {
  %y = kiln.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, groups = 2} : (tensor<?x4x3x3xf32>, tensor<4x3x2x2xf32>) -> tensor<?x6x6x6xf32>
  %loss = kiln.reduce_sum %y, [0, 1, 2, 3] {keepdims = false} : tensor<?x6x6x6xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// max_pool2d_with_indices scatters with its own (row-major) indices.
// CHECK-LABEL: func.func @main_grad(
// CHECK:         %{{.*}}, %[[IDX:.*]] = kiln.max_pool2d_with_indices
// CHECK-NOT:     kiln.max_pool2d_with_indices
// CHECK:         %[[FLAT:.*]] = kiln.reshape %[[IDX]], [-1]
// CHECK:         kiln.scatter_elements %{{.*}}, %[[FLAT]], %{{.*}}, axis = 0 {reduction = "add"}
func.func @main(%x: tensor<1x1x4x4xf32>) -> tensor<f32> {
  %y, %i = kiln.max_pool2d_with_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>
  %loss = kiln.reduce_sum %y, [0, 1, 2, 3] {keepdims = false} : tensor<1x1x2x2xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// lrn: the window sums over channels are convolutions with a column of ones
// over the input seen as [N, 1, C, H*W]; the backward one uses the mirrored
// window (size 4: 1 channel before and 2 after, then 2 before and 1 after).
// CHECK-LABEL: func.func @main_grad(
// CHECK:         %[[SQ:.*]] = kiln.reshape %{{.*}}, [0, 1, 5, 9] : tensor<?x5x3x3xf32> -> tensor<?x1x5x9xf32>
// CHECK:         kiln.conv2d %[[SQ]], %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 2, 0>, strides = array<i64: 1, 1>} : (tensor<?x1x5x9xf32>, tensor<1x1x4x1xf32>)
// CHECK-COUNT-2: kiln.pow
// CHECK:         kiln.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 2, 0, 1, 0>, strides = array<i64: 1, 1>} : (tensor<?x1x5x9xf32>, tensor<1x1x4x1xf32>)
func.func @main(%x: tensor<?x5x3x3xf32>) -> tensor<f32> {
  %y = kiln.lrn %x, size = 4, alpha = 1.0e-04, beta = 7.5e-01, bias = 1.0 : tensor<?x5x3x3xf32>
  %loss = kiln.reduce_sum %y, [0, 1, 2, 3] {keepdims = false} : tensor<?x5x3x3xf32> -> tensor<f32>
  return %loss : tensor<f32>
}
