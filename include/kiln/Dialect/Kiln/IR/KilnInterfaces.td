//===- KilnInterfaces.td - Interfaces of kiln ops ----------*- tablegen -*-===//
//
// Cross-cutting behaviour of kiln ops, implemented per op family outside the
// op definitions (external models), so that a family's gradient rules live
// in one file of their own.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNINTERFACES_TD
#define KILN_DIALECT_KILN_IR_KILNINTERFACES_TD

include "mlir/IR/OpBase.td"

def Kiln_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::mlir::kiln";
  let description = [{
    An op that reverse-mode differentiation (`kiln-autodiff`) can go through.
    Its rule builds the vector-Jacobian product: from the cotangents of its
    results (how much the loss moves per unit of each result element) the
    cotangents of its operands, as new kiln ops at the builder's insertion
    point. The rule may use the op's operands and results (the forward
    values); the pass keeps them alive.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds the cotangents of the operands. `resultCotangents` has one
        value per result, null where the result does not reach the loss.
        `operandCotangents` receives one value per operand: its cotangent, of
        the operand's type, or null where the operand gets none (integer
        operands, shapes, indices). Fails, with an error on the op, when a
        needed case is not differentiable.
      }],
      "::llvm::LogicalResult", "buildVJP",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ValueRange":$resultCotangents,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandCotangents)>
  ];
}

#endif // KILN_DIALECT_KILN_IR_KILNINTERFACES_TD
