//===- LinalgOps.td - Linear algebra kiln ops --------------*- tablegen -*-===//
//
// Matrix products.
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

#endif // KILN_DIALECT_KILN_IR_LINALGOPS_TD
