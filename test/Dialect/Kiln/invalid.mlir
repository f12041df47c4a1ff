// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// One case per verifier rule of the kiln ops.

//===----------------------------------------------------------------------===//
// Broadcasting binary ops
//===----------------------------------------------------------------------===//

func.func @add_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.add' op shapes 2x3 and 4 do not broadcast: dimension 1 of the result would need 3 and 4}}
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x?xf32>
  return
}

// -----

func.func @mul_not_broadcastable_leading(%a: tensor<5x1x3xf32>, %b: tensor<4x2x3xf32>) {
  // expected-error @+1 {{'kiln.mul' op shapes 5x1x3 and 4x2x3 do not broadcast: dimension 0 of the result would need 5 and 4}}
  %0 = kiln.mul %a, %b : (tensor<5x1x3xf32>, tensor<4x2x3xf32>) -> tensor<?x2x3xf32>
  return
}

// -----

func.func @sub_element_types(%a: tensor<2xf32>, %b: tensor<2xf16>) {
  // expected-error @+1 {{'kiln.sub' op expects operands of one element type, got 'f32' and 'f16'}}
  %0 = kiln.sub %a, %b : (tensor<2xf32>, tensor<2xf16>) -> tensor<2xf32>
  return
}

// -----

func.func @max_signedness(%a: tensor<2xi8>, %b: tensor<2xui8>) {
  // expected-error @+1 {{'kiln.max' op expects operands of one element type, got 'i8' and 'ui8'}}
  %0 = kiln.max %a, %b : (tensor<2xi8>, tensor<2xui8>) -> tensor<2xi8>
  return
}

// -----

func.func @add_result_contradicts(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.add' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  // expected-error @+1 {{'kiln.add' op failed to infer returned types}}
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

// A result may refine a dynamic dim but not make a static one dynamic.
func.func @add_result_less_static(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<?x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.add %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  return
}

// -----

func.func @div_result_element_type(%a: tensor<3xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<3xf32>' are incompatible with return type(s) of operation 'tensor<3xf16>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.div %a, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf16>
  return
}

// -----

func.func @pow_unranked(%a: tensor<*xf32>) {
  // expected-error @+1 {{'kiln.pow' op operand #0 must be ranked tensor}}
  %0 = kiln.pow %a, %a : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  return
}

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

// -----

func.func @exp_integer(%a: tensor<3xi32>) {
  // expected-error @+1 {{'kiln.exp' op operand #0 must be ranked tensor of floating-point values}}
  %0 = kiln.exp %a : tensor<3xi32>
  return
}

// -----

func.func @relu_result_contradicts(%a: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.relu' op inferred type(s) 'tensor<3xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{'kiln.relu' op failed to infer returned types}}
  %0 = kiln.relu %a : tensor<3xf32> -> tensor<4xf32>
  return
}

// -----

