//===- NormalizationOps.td - Normalization kiln ops --------*- tablegen -*-===//
//
// Layer and batch normalization, which have gradient rules of their own, and
// local response normalization, which needs a windowed lowering. Instance
// and mean-variance normalization are compositions frontends build from
// these and the reductions.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_NORMALIZATIONOPS_TD
#define KILN_DIALECT_KILN_IR_NORMALIZATIONOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def Kiln_LayerNormOp : Kiln_InferredOp<"layer_norm",
    [AttrSizedOperandSegments]> {
  let summary = "Normalization over the trailing dimensions";
  let description = [{
    Normalizes `input` over its dimensions from `axis` (normalized) on:
    each slice `x` that fixes the leading dimensions becomes
    `(x - mean) * inv_std_dev`, where `inv_std_dev = 1 / sqrt(variance +
    epsilon)` and `variance` is the biased one (divided by the element
    count). Then it is multiplied by `scale` and `bias` is added, where
    they are given; both broadcast (numpy rules) against the normalized
    dimensions. The statistics are results too, of the input's shape with
    the normalized dimensions as 1: ONNX returns them and a gradient rule
    reuses them.

    ```mlir
    %y, %mean, %rstd = kiln.layer_norm %x scale %w bias %b, axis = 2, epsilon = 1.0e-05 : (tensor<?x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<?x16x64xf32>, tensor<?x16x1xf32>, tensor<?x16x1xf32>)
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                       Optional<Kiln_FloatTensor>:$scale,
                       Optional<Kiln_FloatTensor>:$bias, I64Attr:$axis,
                       F64Attr:$epsilon);
  let results = (outs Kiln_FloatTensor:$result, Kiln_FloatTensor:$mean,
                      Kiln_FloatTensor:$inv_std_dev);
  let assemblyFormat = [{
    $input (`scale` $scale^)? (`bias` $bias^)? `,` `axis` `=` $axis `,`
    `epsilon` `=` $epsilon attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_BatchNormOp : Kiln_InferredOp<"batch_norm"> {
  let summary = "Batch normalization with given statistics";
  let description = [{
    `(x - mean[c]) / sqrt(variance[c] + epsilon) * scale[c] + bias[c]` for
    the elements `x` of channel `c` (dimension 1) of an `[N, C, ...]`
    input; the four parameters are 1-D with C elements. This is inference
    batch normalization; frontends compute training-time batch statistics
    with reductions and pass them in.

    ```mlir
    %y = kiln.batch_norm %x, %scale, %bias, %mean, %var, epsilon = 1.0e-05 : (tensor<?x8x32x32xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x32x32xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
                       Kiln_FloatTensor:$bias, Kiln_FloatTensor:$mean,
                       Kiln_FloatTensor:$variance, F64Attr:$epsilon);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance `,`
    `epsilon` `=` $epsilon attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_LRNOp : Kiln_InferredOp<"lrn"> {
  let summary = "Local response normalization across channels";
  let description = [{
    For an `[N, C, ...]` input, each element `x` of channel `c` becomes
    `x / (bias + alpha / size * s) ^ beta`, where `s` is the sum of the
    squares of the elements at the same position in channels
    `c - floor((size - 1) / 2)` to `c + ceil((size - 1) / 2)` (those that
    exist).

    ```mlir
    %y = kiln.lrn %x, size = 5, alpha = 1.0e-04, beta = 7.5e-01, bias = 1.0 : tensor<?x96x55x55xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$size,
                       F64Attr:$alpha, F64Attr:$beta, F64Attr:$bias);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` `size` `=` $size `,` `alpha` `=` $alpha `,` `beta` `=` $beta
    `,` `bias` `=` $bias attr-dict `:`
    custom<RefinedType>(type($input), type($result))
  }];
  let hasVerifier = 1;
}

#endif // KILN_DIALECT_KILN_IR_NORMALIZATIONOPS_TD
