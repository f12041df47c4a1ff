// RUN: kiln-opt %s --split-input-file --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @store
// CHECK: kiln.assign %{{.*}} into %{{.*}} : tensor<2x3xf32>, tensor<?x3xf32>
func.func @store(%p: tensor<?x3xf32> {kiln.mutable}, %v: tensor<2x3xf32>) {
  kiln.assign %v into %p : tensor<2x3xf32>, tensor<?x3xf32>
  return
}

// -----

func.func @not_mutable(%p: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.assign' op expects dest (argument 0) to be marked kiln.mutable}}
  kiln.assign %v into %p : tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @not_an_argument(%v: tensor<4xf32>) {
  %p = kiln.neg %v : tensor<4xf32>
  // expected-error @+1 {{'kiln.assign' op expects dest to be an argument of the function}}
  kiln.assign %v into %p : tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @wrong_type(%p: tensor<4xf32> {kiln.mutable}, %v: tensor<5xf32>) {
  // expected-error @+1 {{'kiln.assign' op cannot store 'tensor<5xf32>' into 'tensor<4xf32>'}}
  kiln.assign %v into %p : tensor<5xf32>, tensor<4xf32>
  return
}

// -----

func.func @wrong_element_type(%p: tensor<4xf32> {kiln.mutable}, %v: tensor<4xf64>) {
  // expected-error @+1 {{'kiln.assign' op cannot store 'tensor<4xf64>' into 'tensor<4xf32>'}}
  kiln.assign %v into %p : tensor<4xf64>, tensor<4xf32>
  return
}
