//===- NNOps.td - Neural-network kiln ops ------------------*- tablegen -*-===//
//
// Convolution (and its transpose) and pooling over NCHW tensors, and the
// resampling ops (resize, grid_sample).
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
                    dag extraArgs = (ins), Type tensorType = Kiln_FloatTensor>
    : Kiln_InferredOp<mnemonic> {
  let summary = what # " pooling over NCHW windows";
  let arguments = !con((ins tensorType:$input,
                            DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$strides,
                            DenseI64ArrayAttr:$pads,
                            DenseI64ArrayAttr:$dilations,
                            DefaultValuedAttr<BoolAttr, "false">:$ceil_mode),
                       extraArgs);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Kiln_MaxPool2DOp : Kiln_Pool2DOp<"max_pool2d", "Max", (ins),
                                      Kiln_NumericTensor> {
  let description = [{
    The maximum of each `kernel_shape` window. `pads` is
    `[top, left, bottom, right]`; padding never wins the maximum. With
    `ceil_mode` the output size rounds up and the last window may hang over
    the padded input; the overhang is ignored. Integers compare signed, or
    unsigned for `ui*` types.
  }];
}

def Kiln_MaxPool2DWithIndicesOp : Kiln_InferredOp<"max_pool2d_with_indices"> {
  let summary = "Max pooling that also returns where each maximum came from";
  let description = [{
    `kiln.max_pool2d` (same attributes, same `values`) plus, for each
    window, the position of its maximum in the input as an `i64` index into
    the whole tensor flattened in row-major order (ONNX MaxPool's `Indices`):
    `((n * C + c) * H + h) * W + w`, or with `column_major` the spatial
    part in column-major order, `(n * C + c) * H * W + w * H + h`. The first
    maximum in row-major window order wins a tie. Padding is never chosen.
  }];
  let arguments = (ins Kiln_NumericTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$column_major);
  let results = (outs Kiln_NumericTensor:$values,
                      RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($values) `,` type($indices)
  }];
  let hasVerifier = 1;
}

def Kiln_AvgPool2DOp : Kiln_Pool2DOp<"avg_pool2d", "Average",
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)> {
  let description = [{
    The mean of each `kernel_shape` window. With `count_include_pad` the
    divisor counts the explicit padding (but never a `ceil_mode` overhang),
    otherwise only the input elements in the window.
  }];
}

//===----------------------------------------------------------------------===//
// Transposed convolution
//===----------------------------------------------------------------------===//

def Kiln_ConvTransposeOp : Kiln_InferredOp<"conv_transpose"> {
  let summary = "Transposed convolution over 2 or 3 spatial dims";
  let description = [{
    The gradient of a convolution with respect to its input, used as a
    learned upsampling (ONNX ConvTranspose). `input` is `N x C x H x W` (or
    `N x C x D x H x W`), `weight` is `C x F/groups x KH x KW` (or with `KD`
    in front; kernel dims static), the optional `bias` is `F`. Each input
    element scatters `input * weight` into the output at
    `h * stride_h + kh * dilation_h - pad_begin_h` along each spatial dim;
    `pads` (`[begins..., ends...]`) crops the full result and
    `output_padding` adds elements at the end of each spatial dim. The output
    is `N x F x OH x OW` (or with `OD`) with
    `OH = (H - 1) * stride_h + dilation_h * (KH - 1) + 1 - pad_begin_h -
    pad_end_h + output_padding_h`. The 3-D form takes `groups = 1` only.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$weight,
                       Optional<Kiln_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$output_padding,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Resampling
//===----------------------------------------------------------------------===//

def Kiln_FloatVector : ConfinedType<TensorOf<[AnyFloat]>,
    [HasStaticShapePred, HasAnyRankOfPred<[1]>],
    "1-D float tensor of static length">;

def Kiln_ResizeOp : Kiln_InferredOp<"resize", [AttrSizedOperandSegments]> {
  let summary = "Resamples a tensor to new extents (ONNX Resize)";
  let description = [{
    Every dimension `d` of the result is `sizes[d]` long, or, given `scales`
    instead, `floor(input[d] * scales[d])` (times `roi_end - roi_start` for
    `tf_crop_and_resize`). `scales`, `sizes` and `roi` are operands, which
    a model may compute at run time; exactly one of `scales` and `sizes` is
    given, with one entry per dimension.

    Output position `x` along `d` maps to the input coordinate chosen by
    `coordinate_transformation_mode`, with `scale` the given scale (or
    `sizes[d] / input[d]`) and `length` = `input[d] * scale`:
    `half_pixel` `(x + 0.5) / scale - 0.5`; `pytorch_half_pixel` the same,
    or 0 where `length` is at most 1; `align_corners`
    `x * (input[d] - 1) / (length - 1)` (0 where `length` is 1);
    `asymmetric` `x / scale`; `tf_half_pixel_for_nn` `(x + 0.5) / scale`;
    `tf_crop_and_resize` `roi_start * (input[d] - 1) + x * (roi_end -
    roi_start) * (input[d] - 1) / (length - 1)`, where a coordinate outside
    `[0, input[d] - 1]` gives `extrapolation_value`. `roi` holds
    `[starts..., ends...]` and is needed by that mode only.

    `nearest` takes the input element at the coordinate rounded by
    `nearest_mode` (`round_prefer_floor`, `round_prefer_ceil`, `floor`,
    `ceil`); `linear` and `cubic` (floats only) interpolate one dimension at
    a time between the 2 or 4 nearest elements, the cubic kernel having
    parameter `cubic_coeff_a`. Taps outside the input repeat its edge, or,
    with `exclude_outside`, get weight 0 (the others renormalized).
    Coordinates are computed in f64, as in ONNX's reference.
  }];
  let arguments = (ins Kiln_NumericTensor:$input,
                       Optional<Kiln_FloatVector>:$scales,
                       Optional<Kiln_IndexVector>:$sizes,
                       Optional<Kiln_FloatVector>:$roi,
                       DefaultValuedStrAttr<StrAttr, "nearest">:$mode,
                       DefaultValuedStrAttr<StrAttr, "half_pixel">:
                           $coordinate_transformation_mode,
                       DefaultValuedStrAttr<StrAttr, "round_prefer_floor">:
                           $nearest_mode,
                       DefaultValuedAttr<F64Attr, "-0.75">:$cubic_coeff_a,
                       DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
                       DefaultValuedAttr<F64Attr, "0.0">:$extrapolation_value);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $input (`scales` $scales^)? (`sizes` $sizes^)? (`roi` $roi^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_GridSampleOp : Kiln_InferredOp<"grid_sample"> {
  let summary = "Samples an NCHW tensor at the points of a grid";
  let description = [{
    `input` is `N x C x H x W`, `grid` is `N x HO x WO x 2`: for each output
    position the pair `(x, y)` of normalized coordinates in `[-1, 1]`
    (`x` along W). The result is `N x C x HO x WO`, each element the input
    interpolated at that point (`mode`: `bilinear`, `nearest` (half to
    even), `bicubic` with `A = -0.75`). With `align_corners` -1 and 1 are the
    centers of the corner elements, otherwise their outer edges. Points and
    taps outside the input read 0 (`padding_mode` `zeros`), the nearest
    border element (`border`) or the input mirrored at its borders
    (`reflection`). This is PyTorch's `grid_sample`, which ONNX's
    GridSample follows.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$grid,
                       DefaultValuedStrAttr<StrAttr, "bilinear">:$mode,
                       DefaultValuedStrAttr<StrAttr, "zeros">:$padding_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$align_corners);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $grid attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}


#endif // KILN_DIALECT_KILN_IR_NNOPS_TD
