// RUN: kiln-opt %s --convert-kiln-to-linalg -split-input-file | FileCheck %s
// Lowering of the elementwise ops added for ONNX coverage: each is one
// broadcasting linalg.generic whose body picks signed, unsigned (ui* and i1)
// or float arithmetic from the kiln types.

// The floored remainder: a divisor that cannot trap (0 and -1 become 1),
// then the truncated remainder moved by one divisor when the signs differ.
// CHECK-LABEL: func @mod_signed
// CHECK: linalg.generic
// CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-DAG: %[[MINUS1:.*]] = arith.constant -1 : i32
// CHECK-DAG: %[[IS0:.*]] = arith.cmpi eq, %[[B]], %[[ZERO]] : i32
// CHECK-DAG: %[[ISM1:.*]] = arith.cmpi eq, %[[B]], %[[MINUS1]] : i32
// CHECK: %[[BAD:.*]] = arith.ori %[[IS0]], %[[ISM1]] : i1
// CHECK: %[[D:.*]] = arith.select %[[BAD]], %[[ONE]], %[[B]] : i32
// CHECK: %[[R:.*]] = arith.remsi %[[A]], %[[D]] : i32
// CHECK: %[[NZ:.*]] = arith.cmpi ne, %[[R]]
// CHECK: %[[X:.*]] = arith.xori %[[R]], %[[B]] : i32
// CHECK: %[[DIFF:.*]] = arith.cmpi slt, %[[X]]
// CHECK: %[[FIX:.*]] = arith.andi %[[NZ]], %[[DIFF]] : i1
// CHECK: %[[MOVED:.*]] = arith.addi %[[R]], %[[B]] : i32
// CHECK: %[[Y:.*]] = arith.select %[[FIX]], %[[MOVED]], %[[R]] : i32
// CHECK: linalg.yield %[[Y]] : i32
func.func @mod_signed(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.mod %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Unsigned: only zero is a bad divisor, and floored equals truncated.
// CHECK-LABEL: func @mod_unsigned
// CHECK-SAME: (%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi8>) -> tensor<4xi8>
// CHECK: ^bb0(%[[A:.*]]: i8, %[[B:.*]]: i8, %{{.*}}: i8):
// CHECK-NOT: arith.cmpi eq, %[[B]], %{{.*}}-1
// CHECK: %[[D:.*]] = arith.select
// CHECK-NEXT: %[[R:.*]] = arith.remui %[[A]], %[[D]] : i8
// CHECK-NEXT: linalg.yield %[[R]] : i8
func.func @mod_unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = kiln.mod %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// CHECK-LABEL: func @rem_and_mod_float
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = arith.remf %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
// CHECK: ^bb0(%[[A2:.*]]: f32, %[[B2:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[R2:.*]] = arith.remf %[[A2]], %[[B2]] : f32
// CHECK: arith.cmpf one, %[[R2]]
// CHECK: arith.addf %[[R2]], %[[B2]] : f32
// CHECK: math.copysign %[[R2]], %[[B2]] : f32
func.func @rem_and_mod_float(%a: tensor<3xf32>, %b: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %0 = kiln.rem %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = kiln.mod %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0, %1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func @bitwise
// CHECK: arith.andi %{{.*}}, %{{.*}} : i1
// CHECK: arith.ori %{{.*}}, %{{.*}} : i1
// CHECK: arith.xori %{{.*}}, %{{.*}} : i1
// CHECK: %[[TRUE:.*]] = arith.constant true
// CHECK: arith.xori %{{.*}}, %[[TRUE]] : i1
func.func @bitwise(%a: tensor<2x3xi1>, %b: tensor<3xi1>) -> (tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<3xi1>) {
  %0 = kiln.and %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %1 = kiln.or %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %2 = kiln.xor %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %3 = kiln.not %b : tensor<3xi1>
  return %0, %1, %2, %3 : tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<3xi1>
}

// -----

// Shifts past the width give 0 (logical) or all sign bits (arithmetic).
// CHECK-LABEL: func @shifts
// CHECK: ^bb0(%[[X:.*]]: i8, %[[S:.*]]: i8, %{{.*}}: i8):
// CHECK: %[[SHL:.*]] = arith.shli %[[X]], %[[S]] : i8
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[S]], %{{.*}} : i8
// CHECK: arith.select %[[IN]], %[[SHL]], %{{.*}} : i8
// CHECK: ^bb0(%[[X2:.*]]: i8, %[[S2:.*]]: i8, %{{.*}}: i8):
// CHECK: %[[IN2:.*]] = arith.cmpi ult, %[[S2]], %{{.*}} : i8
// CHECK: %[[SHR:.*]] = arith.shrui %[[X2]], %[[S2]] : i8
// CHECK: arith.select %[[IN2]], %[[SHR]], %{{.*}} : i8
// CHECK: ^bb0(%[[X3:.*]]: i8, %[[S3:.*]]: i8, %{{.*}}: i8):
// CHECK: %[[IN3:.*]] = arith.cmpi ult, %[[S3]], %{{.*}} : i8
// CHECK: %[[SEVEN:.*]] = arith.constant 7 : i8
// CHECK: %[[AMOUNT:.*]] = arith.select %[[IN3]], %[[S3]], %[[SEVEN]] : i8
// CHECK: arith.shrsi %[[X3]], %[[AMOUNT]] : i8
func.func @shifts(%u: tensor<4xui8>, %s: tensor<4xi8>) -> (tensor<4xui8>, tensor<4xui8>, tensor<4xi8>) {
  %0 = kiln.shift_left %u, %u : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = kiln.shift_right %u, %u : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %2 = kiln.shift_right %s, %s : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return %0, %1, %2 : tensor<4xui8>, tensor<4xui8>, tensor<4xi8>
}

// -----

// Floats compare ordered; unsigned integers and booleans unsigned.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func @compare
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<4xi1>
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$SCALAR]], #[[$ID]]]
// CHECK-SAME: outs(%[[INIT]] : tensor<4xi1>)
// CHECK: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpf oge, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpi ule, %{{.*}}, %{{.*}} : i8
// CHECK: arith.cmpi sgt, %{{.*}}, %{{.*}} : i8
// CHECK: arith.cmpi ult, %{{.*}}, %{{.*}} : i1
// CHECK: arith.cmpf oeq, %{{.*}}, %{{.*}} : f32
func.func @compare(%a: tensor<4xf32>, %b: tensor<f32>, %u: tensor<4xui8>, %i: tensor<4xi8>, %p: tensor<4xi1>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = kiln.less %a, %b : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
  %1 = kiln.greater_equal %a, %b : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
  %2 = kiln.less_equal %u, %u : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  %3 = kiln.greater %i, %i : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi1>
  %4 = kiln.less %p, %p : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %5 = kiln.equal %a, %b : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// Three operands broadcast against each other.
// CHECK-DAG: #[[$COND:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$NONE:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @select
// CHECK: linalg.generic {indexing_maps = [#[[$COND]], #[[$ROW]], #[[$NONE]], #[[$ID2]]]
// CHECK: ^bb0(%[[C:.*]]: i1, %[[A:.*]]: i64, %[[B:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT: %[[S:.*]] = arith.select %[[C]], %[[A]], %[[B]] : i64
// CHECK-NEXT: linalg.yield %[[S]] : i64
func.func @select(%c: tensor<2x1xi1>, %a: tensor<3xi64>, %b: tensor<i64>) -> tensor<2x3xi64> {
  %0 = kiln.select %c, %a, %b : (tensor<2x1xi1>, tensor<3xi64>, tensor<i64>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// -1, 0, 1 by comparisons; a float keeps a signed zero and NaN.
// CHECK-LABEL: func @sign
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[POS:.*]] = arith.cmpf ogt, %[[X]]
// CHECK: %[[NEG:.*]] = arith.cmpf olt, %[[X]]
// CHECK: %[[INNER:.*]] = arith.select %[[NEG]], %{{.*}}, %[[X]] : f32
// CHECK: arith.select %[[POS]], %{{.*}}, %[[INNER]] : f32
// CHECK: ^bb0(%[[I:.*]]: i8, %{{.*}}: i8):
// CHECK: arith.cmpi ne, %[[I]]
// CHECK: arith.cmpi slt, %[[I]]
func.func @sign(%x: tensor<3xf32>, %i: tensor<3xi8>) -> (tensor<3xf32>, tensor<3xi8>) {
  %0 = kiln.sign %x : tensor<3xf32>
  %1 = kiln.sign %i : tensor<3xi8>
  return %0, %1 : tensor<3xf32>, tensor<3xi8>
}

// -----

// CHECK-LABEL: func @rounding
// CHECK: math.floor %{{.*}} : f32
// CHECK: math.ceil %{{.*}} : f32
// CHECK: math.roundeven %{{.*}} : f32
func.func @rounding(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = kiln.floor %x : tensor<3xf32>
  %1 = kiln.ceil %0 : tensor<3xf32>
  %2 = kiln.round %1 : tensor<3xf32>
  return %2 : tensor<3xf32>
}

// -----

// libm has no 16-bit functions: f16 goes through f32.
// CHECK-LABEL: func @libm_functions
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = math.sin %[[X]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: ^bb0(%[[H:.*]]: f16, %{{.*}}: f16):
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[H]] : f16 to f32
// CHECK-NEXT: %[[E:.*]] = math.erf %[[W]] : f32
// CHECK-NEXT: %[[N:.*]] = arith.truncf %[[E]] : f32 to f16
// CHECK-NEXT: linalg.yield %[[N]] : f16
// CHECK: math.cos
// CHECK: math.tan
// CHECK: math.asin
// CHECK: math.acos
// CHECK: math.atan
// CHECK: math.sinh
// CHECK: math.cosh
// CHECK: math.asinh
// CHECK: math.acosh
// CHECK: math.atanh %{{.*}} : f64
func.func @libm_functions(%x: tensor<3xf32>, %h: tensor<3xf16>, %d: tensor<3xf64>) -> (tensor<3xf32>, tensor<3xf16>, tensor<3xf64>) {
  %0 = kiln.sin %x : tensor<3xf32>
  %1 = kiln.erf %h : tensor<3xf16>
  %2 = kiln.cos %d : tensor<3xf64>
  %3 = kiln.tan %2 : tensor<3xf64>
  %4 = kiln.asin %3 : tensor<3xf64>
  %5 = kiln.acos %4 : tensor<3xf64>
  %6 = kiln.atan %5 : tensor<3xf64>
  %7 = kiln.sinh %6 : tensor<3xf64>
  %8 = kiln.cosh %7 : tensor<3xf64>
  %9 = kiln.asinh %8 : tensor<3xf64>
  %10 = kiln.acosh %9 : tensor<3xf64>
  %11 = kiln.atanh %10 : tensor<3xf64>
  return %0, %1, %11 : tensor<3xf32>, tensor<3xf16>, tensor<3xf64>
}

// -----

// Float to integer: the conversion is selected away where it would be
// poison (out of range, NaN), in favour of the saturated value.
// CHECK-LABEL: func @cast_float_to_int
// CHECK-SAME: (%{{.*}}: tensor<?xf32>) -> tensor<?xi8>
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: i8):
// CHECK-DAG: %[[LOW:.*]] = arith.constant -1.280000e+02 : f32
// CHECK-DAG: %[[HIGH:.*]] = arith.constant 1.280000e+02 : f32
// CHECK-DAG: %[[MIN:.*]] = arith.constant -128 : i8
// CHECK-DAG: %[[MAX:.*]] = arith.constant 127 : i8
// CHECK: %[[C:.*]] = arith.fptosi %[[X]] : f32 to i8
// CHECK: %[[TOOLOW:.*]] = arith.cmpf olt, %[[X]], %[[LOW]] : f32
// CHECK: %[[TOOHIGH:.*]] = arith.cmpf oge, %[[X]], %[[HIGH]] : f32
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK: %[[R1:.*]] = arith.select %[[TOOHIGH]], %[[MAX]], %[[C]] : i8
// CHECK: %[[R2:.*]] = arith.select %[[TOOLOW]], %[[MIN]], %[[R1]] : i8
// CHECK: %[[R3:.*]] = arith.select %[[NAN]], %{{.*}}, %[[R2]] : i8
// CHECK: linalg.yield %[[R3]] : i8
func.func @cast_float_to_int(%x: tensor<?xf32>) -> tensor<?xi8> {
  %0 = kiln.cast %x : tensor<?xf32> -> tensor<?xi8>
  return %0 : tensor<?xi8>
}

// -----

// Unsigned targets saturate at 0 and 2^n - 1; a bound past the float
// format's range is +inf, which no finite value reaches.
// CHECK-LABEL: func @cast_float_to_unsigned
// CHECK: arith.constant 2.560000e+02 : f32
// CHECK: arith.fptoui %{{.*}} : f32 to i8
// CHECK: arith.constant 0x7C00 : f16
// CHECK: arith.fptoui %{{.*}} : f16 to i32
func.func @cast_float_to_unsigned(%x: tensor<2xf32>, %h: tensor<2xf16>) -> (tensor<2xui8>, tensor<2xui32>) {
  %0 = kiln.cast %x : tensor<2xf32> -> tensor<2xui8>
  %1 = kiln.cast %h : tensor<2xf16> -> tensor<2xui32>
  return %0, %1 : tensor<2xui8>, tensor<2xui32>
}

// -----

// CHECK-LABEL: func @cast_kinds
// CHECK: arith.uitofp %{{.*}} : i1 to f32
// CHECK: arith.sitofp %{{.*}} : i8 to f32
// CHECK: arith.uitofp %{{.*}} : i8 to f32
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpi ne, %{{.*}}, %{{.*}} : i32
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK-NEXT: arith.truncf %{{.*}} : f32 to bf16
// CHECK: arith.truncf %{{.*}} : f64 to f32
// CHECK: arith.extf %{{.*}} : f16 to f64
func.func @cast_kinds(%b: tensor<2xi1>, %i: tensor<2xi8>, %u: tensor<2xui8>, %w: tensor<2xi32>,
                      %f: tensor<2xf32>, %h: tensor<2xf16>, %d: tensor<2xf64>)
    -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi32>, tensor<2xi32>, tensor<2xi8>,
        tensor<2xi1>, tensor<2xi1>, tensor<2xbf16>, tensor<2xf32>, tensor<2xf64>) {
  %0 = kiln.cast %b : tensor<2xi1> -> tensor<2xf32>
  %1 = kiln.cast %i : tensor<2xi8> -> tensor<2xf32>
  %2 = kiln.cast %u : tensor<2xui8> -> tensor<2xf32>
  %3 = kiln.cast %i : tensor<2xi8> -> tensor<2xi32>
  %4 = kiln.cast %u : tensor<2xui8> -> tensor<2xi32>
  %5 = kiln.cast %w : tensor<2xi32> -> tensor<2xi8>
  %6 = kiln.cast %f : tensor<2xf32> -> tensor<2xi1>
  %7 = kiln.cast %w : tensor<2xi32> -> tensor<2xi1>
  %8 = kiln.cast %h : tensor<2xf16> -> tensor<2xbf16>
  %9 = kiln.cast %d : tensor<2xf64> -> tensor<2xf32>
  %10 = kiln.cast %h : tensor<2xf16> -> tensor<2xf64>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi32>, tensor<2xi32>, tensor<2xi8>,
      tensor<2xi1>, tensor<2xi1>, tensor<2xbf16>, tensor<2xf32>, tensor<2xf64>
}

