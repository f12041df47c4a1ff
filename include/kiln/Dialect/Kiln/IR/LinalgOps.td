//===- LinalgOps.td - Linear algebra kiln ops --------------*- tablegen -*-===//
//
// Matrix products, Einstein summation and determinants.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_LINALGOPS_TD
#define KILN_DIALECT_KILN_IR_LINALGOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Kiln_MatmulOp : Kiln_InferredOp<"matmul"> {
  let summary = "Matrix product with numpy semantics";
  let description = [{
    `numpy.matmul`: the last two dimensions are multiplied, leading (batch)
    dimensions broadcast. A rank-1 `lhs` is treated as a row vector and a
    rank-1 `rhs` as a column vector, and that dimension is dropped from the
    result.

    ```mlir
    %y = kiln.matmul %x, %w : (tensor<?x784xf32>, tensor<784x512xf32>) -> tensor<?x512xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_EinsumOp : Kiln_InferredOp<"einsum"> {
  let summary = "Einstein summation";
  let description = [{
    `equation` names each dimension of each operand with a letter
    (`"bij,bjk->bik"`): one term per operand, as many letters as its rank,
    then `->` and the result's letters, each at most once. Dimensions that
    share a letter are iterated together (within one operand, that takes a
    diagonal); the result is the sum of the products of the operands'
    elements over the letters it does not name. Dimensions of one letter
    have one extent, except that a static 1 broadcasts. Frontends write the
    equation in this explicit form (no `...`, an output always given).

    ```mlir
    %c = kiln.einsum "bij,bjk->bik" (%a, %b) : (tensor<?x4x5xf32>, tensor<?x5x6xf32>) -> tensor<?x4x6xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_NumericTensor>:$inputs,
                       StrAttr:$equation);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $equation `(` $inputs `)` attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_DetOp : Kiln_InferredOp<"det"> {
  let summary = "Determinant of square matrices";
  let description = [{
    The determinant of each matrix in the last two dimensions of `input`
    (`[..., M, M]`), computed by LU decomposition with partial pivoting;
    the result has the leading dimensions.

    ```mlir
    %d = kiln.det %x : tensor<?x3x3xf32> -> tensor<?xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

#endif // KILN_DIALECT_KILN_IR_LINALGOPS_TD
