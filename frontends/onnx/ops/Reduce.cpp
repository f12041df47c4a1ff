//===- Reduce.cpp - ONNX reductions and the softmax family ----------------===//
//
// The Reduce* ops (axes as an attribute, or from ReduceSum 13 as an input
// that may be a run-time value), ArgMax/ArgMin, CumSum, TopK, and the
// softmax-like LogSoftmax and Hardmax in their pre-13 (coerced to 2-D) and
// 13+ (one axis) meanings. ReduceL1/L2/LogSum/LogSumExp/SumSquare are
// arithmetic around kiln.reduce_sum and kiln.reduce_max; Hardmax is the
// first maximum along the axis, found with a comparison and a cumsum.
//
//===----------------------------------------------------------------------===//

#include "OpChain.h"

#include "kiln/Dialect/Kiln/IR/ConstantOperands.h"

#include <limits>

using namespace mlir;
using namespace mlir::kiln;

namespace {

enum class Reduction {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  L1,
  L2,
  LogSum,
  LogSumExp,
  SumSquare
};

/// A constant rank-0 i64 tensor (an axis operand).
Value axisConstant(OnnxNode &node, int64_t axis) {
  return node.constant(
      RankedTensorType::get({}, IntegerType::get(node.getContext(), 64)),
      {(double)axis});
}

/// Builds reduction `kind` of `x` over `axes` (normalized, sorted, unique,
/// not empty).
Value buildReduction(OpChain &chain, OnnxNode &node, Reduction kind, Value x,
                     ArrayRef<int64_t> axes, bool keepdims) {
  Type type = elementTypeOf(x);
  switch (kind) {
  case Reduction::Sum:
    return chain.create<ReduceSumOp>(x, axes, keepdims);
  case Reduction::Mean:
    return chain.create<ReduceMeanOp>(x, axes, keepdims);
  case Reduction::Max:
    return chain.create<ReduceMaxOp>(x, axes, keepdims);
  case Reduction::Min:
    return chain.create<ReduceMinOp>(x, axes, keepdims);
  case Reduction::Prod:
    return chain.create<ReduceProdOp>(x, axes, keepdims);
  case Reduction::L1:
    return chain.create<ReduceSumOp>(chain.create<AbsOp>(x), axes, keepdims);
  case Reduction::SumSquare:
    return chain.create<ReduceSumOp>(chain.create<MulOp>(x, x), axes,
                                     keepdims);
  case Reduction::L2:
    return chain.create<SqrtOp>(
        chain.create<ReduceSumOp>(chain.create<MulOp>(x, x), axes, keepdims));
  case Reduction::LogSum:
    return chain.create<LogOp>(chain.create<ReduceSumOp>(x, axes, keepdims));
  case Reduction::LogSumExp: {
    // log(sum(exp(x - m))) + m with m the maximum, so that exp cannot
    // overflow; an infinite (or NaN) maximum is replaced by 0, which gives
    // the plain formula's -inf, inf or NaN.
    Value max = chain.create<ReduceMaxOp>(x, axes, /*keepdims=*/true);
    Value finite = chain.create<LessOp>(
        chain.create<AbsOp>(max),
        chain.scalar(type, std::numeric_limits<double>::infinity()));
    Value shift =
        chain.create<SelectOp>(finite, max, chain.scalar(type, 0.0));
    Value sum = chain.create<ReduceSumOp>(
        chain.create<ExpOp>(chain.create<SubOp>(x, shift)), axes, keepdims);
    if (!keepdims) {
      Value dropped = chain.create<ReduceMaxOp>(x, axes, /*keepdims=*/false);
      finite = chain.create<LessOp>(
          chain.create<AbsOp>(dropped),
          chain.scalar(type, std::numeric_limits<double>::infinity()));
      shift =
          chain.create<SelectOp>(finite, dropped, chain.scalar(type, 0.0));
    }
    return chain.create<AddOp>(chain.create<LogOp>(sum), shift);
  }
  }
  llvm_unreachable("unknown reduction");
}

/// A Reduce* node. Its axes come from the `axes` attribute or, with
/// `axesFromInput` (ReduceSum 13), from input 1, which may be a value known
/// only at run time.
template <Reduction Kind, bool AxesFromInput>
LogicalResult importReduce(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  int64_t rank = tensorRank(x);
  bool keepdims = node.intAttr("keepdims", 1) != 0;
  bool isFloat = isa<FloatType>(elementTypeOf(x));
  if (!isFloat && (Kind == Reduction::L2 || Kind == Reduction::LogSum ||
                   Kind == Reduction::LogSumExp))
    return node.emitError() << node.opType() << " of integer tensors is not "
                            << "supported";

  SmallVector<int64_t> axes;
  if (AxesFromInput) {
    if (Value axesInput = node.input(1)) {
      auto values = getConstantInts(axesInput);
      auto axesType = dyn_cast<RankedTensorType>(axesInput.getType());
      if (values) {
        axes = *values;
      } else if (!axesType || axesType.getRank() != 1 ||
                 axesType.isDynamicDim(0)) {
        return node.emitError() << "axes of unknown length are not supported";
      } else if (axesType.getDimSize(0) != 0) {
        // Known when the model runs: the dynamic form.
        return chain.setResult(0, chain.create<DynamicReduceSumOp>(
                                      x, axesInput, keepdims));
      }
    }
  } else {
    axes = node.intsAttr("axes");
  }
  if (axes.empty()) {
    // No axes: reduce everything, unless noop_with_empty_axes says not to.
    if (AxesFromInput && node.intAttr("noop_with_empty_axes", 0))
      return node.setResult(0, x);
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  for (int64_t &axis : axes) {
    auto normalized = node.normalizeAxis(axis, rank);
    if (failed(normalized))
      return failure();
    axis = *normalized;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  if (axes.empty()) {
    // A rank-0 input: every reduction of one element is a function of it.
    return node.emitError() << node.opType()
                            << " of a rank-0 tensor is not supported";
  }
  return chain.setResult(0,
                         buildReduction(chain, node, Kind, x, axes, keepdims));
}

/// ArgMax / ArgMin: axis (default 0), keepdims, select_last_index (12+).
template <typename OpTy> LogicalResult importArgReduce(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  auto axis = node.normalizeAxis(node.intAttr("axis", 0), tensorRank(x));
  if (failed(axis))
    return failure();
  bool keepdims = node.intAttr("keepdims", 1) != 0;
  bool last = node.intAttr("select_last_index", 0) != 0;
  return chain.setResult(0, chain.create<OpTy>(x, *axis, keepdims, last));
}

/// CumSum: the axis is a rank-0 input, a constant or a run-time value.
LogicalResult importCumSum(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  Value axis = chain.requiredInput(1);
  if (!chain.ok())
    return failure();
  if (cast<RankedTensorType>(axis.getType()).getRank() != 0) {
    // Some exporters write a 1-element 1-D axis; the spec says rank 0.
    auto type = cast<RankedTensorType>(axis.getType());
    if (type.getRank() != 1 || type.getDimSize(0) != 1)
      return node.emitError() << "CumSum's axis must be a rank-0 tensor, got "
                              << type;
    axis = chain.create<ReshapeOp>(axis, ArrayRef<int64_t>{});
  }
  bool exclusive = node.intAttr("exclusive", 0) != 0;
  bool reverse = node.intAttr("reverse", 0) != 0;
  return chain.setResult(0,
                         chain.create<CumSumOp>(x, axis, exclusive, reverse));
}

/// TopK: k from the attribute (before 10) or input 1; `largest` from 11.
/// `sorted` = 0 leaves the order to the implementation, which sorts.
template <bool KFromInput> LogicalResult importTopK(OnnxNode &node) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  auto axis = node.normalizeAxis(node.intAttr("axis", -1), tensorRank(x));
  if (failed(axis))
    return failure();
  Value k;
  if (KFromInput) {
    k = chain.requiredInput(1);
    if (!chain.ok())
      return failure();
    auto type = cast<RankedTensorType>(k.getType());
    if (type.getRank() == 0)
      k = chain.create<ReshapeOp>(k, ArrayRef<int64_t>{1});
    else if (type.getRank() != 1 || type.getDimSize(0) != 1)
      return node.emitError() << "TopK's K must hold one value, got " << type;
  } else {
    if (!node.hasAttr("k"))
      return node.emitError() << "TopK needs its k attribute";
    k = node.constant(
        RankedTensorType::get({1}, IntegerType::get(node.getContext(), 64)),
        {(double)node.intAttr("k", 0)});
  }
  bool largest = node.intAttr("largest", 1) != 0;
  Value values = chain.create<TopKOp>(x, k, *axis, largest);
  if (!chain.ok())
    return failure();
  (void)node.setResult(0, values);
  return node.setResult(1, values.getDefiningOp<TopKOp>().getIndices());
}

/// Builds a softmax-like op along one axis of `x`.
using AxisOpBuilder = function_ref<Value(OpChain &, Value, int64_t)>;

/// The 13+ form: along `axis` (default -1).
LogicalResult importAlongAxis(OnnxNode &node, AxisOpBuilder build) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  auto axis = node.normalizeAxis(node.intAttr("axis", -1), tensorRank(x));
  if (failed(axis))
    return failure();
  return chain.setResult(0, build(chain, x, *axis));
}

/// The pre-13 form: over all dimensions from `axis` (default 1) on, as if
/// the input were flattened to 2-D there; the shape is restored after
/// (which needs at most one dynamic dimension, for -1).
LogicalResult importCoerced2D(OnnxNode &node, AxisOpBuilder build) {
  OpChain chain(node);
  Value x = chain.requiredInput(0);
  if (!chain.ok())
    return failure();
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  auto axis = node.normalizeAxis(node.intAttr("axis", 1), rank);
  if (failed(axis))
    return failure();
  if (*axis == rank - 1)
    return chain.setResult(0, build(chain, x, *axis));
  SmallVector<int64_t> restore;
  int dynamic = 0;
  for (int64_t d : type.getShape()) {
    restore.push_back(ShapedType::isDynamic(d) ? -1 : d);
    dynamic += ShapedType::isDynamic(d);
  }
  if (dynamic > 1)
    return node.emitError() << node.opType()
                            << " (opset < 13) over several dimensions of an "
                               "input with more than one dynamic dimension "
                               "is not supported";
  Value flat = chain.create<FlattenOp>(x, *axis);
  Value result = chain.ok() ? build(chain, flat, 1) : Value();
  return chain.setResult(0, chain.create<ReshapeOp>(result, restore));
}

Value buildLogSoftmax(OpChain &chain, Value x, int64_t axis) {
  return chain.create<LogSoftmaxOp>(x, axis);
}

/// One at the first maximum along `axis`, zero elsewhere: the elements
/// equal to the maximum, of which a running count keeps the first.
Value buildHardmax(OnnxNode &node, OpChain &chain, Value x, int64_t axis) {
  Type type = elementTypeOf(x);
  Type i32 = IntegerType::get(node.getContext(), 32);
  Value max = chain.create<ReduceMaxOp>(x, ArrayRef<int64_t>{axis}, true);
  Value isMax = chain.create<EqualOp>(x, max);
  Value seen = chain.create<CumSumOp>(chain.cast(isMax, i32),
                                      axisConstant(node, axis), false, false);
  Value first = chain.create<AndOp>(
      isMax, chain.create<EqualOp>(seen, chain.scalar(i32, 1)));
  return chain.cast(first, type);
}

LogicalResult importLogSoftmax13(OnnxNode &node) {
  return importAlongAxis(node, buildLogSoftmax);
}
LogicalResult importLogSoftmaxLegacy(OnnxNode &node) {
  return importCoerced2D(node, buildLogSoftmax);
}
LogicalResult importHardmax13(OnnxNode &node) {
  return importAlongAxis(node, [&](OpChain &chain, Value x, int64_t axis) {
    return buildHardmax(node, chain, x, axis);
  });
}
LogicalResult importHardmaxLegacy(OnnxNode &node) {
  return importCoerced2D(node, [&](OpChain &chain, Value x, int64_t axis) {
    return buildHardmax(node, chain, x, axis);
  });
}

} // namespace