func.func @sigmoid_result_contradicts(%a: tensor<?x3xf32>) {
  // expected-error @+2 {{'kiln.sigmoid' op inferred type(s) 'tensor<?x3xf32>' are incompatible with return type(s) of operation 'tensor<2x2xf32>'}}
  // expected-error @+1 {{'kiln.sigmoid' op failed to infer returned types}}
  %0 = "kiln.sigmoid"(%a) : (tensor<?x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @softmax_result_contradicts(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.softmax' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<?x3xf32>'}}
  // expected-error @+1 {{'kiln.softmax' op failed to infer returned types}}
  %0 = kiln.softmax %a, axis = 1 : tensor<2x3xf32> -> tensor<?x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_contraction(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'kiln.matmul' op contraction dimensions differ: lhs 2x3 has K = 3, rhs 4x5 has K = 4}}
  %0 = kiln.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_vector_contraction(%a: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.matmul' op contraction dimensions differ: lhs 3 has K = 3, rhs 4 has K = 4}}
  %0 = kiln.matmul %a, %b : (tensor<3xf32>, tensor<4xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<5x4x6xf32>) {
  // expected-error @+1 {{'kiln.matmul' op batch dimensions do not broadcast: shapes 2 and 5 do not broadcast: dimension 0 of the result would need 2 and 5}}
  %0 = kiln.matmul %a, %b : (tensor<2x3x4xf32>, tensor<5x4x6xf32>) -> tensor<?x3x6xf32>
  return
}

// -----

func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'kiln.matmul' op matmul operands must have rank >= 1}}
  %0 = kiln.matmul %a, %b : (tensor<f32>, tensor<4x5xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @matmul_element_types(%a: tensor<2x3xf32>, %b: tensor<3x5xbf16>) {
  // expected-error @+1 {{'kiln.matmul' op expects operands of one element type, got 'f32' and 'bf16'}}
  %0 = kiln.matmul %a, %b : (tensor<2x3xf32>, tensor<3x5xbf16>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_result_contradicts(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // The vector dimension is dropped: the result is 2, not 2x1.
  // expected-error @+2 {{'kiln.matmul' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<2x1xf32>'}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

// -----

func.func @transpose_repeated(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.transpose' op permutation [0, 0] is not a permutation of the 2 input dimensions}}
  %0 = kiln.transpose %a, [0, 0] : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @transpose_out_of_range(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.transpose' op permutation [2, 0] is not a permutation of the 2 input dimensions}}
  %0 = kiln.transpose %a, [2, 0] : tensor<2x3xf32> -> tensor<?x?xf32>
  return
}

// -----

func.func @transpose_too_short(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.transpose' op permutation [1] is not a permutation of the 2 input dimensions}}
  %0 = kiln.transpose %a, [1] : tensor<2x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @transpose_result_contradicts(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.transpose %a, [1, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

// -----

func.func @reshape_two_inferred(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.reshape' op shape has more than one -1}}
  %0 = kiln.reshape %a, [-1, -1] : tensor<2x3xf32> -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_element_count(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{'kiln.reshape' op cannot reshape 12 elements (3x4) into 5x2}}
  %0 = kiln.reshape %a, [5, 2] : tensor<3x4xf32> -> tensor<5x2xf32>
  return
}

// -----

func.func @reshape_inferred_not_divisible(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{'kiln.reshape' op cannot reshape 12 elements (3x4) with -1 into a multiple of 5}}
  %0 = kiln.reshape %a, [5, -1] : tensor<3x4xf32> -> tensor<5x?xf32>
  return
}

// -----

func.func @reshape_copy_past_rank(%a: tensor<12xf32>) {
  // expected-error @+1 {{'kiln.reshape' op shape entry 1 is 0 (copy) but the input has rank 1}}
  %0 = kiln.reshape %a, [12, 0] : tensor<12xf32> -> tensor<12x?xf32>
  return
}

// -----

func.func @reshape_negative_entry(%a: tensor<12xf32>) {
  // expected-error @+1 {{'kiln.reshape' op shape entry 0 is -2; expected a size, 0 or -1}}
  %0 = kiln.reshape %a, [-2, 6] : tensor<12xf32> -> tensor<?x6xf32>
  return
}

// -----

func.func @reshape_result_contradicts(%a: tensor<?x3x4xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<?x12xf32>' are incompatible with return type(s) of operation 'tensor<?x6xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reshape %a, [0, -1] : tensor<?x3x4xf32> -> tensor<?x6xf32>
  return
}

//===----------------------------------------------------------------------===//
// FlattenOp
//===----------------------------------------------------------------------===//

// -----

func.func @flatten_axis_too_large(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.flatten' op axis 3 is out of range [0, 2]}}
  %0 = kiln.flatten %a, axis = 3 : tensor<2x3xf32> -> tensor<?x?xf32>
  return
}

// -----

func.func @flatten_axis_negative(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.flatten' op axis -1 is out of range [0, 2]}}
  %0 = kiln.flatten %a, axis = -1 : tensor<2x3xf32> -> tensor<?x?xf32>
  return
}

// -----

func.func @flatten_result_contradicts(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<2x12xf32>' are incompatible with return type(s) of operation 'tensor<6x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.flatten %a, axis = 1 : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Reductions and softmax
//===----------------------------------------------------------------------===//

// -----

func.func @reduce_unsorted(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'kiln.reduce_sum' op axes must be sorted and unique}}
  %0 = kiln.reduce_sum %a, [2, 0] : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  return
}

// -----

func.func @reduce_repeated(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'kiln.reduce_max' op axes must be sorted and unique}}
  %0 = kiln.reduce_max %a, [1, 1] : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return
}

// -----

func.func @reduce_out_of_range(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'kiln.reduce_mean' op axes entry 3 is out of range for rank 3}}
  %0 = kiln.reduce_mean %a, [3] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

func.func @reduce_negative(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'kiln.reduce_sum' op axes entry -1 is out of range for rank 3}}
  %0 = kiln.reduce_sum %a, [-1] {keepdims = false} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

func.func @reduce_result_keepdims(%a: tensor<2x3x4xf32>) {
  // keepdims (the default) keeps the reduced dimension as 1.
  // expected-error @+2 {{inferred type(s) 'tensor<2x1x4xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reduce_sum %a, [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @softmax_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.softmax' op axis 2 is out of range for rank 2}}
  %0 = kiln.softmax %a, axis = 2 : tensor<2x3xf32>
  return
}

// -----

func.func @softmax_negative_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.softmax' op axis -1 is out of range for rank 2}}
  %0 = kiln.softmax %a, axis = -1 : tensor<2x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

// -----

func.func @conv_input_rank(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op expects a rank-4 NCHW input, got 3x8x8}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op expects a rank-4 FCHW weight, got 4x3x3}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @conv_element_types(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) {
  // expected-error @+1 {{'kiln.conv2d' op expects input and weight of one element type}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_strides_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op expects strides to have 2 entries, got 1}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @conv_zero_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op expects every strides entry to be >= 1, got 0}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 0>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x?xf32>
  return
}

// -----

func.func @conv_negative_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op expects every pads entry to be >= 0, got -1}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, -1, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x5x6xf32>
  return
}

// -----

