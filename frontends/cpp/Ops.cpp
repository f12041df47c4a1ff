//===- Ops.cpp - DSL functions and operators over kiln ops ----------------===//
//
// One function per kiln op the DSL exposes, each a thin call of
// GraphImpl::build (so every shape error is reported with the shapes), and
// the activations that are compositions of them (GELU, SiLU, ...), written
// as the formulas they are.
//
//===----------------------------------------------------------------------===//

#include "GraphImpl.h"

#include <cmath>

using namespace kiln::dsl;
using namespace kiln::dsl::detail;
namespace mk = mlir::kiln;

namespace {

template <typename OpTy> Tensor binary(const Tensor &a, const Tensor &b) {
  GraphImpl &g = graphOf(a, b);
  mlir::Value x = valueOf(a), y = valueOf(b);
  return g.wrap(g.build<OpTy>({x, y}, x, y));
}

template <typename OpTy> Tensor unary(const Tensor &a) {
  GraphImpl &g = graphOf(a);
  mlir::Value x = valueOf(a);
  return g.wrap(g.build<OpTy>({x}, x));
}

/// A rank-0 constant of `like`'s element type.
Tensor scalarLike(const Tensor &like, double value) {
  GraphImpl &g = graphOf(like);
  mlir::Type et = mlir::getElementTypeOrSelf(valueOf(like).getType());
  return g.wrap(g.constant({}, {value}, et));
}

/// Axes normalized against `rank` (negative counts from the end), sorted,
/// checked for range and repeats.
std::vector<int64_t> normalizeAxes(GraphImpl &g, llvm::StringRef op,
                                   std::vector<int64_t> axes, int64_t rank,
                                   bool emptyMeansAll) {
  if (axes.empty() && emptyMeansAll)
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  for (int64_t &a : axes) {
    if (a < -rank || a >= rank)
      g.fail(g.where(op) + ": axis " + std::to_string(a) +
             " is out of range for rank " + std::to_string(rank));
    if (a < 0)
      a += rank;
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    g.fail(g.where(op) + ": an axis is listed twice");
  return axes;
}

int64_t normalizeAxis(GraphImpl &g, llvm::StringRef op, int64_t axis,
                      int64_t rank) {
  return normalizeAxes(g, op, {axis}, rank, false)[0];
}

template <typename OpTy>
Tensor reduce(llvm::StringRef name, const Tensor &x, std::vector<int64_t> axes,
              bool keepDims) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  axes = normalizeAxes(g, name, axes, x.rank(), true);
  return g.wrap(g.build<OpTy>({v}, v, llvm::ArrayRef<int64_t>(axes), keepDims));
}

} // namespace

