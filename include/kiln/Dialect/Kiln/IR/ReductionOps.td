//===- ReductionOps.td - Reduction kiln ops ----------------*- tablegen -*-===//
//
// Reductions over axes, and softmax.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_REDUCTIONOPS_TD
#define KILN_DIALECT_KILN_IR_REDUCTIONOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"

//===----------------------------------------------------------------------===//
// Reductions and softmax
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

#endif // KILN_DIALECT_KILN_IR_REDUCTIONOPS_TD