func.func @conv_dilations_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op expects dilations to have 2 entries, got 3}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @conv_zero_groups(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op expects groups >= 1, got 0}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 0}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_filters_not_multiple_of_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op weight has 3 filters, not a multiple of groups = 2}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2}
      : (tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op input has 3 channels but weight expects 2 per group x 1 groups}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_channels_groups(%x: tensor<1x6x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op input has 6 channels but weight expects 2 per group x 2 groups}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2}
      : (tensor<1x6x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_bias_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op expects a bias of shape 4, got 3}}
  %0 = kiln.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_bias_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<1x4xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op expects a bias of shape 4, got 1x4}}
  %0 = kiln.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<1x4xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_bias_rank_dynamic_filters(%x: tensor<1x3x8x8xf32>, %w: tensor<?x3x3x3xf32>, %b: tensor<2x2xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op expects a bias of shape ?, got 2x2}}
  %0 = kiln.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<?x3x3x3xf32>, tensor<2x2xf32>) -> tensor<1x?x6x6xf32>
  return
}

// -----

func.func @conv_bias_element_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf64>) {
  // expected-error @+1 {{'kiln.conv2d' op expects bias of the input's element type}}
  %0 = kiln.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf64>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_kernel_too_large(%x: tensor<1x3x4x4xf32>, %w: tensor<4x3x3x6xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op kernel 3x6 does not fit the padded input 4x4}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x3x4x4xf32>, tensor<4x3x3x6xf32>) -> tensor<1x4x2x0xf32>
  return
}

// -----

func.func @conv_dilated_kernel_too_large(%x: tensor<1x3x4x4xf32>, %w: tensor<4x3x3x3xf32>) {
  // A 3-tap kernel dilated by 2 spans 5 rows.
  // expected-error @+1 {{'kiln.conv2d' op kernel 3x3 does not fit the padded input 4x4}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 1>}
      : (tensor<1x3x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x0x2xf32>
  return
}

// -----

func.func @conv_result_contradicts(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op inferred type(s) 'tensor<1x4x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x4x8x8xf32>'}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// -----

func.func @pool_rank(%x: tensor<3x8x8xf32>) {
  // expected-error @+1 {{'kiln.max_pool2d' op expects a rank-4 NCHW input, got 3x8x8}}
  %0 = kiln.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : tensor<3x8x8xf32> -> tensor<?x?x?xf32>
  return
}

// -----

func.func @pool_kernel_count(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'kiln.avg_pool2d' op expects kernel_shape to have 2 entries, got 1}}
  %0 = kiln.avg_pool2d %x {kernel_shape = array<i64: 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : tensor<1x3x8x8xf32> -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @pool_zero_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'kiln.max_pool2d' op expects every kernel_shape entry to be >= 1, got 0}}
  %0 = kiln.max_pool2d %x {kernel_shape = array<i64: 2, 0>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : tensor<1x3x8x8xf32> -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @pool_pads_count(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'kiln.max_pool2d' op expects pads to have 4 entries, got 2}}
  %0 = kiln.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1, 1>}
      : tensor<1x3x8x8xf32> -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @pool_pad_as_wide_as_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'kiln.max_pool2d' op pads [0, 2, 0, 0] must be smaller than the kernel [3, 2]}}
  %0 = kiln.max_pool2d %x {kernel_shape = array<i64: 3, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 2, 0, 0>, dilations = array<i64: 1, 1>}
      : tensor<1x3x8x8xf32> -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @pool_end_pad_as_wide_as_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'kiln.avg_pool2d' op pads [0, 0, 3, 0] must be smaller than the kernel [3, 3]}}
  %0 = kiln.avg_pool2d %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 3, 0>, dilations = array<i64: 1, 1>}
      : tensor<1x3x8x8xf32> -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @pool_kernel_too_large(%x: tensor<1x3x2x8xf32>) {
  // expected-error @+1 {{'kiln.max_pool2d' op kernel [4, 2] does not fit the padded input 2x8}}
  %0 = kiln.max_pool2d %x {kernel_shape = array<i64: 4, 2>, strides = array<i64: 1, 1>, pads = array<i64: 1, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : tensor<1x3x2x8xf32> -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @pool_negative_stride(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'kiln.avg_pool2d' op expects every strides entry to be >= 1, got -1}}
  %0 = kiln.avg_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: -1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : tensor<1x3x8x8xf32> -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @pool_result_contradicts(%x: tensor<1x3x7x7xf32>) {
  // Without ceil_mode 7 gives 3 windows of 2 with stride 2.
  // expected-error @+2 {{'kiln.max_pool2d' op inferred type(s) 'tensor<1x3x3x3xf32>' are incompatible with return type(s) of operation 'tensor<1x3x4x4xf32>'}}
  // expected-error @+1 {{'kiln.max_pool2d' op failed to infer returned types}}
  %0 = kiln.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : tensor<1x3x7x7xf32> -> tensor<1x3x4x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

// -----

func.func @constant_type_mismatch() {
  // expected-error @+1 {{'kiln.constant' op failed to verify that all of {value, result} have same type}}
  %0 = "kiln.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return
}