namespace kiln::dsl {

Tensor add(const Tensor &a, const Tensor &b) { return binary<mk::AddOp>(a, b); }
Tensor sub(const Tensor &a, const Tensor &b) { return binary<mk::SubOp>(a, b); }
Tensor mul(const Tensor &a, const Tensor &b) { return binary<mk::MulOp>(a, b); }
Tensor div(const Tensor &a, const Tensor &b) { return binary<mk::DivOp>(a, b); }
Tensor pow(const Tensor &a, const Tensor &b) { return binary<mk::PowOp>(a, b); }
Tensor pow(const Tensor &a, double e) { return pow(a, scalarLike(a, e)); }
Tensor maximum(const Tensor &a, const Tensor &b) {
  return binary<mk::MaxOp>(a, b);
}
Tensor minimum(const Tensor &a, const Tensor &b) {
  return binary<mk::MinOp>(a, b);
}
Tensor matmul(const Tensor &a, const Tensor &b) {
  return binary<mk::MatmulOp>(a, b);
}

Tensor operator+(const Tensor &a, const Tensor &b) { return add(a, b); }
Tensor operator-(const Tensor &a, const Tensor &b) { return sub(a, b); }
Tensor operator*(const Tensor &a, const Tensor &b) { return mul(a, b); }
Tensor operator/(const Tensor &a, const Tensor &b) { return div(a, b); }
Tensor operator+(const Tensor &a, double b) { return add(a, scalarLike(a, b)); }
Tensor operator-(const Tensor &a, double b) { return sub(a, scalarLike(a, b)); }
Tensor operator*(const Tensor &a, double b) { return mul(a, scalarLike(a, b)); }
Tensor operator/(const Tensor &a, double b) { return div(a, scalarLike(a, b)); }
Tensor operator+(double a, const Tensor &b) { return add(scalarLike(b, a), b); }
Tensor operator-(double a, const Tensor &b) { return sub(scalarLike(b, a), b); }
Tensor operator*(double a, const Tensor &b) { return mul(scalarLike(b, a), b); }
Tensor operator/(double a, const Tensor &b) { return div(scalarLike(b, a), b); }
Tensor operator-(const Tensor &a) { return neg(a); }

Tensor equal(const Tensor &a, const Tensor &b) {
  return binary<mk::EqualOp>(a, b);
}
Tensor less(const Tensor &a, const Tensor &b) {
  return binary<mk::LessOp>(a, b);
}
Tensor lessEqual(const Tensor &a, const Tensor &b) {
  return binary<mk::LessEqualOp>(a, b);
}
Tensor greater(const Tensor &a, const Tensor &b) {
  return binary<mk::GreaterOp>(a, b);
}
Tensor greaterEqual(const Tensor &a, const Tensor &b) {
  return binary<mk::GreaterEqualOp>(a, b);
}
Tensor select(const Tensor &c, const Tensor &t, const Tensor &f) {
  GraphImpl &g = graphOf(c, t);
  mlir::Value cv = valueOf(c), tv = valueOf(t), fv = valueOf(f, &g);
  return g.wrap(g.build<mk::SelectOp>({cv, tv, fv}, cv, tv, fv));
}

Tensor neg(const Tensor &x) { return unary<mk::NegOp>(x); }
Tensor abs(const Tensor &x) { return unary<mk::AbsOp>(x); }
Tensor exp(const Tensor &x) { return unary<mk::ExpOp>(x); }
Tensor log(const Tensor &x) { return unary<mk::LogOp>(x); }
Tensor sqrt(const Tensor &x) { return unary<mk::SqrtOp>(x); }
Tensor erf(const Tensor &x) { return unary<mk::ErfOp>(x); }
Tensor sin(const Tensor &x) { return unary<mk::SinOp>(x); }
Tensor cos(const Tensor &x) { return unary<mk::CosOp>(x); }
Tensor floor(const Tensor &x) { return unary<mk::FloorOp>(x); }
Tensor ceil(const Tensor &x) { return unary<mk::CeilOp>(x); }
Tensor sign(const Tensor &x) { return unary<mk::SignOp>(x); }
Tensor relu(const Tensor &x) { return unary<mk::ReluOp>(x); }
Tensor sigmoid(const Tensor &x) { return unary<mk::SigmoidOp>(x); }
Tensor tanh(const Tensor &x) { return unary<mk::TanhOp>(x); }

Tensor softmax(const Tensor &x, int64_t axis) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  axis = normalizeAxis(g, "kiln.softmax", axis, x.rank());
  return g.wrap(g.build<mk::SoftmaxOp>({v}, v, (uint64_t)axis));
}

Tensor logSoftmax(const Tensor &x, int64_t axis) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  axis = normalizeAxis(g, "kiln.log_softmax", axis, x.rank());
  return g.wrap(g.build<mk::LogSoftmaxOp>({v}, v, (uint64_t)axis));
}

Tensor leakyRelu(const Tensor &x, double alpha) {
  // max(x, alpha x) is exact for 0 <= alpha <= 1; select covers the rest.
  return select(greater(x, scalarLike(x, 0)), x, x * alpha);
}

Tensor elu(const Tensor &x, double alpha) {
  return select(greater(x, scalarLike(x, 0)), x, (exp(x) - 1.0) * alpha);
}

Tensor gelu(const Tensor &x) {
  return x * (erf(x * (1.0 / std::sqrt(2.0))) + 1.0) * 0.5;
}

Tensor silu(const Tensor &x) { return x * sigmoid(x); }

Tensor softplus(const Tensor &x) {
  // log(1 + exp(x)) = max(x, 0) + log(1 + exp(-|x|)): no overflow.
  return relu(x) + log(exp(-abs(x)) + 1.0);
}

Tensor reduceSum(const Tensor &x, std::vector<int64_t> axes, bool keepDims) {
  return reduce<mk::ReduceSumOp>("kiln.reduce_sum", x, axes, keepDims);
}
Tensor reduceMean(const Tensor &x, std::vector<int64_t> axes, bool keepDims) {
  return reduce<mk::ReduceMeanOp>("kiln.reduce_mean", x, axes, keepDims);
}
Tensor reduceMax(const Tensor &x, std::vector<int64_t> axes, bool keepDims) {
  return reduce<mk::ReduceMaxOp>("kiln.reduce_max", x, axes, keepDims);
}
Tensor reduceMin(const Tensor &x, std::vector<int64_t> axes, bool keepDims) {
  return reduce<mk::ReduceMinOp>("kiln.reduce_min", x, axes, keepDims);
}

