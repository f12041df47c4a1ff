// RUN: kiln-opt %s --kiln-pack-matmul-weights="panel-cols=2" -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-pack-matmul-weights -split-input-file | FileCheck %s --check-prefix=WIDE
// RUN: kiln-opt %s --kiln-pack-matmul-weights="panel-cols=0" -split-input-file | FileCheck %s --check-prefix=OFF
// Constant matmul weights B[r..., N] are copied into panels
// [ceil(N / NR), r..., NR] (zero-padded), read by a linalg.generic through
// (n floordiv NR, r..., n mod NR).

// B = [[1, 2, 3]] in panels of 2: [[[1, 2]], [[3, 0]]] (the last panel
// padded with a zero); the generic keeps the matmul's loops and body.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d1 floordiv 2, d2, d1 mod 2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @tail
// CHECK: %[[P:.*]] = arith.constant dense_resource<kiln_packed> : tensor<2x1x2xf32>
// CHECK-NOT: linalg.matmul
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%arg0, %[[P]] : tensor<4x1xf32>, tensor<2x1x2xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: dense<
// CHECK: kiln_packed{{.*}}: "0x080000000000803F000000400000404000000000"
// WIDE-LABEL: func @tail
// WIDE: linalg.matmul
// OFF-LABEL: func @tail
// OFF: linalg.matmul
func.func @tail(%a: tensor<4x1xf32>, %init: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %b = arith.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  %r = linalg.matmul ins(%a, %b : tensor<4x1xf32>, tensor<1x3xf32>)
                     outs(%init : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

// A B computed at run time stays where it is; a constant narrower than a
// panel too.
// CHECK-LABEL: func @not_packed
// CHECK-NOT: kiln_packed
// CHECK: linalg.matmul ins(%arg0, %arg1
// CHECK: linalg.matmul ins(%arg0, %{{.*}} : tensor<4x2xf32>, tensor<2x1xf32>)
func.func @not_packed(%a: tensor<4x2xf32>, %b: tensor<2x8xf32>,
                      %i1: tensor<4x8xf32>, %i2: tensor<4x1xf32>)
    -> (tensor<4x8xf32>, tensor<4x1xf32>) {
  %r = linalg.matmul ins(%a, %b : tensor<4x2xf32>, tensor<2x8xf32>)
                     outs(%i1 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %n = arith.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %s = linalg.matmul ins(%a, %n : tensor<4x2xf32>, tensor<2x1xf32>)
                     outs(%i2 : tensor<4x1xf32>) -> tensor<4x1xf32>
  return %r, %s : tensor<4x8xf32>, tensor<4x1xf32>
}

// -----

// x[b, s, k] @ W[k, n] (a generic with two m dimensions) reading a reshape
// of a constant, twice: both read one packed copy, and the constant and
// its reshape are gone. A splat constant is packed too.
// CHECK-DAG: #[[WB:.*]] = affine_map<(d0, d1, d2, d3) -> (d2 floordiv 2, d3, d2 mod 2)>
// CHECK-LABEL: func @rank3_shared
// CHECK: %[[P:.*]] = arith.constant dense_resource<kiln_packed> : tensor<2x2x2xf32>
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[WB]], #{{.*}}]
// CHECK-SAME: ins(%arg0, %[[P]] :
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[WB]], #{{.*}}]
// CHECK-SAME: ins(%arg1, %[[P]] :
// CHECK: kiln_packed{{.*}}: "0x080000000000803F000000400000A0400000000000004040000000000000C04000000000"
func.func @rank3_shared(%x: tensor<2x3x2xf32>, %y: tensor<2x3x2xf32>,
                        %init: tensor<2x3x3xf32>)
    -> (tensor<2x3x3xf32>, tensor<2x3x3xf32>) {
  %c = arith.constant dense<[[[1.0, 2.0, 3.0]], [[5.0, 0.0, 6.0]]]> : tensor<2x1x3xf32>
  %w = tensor.collapse_shape %c [[0], [1, 2]] : tensor<2x1x3xf32> into tensor<2x3xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(b, s, n, k) -> (b, s, k)>,
                                        affine_map<(b, s, n, k) -> (k, n)>,
                                        affine_map<(b, s, n, k) -> (b, s, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<2x3x2xf32>, tensor<2x3xf32>) outs(%init : tensor<2x3x3xf32>) {
  ^bb0(%in: f32, %wt: f32, %out: f32):
    %m = arith.mulf %in, %wt : f32
    %s = arith.addf %out, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x3x3xf32>
  %q = linalg.generic {indexing_maps = [affine_map<(b, s, n, k) -> (b, s, k)>,
                                        affine_map<(b, s, n, k) -> (k, n)>,
                                        affine_map<(b, s, n, k) -> (b, s, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%y, %w : tensor<2x3x2xf32>, tensor<2x3xf32>) outs(%init : tensor<2x3x3xf32>) {
  ^bb0(%in: f32, %wt: f32, %out: f32):
    %m = arith.mulf %in, %wt : f32
    %s = arith.addf %out, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x3x3xf32>
  return %r, %q : tensor<2x3x3xf32>, tensor<2x3x3xf32>
}

// -----

// A splat weight becomes panels with zero padding (no longer a splat).
// CHECK-LABEL: func @splat
// CHECK: arith.constant dense_resource<kiln_packed> : tensor<2x1x2xf32>
// CHECK: kiln_packed{{.*}}: "0x080000000000C03F0000C03F0000C03F00000000"
func.func @splat(%a: tensor<4x1xf32>, %init: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %b = arith.constant dense<1.5> : tensor<1x3xf32>
  %r = linalg.matmul ins(%a, %b : tensor<4x1xf32>, tensor<1x3xf32>)
                     outs(%init : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}
