// RUN: kiln-opt %s --kiln-graph-pipeline | FileCheck %s --check-prefix=GRAPH
// RUN: kiln-opt %s --kiln-graph-pipeline='input-shapes=0=2x?' | FileCheck %s --check-prefix=SHAPES
// RUN: kiln-opt %s --kiln-linalg-pipeline | FileCheck %s --check-prefix=LINALG
// RUN: kiln-opt %s --kiln-linalg-pipeline | kiln-opt --kiln-cpu-codegen-pipeline | FileCheck %s --check-prefix=CODEGEN
// The three stages of kiln-cpu-pipeline, one at a time.

// Graph level: constants fold, identities and involutions disappear, the ops
// stay kiln ops.
// GRAPH-LABEL: func @model
// GRAPH-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[W:.*]]: tensor<4x3xf32>) -> tensor<?x3xf32>
// GRAPH-DAG: %[[B:.*]] = kiln.constant dense<[2.000000e+00, 4.000000e+00, 6.000000e+00]> : tensor<3xf32>
// GRAPH-DAG: %[[M:.*]] = kiln.matmul %[[X]], %[[W]]
// GRAPH: %[[A:.*]] = kiln.add %[[M]], %[[B]]
// GRAPH: %[[R:.*]] = kiln.relu %[[A]]
// GRAPH: return %[[R]]
// GRAPH-NOT: kiln.mul
// GRAPH-NOT: kiln.neg

// input-shapes makes the batch static through to the result.
// SHAPES-LABEL: func @model
// SHAPES-SAME: (%{{.*}}: tensor<2x4xf32>, %{{.*}}: tensor<4x3xf32>) -> tensor<2x3xf32>
// SHAPES: kiln.relu %{{.*}} : tensor<2x3xf32>

// linalg on tensors: entry points are marked, no kiln op is left, and the
// bias add fuses with the activation into one generic.
// LINALG-NOT: kiln.
// LINALG-LABEL: func @model
// LINALG-SAME: %{{.*}}: tensor<?x4xf32> {bufferization.writable = false}
// LINALG-SAME: attributes {llvm.emit_c_interface}
// LINALG: linalg.matmul
// LINALG: linalg.generic
// LINALG: arith.addf
// LINALG-NEXT: arith.maximumf
// LINALG-NOT: linalg.generic
// LINALG: return

// CODEGEN-NOT: linalg.
// CODEGEN-NOT: memref.
// CODEGEN-NOT: func.func
// CODEGEN: llvm.func @model(
// CODEGEN: llvm.func @_mlir_ciface_model(
func.func @model(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>) -> tensor<?x3xf32> {
  %one = kiln.constant dense<1.0> : tensor<3xf32>
  %b = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %b2 = kiln.add %b, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %0 = kiln.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = kiln.mul %0, %one : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = kiln.add %1, %b2 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %3 = kiln.relu %2 : tensor<?x3xf32>
  %4 = kiln.neg %3 : tensor<?x3xf32>
  %5 = kiln.neg %4 : tensor<?x3xf32>
  return %5 : tensor<?x3xf32>
}
