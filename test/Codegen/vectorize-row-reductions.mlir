// RUN: kiln-opt %s --kiln-vectorize-row-reductions -split-input-file -verify-diagnostics | FileCheck %s
// RUN: kiln-opt %s --kiln-vectorize-row-reductions="vector-bits=256" -split-input-file | FileCheck %s --check-prefix=AVX2
// RUN: not kiln-opt %s --kiln-vectorize-row-reductions="vector-bits=100" -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: vector-bits must be a multiple of 32, at least 128
// Runs of row ops with a reduction along the innermost dimension become one
// scf.parallel over the rows, vectorized along each row.

// Softmax as the lowering leaves it on buffers (a dynamic number of rows,
// unit dimensions from keepdims, a copy of a shared fill): one parallel
// loop over rows; max, exp-and-sum and divide run on vectors, with a
// masked tail for the 37 columns.
// CHECK-LABEL: func @softmax
// CHECK-NOT: linalg.
// CHECK-NOT: memref.copy
// CHECK: %[[B:.*]] = memref.dim %{{.*}}, %c0
// CHECK: %[[R:.*]] = arith.muli %{{.*}}, %[[B]]
// CHECK: %[[ROWS:.*]] = arith.muli %[[R]], %c4
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[ROWS]])
// CHECK: memref.store %{{.*}}, %{{.*}} : memref<?x4x1xf32>
// CHECK: scf.for
// CHECK: vector.load %{{.*}} : memref<?x4x1x37xf32>, vector<16xf32>
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: scf.for
// CHECK: vector.create_mask
// CHECK: vector.maskedload
// CHECK: arith.select
// CHECK: vector.reduction <maximumf>
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: vector.reduction <add>, {{.*}} fastmath<reassoc>
// CHECK: arith.divf {{.*}} : vector<16xf32>
// CHECK: vector.maskedstore
// CHECK: }
// The deallocation of a buffer the loop reads moves after it.
// CHECK: memref.dealloc
// CHECK-NOT: linalg.
// AVX2-LABEL: func @softmax
// AVX2: vector.reduction <maximumf>, {{.*}} : vector<8xf32>
func.func @softmax(%x: memref<?x4x37xf32>, %y: memref<?x4x37xf32>) {
  %c0 = arith.constant 0 : index
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %b = memref.dim %x, %c0 : memref<?x4x37xf32>
  %mflat = memref.alloc(%b) : memref<?x4xf32>
  %m = memref.expand_shape %mflat [[0], [1, 2]] output_shape [%b, 4, 1] : memref<?x4xf32> into memref<?x4x1xf32>
  %shared = memref.alloc(%b) : memref<?x4x1xf32>
  linalg.fill ins(%ninf : f32) outs(%shared : memref<?x4x1xf32>)
  memref.copy %shared, %m : memref<?x4x1xf32> to memref<?x4x1xf32>
  %x4 = memref.expand_shape %x [[0], [1, 2], [3]] output_shape [%b, 4, 1, 37] : memref<?x4x37xf32> into memref<?x4x1x37xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x4 : memref<?x4x1x37xf32>) outs(%m : memref<?x4x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %out : f32
    linalg.yield %0 : f32
  }
  %e = memref.alloc(%b) : memref<?x4x37xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %m : memref<?x4x37xf32>, memref<?x4x1xf32>) outs(%e : memref<?x4x37xf32>) {
  ^bb0(%in: f32, %mx: f32, %out: f32):
    %0 = arith.subf %in, %mx : f32
    %1 = math.exp %0 : f32
    linalg.yield %1 : f32
  }
  %s = memref.alloc(%b) : memref<?x4x1xf32>
  linalg.fill ins(%zero : f32) outs(%s : memref<?x4x1xf32>)
  %e4 = memref.expand_shape %e [[0], [1, 2], [3]] output_shape [%b, 4, 1, 37] : memref<?x4x37xf32> into memref<?x4x1x37xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%e4 : memref<?x4x1x37xf32>) outs(%s : memref<?x4x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  }
  memref.dealloc %mflat : memref<?x4xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%e, %s : memref<?x4x37xf32>, memref<?x4x1xf32>) outs(%y : memref<?x4x37xf32>) {
  ^bb0(%in: f32, %sum: f32, %out: f32):
    %0 = arith.divf %in, %sum : f32
    linalg.yield %0 : f32
  }
  memref.dealloc %e : memref<?x4x37xf32>
  return
}

