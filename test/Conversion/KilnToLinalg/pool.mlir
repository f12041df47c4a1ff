// RUN: kiln-opt %s --convert-kiln-to-linalg -cse -split-input-file | FileCheck %s
// Pooling: padding (explicit and the ceil_mode overhang) as an insert_slice
// into an empty tensor with its border filled (tensor.pad where spatial
// sizes are dynamic), then
// pooling_nchw_max / pooling_nchw_sum; the average divides by a per-window
// count.

// Max pooling pads with -inf (padding never wins) and starts from -inf.
// ceil_mode: 7 with window 2 and stride 2 gives 4 windows, the last one over
// one element of overhang.
// CHECK-LABEL: func @max_pool_ceil
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x7x7xf32>)
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// The input goes into an empty 8x8 tensor, and the border (the last row,
// then the last column of the input's rows) is filled with -inf.
// CHECK: %[[E0:.*]] = tensor.empty() : tensor<1x3x8x8xf32>
// CHECK: %[[I:.*]] = tensor.insert_slice %[[X]] into %[[E0]][0, 0, 0, 0] [1, 3, 7, 7] [1, 1, 1, 1]
// CHECK: %[[ROW:.*]] = tensor.extract_slice %[[I]][0, 0, 7, 0] [1, 3, 1, 8] [1, 1, 1, 1]
// CHECK: %[[ROWF:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%[[ROW]] : tensor<1x3x1x8xf32>)
// CHECK: %[[I1:.*]] = tensor.insert_slice %[[ROWF]] into %[[I]][0, 0, 7, 0] [1, 3, 1, 8] [1, 1, 1, 1]
// CHECK: %[[COL:.*]] = tensor.extract_slice %[[I1]][0, 0, 0, 7] [1, 3, 7, 1] [1, 1, 1, 1]
// CHECK: %[[COLF:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%[[COL]] : tensor<1x3x7x1xf32>)
// CHECK: %[[P:.*]] = tensor.insert_slice %[[COLF]] into %[[I1]][0, 0, 0, 7] [1, 3, 7, 1] [1, 1, 1, 1]
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x3x4x4xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%[[E]] : tensor<1x3x4x4xf32>)
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK: %[[R:.*]] = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME: ins(%[[P]], %[[WIN]] : tensor<1x3x8x8xf32>, tensor<2x2xf32>) outs(%[[INIT]] : tensor<1x3x4x4xf32>)
// CHECK: return %[[R]]
func.func @max_pool_ceil(%x: tensor<1x3x7x7xf32>) -> tensor<1x3x4x4xf32> {
  %0 = kiln.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true}
      : tensor<1x3x7x7xf32> -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// Explicit pads [top 1, left 0, bottom 0, right 1], floor mode.
// CHECK-LABEL: func @max_pool_pads
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 1, 0] [2, 3, 5, 5] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<2x3x1x6xf32>)
// CHECK: linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<2x3x5x1xf32>)
// CHECK: linalg.pooling_nchw_max {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x3x6x6xf32>, tensor<3x3xf32>) outs(%{{.*}} : tensor<2x3x4x4xf32>)
func.func @max_pool_pads(%x: tensor<2x3x5x5xf32>) -> tensor<2x3x4x4xf32> {
  %0 = kiln.max_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 0, 0, 1>, dilations = array<i64: 1, 1>}
      : tensor<2x3x5x5xf32> -> tensor<2x3x4x4xf32>
  return %0 : tensor<2x3x4x4xf32>
}

// -----

