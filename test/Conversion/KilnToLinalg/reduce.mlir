// RUN: kiln-opt %s --convert-kiln-to-linalg -cse -split-input-file | FileCheck %s
// Reductions as linalg.reduce (expand_shape for keepdims), mean as a sum
// divided by the reduced count, softmax as max / exp / sum / divide.

// CHECK-LABEL: func @sum_keepdims
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4xf32>) -> tensor<?x1x1xf32>
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<?xf32>)
// CHECK: %[[RED:.*]] = linalg.reduce ins(%[[X]] : tensor<?x3x4xf32>) outs(%[[INIT]] : tensor<?xf32>) dimensions = [1, 2]
// CHECK: arith.addf
// CHECK: %[[D:.*]] = tensor.dim %[[RED]], %c0
// CHECK: %[[R:.*]] = tensor.expand_shape %[[RED]] {{\[\[}}0, 1, 2]] output_shape [%[[D]], 1, 1] : tensor<?xf32> into tensor<?x1x1xf32>
// CHECK: return %[[R]]
func.func @sum_keepdims(%x: tensor<?x3x4xf32>) -> tensor<?x1x1xf32> {
  %0 = kiln.reduce_sum %x, [1, 2] : tensor<?x3x4xf32> -> tensor<?x1x1xf32>
  return %0 : tensor<?x1x1xf32>
}

// -----

