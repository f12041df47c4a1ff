// RUN: kiln-opt %s --convert-kiln-to-linalg -cse -split-input-file | FileCheck %s
// numpy matmul as linalg.matmul (matrix right operand) or batch_matmul.

// CHECK-LABEL: func @matrix
// CHECK-SAME: (%[[A:.*]]: tensor<?x784xf32>, %[[B:.*]]: tensor<784x512xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[M:.*]] = tensor.dim %[[A]], %{{.*}} : tensor<?x784xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[M]]) : tensor<?x512xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<?x512xf32>)
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<?x784xf32>, tensor<784x512xf32>) outs(%[[INIT]] : tensor<?x512xf32>)
// CHECK: return %[[R]]
func.func @matrix(%a: tensor<?x784xf32>, %b: tensor<784x512xf32>) -> tensor<?x512xf32> {
  %0 = kiln.matmul %a, %b : (tensor<?x784xf32>, tensor<784x512xf32>) -> tensor<?x512xf32>
  return %0 : tensor<?x512xf32>
}

// -----

// Leading dimensions of the left operand become rows of one matmul.
// CHECK-LABEL: func @rows_times_matrix
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x4xf32>, %[[B:.*]]: tensor<4x5xf32>)
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: %[[P:.*]] = linalg.matmul ins(%[[ROWS]], %[[B]] : tensor<6x4xf32>, tensor<4x5xf32>) outs(%{{.*}} : tensor<6x5xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 5] : tensor<6x5xf32> into tensor<2x3x5xf32>
// CHECK: return %[[R]]
func.func @rows_times_matrix(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// A 1-D left operand is a row vector whose unit dimension is dropped.
// CHECK-LABEL: func @vector_matrix
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4x5xf32>) -> tensor<5xf32>
// CHECK: %[[ROW:.*]] = tensor.expand_shape %[[A]] {{\[\[}}0, 1]] output_shape [1, 4] : tensor<4xf32> into tensor<1x4xf32>
// CHECK: %[[P:.*]] = linalg.matmul ins(%[[ROW]], %[[B]] : tensor<1x4xf32>, tensor<4x5xf32>) outs(%{{.*}} : tensor<1x5xf32>)
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[P]] {{\[\[}}0, 1]] : tensor<1x5xf32> into tensor<5xf32>
// CHECK: return %[[R]]
func.func @vector_matrix(%a: tensor<4xf32>, %b: tensor<4x5xf32>) -> tensor<5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// A 1-D right operand is a column vector.
// CHECK-LABEL: func @matrix_vector
// CHECK-SAME: (%[[A:.*]]: tensor<?x4xf32>, %[[B:.*]]: tensor<4xf32>) -> tensor<?xf32>
// CHECK: %[[COL:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
// CHECK: %[[P:.*]] = linalg.matmul ins(%[[A]], %[[COL]] : tensor<?x4xf32>, tensor<4x1xf32>) outs(%{{.*}} : tensor<?x1xf32>)
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[P]] {{\[\[}}0, 1]] : tensor<?x1xf32> into tensor<?xf32>
// CHECK: return %[[R]]
func.func @matrix_vector(%a: tensor<?x4xf32>, %b: tensor<4xf32>) -> tensor<?xf32> {
  %0 = kiln.matmul %a, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func @dot
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>) -> tensor<f32>
// CHECK-DAG: %[[ROW:.*]] = tensor.expand_shape %[[A]] {{\[\[}}0, 1]] output_shape [1, 4]
// CHECK-DAG: %[[COL:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1]] output_shape [4, 1]
// CHECK: %[[P:.*]] = linalg.matmul ins(%[[ROW]], %[[COL]] : tensor<1x4xf32>, tensor<4x1xf32>) outs(%{{.*}} : tensor<1x1xf32>)
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[P]] [] : tensor<1x1xf32> into tensor<f32>
// CHECK: return %[[R]]
func.func @dot(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<f32> {
  %0 = kiln.matmul %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Batch dimensions broadcast (5x1 against 7 gives 5x7), then collapse into
// the one batch dimension of batch_matmul.
// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
// CHECK-DAG: #[[$ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @batched_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<5x1x3x4xf32>, %[[B:.*]]: tensor<7x4x2xf32>)
// CHECK: %[[BA:.*]] = linalg.generic {indexing_maps = [#[[$LHS]], #[[$ID4]]]
// CHECK-SAME: ins(%[[A]] : tensor<5x1x3x4xf32>) outs(%{{.*}} : tensor<5x7x3x4xf32>)
// CHECK: %[[BB:.*]] = linalg.generic {indexing_maps = [#[[$RHS]], #[[$ID4]]]
// CHECK-SAME: ins(%[[B]] : tensor<7x4x2xf32>) outs(%{{.*}} : tensor<5x7x4x2xf32>)
// CHECK-DAG: %[[A3:.*]] = tensor.collapse_shape %[[BA]] {{\[\[}}0, 1], [2], [3]] : tensor<5x7x3x4xf32> into tensor<35x3x4xf32>
// CHECK-DAG: %[[B3:.*]] = tensor.collapse_shape %[[BB]] {{\[\[}}0, 1], [2], [3]] : tensor<5x7x4x2xf32> into tensor<35x4x2xf32>
// CHECK: %[[P:.*]] = linalg.batch_matmul ins(%[[A3]], %[[B3]] : tensor<35x3x4xf32>, tensor<35x4x2xf32>) outs(%{{.*}} : tensor<35x3x2xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2], [3]] output_shape [5, 7, 3, 2] : tensor<35x3x2xf32> into tensor<5x7x3x2xf32>
// CHECK: return %[[R]]
func.func @batched_broadcast(%a: tensor<5x1x3x4xf32>, %b: tensor<7x4x2xf32>) -> tensor<5x7x3x2xf32> {
  %0 = kiln.matmul %a, %b : (tensor<5x1x3x4xf32>, tensor<7x4x2xf32>) -> tensor<5x7x3x2xf32>
  return %0 : tensor<5x7x3x2xf32>
}

// -----

// Equal dynamic batches need no broadcast; sizes come from tensor.dim.
// CHECK-LABEL: func @batched_dynamic_int
// CHECK-SAME: (%[[A:.*]]: tensor<?x?x4xi32>, %[[B:.*]]: tensor<?x4x?xi32>)
// CHECK-NOT: linalg.generic
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-DAG: %[[BATCH:.*]] = tensor.dim %[[A]], %c0{{.*}} : tensor<?x?x4xi32>
// CHECK-DAG: %[[M:.*]] = tensor.dim %[[A]], %c1{{.*}} : tensor<?x?x4xi32>
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[B]], %c2{{.*}} : tensor<?x4x?xi32>
// CHECK: %[[E:.*]] = tensor.empty(%[[BATCH]], %[[M]], %[[N]]) : tensor<?x?x?xi32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : i32) outs(%[[E]] : tensor<?x?x?xi32>)
// CHECK: linalg.batch_matmul ins(%[[A]], %[[B]] : tensor<?x?x4xi32>, tensor<?x4x?xi32>) outs(%[[INIT]] : tensor<?x?x?xi32>)
func.func @batched_dynamic_int(%a: tensor<?x?x4xi32>, %b: tensor<?x4x?xi32>) -> tensor<?x?x?xi32> {
  %0 = kiln.matmul %a, %b : (tensor<?x?x4xi32>, tensor<?x4x?xi32>) -> tensor<?x?x?xi32>
  return %0 : tensor<?x?x?xi32>
}

// -----

// A vector against a batch of matrices: [4] x [3, 4, 5] -> [3, 5].
// CHECK-LABEL: func @vector_batched
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<3x4x5xf32>) -> tensor<3x5xf32>
// CHECK: tensor.expand_shape %[[A]] {{\[\[}}0, 1]] output_shape [1, 4] : tensor<4xf32> into tensor<1x4xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<3x1x4xf32>)
// CHECK: %[[P:.*]] = linalg.batch_matmul ins(%{{.*}}, %[[B]] : tensor<3x1x4xf32>, tensor<3x4x5xf32>) outs(%{{.*}} : tensor<3x1x5xf32>)
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[P]] {{\[\[}}0], [1, 2]] : tensor<3x1x5xf32> into tensor<3x5xf32>
// CHECK: return %[[R]]
func.func @vector_batched(%a: tensor<4xf32>, %b: tensor<3x4x5xf32>) -> tensor<3x5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<4xf32>, tensor<3x4x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// Unsigned matmul works on signless i8 (the bits of + and * do not depend on
// signedness).
// CHECK-LABEL: func @unsigned
// CHECK-SAME: (%{{.*}}: tensor<2x3xi8>, %{{.*}}: tensor<3x4xi8>) -> tensor<2x4xi8>
// CHECK: linalg.matmul {{.*}} -> tensor<2x4xi8>
func.func @unsigned(%a: tensor<2x3xui8>, %b: tensor<3x4xui8>) -> tensor<2x4xui8> {
  %0 = kiln.matmul %a, %b : (tensor<2x3xui8>, tensor<3x4xui8>) -> tensor<2x4xui8>
  return %0 : tensor<2x4xui8>
}

// -----

// A refined static result of dynamic operands.
// CHECK-LABEL: func @rows_refined
// CHECK: %[[P:.*]] = linalg.matmul {{.*}} -> tensor<?x?xf32>
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[P]] {{\[\[}}0, 1]] : tensor<?x?xf32> into tensor<?xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[FLAT]] : tensor<?xf32> to tensor<30xf32>
// CHECK: %[[R:.*]] = tensor.expand_shape %[[C]] {{\[\[}}0, 1, 2]] output_shape [2, 3, 5] : tensor<30xf32> into tensor<2x3x5xf32>
// CHECK: return %[[R]]
func.func @rows_refined(%a: tensor<?x?x4xf32>, %b: tensor<4x?xf32>) -> tensor<2x3x5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<?x?x4xf32>, tensor<4x?xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}
