//===- Passes.td - Code generation passes ------------------*- tablegen -*-===//
//
// Passes below the kiln dialect: on linalg, memref and loops, on the way to
// machine code.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_PASSES_TD
#define KILN_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnExpandStridedCopies
    : Pass<"kiln-expand-strided-copies", "func::FuncOp"> {
  let summary = "Turns copies between strided memrefs into loops";
  let description = [{
    MLIR lowers a `memref.copy` between non-contiguous memrefs to a call of
    `memrefCopy` from MLIR's C runner utilities, a library a compiled model
    should not need. This pass rewrites such copies as `linalg.generic`
    copies, which become plain loops; copies between contiguous memrefs stay
    and become `llvm.memcpy`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def KilnOutlineParallelLoops
    : Pass<"kiln-outline-parallel-loops", "ModuleOp"> {
  let summary = "Moves the bodies of parallel loops into functions";
  let description = [{
    Every outermost `scf.parallel` whose work is worth spreading over threads
    becomes a call of a new private function marked `kiln.parallel_body`:

    ```mlir
    func.func private @f_par0(%captured..., %begin: index, %end: index)
    ```

    which runs iterations `[begin, end)` of the loop's first dimension (and
    all of its other dimensions). The call covers the whole range, so the
    program means the same as before; `kiln-dispatch-parallel-loops` later
    hands such calls to the runtime's thread pool. Constants the body uses
    are cloned into the function; other values it uses become arguments.

    A loop whose static work (iterations times operations) is below
    `min-work` stays where it is: waking threads would cost more than it
    saves.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"1 << 15",
           "Smallest static work (iterations x operations) worth threads">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def KilnDispatchParallelLoops
    : Pass<"kiln-dispatch-parallel-loops", "ModuleOp"> {
  let summary = "Runs outlined parallel loop bodies on the runtime's threads";
  let description = [{
    On the LLVM dialect, after `kiln-outline-parallel-loops` and the
    conversion to LLVM: each call of a `kiln.parallel_body` function stores
    its captured arguments in a stack record and calls
    `kiln.parallel_dispatch(thunk, record, begin, end)`. The dispatcher asks
    the runtime table in `@kiln_runtime_slot` (filled by the runtime when it
    opens the model, see kiln/abi.h) to run the thunk over the range on its
    thread pool, or runs the whole range itself when the slot is empty.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def KilnHoistRuntimeChecks
    : Pass<"kiln-hoist-runtime-checks", "func::FuncOp"> {
  let summary = "Moves run-time shape checks to the start of the function";
  let description = [{
    The lowering guards assumptions it cannot prove statically (two dynamic
    dimensions that must agree, a reshape whose element count must divide)
    with `cf.assert`. A failed check ends the run (see kiln/abi.h), so the
    checks should all come before the function allocates anything. This pass
    moves each `cf.assert` of the entry block, with the side-effect-free
    computation of its condition (typically `tensor.dim` of the arguments and
    index arithmetic), to the start of the function. A check whose condition
    depends on computed data stays where it is.
  }];
}

def KilnLowerRuntimeChecks
    : Pass<"kiln-lower-runtime-checks", "ModuleOp"> {
  let summary = "Makes a failed check end the run through the runtime";
  let description = [{
    On the LLVM dialect, before `convert-cf-to-llvm` would turn `cf.assert`
    into a call of `abort`: each `cf.assert` becomes a call of
    `kiln.check(condition, message)`, which on failure calls the runtime's
    `fail` service (kiln/abi.h), or traps when no runtime is attached.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def KilnLowerDynamicExpandShapes
    : Pass<"kiln-lower-dynamic-expand-shapes", "func::FuncOp"> {
  let summary = "Rewrites expand_shapes that expand-strided-metadata cannot";
  let description = [{
    MLIR 22's `expand-strided-metadata` crashes on a `memref.expand_shape`
    with more than one dynamic size in a reassociation group
    (llvm/llvm-project#186830, fixed in LLVM 23); reshapes and batched
    matmuls with several dynamic dimensions produce them. This pass rewrites
    exactly those ops into the `memref.extract_strided_metadata` and
    `memref.reinterpret_cast` that `expand-strided-metadata` would produce,
    with the sizes of the op's `output_shape`. Run it right before
    `expand-strided-metadata`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def KilnLowerAssignments : Pass<"kiln-lower-assignments", "func::FuncOp"> {
  let summary = "Turns kiln.assign into bufferization.materialize_in_destination";
  let description = [{
    Runs right before bufferization (later, canonicalization could drop a
    materialization whose result is unused). Each `kiln.assign %v into %arg`
    becomes `bufferization.materialize_in_destination %v in %arg`; with
    empty-tensor elimination the computation of `%v` then writes straight
    into the argument's buffer.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

#endif // KILN_CODEGEN_PASSES_TD
