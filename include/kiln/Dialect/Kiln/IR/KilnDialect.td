//===- KilnDialect.td - The kiln dialect -------------------*- tablegen -*-===//
//
// The kiln dialect: a deep-learning graph on ranked tensors. Frontends (ONNX,
// the C++ builder DSL) produce it; autodiff and graph rewrites work on it;
// KilnToLinalg lowers it to upstream dialects.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNDIALECT_TD
#define KILN_DIALECT_KILN_IR_KILNDIALECT_TD

include "mlir/IR/OpBase.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::mlir::kiln";
  let summary = "Deep-learning graph operations on ranked tensors";
  let description = [{
    The `kiln` dialect holds a model as a graph of tensor operations: the
    level at which Kiln propagates shapes, folds constants, differentiates
    and fuses before lowering to linalg.

    Conventions every op follows:

    * Operands and results are ranked tensors. Dimensions may be dynamic
      (`?`); each op infers its result type from its operands and attributes,
      and a result type may be more static than the inferred one (a
      refinement) but never contradict it.
    * Elementwise binary ops broadcast like numpy: shapes are aligned on the
      right and a dimension of static size 1 stretches to the other operand's.
      A dynamic dimension is assumed not to broadcast at run time: it must
      equal the other operand's extent (or that extent must be 1).
    * Axis attributes are normalized: non-negative and in range. Frontends
      translate negative axes before building ops.
    * Signed and signless integer element types mean signed integers;
      `ui8`..`ui64` are unsigned. Lowering turns all of them into signless
      integers and picks signed or unsigned arithmetic from the kiln type.
  }];
  let hasConstantMaterializer = 1;
}

#endif // KILN_DIALECT_KILN_IR_KILNDIALECT_TD
