// RUN: kiln-opt %s --split-input-file --kiln-build-training-functions="optimizer=sgd" | FileCheck %s

// A kiln.dropout marked kiln.train_mode keeps its constant-false `training`
// in @predict and @evaluate (the identity once lowered) and runs in training
// in @train_step: `training` becomes true and the masks take the step's
// counter, a mutable i64 state tensor ("dropout.step") incremented by one
// per step. The gradient goes through the same op's mask.
// CHECK-LABEL: func.func @predict
// CHECK: %[[OFF:.*]] = kiln.constant dense<false> : tensor<i1>
// CHECK: kiln.dropout %{{.*}}, %{{.*}}, %[[OFF]] {kiln.train_mode, seed = 11 : i64}
// CHECK-NOT: step

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[W:.*]]: tensor<3x2xf32> {kiln.mutable, kiln.name = "w"},
// CHECK-SAME: %[[S:.*]]: tensor<i64> {kiln.mutable, kiln.name = "dropout.step"}, %[[X:.*]]: tensor<?x3xf32> {kiln.name = "x"}, %{{.*}}: tensor<?x2xf32> {kiln.name = "labels"})
// CHECK: %[[ON:.*]] = kiln.constant dense<true> : tensor<i1>
// CHECK: %[[D:.*]], %[[MASK:.*]] = kiln.dropout %[[X]], %{{.*}}, %[[ON]] step %[[S]] {kiln.train_mode, seed = 11 : i64}
// CHECK: kiln.matmul %[[D]], %[[W]]
// CHECK: kiln.select %[[MASK]]
// CHECK: %[[NW:.*]] = kiln.sgd_update %[[W]]
// CHECK-NEXT: kiln.assign %[[NW]] into %[[W]]
// CHECK: %[[ONE:.*]] = kiln.constant dense<1> : tensor<i64>
// CHECK: %[[S1:.*]] = kiln.add %[[S]], %[[ONE]] : (tensor<i64>, tensor<i64>) -> tensor<i64>
// CHECK: kiln.assign %[[S1]] into %[[S]]
// CHECK: return

// CHECK-LABEL: func.func @evaluate
// CHECK-NOT: step
// CHECK: %[[OFF2:.*]] = kiln.constant dense<false> : tensor<i1>
// CHECK: kiln.dropout %{{.*}}, %{{.*}}, %[[OFF2]] {kiln.train_mode, seed = 11 : i64}
// CHECK-NOT: kiln.assign
// CHECK: return
func.func @main(%x: tensor<?x3xf32> {kiln.name = "x"}) -> (tensor<?x2xf32> {kiln.name = "y"}) {
  %w = kiln.constant {kiln.parameter = "w"} dense<0.5> : tensor<3x2xf32>
  %r = kiln.constant dense<0.25> : tensor<f32>
  %off = kiln.constant dense<false> : tensor<i1>
  %d, %mask = kiln.dropout %x, %r, %off {kiln.train_mode, seed = 11 : i64} : (tensor<?x3xf32>, tensor<f32>, tensor<i1>) -> (tensor<?x3xf32>, tensor<?x3xi1>)
  %y = kiln.matmul %d, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// A dropout without kiln.train_mode is left as it is: no counter.
// CHECK-LABEL: func.func @train_step
// CHECK-NOT: dropout.step
// CHECK: kiln.dropout %{{.*}}, %{{.*}}, %{{.*}} :
// CHECK: return
func.func @main(%x: tensor<?x3xf32> {kiln.name = "x"}, %t: tensor<i1> {kiln.name = "t"}) -> (tensor<?x2xf32> {kiln.name = "y"}) {
  %w = kiln.constant {kiln.parameter = "w"} dense<0.5> : tensor<3x2xf32>
  %r = kiln.constant dense<0.25> : tensor<f32>
  %d, %mask = kiln.dropout %x, %r, %t : (tensor<?x3xf32>, tensor<f32>, tensor<i1>) -> (tensor<?x3xf32>, tensor<?x3xi1>)
  %y = kiln.matmul %d, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
