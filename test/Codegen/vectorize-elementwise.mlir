// RUN: kiln-opt %s --kiln-vectorize-elementwise -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-vectorize-elementwise="vector-bits=256 chunk-elements=64" -split-input-file | FileCheck %s --check-prefix=AVX2
// RUN: not kiln-opt %s --kiln-vectorize-elementwise="vector-bits=100" -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not kiln-opt %s --kiln-vectorize-elementwise="chunk-elements=40" -split-input-file 2>&1 | FileCheck %s --check-prefix=BADCHUNK
// BAD: vector-bits must be a multiple of 32, at least 128
// BADCHUNK: chunk-elements must be a positive multiple of the lanes (16)
// Standalone elementwise ops on buffers become an scf.parallel over the
// outer dimensions around vector loops along the innermost one.

// An LSTM gate: sigmoid(a) * tanh(b), `a` a slice of a wider buffer (rows
// not contiguous, so the column stays the innermost dimension), a dynamic
// number of rows. The constant in the body becomes a splat; exp and tanh
// run on vectors.
// CHECK-LABEL: func @gate
// CHECK-NOT: linalg.generic
// CHECK: %[[ROWS:.*]] = memref.dim %arg0, %c0
// CHECK: scf.parallel (%[[R:.*]]) = (%{{.*}}) to (%[[ROWS]])
// CHECK: scf.for %[[C:.*]] =
// CHECK: vector.load %arg0[%[[R]], %[[C]]] : memref<?x256xf32, strided<[1024, 1], offset: ?>>, vector<16xf32>
// CHECK: vector.load %arg1[%[[R]], %[[C]]] : memref<?x256xf32>, vector<16xf32>
// CHECK: math.tanh {{.*}} : vector<16xf32>
// CHECK: arith.constant dense<1.000000e+00> : vector<16xf32>
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: arith.divf {{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}}, %arg2[%[[R]], %[[C]]]
// The tail loop (at most one masked vector).
// CHECK: scf.for
// CHECK: vector.create_mask
// CHECK: vector.maskedload
// CHECK: vector.maskedstore
// CHECK-NOT: linalg.generic
// AVX2-LABEL: func @gate
// AVX2: math.exp {{.*}} : vector<8xf32>
func.func @gate(%a: memref<?x256xf32, strided<[1024, 1], offset: ?>>, %b: memref<?x256xf32>, %y: memref<?x256xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : memref<?x256xf32, strided<[1024, 1], offset: ?>>, memref<?x256xf32>) outs(%y : memref<?x256xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %t = math.tanh %in2 : f32
    %one = arith.constant 1.0 : f32
    %n = arith.negf %in : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %s = arith.divf %one, %d : f32
    %r = arith.mulf %s, %t : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A per-channel bias on NCHW: H and W (identity layouts, read by every
// full operand in order, not read by the bias) collapse into one column of
// 49; the bias is loaded once per (n, c) and broadcast; 49 = 3 vectors and
// a masked one of 1 element.
// CHECK-LABEL: func @bias_nchw
// CHECK-DAG: %[[X:.*]] = memref.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : memref<2x8x7x7xf32> into memref<2x8x49xf32>
// CHECK-DAG: %[[Y:.*]] = memref.collapse_shape %arg2 {{\[}}[0], [1], [2, 3]] : memref<2x8x7x7xf32> into memref<2x8x49xf32>
// CHECK: scf.parallel (%[[N:.*]], %[[CH:.*]]) = (%{{.*}}, %{{.*}}) to (%c2, %c8)
// CHECK: %[[B:.*]] = memref.load %arg1[%[[CH]]] : memref<8xf32>
// CHECK: %[[BV:.*]] = vector.broadcast %[[B]] : f32 to vector<16xf32>
// CHECK: scf.for %[[C:.*]] =
// CHECK: %[[XV:.*]] = vector.load %[[X]][%[[N]], %[[CH]], %[[C]]]
// CHECK: arith.addf %[[XV]], %[[BV]] : vector<16xf32>
// CHECK: vector.store {{.*}}, %[[Y]][%[[N]], %[[CH]], %[[C]]]
// CHECK: vector.maskedstore
// AVX2-LABEL: func @bias_nchw
// AVX2: vector.load {{.*}} : memref<2x8x49xf32>, vector<8xf32>
func.func @bias_nchw(%x: memref<2x8x7x7xf32>, %b: memref<8xf32>, %y: memref<2x8x7x7xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %b : memref<2x8x7x7xf32>, memref<8xf32>) outs(%y : memref<2x8x7x7xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %r = arith.addf %in, %in2 : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Same shapes everywhere, a dynamic batch: the whole buffer is one column,
// cut into chunks of 4096 elements that are the parallel dimension (threads
// get work at batch 1). A 0-d scale is broadcast; the output is read too;
// f32 -> i32 casts and integer adds run on vectors.
// CHECK-LABEL: func @flat_int
// CHECK: %[[DIM:.*]] = memref.dim %arg0, %c0
// CHECK: %[[N:.*]] = arith.muli %{{.*}}, %c64
// CHECK-DAG: %[[X:.*]] = memref.collapse_shape %arg0 {{\[}}[0, 1]] : memref<?x64xf32> into memref<?xf32>
// CHECK-DAG: %[[Y:.*]] = memref.collapse_shape %arg2 {{\[}}[0, 1]] : memref<?x64xi32> into memref<?xi32>
// CHECK: %[[CHUNKS:.*]] = arith.ceildivui %[[N]], %c4096
// CHECK: scf.parallel (%[[K:.*]]) = (%{{.*}}) to (%[[CHUNKS]])
// CHECK: %[[LB:.*]] = arith.muli %[[K]], %c4096
// CHECK: %[[END:.*]] = arith.addi %[[LB]], %c4096
// CHECK: %[[UB:.*]] = arith.minui %[[END]], %[[N]]
// CHECK: memref.load %arg1[] : memref<f32>
// CHECK: scf.for %[[C:.*]] = %[[LB]] to
// CHECK: vector.load %[[X]][%[[C]]] : memref<?xf32>, vector<16xf32>
// CHECK: vector.load %[[Y]][%[[C]]] : memref<?xi32>, vector<16xi32>
// CHECK: arith.fptosi {{.*}} : vector<16xf32> to vector<16xi32>
// CHECK: arith.addi {{.*}} : vector<16xi32>
// CHECK: vector.store {{.*}}, %[[Y]][%[[C]]]
// CHECK: scf.for {{.*}} to %[[UB]]
// AVX2-LABEL: func @flat_int
// AVX2: arith.ceildivui %{{.*}}, %c64
func.func @flat_int(%x: memref<?x64xf32>, %s: memref<f32>, %y: memref<?x64xi32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %s : memref<?x64xf32>, memref<f32>) outs(%y : memref<?x64xi32>) {
  ^bb0(%in: f32, %sc: f32, %out: i32):
    %m = arith.mulf %in, %sc : f32
    %r = arith.fptosi %m : f32 to i32
    %q = arith.addi %r, %out : i32
    linalg.yield %q : i32
  }
  return
}

// -----

// A bias along the innermost dimension (read contiguously) and a per-row
// value (not depending on the column): the column stays the 33 columns.
// Two outputs; an in-place update of an input is fine (same buffer, same
// map).
// CHECK-LABEL: func @row_and_column_broadcasts
// CHECK-NOT: collapse_shape
// CHECK: scf.parallel (%[[R:.*]]) = (%{{.*}}) to (%c5)
// CHECK: memref.load %arg2[%[[R]], %{{.*}}] : memref<5x1xf32>
// CHECK: scf.for %[[C:.*]] =
// CHECK: vector.load %arg0[%[[R]], %[[C]]]
// CHECK: vector.load %arg1[%[[C]]] : memref<33xf32>
// CHECK: arith.select {{.*}} : vector<16xi1>, vector<16xf32>
// CHECK: vector.store {{.*}}, %arg0[%[[R]], %[[C]]]
// CHECK: vector.store {{.*}}, %arg3[%[[R]], %[[C]]]
func.func @row_and_column_broadcasts(%x: memref<5x33xf32>, %b: memref<33xf32>, %r: memref<5x1xf32>, %y: memref<5x33xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %b, %r : memref<5x33xf32>, memref<33xf32>, memref<5x1xf32>) outs(%x, %y : memref<5x33xf32>, memref<5x33xf32>) {
  ^bb0(%in: f32, %bias: f32, %row: f32, %o1: f32, %o2: f32):
    %s = arith.addf %in, %bias : f32
    %c = arith.cmpf ogt, %s, %row : f32
    %m = arith.select %c, %s, %row : f32
    %d = arith.subf %m, %row : f32
    linalg.yield %m, %d : f32, f32
  }
  return
}

// -----

// An innermost dimension of 1: the column is the rows (identity layouts).
// CHECK-LABEL: func @unit_inner
// CHECK: memref.collapse_shape %arg0 {{\[}}[0, 1]] : memref<?x1xf32> into memref<?xf32>
// CHECK: math.exp {{.*}} : vector<16xf32>
func.func @unit_inner(%x: memref<?x1xf32>, %y: memref<?x1xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x1xf32>) outs(%y : memref<?x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.exp %in : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Left as they are: a transposed input, a 0-d op, an op over one element,
// linalg.index, integer division, an i1 output, a fill, an input that is
// another view of the output.
// CHECK-LABEL: func @left_alone
// CHECK-NOT: vector.
// CHECK-COUNT-6: linalg.generic
// CHECK: linalg.fill
// CHECK: linalg.generic
// CHECK-NOT: vector.
func.func @left_alone(%x: memref<16x32xf32>, %t: memref<32x16xf32>, %s: memref<f32>, %one: memref<1x1xf32>,
                      %i: memref<7x9xi32>, %bits: memref<7x9xi1>, %a: memref<4x4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<16x32xf32>) outs(%t : memref<32x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.exp %in : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []}
      ins(%s : memref<f32>) outs(%s : memref<f32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.exp %in : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%one : memref<1x1xf32>) {
  ^bb0(%out: f32):
    %r = math.exp %out : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%i : memref<7x9xi32>) {
  ^bb0(%out: i32):
    %j = linalg.index 1 : index
    %r = arith.index_cast %j : index to i32
    linalg.yield %r : i32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%i : memref<7x9xi32>) {
  ^bb0(%out: i32):
    %c3 = arith.constant 3 : i32
    %r = arith.divsi %c3, %out : i32
    linalg.yield %r : i32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%i : memref<7x9xi32>) outs(%bits : memref<7x9xi1>) {
  ^bb0(%in: i32, %out: i1):
    %c0 = arith.constant 0 : i32
    %r = arith.cmpi sgt, %in, %c0 : i32
    linalg.yield %r : i1
  }
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%x : memref<16x32xf32>)
  %flat = memref.collapse_shape %a [[0, 1]] : memref<4x4xf32> into memref<16xf32>
  %shifted = memref.subview %flat[1] [4] [1] : memref<16xf32> to memref<4xf32, strided<[1], offset: 1>>
  %row = memref.subview %a[0, 0] [1, 4] [1, 1] : memref<4x4xf32> to memref<4xf32, strided<[1]>>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%shifted : memref<4xf32, strided<[1], offset: 1>>) outs(%row : memref<4xf32, strided<[1]>>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %in : f32
    linalg.yield %r : f32
  }
  return
}
