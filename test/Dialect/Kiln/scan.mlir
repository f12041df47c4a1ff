// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --canonicalize --cse | FileCheck %s --check-prefix=CANON
// kiln.scan round-trips through its assembly; canonicalization and CSE work
// inside its body and keep it valid.

// CHECK-LABEL: func.func @rnn
// CHECK: %[[R:.*]]:2 = kiln.scan reverse inits(%{{.*}} : tensor<?x8xf32>) inputs(%{{.*}} : tensor<5x?x8xf32>) -> (tensor<?x8xf32>, tensor<5x?x8xf32>) {
// CHECK-NEXT: ^bb0(%{{.*}}: tensor<i64>, %[[H:.*]]: tensor<?x8xf32>, %[[X:.*]]: tensor<?x8xf32>):
// CHECK-NEXT: %[[S:.*]] = kiln.add %[[H]], %[[X]]
// CHECK-NEXT: %[[N:.*]] = kiln.tanh %[[S]]
// CHECK-NEXT: kiln.yield %[[N]], %[[N]] : tensor<?x8xf32>, tensor<?x8xf32>
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @rnn(%h0: tensor<?x8xf32>, %xs: tensor<5x?x8xf32>) -> (tensor<?x8xf32>, tensor<5x?x8xf32>) {
  %h, %ys = kiln.scan reverse inits(%h0 : tensor<?x8xf32>) inputs(%xs : tensor<5x?x8xf32>) -> (tensor<?x8xf32>, tensor<5x?x8xf32>) {
  ^bb0(%t: tensor<i64>, %hi: tensor<?x8xf32>, %x: tensor<?x8xf32>):
    %s = kiln.add %hi, %x : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
    %n = kiln.tanh %s : tensor<?x8xf32>
    kiln.yield %n, %n : tensor<?x8xf32>, tensor<?x8xf32>
  }
  return %h, %ys : tensor<?x8xf32>, tensor<5x?x8xf32>
}

// No states, two scan inputs, two outputs; the body uses a weight from
// outside and the step index. CSE merges the duplicate product in the body,
// and a constant in it is hoisted out.
// CHECK-LABEL: func.func @stateless
// CHECK: kiln.scan inits() inputs(%{{.*}}, %{{.*}} : tensor<3x4xf32>, tensor<3xi64>) -> (tensor<3x4xf32>, tensor<3xi1>)
// CANON-LABEL: func.func @stateless
// CANON: %[[C:.*]] = kiln.constant dense<2.000000e+00>
// CANON: kiln.scan
// CANON: ^bb0(%[[T:.*]]: tensor<i64>, %[[X:.*]]: tensor<4xf32>, %[[L:.*]]: tensor<i64>):
// CANON-NEXT: %[[M:.*]] = kiln.mul %[[X]], %{{.*}}
// CANON-NEXT: %[[A:.*]] = kiln.add %[[M]], %[[M]]
// CANON-NEXT: %[[B:.*]] = kiln.mul %[[A]], %[[C]]
// CANON-NEXT: %[[LT:.*]] = kiln.less %[[T]], %[[L]]
// CANON-NEXT: kiln.yield %[[B]], %[[LT]]
func.func @stateless(%xs: tensor<3x4xf32>, %w: tensor<4xf32>, %lens: tensor<3xi64>) -> (tensor<3x4xf32>, tensor<3xi1>) {
  %ys, %masks = kiln.scan inits() inputs(%xs, %lens : tensor<3x4xf32>, tensor<3xi64>) -> (tensor<3x4xf32>, tensor<3xi1>) {
  ^bb0(%t: tensor<i64>, %x: tensor<4xf32>, %l: tensor<i64>):
    %a = kiln.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %b = kiln.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s = kiln.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %two = kiln.constant dense<2.0> : tensor<f32>
    %y = kiln.mul %s, %two : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    %in = kiln.less %t, %l : (tensor<i64>, tensor<i64>) -> tensor<i1>
    kiln.yield %y, %in : tensor<4xf32>, tensor<i1>
  }
  return %ys, %masks : tensor<3x4xf32>, tensor<3xi1>
}

// A scan whose results are unused has no effect and is removed.
// CANON-LABEL: func.func @dead
// CANON-NOT: kiln.scan
// CANON: return
func.func @dead(%h0: tensor<2xf32>, %xs: tensor<4x2xf32>) {
  %h, %ys = kiln.scan inits(%h0 : tensor<2xf32>) inputs(%xs : tensor<4x2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>) {
  ^bb0(%t: tensor<i64>, %hi: tensor<2xf32>, %x: tensor<2xf32>):
    %s = kiln.add %hi, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    kiln.yield %s, %s : tensor<2xf32>, tensor<2xf32>
  }
  return
}