Tensor transpose(const Tensor &x, std::vector<int64_t> permutation) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  return g.wrap(
      g.build<mk::TransposeOp>({v}, v, llvm::ArrayRef<int64_t>(permutation)));
}

Tensor reshape(const Tensor &x, std::vector<int64_t> shape) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  return g.wrap(g.build<mk::ReshapeOp>({v}, v, llvm::ArrayRef<int64_t>(shape)));
}

Tensor flatten(const Tensor &x, int64_t axis) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  if (axis < 0)
    axis += x.rank();
  return g.wrap(g.build<mk::FlattenOp>({v}, v, (uint64_t)axis));
}

Tensor concat(const std::vector<Tensor> &xs, int64_t axis) {
  if (xs.empty())
    throw Error("concat needs at least one tensor");
  GraphImpl &g = graphOf(xs[0]);
  llvm::SmallVector<mlir::Value> values;
  for (const Tensor &t : xs)
    values.push_back(valueOf(t, &g));
  axis = normalizeAxis(g, "kiln.concat", axis, xs[0].rank());
  return g.wrap(g.build<mk::ConcatOp>(values, values, (uint64_t)axis));
}

Tensor slice(const Tensor &x, int64_t axis, int64_t start, int64_t end,
             int64_t step) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  axis = normalizeAxis(g, "kiln.slice", axis, x.rank());
  return g.wrap(
      g.build<mk::SliceOp>({v}, v, g.indexVector({start}), g.indexVector({end}),
                           g.indexVector({axis}), g.indexVector({step})));
}

Tensor unsqueeze(const Tensor &x, std::vector<int64_t> axes) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  return g.wrap(g.build<mk::UnsqueezeOp>({v}, v, g.indexVector(axes)));
}

Tensor squeeze(const Tensor &x, std::vector<int64_t> axes) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  return g.wrap(g.build<mk::SqueezeOp>({v}, v, g.indexVector(axes)));
}

Tensor gather(const Tensor &table, const Tensor &indices, int64_t axis) {
  GraphImpl &g = graphOf(table, indices);
  mlir::Value t = valueOf(table), i = valueOf(indices);
  axis = normalizeAxis(g, "kiln.gather", axis, table.rank());
  return g.wrap(g.build<mk::GatherOp>({t, i}, t, i, (uint64_t)axis));
}

Tensor cast(const Tensor &x, DType dtype) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  return g.wrap(g.build<mk::CastOp>({v}, v, g.elementType(dtype)));
}

Tensor conv2d(const Tensor &input, const Tensor &weight, const Tensor &bias,
              std::vector<int64_t> strides, std::vector<int64_t> pads,
              std::vector<int64_t> dilations, int64_t groups) {
  GraphImpl &g = graphOf(input, weight);
  mlir::Value x = valueOf(input), w = valueOf(weight);
  mlir::Value b = bias ? valueOf(bias, &g) : mlir::Value();
  llvm::SmallVector<mlir::Value> shapes = {x, w};
  if (b)
    shapes.push_back(b);
  return g.wrap(g.build<mk::Conv2DOp>(
      shapes, x, w, b, llvm::ArrayRef<int64_t>(strides),
      llvm::ArrayRef<int64_t>(pads), llvm::ArrayRef<int64_t>(dilations),
      (uint64_t)groups));
}

Tensor maxPool2d(const Tensor &input, std::vector<int64_t> kernel,
                 std::vector<int64_t> strides, std::vector<int64_t> pads) {
  GraphImpl &g = graphOf(input);
  mlir::Value x = valueOf(input);
  if (strides.empty())
    strides = kernel;
  return g.wrap(g.build<mk::MaxPool2DOp>(
      {x}, x, llvm::ArrayRef<int64_t>(kernel), llvm::ArrayRef<int64_t>(strides),
      llvm::ArrayRef<int64_t>(pads), llvm::ArrayRef<int64_t>({1, 1}), false));
}

Tensor avgPool2d(const Tensor &input, std::vector<int64_t> kernel,
                 std::vector<int64_t> strides, std::vector<int64_t> pads,
                 bool countIncludePad) {
  GraphImpl &g = graphOf(input);
  mlir::Value x = valueOf(input);
  if (strides.empty())
    strides = kernel;
  return g.wrap(g.build<mk::AvgPool2DOp>(
      {x}, x, llvm::ArrayRef<int64_t>(kernel), llvm::ArrayRef<int64_t>(strides),
      llvm::ArrayRef<int64_t>(pads), llvm::ArrayRef<int64_t>({1, 1}), false,
      countIncludePad));
}

