// RUN: kiln-opt %s --kiln-gpu-pipeline | FileCheck %s
// RUN: kiln-opt %s --kiln-gpu-pipeline | FileCheck %s --check-prefix=HOST
// RUN: kiln-opt %s --kiln-gpu-pipeline="chip=sm_90 block-size=128" | FileCheck %s --check-prefix=SM90
// The whole GPU pipeline takes kiln ops on tensors to PTX kernels and host
// code in the LLVM dialect: every loop over buffers is a kernel, all kernels
// share one gpu.module (but for the one calling a helper function), and the
// PTX comes from LLVM's NVPTX backend.

// Host: nothing but the LLVM dialect and kernel launches.
// HOST-NOT: {{(^ *|= )(kiln|linalg|tensor|memref|bufferization|arith|math|affine|scf|cf|func|vector)\.[a-z_]+}}
// HOST-NOT: gpu.launch {{.*}}blocks
// HOST-NOT: unrealized_conversion_cast

// CHECK-DAG: llvm.func @cnn(
// CHECK-DAG: llvm.func @_mlir_ciface_cnn(
// CHECK-DAG: gpu.launch_func @kiln_kernels::@cnn_kernel blocks in
// CHECK-DAG: gpu.launch_func @kiln_kernels::@matmuls_kernel
// The integer power helper stays with its kernel in a module of its own.
// CHECK-DAG: gpu.launch_func @[[POW:ints_kernel[_0-9]*]]::@ints_kernel
// CHECK-DAG: gpu.binary @[[POW]] [#gpu.object<#nvvm.target<O = 3, chip = "sm_80">
// CHECK-DAG: gpu.binary @kiln_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_80">, {{.*}}assembly = "{{.*}}.target sm_80{{.*}}.visible .entry cnn_kernel({{.*}}ld.global{{.*}}st.global

// SM90: gpu.binary @kiln_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90">, {{.*}}assembly = "{{.*}}.target sm_90{{.*}}.maxntid 128, 1, 1


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
