// RUN: kiln-opt %s --kiln-vectorize-contractions -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-vectorize-contractions=vector-bits=256 -split-input-file | FileCheck %s --check-prefix=AVX2
// The depthwise plane kernel of kiln-vectorize-contractions: one channel
// (and a block of output rows) per parallel iteration, the channel's taps
// loaded and broadcast once, micro-kernels of several output rows x one
// vector along the width that load each input row once for all the output
// rows that read it, the fill, a per-channel bias and the Clip consumer
// fused; and what stays on the generic width kernel.

// 3x3 stride 1, 14 output rows of 28: micro-kernels of 7 rows (a divisor
// of 14), so 9 input rows x 3 filter columns = 27 loads feed 63 FMAs (with
// AVX2's 16 registers, 4 rows: 18 loads); the 12-wide tail of each row is
// masked. The zero fill starts the accumulators and the Clip runs in
// registers.
// CHECK-LABEL: func @depthwise_planes
// CHECK-NOT: linalg.fill
// CHECK: scf.parallel
// CHECK-COUNT-9: vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK: scf.for
// CHECK: scf.for
// CHECK-COUNT-27: vector.load %{{.*}} : memref<1x8x16x30xf32>, vector<16xf32>
// CHECK-NOT: vector.load %{{.*}} : memref<1x8x16x30xf32>
// CHECK: arith.maximumf %{{.*}} : vector<16xf32>
// CHECK: arith.minimumf %{{.*}} : vector<16xf32>
// CHECK: vector.store %{{.*}} : memref<1x8x14x28xf32>, vector<16xf32>
// CHECK: vector.maskedload %{{.*}} : memref<1x8x16x30xf32>
// CHECK: vector.maskedstore %{{.*}} : memref<1x8x14x28xf32>
// CHECK-NOT: vector.gather
// CHECK-NOT: linalg.
// AVX2-LABEL: func @depthwise_planes
// AVX2: scf.parallel
// AVX2-COUNT-9: vector.broadcast %{{.*}} : f32 to vector<8xf32>
// AVX2: scf.for
// AVX2: scf.for
// AVX2-COUNT-18: vector.load %{{.*}} : memref<1x8x16x30xf32>, vector<8xf32>
// AVX2-NOT: vector.load %{{.*}} : memref<1x8x16x30xf32>
// AVX2: vector.store
func.func @depthwise_planes(%x: memref<1x8x16x30xf32>, %w: memref<8x3x3xf32>,
                            %y: memref<1x8x14x28xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %c = memref.alloc() : memref<1x8x14x28xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<1x8x14x28xf32>)
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>,
                                     strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x8x16x30xf32>, memref<8x3x3xf32>)
      outs(%c : memref<1x8x14x28xf32>)
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>,
                                   affine_map<(n, c, h, w) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%c : memref<1x8x14x28xf32>) outs(%y : memref<1x8x14x28xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    %n = arith.minimumf %m, %six : f32
    linalg.yield %n : f32
  }
  memref.dealloc %c : memref<1x8x14x28xf32>
  return
}

// -----

// A bias broadcast into the accumulator (what the lowering makes of a
// Conv's bias): read once per channel, no pass over C. Stride 2 on a
// 5-row output: one micro-kernel of 5 rows reads 11 input rows, each as
// two contiguous loads (the second masked to the 15 elements needed) and
// their even and odd elements: filter columns 0 and 2 share the even ones
// of loads 2 elements apart.
// CHECK-LABEL: func @depthwise_bias_s2
// CHECK-NOT: linalg.generic
// CHECK: scf.parallel
// CHECK: memref.load %{{.*}} : memref<8xf32>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.load %{{.*}} : memref<1x8x11x35xf32>, vector<16xf32>
// CHECK: vector.maskedload %{{.*}} : memref<1x8x11x35xf32>
// CHECK: vector.shuffle
// CHECK: vector.shuffle
// CHECK: vector.fma
// CHECK-NOT: vector.gather
// CHECK-NOT: linalg.
memref.global "private" constant @bias : memref<8xf32> = dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]>
func.func @depthwise_bias_s2(%x: memref<1x8x11x35xf32>, %w: memref<8x3x3xf32>,
                             %y: memref<1x8x5x17xf32>) {
  %zero = arith.constant 0.0 : f32
  %b = memref.get_global @bias : memref<8xf32>
  %c = memref.alloc() : memref<1x8x5x17xf32>
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (c)>,
                                   affine_map<(n, c, h, w) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%b : memref<8xf32>) outs(%c : memref<1x8x5x17xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>,
                                     strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : memref<1x8x11x35xf32>, memref<8x3x3xf32>)
      outs(%c : memref<1x8x5x17xf32>)
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>,
                                   affine_map<(n, c, h, w) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%c : memref<1x8x5x17xf32>) outs(%y : memref<1x8x5x17xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  memref.dealloc %c : memref<1x8x5x17xf32>
  return
}

