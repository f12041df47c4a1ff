// RUN: kiln-opt %s --kiln-unroll-scans -split-input-file -verify-diagnostics | FileCheck %s
// kiln-unroll-scans (for the GPU pipeline): a copy of the body per step, in
// the scan's order, the outputs joined at their steps' positions.

// CHECK-LABEL: func.func @reverse
// CHECK-SAME: (%[[H0:.*]]: tensor<2xf32>, %[[XS:.*]]: tensor<2x2xf32>)
// CHECK-NOT: kiln.scan
// First step: position 1.
// CHECK: %[[T1:.*]] = kiln.constant dense<1> : tensor<i64>
// CHECK: %[[R1:.*]] = kiln.slice %[[XS]]
// CHECK: %[[X1:.*]] = kiln.squeeze %[[R1]]
// CHECK: %[[S1:.*]] = kiln.add %[[H0]], %[[X1]]
// CHECK: %[[C1:.*]] = kiln.cast %[[T1]]
// CHECK: %[[Y1:.*]] = kiln.mul %[[S1]], %[[C1]]
// CHECK: %[[U1:.*]] = kiln.unsqueeze %[[Y1]]
// Second step: position 0, from the first step's state.
// CHECK: %[[T0:.*]] = kiln.constant dense<0> : tensor<i64>
// CHECK: %[[R0:.*]] = kiln.slice %[[XS]]
// CHECK: %[[X0:.*]] = kiln.squeeze %[[R0]]
// CHECK: %[[S0:.*]] = kiln.add %[[S1]], %[[X0]]
// CHECK: %[[U0:.*]] = kiln.unsqueeze
// CHECK: %[[YS:.*]] = kiln.concat %[[U0]], %[[U1]] {axis = 0 : i64}
// CHECK: return %[[S0]], %[[YS]]
func.func @reverse(%h0: tensor<2xf32>, %xs: tensor<2x2xf32>) -> (tensor<2xf32>, tensor<2x2xf32>) {
  %h, %ys = kiln.scan reverse inits(%h0 : tensor<2xf32>) inputs(%xs : tensor<2x2xf32>) -> (tensor<2xf32>, tensor<2x2xf32>) {
  ^bb0(%t: tensor<i64>, %hi: tensor<2xf32>, %x: tensor<2xf32>):
    %s = kiln.add %hi, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %tf = kiln.cast %t : tensor<i64> -> tensor<f32>
    %y = kiln.mul %s, %tf : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
    kiln.yield %s, %y : tensor<2xf32>, tensor<2xf32>
  }
  return %h, %ys : tensor<2xf32>, tensor<2x2xf32>
}

// -----

func.func @dynamic(%xs: tensor<?x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'kiln.scan' op has a number of steps known only at run time, which kiln-unroll-scans cannot unroll}}
  %ys = kiln.scan inits() inputs(%xs : tensor<?x2xf32>) -> (tensor<?x2xf32>) {
  ^bb0(%t: tensor<i64>, %x: tensor<2xf32>):
    kiln.yield %x : tensor<2xf32>
  }
  return %ys : tensor<?x2xf32>
}
