//===- ReductionOps.td - Reduction kiln ops ----------------*- tablegen -*-===//
//
// Reductions over axes, arg-reductions, scans and top-k, the softmax family
// and the losses built on it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_REDUCTIONOPS_TD
#define KILN_DIALECT_KILN_IR_REDUCTIONOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Kiln_ReduceOp<string mnemonic, string what>
    : Kiln_InferredOp<mnemonic> {
  let summary = "Reduces with " # what # " over axes";
  let description = [{
    Reduces `input` with }] # what # [{ over `axes` (sorted, unique,
    in range; empty means no reduction). With `keepdims` the reduced
    dimensions stay as size 1, otherwise they are removed.
  }];
  let arguments = (ins Kiln_NumericTensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $input `,` $axes attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "the sum">;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "the arithmetic mean">;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "the maximum">;
def Kiln_ReduceMinOp : Kiln_ReduceOp<"reduce_min", "the minimum">;
def Kiln_ReduceProdOp : Kiln_ReduceOp<"reduce_prod", "the product">;

def Kiln_DynamicReduceSumOp : Kiln_InferredOp<"dynamic_reduce_sum"> {
  let summary = "Sum over axes that are known only at run time";
  let description = [{
    `kiln.reduce_sum` with the axes as a 1-D integer operand (entries in
    `[-rank, rank)`, no axis twice) that the model may compute at run time;
    its static length is the number of reduced axes, which must not be 0
    (frontends resolve an empty list themselves). Which dimensions are
    reduced is known only when the model runs, so every result dimension
    that is not a static 1 is dynamic. With `keepdims` the reduced
    dimensions stay as size 1. Canonicalization turns it into
    `kiln.reduce_sum` when the axes are constants.

    ```mlir
    %y = kiln.dynamic_reduce_sum %x, %axes : (tensor<3x4x5xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_IndexVector:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $input `,` $axes attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

class Kiln_ArgReduceOp<string mnemonic, string what>
    : Kiln_InferredOp<mnemonic> {
  let summary = "The index of the " # what # " along one axis";
  let description = [{
    The position along `axis` (normalized) of the }] # what # [{ of each
    slice, as `i64`: the first one, or the last one with
    `select_last_index`. NaN counts as the }] # what # [{ (numpy's
    rule). With `keepdims` the axis stays as size 1, otherwise it is
    removed.

    ```mlir
    %i = kiln.}] # mnemonic # [{ %x, axis = 1 : tensor<?x10xf32> -> tensor<?x1xi64>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       UnitAttr:$select_last_index);
  let results = (outs TensorOf<[I64]>:$result);
  let assemblyFormat = [{
    $input `,` `axis` `=` $axis attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kiln_ArgMaxOp : Kiln_ArgReduceOp<"argmax", "maximum">;
def Kiln_ArgMinOp : Kiln_ArgReduceOp<"argmin", "minimum">;

//===----------------------------------------------------------------------===//
// Scans and selection
//===----------------------------------------------------------------------===//

def Kiln_CumSumOp : Kiln_InferredOp<"cumsum"> {
  let summary = "Cumulative sum along one axis";
  let description = [{
    `result[.., i, ..] = sum of input[.., j, ..]` for `j <= i` along the
    axis given by the rank-0 integer operand `axis` (in `[-rank, rank)`, a
    constant or a value known only at run time). With `exclusive` the
    element itself is left out (`j < i`); with `reverse` the sum runs from
    the end (`j >= i`, or `j > i` when exclusive).

    ```mlir
    %y = kiln.cumsum %x, %axis {reverse} : (tensor<4x5xf32>, tensor<i64>) -> tensor<4x5xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_IntScalarTensor:$axis,
                       UnitAttr:$exclusive, UnitAttr:$reverse);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $input `,` $axis attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_TopKOp : Kiln_InferredOp<"topk"> {
  let summary = "The k largest (or smallest) elements along one axis";
  let description = [{
    Along `axis` (normalized), the `k` largest elements of each slice
    (`largest`, the default) or the `k` smallest, sorted from the first
    selected down, and their positions in the input as `i64`. Equal values
    keep their input order: the one with the lower index comes first. `k`
    is a 1-D integer operand of one element (a constant, or a value known
    only at run time, when the extent along `axis` is dynamic); it must not
    exceed the axis' extent. NaN counts as larger than every number.

    ```mlir
    %v, %i = kiln.topk %x, %k, axis = 1 : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_IndexVector:$k,
                       I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$largest);
  let results = (outs Kiln_NumericTensor:$values, TensorOf<[I64]>:$indices);
  let assemblyFormat = [{
    $input `,` $k `,` `axis` `=` $axis attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Softmax family
//===----------------------------------------------------------------------===//

def Kiln_SoftmaxOp : Kiln_InferredOp<"softmax"> {
  let summary = "Softmax along one axis";
  let description = [{
    `exp(x - max(x)) / sum(exp(x - max(x)))` along `axis`, computed in a
    numerically stable way.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` `axis` `=` $axis attr-dict `:`
    custom<RefinedType>(type($input), type($result))
  }];
  let hasVerifier = 1;
}

def Kiln_LogSoftmaxOp : Kiln_InferredOp<"log_softmax"> {
  let summary = "Logarithm of the softmax along one axis";
  let description = [{
    `x - max(x) - log(sum(exp(x - max(x))))` along `axis`: the logarithm of
    `kiln.softmax`, computed without forming the softmax, so that it stays
    finite where the softmax underflows to 0.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` `axis` `=` $axis attr-dict `:`
    custom<RefinedType>(type($input), type($result))
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def Kiln_NLLLossOp : Kiln_InferredOp<"nll_loss"> {
  let summary = "Negative log-likelihood loss";
  let description = [{
    `input` holds log-probabilities `[N, C, d...]` (C classes) and `target`
    the class of each sample `[N, d...]`. The loss of sample `(n, d...)` is
    `-input[n, target[n, d...], d...] * w`, where `w` is
    `weight[target[n, d...]]` (a 1-D `[C]` operand) or 1 without weights,
    and 0 where the target equals `ignore_index`. `reduction` is `none` (the
    losses, `[N, d...]`), `sum`, or `mean`: the sum divided by the sum of
    the `w`s (a rank-0 result for both). A target outside `[0, C)` that is
    not ignored is clamped into it, so that bad data never reads outside
    the input.

    ```mlir
    %l = kiln.nll_loss %logp, %t, %w {reduction = "mean"} : (tensor<?x5xf32>, tensor<?xi64>, tensor<5xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                       RankedTensorOf<[AnyInteger]>:$target,
                       Optional<Kiln_FloatTensor>:$weight,
                       OptionalAttr<I64Attr>:$ignore_index,
                       DefaultValuedStrAttr<StrAttr, "mean">:$reduction);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $target (`,` $weight^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // KILN_DIALECT_KILN_IR_REDUCTIONOPS_TD
