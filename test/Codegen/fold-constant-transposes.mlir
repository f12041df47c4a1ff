// RUN: kiln-opt %s --kiln-fold-constant-transposes -split-input-file | FileCheck %s
// Transposes of constants are computed at compile time.

// A dense 2x3 constant: the result holds the 3x2 transpose.
// CHECK-LABEL: func @dense
// CHECK-NOT: linalg.transpose
// CHECK: %[[C:.*]] = arith.constant dense_resource<kiln_transposed> : tensor<3x2xf32>
// CHECK: return %[[C]]
// CHECK: kiln_transposed: "0x080000000000803F00008040000000400000A040000040400000C040"
func.func @dense() -> tensor<3x2xf32> {
  %c = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%c : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>)
         permutation = [1, 0]
  return %t : tensor<3x2xf32>
}

// -----

// A splat stays a splat of the new shape; a rank-3 permutation of i8 works
// on whole bytes; a transpose of a non-constant stays.
// CHECK-LABEL: func @splat_and_rank3
// CHECK-DAG: arith.constant dense<2.500000e+00> : tensor<4x3xf32>
// CHECK-DAG: arith.constant dense_resource<kiln_transposed> : tensor<2x1x3xi8>
// CHECK: linalg.transpose ins(%arg0
// CHECK-NOT: linalg.transpose
// CHECK: kiln_transposed{{.*}}: "0x08000000010305020406"
func.func @splat_and_rank3(%x: tensor<2x2xf32>)
    -> (tensor<4x3xf32>, tensor<2x1x3xi8>, tensor<2x2xf32>) {
  %s = arith.constant dense<2.5> : tensor<3x4xf32>
  %e = tensor.empty() : tensor<4x3xf32>
  %t = linalg.transpose ins(%s : tensor<3x4xf32>) outs(%e : tensor<4x3xf32>)
         permutation = [1, 0]
  %i = arith.constant dense<[[[1, 2], [3, 4], [5, 6]]]> : tensor<1x3x2xi8>
  %e2 = tensor.empty() : tensor<2x1x3xi8>
  %t2 = linalg.transpose ins(%i : tensor<1x3x2xi8>) outs(%e2 : tensor<2x1x3xi8>)
          permutation = [2, 0, 1]
  %e3 = tensor.empty() : tensor<2x2xf32>
  %t3 = linalg.transpose ins(%x : tensor<2x2xf32>) outs(%e3 : tensor<2x2xf32>)
          permutation = [1, 0]
  return %t, %t2, %t3 : tensor<4x3xf32>, tensor<2x1x3xi8>, tensor<2x2xf32>
}

// -----

// A convolution with a constant filter becomes the same convolution as a
// linalg.generic reading the filter packed channels last, [C, KH, KW, F]
// (w[f, 0, 0, kw] = 1, 2 / 3, 4 is packed as 1, 3, 2, 4), with its strides
// and dilations in the input's map; one with a filter computed at run time
// stays a named convolution.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 * 2 + d5, d3 * 3 + d6 * 2)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @conv_filter
// CHECK: %[[W:.*]] = arith.constant dense_resource<kiln_transposed> : tensor<1x1x2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[FILTER]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%arg0, %[[W]] : tensor<1x1x5x9xf32>, tensor<1x1x2x2xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-SAME: ins(%arg0, %arg1
// CHECK: kiln_transposed{{.*}}: "0x080000000000803F000040400000004000008040"
func.func @conv_filter(%x: tensor<1x1x5x9xf32>, %v: tensor<2x1x1x2xf32>,
                       %init: tensor<1x2x3x3xf32>)
    -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %w = arith.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]]]> : tensor<2x1x1x2xf32>
  %a = linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>,
                                 strides = dense<[2, 3]> : tensor<2xi64>}
         ins(%x, %w : tensor<1x1x5x9xf32>, tensor<2x1x1x2xf32>)
         outs(%init : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %b = linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>,
                                 strides = dense<[2, 3]> : tensor<2xi64>}
         ins(%x, %v : tensor<1x1x5x9xf32>, tensor<2x1x1x2xf32>)
         outs(%init : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a, %b : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}
