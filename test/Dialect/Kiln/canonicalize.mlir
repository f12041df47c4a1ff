// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s
// Folders and canonicalization patterns of the kiln ops.

// CHECK-LABEL: func @fold_add_float_constants
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[4.000000e+00, 7.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_add_float_constants() -> tensor<2xf32> {
  %a = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = kiln.constant dense<[3.0, 5.0]> : tensor<2xf32>
  %0 = kiln.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @fold_int_constants
// CHECK-DAG: kiln.constant dense<[10, 2]> : tensor<2xi32>
// CHECK-DAG: kiln.constant dense<[4, -6]> : tensor<2xi32>
// CHECK-DAG: kiln.constant dense<[21, -8]> : tensor<2xi32>
// CHECK-NOT: kiln.add
// CHECK-NOT: kiln.sub
// CHECK-NOT: kiln.mul
func.func @fold_int_constants() -> (tensor<2xi32>, tensor<2xi32>, tensor<2xi32>) {
  %a = kiln.constant dense<[7, -2]> : tensor<2xi32>
  %b = kiln.constant dense<[3, 4]> : tensor<2xi32>
  %0 = kiln.add %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  %1 = kiln.sub %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  %2 = kiln.mul %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0, %1, %2 : tensor<2xi32>, tensor<2xi32>, tensor<2xi32>
}

// -----

// Unsigned arithmetic wraps the same way: 200 + 100 = 44 (mod 256).
// CHECK-LABEL: func @fold_unsigned_add
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<44> : tensor<3xui8>
// CHECK-NEXT: return %[[C]]
func.func @fold_unsigned_add() -> tensor<3xui8> {
  %a = kiln.constant dense<200> : tensor<3xui8>
  %b = kiln.constant dense<100> : tensor<3xui8>
  %0 = kiln.add %a, %b : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  return %0 : tensor<3xui8>
}

// -----

// CHECK-LABEL: func @fold_float_sub_mul_div
// CHECK-DAG: kiln.constant dense<[-2.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: kiln.constant dense<[3.000000e+00, 1.250000e+00]> : tensor<2xf32>
// CHECK-DAG: kiln.constant dense<[2.500000e-01, 1.250000e+00]> : tensor<2xf32>
// CHECK-NOT: kiln.sub
// CHECK-NOT: kiln.mul
// CHECK-NOT: kiln.div
func.func @fold_float_sub_mul_div() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a = kiln.constant dense<[1.0, 2.5]> : tensor<2xf32>
  %b = kiln.constant dense<[3.0, 0.5]> : tensor<2xf32>
  %c = kiln.constant dense<[4.0, 2.0]> : tensor<2xf32>
  %0 = kiln.sub %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = kiln.mul %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %2 = kiln.div %a, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0, %1, %2 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// Integer division depends on signedness (and on division by zero): it does
// not fold.
// CHECK-LABEL: func @no_fold_int_div
// CHECK: kiln.div
func.func @no_fold_int_div() -> tensor<2xi32> {
  %a = kiln.constant dense<[7, -7]> : tensor<2xi32>
  %b = kiln.constant dense<2> : tensor<2xi32>
  %0 = kiln.div %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// CHECK-LABEL: func @mul_by_one
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: kiln.mul
// CHECK: return %[[X]], %[[X]], %[[X]]
func.func @mul_by_one(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %one = kiln.constant dense<1.0> : tensor<2x3xf32>
  %0 = kiln.mul %x, %one : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // The constant moves to the right (Commutative), then folds.
  %1 = kiln.mul %one, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // A broadcast 1 that does not widen x folds too.
  %row = kiln.constant dense<1.0> : tensor<3xf32>
  %2 = kiln.mul %x, %row : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// x * 1 must not fold when the 1 broadcasts x to a larger shape.
// CHECK-LABEL: func @mul_by_one_broadcasting
// CHECK: %[[M:.*]] = kiln.mul
// CHECK: return %[[M]]
func.func @mul_by_one_broadcasting(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %one = kiln.constant dense<1.0> : tensor<2x3xf32>
  %0 = kiln.mul %x, %one : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @mul_by_two
// CHECK: kiln.mul
func.func @mul_by_two(%x: tensor<3xf32>) -> tensor<3xf32> {
  %two = kiln.constant dense<2.0> : tensor<3xf32>
  %0 = kiln.mul %x, %two : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func @integer_identities
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xi64>)
// CHECK-NOT: kiln.add
// CHECK-NOT: kiln.sub
// CHECK-NOT: kiln.mul
// CHECK-NOT: kiln.div
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]]
func.func @integer_identities(%x: tensor<?x4xi64>)
    -> (tensor<?x4xi64>, tensor<?x4xi64>, tensor<?x4xi64>, tensor<?x4xi64>) {
  %zero = kiln.constant dense<0> : tensor<4xi64>
  %one = kiln.constant dense<1> : tensor<4xi64>
  %0 = kiln.add %x, %zero : (tensor<?x4xi64>, tensor<4xi64>) -> tensor<?x4xi64>
  %1 = kiln.sub %x, %zero : (tensor<?x4xi64>, tensor<4xi64>) -> tensor<?x4xi64>
  %2 = kiln.mul %x, %one : (tensor<?x4xi64>, tensor<4xi64>) -> tensor<?x4xi64>
  %3 = kiln.div %x, %one : (tensor<?x4xi64>, tensor<4xi64>) -> tensor<?x4xi64>
  return %0, %1, %2, %3 : tensor<?x4xi64>, tensor<?x4xi64>, tensor<?x4xi64>, tensor<?x4xi64>
}

// -----

// Integers wider than 64 bits compare in their own width: 2^64 + 1 is not 1.
// CHECK-LABEL: func @wide_integer_not_one
// CHECK: kiln.mul
func.func @wide_integer_not_one(%x: tensor<2xi128>) -> tensor<2xi128> {
  %c = kiln.constant dense<18446744073709551617> : tensor<2xi128>
  %0 = kiln.mul %x, %c : (tensor<2xi128>, tensor<2xi128>) -> tensor<2xi128>
  return %0 : tensor<2xi128>
}

// -----

// -0.0 + 0.0 is +0.0: a float add of zero is not an identity.
// CHECK-LABEL: func @float_add_zero
// CHECK: kiln.add
func.func @float_add_zero(%x: tensor<3xf32>) -> tensor<3xf32> {
  %zero = kiln.constant dense<0.0> : tensor<3xf32>
  %0 = kiln.add %x, %zero : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func @float_identities
// CHECK-SAME: (%[[X:.*]]: tensor<3xf16>)
// CHECK-NOT: kiln.div
// CHECK-NOT: kiln.pow
// CHECK-NOT: kiln.max
// CHECK-NOT: kiln.min
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]]
func.func @float_identities(%x: tensor<3xf16>)
    -> (tensor<3xf16>, tensor<3xf16>, tensor<3xf16>, tensor<3xf16>) {
  %one = kiln.constant dense<1.0> : tensor<3xf16>
  %0 = kiln.div %x, %one : (tensor<3xf16>, tensor<3xf16>) -> tensor<3xf16>
  %1 = kiln.pow %x, %one : (tensor<3xf16>, tensor<3xf16>) -> tensor<3xf16>
  %2 = kiln.max %x, %x : (tensor<3xf16>, tensor<3xf16>) -> tensor<3xf16>
  %3 = kiln.min %x, %x : (tensor<3xf16>, tensor<3xf16>) -> tensor<3xf16>
  return %0, %1, %2, %3 : tensor<3xf16>, tensor<3xf16>, tensor<3xf16>, tensor<3xf16>
}

// -----

// CHECK-LABEL: func @transpose_identity
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK-NOT: kiln.transpose
// CHECK: return %[[X]]
func.func @transpose_identity(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = kiln.transpose %x, [0, 1] : tensor<?x3xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func @transpose_not_identity
// CHECK: kiln.transpose %{{.*}}, [1, 0]
func.func @transpose_not_identity(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = kiln.transpose %x, [1, 0] : tensor<3x3xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// CHECK-LABEL: func @transpose_splat
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<2.000000e+00> : tensor<3x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @transpose_splat() -> tensor<3x2xf32> {
  %c = kiln.constant dense<2.0> : tensor<2x3xf32>
  %0 = kiln.transpose %c, [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func @reshape_of_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = kiln.reshape %[[X]], [4, 6] : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = kiln.reshape %x, [0, -1] : tensor<2x3x4xf32> -> tensor<2x12xf32>
  %1 = kiln.reshape %0, [4, -1] : tensor<2x12xf32> -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// A dynamic outer shape needs the intermediate one: no composition.
// CHECK-LABEL: func @reshape_of_reshape_dynamic
// CHECK: %[[A:.*]] = kiln.reshape %{{.*}}, [0, -1]
// CHECK: kiln.reshape %[[A]], [-1, 2]
func.func @reshape_of_reshape_dynamic(%x: tensor<?x3x4xf32>) -> tensor<?x2xf32> {
  %0 = kiln.reshape %x, [0, -1] : tensor<?x3x4xf32> -> tensor<?x12xf32>
  %1 = kiln.reshape %0, [-1, 2] : tensor<?x12xf32> -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// A static zero extent cannot become a spec entry (0 means copy): the pair
// stays and the IR stays valid.
// CHECK-LABEL: func @reshape_of_reshape_zero_extent
// CHECK: %[[A:.*]] = kiln.reshape %{{.*}}, [-1] : tensor<4x0xf32> -> tensor<0xf32>
// CHECK: kiln.reshape %[[A]], [0, 4] : tensor<0xf32> -> tensor<0x4xf32>
func.func @reshape_of_reshape_zero_extent(%x: tensor<4x0xf32>) -> tensor<0x4xf32> {
  %0 = kiln.reshape %x, [-1] : tensor<4x0xf32> -> tensor<0xf32>
  %1 = kiln.reshape %0, [0, 4] : tensor<0xf32> -> tensor<0x4xf32>
  return %1 : tensor<0x4xf32>
}

// -----

// CHECK-LABEL: func @reshape_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.reshape %x, [0, 3] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @reshape_flatten_constant
// CHECK-DAG: kiln.constant dense<{{\[\[}}1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
// CHECK-DAG: kiln.constant dense<{{\[\[}}1, 2, 3, 4, 5, 6]]> : tensor<1x6xi32>
// CHECK-NOT: kiln.reshape
// CHECK-NOT: kiln.flatten
func.func @reshape_flatten_constant() -> (tensor<2x3xi32>, tensor<1x6xi32>) {
  %c = kiln.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi32>
  %0 = kiln.reshape %c, [2, -1] : tensor<6xi32> -> tensor<2x3xi32>
  %1 = kiln.flatten %0, axis = 0 : tensor<2x3xi32> -> tensor<1x6xi32>
  return %0, %1 : tensor<2x3xi32>, tensor<1x6xi32>
}

// -----

// CHECK-LABEL: func @flatten_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @flatten_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.flatten %x, axis = 1 : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @involutions_and_idempotence
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[X]]
// CHECK-NEXT: %[[A:.*]] = kiln.abs %[[X]]
// CHECK-NEXT: return %[[X]], %[[R]], %[[A]]
func.func @involutions_and_idempotence(%x: tensor<?x3xf32>)
    -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>) {
  %0 = kiln.neg %x : tensor<?x3xf32>
  %1 = kiln.neg %0 : tensor<?x3xf32>
  %2 = kiln.relu %x : tensor<?x3xf32>
  %3 = kiln.relu %2 : tensor<?x3xf32>
  %4 = kiln.abs %x : tensor<?x3xf32>
  %5 = kiln.abs %4 : tensor<?x3xf32>
  return %1, %3, %5 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>
}

// -----

// A fold never changes a value's type: when the outer op's result refines the
// inner one, neg(neg x) and relu(relu x) stay.
// CHECK-LABEL: func @involution_refined_result
// CHECK: %[[N:.*]] = kiln.neg %{{.*}} : tensor<?xf32>
// CHECK: %[[NN:.*]] = kiln.neg %[[N]] : tensor<?xf32> -> tensor<3xf32>
// CHECK: %[[R:.*]] = kiln.relu %{{.*}} : tensor<?xf32>
// CHECK: %[[RR:.*]] = kiln.relu %[[R]] : tensor<?xf32> -> tensor<3xf32>
// CHECK: %[[A:.*]] = kiln.abs %{{.*}} : tensor<?xf32>
// CHECK: %[[AA:.*]] = kiln.abs %[[A]] : tensor<?xf32> -> tensor<3xf32>
// CHECK: return %[[NN]], %[[RR]], %[[AA]]
func.func @involution_refined_result(%x: tensor<?xf32>)
    -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %0 = kiln.neg %x : tensor<?xf32>
  %1 = kiln.neg %0 : tensor<?xf32> -> tensor<3xf32>
  %2 = kiln.relu %x : tensor<?xf32>
  %3 = kiln.relu %2 : tensor<?xf32> -> tensor<3xf32>
  %4 = kiln.abs %x : tensor<?xf32>
  %5 = kiln.abs %4 : tensor<?xf32> -> tensor<3xf32>
  return %1, %3, %5 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func @unary_float_constants
// CHECK-DAG: kiln.constant dense<[-1.000000e+00, -0.000000e+00, 2.000000e+00]> : tensor<3xf32>
// CHECK-DAG: kiln.constant dense<[1.000000e+00, 0.000000e+00, 2.000000e+00]> : tensor<3xf32>
// CHECK-DAG: kiln.constant dense<[2.71828175, 1.000000e+00, 0.135335281]> : tensor<3xf32>
// CHECK-DAG: kiln.constant dense<[0.000000e+00, 0xFF800000, 0.693147182]> : tensor<3xf32>
// CHECK-DAG: kiln.constant dense<[1.000000e+00, 0.000000e+00, 1.41421354]> : tensor<3xf32>
// CHECK-DAG: kiln.constant dense<[0.761594176, 0.000000e+00, -0.964027583]> : tensor<3xf32>
// CHECK-DAG: kiln.constant dense<[0.731058597, 5.000000e-01, 0.119202919]> : tensor<3xf32>
// CHECK-DAG: kiln.constant dense<[1.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK-NOT: kiln.neg
// CHECK-NOT: kiln.abs
// CHECK-NOT: kiln.exp
// CHECK-NOT: kiln.log
// CHECK-NOT: kiln.sqrt
// CHECK-NOT: kiln.tanh
// CHECK-NOT: kiln.sigmoid
// CHECK-NOT: kiln.relu
func.func @unary_float_constants()
    -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>,
        tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %c = kiln.constant dense<[1.0, 0.0, -2.0]> : tensor<3xf32>
  %p = kiln.constant dense<[1.0, 0.0, 2.0]> : tensor<3xf32>
  %0 = kiln.neg %c : tensor<3xf32>
  %1 = kiln.abs %c : tensor<3xf32>
  %2 = kiln.exp %c : tensor<3xf32>
  %3 = kiln.log %p : tensor<3xf32>
  %4 = kiln.sqrt %p : tensor<3xf32>
  %5 = kiln.tanh %c : tensor<3xf32>
  %6 = kiln.sigmoid %c : tensor<3xf32>
  %7 = kiln.relu %c : tensor<3xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7
      : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>,
        tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// relu lets NaN through, as arith.maximumf does in the lowering.
// CHECK-LABEL: func @relu_nan_constant
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[0x7FC00000, 0.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK-NEXT: return %[[C]]
func.func @relu_nan_constant() -> tensor<3xf32> {
  %c = kiln.constant dense<[0x7FC00000, -1.0, 3.0]> : tensor<3xf32>
  %0 = kiln.relu %c : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func @unary_int_constants
// CHECK-DAG: kiln.constant dense<[-5, 3, 0]> : tensor<3xi32>
// CHECK-DAG: kiln.constant dense<[5, 3, 0]> : tensor<3xi32>
// CHECK-DAG: kiln.constant dense<[5, 0, 0]> : tensor<3xi32>
// CHECK-NOT: kiln.neg
// CHECK-NOT: kiln.abs
// CHECK-NOT: kiln.relu
func.func @unary_int_constants() -> (tensor<3xi32>, tensor<3xi32>, tensor<3xi32>) {
  %c = kiln.constant dense<[5, -3, 0]> : tensor<3xi32>
  %0 = kiln.neg %c : tensor<3xi32>
  %1 = kiln.abs %c : tensor<3xi32>
  %2 = kiln.relu %c : tensor<3xi32>
  return %0, %1, %2 : tensor<3xi32>, tensor<3xi32>, tensor<3xi32>
}

// -----

// 200 as ui8 is not negative: relu keeps it.
// CHECK-LABEL: func @relu_unsigned_constant
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[200, 0, 7]> : tensor<3xui8>
// CHECK-NEXT: return %[[C]]
func.func @relu_unsigned_constant() -> tensor<3xui8> {
  %c = kiln.constant dense<[200, 0, 7]> : tensor<3xui8>
  %0 = kiln.relu %c : tensor<3xui8>
  return %0 : tensor<3xui8>
}

// -----

// CHECK-LABEL: func @unary_f16_constant
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<2.718750e+00> : tensor<2xf16>
// CHECK-NEXT: return %[[C]]
func.func @unary_f16_constant() -> tensor<2xf16> {
  %c = kiln.constant dense<1.0> : tensor<2xf16>
  %0 = kiln.exp %c : tensor<2xf16>
  return %0 : tensor<2xf16>
}

// -----

// Constants wider than double are not folded through double.
// CHECK-LABEL: func @no_fold_f80
// CHECK: kiln.exp
func.func @no_fold_f80() -> tensor<2xf80> {
  %c = kiln.constant dense<1.0> : tensor<2xf80>
  %0 = kiln.exp %c : tensor<2xf80>
  return %0 : tensor<2xf80>
}
