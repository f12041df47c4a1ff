// RUN: kiln-opt %s --kiln-autodiff -verify-diagnostics
// kiln.scan has no gradient rule (the C++ DSL's recurrent layers unroll
// their steps instead): reverse mode stops at it with an error naming it.

func.func @main(%h0: tensor<2xf32>, %xs: tensor<3x2xf32>) -> tensor<f32> {
  // expected-error @+1 {{'kiln.scan' op has no gradient rule (kiln-autodiff cannot go through it)}}
  %h, %ys = kiln.scan inits(%h0 : tensor<2xf32>) inputs(%xs : tensor<3x2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) {
  ^bb0(%t: tensor<i64>, %hi: tensor<2xf32>, %x: tensor<2xf32>):
    %s = kiln.add %hi, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %n = kiln.tanh %s : tensor<2xf32>
    kiln.yield %n, %n : tensor<2xf32>, tensor<2xf32>
  }
  %loss = kiln.reduce_sum %ys, [0, 1] {keepdims = false} : tensor<3x2xf32> -> tensor<f32>
  return %loss : tensor<f32>
}
