//===- Graph.h - The C++ builder DSL: graphs and symbolic tensors -*- C++
//-*-===//
//
// Kiln's second frontend: a model written in C++, Keras-style, becomes the
// same `func.func @main` of kiln ops that the ONNX importer builds. A Graph
// owns the module being built; a dsl::Tensor is a symbolic value in it (a
// graph input, a parameter, or an op's result) with the usual operators and
// a function for each kiln op the DSL exposes.
//
// Errors: every failure throws kiln::dsl::Error (a std::runtime_error) whose
// message names what was being built (the layer, or the op) and the shapes
// involved. Shape errors surface while the graph is built, because every kiln
// op infers its result type and is verified as soon as it is created.
//
// This header needs no MLIR or LLVM headers; Graph::str() and Model::str()
// print the module as MLIR text.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_DSL_GRAPH_H
#define KILN_FRONTENDS_DSL_GRAPH_H

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiln::dsl {

/// A dynamic dimension in a shape (known only when the model runs).
inline constexpr int64_t dyn = -1;

/// Everything the DSL reports goes through this exception.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Element types of DSL tensors.
enum class DType { F32, F64, I32, I64, Bool };

/// "f32", "i64", ...
const char *dtypeName(DType dtype);

/// "[?, 13]": how messages print a shape (dyn as '?').
std::string shapeString(const std::vector<int64_t> &shape);

namespace detail {
struct GraphImpl;
} // namespace detail

class Graph;
class Model;

/// A symbolic tensor: a value of the graph it was built in. Cheap to copy.
class Tensor {
public:
  Tensor() = default;

  /// -1 (dsl::dyn) where a dimension is dynamic.
  std::vector<int64_t> shape() const;
  int64_t rank() const;
  /// The extent of dimension `d` (negative counts from the end), or dyn.
  int64_t dim(int64_t d) const;
  DType dtype() const;
  explicit operator bool() const { return value != nullptr; }

  /// The graph-internal handles (for the library itself).
  detail::GraphImpl *graphImpl() const { return graph; }
  void *opaqueValue() const { return value; }
  Tensor(detail::GraphImpl *graph, void *value) : graph(graph), value(value) {}

private:
  detail::GraphImpl *graph = nullptr;
  void *value = nullptr;
};

/// How parameters get their initial values. Every random initializer draws
/// from the graph's seeded generator, so one seed gives one model.
struct Initializer {
  enum class Kind {
    Zeros,
    Ones,
    Constant,
    Normal,        ///< N(a, b^2)
    Uniform,       ///< U[a, b)
    GlorotUniform, ///< U[-l, l), l = sqrt(6 / (fanIn + fanOut))
    GlorotNormal,  ///< N(0, 2 / (fanIn + fanOut))
    HeUniform,     ///< U[-l, l), l = sqrt(6 / fanIn)
    HeNormal       ///< N(0, 2 / fanIn)
  };
  Kind kind = Kind::Zeros;
  double a = 0, b = 0;
};

namespace init {
Initializer zeros();
Initializer ones();
Initializer constant(double value);
Initializer normal(double mean = 0.0, double stddev = 0.05);
Initializer uniform(double low = -0.05, double high = 0.05);
Initializer glorotUniform();
Initializer glorotNormal();
Initializer heUniform();
Initializer heNormal();

/// Fills `count` values for a parameter of `shape` (fan-in and fan-out as
/// Keras computes them: a matrix [in, out]; a convolution kernel
/// [F, C, KH, KW] has fan-in C*KH*KW and fan-out F*KH*KW). `state` is the
/// generator's state, advanced by the draw.
std::vector<float> generate(const Initializer &initializer,
                            const std::vector<int64_t> &shape, uint64_t &state);
} // namespace init

/// A model under construction: inputs, parameters, ops, outputs.
class Graph {
public:
  /// `seed` drives every random initializer of the graph.
  explicit Graph(uint64_t seed = 0);
  ~Graph();
  Graph(Graph &&) noexcept;
  Graph &operator=(Graph &&) noexcept;
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;

  /// A graph input. Names must be unique; dims may be dsl::dyn.
  Tensor input(const std::string &name, const std::vector<int64_t> &shape,
               DType dtype = DType::F32);

  /// Marks `value` as an output of the model.
  void output(const std::string &name, const Tensor &value);
  void output(const Tensor &value) { output("", value); }

  /// A trainable parameter named `name` (made unique if taken) with values
  /// drawn from `initializer`.
  Tensor parameter(const std::string &name, const std::vector<int64_t> &shape,
                   const Initializer &initializer);
  /// A constant (not trained) of the given shape and values (one value is
  /// broadcast to the whole shape).
  Tensor constant(const std::vector<int64_t> &shape,
                  const std::vector<double> &values, DType dtype = DType::F32);
  Tensor scalar(double value, DType dtype = DType::F32);

  /// A name not used yet for a layer: `base`, then `base_1`, `base_2`, ...
  std::string uniqueName(const std::string &base);

  /// The module as MLIR text (for inspection and tests).
  std::string str() const;

  detail::GraphImpl *impl() const { return graphImpl.get(); }

private:
  friend class Model;
  std::unique_ptr<detail::GraphImpl> graphImpl;
};

/// While alive, errors of ops built in `graph` name `layer` (its kind and
/// name), and the ops carry the layer's name as their location.
class LayerScope {
public:
  LayerScope(const Tensor &anyValueOfGraph, const std::string &kind,
             const std::string &name);
  LayerScope(Graph &graph, const std::string &kind, const std::string &name);
  ~LayerScope();
  LayerScope(const LayerScope &) = delete;
  LayerScope &operator=(const LayerScope &) = delete;

private:
  detail::GraphImpl *graph;
};

//===----------------------------------------------------------------------===//
// Operators and functions on tensors. Binary ones broadcast like numpy; a
// number is a rank-0 constant of the tensor's element type.
//===----------------------------------------------------------------------===//

Tensor operator+(const Tensor &a, const Tensor &b);
Tensor operator-(const Tensor &a, const Tensor &b);
Tensor operator*(const Tensor &a, const Tensor &b);
Tensor operator/(const Tensor &a, const Tensor &b);
Tensor operator+(const Tensor &a, double b);
Tensor operator-(const Tensor &a, double b);
Tensor operator*(const Tensor &a, double b);
Tensor operator/(const Tensor &a, double b);
Tensor operator+(double a, const Tensor &b);
Tensor operator-(double a, const Tensor &b);
Tensor operator*(double a, const Tensor &b);
Tensor operator/(double a, const Tensor &b);
Tensor operator-(const Tensor &a);

Tensor add(const Tensor &a, const Tensor &b);
Tensor sub(const Tensor &a, const Tensor &b);
Tensor mul(const Tensor &a, const Tensor &b);
Tensor div(const Tensor &a, const Tensor &b);
Tensor pow(const Tensor &a, const Tensor &b);
Tensor pow(const Tensor &a, double exponent);
Tensor maximum(const Tensor &a, const Tensor &b);
Tensor minimum(const Tensor &a, const Tensor &b);
/// The remainder of truncated division: the sign of `a`, as C's fmod.
Tensor rem(const Tensor &a, const Tensor &b);
/// The remainder of floored division: the sign of `b`, as Python's `%` and
/// numpy.mod.
Tensor mod(const Tensor &a, const Tensor &b);
/// numpy.matmul: batch dimensions broadcast.
Tensor matmul(const Tensor &a, const Tensor &b);

// Comparisons give Bool tensors; select picks elementwise.
Tensor equal(const Tensor &a, const Tensor &b);
Tensor less(const Tensor &a, const Tensor &b);
Tensor lessEqual(const Tensor &a, const Tensor &b);
Tensor greater(const Tensor &a, const Tensor &b);
Tensor greaterEqual(const Tensor &a, const Tensor &b);
Tensor select(const Tensor &condition, const Tensor &ifTrue,
              const Tensor &ifFalse);

// Bitwise logic on integers, which is logical on Bool tensors. (C++ keeps
// the names and, or, xor and not for its operators.)
Tensor bitwiseAnd(const Tensor &a, const Tensor &b);
Tensor bitwiseOr(const Tensor &a, const Tensor &b);
Tensor bitwiseXor(const Tensor &a, const Tensor &b);
Tensor bitwiseNot(const Tensor &x);
Tensor operator&(const Tensor &a, const Tensor &b);
Tensor operator|(const Tensor &a, const Tensor &b);
Tensor operator^(const Tensor &a, const Tensor &b);
Tensor operator~(const Tensor &x);
/// Shifts of integers by `b` bits (read as unsigned): 0 once `b` reaches the
/// bit width; the right shift is arithmetic (the sign fills in).
Tensor shiftLeft(const Tensor &a, const Tensor &b);
Tensor shiftRight(const Tensor &a, const Tensor &b);

Tensor neg(const Tensor &x);
Tensor abs(const Tensor &x);
Tensor exp(const Tensor &x);
Tensor log(const Tensor &x);
Tensor sqrt(const Tensor &x);
Tensor erf(const Tensor &x);
Tensor sin(const Tensor &x);
Tensor cos(const Tensor &x);
Tensor floor(const Tensor &x);
Tensor ceil(const Tensor &x);
Tensor sign(const Tensor &x);
/// Rounding to the nearest integer, halves to even (numpy.round).
Tensor round(const Tensor &x);
Tensor tan(const Tensor &x);
Tensor asin(const Tensor &x);
Tensor acos(const Tensor &x);
Tensor atan(const Tensor &x);
Tensor sinh(const Tensor &x);
Tensor cosh(const Tensor &x);
Tensor asinh(const Tensor &x);
Tensor acosh(const Tensor &x);
Tensor atanh(const Tensor &x);

// Activations.
Tensor relu(const Tensor &x);
Tensor sigmoid(const Tensor &x);
Tensor tanh(const Tensor &x);
Tensor softmax(const Tensor &x, int64_t axis = -1);
Tensor logSoftmax(const Tensor &x, int64_t axis = -1);
Tensor leakyRelu(const Tensor &x, double alpha = 0.01);
Tensor elu(const Tensor &x, double alpha = 1.0);
/// The exact GELU, x * (1 + erf(x / sqrt 2)) / 2.
Tensor gelu(const Tensor &x);
/// x * sigmoid(x) (SiLU, swish).
Tensor silu(const Tensor &x);
/// log(1 + exp(x)), computed stably.
Tensor softplus(const Tensor &x);

// Reductions over `axes` (negative counts from the end; empty: all axes).
Tensor reduceSum(const Tensor &x, std::vector<int64_t> axes = {},
                 bool keepDims = false);
Tensor reduceMean(const Tensor &x, std::vector<int64_t> axes = {},
                  bool keepDims = false);
Tensor reduceMax(const Tensor &x, std::vector<int64_t> axes = {},
                 bool keepDims = false);
Tensor reduceMin(const Tensor &x, std::vector<int64_t> axes = {},
                 bool keepDims = false);
Tensor reduceProd(const Tensor &x, std::vector<int64_t> axes = {},
                  bool keepDims = false);
/// reduceSum over axes given as a 1-D integer tensor (possibly computed
/// when the model runs; at least one axis). The reduced dimensions are
/// known only then, so the result's non-unit extents are dynamic.
Tensor dynamicReduceSum(const Tensor &x, const Tensor &axes,
                        bool keepDims = false);
/// The index of the maximum along `axis` (I64): the first one, or the last
/// with `selectLastIndex`.
Tensor argmax(const Tensor &x, int64_t axis = -1, bool keepDims = false,
              bool selectLastIndex = false);
/// The index of the minimum along `axis` (I64).
Tensor argmin(const Tensor &x, int64_t axis = -1, bool keepDims = false,
              bool selectLastIndex = false);
/// The running sum along `axis`; `exclusive` leaves each element out of its
/// own sum, `reverse` sums from the end.
Tensor cumsum(const Tensor &x, int64_t axis, bool exclusive = false,
              bool reverse = false);

/// What topK and maxPool2dWithIndices return: values and their I64
/// positions.
struct ValuesAndIndices {
  Tensor values;
  Tensor indices;
};
/// The `k` largest (or smallest) elements along `axis`, sorted, and their
/// positions; ties keep the lower index first.
ValuesAndIndices topK(const Tensor &x, int64_t k, int64_t axis = -1,
                      bool largest = true);

// Shapes.
Tensor transpose(const Tensor &x, std::vector<int64_t> permutation);
/// `shape` entries: a size, 0 (keep the input's dimension) or -1 (infer).
Tensor reshape(const Tensor &x, std::vector<int64_t> shape);
/// Dimensions [0, axis) become rows, the rest columns.
Tensor flatten(const Tensor &x, int64_t axis = 1);
Tensor concat(const std::vector<Tensor> &xs, int64_t axis);
/// Elements start, start+step, ... before end along `axis`.
Tensor slice(const Tensor &x, int64_t axis, int64_t start, int64_t end,
             int64_t step = 1);
Tensor unsqueeze(const Tensor &x, std::vector<int64_t> axes);
Tensor squeeze(const Tensor &x, std::vector<int64_t> axes);
/// Rows of `table` picked along `axis` by integer `indices`.
Tensor gather(const Tensor &table, const Tensor &indices, int64_t axis = 0);
Tensor cast(const Tensor &x, DType dtype);
/// numpy.take_along_axis: `indices` has the rank of `x`; the result has
/// its shape.
Tensor gatherElements(const Tensor &x, const Tensor &indices, int64_t axis);
/// ONNX GatherND: the last dimension of `indices` (static, k) indexes k
/// dimensions of `x` after its first `batchDims`.
Tensor gatherND(const Tensor &x, const Tensor &indices, int64_t batchDims = 0);
/// How a scatter combines an update with the element it lands on.
enum class ScatterReduction { None, Add, Mul };
/// A copy of `x` with `updates[i...]` written at position `i...` with
/// dimension `axis` replaced by `indices[i...]` (last write wins for None).
Tensor scatterElements(const Tensor &x, const Tensor &indices,
                       const Tensor &updates, int64_t axis,
                       ScatterReduction reduction = ScatterReduction::None);
/// ONNX ScatterND: slices of `updates` written at the (last-dimension)
/// indices of `indices`.
Tensor scatterND(const Tensor &x, const Tensor &indices, const Tensor &updates,
                 ScatterReduction reduction = ScatterReduction::None);
/// The indices of the non-zero elements, [rank, n] I64 (numpy.nonzero,
/// stacked); n is known only when the model runs.
Tensor nonZero(const Tensor &x);
/// The upper (lower) triangle of the last two dimensions, on and above
/// (below) diagonal `k`; the rest becomes 0 (numpy.triu, numpy.tril).
Tensor triu(const Tensor &x, int64_t k = 0);
Tensor tril(const Tensor &x, int64_t k = 0);
/// A new dimension of extent `depth` at `axis` holding `onValue` where its
/// position equals the index (negative indices count from `depth`) and
/// `offValue` elsewhere.
Tensor oneHot(const Tensor &indices, int64_t depth, int64_t axis = -1,
              DType dtype = DType::F32, double offValue = 0.0,
              double onValue = 1.0);
/// For each index b along `batchAxis`, reverses the first lengths[b]
/// elements along `timeAxis` (`lengths`: 1-D integers).
Tensor reverseSequence(const Tensor &x, const Tensor &lengths,
                       int64_t batchAxis = 1, int64_t timeAxis = 0);

// Shapes as tensors (I64 vectors), for shapes known only at run time.
/// The extents of dimensions [start, end) (negative counts from the end).
Tensor shapeTensor(const Tensor &x, int64_t start = 0,
                   std::optional<int64_t> end = std::nullopt);
/// reshape() with the shape as a tensor (ONNX Reshape: 0 copies the input's
/// extent unless `allowZero`, -1 infers one extent).
Tensor dynamicReshape(const Tensor &x, const Tensor &shape,
                      bool allowZero = false);
/// Broadcasts `x` and a tensor of shape `shape` against each other (ONNX
/// Expand).
Tensor expand(const Tensor &x, std::vector<int64_t> shape);
Tensor expand(const Tensor &x, const Tensor &shape);
/// `repeats[i]` copies along dimension i.
Tensor tile(const Tensor &x, std::vector<int64_t> repeats);
/// What pad() puts in the new elements.
enum class PadMode { Constant, Reflect, Edge };
/// `pads` = [begin_0, ..., begin_(r-1), end_0, ..., end_(r-1)]: elements
/// added before and after each dimension (removed where negative).
Tensor pad(const Tensor &x, std::vector<int64_t> pads, double value = 0.0,
           PadMode mode = PadMode::Constant);
/// A tensor of shape `shape` (a 1-D integer tensor) filled with `value`.
Tensor constantOfShape(const Tensor &shape, double value,
                       DType dtype = DType::F32);
/// A tensor of `like`'s shape and type filled with `value`.
Tensor fullLike(const Tensor &like, double value);
/// start, start + delta, ... before limit (numpy.arange); three rank-0
/// tensors of one element type.
Tensor range(const Tensor &start, const Tensor &limit, const Tensor &delta);

// Raw NN ops (layers wrap them with parameters). NCHW layouts; pads are
// [top, left, bottom, right].
Tensor conv2d(const Tensor &input, const Tensor &weight, const Tensor &bias,
              std::vector<int64_t> strides = {1, 1},
              std::vector<int64_t> pads = {0, 0, 0, 0},
              std::vector<int64_t> dilations = {1, 1}, int64_t groups = 1);
Tensor maxPool2d(const Tensor &input, std::vector<int64_t> kernel,
                 std::vector<int64_t> strides = {},
                 std::vector<int64_t> pads = {0, 0, 0, 0});
Tensor avgPool2d(const Tensor &input, std::vector<int64_t> kernel,
                 std::vector<int64_t> strides = {},
                 std::vector<int64_t> pads = {0, 0, 0, 0},
                 bool countIncludePad = false);
/// Normalizes over dimensions [axis, rank), then scale and bias.
Tensor layerNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                 int64_t axis = -1, double epsilon = 1e-5);
/// Inference batch normalization over channel dimension 1.
Tensor batchNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                 const Tensor &mean, const Tensor &variance,
                 double epsilon = 1e-3);
