// RUN: kiln-opt %s --split-input-file --kiln-build-training-functions="optimizer=adam lr=0.001" | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-build-training-functions="loss=cross_entropy class-indices optimizer=momentum" \
// RUN:   | FileCheck %s --check-prefix=CE

// The parameters become leading arguments; Adam adds two moments per
// parameter and a step count, all mutable and stored in place with
// kiln.assign after the update; the loss and the output are returned.
// CHECK-LABEL: func.func @predict
// CHECK-SAME: (%{{.*}}: tensor<3x2xf32> {kiln.name = "w", kiln.parameter}, %{{.*}}: tensor<2xf32> {kiln.name = "b", kiln.parameter}, %{{.*}}: tensor<?x3xf32> {kiln.name = "x"})
// CHECK-NOT: kiln.constant
// CHECK: return

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[W:.*]]: tensor<3x2xf32> {kiln.mutable, kiln.name = "w"}, %[[B:.*]]: tensor<2xf32> {kiln.mutable, kiln.name = "b"},
// CHECK-SAME: %[[WM:.*]]: tensor<3x2xf32> {kiln.mutable, kiln.name = "w.m"}, %[[WV:.*]]: tensor<3x2xf32> {kiln.mutable, kiln.name = "w.v"},
// CHECK-SAME: %[[BM:.*]]: tensor<2xf32> {kiln.mutable, kiln.name = "b.m"}, %[[BV:.*]]: tensor<2xf32> {kiln.mutable, kiln.name = "b.v"},
// CHECK-SAME: %[[T:.*]]: tensor<f32> {kiln.mutable, kiln.name = "step"}, %[[X:.*]]: tensor<?x3xf32> {kiln.name = "x"}, %[[Y:.*]]: tensor<?x2xf32> {kiln.name = "labels"})
// CHECK-SAME: -> (tensor<f32> {kiln.name = "loss"}, tensor<?x2xf32> {kiln.name = "output"})
// CHECK: %[[OUT:.*]] = kiln.add %{{.*}}, %[[B]]
// CHECK: %[[LOSS:.*]] = kiln.reduce_mean
// CHECK: %[[GW:.*]] = kiln.matmul %{{.*}}, %{{.*}} : (tensor<3x?xf32>, tensor<?x2xf32>) -> tensor<3x2xf32>
// CHECK: %[[T1:.*]] = kiln.add %[[T]], %{{.*}} : (tensor<f32>, tensor<f32>)
// CHECK: %[[NW:.*]], %[[NWM:.*]], %[[NWV:.*]] = kiln.adam_update %[[W]], %[[GW]], %[[WM]], %[[WV]], %[[T1]] {{.*}}lr = 1.000000e-03
// CHECK-NEXT: kiln.assign %[[NW]] into %[[W]]
// CHECK-NEXT: kiln.assign %[[NWM]] into %[[WM]]
// CHECK-NEXT: kiln.assign %[[NWV]] into %[[WV]]
// CHECK: kiln.adam_update %[[B]],
// CHECK: kiln.assign %[[T1]] into %[[T]]
// CHECK-NEXT: return %[[LOSS]], %[[OUT]]

// CHECK-LABEL: func.func @evaluate
// CHECK-SAME: %{{.*}}: tensor<?x2xf32> {kiln.name = "labels"}) -> (tensor<f32> {kiln.name = "loss"}, tensor<?x2xf32> {kiln.name = "output"})
// CHECK-NOT: kiln.assign
// CHECK: return

// Cross-entropy with class indices takes i64 labels; momentum keeps one
// velocity per parameter and no step count.
// CE-LABEL: func.func @train_step
// CE-SAME: {kiln.mutable, kiln.name = "w.velocity"}
// CE-SAME: {kiln.mutable, kiln.name = "b.velocity"}
// CE-SAME: %{{.*}}: tensor<?xi64> {kiln.name = "labels"}
// CE-NOT: "step"
// CE: kiln.momentum_update
// CE: kiln.momentum_update
func.func @main(%x: tensor<?x3xf32> {kiln.name = "x"}) -> (tensor<?x2xf32> {kiln.name = "y"}) {
  %w = kiln.constant {kiln.parameter = "w"} dense<0.5> : tensor<3x2xf32>
  %b = kiln.constant {kiln.parameter = "b"} dense<0.1> : tensor<2xf32>
  %m = kiln.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %y = kiln.add %m, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
