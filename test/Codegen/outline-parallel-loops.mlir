// RUN: kiln-opt %s -kiln-outline-parallel-loops -split-input-file | FileCheck %s
// RUN: kiln-opt %s -kiln-outline-parallel-loops="min-iterations=1" -split-input-file | FileCheck %s --check-prefix=FIRST
// RUN: kiln-opt %s -kiln-outline-parallel-loops="min-work=1000000000" -split-input-file | FileCheck %s --check-prefix=NONE

// Which dimensions of an outermost scf.parallel become the range the thread
// pool splits: the first one, plus following static ones until the range
// has min-iterations (64) iterations, counting a dynamic first dimension
// (a batch) as 1; never the innermost one.

// A dynamic batch: N x 64 iterations, each a 56 x 56 plane.
// CHECK-LABEL: func.func private @batch_par
// CHECK-SAME: (%[[BUF:[^:]*]]: memref<?x64x56x56xf32>, %{{[^:]*}}: index, %[[BEGIN:[^:]*]]: index, %[[END:[^:]*]]: index)
// CHECK: scf.for %[[K:.*]] = %[[BEGIN]] to %[[END]]
// CHECK:   %[[C64:.*]] = arith.constant 64 : index
// CHECK:   arith.remui %[[K]], %[[C64]]
// CHECK:   %[[C:.*]] = arith.addi
// CHECK:   %[[Q:.*]] = arith.divui %[[K]], %[[C64]]
// CHECK:   arith.muli %[[Q]]
// CHECK:   %[[N:.*]] = arith.addi
// CHECK:   scf.parallel (%[[H:.*]], %[[W:.*]]) =
// CHECK:     memref.store %{{.*}}, %[[BUF]][%[[N]], %[[C]], %[[H]], %[[W]]]
// CHECK-LABEL: func.func @batch(
// CHECK: %[[DIM:.*]] = memref.dim
// CHECK: %[[TRIPS:.*]] = arith.ceildivui
// CHECK: %[[R:.*]] = arith.muli %[[TRIPS]], %{{.*}}
// CHECK: call @batch_par(%{{.*}}, %{{.*}}, %[[R]])

// With min-iterations=1 only the batch is split (the former behaviour).
// FIRST-LABEL: func.func private @batch_par
// FIRST-NOT: arith.divui
// FIRST: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) =
// FIRST-LABEL: func.func @batch(

// A dynamic trip count counts as big work: min-work does not apply.
// NONE-LABEL: func.func @batch(
// NONE: call @batch_par
func.func @batch(%buf: memref<?x64x56x56xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c56 = arith.constant 56 : index
  %c64 = arith.constant 64 : index
  %f = arith.constant 1.0 : f32
  %n = memref.dim %buf, %c0 : memref<?x64x56x56xf32>
  scf.parallel (%i, %j, %k, %l) = (%c0, %c0, %c0, %c0) to (%n, %c64, %c56, %c56) step (%c1, %c1, %c1, %c1) {
    memref.store %f, %buf[%i, %j, %k, %l] : memref<?x64x56x56xf32>
    scf.reduce
  }
  return
}

// -----

// A static batch of 1 used to stay on one thread (its first dimension has
// one iteration); now 1 x 3 x 230 = 690 rows are split. The innermost
// parallel dimension joins the range because the body holds a loop. Lower
// bounds and steps other than 0 and 1 are honoured: i = lb + k * step.
// CHECK-LABEL: func.func private @one_par
// CHECK: scf.for %[[K:.*]] =
// CHECK:   %[[C230:.*]] = arith.constant 230 : index
// CHECK:   %[[R2:.*]] = arith.remui %[[K]], %[[C230]]
// CHECK:   %[[T2:.*]] = arith.muli %[[R2]], %[[C2:.*]] : index
// CHECK:   %[[I2:.*]] = arith.addi %[[C2]], %[[T2]] : index
// CHECK:   %[[Q2:.*]] = arith.divui %[[K]], %[[C230]]
// CHECK:   %[[C3:.*]] = arith.constant 3 : index
// CHECK:   arith.remui %[[Q2]], %[[C3]]
// CHECK:   %[[I1:.*]] = arith.addi
// CHECK:   %[[Q1:.*]] = arith.divui %[[Q2]], %[[C3]]
// CHECK:   arith.muli %[[Q1]]
// CHECK:   %[[I0:.*]] = arith.addi
// CHECK-NOT: scf.parallel
// CHECK:   scf.for %[[L:.*]] =
// CHECK:     memref.store %{{.*}}, %{{.*}}[%[[I0]], %[[I1]], %[[I2]], %[[L]]]
// CHECK-LABEL: func.func @one(
// CHECK: %[[C690:.*]] = arith.constant 690 : index
// CHECK: %[[R:.*]] = arith.muli %{{.*}}, %[[C690]]
// CHECK: call @one_par(%{{.*}}, %{{.*}}, %[[R]])