void mlir::kiln::registerReduceOps(OnnxOpRegistry &registry) {
  // Versions 1, 11 (negative axes), 12 (Min/Max on 8-bit integers) and 13
  // (bfloat16) share one meaning; ReduceSum 13 takes its axes as an input.
  registry.add("ReduceSum", 1, 12, importReduce<Reduction::Sum, false>);
  registry.add("ReduceSum", 13, kLatestOpset,
               importReduce<Reduction::Sum, true>);
  registry.add("ReduceMean", 1, kLatestOpset,
               importReduce<Reduction::Mean, false>);
  registry.add("ReduceMax", 1, kLatestOpset,
               importReduce<Reduction::Max, false>);
  registry.add("ReduceMin", 1, kLatestOpset,
               importReduce<Reduction::Min, false>);
  registry.add("ReduceProd", 1, kLatestOpset,
               importReduce<Reduction::Prod, false>);
  registry.add("ReduceL1", 1, kLatestOpset,
               importReduce<Reduction::L1, false>);
  registry.add("ReduceL2", 1, kLatestOpset,
               importReduce<Reduction::L2, false>);
  registry.add("ReduceLogSum", 1, kLatestOpset,
               importReduce<Reduction::LogSum, false>);
  registry.add("ReduceLogSumExp", 1, kLatestOpset,
               importReduce<Reduction::LogSumExp, false>);
  registry.add("ReduceSumSquare", 1, kLatestOpset,
               importReduce<Reduction::SumSquare, false>);
  // 11: negative axes; 12: select_last_index (absent means 0); 13: bfloat16.
  registry.add("ArgMax", 1, kLatestOpset, importArgReduce<ArgMaxOp>);
  registry.add("ArgMin", 1, kLatestOpset, importArgReduce<ArgMinOp>);
  // 14 only adds element types.
  registry.add("CumSum", 11, kLatestOpset, importCumSum);
  // 1: k is an attribute; 10: an input; 11: largest, sorted, negative axes.
  registry.add("TopK", 1, 9, importTopK<false>);
  registry.add("TopK", 10, kLatestOpset, importTopK<true>);
  registry.add("LogSoftmax", 1, 12, importLogSoftmaxLegacy);
  registry.add("LogSoftmax", 13, kLatestOpset, importLogSoftmax13);
  registry.add("Hardmax", 1, 12, importHardmaxLegacy);
  registry.add("Hardmax", 13, kLatestOpset, importHardmax13);
}
