// RUN: kiln-opt %s --kiln-vectorize-contractions -split-input-file -verify-diagnostics | FileCheck %s
// RUN: kiln-opt %s --kiln-vectorize-contractions="vector-bits=256 rows=4 vectors=2 tile-rows=8 tile-cols=32" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=AVX2
// f32 contractions on buffers become register-tiled vector FMA kernels under
// one flat scf.parallel; a private fill becomes the accumulators' initial
// value and a private elementwise consumer runs on the accumulators.

// A matmul into a private buffer, zeroed by a fill and read once by a bias +
// relu generic: everything becomes one kernel writing the generic's output.
// CHECK-LABEL: func @matmul_bias_relu
// CHECK-NOT: linalg.
// CHECK: scf.parallel
// CHECK: vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK: scf.for {{.*}} iter_args
// CHECK-COUNT-4: vector.load %{{.*}} : memref<30x40xf32>, vector<16xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}} : memref<20x40xf32>, vector<16xf32>
// The columns past the last full strip use masked loads and stores.
// CHECK: vector.create_mask
// CHECK: vector.maskedload
// CHECK: vector.maskedstore
// CHECK-NOT: linalg.
// AVX2-LABEL: func @matmul_bias_relu
// AVX2: vector.fma {{.*}} : vector<8xf32>
func.func @matmul_bias_relu(%a: memref<20x30xf32>, %b: memref<30x40xf32>,
                            %bias: memref<40xf32>, %out: memref<20x40xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<20x40xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<20x40xf32>)
  linalg.matmul ins(%a, %b : memref<20x30xf32>, memref<30x40xf32>)
                outs(%c : memref<20x40xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (j)>,
                                   affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c, %bias : memref<20x40xf32>, memref<40xf32>)
      outs(%out : memref<20x40xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  memref.dealloc %c : memref<20x40xf32>
  return
}

// -----

// The accumulator is an argument (visible to the caller): the fill stays,
// and the kernel starts from what C holds.
// CHECK-LABEL: func @matmul_into_argument
// CHECK: linalg.fill
// CHECK-NOT: linalg.matmul
// CHECK: scf.parallel
// CHECK: vector.load %{{.*}} : memref<8x64xf32>, vector<16xf32>
// CHECK: vector.fma
func.func @matmul_into_argument(%a: memref<8x4xf32>, %b: memref<4x64xf32>,
                                %c: memref<8x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<8x64xf32>)
  linalg.matmul ins(%a, %b : memref<8x4xf32>, memref<4x64xf32>)
                outs(%c : memref<8x64xf32>)
  return
}

// -----

// A batched, dynamically sized matmul-like generic: the batch loop folds
// into the flat parallel loop.
// CHECK-LABEL: func @batch_generic
// CHECK-NOT: linalg.generic
// CHECK: arith.ceildivui
// CHECK: scf.parallel
// CHECK: vector.fma
func.func @batch_generic(%a: memref<?x?x?xf32>, %b: memref<?x?x?xf32>,
                         %c: memref<?x?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>,
                                   affine_map<(b, m, n, k) -> (b, k, n)>,
                                   affine_map<(b, m, n, k) -> (b, m, n)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "reduction"]}
      ins(%a, %b : memref<?x?x?xf32>, memref<?x?x?xf32>)
      outs(%c : memref<?x?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// B read along its rows (A B^T): no contiguous vector along n, left alone.
// CHECK-LABEL: func @transposed_b
// CHECK: linalg.matmul
// CHECK-NOT: vector.fma
func.func @transposed_b(%a: memref<8x4xf32>, %b: memref<64x4xf32>,
                        %c: memref<8x64xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                 affine_map<(m, n, k) -> (n, k)>,
                                 affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : memref<8x4xf32>, memref<64x4xf32>)
      outs(%c : memref<8x64xf32>)
  return
}

// -----

// f64 and tensors are not this pass's business.
// CHECK-LABEL: func @f64_matmul
// CHECK: linalg.matmul
// CHECK-NOT: vector.fma
func.func @f64_matmul(%a: memref<8x4xf64>, %b: memref<4x64xf64>,
                      %c: memref<8x64xf64>) {
  linalg.matmul ins(%a, %b : memref<8x4xf64>, memref<4x64xf64>)
                outs(%c : memref<8x64xf64>)
  return
}

// CHECK-LABEL: func @tensor_matmul
// CHECK: linalg.matmul
func.func @tensor_matmul(%a: tensor<8x4xf32>, %b: tensor<4x64xf32>,
                         %c: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x64xf32>)
                     outs(%c : tensor<8x64xf32>) -> tensor<8x64xf32>
  return %r : tensor<8x64xf32>
}