/// maxPool2d plus the position of each maximum as an I64 index into the
/// whole input flattened row-major (ONNX MaxPool's Indices).
ValuesAndIndices maxPool2dWithIndices(const Tensor &input,
                                      std::vector<int64_t> kernel,
                                      std::vector<int64_t> strides = {},
                                      std::vector<int64_t> pads = {0, 0, 0, 0});
/// Transposed convolution over 2 or 3 spatial dimensions: `weight` is
/// [C, F / groups, KH, KW] (or with KD), `bias` [F] may be null. `pads` is
/// [begins..., ends...]. Empty lists mean strides and dilations of 1, no
/// padding.
Tensor convTranspose(const Tensor &input, const Tensor &weight,
                     const Tensor &bias, std::vector<int64_t> strides = {},
                     std::vector<int64_t> pads = {},
                     std::vector<int64_t> dilations = {},
                     std::vector<int64_t> outputPadding = {},
                     int64_t groups = 1);
/// How resize() maps and interpolates (ONNX Resize's attributes).
struct ResizeOptions {
  std::string mode = "nearest"; ///< nearest, linear, cubic
  /// half_pixel, pytorch_half_pixel, align_corners, asymmetric,
  /// tf_half_pixel_for_nn
  std::string coordinateTransformation = "half_pixel";
  /// round_prefer_floor, round_prefer_ceil, floor, ceil
  std::string nearestMode = "round_prefer_floor";
  double cubicCoeffA = -0.75;
  bool excludeOutside = false;
};
/// Resamples `x` to the extents `sizes` (one per dimension).
Tensor resize(const Tensor &x, std::vector<int64_t> sizes,
              const ResizeOptions &options = {});
