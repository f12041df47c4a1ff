// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s
// Folders of the elementwise ops added for ONNX coverage. Integer folds
// follow the signedness of the kiln type (i1 counts as unsigned) and the
// rules the lowering implements (a zero divisor gives 0, shifts past the
// width give 0 or the sign).

// CHECK-LABEL: func @fold_remainders
// CHECK-DAG: kiln.constant dense<[1, -1, 1, -1, 0]> : tensor<5xi32>
// CHECK-DAG: kiln.constant dense<[1, 2, -2, -1, 0]> : tensor<5xi32>
// CHECK-NOT: kiln.rem
// CHECK-NOT: kiln.mod
func.func @fold_remainders() -> (tensor<5xi32>, tensor<5xi32>) {
  %a = kiln.constant dense<[7, -7, 7, -7, 5]> : tensor<5xi32>
  %b = kiln.constant dense<[3, 3, -3, -3, 0]> : tensor<5xi32>
  %0 = kiln.rem %a, %b : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi32>
  %1 = kiln.mod %a, %b : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi32>
  return %0, %1 : tensor<5xi32>, tensor<5xi32>
}

// -----

// CHECK-LABEL: func @fold_float_remainders
// CHECK-DAG: kiln.constant dense<[1.500000e+00, -1.500000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK-DAG: kiln.constant dense<[1.500000e+00, 5.000000e-01, -0.000000e+00]> : tensor<3xf32>
func.func @fold_float_remainders() -> (tensor<3xf32>, tensor<3xf32>) {
  %a = kiln.constant dense<[3.5, -3.5, 4.0]> : tensor<3xf32>
  %b = kiln.constant dense<[2.0, 2.0, -2.0]> : tensor<3xf32>
  %0 = kiln.rem %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = kiln.mod %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0, %1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// 250 is not negative as ui8.
// CHECK-LABEL: func @fold_unsigned_mod
// CHECK: kiln.constant dense<[2, 0]> : tensor<2xui8>
func.func @fold_unsigned_mod() -> tensor<2xui8> {
  %a = kiln.constant dense<[250, 9]> : tensor<2xui8>
  %b = kiln.constant dense<[8, 0]> : tensor<2xui8>
  %0 = kiln.mod %a, %b : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  return %0 : tensor<2xui8>
}

// -----

// CHECK-LABEL: func @fold_bitwise
// CHECK-DAG: kiln.constant dense<[8, 0]> : tensor<2xi8>
// CHECK-DAG: kiln.constant dense<[14, 7]> : tensor<2xi8>
// CHECK-DAG: kiln.constant dense<[6, 7]> : tensor<2xi8>
// CHECK-DAG: kiln.constant dense<[-13, -8]> : tensor<2xi8>
func.func @fold_bitwise() -> (tensor<2xi8>, tensor<2xi8>, tensor<2xi8>, tensor<2xi8>) {
  %a = kiln.constant dense<[12, 7]> : tensor<2xi8>
  %b = kiln.constant dense<[10, 0]> : tensor<2xi8>
  %0 = kiln.and %a, %b : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %1 = kiln.or %a, %b : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %2 = kiln.xor %a, %b : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %3 = kiln.not %a : tensor<2xi8>
  return %0, %1, %2, %3 : tensor<2xi8>, tensor<2xi8>, tensor<2xi8>, tensor<2xi8>
}

// -----

// CHECK-LABEL: func @fold_bitwise_identities
// CHECK-SAME: (%[[A:.*]]: tensor<3xi1>)
// CHECK-NEXT: return %[[A]], %[[A]], %[[A]], %[[A]]
func.func @fold_bitwise_identities(%a: tensor<3xi1>) -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>) {
  %false = kiln.constant dense<false> : tensor<3xi1>
  %0 = kiln.and %a, %a : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %1 = kiln.or %a, %false : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %2 = kiln.xor %a, %false : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %n = kiln.not %a : tensor<3xi1>
  %3 = kiln.not %n : tensor<3xi1>
  return %0, %1, %2, %3 : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>
}

// -----

