//===- ShapeOps.td - Shape and data-movement kiln ops ------*- tablegen -*-===//
//
// Ops that rearrange elements without computing new values, the ops that
// read or build shapes, and the tensors made from a shape (fills, ranges).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_SHAPEOPS_TD
#define KILN_DIALECT_KILN_IR_SHAPEOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Kiln_TransposeOp : Kiln_InferredOp<"transpose"> {
  let summary = "Permutes dimensions";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]`.
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_ReshapeOp : Kiln_InferredOp<"reshape"> {
  let summary = "Reinterprets a tensor's elements under a new shape";
  let description = [{
    Keeps the elements in row-major order and gives them the shape `shape`.
    Each entry of `shape` is a size (>= 1), `0` (copy the input's dimension
    at the same index; the input must have that many dimensions), or `-1`
    (at most one: the size that keeps the element count).

    ```mlir
    %y = kiln.reshape %x, [0, -1] : tensor<?x3x4xf32> -> tensor<?x12xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $shape attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_FlattenOp : Kiln_InferredOp<"flatten"> {
  let summary = "Flattens into a matrix at an axis";
  let description = [{
    Dimensions `[0, axis)` become the rows, `[axis, rank)` the columns
    (`0 <= axis <= rank`; an empty side has size 1).
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` `axis` `=` $axis attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Shapes as values
//
// Ops whose parameters ONNX passes as tensors (shapes, axes, repeats, pads)
// take them as operands, so that a model may compute them at run time. Where
// such an operand is a constant, type inference reads it and the result type
// is as static as the values allow; the lowering reads it too and emits
// static sizes.
//===----------------------------------------------------------------------===//

def Kiln_ShapeOfOp : Kiln_InferredOp<"shape_of"> {
  let summary = "The extents of some dimensions of a tensor, as i64 values";
  let description = [{
    The extents of dimensions `[start, end)` of `input` (`0 <= start <= end
    <= rank`) as a 1-D `i64` tensor. Folds to a constant when those
    dimensions are static.

    ```mlir
    %s = kiln.shape_of %x, start = 0, end = 2 : tensor<?x3x4xf32> -> tensor<2xi64>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$start, I64Attr:$end);
  let results = (outs 1DTensorOf<[I64]>:$result);
  let assemblyFormat = [{
    $input `,` `start` `=` $start `,` `end` `=` $end attr-dict `:`
    type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_DynamicReshapeOp : Kiln_ValueInferredOp<"dynamic_reshape"> {
  let summary = "Reshape to a shape given as a tensor";
  let description = [{
    `kiln.reshape` with the shape as a 1-D integer operand, which may be
    computed at run time; its static length is the result's rank. Entries
    follow ONNX Reshape: a size, `-1` (at most one: the size that keeps the
    element count) or `0`, which copies the input's extent at the same index
    unless `allowzero` is set, in which case it is a zero extent. A constant
    shape turns the op into `kiln.reshape` (canonicalization) where that op
    can express it.

    ```mlir
    %y = kiln.dynamic_reshape %x, %s : (tensor<?x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexVector:$shape,
                       UnitAttr:$allowzero);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $shape attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_SqueezeOp : Kiln_ValueInferredOp<"squeeze"> {
  let summary = "Removes dimensions of extent 1";
  let description = [{
    Removes the dimensions listed in `axes` (a 1-D integer tensor, in
    `[-rank, rank)`, no dimension twice), each of which must have extent 1.
    The result's rank is the input's minus the length of `axes`. Constant
    axes are checked by the verifier; run-time ones when the model runs.

    ```mlir
    %y = kiln.squeeze %x, %axes : (tensor<2x1x3xf32>, tensor<1xi64>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexVector:$axes);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $axes attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_UnsqueezeOp : Kiln_ValueInferredOp<"unsqueeze"> {
  let summary = "Inserts dimensions of extent 1";
  let description = [{
    Inserts a dimension of extent 1 at each position listed in `axes` (a
    1-D integer tensor; positions in the result, in `[-r, r)` for the
    result's rank `r`, no position twice). The result's rank is the input's
    plus the length of `axes`.

    ```mlir
    %y = kiln.unsqueeze %x, %axes : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<2x1x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexVector:$axes);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $axes attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_ExpandOp : Kiln_ValueInferredOp<"expand"> {
  let summary = "Broadcasts a tensor to a shape given as a tensor";
  let description = [{
    Broadcasts `input` and a tensor of shape `shape` against each other
    (numpy rules, ONNX Expand): the result's rank is the larger of the two,
    and a dimension of extent 1 on either side takes the other's extent. A
    dynamic input dimension is assumed not to broadcast (see the dialect's
    conventions).

    ```mlir
    %y = kiln.expand %x, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x6xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexVector:$shape);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $shape attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_TileOp : Kiln_ValueInferredOp<"tile"> {
  let summary = "Repeats a tensor along each dimension";
  let description = [{
    Dimension `i` of the result is `repeats[i]` copies of the input along
    that dimension (`repeats` has one non-negative entry per dimension).
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexVector:$repeats);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $repeats attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_PadOp : Kiln_ValueInferredOp<"pad"> {
  let summary = "Pads (or crops, where negative) every dimension";
  let description = [{
    `pads` holds `[begin_0, ..., begin_(r-1), end_0, ..., end_(r-1)]`: the
    elements added before and after each dimension, or removed where
    negative. `mode` says what the new elements are: `constant` (`value`, a
    rank-0 tensor of the input's element type), `reflect` (the input
    mirrored about its first and last elements) or `edge` (the first and
    last elements repeated).
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexVector:$pads,
                       0DTensorOf<[AnyFloat, AnyInteger]>:$value,
                       DefaultValuedStrAttr<StrAttr, "constant">:$mode);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $pads `,` $value attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Tensors made from shapes
//===----------------------------------------------------------------------===//

def Kiln_ConstantOfShapeOp : Kiln_ValueInferredOp<"constant_of_shape"> {
  let summary = "A tensor of a given shape filled with one value";
  let description = [{
    A tensor whose shape is the 1-D integer operand `shape` (non-negative
    entries, possibly computed at run time) and whose every element is
    `value` (an integer or float attribute of the element type). Folds to a
    splat constant when the shape is known.

    ```mlir
    %z = kiln.constant_of_shape %s, 0.0 : f32 : tensor<2xi64> -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_IndexVector:$shape, TypedAttrInterface:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $shape `,` $value attr-dict `:` type($shape) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_RangeOp : Kiln_ValueInferredOp<"range",
    [AllTypesMatch<["start", "limit", "delta"]>]> {
  let summary = "The sequence start, start + delta, ... up to limit";
  let description = [{
    A 1-D tensor of `max(ceil((limit - start) / delta), 0)` elements, element
    `i` being `start + i * delta` (numpy.arange). The three operands are
    rank-0 tensors of the result's element type; its length is known
    statically only when they are constants.
  }];
  let arguments = (ins Kiln_ScalarTensor:$start, Kiln_ScalarTensor:$limit,
                       Kiln_ScalarTensor:$delta);
  let results = (outs 1DTensorOf<[AnyFloat, AnyInteger]>:$result);
  let assemblyFormat = [{
    $start `,` $limit `,` $delta attr-dict `:` type($start) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

#endif // KILN_DIALECT_KILN_IR_SHAPEOPS_TD
