// RUN: kiln-opt %s -split-input-file -verify-diagnostics | kiln-opt | FileCheck %s

// CHECK-LABEL: func @round_trip
// CHECK: kiln.full_like %{{.*}}, 1.000000e+00 : tensor<?x3xf32>
// CHECK: kiln.unbroadcast %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<1x3xf32>
func.func @round_trip(%x: tensor<?x3xf32>, %b: tensor<1x3xf32>) -> (tensor<?x3xf32>, tensor<1x3xf32>) {
  %0 = kiln.full_like %x, 1.0 : tensor<?x3xf32>
  %1 = kiln.unbroadcast %x, %b : tensor<?x3xf32>, tensor<1x3xf32>
  return %0, %1 : tensor<?x3xf32>, tensor<1x3xf32>
}

// -----

func.func @unbroadcast_not_a_broadcast(%x: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{input 2x3 is not a broadcast of 4}}
  %0 = kiln.unbroadcast %x, %b : tensor<2x3xf32>, tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unbroadcast_rank(%x: tensor<3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{expects the input (3) to have at least the rank of like (2x3)}}
  %0 = kiln.unbroadcast %x, %b : tensor<3xf32>, tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
