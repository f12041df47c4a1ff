// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier rules of the elementwise ops added for ONNX coverage: one case
// each.

func.func @rem_element_types(%a: tensor<2xf32>, %b: tensor<2xf64>) {
  // expected-error @+1 {{'kiln.rem' op expects operands of one element type, got 'f32' and 'f64'}}
  %0 = kiln.rem %a, %b : (tensor<2xf32>, tensor<2xf64>) -> tensor<2xf32>
  return
}

// -----

func.func @mod_not_broadcastable(%a: tensor<2x3xi32>, %b: tensor<2xi32>) {
  // expected-error @+1 {{'kiln.mod' op shapes 2x3 and 2 do not broadcast: dimension 1 of the result would need 3 and 2}}
  %0 = kiln.mod %a, %b : (tensor<2x3xi32>, tensor<2xi32>) -> tensor<2x?xi32>
  return
}

// -----

func.func @and_of_floats(%a: tensor<2xf32>) {
  // expected-error @+1 {{'kiln.and' op operand #0 must be ranked tensor of integer values}}
  %0 = kiln.and %a, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @shift_element_types(%a: tensor<2xui8>, %b: tensor<2xi8>) {
  // expected-error @+1 {{'kiln.shift_left' op expects operands of one element type, got 'ui8' and 'i8'}}
  %0 = kiln.shift_left %a, %b : (tensor<2xui8>, tensor<2xi8>) -> tensor<2xui8>
  return
}

// -----

func.func @not_of_floats(%a: tensor<2xf32>) {
  // expected-error @+1 {{'kiln.not' op operand #0 must be ranked tensor of integer values}}
  %0 = kiln.not %a : tensor<2xf32>
  return
}

// -----

func.func @floor_of_integers(%a: tensor<2xi32>) {
  // expected-error @+1 {{'kiln.floor' op operand #0 must be ranked tensor of floating-point values}}
  %0 = kiln.floor %a : tensor<2xi32>
  return
}

// -----

func.func @compare_element_types(%a: tensor<2xi32>, %b: tensor<2xi64>) {
  // expected-error @+1 {{'kiln.less' op expects operands of one element type, got 'i32' and 'i64'}}
  %0 = kiln.less %a, %b : (tensor<2xi32>, tensor<2xi64>) -> tensor<2xi1>
  return
}

// -----

func.func @compare_not_broadcastable(%a: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.equal' op shapes 4 and 3 do not broadcast: dimension 0 of the result would need 4 and 3}}
  %0 = kiln.equal %a, %b : (tensor<4xf32>, tensor<3xf32>) -> tensor<?xi1>
  return
}

// -----

func.func @compare_result_type(%a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.greater' op result #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = kiln.greater %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @compare_result_shape(%a: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.greater_equal' op inferred type(s) 'tensor<4xi1>' are incompatible with return type(s) of operation 'tensor<3xi1>'}}
  // expected-error @+1 {{'kiln.greater_equal' op failed to infer returned types}}
  %0 = kiln.greater_equal %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<3xi1>
  return
}

// -----

func.func @select_condition_type(%c: tensor<2xi8>, %a: tensor<2xf32>) {
  // expected-error @+1 {{'kiln.select' op operand #0 must be ranked tensor of 1-bit signless integer values}}
  %0 = kiln.select %c, %a, %a : (tensor<2xi8>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @select_value_types(%c: tensor<2xi1>, %a: tensor<2xf32>, %b: tensor<2xf16>) {
  // expected-error @+1 {{'kiln.select' op expects values of one element type, got 'f32' and 'f16'}}
  %0 = kiln.select %c, %a, %b : (tensor<2xi1>, tensor<2xf32>, tensor<2xf16>) -> tensor<2xf32>
  return
}

// -----

func.func @select_values_not_broadcastable(%c: tensor<i1>, %a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.select' op values: shapes 2 and 3 do not broadcast: dimension 0 of the result would need 2 and 3}}
  %0 = kiln.select %c, %a, %b : (tensor<i1>, tensor<2xf32>, tensor<3xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @select_condition_not_broadcastable(%c: tensor<4x1xi1>, %a: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.select' op condition and values: shapes 4x1 and 2x3 do not broadcast: dimension 0 of the result would need 4 and 2}}
  %0 = kiln.select %c, %a, %a : (tensor<4x1xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  return
}

// -----

func.func @cast_shape(%x: tensor<2xf32>) {
  // expected-error @+2 {{'kiln.cast' op inferred type(s) 'tensor<2xi8>' are incompatible with return type(s) of operation 'tensor<3xi8>'}}
  // expected-error @+1 {{'kiln.cast' op failed to infer returned types}}
  %0 = kiln.cast %x : tensor<2xf32> -> tensor<3xi8>
  return
}

// -----

func.func @cast_not_a_tensor(%x: tensor<2xf32>) {
  // expected-error @+1 {{expects a tensor result type}}
  %0 = kiln.cast %x : tensor<2xf32> -> i8
  return
}

// -----

func.func @dropout_ratio_rank(%x: tensor<2xf32>, %r: tensor<1xf32>, %t: tensor<i1>) {
  // expected-error @+1 {{'kiln.dropout' op operand #1 must be 0D tensor of floating-point values}}
  %0:2 = kiln.dropout %x, %r, %t : (tensor<2xf32>, tensor<1xf32>, tensor<i1>) -> (tensor<2xf32>, tensor<2xi1>)
  return
}

// -----

func.func @dropout_mask_type(%x: tensor<2xf32>, %r: tensor<f32>, %t: tensor<i1>) {
  // expected-error @+1 {{'kiln.dropout' op result #1 must be ranked tensor of 1-bit signless integer values, but got 'tensor<2xf32>'}}
  %0:2 = kiln.dropout %x, %r, %t : (tensor<2xf32>, tensor<f32>, tensor<i1>) -> (tensor<2xf32>, tensor<2xf32>)
  return
}

// -----

func.func @dropout_mask_shape(%x: tensor<2xf32>, %r: tensor<f32>, %t: tensor<i1>) {
  // expected-error @+2 {{'kiln.dropout' op inferred type(s) 'tensor<2xf32>', 'tensor<2xi1>' are incompatible with return type(s) of operation 'tensor<2xf32>', 'tensor<3xi1>'}}
  // expected-error @+1 {{'kiln.dropout' op failed to infer returned types}}
  %0:2 = kiln.dropout %x, %r, %t : (tensor<2xf32>, tensor<f32>, tensor<i1>) -> (tensor<2xf32>, tensor<3xi1>)
  return
}