// Unit dims before the first kept dim join its group.
// CHECK-LABEL: func @sum_keepdims_leading
// CHECK: %[[RED:.*]] = linalg.reduce ins(%{{.*}} : tensor<?x3x4xf32>) outs(%{{.*}} : tensor<3xf32>) dimensions = [0, 2]
// CHECK: tensor.expand_shape %[[RED]] {{\[\[}}0, 1, 2]] output_shape [1, 3, 1] : tensor<3xf32> into tensor<1x3x1xf32>
func.func @sum_keepdims_leading(%x: tensor<?x3x4xf32>) -> tensor<1x3x1xf32> {
  %0 = kiln.reduce_sum %x, [0, 2] : tensor<?x3x4xf32> -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// -----

// CHECK-LABEL: func @sum_keepdims_two_groups
// CHECK: %[[RED:.*]] = linalg.reduce {{.*}} outs(%{{.*}} : tensor<2x4xf32>) dimensions = [1, 3]
// CHECK: tensor.expand_shape %[[RED]] {{\[\[}}0, 1], [2, 3]] output_shape [2, 1, 4, 1] : tensor<2x4xf32> into tensor<2x1x4x1xf32>
func.func @sum_keepdims_two_groups(%x: tensor<2x3x4x5xf32>) -> tensor<2x1x4x1xf32> {
  %0 = kiln.reduce_sum %x, [1, 3] : tensor<2x3x4x5xf32> -> tensor<2x1x4x1xf32>
  return %0 : tensor<2x1x4x1xf32>
}

// -----

// Everything reduced with keepdims: a rank-0 value expands with no groups.
// CHECK-LABEL: func @max_all_keepdims
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<f32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%[[E]] : tensor<f32>)
// CHECK: %[[RED:.*]] = linalg.reduce ins(%[[X]] : tensor<?x3xf32>) outs(%[[INIT]] : tensor<f32>) dimensions = [0, 1]
// CHECK: arith.maximumf
// CHECK: tensor.expand_shape %[[RED]] [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
func.func @max_all_keepdims(%x: tensor<?x3xf32>) -> tensor<1x1xf32> {
  %0 = kiln.reduce_max %x, [0, 1] : tensor<?x3xf32> -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// Without keepdims the reduced value is the result.
// CHECK-LABEL: func @sum_no_keepdims
// CHECK: %[[RED:.*]] = linalg.reduce {{.*}} outs(%{{.*}} : tensor<3x4xf32>) dimensions = [0]
// CHECK-NOT: tensor.expand_shape
// CHECK: return %[[RED]]
func.func @sum_no_keepdims(%x: tensor<?x3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.reduce_sum %x, [0] {keepdims = false} : tensor<?x3x4xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// No axes: no reduction at all.
// CHECK-LABEL: func @no_axes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: linalg.reduce
// CHECK: return %[[X]]
func.func @no_axes(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.reduce_max %x, [] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// The mean divides by the product of the reduced extents, here ? x 4.
// CHECK-DAG: #[[$ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func @mean_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4xf32>) -> tensor<3xf32>
// CHECK: %[[SUM:.*]] = linalg.reduce ins(%[[X]] : tensor<?x3x4xf32>) outs(%{{.*}} : tensor<3xf32>) dimensions = [0, 2]
// CHECK: arith.addf
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[P:.*]] = arith.muli %c1{{.*}}, %[[N]] : index
// CHECK: %[[COUNT:.*]] = arith.muli %[[P]], %c4{{.*}} : index
// CHECK: linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]} ins(%[[SUM]] : tensor<3xf32>)
// CHECK: ^bb0(%[[S:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[I:.*]] = arith.index_cast %[[COUNT]] : index to i64
// CHECK: %[[F:.*]] = arith.sitofp %[[I]] : i64 to f32
// CHECK: arith.divf %[[S]], %[[F]] : f32
func.func @mean_dynamic(%x: tensor<?x3x4xf32>) -> tensor<3xf32> {
  %0 = kiln.reduce_mean %x, [0, 2] {keepdims = false} : tensor<?x3x4xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Integer means divide with the kiln type's signedness; max of unsigned
// values starts from 0 and uses maxui.
// CHECK-LABEL: func @integer_reductions
// CHECK-SAME: (%[[U:.*]]: tensor<2x3xi16>, %[[S:.*]]: tensor<2x3xi16>)
// CHECK: %[[UZERO:.*]] = arith.constant 0 : i16
// CHECK: linalg.fill ins(%[[UZERO]] : i16)
// CHECK: linalg.reduce ins(%[[U]] : tensor<2x3xi16>)
// CHECK: arith.maxui
// CHECK: tensor.expand_shape {{.*}} into tensor<2x1xi16>
// CHECK: %[[SMIN:.*]] = arith.constant -32768 : i16
// CHECK: linalg.fill ins(%[[SMIN]] : i16)
// CHECK: linalg.reduce ins(%[[S]] : tensor<2x3xi16>)
// CHECK: arith.maxsi
// CHECK: linalg.reduce ins(%[[U]] : tensor<2x3xi16>)
// CHECK: arith.addi
// CHECK: linalg.generic
// CHECK: arith.trunci %{{.*}} : i64 to i16
// CHECK: arith.divui
// CHECK: linalg.reduce ins(%[[S]] : tensor<2x3xi16>)
// CHECK: arith.addi
// CHECK: linalg.generic
// CHECK: arith.divsi
func.func @integer_reductions(%u: tensor<2x3xui16>, %s: tensor<2x3xi16>)
    -> (tensor<2x1xui16>, tensor<2x1xi16>, tensor<2xui16>, tensor<2xi16>) {
  %0 = kiln.reduce_max %u, [1] : tensor<2x3xui16> -> tensor<2x1xui16>
  %1 = kiln.reduce_max %s, [1] : tensor<2x3xi16> -> tensor<2x1xi16>
  %2 = kiln.reduce_mean %u, [1] {keepdims = false} : tensor<2x3xui16> -> tensor<2xui16>
  %3 = kiln.reduce_mean %s, [1] {keepdims = false} : tensor<2x3xi16> -> tensor<2xi16>
  return %0, %1, %2, %3 : tensor<2x1xui16>, tensor<2x1xi16>, tensor<2xui16>, tensor<2xi16>
}

// -----

// Softmax: max along the axis, exp(x - max), sum, divide; the reduced values
// are broadcast back along the axis.
// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROWS:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MAXINIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[MAX:.*]] = linalg.reduce ins(%[[X]] : tensor<?x4xf32>) outs(%[[MAXINIT]] : tensor<?xf32>) dimensions = [1]
// CHECK: arith.maximumf
// CHECK: %[[MAX2:.*]] = tensor.expand_shape %[[MAX]] {{\[\[}}0, 1]] output_shape [%{{.*}}, 1] : tensor<?xf32> into tensor<?x1xf32>
// CHECK: %[[EXPS:.*]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ROWS]], #[[$ID2]]]
// CHECK-SAME: ins(%[[X]], %[[MAX2]] : tensor<?x4xf32>, tensor<?x1xf32>)
// CHECK: ^bb0(%[[A:.*]]: f32, %[[M:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[D:.*]] = arith.subf %[[A]], %[[M]] : f32
// CHECK: math.exp %[[D]] : f32
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[SUMINIT:.*]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: %[[SUM:.*]] = linalg.reduce ins(%[[EXPS]] : tensor<?x4xf32>) outs(%[[SUMINIT]] : tensor<?xf32>) dimensions = [1]
// CHECK: arith.addf
// CHECK: %[[SUM2:.*]] = tensor.expand_shape %[[SUM]] {{\[\[}}0, 1]]
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ROWS]], #[[$ID2]]]
// CHECK-SAME: ins(%[[EXPS]], %[[SUM2]] : tensor<?x4xf32>, tensor<?x1xf32>)
// CHECK: arith.divf
// CHECK: return %[[R]]
func.func @softmax(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = kiln.softmax %x, axis = 1 : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Softmax along the leading axis of a 3-D tensor.
// CHECK-DAG: #[[$ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$LEAD:.*]] = affine_map<(d0, d1, d2) -> (0, d1, d2)>
// CHECK-LABEL: func @softmax_axis0
// CHECK: linalg.reduce {{.*}} dimensions = [0]
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [1, 3, 4] : tensor<3x4xf32> into tensor<1x3x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$ID3]], #[[$LEAD]], #[[$ID3]]]
func.func @softmax_axis0(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.softmax %x, axis = 0 : tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A result type more static than the reduction (a refinement): expand on the
// reduced type, then cast.
// CHECK-LABEL: func @sum_keepdims_refined
// CHECK: %[[RED:.*]] = linalg.reduce {{.*}} outs(%{{.*}} : tensor<?xf32>) dimensions = [1]
// CHECK: %[[E:.*]] = tensor.expand_shape %[[RED]] {{\[\[}}0, 1]] output_shape [%{{.*}}, 1] : tensor<?xf32> into tensor<?x1xf32>
// CHECK: %[[R:.*]] = tensor.cast %[[E]] : tensor<?x1xf32> to tensor<2x1xf32>
// CHECK: return %[[R]]
func.func @sum_keepdims_refined(%x: tensor<?x3xf32>) -> tensor<2x1xf32> {
  %0 = kiln.reduce_sum %x, [1] : tensor<?x3xf32> -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// CHECK-LABEL: func @softmax_refined
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>) -> tensor<2x4xf32>
// CHECK: %[[MAX:.*]] = tensor.cast %{{.*}} : tensor<?x1xf32> to tensor<2x1xf32>
// CHECK: linalg.generic {{.*}} ins(%[[X]], %[[MAX]] : tensor<?x4xf32>, tensor<2x1xf32>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: arith.divf
// CHECK: } -> tensor<2x4xf32>
// CHECK-NEXT: return %{{.*}} : tensor<2x4xf32>
func.func @softmax_refined(%x: tensor<?x4xf32>) -> tensor<2x4xf32> {
  %0 = kiln.softmax %x, axis = 1 : tensor<?x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
