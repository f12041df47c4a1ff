// RUN: kiln-opt %s --kiln-shape-propagation -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-shape-propagation='input-shapes=0=2x?,1=3x4' -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=SPEC
// RUN: kiln-opt %s --kiln-graph-pipeline='input-shapes=0=2x?,1=3x4' -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=GRAPH
// Every public function here has two arguments, for the input-shapes above.
// More error cases are in shape-propagation-invalid.mlir.

// Without input-shapes, valid IR is already as static as inference allows:
// nothing changes.
// CHECK-LABEL: func @forward
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>, %[[W:.*]]: tensor<?x?xf32>) -> tensor<?x?xf32>
// CHECK: kiln.matmul %[[X]], %[[W]] : (tensor<?x3xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
// With input-shapes argument 0 becomes 2x3 (the ? of the spec keeps the
// type's 3), argument 1 becomes 3x4, and static shapes flow to the results.
// SPEC-LABEL: func @forward
// SPEC-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[W:.*]]: tensor<3x4xf32>) -> tensor<2x4xf32>
// SPEC: %[[M:.*]] = kiln.matmul %[[X]], %[[W]] : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// SPEC: %[[R:.*]] = kiln.relu %[[M]] : tensor<2x4xf32>
// SPEC: return %[[R]] : tensor<2x4xf32>
// GRAPH-LABEL: func @forward
// GRAPH-SAME: (%{{.*}}: tensor<2x3xf32>, %{{.*}}: tensor<3x4xf32>) -> tensor<2x4xf32>
func.func @forward(%x: tensor<?x3xf32>, %w: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = kiln.matmul %x, %w : (tensor<?x3xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %1 = kiln.relu %0 : tensor<?x?xf32>
  return %1 : tensor<?x?xf32>
}

// -----

// Shapes flow through every kind of op.
// SPEC-LABEL: func @chain
// SPEC-SAME: -> (tensor<2x4xf32>, tensor<1xf32>, tensor<4x2xf32>, tensor<2x1x4xf32>)
// SPEC: kiln.add %{{.*}}, %{{.*}} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// SPEC: kiln.tanh %{{.*}} : tensor<2x4xf32>
// SPEC: kiln.flatten %{{.*}}, axis = 0 : tensor<2x4xf32> -> tensor<1x8xf32>
// SPEC: kiln.reduce_sum %{{.*}}, [1] {keepdims = false} : tensor<1x8xf32> -> tensor<1xf32>
// SPEC: kiln.transpose %{{.*}}, [1, 0] : tensor<2x4xf32> -> tensor<4x2xf32>
// SPEC: kiln.reshape %{{.*}}, [0, 1, -1] : tensor<2x4xf32> -> tensor<2x1x4xf32>
func.func @chain(%x: tensor<?x4xf32>, %unused: tensor<?x?xf32>)
    -> (tensor<?x4xf32>, tensor<1xf32>, tensor<4x?xf32>, tensor<?x1x4xf32>) {
  %b = kiln.constant dense<1.0> : tensor<4xf32>
  %0 = kiln.add %x, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %1 = kiln.tanh %0 : tensor<?x4xf32>
  %2 = kiln.flatten %1, axis = 0 : tensor<?x4xf32> -> tensor<1x?xf32>
  %3 = kiln.reduce_sum %2, [1] {keepdims = false} : tensor<1x?xf32> -> tensor<1xf32>
  %4 = kiln.transpose %1, [1, 0] : tensor<?x4xf32> -> tensor<4x?xf32>
  %5 = kiln.reshape %1, [0, 1, -1] : tensor<?x4xf32> -> tensor<?x1x4xf32>
  return %1, %3, %4, %5 : tensor<?x4xf32>, tensor<1xf32>, tensor<4x?xf32>, tensor<?x1x4xf32>
}

// -----

// Ops outside the kiln dialect keep the type they were built with through a
// tensor.cast; func.return takes the refined value.
// SPEC-LABEL: func @foreign_users
// SPEC-SAME: (%[[X:.*]]: tensor<2x3xf32>, %{{.*}}: tensor<3x4xf32>) -> (tensor<2x3xf32>, index)
// SPEC: %[[XC:.*]] = tensor.cast %[[X]] : tensor<2x3xf32> to tensor<?x3xf32>
// SPEC: %[[E:.*]] = kiln.exp %[[X]] : tensor<2x3xf32>
// SPEC: %[[EC:.*]] = tensor.cast %[[E]] : tensor<2x3xf32> to tensor<?x3xf32>
// SPEC: tensor.dim %[[EC]], %{{.*}} : tensor<?x3xf32>
// SPEC: tensor.dim %[[XC]], %{{.*}} : tensor<?x3xf32>
// SPEC: return %[[E]], %{{.*}} : tensor<2x3xf32>, index
func.func @foreign_users(%x: tensor<?x3xf32>, %unused: tensor<?x?xf32>) -> (tensor<?x3xf32>, index) {
  %c0 = arith.constant 0 : index
  %0 = kiln.exp %x : tensor<?x3xf32>
  %d0 = tensor.dim %0, %c0 : tensor<?x3xf32>
  %d1 = tensor.dim %x, %c0 : tensor<?x3xf32>
  %d = arith.addi %d0, %d1 : index
  return %0, %d : tensor<?x3xf32>, index
}

// -----

// A result type that refines the inferred one keeps what it knows: the meet
// of 2x? (inferred) and ?x7 (declared) is 2x7.
// CHECK-LABEL: func @keeps_refinement
// CHECK: kiln.relu %{{.*}} : tensor<?x?xf32> -> tensor<?x7xf32>
// CHECK: kiln.neg %{{.*}} : tensor<?x7xf32>
// SPEC-LABEL: func @keeps_refinement
// SPEC: %[[R:.*]] = kiln.relu %{{.*}} : tensor<2x?xf32> -> tensor<2x7xf32>
// SPEC: kiln.neg %[[R]] : tensor<2x7xf32>
func.func @keeps_refinement(%x: tensor<?x?xf32>, %unused: tensor<?x?xf32>) -> tensor<?x7xf32> {
  %0 = kiln.relu %x : tensor<?x?xf32> -> tensor<?x7xf32>
  %1 = kiln.neg %0 : tensor<?x7xf32>
  return %1 : tensor<?x7xf32>
}

// -----

// input-shapes specializes public functions (entry points) only; a private
// helper keeps its arguments and the call passes the refined value cast back.
// SPEC-LABEL: func.func private @helper
// SPEC-SAME: (%{{.*}}: tensor<?x3xf32>) -> tensor<?x3xf32>
// SPEC: kiln.sigmoid %{{.*}} : tensor<?x3xf32>
// SPEC-LABEL: func @entry
// SPEC-SAME: (%[[X:.*]]: tensor<2x3xf32>, %{{.*}}: tensor<3x4xf32>) -> tensor<?x3xf32>
// SPEC: %[[C:.*]] = tensor.cast %[[X]] : tensor<2x3xf32> to tensor<?x3xf32>
// SPEC: %[[R:.*]] = call @helper(%[[C]]) : (tensor<?x3xf32>) -> tensor<?x3xf32>
// SPEC: return %[[R]] : tensor<?x3xf32>
func.func private @helper(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = kiln.sigmoid %x : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
func.func @entry(%x: tensor<?x3xf32>, %unused: tensor<?x?xf32>) -> tensor<?x3xf32> {
  %0 = func.call @helper(%x) : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A public function called inside the module: its new signature is
// reconciled with the call, which keeps its own types through casts.
// SPEC-LABEL: func @callee
// SPEC-SAME: (%{{.*}}: tensor<2x2xf32>, %{{.*}}: tensor<3x4xf32>) -> tensor<2x2xf32>
// SPEC-LABEL: func @caller
// SPEC-SAME: (%[[X:.*]]: tensor<2x2xf32>, %[[Y:.*]]: tensor<3x4xf32>)
// SPEC-DAG: %[[XC:.*]] = tensor.cast %[[X]] : tensor<2x2xf32> to tensor<?x2xf32>
// SPEC-DAG: %[[YC:.*]] = tensor.cast %[[Y]] : tensor<3x4xf32> to tensor<?x?xf32>
// SPEC-DAG: %[[XS:.*]] = tensor.cast %[[XC]] : tensor<?x2xf32> to tensor<2x2xf32>
// SPEC-DAG: %[[YS:.*]] = tensor.cast %[[YC]] : tensor<?x?xf32> to tensor<3x4xf32>
// SPEC: %[[R:.*]] = call @callee(%[[XS]], %[[YS]]) : (tensor<2x2xf32>, tensor<3x4xf32>) -> tensor<2x2xf32>
// SPEC: %[[RC:.*]] = tensor.cast %[[R]] : tensor<2x2xf32> to tensor<?x2xf32>
// SPEC: kiln.abs %[[RC]] : tensor<?x2xf32>
func.func @callee(%x: tensor<?x2xf32>, %y: tensor<?x?xf32>) -> tensor<?x2xf32> {
  %0 = kiln.exp %x : tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
func.func @caller(%x: tensor<?x2xf32>, %y: tensor<?x?xf32>) -> tensor<?x2xf32> {
  %0 = func.call @callee(%x, %y) : (tensor<?x2xf32>, tensor<?x?xf32>) -> tensor<?x2xf32>
  %1 = kiln.abs %0 : tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// With input-shapes, a shape that contradicts a static dimension of the
// argument is an error (the runs without the option accept this function).
// CHECK-LABEL: func @contradicted
// expected-error @+1 {{input-shapes gives argument 0 the shape 2x?, which contradicts its type 'tensor<5x3xf32>'}}
func.func @contradicted(%x: tensor<5x3xf32>, %unused: tensor<?x?xf32>) -> tensor<5x3xf32> {
  return %x : tensor<5x3xf32>
}
