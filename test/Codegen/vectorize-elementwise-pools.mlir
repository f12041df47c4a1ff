// RUN: kiln-opt %s --kiln-vectorize-elementwise -canonicalize -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-vectorize-elementwise="vector-bits=256" -canonicalize -split-input-file | FileCheck %s --check-prefix=AVX2

// Pools (linalg.pooling_nchw_max / _sum on buffers) become one scf.parallel
// over (batch, channel, output row) around vector loops along the output
// row, the window unrolled.

// Stride 2: two vectors' worth of the input row, cut at its end (9, 8, 7
// elements left from columns 0, 1, 2), even elements shuffled out, the max
// free to return either zero of a -0/+0 tie (nsz); a row of
// 4 outputs is one masked vector.
// CHECK-LABEL: func.func @max_stride2
// CHECK: scf.parallel
// CHECK: %[[ACC:.*]] = vector.maskedload %arg1{{.*}} : memref<1x4x4x4xf32>, vector<16xi1>, vector<16xf32>
// CHECK: %[[M0:.*]] = vector.constant_mask [9] : vector<32xi1>
// CHECK: %[[W0:.*]] = vector.maskedload %arg0{{.*}}, %[[M0]]{{.*}} into vector<32xf32>
// CHECK: %[[E0:.*]] = vector.shuffle %[[W0]], %[[W0]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
// CHECK: arith.maximumf %[[ACC]], %[[E0]] fastmath<nsz> : vector<16xf32>
// CHECK: vector.constant_mask [8] : vector<32xi1>
// CHECK: vector.constant_mask [7] : vector<32xi1>
// CHECK-COUNT-6: arith.maximumf
// CHECK: vector.maskedstore %arg1
// CHECK-NOT: linalg.pooling
// AVX2-LABEL: func.func @max_stride2
// AVX2: vector.maskedload %arg0{{.*}} into vector<16xf32>
// AVX2: vector.shuffle {{.*}} [0, 2, 4, 6, 8, 10, 12, 14]
// AVX2-NOT: linalg.pooling
func.func @max_stride2(%in: memref<1x4x9x9xf32>, %out: memref<1x4x4x4xf32>) {
  %w = memref.alloc() : memref<3x3xf32>
  linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%in, %w : memref<1x4x9x9xf32>, memref<3x3xf32>) outs(%out : memref<1x4x4x4xf32>)
  return
}

// -----

// Stride 1 with a dynamic batch and a row of 20 outputs: one full vector
// (plain loads; the loop of one iteration folds away), then a masked tail
// of 4 lanes; the sums of average pooling. The dilation moves the second
// column by 2.
// CHECK-LABEL: func.func @sum_stride1_dynamic
// CHECK: %[[N:.*]] = memref.dim %arg1, %c0
// CHECK: scf.parallel (%[[B:.*]], %[[C:.*]], %[[R:.*]]) = (%c0, %c0, %c0) to (%[[N]], %c3, %c5)
// CHECK: vector.load %arg1[%[[B]], %[[C]], %[[R]], %c0] : memref<?x3x5x20xf32>, vector<16xf32>
// CHECK: vector.load %arg0[%[[B]], %[[C]], %[[R]], %c0] : memref<?x3x6x22xf32>, vector<16xf32>
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.load %arg0[%[[B]], %[[C]], %[[R]], %c2]
// CHECK: %[[R1:.*]] = arith.addi %[[R]], %c1
// CHECK: vector.load %arg0[%[[B]], %[[C]], %[[R1]], %c0]
// CHECK: vector.store
// CHECK: %[[T:.*]] = vector.constant_mask [4] : vector<16xi1>
// CHECK: vector.maskedload %arg0[%[[B]], %[[C]], %[[R]], %c16], %[[T]]
// CHECK: vector.maskedload %arg0[%[[B]], %[[C]], %[[R]], %c18], %[[T]]
// CHECK: vector.maskedstore %arg1[%[[B]], %[[C]], %[[R]], %c16], %[[T]]
// CHECK-NOT: linalg.pooling
// AVX2-LABEL: func.func @sum_stride1_dynamic
// AVX2: vector.load %arg0{{.*}} : memref<?x3x6x22xf32>, vector<8xf32>
func.func @sum_stride1_dynamic(%in: memref<?x3x6x22xf32>, %out: memref<?x3x5x20xf32>) {
  %w = memref.alloc() : memref<2x2xf32>
  linalg.pooling_nchw_sum {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<?x3x6x22xf32>, memref<2x2xf32>) outs(%out : memref<?x3x5x20xf32>)
  return
}