/// Resamples `x` by `scales` (one per dimension; extents floor(d * s)).
Tensor resizeScales(const Tensor &x, std::vector<double> scales,
                    const ResizeOptions &options = {});
/// Samples NCHW `input` at the normalized (x, y) points of `grid`
/// [N, HO, WO, 2] (PyTorch's grid_sample). `mode`: bilinear, nearest,
/// bicubic; `paddingMode`: zeros, border, reflection.
Tensor gridSample(const Tensor &input, const Tensor &grid,
                  const std::string &mode = "bilinear",
                  const std::string &paddingMode = "zeros",
                  bool alignCorners = false);
/// Local response normalization across channels (dimension 1).
Tensor lrn(const Tensor &x, int64_t size, double alpha = 1e-4,
           double beta = 0.75, double bias = 1.0);

// Linear algebra.
/// Einstein summation in explicit form ("bij,bjk->bik").
Tensor einsum(const std::string &equation, const std::vector<Tensor> &inputs);
/// The determinant of each matrix in the last two dimensions.
Tensor det(const Tensor &x);

// Losses, as values of the graph (a rank-0 tensor, except nllLoss without
// reduction). Model::compile's loss argument is the way to train with one;
// these are for models that compute a loss themselves.
Tensor mseLoss(const Tensor &prediction, const Tensor &target);
Tensor maeLoss(const Tensor &prediction, const Tensor &target);
Tensor huberLoss(const Tensor &prediction, const Tensor &target,
                 double delta = 1.0);
/// Binary cross-entropy of logits against probabilities, computed stably.
Tensor bceWithLogitsLoss(const Tensor &logits, const Tensor &target);
/// Softmax cross-entropy of logits [N, C] against integer classes [N] or
/// probabilities [N, C].
Tensor crossEntropyLoss(const Tensor &logits, const Tensor &labels);
enum class LossReduction { None, Sum, Mean };
/// Negative log-likelihood of log-probabilities [N, C, d...] against
/// classes [N, d...], each weighted by `weight[class]` (a null tensor: 1);
/// targets equal to `ignoreIndex` count 0. Mean divides by the weights' sum.
Tensor nllLoss(const Tensor &logProbs, const Tensor &target,
               const Tensor &weight = Tensor(),
               LossReduction reduction = LossReduction::Mean,
               std::optional<int64_t> ignoreIndex = std::nullopt);

} // namespace kiln::dsl

#endif // KILN_FRONTENDS_DSL_GRAPH_H
