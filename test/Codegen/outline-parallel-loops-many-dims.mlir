// RUN: kiln-opt %s -kiln-outline-parallel-loops -mlir-disable-threading | FileCheck %s
// A parallel loop nest of 7 dimensions (more than a SmallVector<Value>'s
// inline storage): the outlined body maps every inner induction variable.
// (The pass once read them through an ArrayRef of a destroyed temporary and
// produced loads indexed by stale values, or crashed.)

// CHECK-LABEL: func.func private @seven_par
// CHECK-SAME: (%[[IN:.*]]: memref<2x3x4x5x6x7x8xf32>, %[[OUT:.*]]: memref<2x3x4x5x6x7x8xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK: scf.for %[[K:.*]] = %[[BEGIN]] to %[[END]]
// CHECK:   %[[I0:.*]] = arith.addi
// CHECK:   scf.parallel (%[[I1:.*]], %[[I2:.*]], %[[I3:.*]], %[[I4:.*]], %[[I5:.*]], %[[I6:.*]]) =
// CHECK:     %[[V:.*]] = memref.load %[[IN]][%[[I0]], %[[I1]], %[[I2]], %[[I3]], %[[I4]], %[[I5]], %[[I6]]]
// CHECK:     memref.store %[[V]], %[[OUT]][%[[I0]], %[[I1]], %[[I2]], %[[I3]], %[[I4]], %[[I5]], %[[I6]]]
// CHECK-LABEL: func.func @seven
// CHECK: call @seven_par
func.func @seven(%in: memref<2x3x4x5x6x7x8xf32>, %out: memref<2x3x4x5x6x7x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %c7 = arith.constant 7 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%a, %b, %c, %d, %e, %f, %g) = (%c0, %c0, %c0, %c0, %c0, %c0, %c0)
      to (%c2, %c3, %c4, %c5, %c6, %c7, %c8) step (%c1, %c1, %c1, %c1, %c1, %c1, %c1) {
    %v = memref.load %in[%a, %b, %c, %d, %e, %f, %g] : memref<2x3x4x5x6x7x8xf32>
    memref.store %v, %out[%a, %b, %c, %d, %e, %f, %g] : memref<2x3x4x5x6x7x8xf32>
    scf.reduce
  }
  return
}