// -----

// Same bits (a signedness change): the generic just copies.
// CHECK-LABEL: func @cast_signedness
// CHECK: ^bb0(%[[X:.*]]: i8, %{{.*}}: i8):
// CHECK-NEXT: linalg.yield %[[X]] : i8
func.func @cast_signedness(%u: tensor<2xui8>) -> tensor<2xi8> {
  %0 = kiln.cast %u : tensor<2xui8> -> tensor<2xi8>
  return %0 : tensor<2xi8>
}

// -----

// Dropout: one generic computes output and mask from a hash of (seed, step,
// row-major index); kept where u >= ratio, scaled by 1 / (1 - ratio) when
// training with a nonzero ratio.
// CHECK-LABEL: func @dropout
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[R:.*]]: tensor<f16>, %[[T:.*]]: tensor<i1>, %[[S:.*]]: tensor<i64>)
// CHECK-DAG: %[[RATIO:.*]] = tensor.extract %[[R]][] : tensor<f16>
// CHECK-DAG: %[[TRAINING:.*]] = tensor.extract %[[T]][] : tensor<i1>
// CHECK: %[[NZ:.*]] = arith.cmpf une, %[[RATIO]], %{{.*}} : f16
// CHECK: %[[ACTIVE:.*]] = arith.andi %[[TRAINING]], %[[NZ]] : i1
// CHECK: %[[INACTIVE:.*]] = arith.xori %[[ACTIVE]], %{{.*}} : i1
// CHECK: %[[SCALE:.*]] = arith.select %[[ACTIVE]], %{{.*}}, %{{.*}} : f32
// CHECK: %[[THRESHOLD:.*]] = arith.extf %[[RATIO]] : f16 to f32
// CHECK: %[[SEED:.*]] = arith.constant 5 : i64
// CHECK: %[[STEP:.*]] = tensor.extract %[[S]][] : tensor<i64>
// CHECK: %[[OUT:.*]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[X]] : tensor<?x4xf32>)
// CHECK: linalg.index 0
// CHECK: linalg.index 1
// CHECK: arith.index_castui
// CHECK: %[[FORTY:.*]] = arith.constant 40 : i64
// CHECK: %[[BITS:.*]] = arith.shrui %{{.*}}, %[[FORTY]] : i64
// CHECK: %[[U0:.*]] = arith.uitofp %[[BITS]] : i64 to f32
// CHECK: %[[U:.*]] = arith.mulf %[[U0]], %{{.*}} : f32
// CHECK: %[[GE:.*]] = arith.cmpf oge, %[[U]], %[[THRESHOLD]] : f32
// CHECK: %[[KEPT:.*]] = arith.ori %[[INACTIVE]], %[[GE]] : i1
// CHECK: %[[SCALED:.*]] = arith.mulf %{{.*}}, %[[SCALE]] : f32
// CHECK: %[[V:.*]] = arith.select %[[KEPT]], %[[SCALED]], %{{.*}} : f32
// CHECK: linalg.yield %[[V]], %[[KEPT]] : f32, i1
// CHECK: return %[[OUT]]#0, %[[OUT]]#1
func.func @dropout(%x: tensor<?x4xf32>, %r: tensor<f16>, %t: tensor<i1>, %s: tensor<i64>) -> (tensor<?x4xf32>, tensor<?x4xi1>) {
  %0:2 = kiln.dropout %x, %r, %t step %s {seed = 5 : i64} : (tensor<?x4xf32>, tensor<f16>, tensor<i1>, tensor<i64>) -> (tensor<?x4xf32>, tensor<?x4xi1>)
  return %0#0, %0#1 : tensor<?x4xf32>, tensor<?x4xi1>
}

