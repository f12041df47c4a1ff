// RUN: kiln-opt %s --kiln-vectorize-contractions -split-input-file -verify-diagnostics | FileCheck %s
// Convolution kernels of kiln-vectorize-contractions: 1x1 stride-1
// convolutions on collapsible buffers run over flattened pixels (unless the
// image is under 8 vectors of pixels and the channels are whole vectors),
// storing into a padded buffer's interior row by row; stride-2 rows read
// contiguous loads and a shuffle; and what stays as it was.

// 1x1, 24 output channels (not whole vectors), 5x7 = 35 pixels: the input,
// the accumulator and the fused residual are collapsed to [N, C, 35], vectors
// run along the pixels with a masked tail, no scatters; the relu and the add
// run in registers.
// CHECK-LABEL: func @flat_1x1
// CHECK-DAG: memref.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : memref<1x8x5x7xf32> into memref<1x8x35xf32>
// CHECK-DAG: memref.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : memref<1x24x5x7xf32> into memref<1x24x35xf32>
// CHECK: scf.parallel
// CHECK: vector.load %{{.*}} : memref<1x8x35xf32>, vector<16xf32>
// CHECK: vector.fma
// CHECK: vector.maskedload %{{.*}} : memref<1x8x35xf32>
// CHECK-NOT: vector.scatter
// CHECK-NOT: linalg.
func.func @flat_1x1(%x: memref<1x8x5x7xf32>, %w: memref<24x8x1x1xf32>,
                    %r: memref<1x24x5x7xf32>, %out: memref<1x24x5x7xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<1x24x5x7xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<1x24x5x7xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>,
                            strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x8x5x7xf32>, memref<24x8x1x1xf32>)
      outs(%c : memref<1x24x5x7xf32>)
  linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (n, f, h, w)>,
                                   affine_map<(n, f, h, w) -> (n, f, h, w)>,
                                   affine_map<(n, f, h, w) -> (n, f, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%c, %r : memref<1x24x5x7xf32>, memref<1x24x5x7xf32>)
      outs(%out : memref<1x24x5x7xf32>) {
  ^bb0(%v: f32, %s: f32, %o: f32):
    %a = arith.addf %v, %s : f32
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  }
  memref.dealloc %c : memref<1x24x5x7xf32>
  return
}

// -----

// The input is the interior of a padded buffer (rows 9 apart, 7 wide): it
// does not collapse, so the kernel keeps one output row per iteration.
// CHECK-LABEL: func @flat_1x1_strided_input
// CHECK-NOT: memref.collapse_shape
// CHECK: scf.parallel
// CHECK: vector.maskedload %{{.*}} : memref<1x8x5x7xf32, strided<[504, 63, 9, 1], offset: 10>>
// CHECK: vector.fma
func.func @flat_1x1_strided_input(%p: memref<1x8x7x9xf32>,
                                  %w: memref<24x8x1x1xf32>,
                                  %out: memref<1x24x5x7xf32>) {
  %x = memref.subview %p[0, 0, 1, 1] [1, 8, 5, 7] [1, 1, 1, 1]
      : memref<1x8x7x9xf32> to memref<1x8x5x7xf32, strided<[504, 63, 9, 1], offset: 10>>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>,
                            strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x8x5x7xf32, strided<[504, 63, 9, 1], offset: 10>>,
                   memref<24x8x1x1xf32>)
      outs(%out : memref<1x24x5x7xf32>)
  return
}

// -----

// Stride-2 depthwise: the even elements of two masked loads, no gather.
// CHECK-LABEL: func @depthwise_s2
// CHECK-NOT: vector.gather
// CHECK: scf.parallel
// CHECK: vector.maskedload %{{.*}} : memref<1x8x11x35xf32>
// CHECK: vector.maskedload %{{.*}} : memref<1x8x11x35xf32>
// CHECK: vector.shuffle
// CHECK: vector.fma
func.func @depthwise_s2(%x: memref<1x8x11x35xf32>, %w: memref<8x3x3xf32>,
                        %o: memref<1x8x5x17xf32>) {
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>,
                                     strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : memref<1x8x11x35xf32>, memref<8x3x3xf32>)
      outs(%o : memref<1x8x5x17xf32>)
  return
}

// -----

// Stride 3 keeps the gathers; a 1x1 with stride 2 is not flattened.
// CHECK-LABEL: func @strided_gathers
// CHECK: vector.gather
// CHECK-NOT: memref.collapse_shape
func.func @strided_gathers(%x: memref<1x8x11x35xf32>, %w: memref<8x3x3xf32>,
                           %o: memref<1x8x3x11xf32>, %w1: memref<24x8x1x1xf32>,
                           %o1: memref<1x24x6x18xf32>) {
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>,
                                     strides = dense<3> : tensor<2xi64>}
      ins(%x, %w : memref<1x8x11x35xf32>, memref<8x3x3xf32>)
      outs(%o : memref<1x8x3x11xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>,
                            strides = dense<2> : tensor<2xi64>}
      ins(%x, %w1 : memref<1x8x11x35xf32>, memref<24x8x1x1xf32>)
      outs(%o1 : memref<1x24x6x18xf32>)
  return
}

