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
/// The index of the maximum along `axis` (I64).
Tensor argmax(const Tensor &x, int64_t axis = -1, bool keepDims = false);

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

} // namespace kiln::dsl

#endif // KILN_FRONTENDS_DSL_GRAPH_H
