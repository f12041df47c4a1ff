// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// One case per verifier rule of kiln.scan and kiln.yield.

func.func @no_inputs(%h0: tensor<2xf32>) {
  // expected-error @+1 {{'kiln.scan' op expects at least one scan input (the sequence)}}
  %h = kiln.scan inits(%h0 : tensor<2xf32>) inputs() -> (tensor<2xf32>) {
  ^bb0(%t: tensor<i64>, %hi: tensor<2xf32>):
    kiln.yield %hi : tensor<2xf32>
  }
  return
}

// -----

func.func @scalar_input(%x: tensor<f32>) {
  // expected-error @+1 {{'kiln.scan' op expects scan input 0 to have a dimension 0 to scan, got 'tensor<f32>'}}
  %y = kiln.scan inits() inputs(%x : tensor<f32>) -> (tensor<1xf32>) {
  ^bb0(%t: tensor<i64>, %xi: tensor<f32>):
    kiln.yield %xi : tensor<f32>
  }
  return
}

// -----

func.func @lengths_differ(%a: tensor<3x2xf32>, %b: tensor<4x2xf32>) {
  // expected-error @+1 {{'kiln.scan' op expects scan inputs of one length, got 3 and 4 (input 1)}}
  %y = kiln.scan inits() inputs(%a, %b : tensor<3x2xf32>, tensor<4x2xf32>) -> (tensor<3x2xf32>) {
  ^bb0(%t: tensor<i64>, %x: tensor<2xf32>, %z: tensor<2xf32>):
    kiln.yield %x : tensor<2xf32>
  }
  return
}

// -----

func.func @arg_count(%h0: tensor<2xf32>, %xs: tensor<3x2xf32>) {
  // expected-error @+1 {{'kiln.scan' op expects the body to take 1 + 1 + 1 arguments (step, states, slices), got 2}}
  %h, %y = kiln.scan inits(%h0 : tensor<2xf32>) inputs(%xs : tensor<3x2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) {
  ^bb0(%hi: tensor<2xf32>, %x: tensor<2xf32>):
    kiln.yield %hi, %x : tensor<2xf32>, tensor<2xf32>
  }
  return
}

// -----

func.func @step_type(%xs: tensor<3x2xf32>) {
  // expected-error @+1 {{'kiln.scan' op expects the body's first argument to be the step as tensor<i64>, got 'tensor<i32>'}}
  %y = kiln.scan inits() inputs(%xs : tensor<3x2xf32>) -> (tensor<3x2xf32>) {
  ^bb0(%t: tensor<i32>, %x: tensor<2xf32>):
    kiln.yield %x : tensor<2xf32>
  }
  return
}

// -----

func.func @state_arg(%h0: tensor<2xf32>, %xs: tensor<3x2xf32>) {
  // expected-error @+1 {{'kiln.scan' op expects body argument 1 ('tensor<3xf32>') to match init 0 ('tensor<2xf32>')}}
  %h, %y = kiln.scan inits(%h0 : tensor<2xf32>) inputs(%xs : tensor<3x2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) {
  ^bb0(%t: tensor<i64>, %hi: tensor<3xf32>, %x: tensor<2xf32>):
    kiln.yield %x, %x : tensor<2xf32>, tensor<2xf32>
  }
  return
}

// -----

func.func @slice_arg(%xs: tensor<3x2xf32>) {
  // expected-error @+1 {{'kiln.scan' op expects body argument 1 ('tensor<3x2xf32>') to be a step of scan input 0 ('tensor<3x2xf32>')}}
  %y = kiln.scan inits() inputs(%xs : tensor<3x2xf32>) -> (tensor<3x3x2xf32>) {
  ^bb0(%t: tensor<i64>, %x: tensor<3x2xf32>):
    kiln.yield %x : tensor<3x2xf32>
  }
  return
}

// -----

func.func @yield_count(%h0: tensor<2xf32>, %xs: tensor<3x2xf32>) {
  // expected-error @+1 {{'kiln.scan' op expects kiln.yield of 2 values (states, then per-step outputs), got 1}}
  %h, %y = kiln.scan inits(%h0 : tensor<2xf32>) inputs(%xs : tensor<3x2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) {
  ^bb0(%t: tensor<i64>, %hi: tensor<2xf32>, %x: tensor<2xf32>):
    kiln.yield %hi : tensor<2xf32>
  }
  return
}

// -----

func.func @yield_state_type(%h0: tensor<2xf32>, %xs: tensor<3x2xf32>) {
  // expected-error @+1 {{'kiln.scan' op expects yielded state 0 ('tensor<2xf64>') to match init 0 ('tensor<2xf32>')}}
  %h = kiln.scan inits(%h0 : tensor<2xf32>) inputs(%xs : tensor<3x2xf32>) -> (tensor<2xf32>) {
  ^bb0(%t: tensor<i64>, %hi: tensor<2xf32>, %x: tensor<2xf32>):
    %d = kiln.cast %hi : tensor<2xf32> -> tensor<2xf64>
    kiln.yield %d : tensor<2xf64>
  }
  return
}

// -----

func.func @result_state_type(%h0: tensor<2xf32>, %xs: tensor<3x2xf32>) {
  // expected-error @+1 {{'kiln.scan' op expects result 0 ('tensor<4xf32>') to match init 0 ('tensor<2xf32>')}}
  %h = kiln.scan inits(%h0 : tensor<2xf32>) inputs(%xs : tensor<3x2xf32>) -> (tensor<4xf32>) {
  ^bb0(%t: tensor<i64>, %hi: tensor<2xf32>, %x: tensor<2xf32>):
    kiln.yield %hi : tensor<2xf32>
  }
  return
}

// -----

func.func @stacked_type(%xs: tensor<3x2xf32>) {
  // expected-error @+1 {{'kiln.scan' op expects result 0 ('tensor<4x2xf32>') to stack 3 steps of per-step output 0 ('tensor<2xf32>')}}
  %y = kiln.scan inits() inputs(%xs : tensor<3x2xf32>) -> (tensor<4x2xf32>) {
  ^bb0(%t: tensor<i64>, %x: tensor<2xf32>):
    kiln.yield %x : tensor<2xf32>
  }
  return
}

// -----

func.func @yield_outside(%x: tensor<2xf32>) {
  // expected-error @+1 {{'kiln.yield' op expects parent op 'kiln.scan'}}
  kiln.yield %x : tensor<2xf32>
}
