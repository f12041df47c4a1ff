// RUN: kiln-opt %s --kiln-unshare-initializers -split-input-file | FileCheck %s
// Initializers shared (after CSE) as the init of several ops get one clone
// per init use; reads and unshared initializers are left alone.

// A zero fill two convolutions accumulate into: the second gets its own
// tensor.empty and fill.
// CHECK-LABEL: func @shared_fill
// CHECK: %[[E0:.*]] = tensor.empty() : tensor<1x8x4x4xf32>
// CHECK: %[[F0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E0]] : tensor<1x8x4x4xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} outs(%[[F0]] : tensor<1x8x4x4xf32>)
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<1x8x4x4xf32>
// CHECK: %[[F1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<1x8x4x4xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} outs(%[[F1]] : tensor<1x8x4x4xf32>)
// CHECK-NOT: linalg.fill
func.func @shared_fill(%x: tensor<1x8x6x6xf32>, %y: tensor<1x8x6x6xf32>, %w: tensor<8x8x3x3xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %0 = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) outs(%f : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %1 = linalg.conv_2d_nchw_fchw ins(%y, %w : tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) outs(%f : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %0, %1 : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>
}

// -----

// A bias broadcast that is also read (an input of the add): the read keeps
// the original, both inits get clones.
#bias = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @shared_broadcast_and_read
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8x16xf32>, %[[BIAS:.*]]: tensor<16xf32>)
// CHECK: %[[G0:.*]] = linalg.generic {{.*}} ins(%[[BIAS]] : tensor<16xf32>)
// CHECK: %[[G1:.*]] = linalg.generic {{.*}} ins(%[[BIAS]] : tensor<16xf32>)
// CHECK: %[[M0:.*]] = linalg.matmul ins(%[[A]], %[[B]] : {{.*}}) outs(%[[G1]] : tensor<4x16xf32>)
// CHECK: %[[G2:.*]] = linalg.generic {{.*}} ins(%[[BIAS]] : tensor<16xf32>)
// CHECK: %[[M1:.*]] = linalg.matmul ins(%[[A]], %[[B]] : {{.*}}) outs(%[[G2]] : tensor<4x16xf32>)
// CHECK: linalg.add ins(%[[M0]], %[[G0]] : {{.*}}) outs(%[[M1]] : tensor<4x16xf32>)
func.func @shared_broadcast_and_read(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %bias: tensor<16xf32>) -> tensor<4x16xf32> {
  %e = tensor.empty() : tensor<4x16xf32>
  %g = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4x16xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%g : tensor<4x16xf32>) -> tensor<4x16xf32>
  %1 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%g : tensor<4x16xf32>) -> tensor<4x16xf32>
  %2 = linalg.add ins(%0, %g : tensor<4x16xf32>, tensor<4x16xf32>) outs(%1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %2 : tensor<4x16xf32>
}

// -----

// Computations are not duplicated: an elementwise op whose result two ops
// accumulate into stays shared (bufferization copies it as before).
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @computed_init_stays
// CHECK-COUNT-1: linalg.generic
// CHECK-NOT: linalg.generic
func.func @computed_init_stays(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %e = tensor.empty() : tensor<4x16xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %in : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%g : tensor<4x16xf32>) -> tensor<4x16xf32>
  %1 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%g : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0, %1 : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// One user: nothing to do.
// CHECK-LABEL: func @single_use
// CHECK-COUNT-1: linalg.fill
// CHECK-NOT: linalg.fill
func.func @single_use(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}
