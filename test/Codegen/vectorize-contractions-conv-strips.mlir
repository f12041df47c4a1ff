// RUN: kiln-opt %s --kiln-vectorize-contractions -split-input-file | FileCheck %s
// Convolutions whose filter kiln-fold-constant-transposes packed in strips
// of output channels, [F / S, C, KH, KW, S], on the channel-vector kernel:
// each micro-kernel loads its 2 vectors of channels from one strip
// (indices f floordiv S and f mod S, computed outside the reduction), and
// the pixel rows run in blocks chosen for the static image with one tail
// kernel for the remainder instead of single pixels.

// 7x7 = 49 pixels (AVX-512, at most 12 per kernel): blocks of 11 (22
// accumulators) in tiles of 99 pixels, then one kernel of the 5 left (10
// accumulators) when the tile has them.
// CHECK-LABEL: func @strips_7x7
// CHECK: scf.parallel
// CHECK: scf.for %[[F:.*]] = %{{.*}} step %c32
// CHECK: arith.remui %[[F]], %c32
// CHECK: arith.divui %[[F]], %c32
// CHECK: scf.for %{{.*}} step %c11
// CHECK: scf.for %[[C:.*]] = %c0{{.*}} to %c8
// CHECK: scf.for %[[KH:.*]] = %c0{{.*}} to %c3
// CHECK: scf.for %[[KW:.*]] = %c0{{.*}} to %c3
// CHECK: vector.load %arg1[%{{.*}}, %[[C]], %[[KH]], %[[KW]], %{{.*}}] : memref<1x8x3x3x32xf32>, vector<16xf32>
// CHECK: vector.load %arg1[{{.*}}] : memref<1x8x3x3x32xf32>, vector<16xf32>
// CHECK-COUNT-22: vector.fma
// CHECK-NOT: vector.fma
// CHECK: scf.yield
// The 2 vectors of 16 channels x 11 pixels are transposed in registers (4
// rounds of 16 shuffles each) and stored as one masked row segment per
// channel; a block that wraps onto the next rows (up to 3 of width 7) stores
// one segment per row through a flat view of the output.
// CHECK-NOT: vector.scatter
// CHECK-COUNT-128: vector.shuffle
// CHECK: memref.reinterpret_cast
// CHECK: %[[IN_ROW:.*]] = arith.cmpi ult
// CHECK: scf.if %[[IN_ROW]] {
// CHECK-COUNT-32: vector.maskedstore
// CHECK: } else {
// CHECK: vector.create_mask
// CHECK-COUNT-96: vector.maskedstore
// CHECK-NOT: vector.maskedstore
// CHECK: }
// CHECK: %[[LEFT:.*]] = arith.cmpi ult
// CHECK: scf.if %[[LEFT]] {
// CHECK: vector.load %arg1[{{.*}}] : memref<1x8x3x3x32xf32>, vector<16xf32>
// CHECK: vector.load %arg1[{{.*}}] : memref<1x8x3x3x32xf32>, vector<16xf32>
// CHECK-COUNT-10: vector.fma
// CHECK-NOT: vector.fma
// CHECK: scf.yield
// CHECK-NOT: vector.scatter
// CHECK-COUNT-128: vector.shuffle
// CHECK: scf.if
// CHECK-COUNT-32: vector.maskedstore
// CHECK: } else {
// CHECK-COUNT-64: vector.maskedstore
// CHECK-NOT: vector.maskedstore
// CHECK: }
func.func @strips_7x7(%x: memref<1x8x9x9xf32>, %w: memref<1x8x3x3x32xf32>,
                      %c: memref<1x32x7x7xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1 floordiv 32, d4, d5, d6, d1 mod 32)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : memref<1x8x9x9xf32>, memref<1x8x3x3x32xf32>) outs(%c : memref<1x32x7x7xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Strips of 8 channels, narrower than a vector of 16: not the
// channel-vector kernel; the width kernel reads each channel's weight as a
// scalar through the strip and the lane.
// CHECK-LABEL: func @narrow_strips
// CHECK-NOT: vector.scatter
// CHECK: arith.remui %{{.*}}, %c8
// CHECK: memref.load %arg1[{{.*}}] : memref<2x16x3x3x8xf32>
// CHECK-NOT: vector.scatter
func.func @narrow_strips(%x: memref<1x16x9x9xf32>, %w: memref<2x16x3x3x8xf32>,
                         %c: memref<1x16x7x7xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1 floordiv 8, d4, d5, d6, d1 mod 8)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : memref<1x16x9x9xf32>, memref<2x16x3x3x8xf32>) outs(%c : memref<1x16x7x7xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// A filter map that is not a strip packing (floordiv and mod of different
// widths): not a convolution the kernels take; the op stays.
// CHECK-LABEL: func @mismatched_strips
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
func.func @mismatched_strips(%x: memref<1x16x9x9xf32>, %w: memref<2x16x3x3x8xf32>,
                             %c: memref<1x16x7x7xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1 floordiv 16, d4, d5, d6, d1 mod 8)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : memref<1x16x9x9xf32>, memref<2x16x3x3x8xf32>) outs(%c : memref<1x16x7x7xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// 128 channels at 7x7 (one pixel tile): channel tiles of one strip of 32,
// so that the image is 4 parallel tiles rather than 1 (two threads used to
// wait on each other's single tile). At 14x14 (three pixel tiles) and 512
// channels, channel tiles of 128: 12 tiles rather than 6.
// CHECK-LABEL: func @balanced_tiles
// CHECK: arith.ceildivui %c128, %c32
// CHECK: arith.ceildivui %{{.*}}, %c99
// CHECK: scf.parallel
// CHECK: arith.ceildivui %c512, %c128
// CHECK: arith.ceildivui %{{.*}}, %c96
// CHECK: scf.parallel
func.func @balanced_tiles(%x: memref<1x8x9x9xf32>, %w: memref<4x8x3x3x32xf32>,
                          %c: memref<1x128x7x7xf32>,
                          %x2: memref<1x8x16x16xf32>,
                          %w2: memref<16x8x3x3x32xf32>,
                          %c2: memref<1x512x14x14xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1 floordiv 32, d4, d5, d6, d1 mod 32)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : memref<1x8x9x9xf32>, memref<4x8x3x3x32xf32>) outs(%c : memref<1x128x7x7xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1 floordiv 32, d4, d5, d6, d1 mod 32)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x2, %w2 : memref<1x8x16x16xf32>, memref<16x8x3x3x32xf32>) outs(%c2 : memref<1x512x14x14xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// A filter of 1 MB or more comes from memory on every run: each step of the
// input-channel loop prefetches a share of the next strip, the tile's 5
// pixel blocks (49 = 4 x 11 + 5) each taking a fifth of its 256 channel
// rows (288 elements each: 58 elements, so 5 lines from each step's start)
// through a flat view of the filter, clamped to its last element. A small
// filter gets none.
// CHECK-LABEL: func @no_prefetch
// CHECK-NOT: memref.prefetch
// CHECK: return
// CHECK-LABEL: func @prefetch_next_strip
// CHECK: scf.parallel
// CHECK: %[[FLAT:.*]] = memref.reinterpret_cast %arg1 to offset: [0], sizes: [294912], strides: [1] : memref<4x256x3x3x32xf32> to memref<294912xf32>
// CHECK: scf.for %[[C:.*]] = %c0{{.*}} to %c256
// CHECK: arith.muli %{{.*}}, %c288
// CHECK: arith.divui %{{.*}}, %c5
// CHECK-COUNT-5: memref.prefetch %[[FLAT]][%{{.*}}], read, locality<3>, data : memref<294912xf32>
// CHECK-NOT: memref.prefetch
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c3
// CHECK-COUNT-22: vector.fma
func.func @no_prefetch(%x: memref<1x8x9x9xf32>, %w: memref<1x8x3x3x32xf32>,
                       %c: memref<1x32x7x7xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1 floordiv 32, d4, d5, d6, d1 mod 32)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : memref<1x8x9x9xf32>, memref<1x8x3x3x32xf32>) outs(%c : memref<1x32x7x7xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}
func.func @prefetch_next_strip(%x: memref<1x256x9x9xf32>,
                               %w: memref<4x256x3x3x32xf32>,
                               %c: memref<1x128x7x7xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1 floordiv 32, d4, d5, d6, d1 mod 32)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : memref<1x256x9x9xf32>, memref<4x256x3x3x32xf32>) outs(%c : memref<1x128x7x7xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}
