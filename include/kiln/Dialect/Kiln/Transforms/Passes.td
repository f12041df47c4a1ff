//===- Passes.td - Passes on the kiln dialect --------------*- tablegen -*-===//
//
// Graph-level passes: they read and write kiln ops on tensors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_TRANSFORMS_PASSES_TD
#define KILN_DIALECT_KILN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnShapePropagation : Pass<"kiln-shape-propagation", "ModuleOp"> {
  let summary = "Re-infers result types so that static shapes flow forward";
  let description = [{
    Walks each function in order and gives every kiln op the most static
    result type its inference allows, e.g. after a dynamic input dimension has
    been made static or a folder has produced a static constant. Where a
    refined value feeds an op outside the kiln dialect that still expects the
    old type, a `tensor.cast` keeps the IR valid.

    A function's result types become the refined types it returns. Calls of
    it keep their own types through `tensor.cast`s around the call; a
    function with other kinds of symbol uses keeps its signature and casts at
    its returns instead. That is why this is a module pass.

    With `input-shapes` the arguments of every public function (the entry
    points of a model) are specialized first: `0=1x3x224x224,1=1x?` gives
    argument 0 that static shape and keeps a dynamic dimension of argument 1.
    A shape that contradicts a static dimension of the argument is an error.
    Private functions are helpers and keep their arguments.
  }];
  let options = [
    Option<"inputShapes", "input-shapes", "std::string", /*default=*/"\"\"",
           "Comma-separated `index=DxDx...` shapes for the arguments of "
           "public functions">
  ];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def KilnMarkEntryPoints : Pass<"kiln-mark-entry-points", "ModuleOp"> {
  let summary = "Gives public functions the calling convention of compiled models";
  let description = [{
    Every public function with a body is an entry point of the compiled
    model. It gets `llvm.emit_c_interface` (so that Kiln's entry wrapper can
    call it through memref descriptors), and its tensor arguments are marked
    `bufferization.writable = false`: the caller's input buffers are never
    written. An argument marked `kiln.mutable` (a parameter a training step
    updates in place) stays writable.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def KilnAutodiff : Pass<"kiln-autodiff", "ModuleOp"> {
  let summary = "Reverse-mode differentiation of a kiln function";
  let description = [{
    For `func @f(args...) -> (loss, aux...)`, adds `func @f_grad(args...) ->
    (loss, d loss / d arg..., aux...)`: the forward computation (other results
    ride along unchanged, after the gradients), then, in reverse order,
    each op's vector-Jacobian product (DifferentiableOpInterface), with the
    cotangents of values used several times summed. A loss that is not a
    scalar is seeded with ones, which differentiates the sum of its
    elements.

    `wrt` lists the arguments to differentiate with respect to (by index;
    default: every floating-point argument). An op on the path from those
    arguments to the loss that has no gradient rule is an error naming it.
    Gradients are named `grad_<argument name>` (`kiln.name`).
  }];
  let options = [
    Option<"function", "function", "std::string", /*default=*/"\"main\"",
           "The function to differentiate">,
    ListOption<"wrt", "wrt", "unsigned",
               "Argument indices to differentiate with respect to">
  ];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def KilnDecompose : Pass<"kiln-decompose", "func::FuncOp"> {
  let summary = "Expands composite kiln ops into primitive ones";
  let description = [{
    Losses and penalties (mse_loss, mae_loss, huber_loss,
    bce_with_logits_loss, cross_entropy_loss, l1_penalty, l2_penalty) become
    the elementwise ops, reductions and gathers that define them, written in
    their numerically stable forms. Differentiation then goes through the
    primitives' rules, and fusion puts the elementwise parts back together.
  }];
}

def KilnUnrollScans : Pass<"kiln-unroll-scans", "func::FuncOp"> {
  let summary = "Replaces each kiln.scan by a copy of its body per step";
  let description = [{
    For targets whose pipeline cannot run a loop that carries tensors (the
    GPU pipeline maps only loops that hand no values back): the body is
    cloned once per step, each step's slices are kiln.slice + kiln.squeeze
    of the scan inputs, and the per-step outputs are joined with
    kiln.concat. Needs a static number of steps; a scan without one is an
    error.
  }];
}

#endif // KILN_DIALECT_KILN_TRANSFORMS_PASSES_TD
