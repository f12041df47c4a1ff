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

#endif // KILN_CODEGEN_PASSES_TD
