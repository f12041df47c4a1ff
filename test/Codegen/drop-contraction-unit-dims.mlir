// RUN: kiln-opt %s --kiln-drop-contraction-unit-dims --split-input-file | FileCheck %s

// The LSTM's input projection: x[T, B, I] against W[I, 1, N]; the unit
// direction dimension goes, leaving a rank-3 x rank-2 contraction.
#x = affine_map<(t, b, d, n, k) -> (t, b, k)>
#w = affine_map<(t, b, d, n, k) -> (k, d, n)>
#y = affine_map<(t, b, d, n, k) -> (t, b, d, n)>
// CHECK-LABEL: func.func @lstm_projection
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<256x1x1024xf32>
// CHECK: %[[W2:.*]] = tensor.collapse_shape %[[W]] {{\[}}[0, 1], [2]] : tensor<256x1x1024xf32> into tensor<256x1024xf32>
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%{{.*}}, %[[W2]] : tensor<35x?x256xf32>, tensor<256x1024xf32>)
// CHECK: tensor.expand_shape {{.*}} into tensor<35x?x1x1024xf32>
func.func @lstm_projection(%x: tensor<35x?x256xf32>, %w: tensor<256x1x1024xf32>,
                           %acc: tensor<35x?x1x1024xf32>) -> tensor<35x?x1x1024xf32> {
  %r = linalg.generic {indexing_maps = [#x, #w, #y],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<35x?x256xf32>, tensor<256x1x1024xf32>)
      outs(%acc : tensor<35x?x1x1024xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<35x?x1x1024xf32>
  return %r : tensor<35x?x1x1024xf32>
}

// -----

// Not a contraction (no reduction): its unit dimension stays.
#id = affine_map<(i, j) -> (i, j)>
// CHECK-LABEL: func.func @elementwise_kept
// CHECK-NOT: collapse_shape
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<1x8xf32>)
func.func @elementwise_kept(%x: tensor<1x8xf32>, %o: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<1x8xf32>) outs(%o : tensor<1x8xf32>) {
  ^bb0(%a: f32, %c: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  } -> tensor<1x8xf32>
  return %r : tensor<1x8xf32>
}

// -----

// A reduction that is not a multiply-add (a row maximum) stays as it is.
#in = affine_map<(i, j) -> (i, j)>
#out = affine_map<(i, j) -> (i)>
// CHECK-LABEL: func.func @max_kept
// CHECK-NOT: collapse_shape
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<1x8xf32>)
func.func @max_kept(%x: tensor<1x8xf32>, %o: tensor<1xf32>) -> tensor<1xf32> {
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<1x8xf32>) outs(%o : tensor<1xf32>) {
  ^bb0(%a: f32, %c: f32):
    %m = arith.maximumf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<1xf32>
  return %r : tensor<1xf32>
}
