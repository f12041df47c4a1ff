//===- Passes.td - Kiln conversion passes ------------------*- tablegen -*-===//
//
// Passes that lower kiln out of its own dialect.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CONVERSION_PASSES_TD
#define KILN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertKilnToLinalg : Pass<"convert-kiln-to-linalg", "ModuleOp"> {
  let summary = "Lowers kiln ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Every kiln op becomes upstream ops on tensors: named linalg ops where one
    fits (matmul, batch_matmul, convolutions, pooling, transpose, reduce),
    `linalg.generic` for elementwise work with broadcasting, and tensor ops
    for reshapes and padding. Function signatures lose Kiln's integer
    signedness: `ui8` becomes `i8`, and the choice of signed or unsigned
    arithmetic is made here, from the kiln types.
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // KILN_CONVERSION_PASSES_TD