Tensor layerNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                 int64_t axis, double epsilon) {
  GraphImpl &g = graphOf(x, scale);
  mlir::Value v = valueOf(x), s = valueOf(scale), b = valueOf(bias, &g);
  axis = normalizeAxis(g, "kiln.layer_norm", axis, x.rank());
  auto op = g.build<mk::LayerNormOp>({v, s, b}, v, s, b, (uint64_t)axis,
                                     llvm::APFloat(epsilon));
  return g.wrap(op.getResult());
}

Tensor batchNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                 const Tensor &mean, const Tensor &variance, double epsilon) {
  GraphImpl &g = graphOf(x, scale);
  mlir::Value v = valueOf(x), s = valueOf(scale), b = valueOf(bias, &g),
              m = valueOf(mean, &g), var = valueOf(variance, &g);
  return g.wrap(g.build<mk::BatchNormOp>({v, s, b, m, var}, v, s, b, m, var,
                                         llvm::APFloat(epsilon)));
}

} // namespace kiln::dsl

//===----------------------------------------------------------------------===//
// The rest of the user-facing kiln ops: remainders, bitwise logic, more math,
// indexing, shapes as tensors, resampling, linear algebra and losses. Where
// an op takes a scalar or a small vector as an operand (a diagonal, a depth,
// an axis), the DSL takes a number and makes the constant.
//===----------------------------------------------------------------------===//

namespace {

/// The element type of `t`'s value.
mlir::Type elementTypeOf(const Tensor &t) {
  return mlir::getElementTypeOrSelf(valueOf(t).getType());
}

/// Throws unless `t` has rank `rank` (for ops whose type inference needs
/// it).
void expectRank(GraphImpl &g, llvm::StringRef op, const char *what,
                const Tensor &t, int64_t rank) {
  if (t.rank() != rank)
    g.fail(g.where(op) + ": expects " + what + " of rank " +
           std::to_string(rank) + ", got shape " + shapeString(t.shape()));
}

llvm::StringRef reductionName(ScatterReduction r) {
  switch (r) {
  case ScatterReduction::None:
    return "none";
  case ScatterReduction::Add:
    return "add";
  case ScatterReduction::Mul:
    return "mul";
  }
  return "none";
}

/// A rank-0 i64 constant.
mlir::Value i64Scalar(GraphImpl &g, int64_t value) {
  return g.constant({}, {(double)value}, g.builder.getI64Type());
}

template <typename OpTy>
Tensor loss(const Tensor &prediction, const Tensor &target) {
  return binary<OpTy>(prediction, target);
}

template <typename OpTy>
Tensor argReduce(llvm::StringRef name, const Tensor &x, int64_t axis,
                 bool keepDims, bool selectLast) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  axis = normalizeAxis(g, name, axis, x.rank());
  return g.wrap(
      g.build<OpTy>({v}, v, (uint64_t)axis, keepDims, selectLast).getResult());
}

} // namespace

