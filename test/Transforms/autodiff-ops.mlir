// RUN: kiln-opt %s --kiln-autodiff -split-input-file -verify-diagnostics | FileCheck %s

// log_softmax: dx = dy - exp(y) * sum(dy) along the axis.
// CHECK-LABEL: func.func @main_grad(
// CHECK:         %[[Y:.*]] = kiln.log_softmax %arg0, axis = 1
// CHECK:         %[[G:.*]] = kiln.mul
// CHECK:         %[[SUM:.*]] = kiln.reduce_sum %[[G]], [1] : tensor<2x4xf32> -> tensor<2x1xf32>
// CHECK:         %[[E:.*]] = kiln.exp %[[Y]]
// CHECK:         %[[P:.*]] = kiln.mul %[[E]], %[[SUM]]
// CHECK:         %[[DX:.*]] = kiln.sub %[[G]], %[[P]]
// CHECK:         return %{{.*}}, %[[DX]]
func.func @main(%x: tensor<2x4xf32>) -> tensor<f32> {
  %y = kiln.log_softmax %x, axis = 1 : tensor<2x4xf32>
  %loss = kiln.reduce_sum %y, [0, 1] {keepdims = false} : tensor<2x4xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// A strided slice spreads its cotangent out with zeros (reshape, pad the
// new unit dimension, merge) and pads it to the input's extent; concat
// crops each input's part out again (pads by negative amounts).
// CHECK-LABEL: func.func @main_grad(
// CHECK:         %[[G:.*]] = kiln.mul
// CHECK:         %[[SPLIT:.*]] = kiln.reshape %[[G]], [-1, 2, 1] : tensor<?x2xf32> -> tensor<?x2x1xf32>
// CHECK:         %[[P1:.*]] = kiln.constant dense<[0, 0, 0, 0, 0, 1]> : tensor<6xi64>
// CHECK:         %[[SPREAD:.*]] = kiln.pad %[[SPLIT]], %[[P1]], %{{.*}} -> tensor<?x2x2xf32>
// CHECK:         %[[MERGED:.*]] = kiln.reshape %[[SPREAD]], [-1, 4] : tensor<?x2x2xf32> -> tensor<?x4xf32>
// CHECK:         %[[P2:.*]] = kiln.constant dense<[0, 1, 0, 0]> : tensor<4xi64>
// CHECK:         %[[DC:.*]] = kiln.pad %[[MERGED]], %[[P2]], %{{.*}} -> tensor<?x5xf32>
// CHECK:         %[[P3:.*]] = kiln.constant dense<[0, 0, 0, -2]> : tensor<4xi64>
// CHECK:         %[[DA:.*]] = kiln.pad %[[DC]], %[[P3]], %{{.*}} -> tensor<?x3xf32>
// CHECK:         %[[P4:.*]] = kiln.constant dense<[0, -3, 0, 0]> : tensor<4xi64>
// CHECK:         %[[DB:.*]] = kiln.pad %[[DC]], %[[P4]], %{{.*}} -> tensor<?x2xf32>
// CHECK:         return %{{.*}}, %[[DA]], %[[DB]]
func.func @main(%a: tensor<?x3xf32>, %b: tensor<?x2xf32>) -> tensor<f32> {
  %c = kiln.concat %a, %b {axis = 1 : i64} : tensor<?x3xf32>, tensor<?x2xf32> -> tensor<?x5xf32>
  %s = kiln.constant dense<[1]> : tensor<1xi64>
  %e = kiln.constant dense<[5]> : tensor<1xi64>
  %ax = kiln.constant dense<[1]> : tensor<1xi64>
  %st = kiln.constant dense<[2]> : tensor<1xi64>
  %y = kiln.slice %c, %s, %e, %ax, %st : (tensor<?x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x2xf32>
  %loss = kiln.reduce_sum %y, [0, 1] {keepdims = false} : tensor<?x2xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// An embedding lookup (gather along axis 0) adds its cotangent rows into
// the table with scatter_nd; the integer ids get no gradient.
// CHECK-LABEL: func.func @main_grad(
// CHECK-SAME:    -> (tensor<f32> {kiln.name = "loss"}, tensor<10x4xf32> {kiln.name = "grad_input0"})
// CHECK:         %[[G:.*]] = kiln.mul
// CHECK:         %[[ROWS:.*]] = kiln.reshape %[[G]], [-1, 4] : tensor<?x3x4xf32> -> tensor<?x4xf32>
// CHECK:         %[[IDS:.*]] = kiln.reshape %arg1, [-1, 1] : tensor<?x3xi64> -> tensor<?x1xi64>
// CHECK:         %[[ZEROS:.*]] = kiln.full_like %arg0, 0.000000e+00
// CHECK:         %[[DT:.*]] = kiln.scatter_nd %[[ZEROS]], %[[IDS]], %[[ROWS]] {reduction = "add"}
// CHECK:         return %{{.*}}, %[[DT]]
func.func @main(%emb: tensor<10x4xf32>, %ids: tensor<?x3xi64>) -> tensor<f32> {
  %y = kiln.gather %emb, %ids, axis = 0 : (tensor<10x4xf32>, tensor<?x3xi64>) -> tensor<?x3x4xf32>
  %loss = kiln.reduce_sum %y, [0, 1, 2] {keepdims = false} : tensor<?x3x4xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// A constant pad, even by run-time pads, crops the cotangent by the negated
// pads; the padding value gets the rest of the sum.
// CHECK-LABEL: func.func @main_grad(
// CHECK:         %[[G:.*]] = kiln.mul
// CHECK:         %[[NEG:.*]] = kiln.neg %arg1 : tensor<4xi64>
// CHECK:         %[[CROP:.*]] = kiln.pad %[[G]], %[[NEG]], %{{.*}}
// CHECK:         %[[DX:.*]] = tensor.cast %[[CROP]] : tensor<?x?xf32> to tensor<?x3xf32>
// CHECK:         %[[ALL:.*]] = kiln.reduce_sum %[[G]], [0, 1]
// CHECK:         %[[KEPT:.*]] = kiln.reduce_sum %[[CROP]], [0, 1]
// CHECK:         %[[DV:.*]] = kiln.sub %[[ALL]], %[[KEPT]]
// CHECK:         return %{{.*}}, %[[DX]], %[[DV]]
func.func @main(%x: tensor<?x3xf32>, %p: tensor<4xi64>, %v: tensor<f32>) -> tensor<f32> {
  %y = kiln.pad %x, %p, %v : (tensor<?x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<?x?xf32>
  %loss = kiln.reduce_sum %y, [0, 1] {keepdims = false} : tensor<?x?xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// layer_norm reuses its mean and inv_std_dev results; unused statistics add
// nothing.
// CHECK-LABEL: func.func @main_grad(
// CHECK:         %[[Y:.*]], %[[M:.*]], %[[R:.*]] = kiln.layer_norm
// CHECK:         %[[G:.*]] = kiln.mul
// CHECK:         %[[C:.*]] = kiln.sub %arg0, %[[M]]
// CHECK:         %[[XHAT:.*]] = kiln.mul %[[C]], %[[R]]
// CHECK:         %[[DXHAT:.*]] = kiln.mul %[[G]], %arg1
// CHECK:         kiln.reduce_mean %[[DXHAT]], [1]
// CHECK:         %[[DX:.*]] = kiln.mul %[[R]], %{{.*}} : (tensor<?x1xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
// CHECK:         %[[GX:.*]] = kiln.mul %[[G]], %[[XHAT]]
// CHECK:         %[[DS:.*]] = kiln.unbroadcast %[[GX]], %arg1
// CHECK:         %[[DB:.*]] = kiln.unbroadcast %[[G]], %arg2
// CHECK:         return %{{.*}}, %[[DX]], %[[DS]], %[[DB]]
func.func @main(%x: tensor<?x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<f32> {
  %y, %m, %r = kiln.layer_norm %x scale %w bias %b, axis = 1, epsilon = 1.0e-05 : (tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<?x8xf32>, tensor<?x1xf32>, tensor<?x1xf32>)
  %loss = kiln.reduce_sum %y, [0, 1] {keepdims = false} : tensor<?x8xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// batch_norm: every one of its five operands gets a gradient, the
// per-channel ones summed over N and the spatial dims.
// CHECK-LABEL: func.func @main_grad(
// CHECK-SAME:    tensor<?x4x5x5xf32> {kiln.name = "grad_input0"}, tensor<4xf32> {kiln.name = "grad_input1"}, tensor<4xf32> {kiln.name = "grad_input2"}, tensor<4xf32> {kiln.name = "grad_input3"}, tensor<4xf32> {kiln.name = "grad_input4"})
// CHECK:         %[[GS:.*]] = kiln.mul %{{.*}}, %{{.*}} : (tensor<?x4x5x5xf32>, tensor<4x1x1xf32>) -> tensor<?x4x5x5xf32>
// CHECK:         %[[DX:.*]] = kiln.mul %[[GS]], %{{.*}} : (tensor<?x4x5x5xf32>, tensor<4x1x1xf32>) -> tensor<?x4x5x5xf32>
// CHECK-COUNT-4: kiln.reduce_sum %{{.*}}, [0, 2, 3] {keepdims = false} : tensor<?x4x5x5xf32> -> tensor<4xf32>
// CHECK:         return %{{.*}}, %[[DX]],
func.func @main(%x: tensor<?x4x5x5xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<f32> {
  %y = kiln.batch_norm %x, %s, %b, %m, %v, epsilon = 1.0e-05 : (tensor<?x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x5x5xf32>
  %loss = kiln.reduce_sum %y, [0, 1, 2, 3] {keepdims = false} : tensor<?x4x5x5xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// tile sums the cotangent over its copies.
// CHECK-LABEL: func.func @main_grad(
// CHECK:         %[[SPLIT:.*]] = kiln.reshape %{{.*}}, [2, 2, 3, 3] : tensor<4x9xf32> -> tensor<2x2x3x3xf32>
// CHECK:         %[[DX:.*]] = kiln.reduce_sum %[[SPLIT]], [0, 2] {keepdims = false} : tensor<2x2x3x3xf32> -> tensor<2x3xf32>
// CHECK:         return %{{.*}}, %[[DX]]
func.func @main(%x: tensor<2x3xf32>) -> tensor<f32> {
  %r = kiln.constant dense<[2, 3]> : tensor<2xi64>
  %y = kiln.tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x9xf32>
  %loss = kiln.reduce_sum %y, [0, 1] {keepdims = false} : tensor<4x9xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// Cases the rules cannot differentiate say why.
func.func @main(%x: tensor<2x5xf32>, %s: tensor<1xi64>) -> tensor<f32> {
  %e = kiln.constant dense<[5]> : tensor<1xi64>
  %ax = kiln.constant dense<[1]> : tensor<1xi64>
  %st = kiln.constant dense<[1]> : tensor<1xi64>
  // expected-error @+1 {{'kiln.slice' op cannot differentiate a slice whose starts, ends, axes or steps are not constants}}
  %y = kiln.slice %x, %s, %e, %ax, %st : (tensor<2x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x?xf32>
  %loss = kiln.reduce_sum %y, [0, 1] {keepdims = false} : tensor<2x?xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

func.func @main(%x: tensor<2x3xf32>) -> tensor<f32> {
  %p = kiln.constant dense<[0, 1, 0, 1]> : tensor<4xi64>
  %v = kiln.constant dense<0.0> : tensor<f32>
  // expected-error @+1 {{'kiln.pad' op cannot differentiate a pad in mode 'reflect' (constant mode only)}}
  %y = kiln.pad %x, %p, %v {mode = "reflect"} : (tensor<2x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<2x5xf32>
  %loss = kiln.reduce_sum %y, [0, 1] {keepdims = false} : tensor<2x5xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

func.func @main(%x: tensor<2x3xf32>, %r: tensor<2xi64>) -> tensor<f32> {
  // expected-error @+1 {{'kiln.tile' op cannot differentiate a tile with run-time repeats or a dynamic input shape}}
  %y = kiln.tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %loss = kiln.reduce_sum %y, [0, 1] {keepdims = false} : tensor<?x?xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// einsum: each operand's cotangent is the einsum of the result's cotangent
// with the other operands, written to that operand's letters.
// CHECK-LABEL: func.func @main_grad(
// CHECK:         %[[G:.*]] = kiln.mul
// CHECK:         %[[DA:.*]] = kiln.einsum "bik,jk->bij"(%[[G]], %arg1) : (tensor<?x3x5xf32>, tensor<4x5xf32>) -> tensor<?x3x4xf32>
// CHECK:         %[[DB:.*]] = kiln.einsum "bik,bij->jk"(%[[G]], %arg0) : (tensor<?x3x5xf32>, tensor<?x3x4xf32>) -> tensor<4x5xf32>
// CHECK:         return %{{.*}}, %[[DA]], %[[DB]]
func.func @main(%a: tensor<?x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<f32> {
  %y = kiln.einsum "bij,jk->bik" (%a, %b) : (tensor<?x3x4xf32>, tensor<4x5xf32>) -> tensor<?x3x5xf32>
  %loss = kiln.reduce_sum %y, [0, 1, 2] {keepdims = false} : tensor<?x3x5xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

func.func @main(%a: tensor<3x3xf32>) -> tensor<f32> {
  // expected-error @+1 {{'kiln.einsum' op cannot differentiate an einsum that takes a diagonal ('ii')}}
  %y = kiln.einsum "ii->i" (%a) : (tensor<3x3xf32>) -> tensor<3xf32>
  %loss = kiln.reduce_sum %y, [0] {keepdims = false} : tensor<3xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// nll_loss (mean): -1 / (number of counted samples) added at each sample's
// (clamped) target class.
// CHECK-LABEL: func.func @main_grad(
// CHECK:         %[[HI:.*]] = kiln.constant dense<4> : tensor<i64>
// CHECK:         %[[LOW:.*]] = kiln.min %arg1, %[[HI]]
// CHECK:         %[[T:.*]] = kiln.max %[[LOW]], %{{.*}}
// CHECK:         %[[COUNT:.*]] = kiln.reduce_sum
// CHECK:         %[[SCALE:.*]] = kiln.div %{{.*}}, %[[COUNT]]
// CHECK:         %[[COEF:.*]] = kiln.mul %{{.*}}, %[[SCALE]]
// CHECK:         %[[COL:.*]] = kiln.reshape %[[T]], [0, 1] : tensor<?xi64> -> tensor<?x1xi64>
// CHECK:         %[[ZEROS:.*]] = kiln.full_like %arg0, 0.000000e+00
// CHECK:         %[[UPD:.*]] = kiln.reshape %[[COEF]], [0, 1]
// CHECK:         %[[DX:.*]] = kiln.scatter_elements %[[ZEROS]], %[[COL]], %[[UPD]], axis = 1 {reduction = "add"}
// CHECK:         return %{{.*}}, %[[DX]]
func.func @main(%x: tensor<?x5xf32>, %t: tensor<?xi64>) -> tensor<f32> {
  %loss = kiln.nll_loss %x, %t {reduction = "mean"} : (tensor<?x5xf32>, tensor<?xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// scatter_elements (none): the updates get the cotangent gathered where they
// were written; the input gets the rest (those positions zeroed).
// CHECK-LABEL: func.func @main_grad(
// CHECK:         %[[G:.*]] = kiln.mul
// CHECK:         %[[DU:.*]] = kiln.gather_elements %[[G]], %arg2, axis = 0
// CHECK:         %[[Z:.*]] = kiln.full_like %arg1, 0.000000e+00
// CHECK:         %[[DX:.*]] = kiln.scatter_elements %[[G]], %arg2, %[[Z]], axis = 0 :
// CHECK:         return %{{.*}}, %[[DX]], %[[DU]]
func.func @main(%a: tensor<3x4xf32>, %b: tensor<2x4xf32>, %i: tensor<2x4xi64>) -> tensor<f32> {
  %y = kiln.scatter_elements %a, %i, %b, axis = 0 : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  %loss = kiln.reduce_sum %y, [0, 1] {keepdims = false} : tensor<3x4xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// gather_nd adds back with scatter_nd; mod gives its divisor -dy * floor(l / r).
// CHECK-LABEL: func.func @main_grad(
// CHECK:         %[[Q:.*]] = kiln.div %arg0, %arg2
// CHECK:         %[[F:.*]] = kiln.floor %[[Q]]
// CHECK:         %[[P:.*]] = kiln.mul %{{.*}}, %[[F]]
// CHECK:         %[[DR:.*]] = kiln.neg %[[P]]
// CHECK:         %[[S:.*]] = kiln.scatter_nd %{{.*}}, %arg1, %{{.*}} {reduction = "add"}
// CHECK:         %[[DA:.*]] = kiln.add %{{.*}}, %[[S]]
// CHECK:         return %{{.*}}, %[[DA]], %[[DR]]
func.func @main(%a: tensor<3x4xf32>, %i: tensor<5x2xi64>, %b: tensor<3x4xf32>) -> tensor<f32> {
  %y = kiln.gather_nd %a, %i : (tensor<3x4xf32>, tensor<5x2xi64>) -> tensor<5xf32>
  %r = kiln.mod %a, %b : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l1 = kiln.reduce_sum %y, [0] {keepdims = false} : tensor<5xf32> -> tensor<f32>
  %l2 = kiln.reduce_sum %r, [0, 1] {keepdims = false} : tensor<3x4xf32> -> tensor<f32>
  %loss = kiln.add %l1, %l2 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

func.func @main(%a: tensor<3xf32>, %b: tensor<2xf32>) -> tensor<f32> {
  %i = kiln.constant dense<[0, 2]> : tensor<2xi64>
  // expected-error @+1 {{'kiln.scatter_elements' op cannot differentiate a scatter with reduction 'mul'}}
  %y = kiln.scatter_elements %a, %i, %b, axis = 0 {reduction = "mul"} : (tensor<3xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<3xf32>
  %loss = kiln.reduce_sum %y, [0] {keepdims = false} : tensor<3xf32> -> tensor<f32>
  return %loss : tensor<f32>
}
