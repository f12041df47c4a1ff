// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s -mlir-print-op-generic | kiln-opt | FileCheck %s
// The elementwise ops added for ONNX coverage (remainders, bitwise logic,
// shifts, comparisons, select, dropout, cast, rounding and transcendental
// unary ops) print and parse back to themselves.

// CHECK-LABEL: func @integer_binary
func.func @integer_binary(%a: tensor<2x3xi32>, %b: tensor<3xi32>, %u: tensor<4xui8>)
    -> (tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>,
        tensor<2x3xi32>, tensor<4xui8>, tensor<4xui8>) {
  // CHECK: kiln.rem %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %0 = kiln.rem %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  // CHECK: kiln.mod %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %1 = kiln.mod %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  // CHECK: kiln.and %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %2 = kiln.and %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  // CHECK: kiln.or %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %3 = kiln.or %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  // CHECK: kiln.xor %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %4 = kiln.xor %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  // CHECK: kiln.shift_left %{{.*}}, %{{.*}} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %5 = kiln.shift_left %u, %u : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  // CHECK: kiln.shift_right %{{.*}}, %{{.*}} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %6 = kiln.shift_right %u, %u : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>, tensor<4xui8>, tensor<4xui8>
}

// CHECK-LABEL: func @float_remainders
func.func @float_remainders(%a: tensor<?x3xf16>, %b: tensor<f16>) -> (tensor<?x3xf16>, tensor<2x3xf16>) {
  // CHECK: kiln.rem %{{.*}}, %{{.*}} : (tensor<?x3xf16>, tensor<f16>) -> tensor<?x3xf16>
  %0 = kiln.rem %a, %b : (tensor<?x3xf16>, tensor<f16>) -> tensor<?x3xf16>
  // A refined result.
  // CHECK: kiln.mod %{{.*}}, %{{.*}} : (tensor<?x3xf16>, tensor<f16>) -> tensor<2x3xf16>
  %1 = kiln.mod %a, %b : (tensor<?x3xf16>, tensor<f16>) -> tensor<2x3xf16>
  return %0, %1 : tensor<?x3xf16>, tensor<2x3xf16>
}

// CHECK-LABEL: func @compare
func.func @compare(%a: tensor<?x1x4xf32>, %b: tensor<3x1xf32>, %p: tensor<2xi1>, %q: tensor<2xi1>)
    -> (tensor<?x3x4xi1>, tensor<?x3x4xi1>, tensor<?x3x4xi1>, tensor<?x3x4xi1>,
        tensor<?x3x4xi1>, tensor<2xi1>) {
  // CHECK: kiln.equal %{{.*}}, %{{.*}} : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xi1>
  %0 = kiln.equal %a, %b : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xi1>
  // CHECK: kiln.less %{{.*}}, %{{.*}} : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xi1>
  %1 = kiln.less %a, %b : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xi1>
  // CHECK: kiln.less_equal %{{.*}}, %{{.*}} : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xi1>
  %2 = kiln.less_equal %a, %b : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xi1>
  // CHECK: kiln.greater %{{.*}}, %{{.*}} : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xi1>
  %3 = kiln.greater %a, %b : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xi1>
  // CHECK: kiln.greater_equal %{{.*}}, %{{.*}} : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xi1>
  %4 = kiln.greater_equal %a, %b : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xi1>
  // Booleans compare too.
  // CHECK: kiln.equal %{{.*}}, %{{.*}} : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  %5 = kiln.equal %p, %q : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<?x3x4xi1>, tensor<?x3x4xi1>, tensor<?x3x4xi1>, tensor<?x3x4xi1>, tensor<?x3x4xi1>, tensor<2xi1>
}