namespace kiln::dsl {

Tensor rem(const Tensor &a, const Tensor &b) { return binary<mk::RemOp>(a, b); }
Tensor mod(const Tensor &a, const Tensor &b) { return binary<mk::ModOp>(a, b); }
Tensor bitwiseAnd(const Tensor &a, const Tensor &b) {
  return binary<mk::AndOp>(a, b);
}
Tensor bitwiseOr(const Tensor &a, const Tensor &b) {
  return binary<mk::OrOp>(a, b);
}
Tensor bitwiseXor(const Tensor &a, const Tensor &b) {
  return binary<mk::XorOp>(a, b);
}
Tensor bitwiseNot(const Tensor &x) { return unary<mk::NotOp>(x); }
Tensor operator&(const Tensor &a, const Tensor &b) { return bitwiseAnd(a, b); }
Tensor operator|(const Tensor &a, const Tensor &b) { return bitwiseOr(a, b); }
Tensor operator^(const Tensor &a, const Tensor &b) { return bitwiseXor(a, b); }
Tensor operator~(const Tensor &x) { return bitwiseNot(x); }
Tensor shiftLeft(const Tensor &a, const Tensor &b) {
  return binary<mk::ShiftLeftOp>(a, b);
}
Tensor shiftRight(const Tensor &a, const Tensor &b) {
  return binary<mk::ShiftRightOp>(a, b);
}

Tensor round(const Tensor &x) { return unary<mk::RoundOp>(x); }
Tensor tan(const Tensor &x) { return unary<mk::TanOp>(x); }
Tensor asin(const Tensor &x) { return unary<mk::AsinOp>(x); }
Tensor acos(const Tensor &x) { return unary<mk::AcosOp>(x); }
Tensor atan(const Tensor &x) { return unary<mk::AtanOp>(x); }
Tensor sinh(const Tensor &x) { return unary<mk::SinhOp>(x); }
Tensor cosh(const Tensor &x) { return unary<mk::CoshOp>(x); }
Tensor asinh(const Tensor &x) { return unary<mk::AsinhOp>(x); }
Tensor acosh(const Tensor &x) { return unary<mk::AcoshOp>(x); }
Tensor atanh(const Tensor &x) { return unary<mk::AtanhOp>(x); }

Tensor reduceProd(const Tensor &x, std::vector<int64_t> axes, bool keepDims) {
  return reduce<mk::ReduceProdOp>("kiln.reduce_prod", x, axes, keepDims);
}

Tensor dynamicReduceSum(const Tensor &x, const Tensor &axes, bool keepDims) {
  GraphImpl &g = graphOf(x, axes);
  mlir::Value v = valueOf(x), a = valueOf(axes);
  expectRank(g, "kiln.dynamic_reduce_sum", "axes", axes, 1);
  if (axes.dim(0) == dyn || axes.dim(0) == 0)
    g.fail(g.where("kiln.dynamic_reduce_sum") +
           ": the axes tensor needs a static, non-zero length, got shape " +
           shapeString(axes.shape()));
  return g.wrap(g.build<mk::DynamicReduceSumOp>({v, a}, v, a, keepDims));
}

Tensor argmax(const Tensor &x, int64_t axis, bool keepDims,
              bool selectLastIndex) {
  return argReduce<mk::ArgMaxOp>("kiln.argmax", x, axis, keepDims,
                                 selectLastIndex);
}

Tensor argmin(const Tensor &x, int64_t axis, bool keepDims,
              bool selectLastIndex) {
  return argReduce<mk::ArgMinOp>("kiln.argmin", x, axis, keepDims,
                                 selectLastIndex);
}

Tensor cumsum(const Tensor &x, int64_t axis, bool exclusive, bool reverse) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  axis = normalizeAxis(g, "kiln.cumsum", axis, x.rank());
  return g.wrap(
      g.build<mk::CumSumOp>({v}, v, i64Scalar(g, axis), exclusive, reverse));
}

ValuesAndIndices topK(const Tensor &x, int64_t k, int64_t axis, bool largest) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  axis = normalizeAxis(g, "kiln.topk", axis, x.rank());
  if (k < 0)
    g.fail(g.where("kiln.topk") + ": k must not be negative, got " +
           std::to_string(k));
  auto op =
      g.build<mk::TopKOp>({v}, v, g.indexVector({k}), (uint64_t)axis, largest);
  return {g.wrap(op.getValues()), g.wrap(op.getIndices())};
}

Tensor gatherElements(const Tensor &x, const Tensor &indices, int64_t axis) {
  GraphImpl &g = graphOf(x, indices);
  mlir::Value v = valueOf(x), i = valueOf(indices);
  axis = normalizeAxis(g, "kiln.gather_elements", axis, x.rank());
  return g.wrap(g.build<mk::GatherElementsOp>({v, i}, v, i, (uint64_t)axis));
}

Tensor gatherND(const Tensor &x, const Tensor &indices, int64_t batchDims) {
  GraphImpl &g = graphOf(x, indices);
  mlir::Value v = valueOf(x), i = valueOf(indices);
  if (indices.rank() < 1 || indices.dim(-1) == dyn)
    g.fail(g.where("kiln.gather_nd") +
           ": expects indices whose last dimension is static, got shape " +
           shapeString(indices.shape()));
  if (batchDims < 0)
    g.fail(g.where("kiln.gather_nd") + ": batchDims must not be negative");
  return g.wrap(g.build<mk::GatherNDOp>({v, i}, v, i, (uint64_t)batchDims));
}

Tensor scatterElements(const Tensor &x, const Tensor &indices,
                       const Tensor &updates, int64_t axis,
                       ScatterReduction reduction) {
  GraphImpl &g = graphOf(x, indices);
  mlir::Value v = valueOf(x), i = valueOf(indices), u = valueOf(updates, &g);
  axis = normalizeAxis(g, "kiln.scatter_elements", axis, x.rank());
  return g.wrap(g.build<mk::ScatterElementsOp>(
      {v, i, u}, v, i, u, (uint64_t)axis, reductionName(reduction)));
}

Tensor scatterND(const Tensor &x, const Tensor &indices, const Tensor &updates,
                 ScatterReduction reduction) {
  GraphImpl &g = graphOf(x, indices);
  mlir::Value v = valueOf(x), i = valueOf(indices), u = valueOf(updates, &g);
  return g.wrap(
      g.build<mk::ScatterNDOp>({v, i, u}, v, i, u, reductionName(reduction)));
}

Tensor nonZero(const Tensor &x) { return unary<mk::NonZeroOp>(x); }