// -----

// The consumer's output is the matmul's input: computing it early would
// overwrite what the kernel still reads, so it is not fused.
// CHECK-LABEL: func @consumer_overwrites_input
// CHECK: scf.parallel
// CHECK: vector.fma
// CHECK: linalg.generic
func.func @consumer_overwrites_input(%a: memref<16x16xf32>,
                                     %b: memref<16x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<16x16xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<16x16xf32>)
  linalg.matmul ins(%a, %b : memref<16x16xf32>, memref<16x16xf32>)
                outs(%c : memref<16x16xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<16x16xf32>) outs(%a : memref<16x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  memref.dealloc %c : memref<16x16xf32>
  return
}

// -----

// A consumer whose body is not elementwise (it reads linalg.index) stays.
// CHECK-LABEL: func @consumer_with_index
// CHECK: vector.fma
// CHECK: linalg.generic
// CHECK: linalg.index
func.func @consumer_with_index(%a: memref<16x16xf32>, %b: memref<16x16xf32>,
                               %out: memref<16x16xf32>) {
  %c = memref.alloc() : memref<16x16xf32>
  linalg.matmul ins(%a, %b : memref<16x16xf32>, memref<16x16xf32>)
                outs(%c : memref<16x16xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<16x16xf32>) outs(%out : memref<16x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i32
    %f = arith.sitofp %ii : i32 to f32
    %r = arith.addf %x, %f : f32
    linalg.yield %r : f32
  }
  memref.dealloc %c : memref<16x16xf32>
  return
}

// -----

// Convolutions: vectors along the output width; stride 2 reads two
// contiguous masked loads and keeps the even elements (no gather); the bias
// initializer stays and the relu consumer is fused.
// CHECK-LABEL: func @conv_bias_relu
// CHECK: linalg.generic
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// CHECK: scf.parallel
// CHECK-NOT: vector.gather
// CHECK: vector.maskedload
// CHECK: vector.maskedload
// CHECK: vector.shuffle {{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<16xf32>, vector<16xf32>
// CHECK: vector.fma
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK-NOT: linalg.generic
func.func @conv_bias_relu(%x: memref<1x3x17x17xf32>, %w: memref<8x3x3x3xf32>,
                          %bias: memref<8xf32>, %out: memref<1x8x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<1x8x8x8xf32>
  linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (f)>,
                                   affine_map<(n, f, h, w) -> (n, f, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%bias : memref<8xf32>) outs(%c : memref<1x8x8x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>,
                            strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : memref<1x3x17x17xf32>, memref<8x3x3x3xf32>)
      outs(%c : memref<1x8x8x8xf32>)
  linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (n, f, h, w)>,
                                   affine_map<(n, f, h, w) -> (n, f, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%c : memref<1x8x8x8xf32>) outs(%out : memref<1x8x8x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  }
  memref.dealloc %c : memref<1x8x8x8xf32>
  return
}

// -----

// Bufferization often writes the consumer in place into the accumulator,
// which later ops read: the kernel applies the consumer and stores once,
// and the later reader still sees the final values.
// CHECK-LABEL: func @in_place_consumer_later_reader
// CHECK: scf.parallel
// CHECK: vector.fma
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: vector.store %{{.*}}, %[[C:alloc]]
// CHECK-NOT: linalg.generic
// CHECK: memref.copy %[[C]], %arg2
func.func @in_place_consumer_later_reader(%a: memref<16x16xf32>,
                                          %b: memref<16x16xf32>,
                                          %out: memref<16x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<16x16xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<16x16xf32>)
  linalg.matmul ins(%a, %b : memref<16x16xf32>, memref<16x16xf32>)
                outs(%c : memref<16x16xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<16x16xf32>) outs(%c : memref<16x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  }
  memref.copy %c, %out : memref<16x16xf32> to memref<16x16xf32>
  memref.dealloc %c : memref<16x16xf32>
  return
}

// -----

// A reader between the op and its consumer sees the unfused result: the
// consumer is not fused.
// CHECK-LABEL: func @reader_before_consumer
// CHECK: vector.fma
// CHECK: memref.copy
// CHECK: linalg.generic
func.func @reader_before_consumer(%a: memref<16x16xf32>, %b: memref<16x16xf32>,
                                  %out: memref<16x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<16x16xf32>
  linalg.matmul ins(%a, %b : memref<16x16xf32>, memref<16x16xf32>)
                outs(%c : memref<16x16xf32>)
  memref.copy %c, %out : memref<16x16xf32> to memref<16x16xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<16x16xf32>) outs(%c : memref<16x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  }
  memref.dealloc %c : memref<16x16xf32>
  return
}

