//===- TrainingOps.td - Training kiln ops ------------------*- tablegen -*-===//
//
// What differentiation and training steps build: constant-filled tensors
// shaped like another, the sum that undoes a broadcast, losses and penalties
// (which kiln-decompose expands into primitive ops, so that they need no
// gradient rules of their own), and optimizer updates (fused elementwise
// kernels, never differentiated).
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

def Kiln_AssignOp : Kiln_Op<"assign", [MemoryEffects<[MemWrite]>]> {
  let summary = "Stores a value into a mutable argument, in place";
  let description = [{
    `dest` is an argument of the enclosing function marked `kiln.mutable`
    (state its caller owns, such as parameters and optimizer moments);
    `value` is written into its buffer. A training step ends with one assign
    per parameter and state tensor; nothing may read `dest` after it. The op
    has a write effect so that no canonicalization drops it; just before
    bufferization it becomes `bufferization.materialize_in_destination`, and
    empty-tensor elimination makes the computation of `value` write there
    directly.
  }];
  let arguments = (ins Kiln_Tensor:$dest, Kiln_Tensor:$value);
  let assemblyFormat = [{
    $value `into` $dest attr-dict `:` type($value) `,` type($dest)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses and penalties: a scalar from predictions and targets
//===----------------------------------------------------------------------===//

class Kiln_LossOp<string mnemonic, string what, dag extraArgs = (ins)>
    : Kiln_InferredOp<mnemonic> {
  let summary = what # ", averaged over all elements";
  let arguments = !con((ins Kiln_FloatTensor:$prediction,
                            Kiln_FloatTensor:$target), extraArgs);
  let results = (outs 0DTensorOf<[AnyFloat]>:$loss);
  let assemblyFormat = [{
    $prediction `,` $target attr-dict `:` type($prediction) `,` type($target)
    `->` type($loss)
  }];
  let hasVerifier = 1;
}

def Kiln_MSELossOp : Kiln_LossOp<"mse_loss", "Mean squared error"> {
  let description = [{ `mean((prediction - target)^2)`. Shapes must match. }];
}

def Kiln_MAELossOp : Kiln_LossOp<"mae_loss", "Mean absolute error"> {
  let description = [{ `mean(|prediction - target|)`. Shapes must match. }];
}

def Kiln_HuberLossOp : Kiln_LossOp<"huber_loss", "Huber loss",
    (ins DefaultValuedAttr<F64Attr, "1.0">:$delta)> {
  let description = [{
    With `d = prediction - target`: `0.5 d^2` where `|d| <= delta`, else
    `delta (|d| - 0.5 delta)`; averaged. Shapes must match.
  }];
}

def Kiln_BCEWithLogitsLossOp
    : Kiln_LossOp<"bce_with_logits_loss", "Binary cross-entropy on logits"> {
  let description = [{
    `prediction` holds logits `x`, `target` probabilities `t` in [0, 1]:
    `mean(max(x, 0) - x t + log(1 + exp(-|x|)))`, which is
    `-(t log s(x) + (1 - t) log(1 - s(x)))` computed without overflow.
  }];
}

def Kiln_CrossEntropyLossOp : Kiln_InferredOp<"cross_entropy_loss"> {
  let summary = "Softmax cross-entropy over classes, averaged over samples";
  let description = [{
    `logits` is `N x C` (classes last). `labels` is either `N` integers (the
    class of each sample, in [0, C)) or `N x C` floats (one-hot or soft
    labels). The loss is `mean over samples of -sum_c labels_c *
    log_softmax(logits)_c`.
  }];
  let arguments = (ins Kiln_FloatTensor:$logits, Kiln_NumericTensor:$labels);
  let results = (outs 0DTensorOf<[AnyFloat]>:$loss);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` type($logits) `,` type($labels) `->`
    type($loss)
  }];
  let hasVerifier = 1;
}

class Kiln_PenaltyOp<string mnemonic, string what> : Kiln_InferredOp<mnemonic> {
  let summary = what # " of a parameter, scaled";
  let description = [{ `weight` times the }] # what # [{ of `input`. }];
  let arguments = (ins Kiln_FloatTensor:$input, F64Attr:$weight);
  let results = (outs 0DTensorOf<[AnyFloat]>:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` type($input) `->` type($result)
  }];
}

def Kiln_L1PenaltyOp : Kiln_PenaltyOp<"l1_penalty", "sum of absolute values">;
def Kiln_L2PenaltyOp : Kiln_PenaltyOp<"l2_penalty", "sum of squares">;

//===----------------------------------------------------------------------===//
// Optimizer updates: new parameters (and state) from parameters, gradients
// and state, elementwise
//===----------------------------------------------------------------------===//

class Kiln_UpdateOp<string mnemonic, dag state, dag extraAttrs, dag outputs,
                    list<string> sameAsParam = []>
    : Kiln_Op<mnemonic, [Pure, AllTypesMatch<!listconcat(
                                   ["param", "grad", "new_param"],
                                   sameAsParam)>]> {
  let arguments = !con((ins Kiln_FloatTensor:$param, Kiln_FloatTensor:$grad),
                       state, (ins F64Attr:$lr), extraAttrs);
  let results = outputs;
}

def Kiln_SGDUpdateOp : Kiln_UpdateOp<"sgd_update", (ins),
    (ins DefaultValuedAttr<F64Attr, "0.0">:$weight_decay),
    (outs Kiln_FloatTensor:$new_param)> {
  let summary = "Stochastic gradient descent step";
  let description = [{ `param - lr (grad + weight_decay param)`. }];
  let assemblyFormat = [{
    $param `,` $grad attr-dict `:` type($param)
  }];
}

def Kiln_MomentumUpdateOp : Kiln_UpdateOp<"momentum_update",
    (ins Kiln_FloatTensor:$velocity),
    (ins F64Attr:$momentum, DefaultValuedAttr<BoolAttr, "false">:$nesterov,
         DefaultValuedAttr<F64Attr, "0.0">:$weight_decay),
    (outs Kiln_FloatTensor:$new_param, Kiln_FloatTensor:$new_velocity),
    ["velocity", "new_velocity"]> {
  let summary = "SGD with momentum (heavy ball or Nesterov)";
  let description = [{
    With `g = grad + weight_decay param`: `v' = momentum v + g`, then
    `param - lr v'`, or with `nesterov`, `param - lr (g + momentum v')`
    (PyTorch's formulation).
  }];
  let assemblyFormat = [{
    $param `,` $grad `,` $velocity attr-dict `:` type($param)
  }];
}

def Kiln_AdamUpdateOp : Kiln_UpdateOp<"adam_update",
    (ins Kiln_FloatTensor:$m, Kiln_FloatTensor:$v,
         0DTensorOf<[AnyFloat]>:$step),
    (ins F64Attr:$beta1, F64Attr:$beta2, F64Attr:$epsilon,
         DefaultValuedAttr<F64Attr, "0.0">:$weight_decay,
         DefaultValuedAttr<BoolAttr, "false">:$decoupled),
    (outs Kiln_FloatTensor:$new_param, Kiln_FloatTensor:$new_m,
          Kiln_FloatTensor:$new_v),
    ["m", "v", "new_m", "new_v"]> {
  let summary = "Adam (or AdamW with `decoupled`) step";
  let description = [{
    `step` is the 1-based step number t. With `g = grad` (plus
    `weight_decay param` unless `decoupled`): `m' = beta1 m + (1 - beta1) g`,
    `v' = beta2 v + (1 - beta2) g^2`, and the parameter moves by
    `lr (m' / (1 - beta1^t)) / (sqrt(v' / (1 - beta2^t)) + epsilon)`; with
    `decoupled` (AdamW) it also shrinks by `lr weight_decay param`.
  }];
  let assemblyFormat = [{
    $param `,` $grad `,` $m `,` $v `,` $step attr-dict `:` type($param) `,`
    type($step)
  }];
}

def Kiln_RMSPropUpdateOp : Kiln_UpdateOp<"rmsprop_update",
    (ins Kiln_FloatTensor:$square_avg),
    (ins F64Attr:$alpha, F64Attr:$epsilon,
         DefaultValuedAttr<F64Attr, "0.0">:$weight_decay),
    (outs Kiln_FloatTensor:$new_param, Kiln_FloatTensor:$new_square_avg),
    ["square_avg", "new_square_avg"]> {
  let summary = "RMSProp step";
  let description = [{
    `s' = alpha s + (1 - alpha) g^2`, `param - lr g / (sqrt(s') + epsilon)`.
  }];
  let assemblyFormat = [{
    $param `,` $grad `,` $square_avg attr-dict `:` type($param)
  }];
}

def Kiln_AdagradUpdateOp : Kiln_UpdateOp<"adagrad_update",
    (ins Kiln_FloatTensor:$sum),
    (ins F64Attr:$epsilon, DefaultValuedAttr<F64Attr, "0.0">:$weight_decay),
    (outs Kiln_FloatTensor:$new_param, Kiln_FloatTensor:$new_sum),
    ["sum", "new_sum"]> {
  let summary = "Adagrad step";
  let description = [{
    `sum' = sum + g^2`, `param - lr g / (sqrt(sum') + epsilon)`.
  }];
  let assemblyFormat = [{
    $param `,` $grad `,` $sum attr-dict `:` type($param)
  }];
}

#endif // KILN_DIALECT_KILN_IR_TRAININGOPS_TD
