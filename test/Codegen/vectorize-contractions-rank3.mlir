// RUN: kiln-opt %s --kiln-vectorize-contractions -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-vectorize-contractions --kiln-approximate-vector-math -split-input-file | FileCheck %s --check-prefix=MATH
// Contractions with several m or k dimensions: x[b, s, k] @ W[k, n] (the
// C++ DSL's Dense layer on a rank-3 input, a transformer's projections),
// attention's output projection with two reduction dimensions, and
// attention's 4-D batched matmuls all become vector FMA kernels.

// A Dense layer on a rank-3 input followed by GELU (the case that once left
// vector.extract unlowered): the extra m dimension becomes a batch loop, a
// size query of the accumulator does not stop the fusion of the fill and
// of the GELU consumer, and erf runs on vectors, as a polynomial after
// kiln-approximate-vector-math.
// CHECK-LABEL: func @dense_rank3_gelu
// CHECK-NOT: linalg.
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} iter_args
// CHECK: memref.load %{{.*}} : memref<?x5x4xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: math.erf {{.*}} : vector<16xf32>
// CHECK: vector.maskedstore %{{.*}} : memref<?x5x3xf32>, vector<16xi1>, vector<16xf32>
// CHECK-NOT: linalg.
// MATH-LABEL: func @dense_rank3_gelu
// MATH-NOT: math.erf
// MATH-NOT: vector.extract
// MATH: vector.fma
// MATH-NOT: math.erf
// MATH-NOT: vector.extract
func.func @dense_rank3_gelu(%x: memref<?x5x4xf32>, %w: memref<4x3xf32>,
                            %b: memref<3xf32>) -> memref<?x5x3xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %rsqrt2 = arith.constant 0.707106769 : f32
  %dim = memref.dim %x, %c0 : memref<?x5x4xf32>
  %c5 = arith.constant 5 : index
  %flat = arith.muli %dim, %c5 : index
  %alloc = memref.alloc(%flat) : memref<?x3xf32>
  %acc = memref.expand_shape %alloc [[0, 1], [2]] output_shape [%dim, 5, 3]
      : memref<?x3xf32> into memref<?x5x3xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<?x5x3xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>,
                                   affine_map<(d0, d1, d2, d3) -> (d3, d2)>,
                                   affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x5x4xf32>, memref<4x3xf32>) outs(%acc : memref<?x5x3xf32>) {
  ^bb0(%in: f32, %in_w: f32, %out: f32):
    %0 = arith.mulf %in, %in_w : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  %size = memref.dim %acc, %c0 : memref<?x5x3xf32>
  %y = memref.alloc(%size) : memref<?x5x3xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>,
                                   affine_map<(d0, d1, d2) -> (d2)>,
                                   affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%acc, %b : memref<?x5x3xf32>, memref<3xf32>) outs(%y : memref<?x5x3xf32>) {
  ^bb0(%in: f32, %in_b: f32, %out: f32):
    %0 = arith.addf %in, %in_b : f32
    %1 = arith.mulf %0, %rsqrt2 : f32
    %2 = math.erf %1 : f32
    %3 = arith.addf %2, %one : f32
    %4 = arith.mulf %0, %3 : f32
    %5 = arith.mulf %4, %half : f32
    linalg.yield %5 : f32
  }
  memref.dealloc %alloc : memref<?x3xf32>
  return %y : memref<?x5x3xf32>
}

// -----

// [b, s, h, d] x [h, d, n] -> [b, s, n]: two reduction loops, nested, the
// accumulators carried through both.
// CHECK-LABEL: func @two_k_dims
// CHECK-NOT: linalg.generic
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} to %c8{{.*}} iter_args
// CHECK: scf.for {{.*}} to %c64{{.*}} iter_args
// CHECK: memref.load %{{.*}} : memref<?x128x8x64xf32>
// CHECK: vector.fma
// CHECK: scf.yield
// CHECK: scf.yield
func.func @two_k_dims(%a: memref<?x128x8x64xf32>, %w: memref<8x64x512xf32>,
                      %c: memref<?x128x512xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>,
                                   affine_map<(d0, d1, d2, d3, d4) -> (d3, d4, d2)>,
                                   affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %w : memref<?x128x8x64xf32>, memref<8x64x512xf32>)
      outs(%c : memref<?x128x512xf32>) {
  ^bb0(%in: f32, %in_w: f32, %out: f32):
    %0 = arith.mulf %in, %in_w : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Attention scores: [b, h, s, d] x [b, h, d, s] with two batch dimensions.
// CHECK-LABEL: func @attention_scores
// CHECK-NOT: linalg.generic
// CHECK: scf.parallel
// CHECK: vector.fma
func.func @attention_scores(%q: memref<?x8x128x64xf32>, %k: memref<?x8x64x128xf32>,
                            %s: memref<?x8x128x128xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>,
                                   affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>,
                                   affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : memref<?x8x128x64xf32>, memref<?x8x64x128xf32>)
      outs(%s : memref<?x8x128x128xf32>) {
  ^bb0(%in: f32, %in_k: f32, %out: f32):
    %0 = arith.mulf %in, %in_k : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// The reduction is not over a dimension B and C share contiguously: n is
// not B's innermost dimension, so the op stays as it is.
// CHECK-LABEL: func @n_not_innermost
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
func.func @n_not_innermost(%a: memref<?x5x4xf32>, %w: memref<3x4xf32>,
                           %c: memref<?x5x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>,
                                   affine_map<(d0, d1, d2, d3) -> (d2, d3)>,
                                   affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %w : memref<?x5x4xf32>, memref<3x4xf32>) outs(%c : memref<?x5x3xf32>) {
  ^bb0(%in: f32, %in_w: f32, %out: f32):
    %0 = arith.mulf %in, %in_w : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}
