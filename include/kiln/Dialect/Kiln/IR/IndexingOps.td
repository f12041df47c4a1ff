//===- IndexingOps.td - Indexing kiln ops ------------------*- tablegen -*-===//
//
// Ops that select or place elements by index or condition: gather,
// scatter, slice, concat, and friends.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_INDEXINGOPS_TD
#define KILN_DIALECT_KILN_IR_INDEXINGOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"

//===----------------------------------------------------------------------===//
// Joining and slicing
//===----------------------------------------------------------------------===//

def Kiln_ConcatOp : Kiln_InferredOp<"concat"> {
  let summary = "Joins tensors along one dimension";
  let description = [{
    Joins one or more tensors of one rank and element type along `axis`
    (normalized); every other dimension must agree.

    ```mlir
    %y = kiln.concat %a, %b {axis = 1 : i64} : tensor<2x3xf32>, tensor<2x?xf32> -> tensor<2x?xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` type($inputs) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_SliceOp : Kiln_ValueInferredOp<"slice"> {
  let summary = "A strided slice along some dimensions (ONNX Slice)";
  let description = [{
    Along each dimension `axes[i]` (in `[-rank, rank)`, no dimension twice)
    keeps the elements `starts[i]`, `starts[i] + steps[i]`, ... up to but
    excluding `ends[i]`; other dimensions are kept whole. `starts`, `ends`,
    `axes` and `steps` are 1-D integer tensors of one length, constants or
    run-time values. As in numpy and ONNX, negative starts and ends count
    from the end, out-of-range ones are clamped, and a negative step walks
    backwards (`steps` must not be 0).
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexVector:$starts,
                       Kiln_IndexVector:$ends, Kiln_IndexVector:$axes,
                       Kiln_IndexVector:$steps);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $starts `,` $ends `,` $axes `,` $steps attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Gathers and scatters
//
// Indices are signed integers; a negative index counts from the end. An index
// outside its dimension is clamped into it, so that bad data can never make
// the code read or write outside a buffer.
//===----------------------------------------------------------------------===//

def Kiln_GatherOp : Kiln_InferredOp<"gather"> {
  let summary = "Selects slices along one dimension by index (ONNX Gather)";
  let description = [{
    `result[i_0, .., i_{axis-1}, j..., i_{axis+1}, ..] =
    input[i_0, .., indices[j...], ..]`: the result's shape is the input's
    with dimension `axis` replaced by the shape of `indices`.
  }];
  let arguments = (ins Kiln_Tensor:$input, RankedTensorOf<[AnyInteger]>:$indices,
                       I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $indices `,` `axis` `=` $axis attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_GatherElementsOp : Kiln_InferredOp<"gather_elements"> {
  let summary = "Selects elements along one dimension by index";
  let description = [{
    `result[i...] = input[i_0, .., indices[i...], ..]` with the index in
    position `axis` (numpy.take_along_axis): the result has the shape of
    `indices`, which has the input's rank and, outside `axis`, extents no
    larger than the input's.
  }];
  let arguments = (ins Kiln_Tensor:$input, RankedTensorOf<[AnyInteger]>:$indices,
                       I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $indices `,` `axis` `=` $axis attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_GatherNDOp : Kiln_InferredOp<"gather_nd"> {
  let summary = "Selects slices by multi-dimensional index (ONNX GatherND)";
  let description = [{
    The last dimension of `indices` (static, `k`) holds an index into `k`
    dimensions of `input` after its first `batch_dims`, which `indices`
    shares. The result's shape is `indices`' without its last dimension,
    followed by the input's dimensions after `batch_dims + k`.
  }];
  let arguments = (ins Kiln_Tensor:$input, RankedTensorOf<[AnyInteger]>:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_ScatterElementsOp : Kiln_InferredOp<"scatter_elements"> {
  let summary = "Writes elements at indices along one dimension";
  let description = [{
    A copy of `input` in which, for every position `i...` of `updates`, the
    element at `i...` with position `axis` replaced by `indices[i...]` is
    set to `updates[i...]` (`reduction` = `none`), or combined with it by
    `add` or `mul`. Updates apply in row-major order, so with `none` the
    last write to a position wins. `indices` and `updates` have one shape,
    of the input's rank.
  }];
  let arguments = (ins Kiln_Tensor:$input, RankedTensorOf<[AnyInteger]>:$indices,
                       Kiln_Tensor:$updates, I64Attr:$axis,
                       DefaultValuedStrAttr<StrAttr, "none">:$reduction);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates `,` `axis` `=` $axis attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_ScatterNDOp : Kiln_InferredOp<"scatter_nd"> {
  let summary = "Writes slices at multi-dimensional indices (ONNX ScatterND)";
  let description = [{
    A copy of `input` in which the slice at each index of `indices` (its last
    dimension, static `k`, indexes the first `k` input dimensions) is set to
    the matching slice of `updates` (`reduction` = `none`), or combined with
    it by `add` or `mul`, in row-major order of the indices. `updates` has
    the shape of `indices` without its last dimension followed by the
    input's dimensions after `k`.
  }];
  let arguments = (ins Kiln_Tensor:$input, RankedTensorOf<[AnyInteger]>:$indices,
                       Kiln_Tensor:$updates,
                       DefaultValuedStrAttr<StrAttr, "none">:$reduction);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Index-driven element selection
//===----------------------------------------------------------------------===//

def Kiln_NonZeroOp : Kiln_InferredOp<"nonzero"> {
  let summary = "The indices of the non-zero elements";
  let description = [{
    A `rank x n` tensor of `i64`: column `j` holds the index of the `j`-th
    non-zero element of `input` in row-major order (numpy.nonzero, stacked).
    `n` is known only when the model runs. NaN counts as non-zero.
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs 2DTensorOf<[I64]>:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
}

def Kiln_TriluOp : Kiln_InferredOp<"trilu"> {
  let summary = "Keeps the upper or lower triangle of the last two dimensions";
  let description = [{
    For each matrix in the last two dimensions, keeps the elements on and
    above (`upper`) or on and below (otherwise) diagonal `k`, a rank-0
    integer tensor (0 is the main diagonal, positive values are above it),
    and sets the others to zero.
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IntScalarTensor:$k,
                       UnitAttr:$upper);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $k attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_OneHotOp : Kiln_ValueInferredOp<"one_hot"> {
  let summary = "One-hot encoding along a new dimension";
  let description = [{
    Inserts a dimension of extent `depth` (a rank-0 tensor, integer or
    float, truncated) at `axis` (normalized, in `[0, rank]`): the element is
    `values[1]` where its position along the new dimension equals the index
    (a negative index counts from `depth`), `values[0]` elsewhere. An index
    outside `[-depth, depth)` gives `values[0]` everywhere. Float indices are
    truncated.
  }];
  let arguments = (ins Kiln_NumericTensor:$indices, Kiln_ScalarTensor:$depth,
                       1DTensorOf<[AnyFloat, AnyInteger]>:$values,
                       I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $indices `,` $depth `,` $values `,` `axis` `=` $axis attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_ReverseSequenceOp : Kiln_InferredOp<"reverse_sequence"> {
  let summary = "Reverses the first lengths[b] elements of each sequence";
  let description = [{
    For each index `b` along `batch_axis`, reverses the first `lengths[b]`
    elements along `time_axis` and keeps the rest. `lengths` is a 1-D
    integer tensor with one entry per batch element; entries outside
    `[0, time extent]` are clamped.
  }];
  let arguments = (ins Kiln_Tensor:$input,
                       1DTensorOf<[AnyInteger]>:$lengths,
                       I64Attr:$batch_axis, I64Attr:$time_axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $lengths `,` `batch_axis` `=` $batch_axis `,`
    `time_axis` `=` $time_axis attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // KILN_DIALECT_KILN_IR_INDEXINGOPS_TD
