// RUN: kiln-opt %s --convert-kiln-to-linalg -cse -split-input-file | FileCheck %s
// The whole CPU codegen pipeline must accept the loops (one-shot
// bufferization refuses an scf.for whose yielded tensor is not equivalent
// to its iter_arg; the running sum once was a fresh tensor each step).
// RUN: kiln-opt %s --convert-kiln-to-linalg | kiln-opt --kiln-cpu-codegen-pipeline -o /dev/null

// kiln.cumsum along a static axis: an scf.for over the axis carries the
// running sum (one slice) and the result; the sum is updated in place.
// CHECK-LABEL: func @inclusive
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[FILL:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x1xf32>)
// CHECK: %[[OUT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: %[[LOOP:.*]]:2 = scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[SUM:.*]] = %[[FILL]], %[[ACC:.*]] = %[[OUT]])
// CHECK:   %[[SLICE:.*]] = tensor.extract_slice %[[X]][0, %[[I]]] [2, 1] [1, 1]
// CHECK:   %[[NEXT:.*]] = linalg.generic {{.*}} ins(%[[SLICE]] : tensor<2x1xf32>) outs(%[[SUM]] : tensor<2x1xf32>)
// CHECK:     arith.addf
// CHECK:   %[[INS:.*]] = tensor.insert_slice %[[NEXT]] into %[[ACC]][0, %[[I]]] [2, 1] [1, 1]
// CHECK:   scf.yield %[[NEXT]], %[[INS]]
// CHECK: return %[[LOOP]]#1
func.func @inclusive(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %axis = kiln.constant dense<1> : tensor<i64>
  %0 = kiln.cumsum %x, %axis : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Exclusive and reversed, dynamic extent: the sum so far is stored before
// the slice is added; the loop walks the axis from the end.
// CHECK-LABEL: func @exclusive_reverse
// CHECK-SAME: (%[[X:.*]]: tensor<?xi32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]]
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[N]] step %{{.*}} iter_args(%[[SUM:.*]] = %{{.*}}, %[[ACC:.*]] = %{{.*}})
// CHECK:   %[[LAST:.*]] = arith.subi %[[N]], %{{.*}} : index
// CHECK:   %[[J:.*]] = arith.subi %[[LAST]], %[[I]] : index
// CHECK:   %[[SLICE:.*]] = tensor.extract_slice %[[X]][%[[J]]] [1] [1]
// CHECK:   %[[INS:.*]] = tensor.insert_slice %[[SUM]] into %[[ACC]][%[[J]]] [1] [1]
// CHECK:   %[[NEXT:.*]] = linalg.generic {{.*}} ins(%[[SLICE]] : tensor<1xi32>) outs(%[[SUM]] : tensor<1xi32>)
// CHECK:     arith.addi
// CHECK:   scf.yield %[[NEXT]], %[[INS]]
func.func @exclusive_reverse(%x: tensor<?xi32>) -> tensor<?xi32> {
  %axis = kiln.constant dense<0> : tensor<i64>
  %0 = kiln.cumsum %x, %axis {exclusive, reverse} : (tensor<?xi32>, tensor<i64>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

// -----

// An axis known only at run time: one loop per possible axis.
// CHECK-LABEL: func @runtime_axis
// CHECK: scf.index_switch
// CHECK: case 0
// CHECK: scf.for
// CHECK: case 1
// CHECK: scf.for
func.func @runtime_axis(%x: tensor<4x5xf64>, %axis: tensor<i32>) -> tensor<4x5xf64> {
  %0 = kiln.cumsum %x, %axis : (tensor<4x5xf64>, tensor<i32>) -> tensor<4x5xf64>
  return %0 : tensor<4x5xf64>
}
