//===- ShapeOps.td - Shape and data-movement kiln ops ------*- tablegen -*-===//
//
// Ops that rearrange elements without computing new values.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_SHAPEOPS_TD
#define KILN_DIALECT_KILN_IR_SHAPEOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"

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

#endif // KILN_DIALECT_KILN_IR_SHAPEOPS_TD
