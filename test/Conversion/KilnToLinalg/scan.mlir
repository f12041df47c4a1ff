// RUN: kiln-opt %s --convert-kiln-to-linalg -split-input-file | FileCheck %s

// kiln.scan becomes an scf.for over the steps carrying the state and the
// stacked output; the step's slice comes from tensor.extract_slice, the
// output goes in with tensor.insert_slice, and the body is lowered in place.
// CHECK-LABEL: func @forward
// CHECK-SAME: (%[[H0:.*]]: tensor<2x8xf32>, %[[XS:.*]]: tensor<5x2x8xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK: %[[E:.*]] = tensor.empty() : tensor<5x2x8xf32>
// CHECK: %[[R:.*]]:2 = scf.for %[[I:.*]] = %[[C0]] to %[[C5]] step %[[C1]] iter_args(%[[H:.*]] = %[[H0]], %[[ACC:.*]] = %[[E]]) -> (tensor<2x8xf32>, tensor<5x2x8xf32>)
// CHECK: %[[X:.*]] = tensor.extract_slice %[[XS]][%[[I]], 0, 0] [1, 2, 8] [1, 1, 1] : tensor<5x2x8xf32> to tensor<2x8xf32>
// CHECK: %[[S:.*]] = linalg.generic {{.*}} ins(%[[H]], %[[X]] : {{.*}})
// CHECK: arith.addf
// CHECK: %[[INS:.*]] = tensor.insert_slice %[[S]] into %[[ACC]][%[[I]], 0, 0] [1, 2, 8] [1, 1, 1]
// CHECK-NEXT: scf.yield %[[S]], %[[INS]] : tensor<2x8xf32>, tensor<5x2x8xf32>
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @forward(%h0: tensor<2x8xf32>, %xs: tensor<5x2x8xf32>) -> (tensor<2x8xf32>, tensor<5x2x8xf32>) {
  %h, %ys = kiln.scan inits(%h0 : tensor<2x8xf32>) inputs(%xs : tensor<5x2x8xf32>) -> (tensor<2x8xf32>, tensor<5x2x8xf32>) {
  ^bb0(%t: tensor<i64>, %hi: tensor<2x8xf32>, %x: tensor<2x8xf32>):
    %s = kiln.add %hi, %x : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
    kiln.yield %s, %s : tensor<2x8xf32>, tensor<2x8xf32>
  }
  return %h, %ys : tensor<2x8xf32>, tensor<5x2x8xf32>
}

// -----

// A reverse scan of a run-time number of steps: the position counts down
// from T - 1 and is the step argument the body yields.
// CHECK-LABEL: func @reverse_steps
// CHECK-SAME: (%[[XS:.*]]: tensor<?x3xf32>)
// CHECK: %[[T:.*]] = tensor.dim %[[XS]], %{{.*}} : tensor<?x3xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[T]]) : tensor<?xi64>
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[T]] step %[[C1:.*]] iter_args(%[[ACC:.*]] = %[[E]])
// CHECK: %[[LAST:.*]] = arith.subi %[[T]], %[[C1]] : index
// CHECK: %[[P:.*]] = arith.subi %[[LAST]], %[[I]] : index
// CHECK: %[[P64:.*]] = arith.index_cast %[[P]] : index to i64
// CHECK: %[[STEP:.*]] = tensor.from_elements %[[P64]] : tensor<i64>
// CHECK: tensor.insert_slice %[[STEP]] into %[[ACC]][%[[P]]] [1] [1] : tensor<i64> into tensor<?xi64>
func.func @reverse_steps(%xs: tensor<?x3xf32>) -> tensor<?xi64> {
  %ts = kiln.scan reverse inits() inputs(%xs : tensor<?x3xf32>) -> (tensor<?xi64>) {
  ^bb0(%t: tensor<i64>, %x: tensor<3xf32>):
    kiln.yield %t : tensor<i64>
  }
  return %ts : tensor<?xi64>
}

// -----

// An output with a dynamic extent other than the steps: its size is read
// from a copy of the body for the first step, before the loop.
// CHECK-LABEL: func @dynamic_output
// CHECK-SAME: (%[[H0:.*]]: tensor<?x4xf32>, %[[XS:.*]]: tensor<3x?x4xf32>)
// CHECK: %[[X0:.*]] = tensor.extract_slice %[[XS]][%{{.*}}, 0, 0]
// CHECK: %[[Y0:.*]] = linalg.generic {{.*}} ins(%[[H0]], %[[X0]]
// CHECK: %[[N:.*]] = tensor.dim %[[Y0]], %{{.*}} : tensor<?x4xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<3x?x4xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[H0]], %{{.*}} = %[[E]])
func.func @dynamic_output(%h0: tensor<?x4xf32>, %xs: tensor<3x?x4xf32>) -> tensor<3x?x4xf32> {
  %h, %ys = kiln.scan inits(%h0 : tensor<?x4xf32>) inputs(%xs : tensor<3x?x4xf32>) -> (tensor<?x4xf32>, tensor<3x?x4xf32>) {
  ^bb0(%t: tensor<i64>, %hi: tensor<?x4xf32>, %x: tensor<?x4xf32>):
    %s = kiln.mul %hi, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    kiln.yield %s, %s : tensor<?x4xf32>, tensor<?x4xf32>
  }
  return %ys : tensor<3x?x4xf32>
}
