// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s -mlir-print-op-generic | kiln-opt | FileCheck %s
// Every kiln op prints and parses back to itself, in the custom and in the
// generic form.

// CHECK-LABEL: func @constant
func.func @constant() -> (tensor<2x2xf32>, tensor<3xi64>, tensor<ui8>) {
  // CHECK: kiln.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %0 = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: kiln.constant dense<[1, -1, 0]> : tensor<3xi64>
  %1 = kiln.constant dense<[1, -1, 0]> : tensor<3xi64>
  // CHECK: kiln.constant dense<255> : tensor<ui8>
  %2 = kiln.constant dense<255> : tensor<ui8>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<3xi64>, tensor<ui8>
}

// CHECK-LABEL: func @constant_resource
func.func @constant_resource() -> tensor<2xf32> {
  // CHECK: kiln.constant dense_resource<weights> : tensor<2xf32>
  %0 = kiln.constant dense_resource<weights> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: kiln.relu %{{.*}} : tensor<2x3xf32>
  %1 = kiln.relu %0 : tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// CHECK-LABEL: func @binary
// CHECK-SAME: (%[[A:.*]]: tensor<?x1x4xf32>, %[[B:.*]]: tensor<3x1xf32>, %[[I:.*]]: tensor<4xui8>)
func.func @binary(%a: tensor<?x1x4xf32>, %b: tensor<3x1xf32>, %i: tensor<4xui8>)
    -> (tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x4xf32>,
        tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x4xf32>,
        tensor<2x3x4xf32>, tensor<4xui8>) {
  // CHECK: kiln.add %[[A]], %[[B]] : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  %0 = kiln.add %a, %b : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  // CHECK: kiln.sub %[[B]], %[[A]] : (tensor<3x1xf32>, tensor<?x1x4xf32>) -> tensor<?x3x4xf32>
  %1 = kiln.sub %b, %a : (tensor<3x1xf32>, tensor<?x1x4xf32>) -> tensor<?x3x4xf32>
  // CHECK: kiln.mul %[[A]], %[[B]] : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  %2 = kiln.mul %a, %b : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  // CHECK: kiln.div %[[A]], %[[B]] : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  %3 = kiln.div %a, %b : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  // CHECK: kiln.pow %[[A]], %[[B]] : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  %4 = kiln.pow %a, %b : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  // CHECK: kiln.max %[[A]], %[[B]] : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  %5 = kiln.max %a, %b : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  // A result may be a static refinement of the inferred ?x3x4.
  // CHECK: kiln.min %[[A]], %[[B]] : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %6 = kiln.min %a, %b : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  // CHECK: kiln.add %[[I]], %[[I]] : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %7 = kiln.add %i, %i : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0, %1, %2, %3, %4, %5, %6, %7
      : tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x4xf32>,
        tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x4xf32>,
        tensor<2x3x4xf32>, tensor<4xui8>
}

// CHECK-LABEL: func @binary_scalar
func.func @binary_scalar(%a: tensor<f32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // CHECK: kiln.mul %{{.*}}, %{{.*}} : (tensor<f32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %0 = kiln.mul %a, %b : (tensor<f32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// CHECK-LABEL: func @unary
func.func @unary(%x: tensor<?x4xf32>, %i: tensor<3xi32>) -> tensor<?x4xf32> {
  // CHECK: kiln.neg %{{.*}} : tensor<?x4xf32>
  %0 = kiln.neg %x : tensor<?x4xf32>
  // CHECK: kiln.abs %{{.*}} : tensor<?x4xf32>
  %1 = kiln.abs %0 : tensor<?x4xf32>
  // CHECK: kiln.exp %{{.*}} : tensor<?x4xf32>
  %2 = kiln.exp %1 : tensor<?x4xf32>
  // CHECK: kiln.log %{{.*}} : tensor<?x4xf32>
  %3 = kiln.log %2 : tensor<?x4xf32>
  // CHECK: kiln.sqrt %{{.*}} : tensor<?x4xf32>
  %4 = kiln.sqrt %3 : tensor<?x4xf32>
  // CHECK: kiln.tanh %{{.*}} : tensor<?x4xf32>
  %5 = kiln.tanh %4 : tensor<?x4xf32>
  // CHECK: kiln.sigmoid %{{.*}} : tensor<?x4xf32>
  %6 = kiln.sigmoid %5 : tensor<?x4xf32>
  // CHECK: kiln.relu %{{.*}} : tensor<?x4xf32>
  %7 = kiln.relu %6 : tensor<?x4xf32>
  // CHECK: kiln.neg %{{.*}} : tensor<3xi32>
  %8 = kiln.neg %i : tensor<3xi32>
  // CHECK: kiln.abs %{{.*}} : tensor<3xi32>
  %9 = kiln.abs %8 : tensor<3xi32>
  // CHECK: kiln.relu %{{.*}} : tensor<3xi32>
  %10 = kiln.relu %9 : tensor<3xi32>
  return %7 : tensor<?x4xf32>
}

// A unary result type that refines the operand's is printed after `->` and
// survives the round trip; an equal one is printed once.
// CHECK-LABEL: func @unary_refined
func.func @unary_refined(%x: tensor<?x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  // CHECK: kiln.exp %{{.*}} : tensor<?x4xf32> -> tensor<2x4xf32>
  %0 = kiln.exp %x : tensor<?x4xf32> -> tensor<2x4xf32>
  // CHECK: kiln.tanh %{{.*}} : tensor<2x4xf32>{{$}}
  %1 = kiln.tanh %0 : tensor<2x4xf32> -> tensor<2x4xf32>
  // CHECK: kiln.softmax %{{.*}}, axis = 1 : tensor<?x4xf32> -> tensor<2x4xf32>
  %2 = kiln.softmax %x, axis = 1 : tensor<?x4xf32> -> tensor<2x4xf32>
  return %1, %2 : tensor<2x4xf32>, tensor<2x4xf32>
}

// CHECK-LABEL: func @matmul
func.func @matmul(%m: tensor<?x784xf32>, %w: tensor<784x512xf32>,
                  %v: tensor<784xf32>, %u: tensor<512xf32>,
                  %b3: tensor<5x1x3x4xf32>, %b2: tensor<7x4x2xf32>,
                  %d: tensor<?x?x?xi32>) {
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<784x512xf32>) -> tensor<?x512xf32>
  %0 = kiln.matmul %m, %w : (tensor<?x784xf32>, tensor<784x512xf32>) -> tensor<?x512xf32>
  // 1-D operands: vector x matrix, matrix x vector, vector x vector.
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : (tensor<784xf32>, tensor<784x512xf32>) -> tensor<512xf32>
  %1 = kiln.matmul %v, %w : (tensor<784xf32>, tensor<784x512xf32>) -> tensor<512xf32>
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : (tensor<784x512xf32>, tensor<512xf32>) -> tensor<784xf32>
  %2 = kiln.matmul %w, %u : (tensor<784x512xf32>, tensor<512xf32>) -> tensor<784xf32>
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : (tensor<784xf32>, tensor<784xf32>) -> tensor<f32>
  %3 = kiln.matmul %v, %v : (tensor<784xf32>, tensor<784xf32>) -> tensor<f32>
  // Batched, with broadcast batch dimensions.
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : (tensor<5x1x3x4xf32>, tensor<7x4x2xf32>) -> tensor<5x7x3x2xf32>
  %4 = kiln.matmul %b3, %b2 : (tensor<5x1x3x4xf32>, tensor<7x4x2xf32>) -> tensor<5x7x3x2xf32>
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : (tensor<?x?x?xi32>, tensor<?x?x?xi32>) -> tensor<?x?x?xi32>
  %5 = kiln.matmul %d, %d : (tensor<?x?x?xi32>, tensor<?x?x?xi32>) -> tensor<?x?x?xi32>
  return
}

// CHECK-LABEL: func @shape
func.func @shape(%x: tensor<?x3x4xf32>, %s: tensor<2x3x4x5xi8>) {
  // CHECK: kiln.transpose %{{.*}}, [2, 0, 1] : tensor<?x3x4xf32> -> tensor<4x?x3xf32>
  %0 = kiln.transpose %x, [2, 0, 1] : tensor<?x3x4xf32> -> tensor<4x?x3xf32>
  // CHECK: kiln.reshape %{{.*}}, [0, -1] : tensor<?x3x4xf32> -> tensor<?x12xf32>
  %1 = kiln.reshape %x, [0, -1] : tensor<?x3x4xf32> -> tensor<?x12xf32>
  // CHECK: kiln.reshape %{{.*}}, [6, -1, 2] : tensor<2x3x4x5xi8> -> tensor<6x10x2xi8>
  %2 = kiln.reshape %s, [6, -1, 2] : tensor<2x3x4x5xi8> -> tensor<6x10x2xi8>
  // CHECK: kiln.reshape %{{.*}}, [] : tensor<1x1xf32> -> tensor<f32>
  %c = kiln.constant dense<1.0> : tensor<1x1xf32>
  %3 = kiln.reshape %c, [] : tensor<1x1xf32> -> tensor<f32>
  // CHECK: kiln.flatten %{{.*}}, axis = 1 : tensor<?x3x4xf32> -> tensor<?x12xf32>
  %4 = kiln.flatten %x, axis = 1 : tensor<?x3x4xf32> -> tensor<?x12xf32>
  // CHECK: kiln.flatten %{{.*}}, axis = 0 : tensor<2x3x4x5xi8> -> tensor<1x120xi8>
  %5 = kiln.flatten %s, axis = 0 : tensor<2x3x4x5xi8> -> tensor<1x120xi8>
  // CHECK: kiln.flatten %{{.*}}, axis = 4 : tensor<2x3x4x5xi8> -> tensor<120x1xi8>
  %6 = kiln.flatten %s, axis = 4 : tensor<2x3x4x5xi8> -> tensor<120x1xi8>
  return
}

// CHECK-LABEL: func @reductions
func.func @reductions(%x: tensor<?x3x4xf32>, %i: tensor<2x3xui16>) {
  // keepdims defaults to true and is then not printed.
  // CHECK: kiln.reduce_sum %{{.*}}, [1, 2] : tensor<?x3x4xf32> -> tensor<?x1x1xf32>
  %0 = kiln.reduce_sum %x, [1, 2] : tensor<?x3x4xf32> -> tensor<?x1x1xf32>
  // CHECK: kiln.reduce_sum %{{.*}}, [0] {keepdims = false} : tensor<?x3x4xf32> -> tensor<3x4xf32>
  %1 = kiln.reduce_sum %x, [0] {keepdims = false} : tensor<?x3x4xf32> -> tensor<3x4xf32>
  // CHECK: kiln.reduce_mean %{{.*}}, [0, 2] {keepdims = false} : tensor<?x3x4xf32> -> tensor<3xf32>
  %2 = kiln.reduce_mean %x, [0, 2] {keepdims = false} : tensor<?x3x4xf32> -> tensor<3xf32>
  // CHECK: kiln.reduce_max %{{.*}}, [0, 1, 2] {keepdims = false} : tensor<?x3x4xf32> -> tensor<f32>
  %3 = kiln.reduce_max %x, [0, 1, 2] {keepdims = false} : tensor<?x3x4xf32> -> tensor<f32>
  // No axes: no reduction.
  // CHECK: kiln.reduce_max %{{.*}}, [] : tensor<2x3xui16> -> tensor<2x3xui16>
  %4 = kiln.reduce_max %i, [] : tensor<2x3xui16> -> tensor<2x3xui16>
  // CHECK: kiln.reduce_mean %{{.*}}, [1] : tensor<2x3xui16> -> tensor<2x1xui16>
  %5 = kiln.reduce_mean %i, [1] : tensor<2x3xui16> -> tensor<2x1xui16>
  // CHECK: kiln.softmax %{{.*}}, axis = 2 : tensor<?x3x4xf32>
  %6 = kiln.softmax %x, axis = 2 : tensor<?x3x4xf32>
  return
}

// CHECK-LABEL: func @conv
func.func @conv(%x: tensor<?x4x9x9xf32>, %w: tensor<8x4x3x3xf32>,
                %b: tensor<8xf32>, %wg: tensor<6x2x3x3xf32>,
                %wd: tensor<4x1x3x3xf32>) {
  // Without bias.
  // CHECK: kiln.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x4x9x9xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x7x7xf32>
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<?x4x9x9xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x7x7xf32>
  // With bias, padding, strides and dilations: OH = (9 + 1 + 2 - 2 * 2 - 1) / 2 + 1 = 4.
  // CHECK: kiln.conv2d %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 2, 1>, pads = array<i64: 1, 0, 2, 0>, strides = array<i64: 2, 3>} : (tensor<?x4x9x9xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<?x8x4x3xf32>
  %1 = kiln.conv2d %x, %w, %b {strides = array<i64: 2, 3>, pads = array<i64: 1, 0, 2, 0>, dilations = array<i64: 2, 1>}
      : (tensor<?x4x9x9xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<?x8x4x3xf32>
  // Groups: 4 channels in 2 groups of 2, 6 filters.
  // CHECK: kiln.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, groups = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<?x4x9x9xf32>, tensor<6x2x3x3xf32>) -> tensor<?x6x9x9xf32>
  %2 = kiln.conv2d %x, %wg {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2}
      : (tensor<?x4x9x9xf32>, tensor<6x2x3x3xf32>) -> tensor<?x6x9x9xf32>
  // Depthwise.
  // CHECK: kiln.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, groups = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x4x9x9xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x7x7xf32>
  %3 = kiln.conv2d %x, %wd {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 4}
      : (tensor<?x4x9x9xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x7x7xf32>
  return
}

// CHECK-LABEL: func @pool
func.func @pool(%x: tensor<1x3x7x7xf32>, %d: tensor<?x?x?x?xf32>) {
  // CHECK: kiln.max_pool2d %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x7x7xf32> -> tensor<1x3x3x3xf32>
  %0 = kiln.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : tensor<1x3x7x7xf32> -> tensor<1x3x3x3xf32>
  // ceil_mode rounds up: 7 -> 4 windows.
  // CHECK: kiln.max_pool2d %{{.*}} {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x7x7xf32> -> tensor<1x3x4x4xf32>
  %1 = kiln.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true}
      : tensor<1x3x7x7xf32> -> tensor<1x3x4x4xf32>
  // CHECK: kiln.avg_pool2d %{{.*}} {ceil_mode = true, count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x3x7x7xf32> -> tensor<1x3x4x4xf32>
  %2 = kiln.avg_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = true, count_include_pad = true}
      : tensor<1x3x7x7xf32> -> tensor<1x3x4x4xf32>
  // CHECK: kiln.avg_pool2d %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  %3 = kiln.avg_pool2d %d {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return
}

{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F00000040"
    }
  }
#-}