static Tensor trilu(const Tensor &x, int64_t k, bool upper) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  return g.wrap(g.build<mk::TriluOp>({v}, v, i64Scalar(g, k), upper));
}
Tensor triu(const Tensor &x, int64_t k) { return trilu(x, k, true); }
Tensor tril(const Tensor &x, int64_t k) { return trilu(x, k, false); }

Tensor oneHot(const Tensor &indices, int64_t depth, int64_t axis, DType dtype,
              double offValue, double onValue) {
  GraphImpl &g = graphOf(indices);
  mlir::Value i = valueOf(indices);
  // The new dimension may go anywhere in [0, rank]: -1 is the end.
  int64_t rank = indices.rank() + 1;
  axis = normalizeAxis(g, "kiln.one_hot", axis, rank);
  if (depth <= 0)
    g.fail(g.where("kiln.one_hot") + ": depth must be positive, got " +
           std::to_string(depth));
  mlir::Value values =
      g.constant({2}, {offValue, onValue}, g.elementType(dtype));
  return g.wrap(g.build<mk::OneHotOp>({i}, i, i64Scalar(g, depth), values,
                                      (uint64_t)axis));
}

Tensor reverseSequence(const Tensor &x, const Tensor &lengths,
                       int64_t batchAxis, int64_t timeAxis) {
  GraphImpl &g = graphOf(x, lengths);
  mlir::Value v = valueOf(x), l = valueOf(lengths);
  batchAxis = normalizeAxis(g, "kiln.reverse_sequence", batchAxis, x.rank());
  timeAxis = normalizeAxis(g, "kiln.reverse_sequence", timeAxis, x.rank());
  return g.wrap(g.build<mk::ReverseSequenceOp>(
      {v, l}, v, l, (uint64_t)batchAxis, (uint64_t)timeAxis));
}

Tensor shapeTensor(const Tensor &x, int64_t start, std::optional<int64_t> end) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  int64_t rank = x.rank();
  int64_t e = end.value_or(rank);
  if (start < 0)
    start += rank;
  if (e < 0)
    e += rank;
  if (start < 0 || e > rank || start > e)
    g.fail(g.where("kiln.shape_of") + ": dimensions [" + std::to_string(start) +
           ", " + std::to_string(e) +
           ") are not a range of a tensor of shape " + shapeString(x.shape()));
  return g.wrap(g.build<mk::ShapeOfOp>({v}, v, (uint64_t)start, (uint64_t)e));
}

Tensor dynamicReshape(const Tensor &x, const Tensor &shape, bool allowZero) {
  GraphImpl &g = graphOf(x, shape);
  mlir::Value v = valueOf(x), s = valueOf(shape);
  expectRank(g, "kiln.dynamic_reshape", "a shape", shape, 1);
  if (shape.dim(0) == dyn)
    g.fail(g.where("kiln.dynamic_reshape") +
           ": the shape tensor needs a static length (the result's rank)");
  return g.wrap(g.build<mk::DynamicReshapeOp>({v, s}, v, s, allowZero));
}

Tensor expand(const Tensor &x, const Tensor &shape) {
  GraphImpl &g = graphOf(x, shape);
  mlir::Value v = valueOf(x), s = valueOf(shape);
  expectRank(g, "kiln.expand", "a shape", shape, 1);
  if (shape.dim(0) == dyn)
    g.fail(g.where("kiln.expand") + ": the shape tensor needs a static length");
  return g.wrap(g.build<mk::ExpandOp>({v, s}, v, s));
}

Tensor expand(const Tensor &x, std::vector<int64_t> shape) {
  GraphImpl &g = graphOf(x);
  return expand(x, g.wrap(g.indexVector(shape)));
}

Tensor tile(const Tensor &x, std::vector<int64_t> repeats) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  if ((int64_t)repeats.size() != x.rank())
    g.fail(g.where("kiln.tile") + ": " + std::to_string(repeats.size()) +
           " repeats given for a tensor of shape " + shapeString(x.shape()));
  return g.wrap(g.build<mk::TileOp>({v}, v, g.indexVector(repeats)));
}

Tensor pad(const Tensor &x, std::vector<int64_t> pads, double value,
           PadMode mode) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  if ((int64_t)pads.size() != 2 * x.rank())
    g.fail(g.where("kiln.pad") + ": " + std::to_string(pads.size()) +
           " pads given for a tensor of shape " + shapeString(x.shape()) +
           " (expects 2 per dimension: begins, then ends)");
  const char *modeName = mode == PadMode::Constant  ? "constant"
                         : mode == PadMode::Reflect ? "reflect"
                                                    : "edge";
  mlir::Value fill = g.constant({}, {value}, elementTypeOf(x));
  return g.wrap(
      g.build<mk::PadOp>({v}, v, g.indexVector(pads), fill, modeName));
}

