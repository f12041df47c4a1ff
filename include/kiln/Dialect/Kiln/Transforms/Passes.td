//===- Passes.td - Passes on the kiln dialect --------------*- tablegen -*-===//
//
// Graph-level passes: they read and write kiln ops on tensors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_TRANSFORMS_PASSES_TD
#define KILN_DIALECT_KILN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnShapePropagation : Pass<"kiln-shape-propagation", "func::FuncOp"> {
  let summary = "Re-infers result types so that static shapes flow forward";
  let description = [{
    Walks a function in order and gives every kiln op the most static result
    type its inference allows, e.g. after a dynamic input dimension has been
    made static or a folder has produced a static constant. Where a refined
    value feeds an op outside the kiln dialect (such as `func.return`) that
    still expects the old type, a `tensor.cast` keeps the IR valid.

    With `input-shapes` the function's own arguments are specialized first:
    `0=1x3x224x224,1=1x?` gives argument 0 that static shape and keeps a
    dynamic dimension of argument 1. A shape that contradicts a static
    dimension of the argument is an error.
  }];
  let options = [
    Option<"inputShapes", "input-shapes", "std::string", /*default=*/"\"\"",
           "Comma-separated `index=DxDx...` shapes for function arguments">
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

#endif // KILN_DIALECT_KILN_TRANSFORMS_PASSES_TD
