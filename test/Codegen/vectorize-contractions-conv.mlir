// RUN: kiln-opt %s --kiln-vectorize-contractions -split-input-file -verify-diagnostics | FileCheck %s
// Convolution kernels of kiln-vectorize-contractions: 1x1 stride-1
// convolutions on collapsible buffers run over flattened pixels, stride-2
// rows read contiguous loads and a shuffle, and what stays as it was.

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