Tensor constantOfShape(const Tensor &shape, double value, DType dtype) {
  GraphImpl &g = graphOf(shape);
  mlir::Value s = valueOf(shape);
  expectRank(g, "kiln.constant_of_shape", "a shape", shape, 1);
  if (shape.dim(0) == dyn)
    g.fail(g.where("kiln.constant_of_shape") +
           ": the shape tensor needs a static length (the result's rank)");
  mlir::Type et = g.elementType(dtype);
  mlir::TypedAttr fill;
  if (mlir::isa<mlir::FloatType>(et))
    fill = g.builder.getFloatAttr(et, value);
  else
    fill = g.builder.getIntegerAttr(et, (int64_t)value);
  return g.wrap(g.build<mk::ConstantOfShapeOp>({s}, s, fill));
}

Tensor fullLike(const Tensor &like, double value) {
  GraphImpl &g = graphOf(like);
  mlir::Value v = valueOf(like);
  return g.wrap(g.build<mk::FullLikeOp>({v}, v, llvm::APFloat(value)));
}

Tensor range(const Tensor &start, const Tensor &limit, const Tensor &delta) {
  GraphImpl &g = graphOf(start, limit);
  mlir::Value s = valueOf(start), l = valueOf(limit), d = valueOf(delta, &g);
  return g.wrap(g.build<mk::RangeOp>({s, l, d}, s, l, d));
}

ValuesAndIndices maxPool2dWithIndices(const Tensor &input,
                                      std::vector<int64_t> kernel,
                                      std::vector<int64_t> strides,
                                      std::vector<int64_t> pads) {
  GraphImpl &g = graphOf(input);
  mlir::Value x = valueOf(input);
  if (strides.empty())
    strides = kernel;
  auto op = g.build<mk::MaxPool2DWithIndicesOp>(
      {x}, x, llvm::ArrayRef<int64_t>(kernel), llvm::ArrayRef<int64_t>(strides),
      llvm::ArrayRef<int64_t>(pads), llvm::ArrayRef<int64_t>({1, 1}), false,
      false);
  return {g.wrap(op.getValues()), g.wrap(op.getIndices())};
}

Tensor convTranspose(const Tensor &input, const Tensor &weight,
                     const Tensor &bias, std::vector<int64_t> strides,
                     std::vector<int64_t> pads, std::vector<int64_t> dilations,
                     std::vector<int64_t> outputPadding, int64_t groups) {
  GraphImpl &g = graphOf(input, weight);
  mlir::Value x = valueOf(input), w = valueOf(weight);
  mlir::Value b = bias ? valueOf(bias, &g) : mlir::Value();
  int64_t spatial = input.rank() - 2;
  if (spatial != 2 && spatial != 3)
    g.fail(g.where("kiln.conv_transpose") +
           ": expects an input of rank 4 or 5 (N, C, spatial...), got shape " +
           shapeString(input.shape()));
  if (strides.empty())
    strides.assign(spatial, 1);
  if (pads.empty())
    pads.assign(2 * spatial, 0);
  if (dilations.empty())
    dilations.assign(spatial, 1);
  if (outputPadding.empty())
    outputPadding.assign(spatial, 0);
  if (groups < 1)
    g.fail(g.where("kiln.conv_transpose") + ": groups must be positive");
  llvm::SmallVector<mlir::Value> shapes = {x, w};
  if (b)
    shapes.push_back(b);
  return g.wrap(g.build<mk::ConvTransposeOp>(
      shapes, x, w, b, llvm::ArrayRef<int64_t>(strides),
      llvm::ArrayRef<int64_t>(pads), llvm::ArrayRef<int64_t>(dilations),
      llvm::ArrayRef<int64_t>(outputPadding), (uint64_t)groups));
}

static Tensor buildResize(const Tensor &x, mlir::Value scales,
                          mlir::Value sizes, const ResizeOptions &o) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  return g.wrap(
      g.build<mk::ResizeOp>({v}, v, scales, sizes, mlir::Value(), o.mode,
                            // As ONNX keeps it: a float (see lrn).
                            o.coordinateTransformation, o.nearestMode,
                            llvm::APFloat((double)(float)o.cubicCoeffA),
                            o.excludeOutside, llvm::APFloat(0.0)));
}

