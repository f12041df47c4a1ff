// RUN: kiln-opt %s --kiln-lower-assignments | FileCheck %s
// RUN: kiln-opt %s --kiln-linalg-pipeline --kiln-lower-assignments \
// RUN:   --eliminate-empty-tensors --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --canonicalize | FileCheck %s --check-prefix=INPLACE

// Each kiln.assign becomes a materialization into its destination argument.
// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[P:.*]]: tensor<4xf32> {kiln.mutable}, %[[G:.*]]: tensor<4xf32>)
// CHECK: %[[NEW:.*]] = kiln.sgd_update %[[P]], %[[G]]
// CHECK-NEXT: bufferization.materialize_in_destination %[[NEW]] in %[[P]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NOT: kiln.assign

// After bufferization the update's loop writes straight into the argument:
// no buffer and no copy for it (the only allocation is the returned sum).
// INPLACE-LABEL: func.func @step
// INPLACE-SAME: (%[[P:.*]]: memref<4xf32> {kiln.mutable}, %[[G:.*]]: memref<4xf32>)
// INPLACE-NOT: memref.alloc
// INPLACE: linalg.generic {{.*}} ins(%[[P]], %[[G]] : memref<4xf32>, memref<4xf32>) outs(%[[P]] : memref<4xf32>)
// INPLACE-NOT: memref.copy
// INPLACE: memref.alloc() {{.*}} : memref<f32>
// INPLACE-NOT: memref.copy
func.func @step(%p: tensor<4xf32> {kiln.mutable}, %g: tensor<4xf32>) -> tensor<f32> {
  %new = kiln.sgd_update %p, %g {lr = 1.000000e-01 : f64, weight_decay = 0.000000e+00 : f64} : tensor<4xf32>
  kiln.assign %new into %p : tensor<4xf32>, tensor<4xf32>
  %s = kiln.reduce_sum %g, [0] {keepdims = false} : tensor<4xf32> -> tensor<f32>
  return %s : tensor<f32>
}

// A value of a more static type is cast to the destination's first. Storing
// another argument is a copy.
// CHECK-LABEL: func.func @refined
// CHECK: %[[C:.*]] = tensor.cast %{{.*}} : tensor<2x3xf32> to tensor<?x3xf32>
// CHECK-NEXT: bufferization.materialize_in_destination %[[C]] in %{{.*}} : (tensor<?x3xf32>, tensor<?x3xf32>)
// INPLACE-LABEL: func.func @refined
// INPLACE: memref.copy %arg1, %arg0 : memref<2x3xf32> to memref<?x3xf32>
func.func @refined(%p: tensor<?x3xf32> {kiln.mutable}, %v: tensor<2x3xf32>) {
  kiln.assign %v into %p : tensor<2x3xf32>, tensor<?x3xf32>
  return
}