// -----

// A 7x7 filter (49 taps, too many to hold in registers) and stride 3 stay
// on the generic width kernel: loops over the filter rows and columns, and
// gathers for stride 3.
// CHECK-LABEL: func @depthwise_generic
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.fma
// CHECK: vector.gather
func.func @depthwise_generic(%x: memref<1x8x20x20xf32>, %w7: memref<8x7x7xf32>,
                             %o7: memref<1x8x14x14xf32>, %w: memref<8x3x3xf32>,
                             %o3: memref<1x8x6x6xf32>) {
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>,
                                     strides = dense<1> : tensor<2xi64>}
      ins(%x, %w7 : memref<1x8x20x20xf32>, memref<8x7x7xf32>)
      outs(%o7 : memref<1x8x14x14xf32>)
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>,
                                     strides = dense<3> : tensor<2xi64>}
      ins(%x, %w : memref<1x8x20x20xf32>, memref<8x3x3xf32>)
      outs(%o3 : memref<1x8x6x6xf32>)
  return
}

// -----

// The accumulator's buffer is overwritten later, whole and without being
// read (bufferization reusing it for another result): the consumer still
// fuses, writing the padded buffer's interior, and nothing is stored into
// the accumulator.
// CHECK-LABEL: func @later_overwrite
// CHECK: scf.parallel
// CHECK: vector.fma
// CHECK: arith.maximumf %{{.*}} : vector<16xf32>
// CHECK: vector.maskedstore %{{.*}} : memref<1x8x6x6xf32, strided<[512, 64, 8, 1], offset: 9>>
// CHECK-NOT: vector.maskedstore %{{.*}} : memref<1x8x6x6xf32>,
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : memref<1x8x6x6xf32>)
func.func @later_overwrite(%x: memref<1x8x8x8xf32>, %w: memref<8x3x3xf32>,
                           %pad: memref<1x8x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<1x8x6x6xf32>
  %interior = memref.subview %pad[0, 0, 1, 1] [1, 8, 6, 6] [1, 1, 1, 1]
      : memref<1x8x8x8xf32> to memref<1x8x6x6xf32, strided<[512, 64, 8, 1], offset: 9>>
  linalg.fill ins(%zero : f32) outs(%c : memref<1x8x6x6xf32>)
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>,
                                     strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x8x8x8xf32>, memref<8x3x3xf32>)
      outs(%c : memref<1x8x6x6xf32>)
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>,
                                   affine_map<(n, c, h, w) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%c : memref<1x8x6x6xf32>)
      outs(%interior : memref<1x8x6x6xf32, strided<[512, 64, 8, 1], offset: 9>>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  // Reuses %c for an unrelated result, never reading it.
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      outs(%c : memref<1x8x6x6xf32>) {
  ^bb0(%o: f32):
    linalg.yield %zero : f32
  }
  memref.dealloc %c : memref<1x8x6x6xf32>
  return
}

// -----

// A later op that reads the accumulator: the consumer is not fused (C must
// hold the convolution's result).
// CHECK-LABEL: func @later_read
// CHECK: scf.parallel
// CHECK: vector.fma
// CHECK: linalg.generic
// CHECK: arith.maximumf %{{.*}} : f32
// CHECK: linalg.generic
func.func @later_read(%x: memref<1x8x8x8xf32>, %w: memref<8x3x3xf32>,
                      %y: memref<1x8x6x6xf32>, %z: memref<1x8x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<1x8x6x6xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<1x8x6x6xf32>)
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>,
                                     strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x8x8x8xf32>, memref<8x3x3xf32>)
      outs(%c : memref<1x8x6x6xf32>)
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>,
                                   affine_map<(n, c, h, w) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%c : memref<1x8x6x6xf32>) outs(%y : memref<1x8x6x6xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  // Reads %c (and writes it): what the kernel left there must be the sum.
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>,
                                   affine_map<(n, c, h, w) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%c : memref<1x8x6x6xf32>) outs(%z : memref<1x8x6x6xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  }
  memref.dealloc %c : memref<1x8x6x6xf32>
  return
}
