//===- KilnOps.td - kiln dialect operations ----------------*- tablegen -*-===//
//
// All kiln ops: the constant here, every other family in its own file,
// mirrored by a .cpp of the same name in lib/Dialect/Kiln/IR.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNOPS_TD
#define KILN_DIALECT_KILN_IR_KILNOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

def Kiln_ConstantOp : Kiln_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "A tensor literal (weights, shapes, scalars)";
  let description = [{
    Produces a tensor from an elements attribute: `dense<...>` for small
    values, `dense_resource<...>` for weights, so that large blobs are neither
    uniqued nor printed inline.

    ```mlir
    %w = kiln.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

include "kiln/Dialect/Kiln/IR/ElementwiseOps.td"
include "kiln/Dialect/Kiln/IR/IndexingOps.td"
include "kiln/Dialect/Kiln/IR/LinalgOps.td"
include "kiln/Dialect/Kiln/IR/NNOps.td"
include "kiln/Dialect/Kiln/IR/NormalizationOps.td"
include "kiln/Dialect/Kiln/IR/ReductionOps.td"
include "kiln/Dialect/Kiln/IR/ScanOps.td"
include "kiln/Dialect/Kiln/IR/ShapeOps.td"
include "kiln/Dialect/Kiln/IR/TrainingOps.td"

#endif // KILN_DIALECT_KILN_IR_KILNOPS_TD