Tensor resize(const Tensor &x, std::vector<int64_t> sizes,
              const ResizeOptions &options) {
  GraphImpl &g = graphOf(x);
  if ((int64_t)sizes.size() != x.rank())
    g.fail(g.where("kiln.resize") + ": " + std::to_string(sizes.size()) +
           " sizes given for a tensor of shape " + shapeString(x.shape()));
  return buildResize(x, mlir::Value(), g.indexVector(sizes), options);
}

Tensor resizeScales(const Tensor &x, std::vector<double> scales,
                    const ResizeOptions &options) {
  GraphImpl &g = graphOf(x);
  if ((int64_t)scales.size() != x.rank())
    g.fail(g.where("kiln.resize") + ": " + std::to_string(scales.size()) +
           " scales given for a tensor of shape " + shapeString(x.shape()));
  mlir::Value s =
      g.constant({(int64_t)scales.size()}, scales, g.builder.getF32Type());
  return buildResize(x, s, mlir::Value(), options);
}

Tensor gridSample(const Tensor &input, const Tensor &grid,
                  const std::string &mode, const std::string &paddingMode,
                  bool alignCorners) {
  GraphImpl &g = graphOf(input, grid);
  mlir::Value x = valueOf(input), p = valueOf(grid);
  return g.wrap(
      g.build<mk::GridSampleOp>({x, p}, x, p, mode, paddingMode, alignCorners));
}

Tensor lrn(const Tensor &x, int64_t size, double alpha, double beta,
           double bias) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  if (size < 1)
    g.fail(g.where("kiln.lrn") + ": size must be positive, got " +
           std::to_string(size));
  // ONNX keeps these as floats; rounding them here means a model saved with
  // saveOnnx computes exactly what this one does.
  auto f = [](double v) { return llvm::APFloat((double)(float)v); };
  return g.wrap(
      g.build<mk::LRNOp>({v}, v, (uint64_t)size, f(alpha), f(beta), f(bias)));
}

Tensor einsum(const std::string &equation, const std::vector<Tensor> &inputs) {
  if (inputs.empty())
    throw Error("einsum needs at least one tensor");
  GraphImpl &g = graphOf(inputs[0]);
  llvm::SmallVector<mlir::Value> values;
  for (const Tensor &t : inputs)
    values.push_back(valueOf(t, &g));
  return g.wrap(g.build<mk::EinsumOp>(values, values, equation));
}

Tensor det(const Tensor &x) {
  GraphImpl &g = graphOf(x);
  if (x.rank() < 2)
    g.fail(g.where("kiln.det") + ": expects matrices [..., M, M], got shape " +
           shapeString(x.shape()));
  return unary<mk::DetOp>(x);
}

Tensor mseLoss(const Tensor &prediction, const Tensor &target) {
  return loss<mk::MSELossOp>(prediction, target);
}
Tensor maeLoss(const Tensor &prediction, const Tensor &target) {
  return loss<mk::MAELossOp>(prediction, target);
}
Tensor huberLoss(const Tensor &prediction, const Tensor &target, double delta) {
  GraphImpl &g = graphOf(prediction, target);
  mlir::Value p = valueOf(prediction), t = valueOf(target);
  if (!(delta > 0))
    g.fail(g.where("kiln.huber_loss") + ": delta must be positive");
  return g.wrap(g.build<mk::HuberLossOp>({p, t}, p, t, llvm::APFloat(delta)));
}
Tensor bceWithLogitsLoss(const Tensor &logits, const Tensor &target) {
  return loss<mk::BCEWithLogitsLossOp>(logits, target);
}
Tensor crossEntropyLoss(const Tensor &logits, const Tensor &labels) {
  return loss<mk::CrossEntropyLossOp>(logits, labels);
}

Tensor nllLoss(const Tensor &logProbs, const Tensor &target,
               const Tensor &weight, LossReduction reduction,
               std::optional<int64_t> ignoreIndex) {
  GraphImpl &g = graphOf(logProbs, target);
  mlir::Value x = valueOf(logProbs), t = valueOf(target);
  mlir::Value w = weight ? valueOf(weight, &g) : mlir::Value();
  if (logProbs.rank() < 2)
    g.fail(g.where("kiln.nll_loss") +
           ": expects log-probabilities [N, C, d...], got shape " +
           shapeString(logProbs.shape()));
  llvm::SmallVector<mlir::Value> shapes = {x, t};
  if (w)
    shapes.push_back(w);
  mlir::IntegerAttr ignore;
  if (ignoreIndex)
    ignore = g.builder.getI64IntegerAttr(*ignoreIndex);
  const char *name = reduction == LossReduction::None  ? "none"
                     : reduction == LossReduction::Sum ? "sum"
                                                       : "mean";
  return g.wrap(g.build<mk::NLLLossOp>(shapes, x, t, w, ignore, name));
}

} // namespace kiln::dsl
