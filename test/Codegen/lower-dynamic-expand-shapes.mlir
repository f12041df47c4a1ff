// RUN: kiln-opt %s --kiln-lower-dynamic-expand-shapes -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-lower-dynamic-expand-shapes --expand-strided-metadata -split-input-file | FileCheck %s --check-prefix=EXPANDED
// expand_shapes with several dynamic sizes in one group (which MLIR 22's
// expand-strided-metadata cannot take) become reinterpret_casts.

// CHECK-LABEL: func @two_dynamic_in_group
// CHECK-SAME: (%[[A:.*]]: memref<?x3x2xf32>, %[[D0:.*]]: index, %[[D1:.*]]: index)
// CHECK-NOT: memref.expand_shape
// CHECK: %[[BASE:.*]], %[[OFF:.*]], %{{.*}}:3, %{{.*}}:3 = memref.extract_strided_metadata %[[A]]
// CHECK: %[[C6:.*]] = arith.constant 6 : index
// CHECK: %[[S0:.*]] = arith.muli %[[C6]], %[[D1]] : index
// CHECK: %[[R:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[D0]], %[[D1]], 3, 2], strides: [%[[S0]], 6, 2, 1] : memref<f32> to memref<?x?x3x2xf32>
// CHECK: return %[[R]]
// EXPANDED-LABEL: func @two_dynamic_in_group
// EXPANDED: memref.reinterpret_cast
func.func @two_dynamic_in_group(%a: memref<?x3x2xf32>, %d0: index, %d1: index) -> memref<?x?x3x2xf32> {
  %e = memref.expand_shape %a [[0, 1], [2], [3]] output_shape [%d0, %d1, 3, 2] : memref<?x3x2xf32> into memref<?x?x3x2xf32>
  return %e : memref<?x?x3x2xf32>
}

// -----

// A strided source: the group's innermost stride is the source's, read from
// its metadata, and the offset carries over.
// CHECK-LABEL: func @strided_source
// CHECK-SAME: (%[[A:.*]]: memref<?x4xf32, strided<[?, 1], offset: ?>>, %[[D0:.*]]: index, %[[D1:.*]]: index, %[[D2:.*]]: index)
// CHECK: %[[BASE:.*]], %[[OFF:.*]], %{{.*}}:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[A]]
// CHECK: %[[S1:.*]] = arith.muli %[[STRIDES]]#0, %[[D2]] : index
// CHECK: %[[S0:.*]] = arith.muli %[[S1]], %[[D1]] : index
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [%[[OFF]]], sizes: [%[[D0]], %[[D1]], %[[D2]], 4], strides: [%[[S0]], %[[S1]], %[[STRIDES]]#0, 1]
func.func @strided_source(%a: memref<?x4xf32, strided<[?, 1], offset: ?>>, %d0: index, %d1: index, %d2: index)
    -> memref<?x?x?x4xf32, strided<[?, ?, ?, 1], offset: ?>> {
  %e = memref.expand_shape %a [[0, 1, 2], [3]] output_shape [%d0, %d1, %d2, 4]
      : memref<?x4xf32, strided<[?, 1], offset: ?>> into memref<?x?x?x4xf32, strided<[?, ?, ?, 1], offset: ?>>
  return %e : memref<?x?x?x4xf32, strided<[?, ?, ?, 1], offset: ?>>
}

// -----

// One dynamic size per group is left to expand-strided-metadata.
// CHECK-LABEL: func @one_dynamic_per_group
// CHECK: memref.expand_shape
// CHECK-NOT: memref.reinterpret_cast
func.func @one_dynamic_per_group(%a: memref<?x6xf32>, %d0: index) -> memref<?x2x3xf32> {
  %e = memref.expand_shape %a [[0], [1, 2]] output_shape [%d0, 2, 3] : memref<?x6xf32> into memref<?x2x3xf32>
  return %e : memref<?x2x3xf32>
}
