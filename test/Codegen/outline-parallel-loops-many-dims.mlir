// RUN: kiln-opt %s -kiln-outline-parallel-loops -mlir-disable-threading | FileCheck %s
// A parallel loop nest of 7 dimensions (more than a SmallVector<Value>'s
// inline storage): the outlined body maps every inner induction variable.
// (The pass once read them through an ArrayRef of a destroyed temporary and
// produced loads indexed by stale values, or crashed.) The first four
// dimensions (2 x 3 x 4 x 5 = 120 >= min-iterations) form the range; the
// body recovers them from k, the last one fastest.

// CHECK-LABEL: func.func private @seven_par
// CHECK-SAME: (%[[IN:.*]]: memref<2x3x4x5x6x7x8xf32>, %[[OUT:.*]]: memref<2x3x4x5x6x7x8xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK: scf.for %[[K:.*]] = %[[BEGIN]] to %[[END]]
// CHECK:   %[[C5:.*]] = arith.constant 5 : index
// CHECK:   %[[R3:.*]] = arith.remui %[[K]], %[[C5]]
// CHECK:   %[[I3:.*]] = arith.addi %{{.*}}, %{{.*}}
// CHECK:   %[[Q3:.*]] = arith.divui %[[K]], %[[C5]]
// CHECK:   %[[C4:.*]] = arith.constant 4 : index
// CHECK:   arith.remui %[[Q3]], %[[C4]]
// CHECK:   %[[I2:.*]] = arith.addi
// CHECK:   %[[Q2:.*]] = arith.divui %[[Q3]], %[[C4]]
// CHECK:   %[[C3:.*]] = arith.constant 3 : index
// CHECK:   arith.remui %[[Q2]], %[[C3]]
// CHECK:   %[[I1:.*]] = arith.addi
// CHECK:   %[[Q1:.*]] = arith.divui %[[Q2]], %[[C3]]
// CHECK:   arith.muli %[[Q1]]
// CHECK:   %[[I0:.*]] = arith.addi
// CHECK:   scf.parallel (%[[I4:.*]], %[[I5:.*]], %[[I6:.*]]) =
// CHECK:     %[[V:.*]] = memref.load %[[IN]][%[[I0]], %[[I1]], %[[I2]], %[[I3]], %[[I4]], %[[I5]], %[[I6]]]
// CHECK:     memref.store %[[V]], %[[OUT]][%[[I0]], %[[I1]], %[[I2]], %[[I3]], %[[I4]], %[[I5]], %[[I6]]]
// CHECK-LABEL: func.func @seven
// CHECK: %[[TRIPS:.*]] = arith.ceildivui
// CHECK: %[[C60:.*]] = arith.constant 60 : index
// CHECK: %[[RANGE:.*]] = arith.muli %[[TRIPS]], %[[C60]]
// CHECK: call @seven_par(%{{.*}}, %{{.*}}, %{{.*}}, %[[RANGE]])
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