// Dynamic sizes come from the padded input.
// CHECK-DAG: #[[$OUT:.*]] = affine_map<()[s0] -> (s0 - 1)>
// CHECK-LABEL: func @max_pool_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x?x?xf32>)
// CHECK-NOT: tensor.pad
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[C:.*]] = tensor.dim %[[X]], %c1
// CHECK-DAG: %[[H:.*]] = tensor.dim %[[X]], %c2
// CHECK-DAG: %[[W:.*]] = tensor.dim %[[X]], %c3
// CHECK-DAG: %[[OH:.*]] = affine.apply #[[$OUT]]()[%[[H]]]
// CHECK-DAG: %[[OW:.*]] = affine.apply #[[$OUT]]()[%[[W]]]
// CHECK: tensor.empty(%[[N]], %[[C]], %[[OH]], %[[OW]]) : tensor<?x?x?x?xf32>
// CHECK: linalg.pooling_nchw_max
func.func @max_pool_dynamic(%x: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %0 = kiln.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----

// Average pooling pads with 0, sums, then divides each window by the number
// of taps in [lo, hi) of the padded coordinates: without count_include_pad
// that is [pad_begin, pad_begin + size) = [1, 6) along H and [1, 6) along W.
// CHECK-DAG: #[[$ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @avg_pool
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x5x5xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: tensor.insert_slice %[[X]] into %{{.*}}[0, 0, 1, 1] [1, 3, 5, 5] [1, 1, 1, 1]
// CHECK-COUNT-4: linalg.fill ins(%[[ZERO]] : f32)
// CHECK: %[[P:.*]] = tensor.insert_slice %{{.*}}[0, 0, 1, 6] [1, 3, 5, 1] [1, 1, 1, 1]
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: %[[SUM:.*]] = linalg.pooling_nchw_sum {{.*}} ins(%[[P]], %{{.*}} : tensor<1x3x7x7xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<1x3x5x5xf32>)
// CHECK-DAG: %[[SIZE:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[LO:.*]] = arith.constant 1 : index
// CHECK: %[[HI:.*]] = arith.addi %[[SIZE]], %[[LO]] : index
// CHECK: linalg.generic {indexing_maps = [#[[$ID4]], #[[$ID4]]]
// CHECK-SAME: ins(%[[SUM]] : tensor<1x3x5x5xf32>)
// CHECK: ^bb0(%[[S:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[OH:.*]] = linalg.index 2 : index
// CHECK: %[[START:.*]] = arith.muli %[[OH]], %{{.*}} : index
// CHECK: %[[D:.*]] = arith.subi %[[LO]], %[[START]] : index
// CHECK: arith.ceildivsi %[[D]]
// CHECK: arith.subi %[[HI]], %{{.*}} : index
// CHECK: arith.floordivsi
// CHECK: linalg.index 3 : index
// CHECK: %[[I:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: %[[F:.*]] = arith.sitofp %[[I]] : i64 to f32
// CHECK: %[[AVG:.*]] = arith.divf %[[S]], %[[F]] : f32
// CHECK: linalg.yield %[[AVG]] : f32
func.func @avg_pool(%x: tensor<1x3x5x5xf32>) -> tensor<1x3x5x5xf32> {
  %0 = kiln.avg_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : tensor<1x3x5x5xf32> -> tensor<1x3x5x5xf32>
  return %0 : tensor<1x3x5x5xf32>
}

// -----

// With count_include_pad the counted range is [0, 1 + 8 + 1) = [0, 10) of
// the padded coordinates. ceil_mode gives 5 windows of 3 with stride 2, the
// last one over [8, 11): one element of overhang beyond the end padding, which
// is padded (high = 1 + 1) but never counted.
// CHECK-LABEL: func @avg_pool_count_include_pad_ceil
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x8x8xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: tensor.empty() : tensor<1x1x11x11xf32>
// CHECK: tensor.insert_slice %[[X]] into %{{.*}}[0, 0, 1, 1] [1, 1, 8, 8] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<1x1x2x11xf32>)
// CHECK: linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<1x1x8x2xf32>)
// CHECK: linalg.pooling_nchw_sum {{.*}} outs(%{{.*}} : tensor<1x1x5x5xf32>)
// CHECK: %[[SIZE:.*]] = arith.constant 8 : index
// CHECK: %[[BEGIN:.*]] = arith.constant 1 : index
// CHECK: %[[END:.*]] = arith.addi %[[SIZE]], %[[BEGIN]] : index
// CHECK: %[[LO:.*]] = arith.constant 0 : index
// CHECK: %[[HI:.*]] = arith.addi %[[END]], %[[BEGIN]] : index
// CHECK: linalg.generic
// CHECK: linalg.index 2
// CHECK: arith.subi %[[LO]], %{{.*}} : index
// CHECK: arith.subi %[[HI]], %{{.*}} : index
func.func @avg_pool_count_include_pad_ceil(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x5x5xf32> {
  %0 = kiln.avg_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = true, count_include_pad = true}
      : tensor<1x1x8x8xf32> -> tensor<1x1x5x5xf32>
  return %0 : tensor<1x1x5x5xf32>
}

// -----

// ceil_mode on a dynamic size: the overhang is computed at run time. The
// last window starts at ceildiv(H - 2, 2) * 2, one stride earlier if that is
// in the end padding; the extra padding is max(0, start + 2 - H).
// CHECK-DAG: #[[$LAST:.*]] = affine_map<()[s0] -> (((s0 - 2) ceildiv 2) * 2)>
// CHECK-DAG: #[[$WINDOWS:.*]] = affine_map<()[s0] -> (s0 floordiv 2)>
// CHECK-LABEL: func @max_pool_ceil_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x?x8xf32>)
// CHECK: %[[C2:.*]] = arith.constant 2 : index
// CHECK: %[[H:.*]] = tensor.dim %[[X]], %[[C2]]
// CHECK: %[[LAST:.*]] = affine.apply #[[$LAST]]()[%[[H]]]
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[END:.*]] = arith.addi %[[H]], %[[C0]]
// CHECK: %[[IN_PAD:.*]] = arith.cmpi sge, %[[LAST]], %[[END]]
// CHECK: %[[EARLIER:.*]] = arith.subi %[[LAST]], %[[C2]]
// CHECK: %[[START:.*]] = arith.select %[[IN_PAD]], %[[EARLIER]], %[[LAST]]
// CHECK: %[[NEEDED:.*]] = arith.addi %[[START]], %[[C2]]
// CHECK: %[[MISSING:.*]] = arith.subi %[[NEEDED]], %{{.*}}
// CHECK: %[[EXTRA:.*]] = arith.maxsi %[[MISSING]], %[[C0]]
// CHECK: %[[HIGH:.*]] = arith.addi %[[EXTRA]], %[[C0]]
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 0, 0] high[0, 0, %[[HIGH]], 0]
// CHECK: } : tensor<1x1x?x8xf32> to tensor<1x1x?x8xf32>
// CHECK: %[[PH:.*]] = tensor.dim %[[P]], %[[C2]]
// CHECK: %[[OH:.*]] = affine.apply #[[$WINDOWS]]()[%[[PH]]]
// CHECK: tensor.empty(%[[OH]]) : tensor<1x1x?x4xf32>
// CHECK: linalg.pooling_nchw_max {{.*}} ins(%[[P]], %{{.*}} : tensor<1x1x?x8xf32>, tensor<2x2xf32>)
func.func @max_pool_ceil_dynamic(%x: tensor<1x1x?x8xf32>) -> tensor<1x1x?x4xf32> {
  %0 = kiln.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true}
      : tensor<1x1x?x8xf32> -> tensor<1x1x?x4xf32>
  return %0 : tensor<1x1x?x4xf32>
}

// -----

// Average pooling, ceil_mode on a dynamic size: the divisor still counts
// only [pad_begin, pad_begin + H).
// CHECK-LABEL: func @avg_pool_ceil_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x?x?xf32>)
// CHECK: tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, %{{.*}}, %{{.*}}]
// CHECK: linalg.pooling_nchw_sum
// CHECK: linalg.generic
// CHECK: arith.divf
func.func @avg_pool_ceil_dynamic(%x: tensor<1x1x?x?xf32>) -> tensor<1x1x?x?xf32> {
  %0 = kiln.avg_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = true}
      : tensor<1x1x?x?xf32> -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}