// CHECK-LABEL: func @select
func.func @select(%c: tensor<2x1xi1>, %a: tensor<3xi64>, %b: tensor<i64>) -> tensor<2x3xi64> {
  // CHECK: kiln.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x1xi1>, tensor<3xi64>, tensor<i64>) -> tensor<2x3xi64>
  %0 = kiln.select %c, %a, %b : (tensor<2x1xi1>, tensor<3xi64>, tensor<i64>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// CHECK-LABEL: func @dropout
func.func @dropout(%x: tensor<?x4xf32>, %r: tensor<f16>, %t: tensor<i1>) -> (tensor<?x4xf32>, tensor<?x4xi1>) {
  // CHECK: kiln.dropout %{{.*}}, %{{.*}}, %{{.*}} {seed = 3 : i64} : (tensor<?x4xf32>, tensor<f16>, tensor<i1>) -> (tensor<?x4xf32>, tensor<?x4xi1>)
  %0:2 = kiln.dropout %x, %r, %t {seed = 3 : i64} : (tensor<?x4xf32>, tensor<f16>, tensor<i1>) -> (tensor<?x4xf32>, tensor<?x4xi1>)
  return %0#0, %0#1 : tensor<?x4xf32>, tensor<?x4xi1>
}

// CHECK-LABEL: func @cast
func.func @cast(%x: tensor<?x4xf32>, %b: tensor<3xi1>, %u: tensor<3xui8>)
    -> (tensor<?x4xui8>, tensor<2x4xbf16>, tensor<3xf64>, tensor<3xi8>) {
  // CHECK: kiln.cast %{{.*}} : tensor<?x4xf32> -> tensor<?x4xui8>
  %0 = kiln.cast %x : tensor<?x4xf32> -> tensor<?x4xui8>
  // A refined result.
  // CHECK: kiln.cast %{{.*}} : tensor<?x4xf32> -> tensor<2x4xbf16>
  %1 = kiln.cast %x : tensor<?x4xf32> -> tensor<2x4xbf16>
  // CHECK: kiln.cast %{{.*}} : tensor<3xi1> -> tensor<3xf64>
  %2 = kiln.cast %b : tensor<3xi1> -> tensor<3xf64>
  // CHECK: kiln.cast %{{.*}} : tensor<3xui8> -> tensor<3xi8>
  %3 = kiln.cast %u : tensor<3xui8> -> tensor<3xi8>
  return %0, %1, %2, %3 : tensor<?x4xui8>, tensor<2x4xbf16>, tensor<3xf64>, tensor<3xi8>
}

// CHECK-LABEL: func @unary
func.func @unary(%x: tensor<2x?xf32>, %i: tensor<3xi8>, %p: tensor<3xi1>)
    -> (tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>,
        tensor<2x3xf32>, tensor<3xi8>, tensor<3xi8>, tensor<3xi1>) {
  // CHECK: kiln.floor %{{.*}} : tensor<2x?xf32>
  %0 = kiln.floor %x : tensor<2x?xf32>
  // CHECK: kiln.ceil %{{.*}} : tensor<2x?xf32>
  %1 = kiln.ceil %0 : tensor<2x?xf32>
  // CHECK: kiln.round %{{.*}} : tensor<2x?xf32>
  %2 = kiln.round %1 : tensor<2x?xf32>
  // CHECK: kiln.sign %{{.*}} : tensor<2x?xf32>
  %3 = kiln.sign %2 : tensor<2x?xf32>
  // CHECK: kiln.erf %{{.*}} : tensor<2x?xf32> -> tensor<2x3xf32>
  %4 = kiln.erf %3 : tensor<2x?xf32> -> tensor<2x3xf32>
  // CHECK: kiln.sign %{{.*}} : tensor<3xi8>
  %5 = kiln.sign %i : tensor<3xi8>
  // CHECK: kiln.not %{{.*}} : tensor<3xi8>
  %6 = kiln.not %5 : tensor<3xi8>
  // CHECK: kiln.not %{{.*}} : tensor<3xi1>
  %7 = kiln.not %p : tensor<3xi1>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x3xf32>, tensor<3xi8>, tensor<3xi8>, tensor<3xi1>
}

// CHECK-LABEL: func @trigonometry
func.func @trigonometry(%x: tensor<4xf64>) -> tensor<4xf64> {
  // CHECK: kiln.sin
  %0 = kiln.sin %x : tensor<4xf64>
  // CHECK-NEXT: kiln.cos
  %1 = kiln.cos %0 : tensor<4xf64>
  // CHECK-NEXT: kiln.tan
  %2 = kiln.tan %1 : tensor<4xf64>
  // CHECK-NEXT: kiln.asin
  %3 = kiln.asin %2 : tensor<4xf64>
  // CHECK-NEXT: kiln.acos
  %4 = kiln.acos %3 : tensor<4xf64>
  // CHECK-NEXT: kiln.atan
  %5 = kiln.atan %4 : tensor<4xf64>
  // CHECK-NEXT: kiln.sinh
  %6 = kiln.sinh %5 : tensor<4xf64>
  // CHECK-NEXT: kiln.cosh
  %7 = kiln.cosh %6 : tensor<4xf64>
  // CHECK-NEXT: kiln.asinh
  %8 = kiln.asinh %7 : tensor<4xf64>
  // CHECK-NEXT: kiln.acosh
  %9 = kiln.acosh %8 : tensor<4xf64>
  // CHECK-NEXT: kiln.atanh %{{.*}} : tensor<4xf64>
  %10 = kiln.atanh %9 : tensor<4xf64>
  return %10 : tensor<4xf64>
}
