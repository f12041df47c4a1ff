//===- ElementwiseOps.td - Elementwise kiln ops ------------*- tablegen -*-===//
//
// Binary ops with numpy broadcasting (arithmetic, remainders, bitwise logic,
// shifts), comparisons to i1, the three-way select, unary math, and the
// element type conversion kiln.cast.
//
// Which ONNX ops get a kiln op here: those that need a lowering of their own
// (a math function, a rounding mode, a signedness-dependent instruction) or
// a gradient rule of their own. Activations that are arithmetic over these
// (LeakyRelu, Elu, HardSigmoid, Softplus, ...) are decomposed by the importer
// and fused back together after lowering.
//
// Booleans are i1. Like every kiln integer type, signless i1 would read as
// signed; the ops below treat i1 as the values 0 and 1 (false and true)
// wherever the difference shows (cast, comparison).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_ELEMENTWISEOPS_TD
#define KILN_DIALECT_KILN_IR_ELEMENTWISEOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"

def Kiln_IntegerTensor : RankedTensorOf<[AnyInteger]>;
def Kiln_BoolTensor : RankedTensorOf<[I1]>;

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
// Two remainders, because ONNX's Mod has both and they differ in sign: the
// truncated one is what hardware computes, the floored one what Python's `%`
// and numpy.mod compute. Division by zero is undefined (as in ONNX) but never
// undefined behaviour: the integer lowering divides by 1 instead.
def Kiln_RemOp : Kiln_BinaryOp<"rem",
    "remainder of truncated division (the sign of `lhs`, as C's fmod)">;
def Kiln_ModOp : Kiln_BinaryOp<"mod",
    "remainder of floored division (the sign of `rhs`, as Python's %)">;
def Kiln_AndOp : Kiln_BinaryOp<"and", "bitwise AND (logical AND on i1)",
                               Kiln_IntegerTensor, [Commutative]>;
def Kiln_OrOp : Kiln_BinaryOp<"or", "bitwise OR (logical OR on i1)",
                              Kiln_IntegerTensor, [Commutative]>;
def Kiln_XorOp : Kiln_BinaryOp<"xor", "bitwise XOR (logical XOR on i1)",
                               Kiln_IntegerTensor, [Commutative]>;
// The shift amount `rhs` reads as unsigned. Shifting by the bit width or more
// is defined (unlike LLVM's shl): the bits all leave, so the result is 0, or
// the sign for an arithmetic right shift.
def Kiln_ShiftLeftOp : Kiln_BinaryOp<"shift_left",
    "left shift `lhs << rhs` (0 once `rhs` reaches the bit width)",
    Kiln_IntegerTensor>;
def Kiln_ShiftRightOp : Kiln_BinaryOp<"shift_right",
    "right shift `lhs >> rhs`, arithmetic for signed types and logical for "
    "unsigned ones (all sign bits once `rhs` reaches the bit width)",
    Kiln_IntegerTensor>;

//===----------------------------------------------------------------------===//
// Comparisons (numpy broadcasting, i1 results)
//===----------------------------------------------------------------------===//

