// RUN: kiln-opt %s --convert-kiln-to-linalg -cse -split-input-file | FileCheck %s
// Transpose as linalg.transpose; reshape and flatten as collapse/expand pairs
// whose dynamic sizes come from the input.

// CHECK-LABEL: func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4xf32>) -> tensor<4x?x3xf32>
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<4x?x3xf32>
// CHECK: %[[R:.*]] = linalg.transpose ins(%[[X]] : tensor<?x3x4xf32>) outs(%[[E]] : tensor<4x?x3xf32>) permutation = [2, 0, 1]
// CHECK: return %[[R]]
func.func @transpose(%x: tensor<?x3x4xf32>) -> tensor<4x?x3xf32> {
  %0 = kiln.transpose %x, [2, 0, 1] : tensor<?x3x4xf32> -> tensor<4x?x3xf32>
  return %0 : tensor<4x?x3xf32>
}

// -----

// CHECK-LABEL: func @transpose_unsigned
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xi8>) -> tensor<3x2xi8>
// CHECK: linalg.transpose ins(%[[X]] : tensor<2x3xi8>) outs(%{{.*}} : tensor<3x2xi8>) permutation = [1, 0]
func.func @transpose_unsigned(%x: tensor<2x3xui8>) -> tensor<3x2xui8> {
  %0 = kiln.transpose %x, [1, 0] : tensor<2x3xui8> -> tensor<3x2xui8>
  return %0 : tensor<3x2xui8>
}

// -----

// A copied dynamic dimension (0) is read from the input.
// CHECK-LABEL: func @reshape_copy_dim
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4xf32>) -> tensor<?x12xf32>
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2]] : tensor<?x3x4xf32> into tensor<?xf32>
// CHECK: %[[R:.*]] = tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [%[[N]], 12] : tensor<?xf32> into tensor<?x12xf32>
// CHECK: return %[[R]]
func.func @reshape_copy_dim(%x: tensor<?x3x4xf32>) -> tensor<?x12xf32> {
  %0 = kiln.reshape %x, [0, -1] : tensor<?x3x4xf32> -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

// -----

// An inferred dynamic dimension (-1) is the element count divided by the
// other result dimensions (never by zero), and a run-time check makes sure
// the division left nothing over.
// CHECK-LABEL: func @reshape_infer_dim
// CHECK-SAME: (%[[X:.*]]: tensor<?x?xf32>) -> tensor<?x2xf32>
// CHECK-DAG: %[[D0:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[D1:.*]] = tensor.dim %[[X]], %c1
// CHECK: %[[P:.*]] = arith.muli %c1{{.*}}, %[[D0]] : index
// CHECK: %[[TOTAL:.*]] = arith.muli %[[P]], %[[D1]] : index
// CHECK: %[[REST:.*]] = arith.muli %c1{{.*}}, %c2{{.*}} : index
// CHECK: %[[DIVISOR:.*]] = arith.maxui %[[REST]], %c1{{.*}} : index
// CHECK: %[[INFERRED:.*]] = arith.divui %[[TOTAL]], %[[DIVISOR]] : index
// CHECK: %[[NEW:.*]] = arith.muli %{{.*}}, %c2{{.*}} : index
// CHECK: %[[FITS:.*]] = arith.cmpi eq, %[[NEW]], %[[TOTAL]] : index
// CHECK: cf.assert %[[FITS]], "kiln.reshape at {{.*}}: the input's element count does not fit the new shape"
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<?x?xf32> into tensor<?xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [%[[INFERRED]], 2] : tensor<?xf32> into tensor<?x2xf32>
func.func @reshape_infer_dim(%x: tensor<?x?xf32>) -> tensor<?x2xf32> {
  %0 = kiln.reshape %x, [-1, 2] : tensor<?x?xf32> -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// Static shapes that line up need one collapse or one expand.
// CHECK-LABEL: func @reshape_static
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xi32>, %[[Y:.*]]: tensor<6x4xi32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<2x3x4xi32> into tensor<6x4xi32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[Y]] {{\[\[}}0], [1, 2]] output_shape [6, 2, 2] : tensor<6x4xi32> into tensor<6x2x2xi32>
// CHECK: return %[[C]], %[[E]]
func.func @reshape_static(%x: tensor<2x3x4xi32>, %y: tensor<6x4xi32>) -> (tensor<6x4xi32>, tensor<6x2x2xi32>) {
  %0 = kiln.reshape %x, [6, 4] : tensor<2x3x4xi32> -> tensor<6x4xi32>
  %1 = kiln.reshape %y, [0, 2, -1] : tensor<6x4xi32> -> tensor<6x2x2xi32>
  return %0, %1 : tensor<6x4xi32>, tensor<6x2x2xi32>
}

// -----

// Static shapes that do not line up: collapse to 1-D, then expand.
// CHECK-LABEL: func @reshape_static_general
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4x5xi8>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2, 3]] : tensor<2x3x4x5xi8> into tensor<120xi8>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1, 2]] output_shape [6, 10, 2] : tensor<120xi8> into tensor<6x10x2xi8>
func.func @reshape_static_general(%x: tensor<2x3x4x5xui8>) -> tensor<6x10x2xui8> {
  %0 = kiln.reshape %x, [6, -1, 2] : tensor<2x3x4x5xui8> -> tensor<6x10x2xui8>
  return %0 : tensor<6x10x2xui8>
}

