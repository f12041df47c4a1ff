//===- NNOps.td - Neural-network kiln ops ------------------*- tablegen -*-===//
//
// Convolution and pooling over NCHW tensors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_NNOPS_TD
#define KILN_DIALECT_KILN_IR_NNOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"

//===----------------------------------------------------------------------===//
// Convolution and pooling (NCHW)
//===----------------------------------------------------------------------===//

def Kiln_Conv2DOp : Kiln_InferredOp<"conv2d"> {
  let summary = "2-D convolution, NCHW input, FCHW weight";
  let description = [{
    `input` is `N x C x H x W`, `weight` is `F x C/groups x KH x KW`, the
    optional `bias` is `F`. `pads` is `[top, left, bottom, right]`; the
    output is `N x F x OH x OW` with
    `OH = (H + top + bottom - dilation_h * (KH - 1) - 1) / stride_h + 1`.
    This is cross-correlation, as in every deep-learning framework.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$weight,
                       Optional<Kiln_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

class Kiln_Pool2DOp<string mnemonic, string what,
                    dag extraArgs = (ins)>
    : Kiln_InferredOp<mnemonic> {
  let summary = what # " pooling over NCHW windows";
  let arguments = !con((ins Kiln_FloatTensor:$input,
                            DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$strides,
                            DenseI64ArrayAttr:$pads,
                            DenseI64ArrayAttr:$dilations,
                            DefaultValuedAttr<BoolAttr, "false">:$ceil_mode),
                       extraArgs);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Kiln_MaxPool2DOp : Kiln_Pool2DOp<"max_pool2d", "Max"> {
  let description = [{
    The maximum of each `kernel_shape` window. `pads` is
    `[top, left, bottom, right]`; padding never wins the maximum. With
    `ceil_mode` the output size rounds up and the last window may hang over
    the padded input; the overhang is ignored.
  }];
}

def Kiln_AvgPool2DOp : Kiln_Pool2DOp<"avg_pool2d", "Average",
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)> {
  let description = [{
    The mean of each `kernel_shape` window. With `count_include_pad` the
    divisor counts the explicit padding (but never a `ceil_mode` overhang),
    otherwise only the input elements in the window.
  }];
}


#endif // KILN_DIALECT_KILN_IR_NNOPS_TD