class Kiln_CompareOp<string mnemonic, string what, list<Trait> traits = []>
    : Kiln_InferredOp<mnemonic, traits> {
  let summary = "Elementwise `" # what # "` comparison with numpy "
                "broadcasting";
  let description = [{
    Compares `lhs` }] # what # [{ `rhs` elementwise, broadcast against each
    other like numpy, giving i1. Both operands have one element type; it
    decides signed or unsigned comparison of integers (i1 is unsigned:
    false < true). Floats compare ordered: any comparison with NaN is false.
  }];
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs);
  let results = (outs Kiln_BoolTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_EqualOp : Kiln_CompareOp<"equal", "==", [Commutative]>;
def Kiln_LessOp : Kiln_CompareOp<"less", "<">;
def Kiln_LessEqualOp : Kiln_CompareOp<"less_equal", "<=">;
def Kiln_GreaterOp : Kiln_CompareOp<"greater", ">">;
def Kiln_GreaterEqualOp : Kiln_CompareOp<"greater_equal", ">=">;

//===----------------------------------------------------------------------===//
// Select
//===----------------------------------------------------------------------===//

def Kiln_SelectOp : Kiln_InferredOp<"select"> {
  let summary = "Elementwise choice between two tensors, numpy broadcasting";
  let description = [{
    `condition ? true_value : false_value` elementwise, the three operands
    broadcast against each other like numpy (ONNX's Where). The values have
    one element type, the result has it too.

    ```mlir
    %y = kiln.select %c, %a, %b : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_BoolTensor:$condition, Kiln_Tensor:$true_value,
                       Kiln_Tensor:$false_value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $true_value `,` $false_value attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

def Kiln_DropoutOp : Kiln_InferredOp<"dropout"> {
  let summary = "Dropout, decided at run time";
  let description = [{
    In training (`training` true and `ratio` not 0), each element is kept
    with probability `1 - ratio` and scaled by `1 / (1 - ratio)`, the others
    are zeroed; `mask` says which were kept. Otherwise `output` is `input`
    and `mask` is all true.

    The mask is a pure function of (`seed`, `step`, element index): a
    counter-based generator (a 64-bit integer hash of the three, whose top
    24 bits are a uniform number `u` in [0, 1); the element is kept when
    `u >= ratio`), so it is computed in parallel and is the same on every
    run with the same seed and step. `seed` defaults to 0; `step` (an i64
    scalar, 0 when absent) is what makes masks differ between training
    steps: the training step passes its own counter there. Frontends give
    different dropout ops different seeds so that their masks are
    independent.

    Frontends use this op only where `ratio` or `training` are known at run
    time alone (ONNX Dropout with them as graph inputs) or where the
    training step switches `training` on (the C++ DSL's Dropout layer, whose
    op carries `kiln.train_mode`; see docs/training.md); with constants they
    build the identity.

    ```mlir
    %y, %mask = kiln.dropout %x, %ratio, %training step %counter {seed = 7 : i64} : (tensor<?x8xf32>, tensor<f32>, tensor<i1>, tensor<i64>) -> (tensor<?x8xf32>, tensor<?x8xi1>)
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, 0DTensorOf<[AnyFloat]>:$ratio,
                       0DTensorOf<[I1]>:$training,
                       Optional<0DTensorOf<[I64]>>:$step,
                       OptionalAttr<I64Attr>:$seed);
  let results = (outs Kiln_FloatTensor:$output, Kiln_BoolTensor:$mask);
  let assemblyFormat = [{
    $input `,` $ratio `,` $training (`step` $step^)? attr-dict `:`
    functional-type(operands, results)
  }];
  // Without a step (the form frontends built before steps existed).
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$ratio,
                   "::mlir::Value":$training, "::mlir::IntegerAttr":$seed), [{
      build($_builder, $_state, input, ratio, training, ::mlir::Value(), seed);
    }]>
  ];
}

//===----------------------------------------------------------------------===//
// Cast
//===----------------------------------------------------------------------===//

def Kiln_CastOp : Kiln_InferredOp<"cast"> {
  let summary = "Elementwise conversion to another element type";
  let description = [{
    Converts every element to the element type `to` (the result's), keeping
    the shape. Integer signedness comes from the types (i1 is unsigned, 0 or
    1):

    * float to float, integer to float: rounded to nearest, ties to even;
    * float to integer: truncated toward zero, saturating at the target's
      bounds (infinities too); NaN becomes 0;
    * integer to integer: wrapped to the target width (sign- or
      zero-extended from the source's signedness when widening);
    * anything to i1: `x != 0` (NaN is true).

    ```mlir
    %y = kiln.cast %x : tensor<?x4xf32> -> tensor<?x4xui8>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, TypeAttrOf<Kiln_ElementType>:$to);
  let results = (outs Kiln_Tensor:$result);
  // The target element type is the result's; `to` is not spelled twice.
  let assemblyFormat = [{
    $input attr-dict `:` custom<CastTypes>(type($input), $to, type($result))
  }];
  let hasFolder = 1;
}

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
def Kiln_SignOp : Kiln_UnaryOp<"sign", "the sign (-1, 0 or 1; NaN stays NaN)",
                               Kiln_NumericTensor>;
def Kiln_NotOp : Kiln_UnaryOp<"not",
                              "bitwise complement (logical NOT on i1)",
                              Kiln_IntegerTensor>;

// Rounding to integral values (the result stays a float).
def Kiln_FloorOp : Kiln_UnaryOp<"floor", "rounding down to an integer">;
def Kiln_CeilOp : Kiln_UnaryOp<"ceil", "rounding up to an integer">;
def Kiln_RoundOp : Kiln_UnaryOp<"round",
    "rounding to the nearest integer, halves to even">;

// Transcendental functions.
def Kiln_ErfOp : Kiln_UnaryOp<"erf", "the error function">;
def Kiln_SinOp : Kiln_UnaryOp<"sin", "the sine">;
def Kiln_CosOp : Kiln_UnaryOp<"cos", "the cosine">;
def Kiln_TanOp : Kiln_UnaryOp<"tan", "the tangent">;
def Kiln_AsinOp : Kiln_UnaryOp<"asin", "the arcsine">;
def Kiln_AcosOp : Kiln_UnaryOp<"acos", "the arccosine">;
def Kiln_AtanOp : Kiln_UnaryOp<"atan", "the arctangent">;
def Kiln_SinhOp : Kiln_UnaryOp<"sinh", "the hyperbolic sine">;
def Kiln_CoshOp : Kiln_UnaryOp<"cosh", "the hyperbolic cosine">;
def Kiln_AsinhOp : Kiln_UnaryOp<"asinh", "the inverse hyperbolic sine">;
def Kiln_AcoshOp : Kiln_UnaryOp<"acosh", "the inverse hyperbolic cosine">;
def Kiln_AtanhOp : Kiln_UnaryOp<"atanh", "the inverse hyperbolic tangent">;

#endif // KILN_DIALECT_KILN_IR_ELEMENTWISEOPS_TD
