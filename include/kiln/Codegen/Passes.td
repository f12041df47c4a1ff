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

#endif // KILN_CODEGEN_PASSES_TD