// -----

// Depthwise convolutions: each row of the kernel is a channel with its own
// input vectors.
// CHECK-LABEL: func @depthwise
// CHECK-NOT: linalg.depthwise_conv_2d_nchw_chw
// CHECK: scf.parallel
// CHECK: vector.load %{{.*}} : memref<1x8x10x40xf32>, vector<16xf32>
// CHECK: vector.fma
func.func @depthwise(%x: memref<1x8x10x40xf32>, %w: memref<8x3x3xf32>,
                     %o: memref<1x8x8x38xf32>) {
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>,
                                     strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x8x10x40xf32>, memref<8x3x3xf32>)
      outs(%o : memref<1x8x8x38xf32>)
  return
}

// -----

// A convolution with a channels-last filter (what
// kiln-fold-constant-transposes makes of a constant one) runs with vectors
// along the output channels: filter rows are vector loads, input elements
// broadcasts, the constant bias initializer is read as a vector instead of
// being written to C, the result is transposed in registers into row
// segments of NCHW, and the epilogue runs on those: the residual is read
// along the rows (a flat view of it, like the output's) with the stores'
// masks, not gathered along the channels. The 7x7 image would fill 7 of 16
// lanes along the width.
// CHECK-LABEL: func @conv_channels
// CHECK-NOT: linalg.generic
// CHECK: scf.parallel
// CHECK: vector.load %{{.*}} : memref<32xf32>, vector<16xf32>
// CHECK: memref.load %{{.*}} : memref<1x8x9x9xf32>
// CHECK: vector.load %{{.*}} : memref<8x3x3x32xf32>, vector<16xf32>
// CHECK: vector.fma
// CHECK: vector.shuffle
// CHECK: %[[OUT:.*]] = memref.reinterpret_cast %{{.*}} to offset: [%{{.*}}], sizes: [%{{.*}}], strides: [1]
// CHECK: %[[RES:.*]] = memref.reinterpret_cast %{{.*}} to offset: [%{{.*}}], sizes: [%{{.*}}], strides: [1]
// CHECK: scf.if
// CHECK: %[[R:.*]] = vector.maskedload %[[RES]][%{{.*}}], %[[MASK:.*]], %{{.*}}
// CHECK: %[[SUM:.*]] = arith.addf %{{.*}}, %[[R]] : vector<16xf32>
// CHECK: %[[RELU:.*]] = arith.maximumf %[[SUM]], %{{.*}} : vector<16xf32>
// CHECK: vector.maskedstore %[[OUT]][%{{.*}}], %[[MASK]], %[[RELU]]
// CHECK-NOT: vector.gather
// CHECK-NOT: vector.scatter
// CHECK-NOT: linalg.generic
memref.global "private" constant @chan_w : memref<8x3x3x32xf32> = dense<1.0>
memref.global "private" constant @chan_b : memref<32xf32> = dense<0.5>
func.func @conv_channels(%x: memref<1x8x9x9xf32>, %r: memref<1x32x7x7xf32>,
                         %y: memref<1x32x7x7xf32>) {
  %zero = arith.constant 0.0 : f32
  %w = memref.get_global @chan_w : memref<8x3x3x32xf32>
  %b = memref.get_global @chan_b : memref<32xf32>
  %c = memref.alloc() : memref<1x32x7x7xf32>
  linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (f)>,
                                   affine_map<(n, f, h, w) -> (n, f, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%b : memref<32xf32>) outs(%c : memref<1x32x7x7xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.generic {indexing_maps = [
      affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>,
      affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>,
      affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel",
                        "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x8x9x9xf32>, memref<8x3x3x32xf32>)
      outs(%c : memref<1x32x7x7xf32>) {
  ^bb0(%in: f32, %f: f32, %o: f32):
    %m = arith.mulf %in, %f : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (n, f, h, w)>,
                                   affine_map<(n, f, h, w) -> (n, f, h, w)>,
                                   affine_map<(n, f, h, w) -> (n, f, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%c, %r : memref<1x32x7x7xf32>, memref<1x32x7x7xf32>)
      outs(%y : memref<1x32x7x7xf32>) {
  ^bb0(%v: f32, %res: f32, %o: f32):
    %s = arith.addf %v, %res : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  }
  memref.dealloc %c : memref<1x32x7x7xf32>
  return
}

// -----

// A residual of another element type (f16, extended in the epilogue) is
// read along the rows through a flat view of its own element type.
// CHECK-LABEL: func @conv_f16_residual
// CHECK: vector.shuffle
// CHECK: %[[RES:.*]] = memref.reinterpret_cast %{{.*}} : memref<f16> to memref<?xf16, strided<[1], offset: ?>>
// CHECK: %[[H:.*]] = vector.maskedload %[[RES]][%{{.*}}], %{{.*}}, %{{.*}} : memref<?xf16, strided<[1], offset: ?>>, vector<16xi1>, vector<16xf16> into vector<16xf16>
// CHECK: arith.extf %[[H]] : vector<16xf16> to vector<16xf32>
// CHECK-NOT: vector.gather
memref.global "private" constant @w16 : memref<8x3x3x32xf32> = dense<1.0>
func.func @conv_f16_residual(%x: memref<1x8x9x9xf32>, %r: memref<1x32x7x7xf16>, %y: memref<1x32x7x7xf32>) {
  %zero = arith.constant 0.0 : f32
  %w = memref.get_global @w16 : memref<8x3x3x32xf32>
  %c = memref.alloc() : memref<1x32x7x7xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<1x32x7x7xf32>)
  linalg.generic {indexing_maps = [
      affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>,
      affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>,
      affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x8x9x9xf32>, memref<8x3x3x32xf32>) outs(%c : memref<1x32x7x7xf32>) {
  ^bb0(%in: f32, %f: f32, %o: f32):
    %m = arith.mulf %in, %f : f32
    %a = arith.addf %o, %m : f32
    linalg.yield %a : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (n, f, h, w)>, affine_map<(n, f, h, w) -> (n, f, h, w)>, affine_map<(n, f, h, w) -> (n, f, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c, %r : memref<1x32x7x7xf32>, memref<1x32x7x7xf16>) outs(%y : memref<1x32x7x7xf32>) {
  ^bb0(%v: f32, %h: f16, %o: f32):
    %e = arith.extf %h : f16 to f32
    %s = arith.addf %v, %e : f32
    linalg.yield %s : f32
  }
  memref.dealloc %c : memref<1x32x7x7xf32>
  return
}

// -----

// An epilogue input per output channel (a scale), on the transposed
// vectors along the pixels: one scalar per channel, broadcast, rather than
// a vector along the channels; a 0-d input (a shift) is loaded once.
// CHECK-LABEL: func @conv_channels_scale
// CHECK: vector.fma
// CHECK: vector.shuffle
// CHECK: %[[S:.*]] = memref.load %arg2[%{{.*}}] : memref<32xf32>
// CHECK-COUNT-31: memref.load %arg2
// CHECK: %[[T:.*]] = memref.load %arg3[] : memref<f32>
// CHECK-NOT: memref.load %arg3
// CHECK: scf.if
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[S]] : f32 to vector<16xf32>
// CHECK: %[[TSPLAT:.*]] = vector.broadcast %[[T]] : f32 to vector<16xf32>
// CHECK: %[[SCALED:.*]] = arith.mulf %{{.*}}, %[[SPLAT]] : vector<16xf32>
// CHECK: %[[SHIFTED:.*]] = arith.addf %[[SCALED]], %[[TSPLAT]] : vector<16xf32>
// CHECK: vector.maskedstore %{{.*}}[%{{.*}}], %{{.*}}, %[[SHIFTED]]
// CHECK-NOT: vector.gather
// CHECK-NOT: vector.scatter
memref.global "private" constant @scale_w : memref<8x3x3x32xf32> = dense<1.0>
func.func @conv_channels_scale(%x: memref<1x8x9x9xf32>, %y: memref<1x32x7x7xf32>,
                               %s: memref<32xf32>, %t: memref<f32>) {
  %zero = arith.constant 0.0 : f32
  %w = memref.get_global @scale_w : memref<8x3x3x32xf32>
  %c = memref.alloc() : memref<1x32x7x7xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<1x32x7x7xf32>)
  linalg.generic {indexing_maps = [
      affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>,
      affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>,
      affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel",
                        "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x8x9x9xf32>, memref<8x3x3x32xf32>)
      outs(%c : memref<1x32x7x7xf32>) {
  ^bb0(%in: f32, %f: f32, %o: f32):
    %m = arith.mulf %in, %f : f32
    %a = arith.addf %o, %m : f32
    linalg.yield %a : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (n, f, h, w)>,
                                   affine_map<(n, f, h, w) -> (f)>,
                                   affine_map<(n, f, h, w) -> ()>,
                                   affine_map<(n, f, h, w) -> (n, f, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%c, %s, %t : memref<1x32x7x7xf32>, memref<32xf32>, memref<f32>)
      outs(%y : memref<1x32x7x7xf32>) {
  ^bb0(%v: f32, %k: f32, %u: f32, %o: f32):
    %m = arith.mulf %v, %k : f32
    %a = arith.addf %m, %u : f32
    linalg.yield %a : f32
  }
  memref.dealloc %c : memref<1x32x7x7xf32>
  return
}

// -----

// A zero "bias" folds to a generic that writes a constant: it becomes the
// accumulators' initial value like a linalg.fill. A short reduction (3
// channels x 3 x 3) on a wide image keeps vectors along the width, with
// the filter's scalars read from the channels-last layout.
// CHECK-LABEL: func @conv_zero_init
// CHECK-NOT: linalg.generic
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: scf.parallel
// CHECK: vector.broadcast %[[ZERO]] : f32 to vector<16xf32>
// CHECK: memref.load %{{.*}} : memref<3x3x3x32xf32>
// CHECK: vector.fma
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: vector.store %{{.*}}, %arg2
// CHECK-NOT: vector.scatter
// CHECK-NOT: linalg.generic
func.func @conv_zero_init(%x: memref<1x3x10x66xf32>, %w: memref<3x3x3x32xf32>,
                          %y: memref<1x32x8x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<1x32x8x64xf32>
  linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (n, f, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      outs(%c : memref<1x32x8x64xf32>) {
  ^bb0(%o: f32):
    linalg.yield %zero : f32
  }
  linalg.generic {indexing_maps = [
      affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>,
      affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>,
      affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel",
                        "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x3x10x66xf32>, memref<3x3x3x32xf32>)
      outs(%c : memref<1x32x8x64xf32>) {
  ^bb0(%in: f32, %f: f32, %o: f32):
    %m = arith.mulf %in, %f : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (n, f, h, w)>,
                                   affine_map<(n, f, h, w) -> (n, f, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel",
                                    "parallel"]}
      ins(%c : memref<1x32x8x64xf32>) outs(%y : memref<1x32x8x64xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  memref.dealloc %c : memref<1x32x8x64xf32>
  return
}

// -----

// A convolution whose result the function returns (a model that ends in a
// convolution): the fill before it still starts the accumulators, and the
// kernel does not gather them back from the output.
// CHECK-LABEL: func @conv_returned
// CHECK-NOT: linalg.fill
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: scf.parallel
// CHECK: vector.broadcast %[[ZERO]] : f32 to vector<16xf32>
// CHECK-NOT: vector.gather
// CHECK: vector.fma
// CHECK-NOT: vector.gather
// CHECK: return %[[C:.*]] : memref<1x32x7x7xf32>
func.func @conv_returned(%x: memref<1x64x9x9xf32>,
                         %w: memref<64x3x3x32xf32>) -> memref<1x32x7x7xf32> {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<1x32x7x7xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<1x32x7x7xf32>)
  linalg.generic {indexing_maps = [
      affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>,
      affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>,
      affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel",
                        "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x64x9x9xf32>, memref<64x3x3x32xf32>)
      outs(%c : memref<1x32x7x7xf32>) {
  ^bb0(%in: f32, %f: f32, %o: f32):
    %m = arith.mulf %in, %f : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  return %c : memref<1x32x7x7xf32>
}

// -----

// A generic that only looks like a convolution (it subtracts) is not one:
// it stays.
// CHECK-LABEL: func @not_a_conv
// CHECK: linalg.generic
// CHECK: arith.subf
// CHECK-NOT: vector.fma
func.func @not_a_conv(%x: memref<1x8x9x9xf32>, %w: memref<8x3x3x32xf32>,
                      %y: memref<1x32x7x7xf32>) {
  linalg.generic {indexing_maps = [
      affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>,
      affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>,
      affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel",
                        "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x8x9x9xf32>, memref<8x3x3x32xf32>)
      outs(%y : memref<1x32x7x7xf32>) {
  ^bb0(%in: f32, %f: f32, %o: f32):
    %m = arith.mulf %in, %f : f32
    %s = arith.subf %o, %m : f32
    linalg.yield %s : f32
  }
  return
}
