//===- TrainingOps.td - Training kiln ops ------------------*- tablegen -*-===//
//
// What differentiation and training steps build: constant-filled tensors
// shaped like another, and the sum that undoes a broadcast. (Losses and
// optimizer updates join them.)
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_TRAININGOPS_TD
#define KILN_DIALECT_KILN_IR_TRAININGOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"

def Kiln_FullLikeOp : Kiln_InferredOp<"full_like"> {
  let summary = "A tensor of one value, shaped like another";
  let description = [{
    A tensor of `like`'s type (dynamic sizes included) whose every element is
    `value`. Differentiation seeds and zero cotangents are made of it.

    ```mlir
    %ones = kiln.full_like %loss, 1.0 : tensor<f32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$like, F64Attr:$value);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = "$like `,` $value attr-dict `:` type($like)";
}

def Kiln_UnbroadcastOp : Kiln_InferredOp<"unbroadcast"> {
  let summary = "Sums a cotangent back to the shape of a broadcast operand";
  let description = [{
    `input` has the broadcast shape of a binary op's result; the result has
    `like`'s shape: `input` summed over the dimensions `like` was stretched
    along (its static 1s) and over the leading dimensions `like` lacks. This
    is the vector-Jacobian product of numpy broadcasting. (A dynamic
    dimension never broadcasts, so it is never summed.)
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_NumericTensor:$like);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $input `,` $like attr-dict `:` type($input) `,` type($like)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

#endif // KILN_DIALECT_KILN_IR_TRAININGOPS_TD
