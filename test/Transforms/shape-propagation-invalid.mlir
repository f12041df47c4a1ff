// RUN: kiln-opt %s --kiln-shape-propagation='input-shapes=0=2x4' -split-input-file -verify-diagnostics
// RUN: not kiln-opt %s --kiln-shape-propagation='input-shapes=3=2x4' -split-input-file 2>&1 | FileCheck %s --check-prefix=INDEX
// RUN: not kiln-opt %s --kiln-shape-propagation='input-shapes=0=2xq' 2>&1 | FileCheck %s --check-prefix=BAD-DIM
// RUN: not kiln-opt %s --kiln-shape-propagation='input-shapes=x=2' 2>&1 | FileCheck %s --check-prefix=BAD-INDEX

// INDEX: error: input-shapes names argument 3 but the function has 1
// BAD-DIM: error: input-shapes entry '0=2xq' has a bad dimension 'q'
// BAD-INDEX: error: input-shapes entry 'x=2' has no argument index

// A static dimension of the argument cannot be respecialized.
// expected-error @+1 {{input-shapes gives argument 0 the shape 2x4, which contradicts its type 'tensor<?x3xf32>'}}
func.func @contradicts(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  return %x : tensor<?x3xf32>
}

// -----

// The rank must match too.
// expected-error @+1 {{input-shapes gives argument 0 the shape 2x4, which contradicts its type 'tensor<?xf32>'}}
func.func @wrong_rank(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// A result type that contradicts what the specialized input implies.
func.func @result_contradicts(%x: tensor<?x?xf32>) -> tensor<5x?xf32> {
  // expected-error @+1 {{'kiln.relu' op result type 'tensor<5x?xf32>' contradicts the inferred type 'tensor<2x4xf32>'}}
  %0 = kiln.relu %x : tensor<?x?xf32> -> tensor<5x?xf32>
  return %0 : tensor<5x?xf32>
}
