// RUN: kiln-opt %s -split-input-file -verify-diagnostics | FileCheck %s
// RUN: kiln-opt %s -split-input-file -verify-diagnostics -mlir-print-op-generic | kiln-opt -split-input-file -verify-diagnostics | FileCheck %s
// kiln.dropout's optional step counter (an i64 scalar that the training
// step passes so that masks differ between steps) prints and parses back;
// a counter of another type or rank is rejected.

// CHECK-LABEL: func @with_step
// CHECK: kiln.dropout %{{.*}}, %{{.*}}, %{{.*}} step %{{.*}} {kiln.train_mode, seed = 9 : i64} : (tensor<?x4xf32>, tensor<f32>, tensor<i1>, tensor<i64>) -> (tensor<?x4xf32>, tensor<?x4xi1>)
func.func @with_step(%x: tensor<?x4xf32>, %r: tensor<f32>, %t: tensor<i1>, %s: tensor<i64>) -> (tensor<?x4xf32>, tensor<?x4xi1>) {
  %0:2 = kiln.dropout %x, %r, %t step %s {kiln.train_mode, seed = 9 : i64} : (tensor<?x4xf32>, tensor<f32>, tensor<i1>, tensor<i64>) -> (tensor<?x4xf32>, tensor<?x4xi1>)
  return %0#0, %0#1 : tensor<?x4xf32>, tensor<?x4xi1>
}

// -----

func.func @step_not_i64(%x: tensor<4xf32>, %r: tensor<f32>, %t: tensor<i1>, %s: tensor<i32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.dropout' op operand #3 must be 0D tensor of 64-bit signless integer values}}
  %0:2 = kiln.dropout %x, %r, %t step %s : (tensor<4xf32>, tensor<f32>, tensor<i1>, tensor<i32>) -> (tensor<4xf32>, tensor<4xi1>)
  return %0#0 : tensor<4xf32>
}

// -----

func.func @step_not_scalar(%x: tensor<4xf32>, %r: tensor<f32>, %t: tensor<i1>, %s: tensor<1xi64>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.dropout' op operand #3 must be 0D tensor of 64-bit signless integer values}}
  %0:2 = kiln.dropout %x, %r, %t step %s : (tensor<4xf32>, tensor<f32>, tensor<i1>, tensor<1xi64>) -> (tensor<4xf32>, tensor<4xi1>)
  return %0#0 : tensor<4xf32>
}
