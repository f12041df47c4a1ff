// RUN: kiln-opt %s --convert-kiln-to-linalg -cse -split-input-file | FileCheck %s
// kiln.conv2d: padding as an insert_slice into an empty tensor with its
// border filled (tensor.pad where spatial sizes are dynamic), bias as the
// initial accumulator, and one of three linalg convolutions by group count.

// CHECK-DAG: #[[$BIAS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-DAG: #[[$ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @conv_bias
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x9x9xf32>, %[[W:.*]]: tensor<8x4x3x3xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// pads = [top 1, left 0, bottom 2, right 0]: the input goes into the
// interior of an empty tensor and only the border is filled (rows above and
// below; no columns), with no tensor.pad.
// CHECK-NOT: tensor.pad
// CHECK: %[[N0:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[E0:.*]] = tensor.empty(%[[N0]]) : tensor<?x4x12x9xf32>
// CHECK: %[[I:.*]] = tensor.insert_slice %[[X]] into %[[E0]][0, 0, 1, 0] [%[[N0]], 4, 9, 9] [1, 1, 1, 1]
// CHECK: %[[TOP:.*]] = tensor.extract_slice %[[I]][0, 0, 0, 0] [%[[N0]], 4, 1, 9] [1, 1, 1, 1]
// CHECK: %[[TOPF:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[TOP]] : tensor<?x4x1x9xf32>)
// CHECK: %[[I1:.*]] = tensor.insert_slice %[[TOPF]] into %[[I]][0, 0, 0, 0] [%[[N0]], 4, 1, 9] [1, 1, 1, 1]
// CHECK: %[[BOT:.*]] = tensor.extract_slice %[[I1]][0, 0, 10, 0] [%[[N0]], 4, 2, 9] [1, 1, 1, 1]
// CHECK: %[[BOTF:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[BOT]] : tensor<?x4x2x9xf32>)
// CHECK: %[[P:.*]] = tensor.insert_slice %[[BOTF]] into %[[I1]][0, 0, 10, 0] [%[[N0]], 4, 2, 9] [1, 1, 1, 1]
// CHECK-NOT: linalg.fill
// CHECK: %[[N:.*]] = tensor.dim %[[P]], %{{.*}} : tensor<?x4x12x9xf32>
// CHECK: %[[B3:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1, 2]] output_shape [8, 1, 1] : tensor<8xf32> into tensor<8x1x1xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x8x4x3xf32>
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[$BIAS]], #[[$ID4]]]
// CHECK-SAME: ins(%[[B3]] : tensor<8x1x1xf32>) outs(%[[E]] : tensor<?x8x4x3xf32>)
// CHECK-NOT: linalg.fill
// CHECK: %[[R:.*]] = linalg.conv_2d_nchw_fchw
// CHECK-SAME: dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<[2, 3]> : tensor<2xi64>
// CHECK-SAME: ins(%[[P]], %[[W]] : tensor<?x4x12x9xf32>, tensor<8x4x3x3xf32>) outs(%[[INIT]] : tensor<?x8x4x3xf32>)
// CHECK: return %[[R]]
func.func @conv_bias(%x: tensor<?x4x9x9xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x4x3xf32> {
  %0 = kiln.conv2d %x, %w, %b {strides = array<i64: 2, 3>, pads = array<i64: 1, 0, 2, 0>, dilations = array<i64: 2, 1>}
      : (tensor<?x4x9x9xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<?x8x4x3xf32>
  return %0 : tensor<?x8x4x3xf32>
}

// -----

// Without padding or bias: no tensor.pad, a zero-filled accumulator; dynamic
// spatial sizes are (padded - span) floordiv stride + 1.
// CHECK-DAG: #[[$OUT:.*]] = affine_map<()[s0] -> ((s0 - 3) floordiv 2 + 1)>
// CHECK-LABEL: func @conv_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x?x?xf32>, %[[W:.*]]: tensor<8x3x3x3xf32>)
// CHECK-NOT: tensor.pad
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[H:.*]] = tensor.dim %[[X]], %c2
// CHECK-DAG: %[[W_:.*]] = tensor.dim %[[X]], %c3
// CHECK-DAG: %[[OH:.*]] = affine.apply #[[$OUT]]()[%[[H]]]
// CHECK-DAG: %[[OW:.*]] = affine.apply #[[$OUT]]()[%[[W_]]]
// CHECK: %[[E:.*]] = tensor.empty(%[[N]], %[[OH]], %[[OW]]) : tensor<?x8x?x?xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<?x8x?x?xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} strides = dense<2> : tensor<2xi64>
// CHECK-SAME: ins(%[[X]], %[[W]] : tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>) outs(%[[INIT]] : tensor<?x8x?x?xf32>)
func.func @conv_dynamic(%x: tensor<?x3x?x?xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x8x?x?xf32> {
  %0 = kiln.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x?x?xf32>
  return %0 : tensor<?x8x?x?xf32>
}

// -----

// groups = 2 over 4 channels and 6 filters: conv_2d_ngchw_gfchw on
// [N, 2, 2, H, W] x [2, 3, 2, KH, KW].
// CHECK-LABEL: func @conv_groups
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x9x9xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>)
// The border of the padded input: rows above and below, columns left and
// right of the input's rows.
// CHECK: tensor.insert_slice %[[X]] into %{{.*}}[0, 0, 1, 1] [%{{.*}}, 4, 9, 9] [1, 1, 1, 1]
// CHECK: linalg.fill {{.*}} -> tensor<?x4x1x11xf32>
// CHECK: linalg.fill {{.*}} -> tensor<?x4x1x11xf32>
// CHECK: linalg.fill {{.*}} -> tensor<?x4x9x1xf32>
// CHECK: %[[P:.*]] = tensor.insert_slice %{{.*}}[0, 0, 1, 10] [%{{.*}}, 4, 9, 1] [1, 1, 1, 1]
// CHECK: %[[N:.*]] = tensor.dim %[[P]], %c0
// CHECK: %[[INIT:.*]] = linalg.fill
// CHECK-SAME: -> tensor<?x6x9x9xf32>
// CHECK: %[[GX:.*]] = tensor.expand_shape %[[P]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [%[[N]], 2, 2, 11, 11] : tensor<?x4x11x11xf32> into tensor<?x2x2x11x11xf32>
// CHECK: %[[GW:.*]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3] : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK: %[[GI:.*]] = tensor.expand_shape %[[INIT]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [%{{.*}}, 2, 3, 9, 9] : tensor<?x6x9x9xf32> into tensor<?x2x3x9x9xf32>
// CHECK: %[[G:.*]] = linalg.conv_2d_ngchw_gfchw
// CHECK-SAME: ins(%[[GX]], %[[GW]] : tensor<?x2x2x11x11xf32>, tensor<2x3x2x3x3xf32>) outs(%[[GI]] : tensor<?x2x3x9x9xf32>)
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[G]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<?x2x3x9x9xf32> into tensor<?x6x9x9xf32>
// CHECK: return %[[R]]
func.func @conv_groups(%x: tensor<?x4x9x9xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<?x6x9x9xf32> {
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2}
      : (tensor<?x4x9x9xf32>, tensor<6x2x3x3xf32>) -> tensor<?x6x9x9xf32>
  return %0 : tensor<?x6x9x9xf32>
}

// -----

// One filter per channel: depthwise_conv_2d_nchw_chw on the weight without
// its unit dimension.
// CHECK-LABEL: func @conv_depthwise
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x9x9xf32>, %[[W:.*]]: tensor<4x1x3x3xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NOT: linalg.conv_2d_ngchw_gfchw
// CHECK: %[[W3:.*]] = tensor.collapse_shape %[[W]] {{\[\[}}0, 1], [2], [3]] : tensor<4x1x3x3xf32> into tensor<4x3x3xf32>
// CHECK: %[[R:.*]] = linalg.depthwise_conv_2d_nchw_chw
// CHECK-SAME: ins(%[[X]], %[[W3]] : tensor<?x4x9x9xf32>, tensor<4x3x3xf32>) outs(%{{.*}} : tensor<?x4x7x7xf32>)
// CHECK: return %[[R]]
func.func @conv_depthwise(%x: tensor<?x4x9x9xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<?x4x7x7xf32> {
  %0 = kiln.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 4}
      : (tensor<?x4x9x9xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<?x4x7x7xf32>
  return %0 : tensor<?x4x7x7xf32>
}

// -----

// Two filters per channel (groups = channels, 2x as many filters) is not
// depthwise: it takes the grouped path.
// CHECK-LABEL: func @conv_channel_multiplier
// CHECK-NOT: linalg.depthwise_conv_2d_nchw_chw
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2], [3], [4]] output_shape [4, 2, 1, 3, 3] : tensor<8x1x3x3xf32> into tensor<4x2x1x3x3xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK-SAME: -> tensor<?x4x2x7x7xf32>
func.func @conv_channel_multiplier(%x: tensor<?x4x9x9xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<?x8x7x7xf32> {
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 4}
      : (tensor<?x4x9x9xf32>, tensor<8x1x3x3xf32>) -> tensor<?x8x7x7xf32>
  return %0 : tensor<?x8x7x7xf32>
}

// -----

// Grouped convolution with dynamic channels: the per-group size is computed.
// CHECK-DAG: #[[$HALF:.*]] = affine_map<()[s0] -> (s0 floordiv 2)>
// CHECK-LABEL: func @conv_groups_dynamic_channels
// CHECK-SAME: (%[[X:.*]]: tensor<1x?x5x5xf32>
// CHECK: %[[C:.*]] = tensor.dim %[[X]], %c1
// CHECK: %[[PER:.*]] = affine.apply #[[$HALF]]()[%[[C]]]
// CHECK: tensor.expand_shape %[[X]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, %[[PER]], 5, 5] : tensor<1x?x5x5xf32> into tensor<1x2x?x5x5xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw
func.func @conv_groups_dynamic_channels(%x: tensor<1x?x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2}
      : (tensor<1x?x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}

// -----

// Padding with dynamic spatial sizes stays a tensor.pad.
// CHECK-LABEL: func @conv_pad_dynamic_spatial
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK-NOT: tensor.insert_slice
func.func @conv_pad_dynamic_spatial(%x: tensor<1x3x?x?xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x?x?xf32> {
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x3x?x?xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x?x?xf32>
  return %0 : tensor<1x8x?x?xf32>
}
