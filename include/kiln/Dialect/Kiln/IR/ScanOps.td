//===- ScanOps.td - Loops over a sequence ------------------*- tablegen -*-===//
//
// kiln.scan runs a body of ordinary kiln ops once per step of a sequence,
// carrying states from step to step (ONNX Scan's semantics). Recurrent
// layers (RNN, GRU, LSTM) import into it, so that a long sequence costs one
// loop instead of a copy of the cell per time step.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_SCANOPS_TD
#define KILN_DIALECT_KILN_IR_SCANOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"

def Kiln_ScanOp : Kiln_Op<"scan", [RecursiveMemoryEffects, SingleBlock,
    AttrSizedOperandSegments]> {
  let summary = "Runs a body once per step of a sequence, carrying states";
  let description = [{
    The sequence has `T` steps: the extent of dimension 0 of every `inputs`
    tensor (there must be at least one, and they must agree). Step `t` of the
    body sees, as block arguments:

    - the step's position in the sequence as a rank-0 `i64` tensor (`t` for
      a forward scan, counting down from `T - 1` with `reverse`), for bodies
      that mask steps past a sequence's length;
    - the current states, initially `inits` (same types);
    - slice `t` of each of `inputs`, without dimension 0.

    The body ends with `kiln.yield` of the new states (one per init) and of
    the per-step outputs. The op's results are the final states, then each
    per-step output stacked along a new dimension 0 of extent `T`, at the
    step's position (so a reverse scan writes its first step last).

    The body may use values defined outside (weights, biases), and is made of
    kiln ops: shape propagation, canonicalization and CSE work inside it.
    Types of block arguments and yielded values need only be compatible with
    those of operands and results (same rank and element type, equal where
    both are static), so that shapes can be refined on either side.

    ```mlir
    %h, %ys = kiln.scan inits(%h0 : tensor<2x8xf32>)
                        inputs(%xs : tensor<5x2x8xf32>)
                        -> (tensor<2x8xf32>, tensor<5x2x8xf32>) {
    ^bb0(%t: tensor<i64>, %hi: tensor<2x8xf32>, %x: tensor<2x8xf32>):
      %s = kiln.add %hi, %x : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
      %n = kiln.tanh %s : (tensor<2x8xf32>) -> tensor<2x8xf32>
      kiln.yield %n, %n : tensor<2x8xf32>, tensor<2x8xf32>
    }
    ```

    No gradient rule: `kiln-autodiff` reports the op. (The C++ DSL's
    recurrent layers unroll their steps, which it can differentiate.)
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$inits,
                       Variadic<Kiln_Tensor>:$inputs,
                       UnitAttr:$reverse);
  let results = (outs Variadic<Kiln_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`reverse` $reverse^)? `inits` `(` ($inits^ `:` type($inits))? `)`
    `inputs` `(` ($inputs^ `:` type($inputs))? `)` attr-dict
    `->` `(` type($results) `)` $body
  }];
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The final states (one per init).
    ::mlir::ResultRange getFinalStates() {
      return getResults().take_front(getInits().size());
    }
    /// The stacked per-step outputs.
    ::mlir::ResultRange getOutputs() {
      return getResults().drop_front(getInits().size());
    }
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    ::mlir::BlockArgument getStepArgument() {
      return getBodyBlock().getArgument(0);
    }
    ::mlir::Block::BlockArgListType getStateArguments() {
      return getBodyBlock().getArguments().slice(1, getInits().size());
    }
    ::mlir::Block::BlockArgListType getSliceArguments() {
      return getBodyBlock().getArguments().drop_front(1 + getInits().size());
    }
  }];
}

def Kiln_YieldOp : Kiln_Op<"yield", [Pure, Terminator,
    HasParent<"ScanOp">]> {
  let summary = "Ends a kiln.scan body: new states, then per-step outputs";
  let arguments = (ins Variadic<Kiln_Tensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // KILN_DIALECT_KILN_IR_SCANOPS_TD