// -----

// A 1x1 on a 12x12 image (144 pixels: 9 vectors) with a channels-last
// filter: whole vectors of output channels and a narrow image, but enough
// pixels to run flattened rather than along channels (no scatters). The
// Clip writes the interior of a padded buffer (rows 14 apart), which does
// not collapse: each output vector is stored one image row at a time, a
// masked store per row, the rows after the first only where the vector
// reaches them.
// CHECK-LABEL: func @flat_1x1_rowed_output
// CHECK-DAG: memref.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : memref<1x32x12x12xf32> into memref<1x32x144xf32>
// CHECK: scf.parallel
// CHECK: vector.fma
// CHECK: arith.minimumf
// CHECK: vector.maskedstore %{{.*}} : memref<1x32x12x12xf32, strided<[6272, 196, 14, 1], offset: 15>>
// CHECK: scf.if
// CHECK-NEXT: vector.maskedstore %{{.*}} : memref<1x32x12x12xf32, strided<[6272, 196, 14, 1], offset: 15>>
// CHECK-NOT: vector.scatter
// CHECK-NOT: linalg.
func.func @flat_1x1_rowed_output(%x: memref<1x32x12x12xf32>,
                                 %w: memref<32x1x1x32xf32>,
                                 %p: memref<1x32x14x14xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %c = memref.alloc() : memref<1x32x12x12xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<1x32x12x12xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d1)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : memref<1x32x12x12xf32>, memref<32x1x1x32xf32>) outs(%c : memref<1x32x12x12xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  %interior = memref.subview %p[0, 0, 1, 1] [1, 32, 12, 12] [1, 1, 1, 1]
      : memref<1x32x14x14xf32> to memref<1x32x12x12xf32, strided<[6272, 196, 14, 1], offset: 15>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : memref<1x32x12x12xf32>) outs(%interior : memref<1x32x12x12xf32, strided<[6272, 196, 14, 1], offset: 15>>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %zero : f32
    %1 = arith.minimumf %0, %six : f32
    linalg.yield %1 : f32
  }
  memref.dealloc %c : memref<1x32x12x12xf32>
  return
}

// -----

// The same at 7x7 (49 pixels, the last of 4 vectors 1/16 used): along the
// output channels, transposed in registers and stored as row segments.
// CHECK-LABEL: func @pointwise_7x7_channels
// CHECK-NOT: memref.collapse_shape
// CHECK: scf.parallel
// CHECK: vector.fma
// CHECK: vector.shuffle
// CHECK: vector.maskedstore
func.func @pointwise_7x7_channels(%x: memref<1x32x7x7xf32>,
                                  %w: memref<32x1x1x32xf32>,
                                  %c: memref<1x32x7x7xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d1)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : memref<1x32x7x7xf32>, memref<32x1x1x32xf32>) outs(%c : memref<1x32x7x7xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// A flattened 1x1 whose accumulator an initializer fills with a broadcast
// bias: the kernel starts from the bias itself (a scalar per output
// channel, the kernel's rows), and the initializer's pass over C goes.
memref.global "private" constant @bias : memref<24x1x1xf32> = dense<0.5>
// CHECK-LABEL: func @flat_1x1_bias
// CHECK: %[[B:.*]] = memref.get_global @bias
// CHECK: scf.parallel
// CHECK: memref.load %[[B]]
// CHECK: vector.broadcast
// CHECK: vector.fma
// CHECK: arith.maximumf
// CHECK-NOT: linalg.
func.func @flat_1x1_bias(%x: memref<1x8x5x7xf32>, %w: memref<24x8x1x1xf32>,
                         %out: memref<1x24x5x7xf32>) {
  %zero = arith.constant 0.0 : f32
  %b = memref.get_global @bias : memref<24x1x1xf32>
  %c = memref.alloc() : memref<1x24x5x7xf32>
  linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (f, 0, 0)>,
                                   affine_map<(n, f, h, w) -> (n, f, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%b : memref<24x1x1xf32>) outs(%c : memref<1x24x5x7xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>,
                            strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x8x5x7xf32>, memref<24x8x1x1xf32>)
      outs(%c : memref<1x24x5x7xf32>)
  linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (n, f, h, w)>,
                                   affine_map<(n, f, h, w) -> (n, f, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%c : memref<1x24x5x7xf32>) outs(%out : memref<1x24x5x7xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  memref.dealloc %c : memref<1x24x5x7xf32>
  return
}
