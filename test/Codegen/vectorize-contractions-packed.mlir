// RUN: kiln-opt %s --kiln-vectorize-contractions -split-input-file -verify-diagnostics | FileCheck %s
// RUN: kiln-opt %s --kiln-vectorize-contractions="vector-bits=256" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=AVX2
// RUN: kiln-opt %s --kiln-vectorize-contractions="k-block=0" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=NOKB
// Matmuls whose B kiln-pack-matmul-weights laid out in panels
// [ceil(N / NR), K, NR], read through (n floordiv NR, k, n mod NR): the
// kernel loads B from the panel of its strip without masks (the last panel
// is zero-padded) and keeps masked stores for the columns past N.

// N = 70 in panels of 64 (AVX-512: 4 vectors of 16): one full strip, then
// a masked tail vector; rows 6 at a time, then single rows. C is one tile
// (fewer than 4), so tiles are one strip wide (a select picks 64 over 256).
// CHECK-LABEL: func @packed_tail
// CHECK-NOT: linalg.generic
// CHECK: %[[FEW:.*]] = arith.cmpi ult, %{{.*}}, %c4
// CHECK: arith.select %[[FEW]], %c64, %c256
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK-COUNT-4: vector.load %{{.*}} : memref<2x30x64xf32>, vector<16xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: vector.create_mask
// CHECK-NOT: vector.maskedload {{.*}} memref<2x30x64xf32>
// CHECK: vector.load %{{.*}} : memref<2x30x64xf32>, vector<16xf32>
// CHECK: vector.maskedstore {{.*}} : memref<20x70xf32>
// With 8 lanes the kernel's strip is 32 columns, not the panel's 64: the
// generic is left for the loop lowering (same result, no kernel).
// AVX2-LABEL: func @packed_tail
// AVX2: linalg.generic
// AVX2-NOT: vector.fma
func.func @packed_tail(%a: memref<20x30xf32>, %b: memref<2x30x64xf32>,
                       %out: memref<20x70xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<20x70xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, k)>,
                                   affine_map<(i, j, k) -> (j floordiv 64, k, j mod 64)>,
                                   affine_map<(i, j, k) -> (i, j)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<20x30xf32>, memref<2x30x64xf32>)
      outs(%out : memref<20x70xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Panels of 32 for AVX2 (4 vectors of 8 lanes); a rank-3 A (x[b, s, k]
// against the panels, b looped like a batch), a bias + relu consumer fused
// into the kernel's registers.
// CHECK-LABEL: func @packed_rank3_avx2
// CHECK: linalg.generic
// AVX2-LABEL: func @packed_rank3_avx2
// AVX2-NOT: linalg.
// AVX2: scf.parallel
// AVX2-COUNT-4: vector.load %{{.*}} : memref<3x16x32xf32>, vector<8xf32>
// AVX2: vector.fma {{.*}} : vector<8xf32>
// AVX2: arith.maximumf {{.*}} : vector<8xf32>
// AVX2: vector.store {{.*}} : memref<2x5x96xf32>, vector<8xf32>
// AVX2-NOT: linalg.
func.func @packed_rank3_avx2(%x: memref<2x5x16xf32>, %w: memref<3x16x32xf32>,
                             %bias: memref<96xf32>, %out: memref<2x5x96xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<2x5x96xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<2x5x96xf32>)
  linalg.generic {indexing_maps = [affine_map<(b, s, n, k) -> (b, s, k)>,
                                   affine_map<(b, s, n, k) -> (n floordiv 32, k, n mod 32)>,
                                   affine_map<(b, s, n, k) -> (b, s, n)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<2x5x16xf32>, memref<3x16x32xf32>)
      outs(%c : memref<2x5x96xf32>) {
  ^bb0(%in: f32, %wt: f32, %o: f32):
    %m = arith.mulf %in, %wt : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(b, s, n) -> (b, s, n)>,
                                   affine_map<(b, s, n) -> (n)>,
                                   affine_map<(b, s, n) -> (b, s, n)>],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%c, %bias : memref<2x5x96xf32>, memref<96xf32>)
      outs(%out : memref<2x5x96xf32>) {
  ^bb0(%v: f32, %bb: f32, %o: f32):
    %s = arith.addf %v, %bb : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  memref.dealloc %c : memref<2x5x96xf32>
  return
}

// -----

// A generic whose B map divides n but whose body is not a multiply-add is
// not a matmul: it is left alone.
// CHECK-LABEL: func @packed_not_matmul
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
// AVX2-LABEL: func @packed_not_matmul
// AVX2: linalg.generic
func.func @packed_not_matmul(%a: memref<4x8xf32>, %b: memref<1x8x64xf32>,
                             %out: memref<4x64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, k)>,
                                   affine_map<(i, j, k) -> (j floordiv 64, k, j mod 64)>,
                                   affine_map<(i, j, k) -> (i, j)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<1x8x64xf32>)
      outs(%out : memref<4x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.subf %x, %y : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A reduction of 300 (over k-block=128) runs in blocks of 128 around the
// strips and rows: the fill's value starts the first block, C holds the
// partial sums, the bias epilogue runs after the last block only.
// CHECK-LABEL: func @k_blocks
// CHECK: scf.parallel
// CHECK: scf.for %[[KB:.*]] = %c0 to %c300 step %c128
// CHECK: %[[HI:.*]] = arith.minui
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[KB]], %c0
// CHECK: %[[LAST:.*]] = arith.cmpi eq, %[[HI]], %c300
// CHECK: scf.if %[[FIRST]] -> (vector<16xf32>
// CHECK: } else {
// CHECK: vector.load %{{.*}} : memref<12x64xf32>, vector<16xf32>
// CHECK: scf.for %{{.*}} = %[[KB]] to %[[HI]] step %c1
// CHECK: vector.fma
// CHECK: scf.if %[[LAST]] {
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}} : memref<12x64xf32>, vector<16xf32>
// CHECK: } else {
// CHECK: vector.store {{.*}} : memref<12x64xf32>, vector<16xf32>
// NOKB-LABEL: func @k_blocks
// NOKB-NOT: scf.if
// NOKB: scf.for %{{.*}} = %c0{{[_0-9]*}} to %c300 step %c1
// NOKB-NOT: scf.if
// AVX2-LABEL: func @k_blocks
// AVX2: scf.for %{{.*}} = %c0 to %c300 step %c128
func.func @k_blocks(%a: memref<12x300xf32>, %b: memref<300x64xf32>,
                    %bias: memref<64xf32>, %out: memref<12x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<12x64xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<12x64xf32>)
  linalg.matmul ins(%a, %b : memref<12x300xf32>, memref<300x64xf32>)
                outs(%c : memref<12x64xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (j)>,
                                   affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c, %bias : memref<12x64xf32>, memref<64xf32>)
      outs(%out : memref<12x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.dealloc %c : memref<12x64xf32>
  return
}
