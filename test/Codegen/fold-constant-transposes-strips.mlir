// RUN: kiln-opt %s --kiln-fold-constant-transposes=conv-strip=2 -split-input-file | FileCheck %s
// With conv-strip=S, constant convolution filters whose output channel
// count is a multiple of S are packed in strips of S output channels,
// [F / S, C, KH, KW, S], read through (f floordiv S, c, kh, kw, f mod S);
// others stay channels last, [C, KH, KW, F].

// w[f, 0, 0, kw] = 2 f + kw + 1: strip 0 holds channels 0 and 1 (kw 0:
// 1, 3; kw 1: 2, 4), strip 1 channels 2 and 3 (5, 7; 6, 8).
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 * 2 + d5, d3 + d6 * 3)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1 floordiv 2, d4, d5, d6, d1 mod 2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @strips
// CHECK: %[[W:.*]] = arith.constant dense_resource<kiln_transposed> : tensor<2x1x1x2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[FILTER]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%arg0, %[[W]] : tensor<1x1x5x9xf32>, tensor<2x1x1x2x2xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: kiln_transposed{{.*}}: "0x080000000000803F0000404000000040000080400000A0400000E0400000C04000000041"
func.func @strips(%x: tensor<1x1x5x9xf32>, %init: tensor<1x4x3x3xf32>)
    -> tensor<1x4x3x3xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]], [[[5.0, 6.0]]],
                             [[[7.0, 8.0]]]]> : tensor<4x1x1x2xf32>
  %a = linalg.conv_2d_nchw_fchw {dilations = dense<[1, 3]> : tensor<2xi64>,
                                 strides = dense<[2, 1]> : tensor<2xi64>}
         ins(%x, %w : tensor<1x1x5x9xf32>, tensor<4x1x1x2xf32>)
         outs(%init : tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %a : tensor<1x4x3x3xf32>
}

// -----

// Three output channels are not whole strips: channels last.
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d1)>
// CHECK-LABEL: func @not_whole_strips
// CHECK: arith.constant dense_resource<kiln_transposed> : tensor<1x1x1x3xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[FILTER]], #{{.*}}]
func.func @not_whole_strips(%x: tensor<1x1x4x4xf32>, %init: tensor<1x3x4x4xf32>)
    -> tensor<1x3x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]]], [[[2.0]]], [[[3.0]]]]> : tensor<3x1x1x1xf32>
  %a = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>,
                                 strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x1x4x4xf32>, tensor<3x1x1x1xf32>)
         outs(%init : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %a : tensor<1x3x4x4xf32>
}
