// RUN: kiln-opt %s --kiln-approximate-vector-math -split-input-file -verify-diagnostics | FileCheck %s
// f32 vector exp/erf/tanh/log become polynomials; other vector math without
// an LLVM vector lowering is unrolled per lane; scalar math stays.

// CHECK-LABEL: func @polynomials
// CHECK-NOT: math.exp
// CHECK-NOT: math.erf
// CHECK-NOT: math.tanh
// CHECK-NOT: math.log
// CHECK-NOT: vector.extract
// CHECK: return
func.func @polynomials(%x: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
  %0 = math.exp %x : vector<16xf32>
  %1 = math.erf %x : vector<16xf32>
  %2 = math.tanh %x : vector<16xf32>
  %3 = math.log %x : vector<16xf32>
  return %0, %1, %2, %3 : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
}

// -----

// Scalars keep going to libm / LLVM intrinsics; vector ops with a vector
// lowering (sqrt, fma) stay.
// CHECK-LABEL: func @untouched
// CHECK: math.erf %{{.*}} : f32
// CHECK: math.exp %{{.*}} : f32
// CHECK: math.sqrt %{{.*}} : vector<8xf32>
// CHECK-NOT: vector.extract
func.func @untouched(%s: f32, %v: vector<8xf32>) -> (f32, f32, vector<8xf32>) {
  %0 = math.erf %s : f32
  %1 = math.exp %s : f32
  %2 = math.sqrt %v : vector<8xf32>
  return %0, %1, %2 : f32, f32, vector<8xf32>
}

// -----

// erfc (no polynomial here, no vector lowering) and f64 erf are unrolled
// into one scalar op per lane.
// CHECK-LABEL: func @unrolled
// CHECK-COUNT-4: math.erfc %{{.*}} : f32
// CHECK-NOT: math.erfc
// CHECK-COUNT-2: math.erf %{{.*}} : f64
// CHECK-NOT: math.erf
// CHECK: return
func.func @unrolled(%x: vector<4xf32>, %d: vector<2xf64>) -> (vector<4xf32>, vector<2xf64>) {
  %0 = math.erfc %x : vector<4xf32>
  %1 = math.erf %d : vector<2xf64>
  return %0, %1 : vector<4xf32>, vector<2xf64>
}

// -----

// Integer powers too: ConvertMathToFuncs, after the vector lowering, would
// leave vector.extract ops behind.
// CHECK-LABEL: func @powers
// CHECK-COUNT-4: math.ipowi %{{.*}}, %{{.*}} : i32
// CHECK-COUNT-2: math.fpowi %{{.*}}, %{{.*}} : f32, i32
// CHECK-NOT: math.{{[fi]}}powi
// CHECK: return
func.func @powers(%x: vector<4xi32>, %f: vector<2xf32>, %n: vector<2xi32>) -> (vector<4xi32>, vector<2xf32>) {
  %0 = math.ipowi %x, %x : vector<4xi32>
  %1 = math.fpowi %f, %n : vector<2xf32>, vector<2xi32>
  return %0, %1 : vector<4xi32>, vector<2xf32>
}

// -----

func.func @two_dims(%x: vector<2x4xf32>) -> vector<2x4xf32> {
  // expected-error @+1 {{cannot unroll this vector math op}}
  %0 = math.erfc %x : vector<2x4xf32>
  return %0 : vector<2x4xf32>
}
