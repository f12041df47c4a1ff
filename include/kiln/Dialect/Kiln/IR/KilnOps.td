//===- KilnOps.td - kiln dialect operations ----------------*- tablegen -*-===//
//
// Every op infers its result type (InferTypeOpInterface) as a total function:
// inference never fails, it falls back to dynamic dimensions, and the op's
// verifier reports what is wrong. That lets frontends build an op first and
// verify it with the node's location second, without fatal builder errors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNOPS_TD
#define KILN_DIALECT_KILN_IR_KILNOPS_TD

include "kiln/Dialect/Kiln/IR/KilnDialect.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Types and base classes
//===----------------------------------------------------------------------===//

def Kiln_ElementType : AnyTypeOf<[AnyFloat, AnyInteger]>;
def Kiln_Tensor : RankedTensorOf<[Kiln_ElementType]>;
def Kiln_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Kiln_NumericTensor : RankedTensorOf<[AnyFloat, AnyInteger]>;

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

// An op whose result type is inferred from operands and attributes. A result
// type that is a refinement of the inferred one (dynamic dims made static) is
// accepted.
class Kiln_InferredOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure,
        InferTypeOpAdaptorWithIsCompatible])> {
  let extraClassDefinition = [{
    bool $cppClass::isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                            ::mlir::TypeRange actual) {
      return ::mlir::kiln::areRefinementsOf(inferred, actual);
    }
  }];
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

def Kiln_ConstantOp : Kiln_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "A tensor literal (weights, shapes, scalars)";
  let description = [{
    Produces a tensor from an elements attribute: `dense<...>` for small
    values, `dense_resource<...>` for weights, so that large blobs are neither
    uniqued nor printed inline.

    ```mlir
    %w = kiln.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

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

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Kiln_MatmulOp : Kiln_InferredOp<"matmul"> {
  let summary = "Matrix product with numpy semantics";
  let description = [{
    `numpy.matmul`: the last two dimensions are multiplied, leading (batch)
    dimensions broadcast. A rank-1 `lhs` is treated as a row vector and a
    rank-1 `rhs` as a column vector, and that dimension is dropped from the
    result.

    ```mlir
    %y = kiln.matmul %x, %w : (tensor<?x784xf32>, tensor<784x512xf32>) -> tensor<?x512xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Kiln_TransposeOp : Kiln_InferredOp<"transpose"> {
  let summary = "Permutes dimensions";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]`.
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_ReshapeOp : Kiln_InferredOp<"reshape"> {
  let summary = "Reinterprets a tensor's elements under a new shape";
  let description = [{
    Keeps the elements in row-major order and gives them the shape `shape`.
    Each entry of `shape` is a size (>= 1), `0` (copy the input's dimension
    at the same index; the input must have that many dimensions), or `-1`
    (at most one: the size that keeps the element count).

    ```mlir
    %y = kiln.reshape %x, [0, -1] : tensor<?x3x4xf32> -> tensor<?x12xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $shape attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_FlattenOp : Kiln_InferredOp<"flatten"> {
  let summary = "Flattens into a matrix at an axis";
  let description = [{
    Dimensions `[0, axis)` become the rows, `[axis, rank)` the columns
    (`0 <= axis <= rank`; an empty side has size 1).
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` `axis` `=` $axis attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Reductions and softmax
//===----------------------------------------------------------------------===//

class Kiln_ReduceOp<string mnemonic, string what>
    : Kiln_InferredOp<mnemonic> {
  let summary = "Reduces with " # what # " over axes";
  let description = [{
    Reduces `input` with }] # what # [{ over `axes` (sorted, unique,
    in range; empty means no reduction). With `keepdims` the reduced
    dimensions stay as size 1, otherwise they are removed.
  }];
  let arguments = (ins Kiln_NumericTensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $input `,` $axes attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "the sum">;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "the arithmetic mean">;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "the maximum">;

def Kiln_SoftmaxOp : Kiln_InferredOp<"softmax"> {
  let summary = "Softmax along one axis";
  let description = [{
    `exp(x - max(x)) / sum(exp(x - max(x)))` along `axis`, computed in a
    numerically stable way.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` `axis` `=` $axis attr-dict `:`
    custom<RefinedType>(type($input), type($result))
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Convolution and pooling (NCHW)
//===----------------------------------------------------------------------===//

def Kiln_Conv2DOp : Kiln_InferredOp<"conv2d"> {
  let summary = "2-D convolution, NCHW input, FCHW weight";
  let description = [{
    `input` is `N x C x H x W`, `weight` is `F x C/groups x KH x KW`, the
    optional `bias` is `F`. `pads` is `[top, left, bottom, right]`; the
    output is `N x F x OH x OW` with
    `OH = (H + top + bottom - dilation_h * (KH - 1) - 1) / stride_h + 1`.
    This is cross-correlation, as in every deep-learning framework.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$weight,
                       Optional<Kiln_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

class Kiln_Pool2DOp<string mnemonic, string what,
                    dag extraArgs = (ins)>
    : Kiln_InferredOp<mnemonic> {
  let summary = what # " pooling over NCHW windows";
  let arguments = !con((ins Kiln_FloatTensor:$input,
                            DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$strides,
                            DenseI64ArrayAttr:$pads,
                            DenseI64ArrayAttr:$dilations,
                            DefaultValuedAttr<BoolAttr, "false">:$ceil_mode),
                       extraArgs);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Kiln_MaxPool2DOp : Kiln_Pool2DOp<"max_pool2d", "Max"> {
  let description = [{
    The maximum of each `kernel_shape` window. `pads` is
    `[top, left, bottom, right]`; padding never wins the maximum. With
    `ceil_mode` the output size rounds up and the last window may hang over
    the padded input; the overhang is ignored.
  }];
}

def Kiln_AvgPool2DOp : Kiln_Pool2DOp<"avg_pool2d", "Average",
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)> {
  let description = [{
    The mean of each `kernel_shape` window. With `count_include_pad` the
    divisor counts the explicit padding (but never a `ceil_mode` overhang),
    otherwise only the input elements in the window.
  }];
}

#endif // KILN_DIALECT_KILN_IR_KILNOPS_TD
