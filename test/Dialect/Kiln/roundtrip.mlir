// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Every kiln op prints and parses back to itself.

// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: kiln.relu %{{.*}} : tensor<2x3xf32>
  %1 = kiln.relu %0 : tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