// -----

// Without a step the generator's step is 0.
// CHECK-LABEL: func @dropout_no_step
// CHECK: arith.constant 0 : i64
// CHECK: linalg.generic
func.func @dropout_no_step(%x: tensor<8xf64>, %r: tensor<f64>, %t: tensor<i1>) -> (tensor<8xf64>, tensor<8xi1>) {
  %0:2 = kiln.dropout %x, %r, %t : (tensor<8xf64>, tensor<f64>, tensor<i1>) -> (tensor<8xf64>, tensor<8xi1>)
  return %0#0, %0#1 : tensor<8xf64>, tensor<8xi1>
}

// -----

// A constant false `training` (the DSL's inference form) or a constant 0
// ratio is the identity and an all-true mask, with no generator.
// CHECK-LABEL: func @dropout_inference
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NOT: linalg.generic
// CHECK: %[[MASK:.*]] = linalg.fill ins(%{{.*}} : i1) outs(%{{.*}} : tensor<?x4xi1>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[X]], %[[MASK]]
func.func @dropout_inference(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi1>) {
  %r = kiln.constant dense<0.5> : tensor<f32>
  %t = kiln.constant dense<false> : tensor<i1>
  %0:2 = kiln.dropout %x, %r, %t {kiln.train_mode} : (tensor<?x4xf32>, tensor<f32>, tensor<i1>) -> (tensor<?x4xf32>, tensor<?x4xi1>)
  return %0#0, %0#1 : tensor<?x4xf32>, tensor<?x4xi1>
}

// -----

// CHECK-LABEL: func @dropout_zero_ratio
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @dropout_zero_ratio(%x: tensor<3xf32>, %t: tensor<i1>) -> (tensor<3xf32>, tensor<3xi1>) {
  %r = kiln.constant dense<0.0> : tensor<f32>
  %0:2 = kiln.dropout %x, %r, %t : (tensor<3xf32>, tensor<f32>, tensor<i1>) -> (tensor<3xf32>, tensor<3xi1>)
  return %0#0, %0#1 : tensor<3xf32>, tensor<3xi1>
}