// CHECK-LABEL: func @fold_shifts
// CHECK-DAG: kiln.constant dense<[-128, 0]> : tensor<2xi8>
// CHECK-DAG: kiln.constant dense<-1> : tensor<2xi8>
// CHECK-DAG: kiln.constant dense<[127, 0]> : tensor<2xui8>
func.func @fold_shifts() -> (tensor<2xi8>, tensor<2xi8>, tensor<2xui8>) {
  %a = kiln.constant dense<[-1, -1]> : tensor<2xi8>
  %s = kiln.constant dense<[7, 8]> : tensor<2xi8>
  %0 = kiln.shift_left %a, %s : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %1 = kiln.shift_right %a, %s : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %u = kiln.constant dense<[254, 255]> : tensor<2xui8>
  %t = kiln.constant dense<[1, 9]> : tensor<2xui8>
  %2 = kiln.shift_right %u, %t : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  return %0, %1, %2 : tensor<2xi8>, tensor<2xi8>, tensor<2xui8>
}

// -----

// CHECK-LABEL: func @fold_compare
// CHECK-DAG: kiln.constant dense<[false, true, false, false]> : tensor<4xi1>
// CHECK-DAG: kiln.constant dense<[true, false, false, false]> : tensor<4xi1>
// CHECK-DAG: kiln.constant dense<[false, false, true, false]> : tensor<4xi1>
// CHECK-DAG: kiln.constant dense<[false, true, true, false]> : tensor<4xi1>
// CHECK-NOT: kiln.equal
// CHECK-NOT: kiln.less
// CHECK-NOT: kiln.greater
func.func @fold_compare() -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %a = kiln.constant dense<[1.0, 2.0, 3.0, 0x7FC00000]> : tensor<4xf32>
  %b = kiln.constant dense<[2.0, 2.0, 2.0, 0x7FC00000]> : tensor<4xf32>
  %0 = kiln.equal %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = kiln.less %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %2 = kiln.greater %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %3 = kiln.greater_equal %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0, %1, %2, %3 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// 200 > 100 as ui8 (it would be -56 as i8).
