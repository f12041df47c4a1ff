// RUN: kiln-opt %s --kiln-cpu-pipeline --mlir-print-ir-after=kiln-vectorize-elementwise -o /dev/null 2>&1 | FileCheck %s
// A pool's output that is both the next convolution's padded input and a
// residual lives in its own buffer and is copied into the padded one's
// interior. That strided copy is expanded before kiln-vectorize-elementwise
// so that it becomes a vector loop along the rows (whole vectors, then a
// masked one), not a scalar loop nest that LLVM unrolls but cannot
// vectorize.

// CHECK-LABEL: IR Dump After KilnVectorizeElementwise
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.copy
// CHECK: %[[INTERIOR:.*]] = memref.subview %{{.*}}[0, 0, 1, 1] [1, 16, 10, 10] [1, 1, 1, 1] : memref<1x16x12x12xf32>
// CHECK: scf.parallel
// CHECK: vector.store %{{.*}}, %[[INTERIOR]]
// CHECK: %[[ROW:.*]] = vector.maskedload %{{.*}} : memref<1x16x10x10xf32>
// CHECK: vector.maskedstore %[[INTERIOR]][{{.*}}], %{{.*}}, %[[ROW]]
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.copy
func.func @pool_then_block(%x: tensor<1x16x20x20xf32>, %w: tensor<16x16x3x3xf32>) -> tensor<1x16x10x10xf32> {
  %p = kiln.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false}
      : tensor<1x16x20x20xf32> -> tensor<1x16x10x10xf32>
  %c = kiln.conv2d %p, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x16x10x10xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x10x10xf32>
  %y = kiln.add %c, %p : (tensor<1x16x10x10xf32>, tensor<1x16x10x10xf32>) -> tensor<1x16x10x10xf32>
  return %y : tensor<1x16x10x10xf32>
}