// FIRST-LABEL: func.func @one(
// FIRST-NOT: call
// FIRST: scf.parallel

// NONE-LABEL: func.func @one(
// NONE-NOT: call
// NONE: scf.parallel
func.func @one(%buf: memref<1x3x461x240xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c10 = arith.constant 10 : index
  %c240 = arith.constant 240 : index
  %c461 = arith.constant 461 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c2) to (%c1, %c3, %c461) step (%c1, %c1, %c2) {
    scf.for %l = %c10 to %c240 step %c1 {
      memref.store %f, %buf[%i, %j, %k, %l] : memref<1x3x461x240xf32>
    }
    scf.reduce
  }
  return
}

// -----

// Two dimensions: the inner one stays in the body even though the range
// (the batch) is short, so that no iteration is a lone store.
// CHECK-LABEL: func.func private @rows_par
// CHECK-NOT: arith.divui
// CHECK: scf.parallel (%{{.*}}) =
// CHECK-LABEL: func.func @rows(
// CHECK: call @rows_par
func.func @rows(%buf: memref<?x100000xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c100000 = arith.constant 100000 : index
  %f = arith.constant 1.0 : f32
  %n = memref.dim %buf, %c0 : memref<?x100000xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c100000) step (%c1, %c1) {
    memref.store %f, %buf[%i, %j] : memref<?x100000xf32>
    scf.reduce
  }
  return
}

// -----

// A dimension with a dynamic trip count stops the collapsing.
// CHECK-LABEL: func.func private @dynamic_inner_par
// CHECK-NOT: arith.divui
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) =
// CHECK-LABEL: func.func @dynamic_inner(
// CHECK: call @dynamic_inner_par
func.func @dynamic_inner(%buf: memref<2x?x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c512 = arith.constant 512 : index
  %f = arith.constant 1.0 : f32
  %m = memref.dim %buf, %c1 : memref<2x?x512xf32>
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c2, %m, %c512) step (%c1, %c1, %c1) {
    memref.store %f, %buf[%i, %j, %k] : memref<2x?x512xf32>
    scf.reduce
  }
  return
}

// -----

// Too little work for threads, an empty dimension, and a loop with a
// reduction stay where they are.
// CHECK-LABEL: func.func @stay(
// CHECK-NOT: call
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK-NOT: func.func private
func.func @stay(%small: memref<1x4x8xf32>, %big: memref<4x0x64x64xf32>, %v: memref<100000xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %c100000 = arith.constant 100000 : index
  %f = arith.constant 1.0 : f32
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c1, %c4, %c8) step (%c1, %c1, %c1) {
    memref.store %f, %small[%i, %j, %k] : memref<1x4x8xf32>
    scf.reduce
  }
  scf.parallel (%i, %j, %k, %l) = (%c0, %c0, %c0, %c0) to (%c4, %c0, %c64, %c64) step (%c1, %c1, %c1, %c1) {
    memref.store %f, %big[%i, %j, %k, %l] : memref<4x0x64x64xf32>
    scf.reduce
  }
  %sum = scf.parallel (%i) = (%c0) to (%c100000) step (%c1) init (%zero) -> f32 {
    %x = memref.load %v[%i] : memref<100000xf32>
    scf.reduce(%x : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %sum : f32
}