// -----

// Layer normalization's statistics and per-row scalar ops (mean, 1/sqrt):
// per-row ops run as scalars, the scale and shift (read along the
// columns) as vectors. Rows of 3 elements: only the masked tail.
// CHECK-LABEL: func @layer_norm_tiny_rows
// CHECK-NOT: linalg.
// CHECK: scf.parallel
// CHECK: vector.reduction <add>
// CHECK: arith.divf %{{.*}} : f32
// CHECK: vector.reduction <add>
// CHECK: math.sqrt %{{.*}} : f32
// CHECK: vector.load %{{.*}} : memref<3xf32>, vector<16xf32>
// CHECK-NOT: linalg.
func.func @layer_norm_tiny_rows(%x: memref<5x3xf32>, %g: memref<3xf32>, %y: memref<5x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 3.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %one = arith.constant 1.0 : f32
  %sum = memref.alloc() : memref<5x1xf32>
  linalg.fill ins(%zero : f32) outs(%sum : memref<5x1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : memref<5x3xf32>) outs(%sum : memref<5x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  }
  %mean = memref.alloc() : memref<5x1xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%sum : memref<5x1xf32>) outs(%mean : memref<5x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.divf %in, %n : f32
    linalg.yield %0 : f32
  }
  %var = memref.alloc() : memref<5x1xf32>
  linalg.fill ins(%zero : f32) outs(%var : memref<5x1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, 0)>, affine_map<(d0, d1, d2) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %mean : memref<5x3xf32>, memref<5x1xf32>) outs(%var : memref<5x1xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %0 = arith.subf %in, %m : f32
    %1 = arith.mulf %0, %0 : f32
    %2 = arith.addf %out, %1 : f32
    linalg.yield %2 : f32
  }
  %rstd = memref.alloc() : memref<5x1xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%var : memref<5x1xf32>) outs(%rstd : memref<5x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.divf %in, %n : f32
    %1 = arith.addf %0, %eps : f32
    %2 = math.sqrt %1 : f32
    %3 = arith.divf %one, %2 : f32
    linalg.yield %3 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, 0)>,
                                   affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %mean, %rstd, %g : memref<5x3xf32>, memref<5x1xf32>, memref<5x1xf32>, memref<3xf32>) outs(%y : memref<5x3xf32>) {
  ^bb0(%in: f32, %m: f32, %r: f32, %gi: f32, %out: f32):
    %0 = arith.subf %in, %m : f32
    %1 = arith.mulf %0, %r : f32
    %2 = arith.mulf %1, %gi : f32
    linalg.yield %2 : f32
  }
  return
}

// -----

// A reduction over a non-innermost axis stays as it is, and so does a run
// without a reduction.
// CHECK-LABEL: func @untouched
// CHECK: linalg.fill
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK-NOT: scf.parallel
// CHECK-NOT: vector.
func.func @untouched(%x: memref<6x40xf32>, %s: memref<40xf32>, %y: memref<6x40xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%s : memref<40xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<6x40xf32>) outs(%s : memref<40xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<6x40xf32>) outs(%y : memref<6x40xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.exp %in : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// The second op reads the first one's result across rows (a column of
// sums broadcast along rows): they are not fused; the reduction alone
// still becomes a vectorized loop.
// CHECK-LABEL: func @cross_row
// CHECK: scf.parallel
// CHECK: vector.reduction <add>
// CHECK: }
// CHECK: linalg.generic
func.func @cross_row(%x: memref<40x40xf32>, %s: memref<40xf32>, %y: memref<40x40xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<40x40xf32>) outs(%s : memref<40xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %s : memref<40x40xf32>, memref<40xf32>) outs(%y : memref<40x40xf32>) {
  ^bb0(%in: f32, %c: f32, %out: f32):
    %0 = arith.divf %in, %c : f32
    linalg.yield %0 : f32
  }
  return
}
