// RUN: kiln-opt %s --kiln-decompose -split-input-file | FileCheck %s

// Softmax cross-entropy with class indices: log-softmax with the maximum
// subtracted, the label's entry gathered, averaged and negated.
// CHECK-LABEL: func @cross_entropy
// CHECK: %[[MAX:.*]] = kiln.reduce_max %arg0, [1]
// CHECK: %[[SHIFT:.*]] = kiln.sub %arg0, %[[MAX]]
// CHECK: %[[SUM:.*]] = kiln.reduce_sum %{{.*}}, [1]
// CHECK: %[[LOGP:.*]] = kiln.sub %[[SHIFT]], %{{.*}}
// CHECK: %[[COLUMN:.*]] = kiln.reshape %arg1, [-1, 1]
// CHECK: %[[PICK:.*]] = kiln.gather_elements %[[LOGP]], %[[COLUMN]], axis = 1
// CHECK: %[[MEAN:.*]] = kiln.reduce_mean %[[PICK]], [0, 1] {keepdims = false}
// CHECK: %[[LOSS:.*]] = kiln.neg %[[MEAN]]
// CHECK: return %[[LOSS]]
// CHECK-NOT: cross_entropy_loss
func.func @cross_entropy(%x: tensor<?x10xf32>, %l: tensor<?xi64>) -> tensor<f32> {
  %0 = kiln.cross_entropy_loss %x, %l : tensor<?x10xf32>, tensor<?xi64> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// BCE on logits never exponentiates a positive number.
// CHECK-LABEL: func @bce
// CHECK: %[[A:.*]] = kiln.abs %arg0
// CHECK: %[[N:.*]] = kiln.neg %[[A]]
// CHECK: kiln.exp %[[N]]
// CHECK: kiln.relu %arg0
func.func @bce(%x: tensor<4xf32>, %t: tensor<4xf32>) -> tensor<f32> {
  %0 = kiln.bce_with_logits_loss %x, %t : tensor<4xf32>, tensor<4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
