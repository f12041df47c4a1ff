// RUN: kiln-opt %s --kiln-mark-entry-points | FileCheck %s
// Public functions with bodies are entry points: C interface wrappers, and
// read-only tensor arguments unless marked kiln.mutable.

// CHECK-LABEL: func.func @model
// CHECK-SAME: (%{{.*}}: tensor<?x4xf32> {bufferization.writable = false},
// CHECK-SAME: %{{.*}}: tensor<4xf32> {bufferization.writable = false, kiln.name = "bias"},
// CHECK-SAME: %{{.*}}: index)
// CHECK-SAME: attributes {llvm.emit_c_interface}
func.func @model(%x: tensor<?x4xf32>, %b: tensor<4xf32> {kiln.name = "bias"}, %n: index) -> tensor<?x4xf32> {
  %0 = kiln.add %x, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// A parameter a training step updates in place stays writable.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%{{.*}}: tensor<4xf32> {kiln.mutable},
// CHECK-SAME: %{{.*}}: tensor<4xf32> {bufferization.writable = false})
// CHECK-SAME: attributes {llvm.emit_c_interface}
func.func @train_step(%w: tensor<4xf32> {kiln.mutable}, %g: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.sub %w, %g : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Private helpers and declarations are not entry points.
// CHECK-LABEL: func.func private @helper
// CHECK-SAME: (%{{.*}}: tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NOT: bufferization.writable
// CHECK-NOT: llvm.emit_c_interface
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// CHECK-LABEL: func.func private @declared(tensor<4xf32>) -> tensor<4xf32>
// CHECK-NOT: emit_c_interface
func.func private @declared(tensor<4xf32>) -> tensor<4xf32>
