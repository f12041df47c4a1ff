// RUN: kiln-opt %s --convert-kiln-to-linalg -cse -split-input-file | FileCheck %s
// RUN: kiln-opt %s --convert-kiln-to-linalg | kiln-opt --kiln-cpu-codegen-pipeline -o /dev/null

// kiln.einsum with a scalar result ("i,i->"): the output's indexing map has
// no results. (It once was a null map, and building the generic crashed.)
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func @inner_product
// CHECK-SAME: (%[[A:.*]]: tensor<5xf64>, %[[B:.*]]: tensor<5xf64>) -> tensor<f64>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f64) outs(%{{.*}} : tensor<f64>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[IN]], #[[OUT]]], iterator_types = ["reduction"]} ins(%[[A]], %[[B]] : tensor<5xf64>, tensor<5xf64>) outs(%[[INIT]] : tensor<f64>)
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK: return %[[R]]
func.func @inner_product(%a: tensor<5xf64>, %b: tensor<5xf64>) -> tensor<f64> {
  %0 = kiln.einsum "i,i->"(%a, %b) : (tensor<5xf64>, tensor<5xf64>) -> tensor<f64>
  return %0 : tensor<f64>
}

// -----

// A full reduction of one operand: "ij->".
// CHECK-DAG: #[[IN2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[OUT2:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func @total
// CHECK: linalg.generic {indexing_maps = [#[[IN2]], #[[OUT2]]], iterator_types = ["reduction", "reduction"]}
func.func @total(%a: tensor<3x4xi32>) -> tensor<i32> {
  %0 = kiln.einsum "ij->"(%a) : (tensor<3x4xi32>) -> tensor<i32>
  return %0 : tensor<i32>
}
