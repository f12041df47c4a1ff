// RUN: kiln-opt %s --kiln-shape-propagation='input-shapes=0=2x8,1=5x2x8' -split-input-file -verify-diagnostics | FileCheck %s
// Static input shapes flow into a kiln.scan's body (through its arguments)
// and out of it (through what it yields) to its results.

// CHECK-LABEL: func.func @rnn
// CHECK-SAME: (%{{.*}}: tensor<2x8xf32>, %{{.*}}: tensor<5x2x8xf32>) -> (tensor<2x8xf32>, tensor<5x2x8xf32>)
// CHECK: kiln.scan inits(%{{.*}} : tensor<2x8xf32>) inputs(%{{.*}} : tensor<5x2x8xf32>) -> (tensor<2x8xf32>, tensor<5x2x8xf32>)
// CHECK-NEXT: ^bb0(%{{.*}}: tensor<i64>, %{{.*}}: tensor<2x8xf32>, %{{.*}}: tensor<2x8xf32>):
// CHECK-NEXT: kiln.add {{.*}} -> tensor<2x8xf32>
// CHECK-NEXT: kiln.tanh {{.*}} : tensor<2x8xf32>
// CHECK-NEXT: kiln.yield {{.*}} : tensor<2x8xf32>, tensor<2x8xf32>
func.func @rnn(%h0: tensor<?x8xf32>, %xs: tensor<?x?x8xf32>) -> (tensor<?x8xf32>, tensor<?x?x8xf32>) {
  %h, %ys = kiln.scan inits(%h0 : tensor<?x8xf32>) inputs(%xs : tensor<?x?x8xf32>) -> (tensor<?x8xf32>, tensor<?x?x8xf32>) {
  ^bb0(%t: tensor<i64>, %hi: tensor<?x8xf32>, %x: tensor<?x8xf32>):
    %s = kiln.add %hi, %x : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
    %n = kiln.tanh %s : tensor<?x8xf32>
    kiln.yield %n, %n : tensor<?x8xf32>, tensor<?x8xf32>
  }
  return %h, %ys : tensor<?x8xf32>, tensor<?x?x8xf32>
}

// -----

// A state whose initial value and per-step value cannot have one type.
func.func @contradiction(%h0: tensor<?x8xf32>, %xs: tensor<?x?x8xf32>) -> tensor<?x8xf32> {
  %c = kiln.constant dense<1.0> : tensor<3x8xf32>
  // expected-error @+1 {{'kiln.scan' op state argument 'tensor<2x8xf32>' contradicts 'tensor<3x8xf32>'}}
  %h = kiln.scan inits(%h0 : tensor<?x8xf32>) inputs(%xs : tensor<?x?x8xf32>) -> (tensor<?x8xf32>) {
  ^bb0(%t: tensor<i64>, %hi: tensor<?x8xf32>, %x: tensor<?x8xf32>):
    %s = kiln.add %hi, %c : (tensor<?x8xf32>, tensor<3x8xf32>) -> tensor<3x8xf32>
    kiln.yield %s : tensor<3x8xf32>
  }
  return %h : tensor<?x8xf32>
}
