//===- ElementwiseOps.td - Elementwise kiln ops ------------*- tablegen -*-===//
//
// Binary ops with numpy broadcasting, and unary ops.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_ELEMENTWISEOPS_TD
#define KILN_DIALECT_KILN_IR_ELEMENTWISEOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"

//===----------------------------------------------------------------------===//
// Elementwise binary ops (numpy broadcasting)
//===----------------------------------------------------------------------===//

class Kiln_BinaryOp<string mnemonic, string what,
                    Type operandType = Kiln_NumericTensor,
                    list<Trait> traits = []>
    : Kiln_InferredOp<mnemonic, traits> {
  let summary = "Elementwise " # what # " with numpy broadcasting";
  let description = [{
    Elementwise }] # what # [{ of `lhs` and `rhs`, broadcast against
    each other like numpy. Both operands have the same element type; the
    result has it too.
  }];
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs operandType:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_AddOp : Kiln_BinaryOp<"add", "sum", Kiln_NumericTensor, [Commutative]>;
def Kiln_SubOp : Kiln_BinaryOp<"sub", "difference">;
def Kiln_MulOp : Kiln_BinaryOp<"mul", "product", Kiln_NumericTensor,
                               [Commutative]>;
def Kiln_DivOp : Kiln_BinaryOp<"div", "quotient (integer division truncates)">;
def Kiln_PowOp : Kiln_BinaryOp<"pow", "power `lhs ^ rhs`">;
def Kiln_MaxOp : Kiln_BinaryOp<"max", "maximum (NaN propagates)",
                               Kiln_NumericTensor, [Commutative]>;
def Kiln_MinOp : Kiln_BinaryOp<"min", "minimum (NaN propagates)",
                               Kiln_NumericTensor, [Commutative]>;

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class Kiln_UnaryOp<string mnemonic, string what,
                   Type operandType = Kiln_FloatTensor>
    : Kiln_InferredOp<mnemonic> {
  let summary = "Elementwise " # what;
  let description = [{
    Applies }] # what # [{ to every element. The result has the
    operand's type.
  }];
  let arguments = (ins operandType:$input);
  let results = (outs operandType:$result);
  // `: T`, or `: T -> R` for a result type R that refines T.
  let assemblyFormat = [{
    $input attr-dict `:` custom<RefinedType>(type($input), type($result))
  }];
  let hasFolder = 1;
}

def Kiln_NegOp : Kiln_UnaryOp<"neg", "negation `-x`", Kiln_NumericTensor>;
def Kiln_AbsOp : Kiln_UnaryOp<"abs", "absolute value `|x|`",
                              Kiln_NumericTensor>;
def Kiln_ExpOp : Kiln_UnaryOp<"exp", "the exponential `e^x`">;
def Kiln_LogOp : Kiln_UnaryOp<"log", "the natural logarithm">;
def Kiln_SqrtOp : Kiln_UnaryOp<"sqrt", "the square root">;
def Kiln_TanhOp : Kiln_UnaryOp<"tanh", "the hyperbolic tangent">;
def Kiln_SigmoidOp : Kiln_UnaryOp<"sigmoid", "the logistic function "
                                  "`1 / (1 + e^-x)`">;
def Kiln_ReluOp : Kiln_UnaryOp<"relu", "the rectifier `max(x, 0)`",
                               Kiln_NumericTensor>;

#endif // KILN_DIALECT_KILN_IR_ELEMENTWISEOPS_TD
