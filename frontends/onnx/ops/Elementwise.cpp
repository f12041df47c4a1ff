//===- Elementwise.cpp - ONNX elementwise ops -----------------------------===//
//
// Broadcasting binary ops (Add, Sub, Mul, Div, Pow, Mod), variadic ones
// (Max, Min, Sum, Mean) as chains of binary kiln ops, unary math, the
// activations, Clip, and the ops that are identities at inference time
// (Identity, Dropout).
//
// Activations that are arithmetic over existing kiln ops (LeakyRelu, Elu,
// HardSigmoid, Softplus, ...) are decomposed here, following the ONNX
// definitions; fusion puts each back into one loop, and autodiff gets their
// gradients from the parts.
//
//===----------------------------------------------------------------------===//

#include "OpChain.h"

#include <cfloat>
#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

namespace {

template <typename OpTy> LogicalResult importBinary(OnnxNode &node) {
  auto lhs = node.requiredInput(0);
  auto rhs = node.requiredInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  if (getElementTypeOrSelf(lhs->getType()) !=
      getElementTypeOrSelf(rhs->getType()))
    return node.emitError() << "operands of different element types ("
                            << getElementTypeOrSelf(lhs->getType()) << " and "
                            << getElementTypeOrSelf(rhs->getType())
                            << ") are not supported";
  auto result = node.create<OpTy>(*lhs, *rhs);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Folds all inputs together with `OpTy` (Max, Min, Sum).
template <typename OpTy> FailureOr<Value> foldVariadic(OnnxNode &node) {
  auto acc = node.requiredInput(0);
  if (failed(acc))
    return failure();
  Value result = *acc;
  for (unsigned i = 1; i < node.numInputs(); ++i) {
    auto next = node.requiredInput(i);
    if (failed(next))
      return failure();
    auto combined = node.create<OpTy>(result, *next);
    if (failed(combined))
      return failure();
    result = *combined;
  }
  return result;
}

template <typename OpTy> LogicalResult importVariadic(OnnxNode &node) {
  auto result = foldVariadic<OpTy>(node);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

LogicalResult importMean(OnnxNode &node) {
  auto sum = foldVariadic<AddOp>(node);
  if (failed(sum))
    return failure();
  Value count = node.scalar(getElementTypeOrSelf(sum->getType()),
                            node.numInputs());
  auto mean = node.create<DivOp>(*sum, count);
  if (failed(mean))
    return failure();
  return node.setResult(0, *mean);
}

template <typename OpTy> LogicalResult importUnary(OnnxNode &node) {
  auto input = node.requiredInput(0);
  if (failed(input))
    return failure();
  auto result = node.create<OpTy>(*input);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Pow from version 12, whose exponent may have another element type than
/// the base. The result has the base's type: a float base takes the exponent
/// converted to its type; an integer base with a float exponent is raised in
/// double precision and truncated back (as C's pow and a cast would); two
/// integer types meet in i64, whose low bits are the power modulo 2^width.
LogicalResult importPow(OnnxNode &node) {
  OpChain chain(node);
  Value base = chain.requiredInput(0);
  Value exponent = chain.requiredInput(1);
  if (!chain.ok())
    return failure();
  Type baseType = elementTypeOf(base), exponentType = elementTypeOf(exponent);
  if (baseType == exponentType)
    return chain.setResult(0, chain.create<PowOp>(base, exponent));
  if (isa<FloatType>(baseType))
    return chain.setResult(
        0, chain.create<PowOp>(base, chain.cast(exponent, baseType)));
  Builder b(node.getContext());
  Type common = isa<FloatType>(exponentType) ? (Type)b.getF64Type()
                                             : (Type)b.getIntegerType(64);
  Value wideBase = chain.cast(base, common);
  Value wideExponent = chain.cast(exponent, common);
  Value power = chain.create<PowOp>(wideBase, wideExponent);
  return chain.setResult(0, chain.cast(power, baseType));
}

/// Mod: the floored remainder (the divisor's sign), or C's fmod with
/// `fmod=1`.
LogicalResult importMod(OnnxNode &node) {
  int64_t fmod = node.intAttr("fmod", 0);
  if (fmod != 0 && fmod != 1)
    return node.emitError() << "fmod=" << fmod << " is not supported (0 or 1)";
  return fmod ? importBinary<RemOp>(node) : importBinary<ModOp>(node);
}

/// Reciprocal: 1 / x.
LogicalResult importReciprocal(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  return chain.setResult(
      0, chain.create<DivOp>(chain.scalar(elementTypeOf(x), 1), x));
}

/// select(x < 0, x * slope, x): LeakyRelu (slope `alpha`) and PRelu (a
/// slope tensor that broadcasts to x).
LogicalResult importLeakyRelu(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  Type type = elementTypeOf(x);
  Value slope = node.opType() == "PRelu"
                    ? chain.requiredInput(1)
                    : chain.scalar(type, node.floatAttr("alpha", 0.01f));
  Value negative = chain.create<LessOp>(x, chain.scalar(type, 0));
  Value scaled = chain.create<MulOp>(x, slope);
  return chain.setResult(0, chain.create<SelectOp>(negative, scaled, x));
}

/// Elu: select(x < 0, alpha * (exp(x) - 1), x).
LogicalResult importElu(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  Type type = elementTypeOf(x);
  Value negative = chain.create<LessOp>(x, chain.scalar(type, 0));
  Value exponential = chain.create<ExpOp>(x);
  Value expm1 = chain.create<SubOp>(exponential, chain.scalar(type, 1));
  Value scaled =
      chain.create<MulOp>(expm1, chain.scalar(type, node.floatAttr("alpha", 1)));
  return chain.setResult(0, chain.create<SelectOp>(negative, scaled, x));
}

/// Selu: gamma * select(x <= 0, alpha * exp(x) - alpha, x).
LogicalResult importSelu(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  Type type = elementTypeOf(x);
  Value alpha =
      chain.scalar(type, node.floatAttr("alpha", 1.67326319217681884765625f));
  Value gamma =
      chain.scalar(type, node.floatAttr("gamma", 1.05070102214813232421875f));
  Value nonPositive = chain.create<LessEqualOp>(x, chain.scalar(type, 0));
  Value exponential =
      chain.create<SubOp>(chain.create<MulOp>(chain.create<ExpOp>(x), alpha),
                          alpha);
  Value inner = chain.create<SelectOp>(nonPositive, exponential, x);
  return chain.setResult(0, chain.create<MulOp>(inner, gamma));
}

/// Celu: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).
LogicalResult importCelu(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  Type type = elementTypeOf(x);
  Value alpha = chain.scalar(type, node.floatAttr("alpha", 1));
  Value zero = chain.scalar(type, 0);
  Value exponential = chain.create<ExpOp>(chain.create<DivOp>(x, alpha));
  Value expm1 = chain.create<SubOp>(exponential, chain.scalar(type, 1));
  Value negativePart =
      chain.create<MinOp>(chain.create<MulOp>(alpha, expm1), zero);
  return chain.setResult(
      0, chain.create<AddOp>(chain.create<MaxOp>(x, zero), negativePart));
}

/// max(0, min(1, alpha * x + beta)).
Value hardSigmoid(OpChain &chain, Value x, double alpha, double beta) {
  Type type = elementTypeOf(x);
  Value scaled = chain.create<MulOp>(x, chain.scalar(type, alpha));
  Value linear = chain.create<AddOp>(scaled, chain.scalar(type, beta));
  Value zero = chain.scalar(type, 0);
  Value one = chain.scalar(type, 1);
  return chain.clamp(linear, zero, one);
}

LogicalResult importHardSigmoid(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  return chain.setResult(0, hardSigmoid(chain, x, node.floatAttr("alpha", 0.2f),
                                        node.floatAttr("beta", 0.5f)));
}

/// HardSwish: x * HardSigmoid(x) with alpha 1/6 (as a float attribute would
/// hold it) and beta 1/2.
LogicalResult importHardSwish(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  Value gate = hardSigmoid(chain, x, 1.0f / 6.0f, 0.5);
  return chain.setResult(0, chain.create<MulOp>(x, gate));
}

/// Softplus: log(1 + exp(x)), computed as max(x, 0) + log(1 + exp(-|x|)),
/// equal in exact arithmetic, without exp overflowing for large x.
LogicalResult importSoftplus(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  Type type = elementTypeOf(x);
  Value decay =
      chain.create<ExpOp>(chain.create<NegOp>(chain.create<AbsOp>(x)));
  Value tail = chain.create<LogOp>(
      chain.create<AddOp>(decay, chain.scalar(type, 1)));
  return chain.setResult(
      0, chain.create<AddOp>(chain.create<ReluOp>(x), tail));
}

/// Softsign: x / (1 + |x|).
LogicalResult importSoftsign(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  Value magnitude = chain.create<AbsOp>(x);
  Value denominator =
      chain.create<AddOp>(magnitude, chain.scalar(elementTypeOf(x), 1));
  return chain.setResult(0, chain.create<DivOp>(x, denominator));
}

/// ThresholdedRelu: select(x > alpha, x, 0).
LogicalResult importThresholdedRelu(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  Type type = elementTypeOf(x);
  Value above = chain.create<GreaterOp>(
      x, chain.scalar(type, node.floatAttr("alpha", 1)));
  return chain.setResult(
      0, chain.create<SelectOp>(above, x, chain.scalar(type, 0)));
}

/// Shrink: x + bias below -lambd, x - bias above lambd, 0 between.
LogicalResult importShrink(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  Type type = elementTypeOf(x);
  float lambd = node.floatAttr("lambd", 0.5f), bias = node.floatAttr("bias", 0);
  if (isa<IntegerType>(type)) {
    // The thresholds and the bias would have to be rounded to the integer
    // type; which way ONNX leaves open.
    if (lambd != std::trunc(lambd) || bias != std::trunc(bias))
      return node.emitError() << "Shrink of integers with a non-integral "
                                 "lambd or bias is not supported";
    if (type.isUnsignedInteger() && lambd < 0)
      return node.emitError() << "Shrink of unsigned integers with a "
                                 "negative lambd is not supported";
  }
  Value zero = chain.scalar(type, 0);
  Value biasValue = chain.scalar(type, bias);
  Value above = chain.create<GreaterOp>(x, chain.scalar(type, lambd));
  Value result = chain.create<SelectOp>(
      above, chain.create<SubOp>(x, biasValue), zero);
  // An unsigned x is never below -lambd <= 0.
  if (!type.isUnsignedInteger()) {
    Value below = chain.create<LessOp>(x, chain.scalar(type, -lambd));
    result = chain.create<SelectOp>(
        below, chain.create<AddOp>(x, biasValue), result);
  }
  return chain.setResult(0, result);
}

/// The bounds Clip uses when one is not given: numeric_limits<T>::lowest()
/// and max() (so a float infinity is clipped to the largest finite value, as
/// ONNX says). Integers need no clamp for them.
Value defaultClipBound(OpChain &chain, Type type, bool upper) {
  auto floatType = dyn_cast<FloatType>(type);
  if (!floatType)
    return {};
  APFloat largest =
      APFloat::getLargest(floatType.getFloatSemantics(), /*Negative=*/!upper);
  bool lostInfo;
  largest.convert(APFloat::IEEEdouble(), APFloat::rmTowardZero, &lostInfo);
  return chain.scalar(type, largest.convertToDouble());
}

/// Clip before version 11: `min` and `max` attributes, defaults +-FLT_MAX.
LogicalResult importClipAttributes(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  Type type = elementTypeOf(x);
  Value low = chain.scalar(type, node.floatAttr("min", -FLT_MAX));
  Value high = chain.scalar(type, node.floatAttr("max", FLT_MAX));
  return chain.setResult(0, chain.clamp(x, low, high));
}

/// Clip from version 11: optional `min` and `max` inputs (rank-0 tensors,
/// possibly computed at run time).
LogicalResult importClipInputs(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  Type type = elementTypeOf(x);
  Value low = node.input(1), high = node.input(2);
  for (Value bound : {low, high})
    if (bound && elementTypeOf(bound) != type)
      return node.emitError() << "bounds of element type "
                              << elementTypeOf(bound) << " for an input of "
                              << type << " are not supported";
  if (!low)
    low = defaultClipBound(chain, type, /*upper=*/false);
  if (!high)
    high = defaultClipBound(chain, type, /*upper=*/true);
  return chain.setResult(0, chain.clamp(x, low, high));
}

LogicalResult importIdentity(OnnxNode &node) {
  auto input = node.requiredInput(0);
  if (failed(input))
    return failure();
  return node.setResult(0, *input);
}

/// A rank-0 constant's single value, if `attr` holds one.
std::optional<double> constantScalar(DenseElementsAttr attr) {
  if (!attr || attr.getNumElements() != 1)
    return std::nullopt;
  if (isa<FloatType>(attr.getElementType()))
    return (*attr.getValues<APFloat>().begin()).convertToDouble();
  return (double)(*attr.getValues<APInt>().begin()).getZExtValue();
}

/// Dropout. Without training mode (always before version 12, and whenever
/// `training_mode` is false) it is the identity and the mask is all true;
/// so it is with a ratio of 0. Otherwise kiln.dropout draws the mask in
/// compiled code from its seed (Kiln's own generator: the masks are not
/// numpy's), or decides at run time where a graph input says.
LogicalResult importDropout(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  Builder b(node.getContext());
  Value ratio, training;
  if (node.version() >= 12) {
    ratio = node.input(1);
    training = node.input(2);
  }
  std::optional<double> ratioValue =
      ratio ? constantScalar(node.constantInput(1)) : 0.5;
  std::optional<double> trainingValue =
      training ? constantScalar(node.constantInput(2)) : 0.0;
  bool deterministic = (trainingValue && *trainingValue == 0) ||
                       (ratioValue && *ratioValue == 0);
  if (deterministic && !node.outputUsed(1))
    return chain.setResult(0, x);

  // kiln.dropout wants rank-0 operands; ONNX's scalars may be [1] tensors.
  auto scalarOperand = [&](Value v, Type type, double value) -> Value {
    if (!v)
      return chain.scalar(type, value);
    if (tensorRank(v) == 0)
      return v;
    if (staticProduct(cast<RankedTensorType>(v.getType()).getShape()) != 1) {
      node.emitError() << "a Dropout ratio or training_mode of type "
                       << v.getType() << " is not supported (a scalar is)";
      chain.fail();
      return {};
    }
    return chain.create<ReshapeOp>(v, ArrayRef<int64_t>{});
  };
  Value ratioOperand =
      scalarOperand(ratio, ratio ? elementTypeOf(ratio) : elementTypeOf(x),
                    0.5);
  Value trainingOperand = scalarOperand(training, b.getI1Type(), 0);
  if (!chain.ok())
    return failure();
  IntegerAttr seed;
  if (node.hasAttr("seed"))
    seed = b.getI64IntegerAttr(node.intAttr("seed", 0));
  Value output =
      chain.create<DropoutOp>(x, ratioOperand, trainingOperand, seed);
  if (!chain.ok())
    return failure();
  Value mask = output.getDefiningOp<DropoutOp>().getMask();
  // Before version 10 the mask has the data's type.
  if (node.version() < 10)
    mask = chain.cast(mask, elementTypeOf(x));
  (void)chain.setResult(0, output);
  return chain.setResult(1, mask);
}

} // namespace

void mlir::kiln::registerElementwiseOps(OnnxOpRegistry &registry) {
  // Versions before 7 broadcast only with the legacy `broadcast` attribute.
  registry.add("Add", 7, kLatestOpset, importBinary<AddOp>);
  registry.add("Sub", 7, kLatestOpset, importBinary<SubOp>);
  registry.add("Mul", 7, kLatestOpset, importBinary<MulOp>);
  registry.add("Div", 7, kLatestOpset, importBinary<DivOp>);
  // Pow's exponent may have its own element type from version 12.
  registry.add("Pow", 7, 11, importBinary<PowOp>);
  registry.add("Pow", 12, kLatestOpset, importPow);
  // Mod 13 only adds bfloat16.
  registry.add("Mod", 10, kLatestOpset, importMod);
  registry.add("Max", 6, kLatestOpset, importVariadic<MaxOp>);
  registry.add("Min", 6, kLatestOpset, importVariadic<MinOp>);
  registry.add("Sum", 6, kLatestOpset, importVariadic<AddOp>);
  registry.add("Mean", 6, kLatestOpset, importMean);

  registry.add("Neg", 6, kLatestOpset, importUnary<NegOp>);
  registry.add("Abs", 6, kLatestOpset, importUnary<AbsOp>);
  registry.add("Exp", 6, kLatestOpset, importUnary<ExpOp>);
  registry.add("Log", 6, kLatestOpset, importUnary<LogOp>);
  registry.add("Sqrt", 6, kLatestOpset, importUnary<SqrtOp>);
  registry.add("Tanh", 6, kLatestOpset, importUnary<TanhOp>);
  registry.add("Sigmoid", 6, kLatestOpset, importUnary<SigmoidOp>);
  registry.add("Relu", 6, kLatestOpset, importUnary<ReluOp>);
  // Versions 6 and 13 of these differ only in the types they allow.
  registry.add("Reciprocal", 6, kLatestOpset, importReciprocal);
  registry.add("Floor", 6, kLatestOpset, importUnary<FloorOp>);
  registry.add("Ceil", 6, kLatestOpset, importUnary<CeilOp>);
  registry.add("Round", 11, kLatestOpset, importUnary<RoundOp>);
  registry.add("Sign", 9, kLatestOpset, importUnary<SignOp>);
  registry.add("Erf", 9, kLatestOpset, importUnary<ErfOp>);
  registry.add("Sin", 7, kLatestOpset, importUnary<SinOp>);
  registry.add("Cos", 7, kLatestOpset, importUnary<CosOp>);
  registry.add("Tan", 7, kLatestOpset, importUnary<TanOp>);
  registry.add("Asin", 7, kLatestOpset, importUnary<AsinOp>);
  registry.add("Acos", 7, kLatestOpset, importUnary<AcosOp>);
  registry.add("Atan", 7, kLatestOpset, importUnary<AtanOp>);
  registry.add("Sinh", 9, kLatestOpset, importUnary<SinhOp>);
  registry.add("Cosh", 9, kLatestOpset, importUnary<CoshOp>);
  registry.add("Asinh", 9, kLatestOpset, importUnary<AsinhOp>);
  registry.add("Acosh", 9, kLatestOpset, importUnary<AcoshOp>);
  registry.add("Atanh", 9, kLatestOpset, importUnary<AtanhOp>);

  // Activations, decomposed. LeakyRelu 16 and PRelu 9/16 add types only;
  // PRelu from 7 broadcasts the slope.
  registry.add("LeakyRelu", 6, kLatestOpset, importLeakyRelu);
  registry.add("PRelu", 7, kLatestOpset, importLeakyRelu);
  registry.add("Elu", 6, kLatestOpset, importElu);
  registry.add("Selu", 6, kLatestOpset, importSelu);
  registry.add("Celu", 12, kLatestOpset, importCelu);
  registry.add("HardSigmoid", 6, kLatestOpset, importHardSigmoid);
  registry.add("HardSwish", 14, kLatestOpset, importHardSwish);
  registry.add("Softplus", 1, kLatestOpset, importSoftplus);
  registry.add("Softsign", 1, kLatestOpset, importSoftsign);
  registry.add("ThresholdedRelu", 10, kLatestOpset, importThresholdedRelu);
  registry.add("Shrink", 9, kLatestOpset, importShrink);
  // Clip's bounds are attributes before version 11 and inputs from it (12
  // adds integers, 13 bfloat16).
  registry.add("Clip", 6, 10, importClipAttributes);
  registry.add("Clip", 11, kLatestOpset, importClipInputs);

  registry.add("Identity", 1, kLatestOpset, importIdentity);
  // Dropout: a ratio attribute and a data-typed mask (7), a bool mask (10),
  // ratio and training_mode inputs (12; 13 adds bfloat16).
  registry.add("Dropout", 7, kLatestOpset, importDropout);
}
