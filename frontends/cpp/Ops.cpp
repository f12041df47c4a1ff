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

Tensor argmax(const Tensor &x, int64_t axis, bool keepDims) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x);
  axis = normalizeAxis(g, "kiln.argmax", axis, x.rank());
  return g.wrap(g.build<mk::ArgMaxOp>({v}, v, (uint64_t)axis, keepDims));
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