// -----

// CHECK-LABEL: func @reshape_to_and_from_scalar
// CHECK-SAME: (%[[X:.*]]: tensor<1x1xf32>, %[[S:.*]]: tensor<f32>)
// CHECK: %[[A:.*]] = tensor.collapse_shape %[[X]] [] : tensor<1x1xf32> into tensor<f32>
// CHECK: %[[B:.*]] = tensor.expand_shape %[[S]] [] output_shape [1, 1, 1] : tensor<f32> into tensor<1x1x1xf32>
// CHECK: return %[[A]], %[[B]]
func.func @reshape_to_and_from_scalar(%x: tensor<1x1xf32>, %s: tensor<f32>) -> (tensor<f32>, tensor<1x1x1xf32>) {
  %0 = kiln.reshape %x, [] : tensor<1x1xf32> -> tensor<f32>
  %1 = kiln.reshape %s, [1, 1, 1] : tensor<f32> -> tensor<1x1x1xf32>
  return %0, %1 : tensor<f32>, tensor<1x1x1xf32>
}

// -----

// flatten with both sides non-empty is one collapse into rows and columns.
// CHECK-LABEL: func @flatten_middle
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4xf32>)
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0], [1, 2]] : tensor<?x3x4xf32> into tensor<?x12xf32>
// CHECK: return %[[R]]
func.func @flatten_middle(%x: tensor<?x3x4xf32>) -> tensor<?x12xf32> {
  %0 = kiln.flatten %x, axis = 1 : tensor<?x3x4xf32> -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

// -----

// axis = 0 and axis = rank: a single row or column of all the elements.
// CHECK-LABEL: func @flatten_ends
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[P:.*]] = arith.muli %c1{{.*}}, %[[N]] : index
// CHECK: %[[P3:.*]] = arith.muli %[[P]], %c3{{.*}} : index
// CHECK: %[[COUNT:.*]] = arith.muli %[[P3]], %c4{{.*}} : index
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2]] : tensor<?x3x4xf32> into tensor<?xf32>
// CHECK: %[[ROW:.*]] = tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [1, %[[COUNT]]] : tensor<?xf32> into tensor<1x?xf32>
// CHECK: %[[COL:.*]] = tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [%[[COUNT]], 1] : tensor<?xf32> into tensor<?x1xf32>
// CHECK: return %[[ROW]], %[[COL]]
func.func @flatten_ends(%x: tensor<?x3x4xf32>) -> (tensor<1x?xf32>, tensor<?x1xf32>) {
  %0 = kiln.flatten %x, axis = 0 : tensor<?x3x4xf32> -> tensor<1x?xf32>
  %1 = kiln.flatten %x, axis = 3 : tensor<?x3x4xf32> -> tensor<?x1xf32>
  return %0, %1 : tensor<1x?xf32>, tensor<?x1xf32>
}

// -----

// A static result more static than the collapse gets a tensor.cast.
// CHECK-LABEL: func @flatten_refined
// CHECK: %[[C:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<?x3x4xf32> into tensor<?x12xf32>
// CHECK: %[[R:.*]] = tensor.cast %[[C]] : tensor<?x12xf32> to tensor<2x12xf32>
// CHECK: return %[[R]]
func.func @flatten_refined(%x: tensor<?x3x4xf32>) -> tensor<2x12xf32> {
  %0 = kiln.flatten %x, axis = 1 : tensor<?x3x4xf32> -> tensor<2x12xf32>
  return %0 : tensor<2x12xf32>
}

// -----

// linalg.transpose wants the permuted operand type; a refined result is a
// cast of it.
// CHECK-LABEL: func @transpose_refined
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>) -> tensor<3x2xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[X]] : tensor<?x3xf32>) outs(%{{.*}} : tensor<3x?xf32>) permutation = [1, 0]
// CHECK: %[[R:.*]] = tensor.cast %[[T]] : tensor<3x?xf32> to tensor<3x2xf32>
// CHECK: return %[[R]]
func.func @transpose_refined(%x: tensor<?x3xf32>) -> tensor<3x2xf32> {
  %0 = kiln.transpose %x, [1, 0] : tensor<?x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A static result from a dynamic input: the collapsed value is cast to the
// static element count before the expand.
// CHECK-LABEL: func @reshape_refined
// CHECK-SAME: (%[[X:.*]]: tensor<?x?xf32>) -> tensor<3x4xf32>
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<?x?xf32> into tensor<?xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[FLAT]] : tensor<?xf32> to tensor<12xf32>
// CHECK: %[[R:.*]] = tensor.expand_shape %[[C]] {{\[\[}}0, 1]] output_shape [3, 4] : tensor<12xf32> into tensor<3x4xf32>
// CHECK: return %[[R]]
func.func @reshape_refined(%x: tensor<?x?xf32>) -> tensor<3x4xf32> {
  %0 = kiln.reshape %x, [0, -1] : tensor<?x?xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