// -----

// Left as they are: a stride of 3 along the row, a window of more than 64
// positions, an output that is a view of the input's buffer.
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-3: linalg.pooling_nchw_max
func.func @left_alone(%in: memref<1x2x9x9xf32>, %out: memref<1x2x3x3xf32>,
                      %big: memref<1x2x9x9xf32>, %one: memref<1x2x1x1xf32>,
                      %buf: memref<1x2x12x9xf32>) {
  %w = memref.alloc() : memref<3x3xf32>
  linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<3> : tensor<2xi64>}
    ins(%in, %w : memref<1x2x9x9xf32>, memref<3x3xf32>) outs(%out : memref<1x2x3x3xf32>)
  %w9 = memref.alloc() : memref<9x9xf32>
  linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%big, %w9 : memref<1x2x9x9xf32>, memref<9x9xf32>) outs(%one : memref<1x2x1x1xf32>)
  %src = memref.subview %buf[0, 0, 0, 0] [1, 2, 5, 5] [1, 1, 1, 1] : memref<1x2x12x9xf32> to memref<1x2x5x5xf32, strided<[216, 108, 9, 1]>>
  %dst = memref.subview %buf[0, 0, 9, 0] [1, 2, 3, 3] [1, 1, 1, 1] : memref<1x2x12x9xf32> to memref<1x2x3x3xf32, strided<[216, 108, 9, 1], offset: 81>>
  linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%src, %w : memref<1x2x5x5xf32, strided<[216, 108, 9, 1]>>, memref<3x3xf32>) outs(%dst : memref<1x2x3x3xf32, strided<[216, 108, 9, 1], offset: 81>>)
  return
}

// -----

// A fill of the whole output just before the pool (an allocation between
// them) becomes the accumulators' start value and goes: no separate -inf
// pass over the output, no load of it (the maximum with -inf folds away).
// CHECK-LABEL: func.func @max_after_fill
// CHECK-NOT: linalg.fill
// CHECK: scf.parallel
// CHECK-NOT: load %arg1
// CHECK: %[[E0:.*]] = vector.shuffle
// CHECK: %[[E1:.*]] = vector.shuffle
// CHECK: arith.maximumf %[[E0]], %[[E1]] fastmath<nsz> : vector<16xf32>
// CHECK-NOT: load %arg1
// CHECK: vector.maskedstore %arg1
func.func @max_after_fill(%in: memref<1x4x9x9xf32>, %out: memref<1x4x4x4xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%out : memref<1x4x4x4xf32>)
  %w = memref.alloc() : memref<3x3xf32>
  linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%in, %w : memref<1x4x9x9xf32>, memref<3x3xf32>) outs(%out : memref<1x4x4x4xf32>)
  return
}

// -----

// The fill stays, and the pool reads it, where something between them
// could read or write the output.
// CHECK-LABEL: func.func @fill_then_copy
// CHECK: linalg.fill
// CHECK: memref.copy
// CHECK: vector.maskedload %arg1
func.func @fill_then_copy(%in: memref<1x4x9x9xf32>, %out: memref<1x4x4x4xf32>,
                          %other: memref<1x4x4x4xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%out : memref<1x4x4x4xf32>)
  memref.copy %out, %other : memref<1x4x4x4xf32> to memref<1x4x4x4xf32>
  %w = memref.alloc() : memref<3x3xf32>
  linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%in, %w : memref<1x4x9x9xf32>, memref<3x3xf32>) outs(%out : memref<1x4x4x4xf32>)
  return
}
