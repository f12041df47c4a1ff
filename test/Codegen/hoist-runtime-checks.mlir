// RUN: kiln-opt %s --kiln-hoist-runtime-checks -split-input-file | FileCheck %s

// A check and the pure computation of its condition move above the first
// allocation; the checks keep their order.
// CHECK-LABEL: func @hoists_above_allocations
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.*]] = tensor.dim %arg0, %[[C0]]
// CHECK-NEXT: %[[B:.*]] = tensor.dim %arg1, %[[C0]]
// CHECK-NEXT: %[[OK:.*]] = arith.cmpi eq, %[[A]], %[[B]]
// CHECK-NEXT: cf.assert %[[OK]], "first"
// CHECK-NEXT: %[[OK2:.*]] = arith.cmpi sge, %[[A]], %[[C0]]
// CHECK-NEXT: cf.assert %[[OK2]], "second"
// CHECK-NEXT: tensor.empty
func.func @hoists_above_allocations(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %a, %c0 : tensor<?xf32>
  %e = tensor.empty(%d) : tensor<?xf32>
  %db = tensor.dim %b, %c0 : tensor<?xf32>
  %ok = arith.cmpi eq, %d, %db : index
  cf.assert %ok, "first"
  %ok2 = arith.cmpi sge, %d, %c0 : index
  cf.assert %ok2, "second"
  return %e : tensor<?xf32>
}

// -----

// A condition that depends on computed data stays after that computation.
// CHECK-LABEL: func @data_dependent_stays
// CHECK: tensor.extract
// CHECK: cf.assert %{{.*}}, "needs data"
func.func @data_dependent_stays(%a: tensor<4xi1>) -> tensor<4xi1> {
  %c0 = arith.constant 0 : index
  %e = tensor.empty() : tensor<4xi1>
  %v = tensor.extract %a[%c0] : tensor<4xi1>
  cf.assert %v, "needs data"
  return %e : tensor<4xi1>
}