// CHECK-LABEL: func @fold_unsigned_compare
// CHECK: kiln.constant dense<[false, true]> : tensor<2xi1>
func.func @fold_unsigned_compare() -> tensor<2xi1> {
  %a = kiln.constant dense<[200, 50]> : tensor<2xui8>
  %b = kiln.constant dense<[100, 100]> : tensor<2xui8>
  %0 = kiln.less_equal %a, %b : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

// CHECK-LABEL: func @fold_select
// CHECK-SAME: (%[[A:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>, %[[C:.*]]: tensor<3xi1>)
// CHECK-NEXT: %[[S:.*]] = kiln.select %[[C]], %[[A]], %[[B]]
// CHECK-NEXT: return %[[A]], %[[B]], %[[A]], %[[S]]
func.func @fold_select(%a: tensor<3xf32>, %b: tensor<3xf32>, %c: tensor<3xi1>)
    -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %true = kiln.constant dense<true> : tensor<i1>
  %false = kiln.constant dense<false> : tensor<i1>
  %0 = kiln.select %true, %a, %b : (tensor<i1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = kiln.select %false, %a, %b : (tensor<i1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %2 = kiln.select %c, %a, %a : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %3 = kiln.select %c, %a, %b : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0, %1, %2, %3 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Float to integer truncates toward zero and saturates; NaN becomes 0;
// anything to i1 is x != 0; integers widen by their own signedness.
// CHECK-LABEL: func @fold_cast
// CHECK-DAG: kiln.constant dense<[-2, 2, 127, -128, 0]> : tensor<5xi8>
// CHECK-DAG: kiln.constant dense<[0, 2, 255, 0, 0]> : tensor<5xui8>
// CHECK-DAG: kiln.constant dense<true> : tensor<5xi1>
// CHECK-DAG: kiln.constant dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf16>
// CHECK-DAG: kiln.constant dense<[2.550000e+02, 1.000000e+00]> : tensor<2xf64>
// CHECK-DAG: kiln.constant dense<[-1.000000e+00, 2.000000e+00]> : tensor<2xf64>
// CHECK-DAG: kiln.constant dense<[-1, 2]> : tensor<2xi32>
// CHECK-DAG: kiln.constant dense<[255, 1]> : tensor<2xi32>
// CHECK-NOT: kiln.cast
func.func @fold_cast() -> (tensor<5xi8>, tensor<5xui8>, tensor<5xi1>, tensor<2xf16>,
                           tensor<2xf64>, tensor<2xf64>, tensor<2xi32>, tensor<2xi32>) {
  %x = kiln.constant dense<[-2.7, 2.7, 300.0, 0xFF800000, 0x7FC00000]> : tensor<5xf32>
  %0 = kiln.cast %x : tensor<5xf32> -> tensor<5xi8>
  %1 = kiln.cast %x : tensor<5xf32> -> tensor<5xui8>
  %2 = kiln.cast %x : tensor<5xf32> -> tensor<5xi1>
  %b = kiln.constant dense<[true, false]> : tensor<2xi1>
  %3 = kiln.cast %b : tensor<2xi1> -> tensor<2xf16>
  %u = kiln.constant dense<[255, 1]> : tensor<2xui8>
  %s = kiln.constant dense<[-1, 2]> : tensor<2xi8>
  %4 = kiln.cast %u : tensor<2xui8> -> tensor<2xf64>
  %5 = kiln.cast %s : tensor<2xi8> -> tensor<2xf64>
  %6 = kiln.cast %s : tensor<2xi8> -> tensor<2xi32>
  %7 = kiln.cast %u : tensor<2xui8> -> tensor<2xi32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<5xi8>, tensor<5xui8>, tensor<5xi1>, tensor<2xf16>,
                                          tensor<2xf64>, tensor<2xf64>, tensor<2xi32>, tensor<2xi32>
}

// -----

// CHECK-LABEL: func @fold_cast_to_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<?xf32>)
// CHECK-NEXT: return %[[X]]
func.func @fold_cast_to_same_type(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = kiln.cast %x : tensor<?xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func @fold_rounding
// CHECK-DAG: kiln.constant dense<[-3.000000e+00, 2.000000e+00, 2.000000e+00, -1.000000e+00]> : tensor<4xf32>
// CHECK-DAG: kiln.constant dense<[-2.000000e+00, 3.000000e+00, 3.000000e+00, -0.000000e+00]> : tensor<4xf32>
// CHECK-DAG: kiln.constant dense<[-2.000000e+00, 2.000000e+00, 3.000000e+00, -0.000000e+00]> : tensor<4xf32>
func.func @fold_rounding() -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %x = kiln.constant dense<[-2.5, 2.5, 2.7, -0.5]> : tensor<4xf32>
  %0 = kiln.floor %x : tensor<4xf32>
  %1 = kiln.ceil %x : tensor<4xf32>
  %2 = kiln.round %x : tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func @fold_sign
// CHECK-DAG: kiln.constant dense<[-1, 0, 1]> : tensor<3xi8>
// CHECK-DAG: kiln.constant dense<[1, 0, 1]> : tensor<3xui8>
// CHECK-DAG: kiln.constant dense<[-1.000000e+00, 0.000000e+00, 1.000000e+00]> : tensor<3xf32>
func.func @fold_sign() -> (tensor<3xi8>, tensor<3xui8>, tensor<3xf32>) {
  %i = kiln.constant dense<[-5, 0, 5]> : tensor<3xi8>
  %u = kiln.constant dense<[251, 0, 5]> : tensor<3xui8>
  %f = kiln.constant dense<[-0.5, 0.0, 7.0]> : tensor<3xf32>
  %0 = kiln.sign %i : tensor<3xi8>
  %1 = kiln.sign %u : tensor<3xui8>
  %2 = kiln.sign %f : tensor<3xf32>
  return %0, %1, %2 : tensor<3xi8>, tensor<3xui8>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func @fold_math
// CHECK: kiln.constant dense<[0.000000e+00, 1.000000e+00]> : tensor<2xf64>
// CHECK-NOT: kiln.sin
// CHECK-NOT: kiln.cos
func.func @fold_math() -> tensor<2xf64> {
  %x = kiln.constant dense<[0.0, 0.0]> : tensor<2xf64>
  %s = kiln.sin %x : tensor<2xf64>
  %c = kiln.cos %x : tensor<2xf64>
  %sc = kiln.constant dense<[0.0, 1.0]> : tensor<2xf64>
  %m = kiln.mul %c, %sc : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
  %0 = kiln.add %s, %m : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
  return %0 : tensor<2xf64>
}
