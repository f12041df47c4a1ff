// RUN: kiln-opt %s --kiln-cpu-pipeline | FileCheck %s
// RUN: kiln-opt %s --kiln-cpu-pipeline | FileCheck %s --check-prefix=ONLY-LLVM
// The whole CPU pipeline takes kiln ops on tensors to the LLVM dialect and
// nothing else: no op of another dialect is left, no support-library call.

// ONLY-LLVM-NOT: {{(^ *|= |= "|^ *")(kiln|linalg|tensor|memref|bufferization|arith|math|affine|scf|cf|func|vector)\.[a-z_]+}}
// ONLY-LLVM-NOT: unrealized_conversion_cast
// ONLY-LLVM-NOT: @memrefCopy

// Every public function keeps its symbol and gets a C interface wrapper.
// CHECK-DAG: llvm.func @cnn(
// CHECK-DAG: llvm.func @_mlir_ciface_cnn(
// CHECK-DAG: llvm.func @ints(
// CHECK-DAG: llvm.func @_mlir_ciface_ints(
// CHECK-DAG: llvm.func @matmuls(
// CHECK-DAG: llvm.func @_mlir_ciface_matmuls(
// CHECK-DAG: llvm.func @_mlir_ciface_dynamic_reshapes(
// Integer powers are a generated function, not a library call.
// CHECK-DAG: llvm.func linkonce_odr @__mlir_math_ipowi_i32(

func.func @cnn(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>,
               %wd: tensor<4x1x3x3xf32>, %wg: tensor<4x2x1x1xf32>, %fc: tensor<36x10xf32>) -> tensor<?x10xf32> {
  %0 = kiln.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %1 = kiln.relu %0 : tensor<?x4x8x8xf32>
  %2 = kiln.conv2d %1, %wd {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 4}
      : (tensor<?x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x6x6xf32>
  %3 = kiln.conv2d %2, %wg {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2}
      : (tensor<?x4x6x6xf32>, tensor<4x2x1x1xf32>) -> tensor<?x4x6x6xf32>
  %4 = kiln.max_pool2d %3 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true}
      : tensor<?x4x6x6xf32> -> tensor<?x4x3x3xf32>
  %5 = kiln.avg_pool2d %4 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>}
      : tensor<?x4x3x3xf32> -> tensor<?x4x3x3xf32>
  %6 = kiln.flatten %5, axis = 1 : tensor<?x4x3x3xf32> -> tensor<?x36xf32>
  %7 = kiln.matmul %6, %fc : (tensor<?x36xf32>, tensor<36x10xf32>) -> tensor<?x10xf32>
  %8 = kiln.sigmoid %7 : tensor<?x10xf32>
  %9 = kiln.softmax %8, axis = 1 : tensor<?x10xf32>
  return %9 : tensor<?x10xf32>
}

func.func @ints(%a: tensor<4x?xui8>, %b: tensor<?xui8>, %i: tensor<2x3xi32>)
    -> (tensor<4x?xui8>, tensor<3x2xi32>, tensor<2xi32>, tensor<6xi32>, tensor<2x1xi32>) {
  %0 = kiln.div %a, %b : (tensor<4x?xui8>, tensor<?xui8>) -> tensor<4x?xui8>
  %1 = kiln.max %0, %a : (tensor<4x?xui8>, tensor<4x?xui8>) -> tensor<4x?xui8>
  %2 = kiln.transpose %i, [1, 0] : tensor<2x3xi32> -> tensor<3x2xi32>
  %3 = kiln.reduce_mean %i, [1] {keepdims = false} : tensor<2x3xi32> -> tensor<2xi32>
  %4 = kiln.reshape %i, [-1] : tensor<2x3xi32> -> tensor<6xi32>
  %5 = kiln.pow %4, %4 : (tensor<6xi32>, tensor<6xi32>) -> tensor<6xi32>
  %6 = kiln.reduce_max %i, [1] : tensor<2x3xi32> -> tensor<2x1xi32>
  return %1, %2, %3, %5, %6 : tensor<4x?xui8>, tensor<3x2xi32>, tensor<2xi32>, tensor<6xi32>, tensor<2x1xi32>
}

func.func @matmuls(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x2xf32>, %v: tensor<4xf32>, %m: tensor<?x?xf64>)
    -> (tensor<2x5x3x2xf32>, tensor<2x1x3xf32>, tensor<f32>, tensor<?x?xf64>) {
  %0 = kiln.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x2xf32>) -> tensor<2x5x3x2xf32>
  %1 = kiln.matmul %a, %v : (tensor<2x1x3x4xf32>, tensor<4xf32>) -> tensor<2x1x3xf32>
  %2 = kiln.matmul %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  %3 = kiln.matmul %m, %m : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %4 = kiln.exp %3 : tensor<?x?xf64>
  %5 = kiln.log %4 : tensor<?x?xf64>
  %6 = kiln.tanh %5 : tensor<?x?xf64>
  %7 = kiln.sqrt %6 : tensor<?x?xf64>
  return %0, %1, %2, %7 : tensor<2x5x3x2xf32>, tensor<2x1x3xf32>, tensor<f32>, tensor<?x?xf64>
}

// Two dynamic sizes coming out of one (a batched matmul's broadcast batch, a
// reshape of a dynamic tensor) used to crash expand-strided-metadata.
func.func @dynamic_reshapes(%a: tensor<?x1x3x4xf32>, %b: tensor<?x4x2xf32>, %x: tensor<?x?x4xf32>)
    -> (tensor<?x?x3x2xf32>, tensor<?x?x2x2xf32>, tensor<?x?x2xf32>) {
  %0 = kiln.matmul %a, %b : (tensor<?x1x3x4xf32>, tensor<?x4x2xf32>) -> tensor<?x?x3x2xf32>
  %1 = kiln.reshape %x, [0, 0, 2, 2] : tensor<?x?x4xf32> -> tensor<?x?x2x2xf32>
  %2 = kiln.matmul %x, %x : (tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4xf32>
  %3 = kiln.reshape %2, [0, -1, 2] : tensor<?x?x4xf32> -> tensor<?x?x2xf32>
  return %0, %1, %3 : tensor<?x?x3x2xf32>, tensor<?x?x2x2xf32>, tensor<?x?x2xf32>
}
